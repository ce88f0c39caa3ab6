// The student's assignments: each assigned set with its title, due date,
// "n of m solved" and overdue marked; opening one walks its problems in
// order on the practice screen; results export for any set. The student's
// class-file actions live here too: join a class ("Which student are you?"
// when the class file names a roster student), import a set (Replace / Keep
// both when a set of the same id changed), export results.
#pragma once

#include <QWidget>

#include <functional>
#include <optional>

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

  // With a file dialog each (the File menu's actions).
  void joinClass();
  void importSet();
  void exportResults();  // the selected set, else the only or newest one

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

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void say(const QString& text);
  void updateButtons();

  AppContext* ctx_;
  QTableWidget* table_;
  QPushButton* open_;
  QPushButton* export_;
  QPushButton* join_;
  QPushButton* import_;
  QLabel* empty_;
  QLabel* message_;
};

}  // namespace zaya::ui
