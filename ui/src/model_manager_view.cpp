#include "model_manager_view.h"

#include "app_error.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStandardItemModel>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <mutex>

#include "app_context.h"
#include "device_status.h"
#include "screen_page.h"
#include "model_store.h"
#include "pack_presets.h"
#include "preset_speed_text.h"
#include "prompt_format_box.h"
#include "tutor_settings.h"

namespace zaya::ui {

namespace {

using State = app::ModelManager::State;
using Stage = app::ModelManager::Stage;

// ZAYA1-8B as published (model card): all parameters, those one token uses,
// and the size of the official bf16 checkpoint on disk.
constexpr double kParameters = 8.4e9;
constexpr double kActiveParameters = 0.76e9;
constexpr double kCheckpointBytes = 17.7e9;
// The engine's pack formats store 32 weights per group with one fp16 scale:
// Q4_G32 16 + 2 bytes, Q8_G32 32 + 2 bytes (inference/src/quant/quant_format.h).
constexpr double kQ4BytesPerWeight = 18.0 / 32.0;
constexpr double kQ8BytesPerWeight = 34.0 / 32.0;

QString gigabytes(double bytes) { return QString::number(bytes / 1e9, 'f', 1); }

QString stageName(Stage s) {
  switch (s) {
    case Stage::Download: return QObject::tr("Downloading");
    case Stage::Import: return QObject::tr("Copying");
    case Stage::Verify: return QObject::tr("Checking");
    case Stage::Convert: return QObject::tr("Converting");
  }
  return {};
}

// This machine's memory bandwidth, measured once per run of the app: the
// probe reads 256 MiB three times, worth doing once, not per estimate.
double cpuBandwidth() {
  static std::once_flag once;
  static double measured = app::ModelManager::kDefaultCpuBandwidth;
  std::call_once(once, [] {
    const double b = app::ModelManager::measureCpuBandwidth();
    if (b > 0) measured = b;
  });
  return measured;
}

}  // namespace

ModelManagerView::ModelManagerView(AppContext* context, const QString& modelsRoot, QWidget* parent)
    : QWidget(parent),
      ctx_(context),
      manager_(std::make_unique<app::ModelManager>(context && context->ok() ? &context->database() : nullptr, modelsRoot)) {
  auto* layout = addScrollingPage(this, 12);
  QWidget* page = layout->parentWidget();

  layout->addWidget(screenHeading(tr("Model manager"), page));
  intro_ = new QLabel(page);
  intro_->setAccessibleName(tr("What the model is and what it needs"));
  intro_->setWordWrap(true);
  intro_->setTextFormat(Qt::RichText);
  intro_->setText(
      tr("<p><b>ZAYA1-8B</b> writes the hints and step-by-step solutions, right on this computer: once installed "
         "it needs no internet. It is a mixture-of-experts model by Zyphra with %1 billion parameters, of which "
         "only about %2 million work on each token — so it answers at the speed of a much smaller model.</p>"
         "<p>The official checkpoint (bf16) takes <b>%3 GB</b> of disk. Converted to the app's all-4-bit pack (q4) it "
         "takes about <b>%4 GB</b> (8-bit q8: about %5 GB); the default pack keeps the head and the router at 8 bits "
         "for accuracy and is a little larger (the formats are compared below). Each runs on a GPU with 8 GB of "
         "memory, or on the CPU more slowly. Downloading and converting need room for both side by side.</p>"
         "<p>Without a model everything else works: the problem bank, answer checking, reference solutions and "
         "your progress.</p>")
          .arg(kParameters / 1e9, 0, 'f', 1)
          .arg(kActiveParameters / 1e6, 0, 'f', 0)
          .arg(gigabytes(kCheckpointBytes), gigabytes(kParameters * kQ4BytesPerWeight), gigabytes(kParameters * kQ8BytesPerWeight)));
  layout->addWidget(intro_);

  // --- the running stage ---
  auto* statusBox = new QGroupBox(tr("Status"), page);
  auto* statusLayout = new QVBoxLayout(statusBox);
  state_ = new QLabel(statusBox);
  state_->setAccessibleName(tr("Model state"));
  state_->setWordWrap(true);
  state_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  statusLayout->addWidget(state_);
  auto* barRow = new QHBoxLayout;
  bar_ = new QProgressBar(statusBox);
  bar_->setAccessibleName(tr("Progress of the current stage"));
  bar_->setRange(0, 1000);
  bar_->setValue(0);
  bar_->setFormat(QStringLiteral("%p%"));
  barRow->addWidget(bar_, 1);
  cancel_ = new QPushButton(tr("Cancel"), statusBox);
  cancel_->setAccessibleName(tr("Cancel the current stage"));
  cancel_->setToolTip(tr("Stops now; a download resumes where it stopped next time"));
  barRow->addWidget(cancel_);
  statusLayout->addLayout(barRow);
  detail_ = new QLabel(statusBox);
  detail_->setAccessibleName(tr("Stage details"));
  detail_->setWordWrap(true);
  statusLayout->addWidget(detail_);
  layout->addWidget(statusBox);

  // --- ways to install ---
  auto* installBox = new QGroupBox(tr("Install"), page);
  auto* installLayout = new QVBoxLayout(installBox);
  auto* downloadRow = new QHBoxLayout;
  auto* repoLabel = new QLabel(tr("Hugging Face repository:"), installBox);
  repo_ = new QLineEdit(QStringLiteral("Zyphra/ZAYA1-8B"), installBox);
  repo_->setAccessibleName(tr("Hugging Face repository"));
  repoLabel->setBuddy(repo_);
  auto* revisionLabel = new QLabel(tr("Revision:"), installBox);
  revision_ = new QLineEdit(QStringLiteral("main"), installBox);
  revision_->setAccessibleName(tr("Revision"));
  revision_->setMaximumWidth(140);
  revisionLabel->setBuddy(revision_);
  download_ = new QPushButton(tr("Download"), installBox);
  download_->setAccessibleName(tr("Download the model"));
  download_->setToolTip(tr("Resumable and checksummed; the free disk space is checked first"));
  downloadRow->addWidget(repoLabel);
  downloadRow->addWidget(repo_, 1);
  downloadRow->addWidget(revisionLabel);
  downloadRow->addWidget(revision_);
  downloadRow->addWidget(download_);
  installLayout->addLayout(downloadRow);
  auto* tokenRow = new QHBoxLayout;
  auto* tokenLabel = new QLabel(tr("Access token:"), installBox);
  hubToken_ = new QLineEdit(installBox);
  hubToken_->setAccessibleName(tr("Hugging Face access token"));
  hubToken_->setEchoMode(QLineEdit::Password);
  hubToken_->setPlaceholderText(tr("Only for gated or private repositories (hf_…)"));
  hubToken_->setToolTip(tr("Kept on this computer in a file only your account can read, and sent only to the hub itself"));
  tokenLabel->setBuddy(hubToken_);
  hubTokenNote_ = new QLabel(installBox);
  hubTokenNote_->setAccessibleName(tr("Access token status"));
  hubTokenNote_->setTextFormat(Qt::PlainText);
  hubTokenNote_->setWordWrap(true);
  tokenRow->addWidget(tokenLabel);
  tokenRow->addWidget(hubToken_, 1);
  tokenRow->addWidget(hubTokenNote_, 1);
  installLayout->addLayout(tokenRow);
  auto* localRow = new QHBoxLayout;
  import_ = new QPushButton(tr("Import a snapshot folder…"), installBox);
  import_->setAccessibleName(tr("Import a snapshot folder"));
  import_->setToolTip(tr("A folder with config.json and *.safetensors: the official bf16 checkpoint or the FP8-experts variant"));
  open_ = new QPushButton(tr("Open a model pack…"), installBox);
  open_->setAccessibleName(tr("Open a model pack"));
  open_->setToolTip(tr("A .zpack file made by this app or by zaya-quantize"));
  localRow->addWidget(import_);
  localRow->addWidget(open_);
  localRow->addStretch(1);
  installLayout->addLayout(localRow);
  auto* convertRow = new QHBoxLayout;
  auto* convertLabel = new QLabel(tr("Convert the checked checkpoint to a pack:"), installBox);
  preset_ = new QComboBox(installBox);
  preset_->setAccessibleName(tr("Pack format"));
  for (const app::PresetChoice& p : app::presetChoices())
    preset_->addItem(QStringLiteral("%1 — %2").arg(p.name, p.description), p.name);
  convertLabel->setBuddy(preset_);
  convert_ = new QPushButton(tr("Convert"), installBox);
  convert_->setAccessibleName(tr("Convert to a pack"));
  convertRow->addWidget(convertLabel);
  convertRow->addWidget(preset_);
  convertRow->addWidget(convert_);
  convertRow->addStretch(1);
  installLayout->addLayout(convertRow);
  presetSpeeds_ = new QLabel(installBox);
  presetSpeeds_->setAccessibleName(tr("Pack formats compared on this computer"));
  presetSpeeds_->setWordWrap(true);
  presetSpeeds_->setTextFormat(Qt::RichText);
  installLayout->addWidget(presetSpeeds_);
  layout->addWidget(installBox);

  // --- where it runs ---
  auto* deviceBox = new QGroupBox(tr("Where it runs"), page);
  auto* deviceLayout = new QFormLayout(deviceBox);
  device_ = new QComboBox(deviceBox);
  device_->setAccessibleName(tr("Device"));
  const app::UsableGpu gpu = app::usableGpu();
  const bool hasGpu = gpu.available;
  device_->addItem(tr("Automatic — the GPU when the model fits, else the CPU"), QStringLiteral("auto"));
  device_->addItem(hasGpu ? tr("GPU: %1 (%2 GB)").arg(gpu.name).arg((gpu.totalMemoryBytes + (1ull << 29)) >> 30)
                          : tr("GPU: none found"),
                   QStringLiteral("gpu"));
  device_->addItem(tr("CPU (%1 threads)").arg(QThread::idealThreadCount()), QStringLiteral("cpu"));
  if (!hasGpu) {
    // Listed but not choosable, with the reason where the student looks for it.
    if (auto* model = qobject_cast<QStandardItemModel*>(device_->model())) model->item(1)->setEnabled(false);
    device_->setItemData(1, gpu.whyNot, Qt::ToolTipRole);
  }
  device_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);  // as wide as its longest choice, not the window
  deviceLayout->addRow(tr("Device:"), device_);
  gpuEstimate_ = new QLabel(deviceBox);
  gpuEstimate_->setAccessibleName(tr("GPU estimate"));
  gpuEstimate_->setWordWrap(true);
  cpuEstimate_ = new QLabel(deviceBox);
  cpuEstimate_->setAccessibleName(tr("CPU estimate"));
  cpuEstimate_->setWordWrap(true);
  deviceLayout->addRow(tr("GPU:"), gpuEstimate_);
  deviceLayout->addRow(tr("CPU:"), cpuEstimate_);
  layout->addWidget(deviceBox);

  // --- installed models ---
  auto* installedBox = new QGroupBox(tr("Installed models"), page);
  auto* installedLayout = new QVBoxLayout(installedBox);
  installed_ = new QListWidget(installedBox);
  installed_->setAccessibleName(tr("Installed models"));
  installed_->setMaximumHeight(110);
  installedLayout->addWidget(installed_);
  auto* useRow = new QHBoxLayout;
  use_ = new QPushButton(tr("Check and use the selected model"), installedBox);
  use_->setAccessibleName(tr("Use the selected model"));
  useRow->addWidget(use_);
  useRow->addStretch(1);
  installedLayout->addLayout(useRow);
  layout->addWidget(installedBox);

  // --- how the selected model is prompted ---
  promptFormat_ = new PromptFormatBox(page);
  layout->addWidget(promptFormat_);
  layout->addStretch(1);

  connect(manager_.get(), &app::ModelManager::stateChanged, this, &ModelManagerView::onState);
  connect(manager_.get(), &app::ModelManager::progress, this, &ModelManagerView::onProgress);
  connect(manager_.get(), &app::ModelManager::finished, this, [this](const QString& path) {
    refresh();  // the new model is the one in use: its estimates start here
    emit modelReady(path);
  });
  connect(cancel_, &QPushButton::clicked, manager_.get(), &app::ModelManager::cancel);
  hubToken_->setText(manager_->hubToken());
  hubTokenNote_->setText(!manager_->hubTokenError().isEmpty() ? manager_->hubTokenError()
                         : manager_->hubToken().isEmpty()     ? QString()
                                                              : tr("A token is stored."));
  connect(hubToken_, &QLineEdit::editingFinished, this, &ModelManagerView::storeHubToken);
  connect(download_, &QPushButton::clicked, this, [this] {
    storeHubToken();  // a token typed just before Download is used for it
    const QString repo = repo_->text().trimmed();
    const QString name = repo.section(QLatin1Char('/'), -1);
    manager_->download(repo, revision_->text().trimmed().isEmpty() ? QStringLiteral("main") : revision_->text().trimmed(),
                       name.isEmpty() ? QStringLiteral("model") : name);
  });
  connect(import_, &QPushButton::clicked, this, &ModelManagerView::importFolder);
  connect(open_, &QPushButton::clicked, this, &ModelManagerView::openPack);
  connect(convert_, &QPushButton::clicked, this, [this] { manager_->convert(preset_->currentData().toString()); });
  connect(use_, &QPushButton::clicked, this, [this] {
    if (QListWidgetItem* item = installed_->currentItem()) manager_->open(item->data(Qt::UserRole).toString());
  });
  connect(installed_, &QListWidget::currentRowChanged, this, &ModelManagerView::updateButtons);
  connect(installed_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
    const QString path = item ? item->data(Qt::UserRole).toString() : QString();
    if (path != promptFormat_->shownPath()) promptFormat_->showFor(path);
  });
  connect(device_, &QComboBox::activated, this, [this] {
    const QString device = device_->currentData().toString();
    if (ctx_ && ctx_->ok()) {
      app::TutorSettings s = app::TutorSettings::load(ctx_->database());
      if (s.device == device) return;
      s.device = device;
      s.save(ctx_->database());
    }
    emit deviceChanged(device);
  });
  refresh();
  onState(manager_->state());
}

ModelManagerView::~ModelManagerView() = default;

void ModelManagerView::refresh() {
  if (ctx_ && ctx_->ok()) {
    const app::TutorSettings s = app::TutorSettings::load(ctx_->database());
    device_->setCurrentIndex(std::max(0, device_->findData(s.device)));
    preset_->setCurrentIndex(std::max(0, preset_->findData(s.quantization)));
  }
  const QString active = manager_->activeModel();
  const QString selected = installed_->currentItem() ? installed_->currentItem()->data(Qt::UserRole).toString() : active;
  const QSignalBlocker quiet(installed_);  // rebuilt as a whole: the prompt format is read once, below
  installed_->clear();
  QString shown;  // the model the estimates are for: the one in use, else the first
  for (const auto& m : app::ModelStore(manager_->modelsRoot()).installed()) {
    const bool inUse = m.path == active;
    auto* item = new QListWidgetItem(inUse ? tr("%1 — %2 GB (in use)").arg(m.name, gigabytes(double(m.bytes)))
                                           : tr("%1 — %2 GB").arg(m.name, gigabytes(double(m.bytes))),
                                     installed_);
    item->setData(Qt::UserRole, m.path);
    if (inUse) {
      QFont f = item->font();
      f.setBold(true);
      item->setFont(f);
    }
    if (m.path == selected) installed_->setCurrentItem(item);
    if (inUse || shown.isEmpty()) shown = m.path;
  }
  if (installed_->count() == 0) {
    auto* none = new QListWidgetItem(tr("None yet — download or import ZAYA1-8B above."), installed_);
    none->setFlags(Qt::NoItemFlags);
  } else if (!installed_->currentItem()) {
    installed_->setCurrentRow(0);
  }
  const QString current = installed_->currentItem() ? installed_->currentItem()->data(Qt::UserRole).toString() : QString();
  if (current != promptFormat_->shownPath()) promptFormat_->showFor(current);
  if (manager_->state() == State::None) onState(State::None);
  if (shown.isEmpty()) {
    estimatedPath_.clear();
    ++estimateGeneration_;
    estimating_ = false;
    if (renderPending_) {
      renderPending_ = false;
      QTimer::singleShot(0, this, &ModelManagerView::rendered);
    }
    gpuEstimate_->setText(tr("Estimated once a model is installed, from its own files and this computer's memory."));
    cpuEstimate_->setText(tr("Estimated once a model is installed (a speed test of this computer's memory)."));
    presetSpeeds_->setText(tr("Each format's size and speed on this computer are shown once a model is installed."));
  } else if (shown != estimatedPath_) {
    startEstimates(shown);
  }
  updateButtons();
}

void ModelManagerView::startEstimates(const QString& path) {
  estimatedPath_ = path;
  estimating_ = true;
  const int generation = ++estimateGeneration_;
  gpuEstimate_->setText(tr("Estimating for %1…").arg(QFileInfo(path).fileName()));
  cpuEstimate_->setText(tr("Measuring this computer's memory speed…"));
  using Result = std::pair<app::DeviceRecommendation, QString>;
  auto* watcher = new QFutureWatcher<Result>(this);
  connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher, generation] {
    const auto [r, error] = watcher->result();
    watcher->deleteLater();
    if (generation != estimateGeneration_) return;
    estimating_ = false;
    if (renderPending_) {
      renderPending_ = false;
      QTimer::singleShot(0, this, &ModelManagerView::rendered);
    }
    if (!error.isEmpty()) {
      gpuEstimate_->setText(tr("No estimate: %1").arg(error));
      cpuEstimate_->clear();
      presetSpeeds_->clear();
      return;
    }
    gpuEstimate_->setText(r.gpuText);
    cpuEstimate_->setText(r.cpuText);
    // The answers' speeds are read here, on the thread that owns the database.
    const auto installed = app::ModelStore(manager_->modelsRoot()).installed();
    presetSpeeds_->setText(presetSpeedsHtml(
        app::presetSpeeds(r.config, cpuBandwidth(), installed, ctx_ && ctx_->ok() ? &ctx_->database() : nullptr), cpuBandwidth()));
  });
  watcher->setFuture(QtConcurrent::run([path]() -> Result {
    try {
      return {app::ModelManager::recommend(path, 4096, cpuBandwidth()), {}};
    } catch (const std::exception& e) {
      return {{}, QString::fromUtf8(e.what())};
    }
  }));
}

void ModelManagerView::onState(State state) {
  const bool dark = theme_ == QLatin1String("dark");
  QString style;
  switch (state) {
    case State::None: {
      const auto models = app::ModelStore(manager_->modelsRoot()).installed();
      state_->setText(models.isEmpty() ? tr("No model installed yet. Download ZAYA1-8B or import a copy you already have.")
                     : models.size() == 1 ? tr("One model is installed; the tutor uses the one marked “in use”.")
                                          : tr("%1 models are installed; the tutor uses the one marked “in use”.").arg(models.size()));
      detail_->clear();
      break;
    }
    case State::Downloading:
      state_->setText(tr("Downloading %1 (%2)…").arg(repo_->text().trimmed(), revision_->text().trimmed()));
      break;
    case State::Importing: state_->setText(tr("Copying the model into the app's folder…")); break;
    case State::Verifying: state_->setText(tr("Checking the model: every weight is read once…")); break;
    case State::Converting:
      state_->setText(tr("Converting to the %1 pack…").arg(preset_->currentData().toString()));
      break;
    case State::Ready:
      state_->setText(tr("Ready: %1. Hints and solutions use it now.").arg(QFileInfo(manager_->modelPath()).fileName()) +
                      (manager_->downloadNote().isEmpty() ? QString() : QLatin1Char(' ') + manager_->downloadNote()));
      style = QStringLiteral("QLabel { color: %1; font-weight: 600; }").arg(QLatin1String(dark ? "#5fd38a" : "#1b7f3b"));
      detail_->clear();
      bar_->setValue(bar_->maximum());
      break;
    case State::Failed:
      state_->setText(tr("Stopped: %1").arg(manager_->failureReason()));
      style = QStringLiteral("QLabel { color: %1; font-weight: 600; }").arg(QLatin1String(dark ? "#ff7b7b" : "#c62828"));
      break;
  }
  if (state == State::Downloading || state == State::Importing || state == State::Verifying || state == State::Converting) {
    bar_->setValue(0);
    furthest_ = 0;
  }
  // Nothing has run yet: an empty bar at 0% would read as a stalled download.
  bar_->setVisible(state != State::None);
  cancel_->setVisible(state != State::None);
  detail_->setVisible(!detail_->text().isEmpty());
  state_->setStyleSheet(style);
  updateButtons();
}

void ModelManagerView::onProgress(Stage stage, double fraction, const QString& text) {
  const int value = std::clamp(int(fraction * 1000.0 + 0.5), 0, 1000);
  bar_->setValue(value);
  furthest_ = std::max(furthest_, value);
  detail_->show();
  detail_->setText(text.isEmpty() ? tr("%1: %2%").arg(stageName(stage)).arg(value / 10.0, 0, 'f', 1)
                                  : tr("%1: %2% — %3").arg(stageName(stage)).arg(value / 10.0, 0, 'f', 1).arg(text));
}

void ModelManagerView::updateButtons() {
  const State s = manager_->state();
  const bool busy = s == State::Downloading || s == State::Importing || s == State::Verifying || s == State::Converting;
  cancel_->setEnabled(busy);
  for (QWidget* w : std::initializer_list<QWidget*>{download_, import_, open_, repo_, revision_}) w->setEnabled(!busy);
  // Conversion starts from a checked checkpoint folder (not from a pack).
  const bool checkpointReady = s == State::Ready && QFileInfo(manager_->modelPath()).isDir();
  convert_->setEnabled(checkpointReady);
  preset_->setEnabled(!busy);
  convert_->setToolTip(checkpointReady ? tr("Writes %1-<format>.zpack next to it").arg(QFileInfo(manager_->modelPath()).fileName())
                                       : tr("Download, import or check a checkpoint folder first"));
  use_->setEnabled(!busy && installed_->currentItem() && (installed_->currentItem()->flags() & Qt::ItemIsEnabled));
}

void ModelManagerView::importFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Import a ZAYA1-8B snapshot folder"));
  if (dir.isEmpty()) return;
  manager_->importSnapshot(dir, QFileInfo(dir).fileName());
}

void ModelManagerView::openPack() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Open a model pack"), manager_->modelsRoot(), tr("Model packs (*.zpack)"));
  if (!file.isEmpty()) manager_->open(file);
}

void ModelManagerView::setTheme(const QString& theme) {
  theme_ = theme;
  onState(manager_->state());
}

void ModelManagerView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  // Plain widgets: drawn once laid out, and once the estimates running for
  // the shown model are in (a screenshot then shows them, not "Measuring…").
  if (estimating_) renderPending_ = true;
  else QTimer::singleShot(0, this, &ModelManagerView::rendered);
}

void ModelManagerView::storeHubToken() {
  const QString token = hubToken_->text().trimmed();
  if (token == manager_->hubToken()) return;
  try {
    manager_->setHubToken(token);
    hubTokenNote_->setText(token.isEmpty() ? tr("The token was removed.") : tr("A token is stored."));
  } catch (const app::AppError& e) {
    hubTokenNote_->setText(tr("The token was not stored: %1").arg(e.message()));
  }
}

}  // namespace zaya::ui
