#include "assignments_view.h"

#include <algorithm>

#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "app_context.h"
#include "screen_page.h"
#include "set_printer.h"

namespace zaya::ui {

AssignmentsView::AssignmentsView(AppContext* context, QWidget* parent)
    : QWidget(parent),
      ctx_(context),
      table_(new QTableWidget(0, 4, this)),
      open_(new QPushButton(tr("Open"), this)),
      export_(new QPushButton(tr("Export results…"), this)),
      printWorksheet_(new QPushButton(tr("Print worksheet…"), this)),
      printKey_(new QPushButton(tr("Print answer key…"), this)),
      join_(new QPushButton(tr("Join class…"), this)),
      import_(new QPushButton(tr("Import problem set…"), this)),
      empty_(new QLabel(this)),
      message_(new QLabel(this)) {
  QVBoxLayout* page = addScrollingPage(this);
  page->addWidget(screenHeading(tr("Assignments"), this));
  table_->setHorizontalHeaderLabels({tr("Set"), tr("Due"), tr("Solved"), tr("Status")});
  table_->setAccessibleName(tr("Assigned problem sets"));
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  for (int c = 1; c < 4; ++c) table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  table_->setMinimumHeight(220);
  page->addWidget(table_, 1);
  empty_->setText(tr("No assignments yet. Join your teacher's class with the class file, then import the problem "
                     "sets they give you."));
  empty_->setWordWrap(true);
  page->addWidget(empty_);
  auto* row = new QHBoxLayout;
  for (QPushButton* b : {open_, export_, printWorksheet_, printKey_}) row->addWidget(b);
  row->addStretch(1);
  for (QPushButton* b : {join_, import_}) row->addWidget(b);
  page->addLayout(row);
  message_->setTextFormat(Qt::PlainText);  // it quotes set titles and file names
  message_->setWordWrap(true);
  message_->setAccessibleName(tr("Assignments message"));
  page->addWidget(message_);
  page->addStretch(1);

  open_->setToolTip(tr("Work through the set's problems in order"));
  export_->setToolTip(tr("Write your results of the selected set to a file for your teacher"));
  printWorksheet_->setToolTip(tr("Print the selected set's problems to PDF, with room to work under each"));
  connect(printWorksheet_, &QPushButton::clicked, this, [this] { printWithDialog(PrintRequest::Kind::Worksheet); });
  connect(printKey_, &QPushButton::clicked, this, [this] { printWithDialog(PrintRequest::Kind::AnswerKey); });
  connect(table_, &QTableWidget::itemSelectionChanged, this, &AssignmentsView::updateButtons);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this] { openSelected(); });
  connect(open_, &QPushButton::clicked, this, [this] { openSelected(); });
  connect(export_, &QPushButton::clicked, this, &AssignmentsView::exportResults);
  connect(join_, &QPushButton::clicked, this, &AssignmentsView::joinClass);
  connect(import_, &QPushButton::clicked, this, &AssignmentsView::importSet);

  whichStudent = [this](const QString& rosterName, const QList<app::Profile>& offered) -> std::optional<qint64> {
    QStringList items;
    for (const auto& p : offered) items << p.name;
    const QString fresh = tr("A new profile named %1").arg(rosterName);
    items << fresh;
    bool ok = false;
    const QString picked = QInputDialog::getItem(
        this, tr("Which student are you?"),
        tr("This class file is for %1. Which profile on this computer is theirs?").arg(rosterName), items, 0, false, &ok);
    if (!ok) return std::nullopt;
    if (picked == fresh) return qint64(0);
    return offered.value(int(items.indexOf(picked))).id;
  };
  replaceChangedSet = [this](const app::ProblemSet& stored) -> std::optional<bool> {
    QMessageBox box(QMessageBox::Question, tr("The set has changed"),
                    tr("Your teacher changed “%1” since you imported it. Replace it with the new version (your "
                       "answers are kept), or keep both?")
                        .arg(stored.title),
                    QMessageBox::Cancel, this);
    box.setTextFormat(Qt::PlainText);
    QPushButton* replace = box.addButton(tr("Replace"), QMessageBox::AcceptRole);
    QPushButton* both = box.addButton(tr("Keep both"), QMessageBox::ActionRole);
    box.exec();
    if (box.clickedButton() == replace) return true;
    if (box.clickedButton() == both) return false;
    return std::nullopt;
  };
  if (ctx_) {
    connect(ctx_, &AppContext::dataReplaced, this, &AssignmentsView::refresh);  // another student, a restored backup
  }
  refresh();
}

void AssignmentsView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refresh();
  QTimer::singleShot(0, this, &AssignmentsView::rendered);
}

void AssignmentsView::say(const QString& text) { message_->setText(text); }

void AssignmentsView::refresh() {
  const qint64 keep = selectedSetId();
  table_->setRowCount(0);
  QList<app::ProblemSet> sets;
  QHash<QString, app::ProblemStatus> statuses;
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  sets_.clear();
  if (ctx_ && ctx_->ok() && ctx_->studentId() && !ctx_->auth().isTeacher()) {
    try {
      sets = ctx_->classroom().mySets();
      sets_ = sets;
      statuses = ctx_->progress().problemStatuses(ctx_->studentId(), now);
    } catch (const app::AppError& e) {
      say(tr("Your assignments cannot be read: %1").arg(e.message()));
    }
  }
  for (const app::ProblemSet& s : sets) {
    int solved = 0;
    for (const QString& id : s.problemIds) solved += statuses.value(id).standing == app::ProblemStanding::Solved;
    const bool overdue = s.dueAt && now >= *s.dueAt && solved < s.problemIds.size();
    const int r = table_->rowCount();
    table_->insertRow(r);
    // Table items never read markup: the teacher's title is shown as typed.
    auto* title = new QTableWidgetItem(s.title);
    title->setData(Qt::UserRole, s.id);
    table_->setItem(r, 0, title);
    table_->setItem(r, 1, new QTableWidgetItem(s.dueAt ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(*s.dueAt).date(),
                                                                             QLocale::ShortFormat)
                                                       : tr("no due date")));
    table_->setItem(r, 2, new QTableWidgetItem(tr("%1 of %2 solved").arg(solved).arg(s.problemIds.size())));
    QString status = solved == s.problemIds.size() ? tr("Done") : overdue ? tr("Overdue") : tr("Open");
    if (s.dueAt && now >= *s.dueAt && !overdue) status = tr("Done, past the due date");
    auto* st = new QTableWidgetItem(status);
    if (overdue) {
      QFont f = st->font();
      f.setBold(true);
      st->setFont(f);
      st->setForeground(QColor(palette().color(QPalette::Window).lightness() < 128 ? "#ff7b7b" : "#c62828"));
      st->setToolTip(tr("The due date has passed; the teacher's rules no longer apply to these problems"));
    }
    table_->setItem(r, 3, st);
  }
  table_->setVisible(!sets.isEmpty());
  empty_->setVisible(sets.isEmpty());
  if (!select(keep) && !sets.isEmpty()) table_->selectRow(0);
  updateButtons();
}

qint64 AssignmentsView::selectedSetId() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return 0;
  const QTableWidgetItem* item = table_->item(rows.first().row(), 0);
  return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

bool AssignmentsView::select(qint64 setId) {
  for (int r = 0; setId && r < table_->rowCount(); ++r)
    if (table_->item(r, 0)->data(Qt::UserRole).toLongLong() == setId) {
      table_->selectRow(r);
      return true;
    }
  return false;
}

void AssignmentsView::updateButtons() {
  const bool student = ctx_ && ctx_->ok() && !ctx_->auth().isTeacher();
  const bool writable = student && !ctx_->database().isReadOnly();
  open_->setEnabled(selectedSetId() != 0);
  export_->setEnabled(student && selectedSetId() != 0);
  join_->setEnabled(writable);
  import_->setEnabled(writable);
  const auto set = selectedSet();
  printWorksheet_->setEnabled(student && set);
  const QString refusal = set ? answerKeyRefusal(*set, QDateTime::currentMSecsSinceEpoch()) : QString();
  printKey_->setEnabled(student && set && refusal.isEmpty());
  printKey_->setToolTip(!set ? tr("Select a set first")
                        : refusal.isEmpty() ? tr("Print the set's keys and reference solutions to PDF")
                                            : refusal);
}

std::optional<app::ProblemSet> AssignmentsView::selectedSet() const {
  const qint64 id = selectedSetId();
  for (const app::ProblemSet& s : sets_)
    if (id && s.id == id) return s;
  return std::nullopt;
}

QString AssignmentsView::answerKeyRefusal(const app::ProblemSet& set, qint64 nowMs) {
  if (!set.allowReference)
    return tr("Your teacher's rules for “%1” do not include reference solutions, so it has no answer key to print.")
        .arg(set.title);
  if (!set.dueAt)
    return tr("The answer key can be printed once the set's due date has passed, and “%1” has no due date.").arg(set.title);
  if (nowMs < *set.dueAt)
    return tr("The answer key can be printed once “%1” is past its due date (%2).")
        .arg(set.title, QLocale().toString(QDateTime::fromMSecsSinceEpoch(*set.dueAt), QLocale::ShortFormat));
  return {};
}

std::optional<PrintRequest> AssignmentsView::requestFor(PrintRequest::Kind kind) {
  const auto set = selectedSet();
  if (!set || !ctx_ || !ctx_->ok() || ctx_->auth().isTeacher()) {
    say(tr("Select one of your assigned sets first."));
    return std::nullopt;
  }
  // Checked again here, not only by the button: the due date is read now.
  if (kind == PrintRequest::Kind::AnswerKey)
    if (const QString refusal = answerKeyRefusal(*set, QDateTime::currentMSecsSinceEpoch()); !refusal.isEmpty()) {
      say(refusal);
      return std::nullopt;
    }
  QString error;
  auto request = printRequestForSet(*set, ctx_->bank(), kind, &error);
  if (!request) say(error);
  return request;
}

bool AssignmentsView::printSelected(PrintRequest::Kind kind, const QString& pdfPath) {
  const auto request = requestFor(kind);
  if (!request) return false;
  return printSetTo(this, *request, pdfPath, [this](const QString& text, bool isError) {
    say(text);
    emit printFinished(!isError);
  });
}

void AssignmentsView::printWithDialog(PrintRequest::Kind kind) {
  const auto request = requestFor(kind);
  if (!request) return;
  printSetWithDialog(this, *request, [this](const QString& text, bool isError) {
    say(text);
    emit printFinished(!isError);
  });
}

bool AssignmentsView::openSelected() {
  const qint64 id = selectedSetId();
  if (!id) return false;
  for (const app::ProblemSet& s : ctx_->classroom().mySets())
    if (s.id == id) {
      emit openRequested(s.id, s.title, s.problemIds);
      return true;
    }
  return false;
}

bool AssignmentsView::joinClassFile(const QString& file) {
  if (!ctx_ || !ctx_->ok()) return false;
  auto& cs = ctx_->classroom();
  try {
    // A class file for one roster student: the profile that is theirs signs in
    // first, since joining links the signed-in profile to the roster entry.
    if (const app::ClassFileInfo info = cs.readClassFile(file); !info.studentId.isEmpty()) {
      QList<app::Profile> offered = ctx_->profiles().students();
      std::stable_partition(offered.begin(), offered.end(), [&](const app::Profile& p) {
        return p.name.compare(info.studentName, Qt::CaseInsensitive) == 0;
      });
      const auto choice = whichStudent ? whichStudent(info.studentName, offered) : std::optional<qint64>(ctx_->studentId());
      if (!choice) {
        say(tr("Nothing was joined."));
        return false;
      }
      const qint64 id = *choice ? *choice : ctx_->profiles().create(info.studentName).id;
      if (id != ctx_->studentId()) ctx_->switchStudent(id);
    }
    const app::ClassInfo c = cs.joinClass(file);
    say(tr("You joined %1.").arg(c.name));
    refresh();
    emit assignmentsChanged();
    return true;
  } catch (const app::AppError& e) {
    say(e.message());
    return false;
  }
}

bool AssignmentsView::importSetFile(const QString& file) {
  if (!ctx_ || !ctx_->ok()) return false;
  auto& cs = ctx_->classroom();
  try {
    std::optional<bool> replace;
    if (const auto stored = cs.changedSetFor(file)) {
      replace = replaceChangedSet ? replaceChangedSet(*stored) : std::nullopt;
      if (!replace) {
        say(tr("“%1” was left as it was.").arg(stored->title));
        return false;
      }
    }
    using Conflict = app::ClassroomService::SetConflict;
    const app::ProblemSet s = cs.importSet(file, !replace ? Conflict::Ask : *replace ? Conflict::Replace : Conflict::KeepBoth);
    refresh();
    select(s.id);
    say(tr("“%1” is assigned to you: open it to start.").arg(s.title));
    emit assignmentsChanged();
    return true;
  } catch (const app::AppError& e) {
    say(e.message());
    return false;
  }
}

bool AssignmentsView::exportResultsTo(qint64 setId, const QString& file) {
  if (!ctx_ || !ctx_->ok()) return false;
  try {
    ctx_->classroom().exportResults(setId, file);
    say(tr("Results written to %1 — hand the file to your teacher.").arg(file));
    return true;
  } catch (const app::AppError& e) {
    say(e.message());
    return false;
  }
}

void AssignmentsView::joinClass() {
  const QString f = QFileDialog::getOpenFileName(this, tr("Join class"), {}, tr("Class files (*.json)"));
  if (!f.isEmpty()) joinClassFile(f);
}

void AssignmentsView::importSet() {
  const QString f = QFileDialog::getOpenFileName(this, tr("Import problem set"), {}, tr("Problem sets (*.json)"));
  if (!f.isEmpty()) importSetFile(f);
}

void AssignmentsView::exportResults() {
  if (!ctx_ || !ctx_->ok()) return;
  qint64 id = selectedSetId();
  QString title;
  try {
    const QList<app::ProblemSet> sets = ctx_->classroom().mySets();
    if (!id && !sets.isEmpty()) id = sets.back().id;  // the newest when none is selected
    for (const app::ProblemSet& s : sets)
      if (s.id == id) title = s.title;
  } catch (const app::AppError& e) {
    say(e.message());
    return;
  }
  if (!id) {
    say(tr("No problem set has been assigned to you yet."));
    return;
  }
  const QString f = QFileDialog::getSaveFileName(this, tr("Export results of “%1”").arg(title),
                                                 title + QStringLiteral(" results.json"), tr("Results files (*.json)"));
  if (!f.isEmpty()) exportResultsTo(id, f);
}

}  // namespace zaya::ui
