#include "solution_presenter.h"

#include "device_status.h"
#include "routing_trace.h"

namespace zaya::ui {

using app::GeneratedToken;
using app::SolutionStep;

SolutionPresenter::SolutionPresenter(SolutionView* view, QObject* parent) : QObject(parent), view_(view) {
  // Streaming text is redrawn at most ~8 times a second; completed steps at once.
  tick_.setInterval(125);
  connect(&tick_, &QTimer::timeout, this, [this] {
    if (thinkingDirty_) {
      view_->setThinking(thinking_, false, 0);
      thinkingDirty_ = false;
    }
    if (tailDirty_) drawTail();
  });
}

QList<SolutionToken> SolutionPresenter::slice(int first, int end) const {
  QList<SolutionToken> out;
  for (int i = std::max(0, first); i < end && i < tokens_.size(); ++i)
    if (answerToken_[i]) out.push_back(tokens_[i]);
  return out;
}

void SolutionPresenter::follow(app::TutoringSession* session, const QString& title, const QString& meta) {
  if (session_) session_->disconnect(this);
  session_ = session;
  tokens_.clear();
  answerToken_.clear();
  steps_.clear();
  thinking_.clear();
  const app::BackendInfo info = session->backendInfo();
  view_->reset(title, meta, info.layers, info.experts, info.hasRouting,
               info.hasRouting ? QString()
               : info.routingNote.isEmpty() ? tr("Expert views are unavailable: this backend reports no routing.")
                                            : info.routingNote);
  // A GPU that was chosen but is not used is said before the first token.
  if (const QString note = session->deviceNote(); !note.isEmpty()) view_->setStatus(withDeviceNote({}));
  connect(session, &app::TutoringSession::thinkingText, this, [this](const QString& delta) {
    thinking_ += delta;
    thinkingDirty_ = true;
  });
  connect(session, &app::TutoringSession::thinkingFinished, this, [this](int tokens, bool forced) {
    view_->setThinking(thinking_, true, tokens);
    thinkingDirty_ = false;
    if (forced) view_->setStatus(tr("Thinking stopped at its budget of %1 tokens.").arg(tokens));
  });
  connect(session, &app::TutoringSession::tokenAdded, this, &SolutionPresenter::onToken);
  connect(session, &app::TutoringSession::stepCompleted, this, [this](const SolutionStep& step) {
    steps_.push_back(step);
    view_->setStep(step.index - 1, step.text, true, slice(step.firstToken, step.endToken));
    tailDirty_ = true;
  });
  connect(session, &app::TutoringSession::stepsRestarted, this, [this] {
    steps_ = session_->solution().steps;
    redrawSteps();
  });
  connect(session, &app::TutoringSession::tokensPerSecond, this, [this](double rate) {
    view_->setStatus(withDeviceNote(tr("%1 tokens · %2 tokens/s").arg(tokens_.size()).arg(rate, 0, 'f', 1)));
  });
  connect(session, &app::TutoringSession::finalAnswerChecked, this,
          [this](const QString& answer, const app::AnswerVerdict& v) {
            view_->setFinal(answer, !v.known ? SolutionView::Verdict::Unchecked
                                    : v.correct ? SolutionView::Verdict::Correct
                                                : SolutionView::Verdict::Incorrect,
                            v.reason);
          });
  connect(session, &app::TutoringSession::finished, this, [this](const app::Solution& s) {
    tick_.stop();
    steps_ = s.steps;
    if (!s.thinking.isEmpty()) view_->setThinking(s.thinking, true, s.thinkingEndToken);
    redrawSteps();
    view_->setStatus(withDeviceNote(
        s.cancelled ? tr("Stopped after %1 tokens — what was written is kept.").arg(s.tokenCount)
                    : tr("%1 tokens · %2 tokens/s").arg(s.tokenCount).arg(s.tokensPerSecond, 0, 'f', 1)));
  });
  connect(session, &app::TutoringSession::failed, this, [this](const QString& message) {
    tick_.stop();
    view_->setStatus(tr("Generation failed: %1").arg(message));
  });
  tick_.start();
}

void SolutionPresenter::stop() {
  if (session_) session_->disconnect(this);
  session_ = nullptr;
  tick_.stop();
  thinkingDirty_ = tailDirty_ = false;
}

QString SolutionPresenter::withDeviceNote(const QString& text) const {
  const QString note = session_ ? session_->deviceNote() : QString();
  if (note.isEmpty()) return text;
  const QString said = app::gpuNotUsedText(note);
  return text.isEmpty() ? said : tr("%1 · %2").arg(text, said);
}

void SolutionPresenter::onToken(int index, const GeneratedToken& token) {
  while (tokens_.size() <= index) {
    tokens_.push_back({});
    answerToken_.push_back(false);
  }
  SolutionToken& t = tokens_[index];
  t.text = token.text;
  t.experts.clear();
  t.probs.clear();
  for (const auto& r : token.routing) {
    t.experts.push_back(r.expert);
    t.probs.push_back(r.prob);
  }
  answerToken_[index] = token.channel == GeneratedToken::Channel::Answer;
  if (answerToken_[index]) tailDirty_ = true;
}

void SolutionPresenter::redrawSteps() {
  for (const auto& step : std::as_const(steps_))
    view_->setStep(step.index - 1, step.text, true, slice(step.firstToken, step.endToken));
}

void SolutionPresenter::drawTail() {
  tailDirty_ = false;
  const int first = steps_.isEmpty() ? 0 : steps_.back().endToken;
  const QList<SolutionToken> tail = slice(first, int(tokens_.size()));
  QString text;
  for (const auto& t : tail) text += t.text;
  if (text.trimmed().isEmpty()) return;
  view_->setStep(int(steps_.size()), text, false, tail);
}

void SolutionPresenter::show(const app::Solution& s, const QString& title, const QString& meta) {
  if (session_) session_->disconnect(this);
  session_ = nullptr;
  tick_.stop();
  const bool hasRouting = !s.trace.isEmpty() && s.traceLayers > 0;
  view_->reset(title, meta, s.traceLayers, s.traceExperts, hasRouting,
               hasRouting ? QString() : tr("This solution was written without a routing trace (remote server)."));
  // Token texts from their end offsets into thinking + text.
  const QString all = s.thinking + s.text;
  const QList<quint32> ends = app::token_ends::decode(s.tokenEnds);
  const int count = int(ends.size());
  app::RoutingTrace trace;
  if (hasRouting) trace = app::RoutingTrace::decode(s.trace, s.traceLayers, s.traceExperts);
  tokens_.clear();
  answerToken_.clear();
  int previous = 0;
  for (int i = 0; i < count; ++i) {
    const int end = int(std::min<qint64>(all.size(), ends[i]));
    SolutionToken t;
    t.text = all.mid(previous, std::max(0, end - previous));
    if (hasRouting && i < trace.tokens())
      for (int l = 0; l < trace.layers; ++l) {
        t.experts.push_back(trace.expertAt(i, l));
        t.probs.push_back(trace.probAt(i, l));
      }
    tokens_.push_back(t);
    answerToken_.push_back(i >= s.thinkingEndToken);
    previous = std::max(previous, end);
  }
  if (!s.thinking.isEmpty()) view_->setThinking(s.thinking, true, s.thinkingEndToken);
  steps_ = s.steps;
  redrawSteps();
  if (!s.finalAnswer.isEmpty() || s.correct.has_value())
    view_->setFinal(s.finalAnswer, !s.correct.has_value() ? SolutionView::Verdict::Unchecked
                                   : *s.correct           ? SolutionView::Verdict::Correct
                                                          : SolutionView::Verdict::Incorrect,
                    {});
  view_->setStatus(s.cancelled ? tr("Stopped after %1 tokens.").arg(s.tokenCount)
                               : tr("%1 tokens · %2 tokens/s").arg(s.tokenCount).arg(s.tokensPerSecond, 0, 'f', 1));
}

}  // namespace zaya::ui
