// The step-by-step solution view: thinking collapsed, steps rendered with
// markdown + KaTeX as they stream, the final answer with its verified /
// incorrect badge, and per step the expert views (heatmap of layers ×
// (experts + skip), utilisation bars, router confidence, tokens coloured by
// their expert at a chosen layer with their path on hover). Sized from the
// model's config; works the same on a solution reopened from history.
#pragma once

#include <QList>
#include <QVector>

#include "document_view.h"

namespace zaya::ui {

struct SolutionToken {
  QString text;
  QVector<int> experts;  // [layers]; experts == E means the skip route
  QVector<float> probs;  // [layers]
};

using RouteCounts = QVector<QVector<int>>;  // [layers][experts + 1]

class SolutionView : public DocumentView {
  Q_OBJECT
 public:
  enum class Verdict { Correct, Incorrect, Unchecked };
  explicit SolutionView(QWidget* parent = nullptr);

  void reset(const QString& title, const QString& meta, int layers, int experts, bool hasRouting,
             const QString& routingNote = {});
  void setThinking(const QString& text, bool done, int tokens);
  // `markdown` is the step's text so far; rendering happens here.
  void setStep(int index, const QString& markdown, bool complete, const QList<SolutionToken>& tokens);
  void setFinal(const QString& answer, Verdict verdict, const QString& reason);
  void setStatus(const QString& text);
  void compareSteps(int a, int b);
  // Asks the page for the numbers it drew; answered by heatmapReported().
  void queryHeatmap(int step);
  // Asks the page what it shows; answered by stateReported(json).
  void queryState();

  int layers() const { return layers_; }
  int experts() const { return experts_; }
  bool idle() const { return pending_ == 0; }

  static RouteCounts countRoutes(const QList<SolutionToken>& tokens, int layers, int experts);

 signals:
  void updatesDrawn();  // every update sent so far is on the page
  void heatmapReported(int step, const zaya::ui::RouteCounts& counts);
  void stateReported(const QJsonObject& state);
  // The student pressed "Ask about this step" on step `step` (1-based).
  void stepQuestionRequested(int step);

 private:
  void send(QJsonObject update);
  void flush();
  int layers_ = 0;
  int experts_ = 0;
  int sent_ = 0;
  int pending_ = 0;
  QList<QJsonObject> queue_;
};

}  // namespace zaya::ui
