// The tutor of the open problem: one conversation per (profile, problem),
// every reply a turn of it.
//
// Each action (hint, solution, explain, question, check-working) becomes a
// chat message after the conversation's earlier turns (the user messages as
// they were sent, the replies' answer text without thinking), with the
// conversation key "<profileId>/<problemId>" so the engine continues where
// the last turn ended. The wording is in tutor_prompts.h.
//
// Every finished reply is saved with its turn in one transaction (the
// solutions row keeps its routing trace and token ids), so a conversation
// reopens after a restart, expert views included, without a model.
//
// Hints: hint k is asked with hints 1..k-1 in the history and the student's
// wrong answers since the last turn (noteAnswer) in the message; a hint is not
// streamed, and before it is reported or saved it is checked against the
// problem's key (hint_guard.h): a leak is cut, and the Solution says so.
// CheckWorking replies are parsed into a WorkingReview (working_review.h).
//
// One TutoringSession per reply does the generating. openProblem() cancels a
// running reply and cuts it off: none of its signals reach this tutor or the
// screen any more, so nothing of it is drawn or saved under the new problem.
#pragma once

#include "set_rules.h"

#include <QObject>

#include <memory>
#include <optional>

#include "attempt_tracker.h"
#include "database.h"
#include "generation_backend.h"
#include "tutor_settings.h"
#include "tutoring_session.h"
#include "working_review.h"
#include "zaya/problems/problem.h"

namespace zaya::app {

class BackendLoader;

class Tutor : public QObject {
  Q_OBJECT
 public:
  Tutor(Database* db, qint64 profileId, QObject* parent = nullptr);  // db may be null (nothing stored)
  ~Tutor() override;
  void setStore(Database* db, qint64 profileId);
  void setSettings(const TutorSettings& settings);  // the one struct with the one set of defaults
  const TutorSettings& settings() const { return settings_; }
  void setBackend(std::shared_ptr<GenerationBackend> backend, const QString& unavailableReason = {});
  std::shared_ptr<GenerationBackend> backend() const { return backend_; }
  QString unavailableReason() const { return unavailableReason_; }
  // Where the backend comes from: the remote server, the local engine (model,
  // device, tokenizer) or none, as the settings in `db` say; loaded off the
  // GUI thread, and each load's result becomes the tutor's backend.
  // Other screens follow the loader's signals (status line, expert views).
  BackendLoader& backendLoader() { return *loader_; }
  void loadBackend();
  // The open problem's active time, help used and attempts; opened with it.
  AttemptTracker& attempts() { return attempts_; }
  const AttemptTracker& attempts() const { return attempts_; }
  // The model name saved with each reply ("" = the backend's own name).
  void setModelName(const QString& name) { modelName_ = name; }

  // Opens a problem: cancels a running reply (nothing of it is drawn or saved under the new
  // problem) and loads the problem's stored conversation. null closes.
  void openProblem(const zaya::problems::Problem* problem);
  const zaya::problems::Problem* problem() const { return problem_ ? &*problem_ : nullptr; }

  // The student's wrong answers on the open problem go into later hint requests.
  void noteAnswer(const QString& answer, bool correct);

  // Starts a reply. text: Question = the question; CheckWorking = the student's working (one step per
  // line); Explain = optional extra question; Hint = the student's working so far (optional).
  // step/solutionId: Explain/Question about step `step` of the saved or live solution `solutionId`
  // (0 = the newest solution of this problem).
  // Returns false and emits refused(reason) when it cannot start now.
  // Actions the open problem's assigned sets forbid are refused (set_rules.h).
  bool ask(TutorAction action, const QString& text = {}, int step = 0, qint64 solutionId = 0);
  // The rules of the profile's assigned sets for the open problem, read now.
  SetRules rules() const;
  void cancel();
  bool isRunning() const;
  TutoringSession* session() const { return session_; }  // the running or last reply (for the presenter)
  QList<ConversationTurn> conversation() const;            // the open problem's turns, oldest first
  // A reply of the open conversation, with its trace and token ids (expert
  // views of a reopened conversation); nullopt when it is unknown.
  std::optional<Solution> reply(qint64 solutionId) const;
  // "<profileId>/<problemId>" of the open problem.
  QString conversationKey() const;

 signals:
  void replyStarted(zaya::app::TutoringSession* session, zaya::app::TutorAction action, const QString& title);
  void replyFinished(const zaya::app::Solution& solution, zaya::app::TutorAction action);
  void workingReviewed(const zaya::app::WorkingReview& review);  // right before replyFinished of a CheckWorking
  void refused(const QString& reason);
  // A reply failed (backend error, nothing generated) or could not be
  // saved, or the stored conversation could not be read; in words.
  void replyFailed(const QString& message);
  void backendChanged();

 private:
  // A turn with its reply, as later requests replay it.
  struct Entry {
    ConversationTurn turn;
    Solution reply;  // without blobs when loaded from the database
  };
  void loadConversation();
  QList<ChatTurn> history() const;
  std::optional<Solution> findSolution(qint64 solutionId) const;
  void detachSession();
  void onFinished(quint64 generation, TutorAction action, ConversationTurn turn, int workingSteps, Solution solution);

  Database* db_ = nullptr;
  qint64 profileId_ = 0;
  BackendLoader* loader_;
  AttemptTracker attempts_;
  TutorSettings settings_;
  std::shared_ptr<GenerationBackend> backend_;
  QString unavailableReason_;
  QString modelName_;
  std::optional<zaya::problems::Problem> problem_;
  QList<Entry> entries_;
  QStringList wrongAnswers_;  // noted since the last turn
  TutoringSession* session_ = nullptr;
  // Bumped by openProblem() and each ask(): a reply's callbacks carry the
  // value they started with and do nothing once it changed.
  quint64 generation_ = 0;
  qint64 unsavedIds_ = 0;  // negative ids for replies kept without a database
};

}  // namespace zaya::app

Q_DECLARE_METATYPE(zaya::app::TutorAction)
