// Feeds a SolutionView from a live TutoringSession (steps as they stream,
// every token's routing attributed to its step) or from a solution saved in
// the database (the same views, drawn again without the model).
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include "records.h"
#include "solution_view.h"
#include "tutoring_session.h"

namespace zaya::ui {

class SolutionPresenter : public QObject {
  Q_OBJECT
 public:
  SolutionPresenter(SolutionView* view, QObject* parent = nullptr);

  // Follows `session` from now on; call before session->start().
  void follow(app::TutoringSession* session, const QString& title, const QString& meta);
  // Stops following the session: nothing more of it is drawn (the student
  // opened another problem while it was writing).
  void stop();
  // Draws a stored solution.
  void show(const app::Solution& solution, const QString& title, const QString& meta);

  // Tokens of the solution as the view got them (tests compare against the trace).
  const QList<SolutionToken>& tokens() const { return tokens_; }

 private:
  void onToken(int index, const app::GeneratedToken& token);
  void redrawSteps();
  // `text`, then the reason the reply runs on the CPU when a chosen GPU is not used.
  QString withDeviceNote(const QString& text) const;
  void drawTail();
  QList<SolutionToken> slice(int first, int end) const;

  SolutionView* view_;
  QPointer<app::TutoringSession> session_;
  QTimer tick_;
  QList<SolutionToken> tokens_;      // every token, thinking included
  QList<bool> answerToken_;          // [tokens] true for tokens of the answer part
  QList<app::SolutionStep> steps_;   // completed steps
  QString thinking_;
  bool thinkingDirty_ = false;
  bool tailDirty_ = false;
};

}  // namespace zaya::ui
