#include "prompt_format_box.h"

#include <QClipboard>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "prompt_format.h"

namespace zaya::ui {

namespace {

QPlainTextEdit* readOnlyText(const QString& name, QWidget* parent) {
  auto* view = new QPlainTextEdit(parent);
  view->setReadOnly(true);
  view->setAccessibleName(name);
  view->setLineWrapMode(QPlainTextEdit::NoWrap);
  view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  view->setMaximumHeight(160);
  view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  return view;
}

// A label, then the text, with its Copy button on the label's row.
QPushButton* addCopyable(QVBoxLayout* layout, QLabel* label, QPlainTextEdit* text, QWidget* parent) {
  auto* row = new QHBoxLayout;
  row->addWidget(label, 1);
  auto* copy = new QPushButton(QObject::tr("Copy"), parent);
  copy->setAccessibleName(QObject::tr("Copy %1").arg(text->accessibleName().toLower()));
  row->addWidget(copy);
  layout->addLayout(row);
  layout->addWidget(text);
  QObject::connect(copy, &QPushButton::clicked, text, [text] { QGuiApplication::clipboard()->setText(text->toPlainText()); });
  return copy;
}

}  // namespace

PromptFormatBox::PromptFormatBox(QWidget* parent) : QGroupBox(tr("Prompt format"), parent) {
  auto* layout = new QVBoxLayout(this);
  description_ = new QLabel(this);
  description_->setWordWrap(true);
  description_->setTextFormat(Qt::PlainText);
  description_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(description_);
  templateLabel_ = new QLabel(tr("The model's chat template:"), this);
  template_ = readOnlyText(tr("Chat template"), this);
  copyTemplate_ = addCopyable(layout, templateLabel_, template_, this);
  example_ = readOnlyText(tr("Example prompt"), this);
  copyExample_ = addCopyable(layout, new QLabel(tr("A request for a full solution, as the model receives it:"), this), example_, this);
  showFor({});
}

void PromptFormatBox::showFor(const QString& path) {
  path_ = path;
  const int generation = ++generation_;
  template_->clear();
  example_->clear();
  const bool none = path.isEmpty();
  for (QWidget* w : std::initializer_list<QWidget*>{templateLabel_, template_, copyTemplate_}) w->setVisible(false);
  example_->setEnabled(!none);
  copyExample_->setEnabled(false);
  description_->setText(none ? tr("Shown once a model is installed.")
                             : tr("Reading the prompt format of %1…").arg(QFileInfo(path).fileName()));
  if (none) return;
  auto* watcher = new QFutureWatcher<app::PromptFormatInfo>(this);
  connect(watcher, &QFutureWatcher<app::PromptFormatInfo>::finished, this, [this, watcher, generation, path] {
    const app::PromptFormatInfo info = watcher->result();
    watcher->deleteLater();
    if (generation != generation_) return;  // another model was selected meanwhile
    QString text = info.checkpointTemplate
                       ? tr("Prompts use %1, as the model was trained.").arg(info.description)
                       : tr("Prompts use %1.").arg(info.description);
    if (!info.stopTokens.isEmpty()) text += tr(" Replies also stop at token ids %1 (generation_config.json).").arg(info.stopTokens);
    if (!info.sampling.isEmpty())
      text += tr(" Recommended sampling: %1 (generation_config.json; Settings → \"Use the model's recommended sampling\").")
                  .arg(info.sampling);
    description_->setText(text);
    const bool hasTemplate = !info.templateSource.isEmpty();
    for (QWidget* w : std::initializer_list<QWidget*>{templateLabel_, template_, copyTemplate_}) w->setVisible(hasTemplate);
    templateLabel_->setText(info.checkpointTemplate ? tr("The model's chat template:")
                                                    : tr("The model's chat template (not used, see above):"));
    template_->setPlainText(info.templateSource);
    example_->setPlainText(info.examplePrompt);
    copyExample_->setEnabled(true);
    emit described(path);
  });
  watcher->setFuture(QtConcurrent::run([path] { return app::describePromptFormat(path); }));
}

}  // namespace zaya::ui
