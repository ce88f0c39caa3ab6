#include "settings_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "app_context.h"
#include "pack_presets.h"
#include "backup_box.h"
#include "screen_page.h"
#include "app_error.h"
#include "device_status.h"
#include "remote_backend.h"

namespace zaya::ui {

namespace {

QLabel* hint(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setWordWrap(true);
  l->setForegroundRole(QPalette::PlaceholderText);
  return l;
}

// A connection test waits at most this long for the server's first token.
constexpr int kTestTimeoutMs = 10000;

}  // namespace

SettingsView::SettingsView(AppContext* context, QWidget* parent) : QWidget(parent), ctx_(context) {
  auto* layout = addScrollingPage(this, 12);
  QWidget* page = layout->parentWidget();
  layout->addWidget(screenHeading(tr("Settings"), page));
  saveError_ = new QLabel(page);
  saveError_->setAccessibleName(tr("Why settings cannot be saved"));
  saveError_->setWordWrap(true);
  saveError_->hide();
  layout->addWidget(saveError_);

  // Two columns of groups: the model on the left, the look and the server on the right.
  auto* columns = new QHBoxLayout;
  columns->setSpacing(16);
  auto* left = new QVBoxLayout;
  auto* right = new QVBoxLayout;
  columns->addLayout(left, 1);
  columns->addLayout(right, 1);
  layout->addLayout(columns);

  auto* modelBox = new QGroupBox(tr("Model"), page);
  auto* modelForm = new QFormLayout(modelBox);
  device_ = new QComboBox(modelBox);
  device_->setAccessibleName(tr("Device"));
  const app::UsableGpu gpu = app::usableGpu();
  const bool hasGpu = gpu.available;
  device_->addItem(tr("Automatic"), QStringLiteral("auto"));
  device_->addItem(hasGpu ? tr("GPU: %1").arg(gpu.name) : tr("GPU: none found"),
                   QStringLiteral("gpu"));
  device_->addItem(tr("CPU (%1 threads)").arg(QThread::idealThreadCount()), QStringLiteral("cpu"));
  if (!hasGpu) {
    if (auto* m = qobject_cast<QStandardItemModel*>(device_->model())) m->item(1)->setEnabled(false);
    device_->setItemData(1, gpu.whyNot, Qt::ToolTipRole);
  }
  device_->setToolTip(tr("Automatic uses the GPU when the model fits in its memory, else the CPU"));
  modelForm->addRow(tr("Device:"), device_);
  quantization_ = new QComboBox(modelBox);
  quantization_->setAccessibleName(tr("Quantization"));
  for (const app::PresetChoice& p : app::presetChoices())
    quantization_->addItem(QStringLiteral("%1 — %2").arg(p.name, p.description), p.name);
  modelForm->addRow(tr("Quantization:"), quantization_);
  modelForm->addRow(hint(tr("The format the model manager converts a downloaded checkpoint to."), modelBox));
  left->addWidget(modelBox);

  auto* genBox = new QGroupBox(tr("Hints and solutions"), page);
  auto* genForm = new QFormLayout(genBox);
  modelSampling_ = new QCheckBox(tr("Use the model's recommended sampling"), genBox);
  modelSampling_->setAccessibleName(tr("Use the model's recommended sampling"));
  modelSampling_->setToolTip(tr("The temperature, top-p and top-k the model's makers give in its generation_config.json; "
                                "the values below are then used only for a model that gives none"));
  genForm->addRow(modelSampling_);
  temperature_ = new QDoubleSpinBox(genBox);
  temperature_->setAccessibleName(tr("Temperature"));
  temperature_->setRange(0.0, 2.0);
  temperature_->setSingleStep(0.05);
  temperature_->setDecimals(2);
  temperature_->setToolTip(tr("0 always picks the likeliest word; higher values vary the wording more"));
  genForm->addRow(tr("Temperature:"), temperature_);
  topP_ = new QDoubleSpinBox(genBox);
  topP_->setAccessibleName(tr("Top-p"));
  topP_->setRange(0.05, 1.0);
  topP_->setSingleStep(0.05);
  topP_->setDecimals(2);
  topP_->setToolTip(tr("Only the likeliest words that together make up this share are considered"));
  genForm->addRow(tr("Top-p:"), topP_);
  maxTokens_ = new QSpinBox(genBox);
  maxTokens_->setAccessibleName(tr("Maximum tokens"));
  maxTokens_->setRange(64, 32768);
  maxTokens_->setSingleStep(256);
  maxTokens_->setSuffix(tr(" tokens"));
  maxTokens_->setToolTip(tr("The longest answer the model may write"));
  genForm->addRow(tr("Max tokens:"), maxTokens_);
  thinking_ = new QSpinBox(genBox);
  thinking_->setAccessibleName(tr("Thinking budget"));
  thinking_->setRange(-1, 32768);
  thinking_->setSingleStep(256);
  thinking_->setSuffix(tr(" tokens"));
  thinking_->setSpecialValueText(tr("No limit"));
  thinking_->setToolTip(tr("How long the model may think before it must write the solution; 0 turns thinking off"));
  genForm->addRow(tr("Thinking budget:"), thinking_);
  left->addWidget(genBox);
  left->addStretch(1);

  auto* lookBox = new QGroupBox(tr("Appearance"), page);
  auto* lookForm = new QFormLayout(lookBox);
  fontSize_ = new QSpinBox(lookBox);
  fontSize_->setAccessibleName(tr("Font size"));
  // One below the smallest size stands for "the system's size" (stored as 0).
  fontSize_->setRange(app::TutorSettings::kMinFontSize - 1, app::TutorSettings::kMaxFontSize);
  fontSize_->setSuffix(tr(" pt"));
  fontSize_->setSpecialValueText(tr("System default"));
  lookForm->addRow(tr("Font size:"), fontSize_);
  theme_ = new QComboBox(lookBox);
  theme_->setAccessibleName(tr("Theme"));
  theme_->addItem(tr("Light"), QStringLiteral("light"));
  theme_->addItem(tr("Dark"), QStringLiteral("dark"));
  lookForm->addRow(tr("Theme:"), theme_);
  right->addWidget(lookBox);

  backups_ = new BackupBox(ctx_, page);
  right->addWidget(backups_);

  auto* remoteBox = new QGroupBox(tr("Remote server (classrooms)"), page);
  auto* remoteForm = new QFormLayout(remoteBox);
  remote_ = new QCheckBox(tr("Use an OpenAI-compatible server instead of this computer"), remoteBox);
  remote_->setAccessibleName(tr("Use a remote server"));
  remoteForm->addRow(remote_);
  url_ = new QLineEdit(remoteBox);
  url_->setAccessibleName(tr("Server address"));
  url_->setPlaceholderText(QStringLiteral("http://classroom-server:8000"));
  remoteForm->addRow(tr("Address:"), url_);
  model_ = new QLineEdit(remoteBox);
  model_->setAccessibleName(tr("Model name on the server"));
  remoteForm->addRow(tr("Model:"), model_);
  key_ = new QLineEdit(remoteBox);
  key_->setAccessibleName(tr("API key"));
  key_->setEchoMode(QLineEdit::Password);
  key_->setPlaceholderText(tr("only if the server asks for one"));
  key_->setToolTip(tr("Kept in a file only you can read, never in the database"));
  remoteForm->addRow(tr("API key:"), key_);
  auto* testRow = new QHBoxLayout;
  test_ = new QPushButton(tr("Test connection"), remoteBox);
  test_->setAccessibleName(tr("Test connection"));
  testResult_ = new QLabel(remoteBox);
  testResult_->setAccessibleName(tr("Connection test result"));
  testResult_->setWordWrap(true);
  testRow->addWidget(test_);
  testRow->addWidget(testResult_, 1);
  remoteForm->addRow(testRow);
  remoteNote_ = new QLabel(tr("In remote mode the expert views are unavailable: the server does not report which "
                              "experts wrote each step."),
                           remoteBox);
  remoteNote_->setAccessibleName(tr("Remote mode note"));
  remoteNote_->setWordWrap(true);
  remoteForm->addRow(remoteNote_);
  right->addWidget(remoteBox);
  right->addStretch(1);
  layout->addStretch(1);

  for (QComboBox* c : {device_, quantization_, theme_}) connect(c, &QComboBox::activated, this, &SettingsView::commit);
  // Typed numbers count once complete (Return or leaving the field), not per keystroke.
  for (QDoubleSpinBox* s : {temperature_, topP_}) {
    s->setKeyboardTracking(false);
    connect(s, &QDoubleSpinBox::valueChanged, this, &SettingsView::commit);
  }
  for (QSpinBox* s : {maxTokens_, thinking_, fontSize_}) {
    s->setKeyboardTracking(false);
    connect(s, &QSpinBox::valueChanged, this, &SettingsView::commit);
  }
  connect(remote_, &QCheckBox::toggled, this, &SettingsView::commit);
  connect(modelSampling_, &QCheckBox::toggled, this, &SettingsView::commit);
  for (QLineEdit* e : {url_, model_}) connect(e, &QLineEdit::editingFinished, this, &SettingsView::commit);
  connect(key_, &QLineEdit::editingFinished, this, [this] {
    if (!key_->isModified()) return;
    key_->setModified(false);
    try {
      const QString file = app::TutorSettings::apiKeyFile();
      QDir().mkpath(QFileInfo(file).absolutePath());  // the data folder may not exist yet on a first start
      app::api_key::save(file, key_->text());
      saveError_->hide();
      emit apiKeyChanged();
    } catch (const app::AppError& e) {
      saveError_->setText(e.message());
      saveError_->show();
    }
  });
  connect(test_, &QPushButton::clicked, this, &SettingsView::testConnection);
  connect(url_, &QLineEdit::textChanged, this, [this] { test_->setEnabled(!url_->text().trimmed().isEmpty()); });
  refresh();
}

void SettingsView::refresh() {
  backups_->refresh();
  filling_ = true;
  if (ctx_ && ctx_->ok()) settings_ = app::TutorSettings::load(ctx_->database());
  device_->setCurrentIndex(std::max(0, device_->findData(settings_.device)));
  quantization_->setCurrentIndex(std::max(0, quantization_->findData(settings_.quantization)));
  modelSampling_->setChecked(settings_.modelSampling);
  temperature_->setValue(settings_.temperature);
  topP_->setValue(settings_.topP);
  maxTokens_->setValue(settings_.maxTokens);
  thinking_->setValue(settings_.thinkingBudget);
  fontSize_->setValue(settings_.fontSize > 0 ? settings_.fontSize : fontSize_->minimum());
  theme_->setCurrentIndex(std::max(0, theme_->findData(settings_.theme)));
  remote_->setChecked(settings_.remote);
  url_->setText(settings_.remoteUrl);
  model_->setText(settings_.remoteModel);
  try {
    key_->setText(app::api_key::load(app::TutorSettings::apiKeyFile()));
  } catch (const app::AppError& e) {
    key_->clear();
    key_->setPlaceholderText(e.message());
  }
  key_->setModified(false);
  filling_ = false;
  updateRemoteControls();
}

void SettingsView::showTheme(const QString& theme) {
  filling_ = true;
  theme_->setCurrentIndex(std::max(0, theme_->findData(theme)));
  filling_ = false;
}

void SettingsView::commit() {
  if (filling_) return;
  const app::TutorSettings before = settings_;
  settings_.device = device_->currentData().toString();
  settings_.quantization = quantization_->currentData().toString();
  settings_.modelSampling = modelSampling_->isChecked();
  settings_.temperature = temperature_->value();
  settings_.topP = topP_->value();
  settings_.maxTokens = maxTokens_->value();
  settings_.thinkingBudget = thinking_->value();
  settings_.fontSize = fontSize_->value() == fontSize_->minimum() ? 0 : fontSize_->value();
  settings_.theme = theme_->currentData().toString();
  settings_.remote = remote_->isChecked();
  settings_.remoteUrl = url_->text().trimmed();
  settings_.remoteModel = model_->text().trimmed();
  updateRemoteControls();
  if (settings_ == before) return;
  if (ctx_ && ctx_->ok()) {
    try {
      settings_.save(ctx_->database());
      saveError_->hide();
    } catch (const std::exception& e) {
      saveError_->setText(tr("Settings cannot be saved: %1").arg(QString::fromUtf8(e.what())));
      saveError_->show();
    }
  }
  emit settingsChanged(settings_, before);
}

void SettingsView::updateRemoteControls() {
  const bool on = remote_->isChecked();
  for (QWidget* w : std::initializer_list<QWidget*>{url_, model_, key_}) w->setEnabled(on);
  // The test also helps before switching over, so it only needs an address.
  test_->setEnabled(!url_->text().trimmed().isEmpty());
  QFont f = remoteNote_->font();
  f.setBold(on);
  remoteNote_->setFont(f);
  device_->setEnabled(!on);
  quantization_->setEnabled(!on);
}

void SettingsView::testConnection() {
  const QUrl url = QUrl::fromUserInput(url_->text().trimmed());
  if (url_->text().trimmed().isEmpty() || !url.isValid() || url.host().isEmpty()) {
    testResult_->setText(tr("Type the server's address first, e.g. http://classroom-server:8000."));
    emit connectionTested(false, testResult_->text());
    return;
  }
  const QString model = model_->text().trimmed(), key = key_->text().trimmed();
  const int generation = ++testGeneration_;
  test_->setEnabled(false);
  testResult_->setText(tr("Connecting to %1…").arg(url.toString()));
  using Result = std::pair<bool, QString>;
  auto* watcher = new QFutureWatcher<Result>(this);
  connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher, generation, url] {
    const auto [ok, message] = watcher->result();
    watcher->deleteLater();
    if (generation != testGeneration_) return;
    updateRemoteControls();
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const char* good = dark ? "#5fd38a" : "#1b7f3b";
    const char* bad = dark ? "#ff7b7b" : "#c62828";
    testResult_->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(QLatin1String(ok ? good : bad)));
    testResult_->setText(ok ? tr("Connected: %1 answered.").arg(url.toString()) : tr("No connection: %1").arg(message));
    emit connectionTested(ok, testResult_->text());
  });
  // One token of a short reply proves the address, the model name and the key.
  watcher->setFuture(QtConcurrent::run([url, model, key]() -> Result {
    try {
      app::RemoteBackend backend(url, model, key, kTestTimeoutMs);
      app::GenerationRequest r;
      r.userPrompt = QStringLiteral("Reply with OK.");
      r.enableThinking = false;
      r.maxTokens = 1;
      bool answered = false;
      backend.generate(r, [&answered](const app::GeneratedToken&) {
        answered = true;
        return false;
      });
      return {answered, answered ? QString() : QObject::tr("the server sent no tokens")};
    } catch (const app::AppError& e) {
      return {false, e.message()};
    } catch (const std::exception& e) {
      return {false, QString::fromUtf8(e.what())};
    }
  }));
}

void SettingsView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  QTimer::singleShot(0, this, &SettingsView::rendered);
}

}  // namespace zaya::ui
