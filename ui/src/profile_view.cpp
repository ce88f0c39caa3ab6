#include "profile_view.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QTimer>
#include <QVBoxLayout>

#include "app_context.h"
#include "screen_page.h"

namespace zaya::ui {

ProfileView::ProfileView(AppContext* context, QWidget* parent) : QWidget(parent), ctx_(context) {
  QVBoxLayout* page = addScrollingPage(this, 10);
  QWidget* host = page->parentWidget();
  page->addWidget(screenHeading(tr("Who is working?"), host));
  privacy_ = new QLabel(tr("Each student keeps their own marks, streak, review queue, conversations and "
                           "assignments. Profiles on this computer are not private from each other: anyone using this "
                           "computer account can open any of them."),
                        host);
  privacy_->setWordWrap(true);
  privacy_->setTextFormat(Qt::PlainText);
  page->addWidget(privacy_);
  list_ = new QListWidget(host);
  list_->setAccessibleName(tr("Student profiles"));
  list_->setMinimumHeight(120);
  list_->setMaximumHeight(280);
  page->addWidget(list_);
  auto* buttons = new QHBoxLayout;
  auto* useButton = new QPushButton(tr("Work as this student"), host);
  useButton->setDefault(true);
  auto* renameButton = new QPushButton(tr("Rename…"), host);
  auto* deleteButton = new QPushButton(tr("Delete…"), host);
  buttons->addWidget(useButton);
  buttons->addWidget(renameButton);
  buttons->addWidget(deleteButton);
  buttons->addStretch();
  page->addLayout(buttons);
  auto* addRow = new QHBoxLayout;
  newName_ = new QLineEdit(host);
  newName_->setPlaceholderText(tr("Name of a new student"));
  newName_->setAccessibleName(tr("Name of a new student"));
  auto* addButton = new QPushButton(tr("Add student"), host);
  addRow->addWidget(newName_, 1);
  addRow->addWidget(addButton);
  page->addLayout(addRow);
  message_ = new QLabel(host);
  message_->setWordWrap(true);
  message_->setTextFormat(Qt::PlainText);  // it names students as they were typed
  page->addWidget(message_);
  page->addStretch();

  connect(useButton, &QPushButton::clicked, this, [this] {
    if (selectedId() && switchTo(selectedId())) emit chosen();
  });
  connect(list_, &QListWidget::itemActivated, useButton, &QPushButton::click);
  connect(addButton, &QPushButton::clicked, this, [this] {
    if (createProfile(newName_->text())) newName_->clear();
  });
  connect(newName_, &QLineEdit::returnPressed, addButton, &QPushButton::click);
  connect(renameButton, &QPushButton::clicked, this, [this] {
    const auto* item = list_->currentItem();
    if (!item) return setMessage(tr("Choose a profile first."), true);
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename profile"), tr("New name:"), QLineEdit::Normal,
                                               item->data(Qt::UserRole + 1).toString(), &ok);
    if (ok) renameProfile(selectedId(), name);
  });
  connect(deleteButton, &QPushButton::clicked, this, &ProfileView::confirmDelete);
  if (ctx_) connect(ctx_, &AppContext::dataReplaced, this, &ProfileView::refresh);
  refresh();
}

void ProfileView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  refresh();
  QTimer::singleShot(0, this, &ProfileView::rendered);
}

qint64 ProfileView::selectedId() const {
  const auto* item = list_->currentItem();
  return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

QString ProfileView::message() const { return message_->text(); }

void ProfileView::setMessage(const QString& text, bool error) {
  message_->setText(text);
  message_->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

void ProfileView::refresh() {
  list_->clear();
  if (!ctx_ || !ctx_->ok()) return;
  try {
    for (const auto& p : ctx_->profiles().students()) {
      const bool current = p.id == ctx_->studentId();
      auto* item = new QListWidgetItem(current ? tr("%1 (working now)").arg(p.name) : p.name, list_);
      item->setData(Qt::UserRole, p.id);
      item->setData(Qt::UserRole + 1, p.name);
      if (current) list_->setCurrentItem(item);
    }
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
  }
}

bool ProfileView::createProfile(const QString& name) {
  try {
    const app::Profile p = ctx_->profiles().create(name);
    refresh();
    setMessage(tr("%1 was added. Choose “Work as this student” to practise as %1.").arg(p.name), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool ProfileView::renameProfile(qint64 profileId, const QString& name) {
  try {
    ctx_->profiles().rename(profileId, name);
    refresh();
    setMessage(tr("Renamed to %1.").arg(name.trimmed()), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool ProfileView::switchTo(qint64 profileId) {
  try {
    ctx_->switchStudent(profileId);
    refresh();
    setMessage(tr("%1 is working now.").arg(ctx_->database().profile(profileId)->name), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool ProfileView::deleteProfile(qint64 profileId, const QString& backupFile) {
  try {
    if (!backupFile.isEmpty()) ctx_->database().backupProfile(profileId, backupFile);
    ctx_->profiles().remove(profileId);
    refresh();
    setMessage(backupFile.isEmpty() ? tr("The profile was deleted.")
                                    : tr("The profile was deleted; its backup is %1.").arg(QDir::toNativeSeparators(backupFile)),
               false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

void ProfileView::confirmDelete() {
  const auto* item = list_->currentItem();
  if (!item) return setMessage(tr("Choose a profile first."), true);
  const QString name = item->data(Qt::UserRole + 1).toString();
  QMessageBox box(QMessageBox::Warning, tr("Delete profile"),
                  tr("Delete %1 and all of their work on this computer (answers, conversations, assignments)? This "
                     "cannot be undone. Export a backup first to keep it.")
                      .arg(name),
                  QMessageBox::NoButton, this);
  box.setTextFormat(Qt::PlainText);
  QPushButton* exportFirst = box.addButton(tr("Export a backup, then delete"), QMessageBox::AcceptRole);
  QPushButton* deleteOnly = box.addButton(tr("Delete without a backup"), QMessageBox::DestructiveRole);
  box.addButton(QMessageBox::Cancel);
  box.setObjectName(QStringLiteral("confirmDeleteProfile"));
  box.exec();
  const qint64 id = item->data(Qt::UserRole).toLongLong();
  if (box.clickedButton() == exportFirst) {
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Back up %1").arg(name),
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).filePath(name + QStringLiteral(".zaya-profile")),
        tr("Profile backups (*.zaya-profile)"));
    if (!file.isEmpty()) deleteProfile(id, file);
  } else if (box.clickedButton() == deleteOnly) {
    deleteProfile(id);
  }
}

}  // namespace zaya::ui
