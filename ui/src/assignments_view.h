// The student's assignments: each assigned set with its title, due date,
// "n of m solved" and overdue marked; opening one walks its problems in
// order on the practice screen; results export for any set. The student's
// class-file actions live here too: join a class ("Which student are you?"
// when the class file names a roster student), import a set (Replace / Keep
// both when a set of the same id changed), export results. The selected set
// prints as a worksheet; its answer key only once the set's due date has
// passed and only when its rules allow reference solutions, so that printing
// never hands a student the key of an open assignment.
#pragma once

#include <QWidget>

#include <functional>
#include <optional>

#include "print_request.h"
#include "records.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace zaya::ui {

class AppContext;

class AssignmentsView : public QWidget {
  Q_OBJECT
 public:
  explicit AssignmentsView(AppContext* context, QWidget* parent = nullptr);

  void refresh();
  QTableWidget* table() const { return table_; }
  QLabel* message() const { return message_; }
  qint64 selectedSetId() const;
  bool select(qint64 setId);

  // What the buttons and the File menu do, after their file dialogs; false
  // with the reason on message().
  bool joinClassFile(const QString& file);
  bool importSetFile(const QString& file);
  bool exportResultsTo(qint64 setId, const QString& file);
  // Opens the selected set on the practice screen (openRequested).
  bool openSelected();
  // Prints the selected set to `pdfPath` (printFinished follows); false, with
  // the reason on message(), when it cannot start, e.g. an answer key
  // answerKeyRefusal() refuses.
  bool printSelected(PrintRequest::Kind kind, const QString& pdfPath);
  // Why the student may not print the answer key of `set` at `nowMs`; empty when they may.
  static QString answerKeyRefusal(const app::ProblemSet& set, qint64 nowMs);
  QPushButton* printWorksheetButton() const { return printWorksheet_; }
  QPushButton* printKeyButton() const { return printKey_; }

  // With a file dialog each (the File menu's actions).
  void joinClass();
  void importSet();
  void exportResults();  // the selected set, else the only or newest one
  void printWithDialog(PrintRequest::Kind kind);  // the selected set

  // The questions these ask; a test answers them itself. Defaults: dialogs.
  // whichStudent: the roster name in the class file and the local student
  // profiles offered (the same name first); returns a profile id, 0 for a
  // new profile with that name, nullopt to cancel.
  std::function<std::optional<qint64>(const QString& rosterName, const QList<app::Profile>& offered)> whichStudent;
  // A set of the same id changed: true = replace, false = keep both, nullopt = cancel.
  std::function<std::optional<bool>(const app::ProblemSet& stored)> replaceChangedSet;

 signals:
  void openRequested(qint64 setId, const QString& title, const QStringList& problemIds);
  void assignmentsChanged();
  void rendered();
  // A print of printSelected() or the print buttons has finished (the message line says how).
  void printFinished(bool ok);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void say(const QString& text);
  void updateButtons();
  std::optional<app::ProblemSet> selectedSet() const;
  std::optional<PrintRequest> requestFor(PrintRequest::Kind kind);

  AppContext* ctx_;
  QTableWidget* table_;
  QPushButton* open_;
  QPushButton* export_;
  QPushButton* printWorksheet_;
  QPushButton* printKey_;
  QPushButton* join_;
  QPushButton* import_;
  QLabel* empty_;
  QLabel* message_;
  QList<app::ProblemSet> sets_;  // as listed by the last refresh()
};

}  // namespace zaya::ui
