#include "expert_profiles_view.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

#include "app_context.h"
#include "app_error.h"
#include "screen_page.h"

namespace zaya::ui {

namespace {

QString thousands(qint64 n) { return QLocale().toString(n); }

// The cell's tint: warm where the expert fires more often than its average on
// the topic, cool where less; saturating at 4× (or ¼×). Light enough that the
// text on it keeps its contrast in both themes.
QColor tint(double ratio, const QColor& base, bool dark) {
  const QColor warm = dark ? QColor(0xd9, 0x8a, 0x3a) : QColor(0xe8, 0x7d, 0x1e);
  const QColor cool = dark ? QColor(0x4a, 0x7f, 0xc0) : QColor(0x3d, 0x7e, 0xc9);
  const double t = ratio > 0 ? std::clamp(std::log2(ratio) / 2.0, -1.0, 1.0) : -1.0;
  const QColor& to = t >= 0 ? warm : cool;
  const double a = std::abs(t) * (dark ? 0.6 : 0.5);
  return QColor::fromRgbF(float(base.redF() + (to.redF() - base.redF()) * a), float(base.greenF() + (to.greenF() - base.greenF()) * a),
                          float(base.blueF() + (to.blueF() - base.blueF()) * a));
}

}  // namespace

ExpertProfilesView::ExpertProfilesView(AppContext* context, QWidget* parent)
    : QWidget(parent),
      ctx_(context),
      calibration_(std::make_unique<app::ExpertCalibration>(context && context->ok() ? &context->database() : nullptr)) {
  auto* layout = addScrollingPage(this, 10);
  QWidget* page = layout->parentWidget();

  layout->addWidget(screenHeading(tr("Expert profiles"), page));
  intro_ = new QLabel(page);
  intro_->setAccessibleName(tr("What expert profiles are"));
  intro_->setWordWrap(true);
  intro_->setTextFormat(Qt::RichText);
  intro_->setText(tr("<p>At each layer the model's router sends every token to one of its experts, or lets it skip the "
                     "layer. Calibration has the model read problem statements from the bank and counts, for every "
                     "layer and expert, how often it fires on each topic. A cell shows the expert's rate on that topic "
                     "divided by its average rate, and how many of the topic's tokens it received.</p>"
                     "<p>A label such as “geometry-leaning” is given only where an expert fires at least "
                     "<b>%1×</b> its average rate on a topic over at least <b>%2</b> tokens of that topic, "
                     "and at least <b>%3</b> of them went to that expert.</p>")
                      .arg(app::ExpertCalibration::kLabelMinRatio, 0, 'f', 1)
                      .arg(app::ExpertCalibration::kLabelMinTokens)
                      .arg(app::ExpertCalibration::kLabelMinRoutedTokens));
  layout->addWidget(intro_);

  // Shown instead of the content when there is no local model to profile.
  messageBox_ = new QFrame(page);
  static_cast<QFrame*>(messageBox_)->setFrameShape(QFrame::StyledPanel);
  auto* messageLayout = new QVBoxLayout(messageBox_);
  message_ = new QLabel(messageBox_);
  message_->setAccessibleName(tr("Why there are no expert profiles"));
  message_->setWordWrap(true);
  messageLayout->addWidget(message_);
  auto* messageButtons = new QHBoxLayout;
  toModels_ = new QPushButton(tr("Open the model manager"), messageBox_);
  toModels_->setAccessibleName(tr("Open the model manager"));
  toSettings_ = new QPushButton(tr("Open settings"), messageBox_);
  toSettings_->setAccessibleName(tr("Open settings"));
  messageButtons->addWidget(toModels_);
  messageButtons->addWidget(toSettings_);
  messageButtons->addStretch(1);
  messageLayout->addLayout(messageButtons);
  layout->addWidget(messageBox_);

  content_ = new QWidget(page);
  auto* contentLayout = new QVBoxLayout(content_);
  contentLayout->setContentsMargins(0, 0, 0, 0);
  auto* runRow = new QHBoxLayout;
  auto* perTopicLabel = new QLabel(tr("Problems per topic:"), content_);
  perTopic_ = new QSpinBox(content_);
  perTopic_->setAccessibleName(tr("Problems per topic"));
  perTopic_->setRange(1, 1000);
  perTopic_->setValue(25);
  perTopic_->setToolTip(tr("How many problems of each topic the model reads; more gives firmer numbers"));
  perTopicLabel->setBuddy(perTopic_);
  run_ = new QPushButton(tr("Run calibration"), content_);
  run_->setAccessibleName(tr("Run or resume the calibration"));
  cancel_ = new QPushButton(tr("Cancel"), content_);
  cancel_->setAccessibleName(tr("Cancel the calibration"));
  cancel_->setToolTip(tr("What was measured is kept; Resume continues with the rest"));
  again_ = new QPushButton(tr("Measure again"), content_);
  again_->setAccessibleName(tr("Discard the measured profile and calibrate again"));
  again_->setToolTip(tr("Discards what was measured for this model and reads the sample from the start"));
  bar_ = new QProgressBar(content_);
  bar_->setAccessibleName(tr("Calibration progress"));
  bar_->setRange(0, 1);
  bar_->setValue(0);
  bar_->setFormat(tr("%v of %m problems"));
  bar_->hide();  // shown once a pass starts
  runRow->addWidget(perTopicLabel);
  runRow->addWidget(perTopic_);
  runRow->addWidget(run_);
  runRow->addWidget(cancel_);
  runRow->addWidget(again_);
  runRow->addWidget(bar_, 1);
  runRow->addStretch(0);  // keeps the buttons at their size while the bar is hidden
  contentLayout->addLayout(runRow);
  status_ = new QLabel(content_);
  status_->setAccessibleName(tr("Calibration status"));
  status_->setWordWrap(true);
  status_->hide();  // shown when there is something to say
  contentLayout->addWidget(status_);

  auto* layerRow = new QHBoxLayout;
  auto* layerLabel = new QLabel(tr("Layer:"), content_);
  layer_ = new QSpinBox(content_);
  layer_->setAccessibleName(tr("Layer shown"));
  layer_->setRange(1, 1);
  layerLabel->setBuddy(layer_);
  totals_ = new QLabel(content_);
  totals_->setAccessibleName(tr("Tokens measured"));
  layerRow->addWidget(layerLabel);
  layerRow->addWidget(layer_);
  layerRow->addSpacing(16);
  layerRow->addWidget(totals_, 1);
  contentLayout->addLayout(layerRow);

  table_ = new QTableWidget(content_);
  table_->setAccessibleName(tr("Expert by topic ratios at the chosen layer"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  // One line of text per row, so all 16 experts of a layer fit on the screen at once.
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->setMinimumHeight(300);
  contentLayout->addWidget(table_);
  labels_ = new QLabel(content_);
  labels_->setAccessibleName(tr("Topic labels at this layer"));
  labels_->setWordWrap(true);
  labels_->setTextFormat(Qt::RichText);
  contentLayout->addWidget(labels_);
  contentLayout->addStretch(1);
  layout->addWidget(content_, 1);
  layout->addStretch(0);  // holds the message at the top while the content is hidden

  connect(toModels_, &QPushButton::clicked, this, &ExpertProfilesView::modelManagerRequested);
  connect(toSettings_, &QPushButton::clicked, this, &ExpertProfilesView::settingsRequested);
  connect(run_, &QPushButton::clicked, this, &ExpertProfilesView::start);
  connect(again_, &QPushButton::clicked, this, &ExpertProfilesView::measureAgain);
  connect(cancel_, &QPushButton::clicked, calibration_.get(), &app::ExpertCalibration::cancel);
  connect(layer_, &QSpinBox::valueChanged, this, &ExpertProfilesView::fillTable);
  if (ctx_) connect(ctx_, &AppContext::bankChanged, this, &ExpertProfilesView::updateControls);
  connect(calibration_.get(), &app::ExpertCalibration::progress, this, [this](int done, int total, const QString& id) {
    bar_->setRange(0, total);
    bar_->setValue(done);
    setStatus(tr("Read problem %1 of %2 (%3).").arg(done).arg(total).arg(id));
    reloadProfile();
  });
  connect(calibration_.get(), &app::ExpertCalibration::finished, this, [this](int calibrated, int skipped) {
    setStatus(calibrated == 0
                         ? tr("All %1 problems of this sample were calibrated before; raise “Problems per topic” to measure more.").arg(skipped)
                         : tr("Calibrated %1 problems (%2 were done before).").arg(calibrated).arg(skipped));
    bar_->setValue(bar_->maximum());
    reloadProfile();
    updateControls();
  });
  connect(calibration_.get(), &app::ExpertCalibration::cancelled, this, [this] {
    setStatus(tr("Stopped. What was measured is kept; Resume continues with the problems not yet read."));
    reloadProfile();
    updateControls();
  });
  connect(calibration_.get(), &app::ExpertCalibration::failed, this, [this](const QString& why) {
    setStatus(tr("Calibration failed: %1").arg(why));
    reloadProfile();
    updateControls();
  });
  clearModel(tr("No model installed yet — expert profiles are measured on ZAYA1-8B."));
}

ExpertProfilesView::~ExpertProfilesView() = default;

void ExpertProfilesView::setModel(std::shared_ptr<const app::CalibrationSource> source, const QString& modelId) {
  if (calibration_->isRunning()) calibration_->cancel();
  source_ = std::move(source);
  modelId_ = modelId;
  layers_ = source_ ? source_->layers() : 0;
  experts_ = source_ ? source_->experts() : 0;
  loading_ = false;
  const int keep = layer_->value();
  layer_->setRange(1, std::max(1, layers_));
  layer_->setValue(std::min(keep, std::max(1, layers_)));
  setStatus({});
  bar_->hide();
  reloadProfile();
  updateControls();
  reportRendered();
}

void ExpertProfilesView::clearModel(const QString& why) {
  if (calibration_->isRunning()) calibration_->cancel();
  source_.reset();
  modelId_.clear();
  layers_ = experts_ = 0;
  loading_ = false;
  profile_.clear();
  topics_.clear();
  message_->setText(why);
  updateControls();
  reportRendered();
}

void ExpertProfilesView::setLoading(bool loading) {
  loading_ = loading;
  updateControls();
}

void ExpertProfilesView::setRemoteMode(bool remote) {
  remote_ = remote;
  updateControls();
}

void ExpertProfilesView::showMessage(const QString& text, bool toSettings) {
  message_->setText(text);
  toModels_->setVisible(!toSettings);
  toSettings_->setVisible(toSettings);
}

void ExpertProfilesView::updateControls() {
  const bool usable = source_ && !remote_;
  messageBox_->setVisible(!usable);
  content_->setVisible(usable);
  if (remote_) {
    showMessage(tr("Expert views are unavailable while a remote server writes the solutions: an OpenAI-compatible "
                   "server does not report which experts it used. Switch the remote server off in Settings to "
                   "profile the model on this computer."),
                true);
  } else if (loading_) {
    showMessage(tr("Loading the model…"), false);
    toModels_->setVisible(false);
  } else if (!source_) {
    toModels_->setVisible(true);
    toSettings_->setVisible(false);
  }
  const bool running = calibration_->isRunning();
  const bool haveBank = ctx_ && ctx_->bank();
  const bool haveDb = ctx_ && ctx_->ok();
  run_->setEnabled(usable && !running && haveBank && haveDb);
  cancel_->setEnabled(running);
  perTopic_->setEnabled(!running);
  const bool started = haveDb && !modelId_.isEmpty() && !ctx_->database().calibratedProblems(modelId_).isEmpty();
  run_->setText(started ? tr("Resume calibration") : tr("Run calibration"));
  again_->setEnabled(usable && !running && haveBank && started);
  run_->setToolTip(!haveBank ? tr("Waiting for the problem bank to load")
                             : started ? tr("Reads the problems of the sample not read yet; the others are kept")
                                       : tr("Reads %1 problems of each topic").arg(perTopic_->value()));
}

void ExpertProfilesView::start() {
  if (!source_ || remote_ || !ctx_ || !ctx_->bank() || !ctx_->ok() || calibration_->isRunning()) return;
  const auto problems = app::ExpertCalibration::sampleProblems(*ctx_->bank(), perTopic_->value());
  bar_->setRange(0, std::max<int>(1, int(problems.size())));
  bar_->setValue(0);
  bar_->show();
  setStatus(tr("Reading %1 problems…").arg(problems.size()));
  calibration_->start(*source_, modelId_, problems);
  updateControls();
}

void ExpertProfilesView::measureAgain() {
  if (!source_ || remote_ || !ctx_ || !ctx_->ok() || modelId_.isEmpty() || calibration_->isRunning()) return;
  try {
    ctx_->database().clearCalibration(modelId_);
  } catch (const app::AppError& e) {
    setStatus(tr("The measured profile could not be discarded: %1").arg(e.message()));
    return;
  }
  reloadProfile();
  start();
}

void ExpertProfilesView::setStatus(const QString& text) {
  status_->setText(text);
  status_->setVisible(!text.isEmpty());
}

int ExpertProfilesView::layer() const { return layer_->value() - 1; }

void ExpertProfilesView::setLayer(int layer) { layer_->setValue(layer + 1); }

void ExpertProfilesView::reloadProfile() {
  profile_.clear();
  topics_.clear();
  topicTokens_.clear();
  if (source_ && ctx_ && ctx_->ok()) {
    profile_ = app::ExpertCalibration::profile(ctx_->database(), modelId_, experts_);
    topicTokens_ = ctx_->database().calibrationTokens(modelId_);
    topics_ = topicTokens_.keys();
    topics_.sort();
  }
  qint64 all = 0;
  for (auto n : topicTokens_) all += n;
  const int problems = (ctx_ && ctx_->ok() && !modelId_.isEmpty()) ? int(ctx_->database().calibratedProblems(modelId_).size()) : 0;
  totals_->setText(all == 0 ? tr("Nothing measured yet for %1.").arg(modelId_)
                            : tr("%1 tokens from %2 problems, measured on %3.").arg(thousands(all)).arg(problems).arg(modelId_));
  fillTable();
}

void ExpertProfilesView::fillTable() {
  const int layer = this->layer();
  table_->clear();
  table_->setRowCount(experts_);
  table_->setColumnCount(int(topics_.size()));
  QStringList headers;
  for (const QString& t : topics_) headers << tr("%1\n%2 tokens").arg(t, thousands(topicTokens_.value(t)));
  table_->setHorizontalHeaderLabels(headers);
  QStringList rows;
  for (int e = 0; e < experts_; ++e) rows << tr("Expert %1").arg(e);
  table_->setVerticalHeaderLabels(rows);
  const bool dark = theme_ == QLatin1String("dark");
  const QColor base = palette().color(QPalette::Base);
  QStringList labelled;
  for (int e = 0; e < experts_; ++e)
    for (int c = 0; c < topics_.size(); ++c) {
      auto* item = new QTableWidgetItem(QStringLiteral("—"));
      item->setTextAlignment(Qt::AlignCenter);
      item->setToolTip(tr("Expert %1 was never chosen at layer %2 in the calibration.").arg(e).arg(layer + 1));
      table_->setItem(e, c, item);
    }
  for (const auto& s : profile_) {
    if (s.layer != layer) continue;
    const int column = int(topics_.indexOf(s.topic));
    if (column < 0 || s.expert >= experts_) continue;
    QTableWidgetItem* item = table_->item(s.expert, column);
    item->setText(tr("%1× · %2").arg(s.ratio, 0, 'f', 2).arg(thousands(s.routed)));
    item->setData(kRatioRole, s.ratio);
    item->setData(kRoutedRole, s.routed);
    item->setData(kTopicTokensRole, s.topicTokens);
    item->setData(kLabelRole, s.label);
    item->setBackground(tint(s.ratio, base, dark));
    const QString rule = s.label.isEmpty()
                             ? (s.topicTokens < app::ExpertCalibration::kLabelMinTokens
                                    ? tr("No label: fewer than %1 tokens of this topic were measured.").arg(app::ExpertCalibration::kLabelMinTokens)
                                : s.ratio < app::ExpertCalibration::kLabelMinRatio
                                    ? tr("No label: below %1× its average rate.").arg(app::ExpertCalibration::kLabelMinRatio, 0, 'f', 1)
                                    : tr("No label: only %1 tokens of this topic went to this expert (at least %2 are needed).")
                                          .arg(s.routed)
                                          .arg(app::ExpertCalibration::kLabelMinRoutedTokens))
                             : tr("Label: %1.").arg(s.label);
    item->setToolTip(tr("Expert %1 at layer %2 on %3: %4 of %5 tokens of this topic, %6× its average rate.\n%7")
                         .arg(s.expert)
                         .arg(layer + 1)
                         .arg(s.topic, thousands(s.routed), thousands(s.topicTokens))
                         .arg(s.ratio, 0, 'f', 2)
                         .arg(rule));
    if (!s.label.isEmpty()) {
      QFont f = item->font();
      f.setBold(true);
      item->setFont(f);
      labelled << tr("Expert %1: <b>%2</b> (%3× · %4 of %5 tokens)")
                      .arg(s.expert)
                      .arg(s.label.toHtmlEscaped())
                      .arg(s.ratio, 0, 'f', 2)
                      .arg(thousands(s.routed), thousands(s.topicTokens));
    }
  }
  // Exactly as tall as its rows: the labels follow right under the last expert.
  int height = 2 * table_->frameWidth() + table_->horizontalHeader()->sizeHint().height();
  for (int r = 0; r < table_->rowCount(); ++r) height += table_->rowHeight(r);
  table_->setFixedHeight(std::max(height, 120));
  if (profile_.isEmpty())
    labels_->setText(tr("Run the calibration to measure the experts."));
  else if (labelled.isEmpty())
    labels_->setText(tr("No expert at layer %1 meets the rule for a label (at least %2× over at least %3 tokens of a "
                        "topic, %4 of them routed to the expert).")
                         .arg(layer + 1)
                         .arg(app::ExpertCalibration::kLabelMinRatio, 0, 'f', 1)
                         .arg(app::ExpertCalibration::kLabelMinTokens)
                         .arg(app::ExpertCalibration::kLabelMinRoutedTokens));
  else
    labels_->setText(tr("Labels at layer %1: %2").arg(layer + 1).arg(labelled.join(QStringLiteral("; "))));
}

void ExpertProfilesView::setTheme(const QString& theme) {
  theme_ = theme;
  fillTable();
}

void ExpertProfilesView::reportRendered() {
  if (isVisible() && !loading_) QTimer::singleShot(0, this, &ExpertProfilesView::rendered);
}

void ExpertProfilesView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  reportRendered();
}

}  // namespace zaya::ui
