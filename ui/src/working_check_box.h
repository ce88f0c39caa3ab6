// "Check my working": the student types their working, one step per line,
// and sees it typeset line by line as they type (the same preview box as the
// answer field's). The tutor's verdict marks the first wrong line on that
// preview with the tutor's quote and reason under it; a verdict that did not
// follow the expected format is shown as plain text and marks nothing.
#pragma once

#include <QStringList>
#include <QWidget>

#include "tutor.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace zaya::ui {

class DocumentView;

// The working's steps: its non-blank lines, trimmed, in order (step N is
// element N - 1), as the tutor numbers them.
QStringList workingSteps(const QString& working);
// The working as preview HTML: one numbered line per step, step `markedStep`
// (0: none) marked and followed by `note`. All text is escaped; only the
// steps themselves go through the math renderer.
QString workingPreviewHtml(const QString& working, int markedStep = 0, const QString& note = {},
                           bool noteIsConfirmation = false);

class WorkingCheckBox : public QWidget {
  Q_OBJECT
 public:
  explicit WorkingCheckBox(QWidget* parent = nullptr);

  QPlainTextEdit* editor() const { return editor_; }
  QPushButton* checkButton() const { return check_; }
  DocumentView* preview() const { return preview_; }
  // The line under the button: the verdict, or why nothing is marked.
  QLabel* result() const { return result_; }
  // The step marked wrong on the preview (0: none).
  int markedStep() const { return markedStep_; }

  void setTheme(const QString& theme);
  // Whether a check can start now; `why` says what is missing when not.
  void setCheckAvailable(bool available, const QString& why = {});
  // A new problem: the box is emptied and nothing is marked.
  void clear();
  void showChecking();
  void showReview(const app::WorkingReview& review);
  // The tutor could not start or finish the check.
  void showProblem(const QString& message);

 signals:
  void checkRequested(const QString& working);

 private:
  void redraw();

  QPlainTextEdit* editor_;
  DocumentView* preview_;
  QPushButton* check_;
  QLabel* result_;
  int markedStep_ = 0;
  QString note_;
  bool confirmed_ = false;
};

}  // namespace zaya::ui
