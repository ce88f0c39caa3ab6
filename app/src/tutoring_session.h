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
#include <optional>

#include "database.h"
#include "generation_backend.h"
#include "routing_trace.h"
#include "tutor_settings.h"
#include "zaya/problems/problem.h"

namespace zaya::app {

enum class TutorMode { Full, Hint, Explain, Check };
QString tutorModeName(TutorMode mode);  // "full", "hint", "explain", "check" (solutions.mode)

// One reply to generate. The prompt is assembled by the caller (Tutor, with
// the wording of tutor_prompts.h); the session only runs it.
struct TutorRequest {
  TutorMode mode = TutorMode::Full;
  QString problemId{};
  // The problem the reply is graded against (a copy: the bank may go away
  // while the reply runs): the model's boxed answer is checked with
  // zaya::problems::check_problem_answer, the rule the student's answers use.
  // nullopt: no verdict. Only Full replies are graded.
  std::optional<zaya::problems::Problem> problem{};
  QString systemPrompt{};
  QList<ChatTurn> history{};  // earlier turns, assistant turns without thinking
  QString userPrompt{};
  QString conversationKey{};  // "<profileId>/<problemId>"
  // Sampling and budget: TutorSettings' defaults; the Tutor fills them from
  // the student's settings.
  int thinkingBudget = TutorSettings::kDefaultThinkingBudget;  // per reply; 0 = thinking off; < 0 = no limit
  int maxTokens = TutorSettings::kDefaultMaxTokens;
  float temperature = float(TutorSettings::kDefaultTemperature);
  float topP = float(TutorSettings::kDefaultTopP);
  bool modelSampling = TutorSettings::kDefaultModelSampling;
  quint64 seed = 0;
  // false: the reply's text (thinking, answer, steps) is not emitted while it
  // streams; it is seen only in finished(), after answerLeak had its say.
  // Hints use it: their text is checked against the key before anyone sees it.
  bool streamText = true;
  // Where the finished answer text starts to give the key away (cut there),
  // or -1. Applied before finished(); the cut is marked in Solution::note.
  std::function<qsizetype(const QString& text)> answerLeak{};
};

struct AnswerVerdict {
  bool known = false;    // false: no problem, or too complex to check (see reason)
  bool correct = false;
  QString reason{};
};
// The one grading rule: the problem's key, accepted answers and choices (the
// option's letter or its value), as for the student's own answers.
AnswerVerdict checkAgainstProblem(const zaya::problems::Problem& problem, const QString& candidate);

class TutoringSession : public QObject {
  Q_OBJECT
 public:
  explicit TutoringSession(std::shared_ptr<GenerationBackend> backend, QObject* parent = nullptr);
  ~TutoringSession() override;

  // Save the finished solution (and its trace) for this profile.
  void setStore(Database* db, qint64 profileId, const QString& modelName);

  // What the backend is given for a request.
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
  void truncateAnswer(int cut);  // drops the answer text from `cut` on, with its tokens

  std::shared_ptr<GenerationBackend> backend_;
  BackendInfo info_;
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
