#include "answer_check_runner.h"

#include <QFutureWatcher>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace zaya::app {

AnswerCheckRunner::AnswerCheckRunner(QObject* parent, int budgetMs)
    : QObject(parent), budgetMs_(budgetMs), pool_(new QThreadPool(this)) {
  qRegisterMetaType<zaya::problems::Verdict>();
  // The checker serialises its calls anyway: one thread, the next check waits.
  pool_->setMaxThreadCount(1);
}

AnswerCheckRunner::~AnswerCheckRunner() {
  current_ = 0;
  // A check still running holds no pointer to this object; wait for it so that
  // nothing outlives the pool (each check is bounded by the checker's budget).
  pool_->waitForDone();
}

problems::Verdict AnswerCheckRunner::timedOutVerdict() {
  problems::Verdict v{false, "Your answer is too complex to check here in time, so it is not marked right or wrong."};
  v.undecided = true;
  return v;
}

quint64 AnswerCheckRunner::start(std::function<problems::Verdict()> check) {
  const quint64 ticket = next_++;
  current_ = ticket;
  auto* watcher = new QFutureWatcher<problems::Verdict>(this);
  connect(watcher, &QFutureWatcher<problems::Verdict>::finished, this, [this, watcher, ticket] {
    problems::Verdict v;
    try {
      v = watcher->result();
    } catch (...) {
      v = {false, "Your answer could not be checked."};
    }
    watcher->deleteLater();
    deliver(ticket, v);
  });
  watcher->setFuture(QtConcurrent::run(pool_, [check = std::move(check)]() -> problems::Verdict {
    try {
      return check();
    } catch (const std::exception&) {
      return {false, "Your answer could not be checked."};
    }
  }));
  QTimer::singleShot(budgetMs_, this, [this, ticket] { deliver(ticket, timedOutVerdict()); });
  return ticket;
}

void AnswerCheckRunner::cancel() { current_ = 0; }

void AnswerCheckRunner::deliver(quint64 ticket, const problems::Verdict& verdict) {
  // Only the first answer for the current check counts: the result or the
  // time-out, whichever comes first.
  if (ticket != current_) return;
  current_ = 0;
  emit finished(ticket, verdict);
}

}  // namespace zaya::app
