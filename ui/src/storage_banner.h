// The banner across the top of the main window while the student's data is
// not safe: the database is read-only, full, damaged or missing, or something
// was not saved. It stays until the cause is gone (a restored backup), since a
// status-bar message that fades would let an answer be lost unseen. When a
// backup is offered it carries the button that restores it.
#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace zaya::ui {

class AppContext;

class StorageBanner : public QFrame {
  Q_OBJECT
 public:
  explicit StorageBanner(AppContext* context, QWidget* parent = nullptr);

  QString text() const;
  QPushButton* restoreButton() const { return restore_; }

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void update();
  // The main window's layout ignores height-for-width: grow to the wrapped text's height.
  void fitText();
  void restoreOffered();

  AppContext* context_;
  QLabel* text_;
  QPushButton* restore_;
};

}  // namespace zaya::ui
