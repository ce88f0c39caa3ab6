// What one open problem has cost the student so far: the active time of each
// attempt and the help used before it (docs/app-core.md, "Attempts: time and
// help").
//
// Time counts only while the window is active and the student is not idle:
// after the last sign of activity (typing, clicking, a check) at most
// kIdleThresholdMs more is counted, the rest of a pause is not. Each attempt
// gets the active time since the previous attempt (or the opening). The help
// is cumulative from the opening: a solution seen once stays seen for every
// later attempt on the same opening.
//
// An answer checked again unchanged is not a new attempt: attempt() returns
// nullopt and counts nothing, so pressing Check twice is one attempt.
#pragma once

#include <QElapsedTimer>
#include <QString>

#include <optional>

namespace zaya::app {

// Monotonic milliseconds; a test passes its own clock to drive time by hand.
class AttemptClock {
 public:
  virtual ~AttemptClock() = default;
  virtual qint64 nowMs() const = 0;
};

// The real clock: QElapsedTimer (monotonic, ignores changes of the wall clock).
class SteadyAttemptClock : public AttemptClock {
 public:
  SteadyAttemptClock() { timer_.start(); }
  qint64 nowMs() const override { return timer_.elapsed(); }

 private:
  QElapsedTimer timer_;
};

struct AttemptHelp {
  int hints = 0;
  int explanations = 0;   // explanations of a step of a model solution
  int questions = 0;      // questions asked to the tutor about the problem
  bool modelSolutionViewed = false;
  bool referenceSolutionViewed = false;
  // The answer was in front of the student: a right answer is not a solve.
  bool sawSolution() const { return modelSolutionViewed || referenceSolutionViewed; }
  bool operator==(const AttemptHelp&) const = default;
};

struct TrackedAttempt {
  QString answer;
  qint64 activeMillis = 0;  // since the previous attempt or the opening
  AttemptHelp help;         // since the opening
};

class AttemptTracker {
 public:
  enum class Help { Hint, Explanation, Question, ModelSolution, ReferenceSolution };

  // A pause longer than this is idleness, not thinking: only this much of it counts.
  static constexpr qint64 kIdleThresholdMs = 3 * 60 * 1000;

  // `clock` must outlive the tracker; null: the real clock.
  explicit AttemptTracker(const AttemptClock* clock = nullptr);
  AttemptTracker(const AttemptTracker&) = delete;
  AttemptTracker& operator=(const AttemptTracker&) = delete;

  // A problem is opened (an empty id: none is): time and help start from zero.
  void open(const QString& problemId);
  const QString& problemId() const { return problemId_; }

  // The window was activated or left; time stops while it is inactive.
  void setWindowActive(bool active);
  bool windowActive() const { return windowActive_; }
  // The student typed, clicked or scrolled: the idle pause ends.
  void noteActivity();
  void noteHelp(Help kind);

  // Active time since the previous attempt (or the opening), up to now.
  qint64 activeMillis();
  const AttemptHelp& help() const { return help_; }

  // Counts `answer` as an attempt: its active time (then restarted) and the
  // help so far. nullopt when it is the previous attempt's answer unchanged
  // (compared trimmed) or no problem is open; nothing is counted then.
  std::optional<TrackedAttempt> attempt(const QString& answer);
  // The last attempt counted since the opening (nullopt: none yet).
  const std::optional<TrackedAttempt>& lastAttempt() const { return last_; }

 private:
  // Adds the counted part of the time since the last settle.
  void settle();

  SteadyAttemptClock ownClock_;
  const AttemptClock* clock_;
  QString problemId_;
  bool windowActive_ = true;
  qint64 settledAt_ = 0;     // clock time up to which active time is added
  qint64 lastActivity_ = 0;  // clock time of the last activity
  qint64 active_ = 0;        // active time of the attempt in progress
  AttemptHelp help_;
  std::optional<TrackedAttempt> last_;
};

}  // namespace zaya::app
