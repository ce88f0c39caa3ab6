// The settings screen's "Backups of your progress": the rolling daily backups
// (and the files kept when one was restored), newest first, and a restore
// that keeps what it replaces as a backup too.
#pragma once

#include <QGroupBox>

class QComboBox;
class QLabel;
class QPushButton;

namespace zaya::ui {

class AppContext;

class BackupBox : public QGroupBox {
  Q_OBJECT
 public:
  explicit BackupBox(AppContext* context, QWidget* parent = nullptr);

  void refresh();
  QComboBox* list() const { return list_; }
  QPushButton* restoreButton() const { return restore_; }
  QLabel* resultLabel() const { return result_; }

 private:
  void restoreChosen();

  AppContext* ctx_;
  QLabel* where_;
  QComboBox* list_;
  QPushButton* restore_;
  QLabel* result_;
};

}  // namespace zaya::ui
