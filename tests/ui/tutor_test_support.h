// Shared by the tutor screen tests: scripted replies without a tokenizer
// (each word one token, with a deterministic routing), a backend that gives
// the next reply of a list to each request, hand-made problems, and the
// solution page's state.
#pragma once

#include <QJsonObject>
#include <QSignalSpy>
#include <QStringList>

#include <atomic>
#include <memory>
#include <mutex>

#include "scripted_backend.h"
#include "solution_view.h"
#include "zaya/problems/problem.h"

namespace zaya::test {

constexpr int kLayers = 4, kExperts = 16;

// `answer` as tokens of the answer channel (one per word, spaces kept), then a stop.
inline QList<app::GeneratedToken> replyTokens(const QString& answer) {
  QList<app::GeneratedToken> out;
  auto routed = [](app::GeneratedToken t) {
    for (int l = 0; l < kLayers; ++l) {
      const quint32 h = quint32(t.id) * 2654435761u + quint32(l) * 40503u;
      t.routing.push_back({l, int(h % quint32(kExperts + 1)), 0.5f});
    }
    return t;
  };
  qint32 id = 100;
  QString word;
  auto flush = [&] {
    if (word.isEmpty()) return;
    app::GeneratedToken t;
    t.id = id++;
    t.text = word;
    t.channel = app::GeneratedToken::Channel::Answer;
    out.push_back(routed(t));
    word.clear();
  };
  for (const QChar c : answer) {
    word += c;
    if (c.isSpace()) flush();
  }
  flush();
  app::GeneratedToken stop;
  stop.id = 1;
  stop.channel = app::GeneratedToken::Channel::Control;
  stop.stop = true;
  out.push_back(routed(stop));
  return out;
}

inline app::BackendInfo scriptedInfo() { return app::BackendInfo{QStringLiteral("scripted"), true, kLayers, kExperts, {}}; }

// Request n gets reply n (the last reply again once they run out); every
// request is kept.
class ReplySequenceBackend final : public app::GenerationBackend {
 public:
  explicit ReplySequenceBackend(const QStringList& replies, int delayMs = 0) {
    for (const QString& r : replies) {
      replies_.push_back(std::make_shared<app::ScriptedBackend>(replyTokens(r), scriptedInfo()));
      replies_.back()->setDelayMs(delayMs);
    }
  }
  app::BackendInfo info() const override { return scriptedInfo(); }
  void generate(const app::GenerationRequest& request, const std::function<bool(const app::GeneratedToken&)>& onToken) override {
    std::shared_ptr<app::ScriptedBackend> reply;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      reply = replies_[std::min<qsizetype>(next_++, replies_.size() - 1)];
      current_ = reply;
    }
    reply->generate(request, onToken);
  }
  void forceEndThinking() override {
    std::lock_guard lock(mutex_);
    if (current_) current_->forceEndThinking();
  }
  void cancel() override {
    std::lock_guard lock(mutex_);
    if (current_) current_->cancel();
  }
  QList<app::GenerationRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  QList<std::shared_ptr<app::ScriptedBackend>> replies_;
  std::shared_ptr<app::ScriptedBackend> current_;
  QList<app::GenerationRequest> requests_;
  qsizetype next_ = 0;
};

// Everything the model was shown for one request, in one string.
inline QString promptText(const app::GenerationRequest& r) {
  QString all = r.systemPrompt + QLatin1Char('\n');
  for (const auto& turn : r.history) all += turn.text + QLatin1Char('\n');
  return all + r.userPrompt;
}

inline problems::Problem walkProblem() {
  problems::Problem p;
  p.id = "test-walk-01";
  p.source_key = "aime";
  p.source = "AIME";
  p.statement_latex = "Every morning Aya goes for a $9$-kilometer-long walk and stops at a coffee shop afterwards. "
                      "How many minutes does the walk take her at $s+\\frac{1}{2}$ kilometers per hour?";
  p.answer = "204";
  p.accepted_answers = {"204"};
  return p;
}

inline problems::Problem squaresProblem() {
  problems::Problem p;
  p.id = "test-squares-02";
  p.source_key = "math";
  p.source = "MATH (test split)";
  p.statement_latex = "What is the sum of the first $10$ odd positive integers?";
  p.answer = "100";
  p.accepted_answers = {"100"};
  return p;
}

inline QJsonObject pageState(ui::SolutionView* view) {
  QSignalSpy spy(view, &ui::SolutionView::stateReported);
  view->queryState();
  if (!spy.wait(10000)) return {};
  return spy.last().at(0).toJsonObject();
}

inline bool waitDrawn(ui::SolutionView* view) {
  QSignalSpy drawn(view, &ui::SolutionView::updatesDrawn);
  if (view->idle()) return true;
  return drawn.wait(30000) || view->idle();
}

}  // namespace zaya::test
