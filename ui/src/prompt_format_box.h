// The model manager's "Prompt format" box: for the selected model, whether
// the tutor prompts it with the model's own chat template or the built-in
// format (and why), the template itself and a real tutoring request as the
// model receives it — both read-only and copyable, the way a user checks
// what the model is actually sent.
#pragma once

#include <QGroupBox>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace zaya::ui {

class PromptFormatBox : public QGroupBox {
  Q_OBJECT
 public:
  explicit PromptFormatBox(QWidget* parent = nullptr);

  // Describes the model at `path` (a folder or pack), off the GUI thread; ""
  // clears the box.
  void showFor(const QString& path);
  QString shownPath() const { return path_; }

  // For tests.
  QLabel* descriptionLabel() const { return description_; }
  QPlainTextEdit* templateView() const { return template_; }
  QPlainTextEdit* exampleView() const { return example_; }
  QPushButton* copyTemplateButton() const { return copyTemplate_; }
  QPushButton* copyExampleButton() const { return copyExample_; }

 signals:
  void described(const QString& path);

 private:
  QString path_;
  int generation_ = 0;
  QLabel* description_;
  QLabel* templateLabel_;
  QPlainTextEdit* template_;
  QPlainTextEdit* example_;
  QPushButton* copyTemplate_;
  QPushButton* copyExample_;
};

}  // namespace zaya::ui
