#include "calibration_source.h"

#include "engine_backend.h"
#include "zaya/model.h"

namespace zaya::app {

CalibrationSource::CalibrationSource(std::shared_ptr<const zaya::Model> model, ExpertCalibration::Tokenize tokenize)
    : model_(std::move(model)), tokenize_(std::move(tokenize)) {
  if (model_) {
    layers_ = int(model_->config().num_layers);
    experts_ = int(model_->config().num_experts);
  }
}

std::shared_ptr<const CalibrationSource> CalibrationSource::fromEngine(const std::shared_ptr<EngineBackend>& backend) {
  if (!backend) return nullptr;
  // The aliasing pointer shares the backend's ownership: the weights live as long as either does.
  return std::make_shared<CalibrationSource>(
      std::shared_ptr<const zaya::Model>(backend, &backend->model()),
      [backend](const QString& text) { return backend->tokenizer().encode(text.toStdString(), false); });
}

}  // namespace zaya::app
