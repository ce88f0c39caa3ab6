#include "progress_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QMap>
#include <QPainter>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include "app_context.h"
#include "screen_page.h"

namespace zaya::ui {

namespace {
// "1 problem", "3 problems".
QString count(int n, const QString& one, const QString& many) {
  return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}
}  // namespace

// --- CalendarHeatmap ----------------------------------------------------------

CalendarHeatmap::CalendarHeatmap(QWidget* parent) : QWidget(parent) {
  setAccessibleName(tr("Practice calendar"));
  setMouseTracking(true);
  setActivity({}, QDate::currentDate());
}

void CalendarHeatmap::setActivity(const QList<app::DayActivity>& days, QDate last) {
  days_.clear();
  maxAttempts_ = 0;
  for (const auto& d : days) {
    days_.insert(d.day, d);
    maxAttempts_ = std::max(maxAttempts_, d.attempts);
  }
  last_ = last;
  // The grid starts on the Monday kWeeks-1 weeks before the week of `last`.
  first_ = last.addDays(-(last.dayOfWeek() - 1)).addDays(-7 * (kWeeks - 1));
  update();
}

void CalendarHeatmap::setDark(bool dark) {
  dark_ = dark;
  update();
}

QSize CalendarHeatmap::sizeHint() const {
  return {kLeft + kWeeks * (kCell + kGap), kTop + 7 * (kCell + kGap)};
}

QRect CalendarHeatmap::cellRect(QDate day) const {
  const qint64 offset = first_.daysTo(day);
  if (offset < 0 || day > last_) return {};
  const int week = int(offset / 7), weekday = int(offset % 7);
  return {kLeft + week * (kCell + kGap), kTop + weekday * (kCell + kGap), kCell, kCell};
}

QDate CalendarHeatmap::dayAt(const QPoint& pos) const {
  const int x = pos.x() - kLeft, y = pos.y() - kTop;
  if (x < 0 || y < 0) return {};
  const int week = x / (kCell + kGap), weekday = y / (kCell + kGap);
  if (week >= kWeeks || weekday >= 7) return {};
  const QDate day = first_.addDays(7 * week + weekday);
  return day <= last_ ? day : QDate();
}

QString CalendarHeatmap::toolTipFor(QDate day) const {
  const QString when = QLocale().toString(day, QLocale::LongFormat);
  const auto it = days_.find(day);
  if (it == days_.end() || it->attempts == 0) return tr("%1: no practice").arg(when);
  return tr("%1: %2, %3 correct, %4 min")
      .arg(when, count(it->attempts, tr("problem"), tr("problems")))
      .arg(it->correct)
      .arg(double(it->millis) / 60000.0, 0, 'f', 1);
}

bool CalendarHeatmap::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    const QDate day = dayAt(help->pos());
    if (day.isValid()) QToolTip::showText(help->globalPos(), toolTipFor(day), this, cellRect(day));
    else QToolTip::hideText();
    return true;
  }
  return QWidget::event(e);
}

void CalendarHeatmap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QColor emptyCell = dark_ ? QColor(0x2d, 0x33, 0x3b) : QColor(0xd8, 0xdc, 0xe1);
  const QColor full = dark_ ? QColor(0x39, 0xd3, 0x53) : QColor(0x21, 0x6e, 0x39);
  const QColor text = palette().color(QPalette::WindowText);
  QFont f = font();
  f.setPointSizeF(f.pointSizeF() * 0.75);
  p.setFont(f);
  p.setPen(text);
  const QStringList weekdays{tr("Mon"), tr("Wed"), tr("Fri")};
  for (int i = 0; i < 3; ++i)
    p.drawText(QRect(0, kTop + (2 * i) * (kCell + kGap) - 2, kLeft - 4, kCell + 4), Qt::AlignRight | Qt::AlignVCenter,
               weekdays[i]);
  int lastMonth = -1;
  for (int w = 0; w < kWeeks; ++w) {
    const QDate monday = first_.addDays(7 * w);
    if (monday.month() != lastMonth && w < kWeeks - 2) {
      p.setPen(text);
      p.drawText(QPoint(kLeft + w * (kCell + kGap), kTop - 4), QLocale().standaloneMonthName(monday.month(), QLocale::ShortFormat));
      lastMonth = monday.month();
    }
  }
  p.setPen(Qt::NoPen);
  for (QDate d = first_; d <= last_; d = d.addDays(1)) {
    const auto it = days_.find(d);
    QColor c = emptyCell;
    if (it != days_.end() && it->attempts > 0 && maxAttempts_ > 0) {
      // Four shades between the empty colour and the full one.
      const double t = 0.25 + 0.75 * std::ceil(4.0 * it->attempts / maxAttempts_) / 4.0;
      c = QColor::fromRgbF(float(emptyCell.redF() + (full.redF() - emptyCell.redF()) * t),
                           float(emptyCell.greenF() + (full.greenF() - emptyCell.greenF()) * t),
                           float(emptyCell.blueF() + (full.blueF() - emptyCell.blueF()) * t));
    }
    p.setBrush(c);
    p.drawRoundedRect(cellRect(d), 2, 2);
  }
}

// --- ProgressView ------------------------------------------------------------

namespace {

QString duration(qint64 millis) {
  const qint64 minutes = millis / 60000;
  if (minutes < 60) return QObject::tr("%1 min").arg(minutes);
  return QObject::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString dateTime(qint64 millis) {
  return QLocale().toString(QDateTime::fromMSecsSinceEpoch(millis), QLocale::ShortFormat);
}

}  // namespace

ProgressView::ProgressView(AppContext* context, QWidget* parent) : QWidget(parent), ctx_(context) {
  auto* layout = addScrollingPage(this);
  QWidget* page = layout->parentWidget();

  title_ = screenHeading(tr("Your progress"), page);
  layout->addWidget(title_);
  summary_ = new QLabel(page);
  summary_->setAccessibleName(tr("Streak and time on task"));
  layout->addWidget(summary_);
  error_ = new QLabel(page);
  error_->setWordWrap(true);
  error_->hide();
  layout->addWidget(error_);
  empty_ = new QLabel(tr("<p><b>No practice yet.</b></p><p>Answer a problem on the Practice screen (Ctrl+1) and this "
                         "page fills in: accuracy by topic week by week, how far you have mastered each topic, a "
                         "calendar of the days you practised, and the problems worth another look.</p>"),
                      page);
  empty_->setWordWrap(true);
  empty_->setTextFormat(Qt::RichText);
  layout->addWidget(empty_);

  layout->addWidget(screenHeading(tr("Practice calendar"), page));
  heatmap_ = new CalendarHeatmap(page);
  layout->addWidget(heatmap_);

  content_ = new QWidget(page);
  auto* grid = new QGridLayout(content_);
  grid->setContentsMargins(0, 0, 0, 0);
  accuracyChart_ = new QChartView(content_);
  accuracyChart_->setRenderHint(QPainter::Antialiasing);
  accuracyChart_->setMinimumHeight(260);
  accuracyChart_->setAccessibleName(tr("Accuracy by topic over time"));
  masteryChart_ = new QChartView(content_);
  masteryChart_->setRenderHint(QPainter::Antialiasing);
  masteryChart_->setMinimumHeight(260);
  masteryChart_->setAccessibleName(tr("Mastery per topic"));
  grid->addWidget(accuracyChart_, 0, 0);
  grid->addWidget(masteryChart_, 0, 1);
  layout->addWidget(content_);

  auto* lists = new QHBoxLayout;
  auto* reviewBox = new QVBoxLayout;
  reviewBox->addWidget(screenHeading(tr("Due for review"), page));
  reviews_ = new QListWidget(page);
  reviews_->setAccessibleName(tr("Problems due for review"));
  reviews_->setMaximumHeight(140);
  reviewBox->addWidget(reviews_);
  startReview_ = new QPushButton(tr("Start review"), page);
  connect(startReview_, &QPushButton::clicked, this, [this] {
    QListWidgetItem* item = reviews_->currentItem() ? reviews_->currentItem() : reviews_->item(0);
    if (item && !item->data(Qt::UserRole).toString().isEmpty()) emit reviewRequested(item->data(Qt::UserRole).toString());
  });
  reviewBox->addWidget(startReview_, 0, Qt::AlignLeft);
  lists->addLayout(reviewBox, 1);
  auto* setBox = new QVBoxLayout;
  setBox->addWidget(screenHeading(tr("Assignments"), page));
  assignments_ = new QListWidget(page);
  assignments_->setAccessibleName(tr("Assigned problem sets"));
  assignments_->setMaximumHeight(140);
  setBox->addWidget(assignments_);
  setBox->addStretch();
  lists->addLayout(setBox, 1);
  auto* sittingBox = new QVBoxLayout;
  sittingBox->addWidget(screenHeading(tr("Mock contests"), page));
  sittings_ = new QListWidget(page);
  sittings_->setAccessibleName(tr("Timed sittings"));
  sittings_->setMaximumHeight(140);
  sittings_->setToolTip(tr("Double-click a sitting to see its score report"));
  connect(sittings_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    if (item && item->data(Qt::UserRole).toLongLong() > 0) emit sittingRequested(item->data(Qt::UserRole).toLongLong());
  });
  sittingBox->addWidget(sittings_);
  sittingBox->addStretch();
  lists->addLayout(sittingBox, 1);
  layout->addLayout(lists);

  layout->addWidget(screenHeading(tr("History"), page));
  history_ = new QTableWidget(0, 7, page);
  history_->setAccessibleName(tr("Attempt history"));
  history_->setHorizontalHeaderLabels(
      {tr("When"), tr("Problem"), tr("Topic"), tr("Level"), tr("Answer"), tr("Result"), tr("Time")});
  history_->horizontalHeader()->setStretchLastSection(true);
  history_->verticalHeader()->hide();
  history_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  history_->setSelectionBehavior(QAbstractItemView::SelectRows);
  history_->setMinimumHeight(180);
  layout->addWidget(history_);

  layout->addWidget(screenHeading(tr("Solutions written for you"), page));
  solutions_ = new QTableWidget(0, 5, page);
  solutions_->setAccessibleName(tr("Saved solutions"));
  solutions_->setHorizontalHeaderLabels({tr("When"), tr("Problem"), tr("Kind"), tr("Tokens"), tr("Result")});
  solutions_->horizontalHeader()->setStretchLastSection(true);
  solutions_->verticalHeader()->hide();
  solutions_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  solutions_->setSelectionBehavior(QAbstractItemView::SelectRows);
  solutions_->setSelectionMode(QAbstractItemView::SingleSelection);
  solutions_->setMinimumHeight(140);
  solutions_->setToolTip(tr("Double-click a solution to read it again with its expert views — no model needed"));
  layout->addWidget(solutions_);
  openSolution_ = new QPushButton(tr("Open solution"), page);
  openSolution_->setAccessibleName(tr("Open the selected solution"));
  layout->addWidget(openSolution_, 0, Qt::AlignLeft);
  const auto openSelected = [this] {
    const int row = solutions_->currentRow() >= 0 ? solutions_->currentRow() : 0;
    if (auto* item = solutions_->item(row, 0); item && item->data(Qt::UserRole).toLongLong() > 0)
      emit solutionRequested(solutions_->item(row, 1)->text(), item->data(Qt::UserRole).toLongLong());
  };
  connect(openSolution_, &QPushButton::clicked, this, openSelected);
  connect(solutions_, &QTableWidget::cellDoubleClicked, this, openSelected);
  layout->addStretch();

  if (ctx_ && ctx_->ok()) {
    connect(&ctx_->progress(), &app::ProgressService::attemptRecorded, this, [this] { refresh(); });
    connect(&ctx_->progress(), &app::ProgressService::gradeChanged, this, [this] { refresh(); });
  }
  refresh();
}

void ProgressView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  refresh();
  QTimer::singleShot(0, this, &ProgressView::rendered);
}

bool ProgressView::isEmptyState() const { return !empty_->isHidden(); }
QString ProgressView::summaryText() const { return summary_->text(); }

int ProgressView::accuracySeriesCount() const {
  return accuracyChart_->chart() ? int(accuracyChart_->chart()->series().size()) : 0;
}

void ProgressView::refresh() {
  if (!ctx_ || !ctx_->ok()) {
    error_->setText(tr("Your progress cannot be shown: %1").arg(ctx_ ? ctx_->error() : tr("no database")));
    error_->show();
    empty_->hide();
    content_->hide();
    return;
  }
  const qint64 id = ctx_->studentId();
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  QList<app::Attempt> attempts;
  QList<app::TopicMastery> mastery;
  QList<app::ReviewItem> due;
  QList<app::AccuracyPoint> accuracy;
  QList<app::DayActivity> activity;
  QList<app::ProblemSet> sets;
  QList<app::Solution> solutions;
  QList<app::Sitting> sittings;
  app::Streak streak;
  qint64 total = 0, week = 0;
  const QDate today = QDate::currentDate();
  try {
    auto& ps = ctx_->progress();
    attempts = ps.attempts(id);
    mastery = ps.mastery(id, now);
    due = ps.dueReviews(id, now);
    accuracy = ps.accuracyOverTime(id);
    activity = ps.activity(id, today.addDays(-7 * 53), today);
    streak = ps.streak(id, now);
    total = ps.timeOnTaskMillis(id);
    week = ps.timeOnTaskMillis(id, now - 7LL * 24 * 3600 * 1000);
    if (!ctx_->auth().isTeacher()) sets = ctx_->classroom().mySets();
    solutions = ctx_->database().recentSolutions(id, 200);
    sittings = ctx_->database().sittings(id);
    if (const auto p = ctx_->database().profile(id)) title_->setText(tr("Progress of %1").arg(p->name));
    error_->hide();
  } catch (const app::AppError& e) {
    error_->setText(tr("Your progress cannot be shown: %1").arg(e.message()));
    error_->show();
  }

  int correct = 0;
  for (const auto& a : attempts) correct += a.effectiveCorrect() ? 1 : 0;
  QString streakText = streak.current == 0 ? tr("No streak yet")
                                           : tr("%n-day streak", nullptr, streak.current);
  if (streak.longest > streak.current) streakText += tr(" (longest %n)", nullptr, streak.longest);
  if (streak.current > 0 && !streak.practicedToday) streakText += tr(" — practise today to keep it");
  summary_->setText(tr("%1 · %2 answered").arg(streakText, count(int(attempts.size()), tr("problem"), tr("problems"))) +
                    tr(" · %1 correct · time on task %2 this week, %3 in all")
                        .arg(correct)
                        .arg(duration(week), duration(total)));

  empty_->setVisible(attempts.isEmpty());
  content_->setVisible(!attempts.isEmpty());
  heatmap_->setActivity(activity, today);
  fillCharts(accuracy, mastery);

  reviews_->clear();
  for (const auto& r : due) {
    auto* item = new QListWidgetItem(tr("%1 — %2 (box %3, missed %4)")
                                         .arg(r.problemId, r.topic)
                                         .arg(r.box)
                                         .arg(count(r.lapses, tr("time"), tr("times"))),
                                     reviews_);
    item->setData(Qt::UserRole, r.problemId);
  }
  if (due.isEmpty()) {
    auto* item = new QListWidgetItem(attempts.isEmpty() ? tr("Problems you miss come back here for review.")
                                                        : tr("Nothing due — well done."),
                                     reviews_);
    item->setFlags(Qt::NoItemFlags);
  }
  startReview_->setEnabled(!due.isEmpty());

  sittings_->clear();
  for (const auto& s : sittings) {
    const QString state = s.isOpen() ? tr("running") : tr("%1 of %2").arg(s.score.value_or(0)).arg(s.answers.size());
    auto* item = new QListWidgetItem(tr("%1 — %2, %3").arg(s.title, state, dateTime(s.startedAt)), sittings_);
    item->setData(Qt::UserRole, s.isOpen() ? 0 : s.id);
  }
  if (sittings.isEmpty()) {
    auto* item = new QListWidgetItem(tr("No sittings yet. Sit a past AIME or a SAT module under View ▸ Mock contests."),
                                     sittings_);
    item->setFlags(Qt::NoItemFlags);
  }

  assignments_->clear();
  for (const auto& s : sets) {
    const QString dueText = s.dueAt ? tr("due %1").arg(dateTime(*s.dueAt)) : tr("no due date");
    auto* item = new QListWidgetItem(tr("%1 — %2, %3").arg(s.title, count(int(s.problemIds.size()), tr("problem"), tr("problems")), dueText),
                                     assignments_);
    item->setData(Qt::UserRole, s.id);
    if (!s.problemIds.isEmpty()) item->setData(Qt::UserRole + 1, s.problemIds.front());
  }
  if (sets.isEmpty()) {
    auto* item = new QListWidgetItem(tr("No assignments. Sets from your teacher appear here (File ▸ Import problem set…)."),
                                     assignments_);
    item->setFlags(Qt::NoItemFlags);
  }

  history_->setRowCount(int(attempts.size()));
  for (int i = 0; i < attempts.size(); ++i) {
    const auto& a = attempts[attempts.size() - 1 - i];  // newest first
    const QStringList cells{dateTime(a.createdAt),
                            a.problemId,
                            a.topic,
                            QString::number(a.difficulty),
                            a.answer,
                            a.effectiveCorrect() ? tr("✓ correct") : tr("✗ wrong"),
                            tr("%1 s").arg(double(a.millisTaken) / 1000.0, 0, 'f', 0)};
    for (int c = 0; c < cells.size(); ++c) history_->setItem(i, c, new QTableWidgetItem(cells[c]));
  }
  history_->resizeColumnsToContents();

  solutions_->setRowCount(int(solutions.size()));
  for (int i = 0; i < solutions.size(); ++i) {
    const auto& s = solutions[i];
    const QString kind = s.mode == QLatin1String("hint")      ? tr("Hint")
                         : s.mode == QLatin1String("explain") ? tr("Explanation")
                                                               : tr("Full solution");
    QString result = tr("no answer key");
    if (s.cancelled) result = tr("stopped");
    else if (s.correct) result = *s.correct ? tr("✓ verified") : tr("✗ incorrect");
    else if (s.finalAnswer.isEmpty()) result = tr("no final answer");
    const QStringList cells{dateTime(s.createdAt), s.problemId, kind, QString::number(s.tokenCount), result};
    for (int c = 0; c < cells.size(); ++c) solutions_->setItem(i, c, new QTableWidgetItem(cells[c]));
    solutions_->item(i, 0)->setData(Qt::UserRole, s.id);
  }
  solutions_->resizeColumnsToContents();
  openSolution_->setEnabled(!solutions.isEmpty());
}

void ProgressView::fillCharts(const QList<app::AccuracyPoint>& points, const QList<app::TopicMastery>& mastery) {
  const bool dark = theme_ == QLatin1String("dark");
  const auto chartTheme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;

  // Accuracy: one line per topic, the weeks' attempts of every level pooled.
  auto* acc = new QChart;
  acc->setTheme(chartTheme);
  acc->setTitle(tr("Accuracy by topic, per week"));
  QMap<QString, QMap<QDate, std::pair<int, int>>> byTopic;  // topic → week → (correct, attempts)
  for (const auto& p : points) {
    auto& cell = byTopic[p.topic][p.weekStart];
    cell.first += p.correct;
    cell.second += p.attempts;
  }
  auto* xAxis = new QDateTimeAxis;
  xAxis->setFormat(QStringLiteral("d MMM"));
  xAxis->setTitleText(tr("Week"));
  auto* yAxis = new QValueAxis;
  yAxis->setRange(0, 100);
  yAxis->setLabelFormat(QStringLiteral("%d%%"));
  acc->addAxis(xAxis, Qt::AlignBottom);
  acc->addAxis(yAxis, Qt::AlignLeft);
  QDate minWeek, maxWeek;
  for (auto t = byTopic.cbegin(); t != byTopic.cend(); ++t) {
    auto* series = new QLineSeries;
    series->setName(t.key());
    series->setPointsVisible(true);
    for (auto w = t->cbegin(); w != t->cend(); ++w) {
      series->append(double(w.key().startOfDay().toMSecsSinceEpoch()), 100.0 * w->first / std::max(1, w->second));
      if (!minWeek.isValid() || w.key() < minWeek) minWeek = w.key();
      if (!maxWeek.isValid() || w.key() > maxWeek) maxWeek = w.key();
    }
    acc->addSeries(series);
    series->attachAxis(xAxis);
    series->attachAxis(yAxis);
  }
  if (minWeek.isValid()) {
    // At least two weeks wide, so a single week is a visible point.
    xAxis->setRange(minWeek.addDays(-7).startOfDay(), std::max(maxWeek, minWeek.addDays(7)).startOfDay());
  }
  QChart* oldAcc = accuracyChart_->chart();
  accuracyChart_->setChart(acc);
  delete oldAcc;

  // Mastery: one bar per topic, 0 (none) .. 4 (mastered).
  auto* mas = new QChart;
  mas->setTheme(chartTheme);
  mas->setTitle(tr("Mastery per topic"));
  mas->legend()->hide();
  auto* set = new QBarSet(tr("Mastery"));
  masteryTopics_.clear();
  for (const auto& m : mastery) {
    masteryTopics_ << m.topic;
    *set << double(int(m.level));
  }
  auto* bars = new QHorizontalBarSeries;
  bars->append(set);
  mas->addSeries(bars);
  auto* topics = new QBarCategoryAxis;
  topics->append(masteryTopics_);
  auto* levels = new QValueAxis;
  levels->setRange(0, 4);
  levels->setTickCount(5);
  levels->setLabelFormat(QStringLiteral("%d"));
  levels->setTitleText(tr("1 attempted · 2 familiar · 3 proficient · 4 mastered"));
  mas->addAxis(topics, Qt::AlignLeft);
  mas->addAxis(levels, Qt::AlignBottom);
  bars->attachAxis(topics);
  bars->attachAxis(levels);
  QChart* oldMas = masteryChart_->chart();
  masteryChart_->setChart(mas);
  delete oldMas;
  QStringList tips;
  for (const auto& m : mastery) tips << QStringLiteral("%1: %2 — %3").arg(m.topic, app::masteryName(m.level), m.reason);
  masteryChart_->setToolTip(tips.join(QLatin1Char('\n')));
}

void ProgressView::setTheme(const QString& theme) {
  theme_ = theme;
  heatmap_->setDark(theme == QLatin1String("dark"));
  refresh();
}

}  // namespace zaya::ui
