#include "storage_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "app_context.h"

namespace zaya::ui {

StorageBanner::StorageBanner(AppContext* context, QWidget* parent)
    : QFrame(parent), context_(context), text_(new QLabel(this)), restore_(new QPushButton(this)) {
  setObjectName(QStringLiteral("storageBanner"));
  setAccessibleName(tr("Storage warning"));
  setFrameShape(QFrame::StyledPanel);
  // Fixed warning colours: readable on the light and the dark theme alike.
  setStyleSheet(QStringLiteral("#storageBanner { background: #fff3cd; border: 1px solid #d39e00; }"
                               "#storageBanner QLabel { color: #3d2e00; }"));
  text_->setWordWrap(true);
  text_->setTextFormat(Qt::PlainText);  // file names and driver messages are shown as they are
  text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(12, 8, 12, 8);
  row->addWidget(text_, 1);
  row->addWidget(restore_, 0, Qt::AlignVCenter);
  connect(restore_, &QPushButton::clicked, this, &StorageBanner::restoreOffered);
  connect(&context_->storage(), &app::StorageGuard::changed, this, &StorageBanner::update);
  update();
}

QString StorageBanner::text() const { return isHidden() ? QString() : text_->text(); }

void StorageBanner::update() {
  const auto& storage = context_->storage();
  const QString notice = storage.notice();
  text_->setText(notice);
  restore_->setVisible(context_->ok() && !storage.offeredBackup().isEmpty());
  restore_->setText(tr("Restore the newest backup"));
  setVisible(!notice.isEmpty());
  fitText();
}

void StorageBanner::resizeEvent(QResizeEvent* e) {
  QFrame::resizeEvent(e);
  fitText();
}

void StorageBanner::fitText() {
  const int height = layout()->hasHeightForWidth() ? layout()->heightForWidth(width()) : sizeHint().height();
  if (height > 0 && height != minimumHeight()) setMinimumHeight(height);
}

void StorageBanner::restoreOffered() {
  const QString file = context_->storage().offeredBackup();
  try {
    context_->restoreBackup(file);
  } catch (const app::AppError& e) {
    context_->storage().reportNotSaved(tr("Restoring %1").arg(file), e);
  }
}

}  // namespace zaya::ui
