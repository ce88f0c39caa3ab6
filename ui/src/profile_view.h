// "Who is working?": the students who practise on this computer. Create,
// rename, switch to and delete profiles (deleting asks first and offers a
// backup of that profile); the screen says plainly that profiles on one
// computer are not private from each other. The window opens on it at start
// when more than one student practises here.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace zaya::ui {

class AppContext;

class ProfileView : public QWidget {
  Q_OBJECT
 public:
  explicit ProfileView(AppContext* context, QWidget* parent = nullptr);

  void refresh();
  // The steps behind the buttons (the buttons ask with dialogs first).
  // Each returns false and sets message() on error.
  bool createProfile(const QString& name);
  bool renameProfile(qint64 profileId, const QString& name);
  bool switchTo(qint64 profileId);
  // Deletes after the confirmation; backupFile, when given, first receives a
  // backup of the profile (Database::backupProfile).
  bool deleteProfile(qint64 profileId, const QString& backupFile = {});
  QString message() const;
  QListWidget* profileList() const { return list_; }
  QLabel* privacyNote() const { return privacy_; }

 signals:
  void rendered();
  // A student was chosen: the window goes on to practice.
  void chosen();

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  qint64 selectedId() const;
  void setMessage(const QString& text, bool error);
  void confirmDelete();

  AppContext* ctx_;
  QListWidget* list_;
  QLineEdit* newName_;
  QLabel* message_;
  QLabel* privacy_;
};

}  // namespace zaya::ui
