#include "attempt_tracker.h"

#include <algorithm>

namespace zaya::app {

AttemptTracker::AttemptTracker(const AttemptClock* clock) : clock_(clock ? clock : &ownClock_) {}

void AttemptTracker::open(const QString& problemId) {
  problemId_ = problemId;
  settledAt_ = lastActivity_ = clock_->nowMs();  // opening a problem is itself activity
  active_ = 0;
  help_ = {};
  last_.reset();
}

void AttemptTracker::settle() {
  const qint64 now = clock_->nowMs();
  if (windowActive_) {
    // Counted: from the last settle to now, but not past the idle threshold
    // after the last activity.
    const qint64 countedUntil = std::min(now, lastActivity_ + kIdleThresholdMs);
    if (countedUntil > settledAt_) active_ += countedUntil - settledAt_;
  }
  settledAt_ = now;
}

void AttemptTracker::setWindowActive(bool active) {
  if (active == windowActive_) return;
  settle();
  windowActive_ = active;
  // Coming back to the window is activity: the pause before it was not
  // counted (the window was inactive), the time after it is.
  if (active) lastActivity_ = settledAt_;
}

void AttemptTracker::noteActivity() {
  settle();
  lastActivity_ = settledAt_;
}

void AttemptTracker::noteHelp(Help kind) {
  noteActivity();
  switch (kind) {
    case Help::Hint: ++help_.hints; break;
    case Help::Explanation: ++help_.explanations; break;
    case Help::Question: ++help_.questions; break;
    case Help::ModelSolution: help_.modelSolutionViewed = true; break;
    case Help::ReferenceSolution: help_.referenceSolutionViewed = true; break;
  }
}

qint64 AttemptTracker::activeMillis() {
  settle();
  return active_;
}

std::optional<TrackedAttempt> AttemptTracker::attempt(const QString& answer) {
  if (problemId_.isEmpty()) return std::nullopt;
  noteActivity();  // checking is activity, whether or not it is a new attempt
  const QString trimmed = answer.trimmed();
  if (last_ && last_->answer.trimmed() == trimmed) return std::nullopt;
  last_ = TrackedAttempt{answer, active_, help_};
  active_ = 0;
  return last_;
}

}  // namespace zaya::app
