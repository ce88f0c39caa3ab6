// Timed sittings under contest rules: a past AIME paper, a SAT-style module or
// a teacher's timed set (docs/app-core.md, "Mock contests").
//
// The rules, held here and in set_rules.h rather than only on the screen:
//   - while a sitting runs, its problems get no hints, explanations,
//     questions, working checks, model or reference solutions, and no answer
//     feedback anywhere in the app (setRulesFor() reads the open sitting);
//   - answers are saved as they are typed (each change is one write), so a
//     killed app loses at most the keystroke in flight;
//   - the clock counts while the app runs the sitting, one tick a second, and
//     is saved with each tick: after a crash it resumes where the last tick
//     left it (time while the app was closed is not counted). At the limit the
//     sitting ends and is scored, as if submitted;
//   - scoring uses the app's one answer checker (check_problem_answer) and
//     records each answered problem as an attempt (set sittings count for the
//     set), so sittings reach the progress screen, reviews and results files.
// Only the signed-in profile's own sitting is reached.
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>
#include <optional>

#include "auth_service.h"
#include "progress_service.h"
#include "records.h"
#include "zaya/problems/bank.h"

namespace zaya::app {

// Extended-time choices offered for the student's own practice.
inline constexpr double kTimeMultipliers[] = {1.0, 1.25, 1.5, 2.0};

struct TopicScore {
  QString topic{};
  int right = 0;
  int total = 0;
};

// What the score report shows.
struct SittingReport {
  Sitting sitting{};
  int answered = 0;
  QList<TopicScore> topics{};  // topics in the order of the bank's taxonomy; only those on the paper
  // Earlier ended sittings of the same kind (AIME, SAT or set), newest first.
  QList<Sitting> earlier{};
  // The score of the newest earlier sitting of this very paper, if any.
  std::optional<Sitting> samePaperBefore{};
};

class ContestService : public QObject {
  Q_OBJECT
 public:
  ContestService(AuthService& auth, ProgressService& progress, QObject* parent = nullptr);

  void setBank(const problems::ProblemBank* bank) { bank_ = bank; }
  // Milliseconds of a clock that only moves forward (tests inject their own).
  void setClock(std::function<qint64()> clock);
  // Whether a one-second timer calls tick() (tests tick by hand).
  void setTicking(bool on);

  // Start a sitting for the signed-in profile. Throws AppError: another
  // sitting is open, the paper or set is unknown, the bank is not loaded.
  Sitting startAime(const QString& paperKey, double multiplier = 1.0);
  Sitting startSat(quint64 seed, double multiplier = 1.0);
  // A set with a time limit: its limit and multiplier are the teacher's.
  Sitting startSet(qint64 setId);
  // The time limit (standard, before extended time) of a set, if it is timed.
  std::optional<int> setTimeLimitMinutes(const ProblemSet& set) const;
  double setTimeMultiplier(const ProblemSet& set) const;

  // The signed-in profile's running sitting after a restart (or a switch of
  // profile); its clock resumes from the last saved tick. Null when none.
  const Sitting* resumeOpen();
  const Sitting* current() const { return current_ ? &*current_ : nullptr; }

  // The problem shown: its time counts from now.
  void show(int position);
  int shownPosition() const { return shown_; }
  // Saves an answer as typed. AIME answers must be 000..999 (read_aime_answer):
  // anything else throws AppError(InvalidInput) with the reason and is not
  // saved. Returns what was saved ("007" is saved as "7").
  QString setAnswer(int position, const QString& text);
  void setFlagged(int position, bool flagged);
  // Counts the time since the last tick; at the limit, ends and scores.
  void tick();
  qint64 remainingMs() const { return current_ ? current_->remainingMs() : 0; }
  // Ends the running sitting now and scores it.
  Sitting submit();

  QList<Sitting> sittings();  // the signed-in profile's, newest first
  SittingReport report(qint64 sittingId);

 signals:
  void started(const zaya::app::Sitting& sitting);
  void ticked(qint64 remainingMs);
  void answerSaved(int position);
  // The sitting ended (submitted or out of time) and is scored.
  void finished(const zaya::app::Sitting& sitting);
  // A timer tick could not save the clock (full disk, read-only data); in words.
  void storageFailed(const QString& message);

 private:
  Sitting start(Sitting s, const QStringList& problemIds);
  Sitting finish(const QString& reason);
  const problems::ProblemBank& requireBank() const;
  void requireRunning(int position) const;

  AuthService& auth_;
  ProgressService& progress_;
  Database& db_;
  const problems::ProblemBank* bank_ = nullptr;
  std::function<qint64()> clock_;
  QTimer timer_;
  std::optional<Sitting> current_;
  int shown_ = 0;
  qint64 lastTick_ = 0;
  bool ticking_ = true;
};

}  // namespace zaya::app
