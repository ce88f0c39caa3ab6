#include "backup_box.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

#include "app_context.h"

namespace zaya::ui {

BackupBox::BackupBox(AppContext* context, QWidget* parent)
    : QGroupBox(tr("Backups of your progress"), parent),
      ctx_(context),
      where_(new QLabel(this)),
      list_(new QComboBox(this)),
      restore_(new QPushButton(tr("Restore"), this)),
      result_(new QLabel(this)) {
  auto* column = new QVBoxLayout(this);
  where_->setWordWrap(true);
  where_->setTextFormat(Qt::PlainText);
  where_->setForegroundRole(QPalette::PlaceholderText);
  column->addWidget(where_);
  auto* row = new QHBoxLayout;
  list_->setAccessibleName(tr("Backups"));
  restore_->setAccessibleName(tr("Restore the chosen backup"));
  row->addWidget(list_, 1);
  row->addWidget(restore_);
  column->addLayout(row);
  result_->setWordWrap(true);
  result_->setTextFormat(Qt::PlainText);
  result_->setAccessibleName(tr("Restore result"));
  column->addWidget(result_);
  connect(restore_, &QPushButton::clicked, this, &BackupBox::restoreChosen);
  if (ctx_) {
    connect(&ctx_->storage(), &app::StorageGuard::changed, this, &BackupBox::refresh);
    connect(ctx_, &AppContext::dataReplaced, this, &BackupBox::refresh);
  }
  refresh();
}

void BackupBox::refresh() {
  list_->clear();
  if (!ctx_ || !ctx_->ok()) {
    where_->setText(tr("There is no open progress file, so there is nothing to back up or restore."));
    restore_->setEnabled(false);
    return;
  }
  const QString path = ctx_->database().path();
  where_->setText(tr("A copy of your progress is made on the first start of each day; the newest %1 are kept in %2. "
                     "Restoring one keeps what it replaces as a backup too.")
                      .arg(app::StorageGuard::kKeptDailyBackups)
                      .arg(QDir::toNativeSeparators(app::StorageGuard::backupFolder(path))));
  for (const QString& file : app::StorageGuard::backups(path)) {
    const QFileInfo info(file);
    const QString when = QLocale().toString(info.lastModified(), QLocale::ShortFormat);
    const QString kind = info.fileName().startsWith(QLatin1String("replaced-")) ? tr("kept when a backup was restored")
                                                                                : tr("daily backup");
    list_->addItem(tr("%1 — %2 (%3 KB)").arg(when, kind).arg((info.size() + 1023) / 1024), file);
  }
  restore_->setEnabled(list_->count() > 0);
  if (list_->count() == 0) list_->addItem(tr("No backup yet"));
}

void BackupBox::restoreChosen() {
  const QString file = list_->currentData().toString();
  if (file.isEmpty() || !ctx_) return;
  try {
    ctx_->restoreBackup(file);
    // The banner above says the whole of it; the data replaced is now first in the list.
    result_->setText(tr("Restored; what it replaced is kept as the newest entry."));
  } catch (const app::AppError& e) {
    result_->setText(tr("Nothing was restored: %1").arg(e.message()));
  }
}

}  // namespace zaya::ui
