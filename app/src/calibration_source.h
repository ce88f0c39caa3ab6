// What the expert calibration reads with: a loaded model and how its
// tokenizer turns a statement into ids, with the model's shape (layers,
// experts) the profile screen lays its table out by. The screens get one
// from BackendLoader and pass it on; they never hold the engine's model.
#pragma once

#include <memory>

#include "expert_calibration.h"

namespace zaya::app {

class EngineBackend;

class CalibrationSource {
 public:
  CalibrationSource(std::shared_ptr<const zaya::Model> model, ExpertCalibration::Tokenize tokenize);
  // The engine's own model and tokenizer: the calibration shares the loaded
  // weights, and the source keeps the backend (and so them) alive.
  static std::shared_ptr<const CalibrationSource> fromEngine(const std::shared_ptr<EngineBackend>& backend);

  int layers() const { return layers_; }
  int experts() const { return experts_; }
  const std::shared_ptr<const zaya::Model>& model() const { return model_; }
  const ExpertCalibration::Tokenize& tokenize() const { return tokenize_; }

 private:
  std::shared_ptr<const zaya::Model> model_;
  ExpertCalibration::Tokenize tokenize_;
  int layers_ = 0, experts_ = 0;
};

}  // namespace zaya::app
