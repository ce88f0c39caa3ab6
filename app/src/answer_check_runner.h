// Runs answer checks off the GUI thread, with a time budget, so that the
// window stays responsive while GiNaC works. The checker bounds its own memory
// and time by estimating every expansion before it is made (problems/
// expr_budget); the budget here is the second line: a check that has not
// answered in time is reported as undecided and its late result is dropped.
// A check started later, or cancel(), drops an earlier one's result too, so a
// verdict is never drawn on a problem the student has left.
#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

#include "zaya/problems/answer_checker.h"

class QThreadPool;

namespace zaya::app {

class AnswerCheckRunner : public QObject {
  Q_OBJECT
 public:
  static constexpr int kDefaultBudgetMs = 2000;
  explicit AnswerCheckRunner(QObject* parent = nullptr, int budgetMs = kDefaultBudgetMs);
  ~AnswerCheckRunner() override;

  // Starts `check` on a worker thread; `finished` reports it with the returned
  // ticket, unless a later start() or cancel() came first.
  quint64 start(std::function<problems::Verdict()> check);
  void cancel();
  bool busy() const { return current_ != 0; }

  // The verdict given when the budget runs out.
  static problems::Verdict timedOutVerdict();

 signals:
  void finished(quint64 ticket, const zaya::problems::Verdict& verdict);

 private:
  void deliver(quint64 ticket, const problems::Verdict& verdict);

  int budgetMs_;
  quint64 next_ = 1;
  quint64 current_ = 0;  // 0: none running whose result is still wanted
  QThreadPool* pool_;
};

}  // namespace zaya::app

Q_DECLARE_METATYPE(zaya::problems::Verdict)
