// The class grid of one set (rows: roster ids; columns: problems), its table
// model and its CSV export (RFC 4180).
#include <QDateTime>
#include <QSaveFile>

#include "classroom_service.h"
#include "teacher_records.h"

namespace zaya::app {

namespace {

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF,
// quotes doubled. A field a spreadsheet would run as a formula (= + - @, or
// a leading tab or CR) gets a leading apostrophe, so a student named
// "=HYPERLINK(…)" stays a name.
QString csvField(const QString& value) {
  QString s = value;
  if (!s.isEmpty() && QStringLiteral("=+-@\t\r").contains(s.front())) s.prepend(QLatin1Char('\''));
  if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n')) ||
      s.contains(QLatin1Char('\r'))) {
    s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    s = QLatin1Char('"') + s + QLatin1Char('"');
  }
  return s;
}

QString yesNo(bool b) { return b ? QStringLiteral("yes") : QStringLiteral("no"); }

QString verdictWord(GridCell::State s) {
  switch (s) {
    case GridCell::State::Correct: return QStringLiteral("correct");
    case GridCell::State::Incorrect: return QStringLiteral("incorrect");
    case GridCell::State::Unanswered: return QStringLiteral("unanswered");
    case GridCell::State::Missing: return {};
  }
  return {};
}

}  // namespace

ClassGrid ClassroomService::grid(qint64 setId) {
  auth_.requireTeacher();
  const auto set = db_.set(setId);
  if (!set || !set->classId) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class problem set with id %1.").arg(setId));
  const QByteArray& key = auth_.recordsKey();
  ClassGrid g;
  g.setUuid = set->uuid;
  g.setTitle = set->title;
  g.problemIds = set->problemIds;
  const auto results = db_.importedResults(*set->classId, set->uuid);
  // Rows by roster id: the roster's current names (a rename keeps the row),
  // then ids with results that are no longer on the roster.
  QHash<QString, int> rowOf;
  QSet<QString> tamperedRows;
  for (const auto& p : db_.classMembers(*set->classId)) {
    if (!p.isRoster) continue;
    rowOf.insert(p.uuid, int(g.studentNames.size()));
    g.studentNames << p.name;
    g.studentUuids << p.uuid;
    if (!teacher_records::verifies(key, p)) tamperedRows.insert(p.uuid);
  }
  QSet<QString> reported;
  for (const auto& r : results) {
    reported.insert(r.studentUuid);
    if (rowOf.contains(r.studentUuid)) continue;
    rowOf.insert(r.studentUuid, int(g.studentNames.size()));
    g.studentNames << r.studentName + QStringLiteral(" (not on the roster)");
    g.studentUuids << r.studentUuid;
  }
  for (qsizetype row = 0; row < g.studentNames.size(); ++row) {
    QList<GridCell> cells(g.problemIds.size());
    if (reported.contains(g.studentUuids[row]))
      for (auto& c : cells) c.state = GridCell::State::Unanswered;
    if (tamperedRows.contains(g.studentUuids[row]))
      for (auto& c : cells) c.tampered = true;
    g.cells << cells;
  }
  for (const auto& r : results) {
    const int row = rowOf.value(r.studentUuid);
    const int col = int(g.problemIds.indexOf(r.problemId));
    if (col < 0) continue;
    GridCell& c = g.cells[row][col];
    c.state = r.correct ? GridCell::State::Correct : GridCell::State::Incorrect;
    c.answer = r.answer;
    c.firstAnswer = r.firstAnswer;
    c.seconds = r.millisTaken / 1000.0;
    c.hintsUsed = r.hintsUsed;
    c.explanationsUsed = r.explanationsUsed;
    c.questionsAsked = r.questionsAsked;
    c.modelSolutionViewed = r.modelSolutionViewed;
    c.referenceSolutionViewed = r.referenceSolutionViewed;
    c.helpAfterDue = r.helpAfterDue;
    c.attempts = r.attempts;
    c.claimedCorrect = r.claimedCorrect;
    c.disagrees = r.claimedCorrect != r.correct;
    if (!teacher_records::verifies(key, r)) {
      c.tampered = true;
      ++g.tamperedRecords;
    }
  }
  return g;
}

void ClassroomService::exportCsv(qint64 setId, const QString& file) {
  const ClassGrid g = grid(setId);
  // One column per field; the score as two numbers (never "2/3", which
  // spreadsheets read as a date).
  static const QStringList kFields = {
      QStringLiteral("verdict"),       QStringLiteral("file verdict"),         QStringLiteral("first answer"),
      QStringLiteral("last answer"),   QStringLiteral("attempts"),             QStringLiteral("active seconds"),
      QStringLiteral("hints"),         QStringLiteral("explanations"),         QStringLiteral("questions"),
      QStringLiteral("model solution"), QStringLiteral("reference solution"), QStringLiteral("help after due date"),
      QStringLiteral("tampered")};
  QStringList header = {QStringLiteral("student"), QStringLiteral("student id")};
  for (const QString& id : g.problemIds)
    for (const QString& f : kFields) header << id + QStringLiteral(" ") + f;
  header << QStringLiteral("correct") << QStringLiteral("problems");
  QString out;
  const auto line = [&out](const QStringList& fields) {
    QStringList quoted;
    for (const QString& f : fields) quoted << csvField(f);
    out += quoted.join(QLatin1Char(',')) + QStringLiteral("\r\n");
  };
  line(header);
  for (qsizetype row = 0; row < g.studentNames.size(); ++row) {
    QStringList fields = {g.studentNames[row], g.studentUuids[row]};
    for (const auto& c : g.cells[row]) {
      const bool answered = c.state == GridCell::State::Correct || c.state == GridCell::State::Incorrect;
      if (!answered) {
        fields << verdictWord(c.state);
        for (int i = 1; i < kFields.size(); ++i) fields << QString();
        continue;
      }
      fields << verdictWord(c.state) << (c.claimedCorrect ? QStringLiteral("correct") : QStringLiteral("incorrect"))
             << c.firstAnswer << c.answer << QString::number(c.attempts) << QString::number(qRound64(c.seconds))
             << QString::number(c.hintsUsed) << QString::number(c.explanationsUsed) << QString::number(c.questionsAsked)
             << yesNo(c.modelSolutionViewed) << yesNo(c.referenceSolutionViewed) << yesNo(c.helpAfterDue)
             << yesNo(c.tampered);
    }
    fields << QString::number(g.correctCount(int(row))) << QString::number(g.problemIds.size());
    line(fields);
  }
  writeFileAtomically(file, out.toUtf8());
}

// --- grid model ------------------------------------------------------------------

ClassGridModel::ClassGridModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassGridModel::setGrid(const ClassGrid& grid) {
  beginResetModel();
  grid_ = grid;
  endResetModel();
}

int ClassGridModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(grid_.studentNames.size()); }

int ClassGridModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(grid_.problemIds.size()) + 1;
}

namespace {

// "1:05" for 65 s: what a teacher reads at a glance.
QString minutes(double seconds) {
  const int s = int(seconds + 0.5);
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// "1 hint · 2 questions · model solution": the help in a few words.
QStringList helpWords(const GridCell& c) {
  QStringList w;
  const auto count = [&w](int n, const QString& one, const QString& many) {
    if (n == 1) w << one;
    if (n > 1) w << many.arg(n);
  };
  count(c.hintsUsed, QStringLiteral("1 hint"), QStringLiteral("%1 hints"));
  count(c.explanationsUsed, QStringLiteral("1 explanation"), QStringLiteral("%1 explanations"));
  count(c.questionsAsked, QStringLiteral("1 question"), QStringLiteral("%1 questions"));
  if (c.modelSolutionViewed) w << QStringLiteral("model solution");
  if (c.referenceSolutionViewed) w << QStringLiteral("reference solution");
  return w;
}

}  // namespace

QVariant ClassGridModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  if (index.column() == int(grid_.problemIds.size())) {
    if (role == Qt::DisplayRole)
      return QStringLiteral("%1 of %2").arg(grid_.correctCount(index.row())).arg(grid_.problemIds.size());
    return {};
  }
  const GridCell& c = grid_.cells[index.row()][index.column()];
  const QStringList help = helpWords(c);
  switch (role) {
    case Qt::DisplayRole: {
      // The verdict first (the CSV and the tests read it), then time, attempts and help.
      QString mark;
      switch (c.state) {
        case GridCell::State::Correct: mark = QStringLiteral("✓"); break;
        case GridCell::State::Incorrect: mark = QStringLiteral("✗"); break;
        case GridCell::State::Unanswered: return c.tampered ? QStringLiteral("– ⚠") : QStringLiteral("–");
        case GridCell::State::Missing: return c.tampered ? QStringLiteral("⚠") : QString();
      }
      QString text = QStringLiteral("%1 %2").arg(mark, minutes(c.seconds));
      if (c.attempts > 1) text += QStringLiteral(" · %1 attempts").arg(c.attempts);
      if (!help.isEmpty()) text += QStringLiteral(" · ") + help.join(QStringLiteral(" · "));
      if (c.disagrees || c.tampered) text += QStringLiteral(" ⚠");
      return text;
    }
    case Qt::ToolTipRole: {
      QStringList lines;
      if (c.tampered)
        lines << QStringLiteral("Tampered: this record was changed outside teacher mode (its signature does not match).");
      switch (c.state) {
        case GridCell::State::Missing: lines << QStringLiteral("No results file from this student yet"); break;
        case GridCell::State::Unanswered: lines << QStringLiteral("Not answered"); break;
        default:
          lines << QStringLiteral("Last answer: %1").arg(c.answer);
          if (c.attempts > 1) lines << QStringLiteral("First answer: %1").arg(c.firstAnswer);
          lines << QStringLiteral("Re-graded here: %1").arg(c.state == GridCell::State::Correct ? QStringLiteral("correct")
                                                                                               : QStringLiteral("incorrect"));
          if (c.disagrees)
            lines << QStringLiteral("The file says %1; re-graded here: %2.")
                         .arg(c.claimedCorrect ? QStringLiteral("correct") : QStringLiteral("incorrect"),
                              c.claimedCorrect ? QStringLiteral("incorrect") : QStringLiteral("correct"));
          lines << QStringLiteral("Time: %1 min · attempts: %2").arg(minutes(c.seconds)).arg(c.attempts);
          lines << QStringLiteral("Help before the due date: %1")
                       .arg(help.isEmpty() ? QStringLiteral("none") : help.join(QStringLiteral(", ")));
          if (c.helpAfterDue) lines << QStringLiteral("Help used after the due date (not counted)");
      }
      return lines.join(QLatin1Char('\n'));
    }
    case AnswerRole: return c.answer;
    case StateRole: return int(c.state);
    case SecondsRole: return c.seconds;
    case HintsRole: return c.hintsUsed;
    case AttemptsRole: return c.attempts;
    case DisagreesRole: return c.disagrees;
    case TamperedRole: return c.tampered;
    default: return {};
  }
}

QVariant ClassGridModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) return grid_.studentNames.value(section);
  return section == int(grid_.problemIds.size()) ? QStringLiteral("Score") : grid_.problemIds.value(section);
}

}  // namespace zaya::app
