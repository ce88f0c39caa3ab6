#include "solution_view.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "bridge.h"
#include "math_markdown.h"
#include "problem_document.h"

namespace zaya::ui {

SolutionView::SolutionView(QWidget* parent) : DocumentView(parent) {
  connect(bridge(), &Bridge::pageBecameReady, this, &SolutionView::flush);
  connect(bridge(), &Bridge::solutionDrawn, this, [this](int generation) {
    if (generation == sent_) {
      pending_ = 0;
      emit updatesDrawn();
    }
  });
  connect(bridge(), &Bridge::heatmapReported, this, [this](int step, const QString& json) {
    RouteCounts counts;
    const QJsonArray rows = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const auto& row : rows) {
      QVector<int> r;
      for (const auto& v : row.toArray()) r.push_back(v.toInt());
      counts.push_back(r);
    }
    emit heatmapReported(step, counts);
  });
  connect(bridge(), &Bridge::stepQuestionRequested, this, &SolutionView::stepQuestionRequested);
  connect(bridge(), &Bridge::stateReported, this, [this](const QString& json) {
    emit stateReported(QJsonDocument::fromJson(json.toUtf8()).object());
  });
}

RouteCounts SolutionView::countRoutes(const QList<SolutionToken>& tokens, int layers, int experts) {
  RouteCounts counts(layers, QVector<int>(experts + 1, 0));
  for (const auto& t : tokens)
    for (int l = 0; l < layers && l < t.experts.size(); ++l) {
      const int e = t.experts[l];
      if (e >= 0 && e <= experts) ++counts[l][e];
    }
  return counts;
}

void SolutionView::send(QJsonObject update) {
  update.insert(QStringLiteral("generation"), ++sent_);
  ++pending_;
  queue_.push_back(update);
  flush();
}

void SolutionView::flush() {
  if (!bridge()->isPageReady()) return;
  for (const auto& u : std::as_const(queue_))
    emit bridge()->solutionUpdate(QString::fromUtf8(QJsonDocument(u).toJson(QJsonDocument::Compact)));
  queue_.clear();
}

void SolutionView::reset(const QString& title, const QString& meta, int layers, int experts, bool hasRouting,
                         const QString& routingNote) {
  layers_ = layers;
  experts_ = experts;
  send({{QStringLiteral("kind"), QStringLiteral("reset")},
        {QStringLiteral("title"), title},
        {QStringLiteral("meta"), meta},
        {QStringLiteral("layers"), layers},
        {QStringLiteral("experts"), experts},
        {QStringLiteral("hasRouting"), hasRouting && layers > 0},
        {QStringLiteral("routingNote"), routingNote}});
}

void SolutionView::setThinking(const QString& text, bool done, int tokens) {
  send({{QStringLiteral("kind"), QStringLiteral("thinking")},
        {QStringLiteral("text"), text},
        {QStringLiteral("done"), done},
        {QStringLiteral("tokens"), tokens}});
}

void SolutionView::setStep(int index, const QString& markdown, bool complete, const QList<SolutionToken>& tokens) {
  QJsonArray toks;
  for (const auto& t : tokens) {
    QJsonArray e, p;
    for (int x : t.experts) e.append(x);
    for (float x : t.probs) p.append(double(qRound(x * 1000)) / 1000.0);
    toks.append(QJsonObject{{QStringLiteral("t"), t.text}, {QStringLiteral("e"), e}, {QStringLiteral("p"), p}});
  }
  QJsonArray counts;
  for (const auto& row : countRoutes(tokens, layers_, experts_)) {
    QJsonArray r;
    for (int c : row) r.append(c);
    counts.append(r);
  }
  send({{QStringLiteral("kind"), QStringLiteral("step")},
        {QStringLiteral("index"), index},
        {QStringLiteral("html"), QString::fromStdString(render::render_markdown_with_math(markdown.toStdString()))},
        {QStringLiteral("complete"), complete},
        {QStringLiteral("tokens"), toks},
        {QStringLiteral("counts"), counts}});
}

void SolutionView::setFinal(const QString& answer, Verdict verdict, const QString& reason) {
  send({{QStringLiteral("kind"), QStringLiteral("final")},
        {QStringLiteral("html"), answer.isEmpty() ? QStringLiteral("<p>(no boxed answer)</p>") : answerPreviewHtml(answer)},
        {QStringLiteral("verdict"), verdict == Verdict::Correct     ? QStringLiteral("correct")
                                    : verdict == Verdict::Incorrect ? QStringLiteral("incorrect")
                                                                    : QStringLiteral("unchecked")},
        {QStringLiteral("reason"), reason}});
}

void SolutionView::setStatus(const QString& text) {
  send({{QStringLiteral("kind"), QStringLiteral("status")}, {QStringLiteral("text"), text}});
}

void SolutionView::compareSteps(int a, int b) {
  send({{QStringLiteral("kind"), QStringLiteral("compare")}, {QStringLiteral("a"), a}, {QStringLiteral("b"), b}});
}

void SolutionView::queryState() {
  queue_.push_back(QJsonObject{{QStringLiteral("kind"), QStringLiteral("queryState")}});
  flush();
}

void SolutionView::queryHeatmap(int step) {
  QJsonObject q{{QStringLiteral("kind"), QStringLiteral("queryHeatmap")}, {QStringLiteral("index"), step}};
  queue_.push_back(q);  // answered by reportHeatmap, not counted as a drawn update
  flush();
}

}  // namespace zaya::ui
