// One tutoring request: builds the prompt, runs generation on a worker
// thread and turns the token stream into what the solution view shows —
// the thinking part, steps as they complete, the routing of every token
// attributed to its step, the checked final answer and the speed.
//
// Modes: Full (a whole solution), Hint (stops after the next step), Explain
// (one step of an earlier solution), Check (the student's answer or work).
// Thinking budget: when the thinking part reaches N tokens the session makes
// the backend close it (forced tokens) and the model moves on to the answer.
// cancel() stops at once and keeps what was produced; the solution (with
// cancelled = true) is still finished and saved.
//
// Signals are emitted on the thread that owns the session (the GUI thread).
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

#include "database.h"
#include "generation_backend.h"
#include "routing_trace.h"

namespace zaya::app {

enum class TutorMode { Full, Hint, Explain, Check };
QString tutorModeName(TutorMode mode);  // "full", "hint", "explain", "check"

struct TutorRequest {
  TutorMode mode = TutorMode::Full;
  QString problemId{};
  QString statement{};     // the problem, LaTeX
  QString answerKey{};     // empty: no verdict
  QString studentWork{};   // Hint: the work so far; Check: the student's answer / solution
  QString stepText{};      // Explain: the step to explain
  int thinkingBudget = 1024;  // tokens of thinking; 0 = thinking off; < 0 = no limit
  int maxTokens = 4096;
  float temperature = 0.6f;
  float topP = 0.95f;
  bool modelSampling = false;  // GenerationRequest::modelSampling
  quint64 seed = 0;
};

struct AnswerVerdict {
  bool known = false;    // false: no key, no checker, or too complex to check (see reason)
  bool correct = false;
  QString reason{};
};
using AnswerCheckFn = std::function<AnswerVerdict(const QString& key, const QString& candidate)>;
// The problems library's checker (equivalent forms accepted).
AnswerVerdict checkWithProblemsLibrary(const QString& key, const QString& candidate);

class TutoringSession : public QObject {
  Q_OBJECT
 public:
  explicit TutoringSession(std::shared_ptr<GenerationBackend> backend, QObject* parent = nullptr);
  ~TutoringSession() override;

  void setAnswerChecker(AnswerCheckFn fn) { checker_ = std::move(fn); }
  // Save the finished solution (and its trace) for this profile.
  void setStore(Database* db, qint64 profileId, const QString& modelName);

  // The prompt a request becomes (public so the wording is testable).
  static GenerationRequest buildRequest(const TutorRequest& request);

  void start(const TutorRequest& request);
  void cancel();
  bool isRunning() const { return running_; }

  // The solution so far (complete after finished()).
  const Solution& solution() const { return solution_; }
  const RoutingTrace& trace() const { return trace_; }
  // Step of every token: 0 = thinking (or before the answer), 1.. = step number.
  const QList<int>& tokenSteps() const { return tokenSteps_; }
  BackendInfo backendInfo() const { return info_; }
  // GenerationBackend::deviceNote(), read now (a GPU failure mid-reply sets it).
  QString deviceNote() const { return backend_ ? backend_->deviceNote() : QString(); }

 signals:
  void thinkingText(const QString& delta);
  void thinkingFinished(int tokens, bool forced);
  void answerText(const QString& delta);
  void tokenAdded(int index, const zaya::app::GeneratedToken& token);
  void stepCompleted(const zaya::app::SolutionStep& step);
  void stepsRestarted();  // segmentation changed: redraw the steps from solution()
  void tokensPerSecond(double rate);
  void finalAnswerChecked(const QString& answer, const zaya::app::AnswerVerdict& verdict);
  void routingUnavailable(const QString& why);
  void finished(const zaya::app::Solution& solution);
  void failed(const QString& message);

 private:
  void onToken(const GeneratedToken& token);
  void onWorkerDone(const QString& error);
  void updateSteps(bool final);
  void attributeTokens();

  std::shared_ptr<GenerationBackend> backend_;
  BackendInfo info_;
  AnswerCheckFn checker_ = checkWithProblemsLibrary;
  Database* db_ = nullptr;
  qint64 profileId_ = 0;
  QString modelName_;

  TutorRequest request_;
  QThread* worker_ = nullptr;
  std::shared_ptr<std::atomic<bool>> stop_;
  bool running_ = false;
  bool cancelled_ = false;
  bool hintCut_ = false;
  bool thinkingDone_ = false;
  int thinkingTokens_ = 0;
  QElapsedTimer clock_;

  Solution solution_;
  RoutingTrace trace_;
  QList<GeneratedToken> tokens_;
  QList<int> tokenStart_;  // answer offset where each token's text starts; -1 for thinking tokens
  QList<int> tokenSteps_;
  QList<SolutionStep> emitted_;
};

}  // namespace zaya::app

Q_DECLARE_METATYPE(zaya::app::GeneratedToken)
Q_DECLARE_METATYPE(zaya::app::SolutionStep)
Q_DECLARE_METATYPE(zaya::app::Solution)
Q_DECLARE_METATYPE(zaya::app::AnswerVerdict)
