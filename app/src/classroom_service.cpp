#include "classroom_service.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QUuid>

#include "zaya/problems/problem_set.h"

namespace zaya::app {

namespace pr = zaya::problems;

namespace {

constexpr const char* kClassFormat = "zaya-class";
constexpr int kClassFormatVersion = 1;

std::string utf8(const QString& s) { return s.toStdString(); }
QString qs(const std::string& s) { return QString::fromStdString(s); }

QString isoNow() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODate); }

QString csvField(const QString& s) {
  if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))) return s;
  QString q = s;
  q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
  return QLatin1Char('"') + q + QLatin1Char('"');
}

}  // namespace

int ClassGrid::correctCount(int row) const {
  int n = 0;
  for (const auto& c : cells.value(row))
    if (c.state == GridCell::State::Correct) ++n;
  return n;
}

ClassroomService::ClassroomService(AuthService& auth, std::function<bool(std::string_view)> isBankId, QObject* parent)
    : QObject(parent), auth_(auth), db_(auth.database()), isBankId_(std::move(isBankId)) {}

QByteArray ClassroomService::readImportFile(const QString& file) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly))
    throw AppError(AppError::Kind::NotFound, QStringLiteral("Cannot open %1: %2").arg(file, f.errorString()));
  if (f.size() > qint64(pr::kMaxImportBytes))
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is too large (%2 bytes) to be a ZAYA Tutor file.").arg(file).arg(f.size()));
  return f.readAll();
}

void ClassroomService::writeFileAtomically(const QString& file, const QByteArray& bytes) {
  QSaveFile f(file);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
    throw AppError(AppError::Kind::Storage, QStringLiteral("Cannot write %1: %2").arg(file, f.errorString()));
}

QByteArray ClassroomService::resultsTag(const pr::Results& results, const QByteArray& key) {
  const std::string canonical = pr::results_canonical_bytes(results);
  return QMessageAuthenticationCode::hash(QByteArray::fromStdString(canonical), key, QCryptographicHash::Sha256).toHex();
}

// --- teacher ------------------------------------------------------------------

ClassInfo ClassroomService::createClass(const QString& name) {
  const Profile& me = auth_.requireTeacher();
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The class name is empty."));
  ClassInfo c;
  c.name = name.trimmed();
  c.hmacKey.resize(32);
  QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(c.hmacKey.data()),
                                       reinterpret_cast<quint32*>(c.hmacKey.data() + 32));
  db_.write([&] {
    c.id = db_.insertClass(c);
    db_.setProfileClass(me.id, c.id);  // the teacher belongs to the class they made last
  });
  return *db_.classById(c.id);
}

QList<ClassInfo> ClassroomService::classes() {
  auth_.requireTeacher();
  return db_.classes();
}

Profile ClassroomService::addStudent(qint64 classId, const QString& name) {
  auth_.requireTeacher();
  if (!db_.classById(classId)) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The student's name is empty."));
  Profile p;
  p.name = name.trimmed();
  p.role = Role::Student;
  p.classId = classId;
  return *db_.profile(db_.insertProfile(p));
}

QList<Profile> ClassroomService::students(qint64 classId) {
  auth_.requireTeacher();
  QList<Profile> out;
  for (const auto& p : db_.classMembers(classId))
    if (p.role == Role::Student) out << p;
  return out;
}

void ClassroomService::exportClassFile(qint64 classId, const QString& file) {
  auth_.requireTeacher();
  const auto c = db_.classById(classId);
  if (!c) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  const QJsonObject o{{"format", kClassFormat},
                      {"version", kClassFormatVersion},
                      {"class_id", c->uuid},
                      {"name", c->name},
                      {"key", QString::fromLatin1(c->hmacKey.toBase64())}};
  writeFileAtomically(file, QJsonDocument(o).toJson());
}

ProblemSet ClassroomService::createSet(qint64 classId, const QString& title, const QStringList& problemIds,
                                       std::optional<QDate> due, bool allowHints, bool allowModelSolutions) {
  auth_.requireTeacher();
  const auto c = db_.classById(classId);
  if (!c) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  pr::ProblemSet s;
  s.set_id = utf8(QUuid::createUuid().toString(QUuid::WithoutBraces));
  s.title = utf8(title.trimmed());
  s.created_at = utf8(isoNow());
  if (due) s.due = utf8(due->toString(Qt::ISODate));
  s.allow_hints = allowHints;
  s.allow_model_solutions = allowModelSolutions;
  for (const QString& id : problemIds) s.items.push_back(pr::SetItem{utf8(id), std::nullopt, 1.0});
  const std::string bytes = pr::export_problem_set(s);
  // Validate what we would hand out exactly as a student's app will read it.
  const auto check = pr::import_problem_set(bytes, isBankId_);
  if (!check) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The set is not valid: %1").arg(qs(check.error)));
  ProblemSet row;
  row.uuid = qs(s.set_id);
  row.classId = classId;
  row.classUuid = c->uuid;
  row.title = title.trimmed();
  row.problemIds = problemIds;
  if (due) row.dueAt = QDateTime(*due, QTime(23, 59, 59)).toMSecsSinceEpoch();
  row.allowHints = allowHints;
  row.allowSolutions = allowModelSolutions;
  row.fileJson = QByteArray::fromStdString(bytes);
  return *db_.set(db_.insertSet(row));
}

QList<ProblemSet> ClassroomService::sets(qint64 classId) {
  auth_.requireTeacher();
  return db_.setsOfClass(classId);
}

void ClassroomService::exportSet(qint64 setId, const QString& file) {
  auth_.requireTeacher();
  const auto s = db_.set(setId);
  if (!s || !s->classId) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class problem set with id %1.").arg(setId));
  writeFileAtomically(file, s->fileJson);
}

pr::ProblemSet ClassroomService::parseStoredSet(const ProblemSet& set) const {
  // Stored sets were validated on the way in; custom problems and bank ids
  // of a newer bank must not make an old set unreadable.
  const auto parsed = pr::import_problem_set(set.fileJson.toStdString(), [](std::string_view) { return true; });
  if (!parsed) throw AppError(AppError::Kind::Corrupt, QStringLiteral("Stored set %1 is damaged: %2").arg(set.title, qs(parsed.error)));
  return *parsed.value;
}

ResultsImportSummary ClassroomService::importResults(const QString& file) {
  auth_.requireTeacher();
  const QByteArray bytes = readImportFile(file);
  // The set id is needed to find the set (and so the class key); read it with
  // the format's own parser first, then validate against the set.
  const auto loose = pr::import_results(bytes.toStdString(), nullptr);
  if (!loose) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not a valid results file: %2").arg(file, qs(loose.error)));
  const auto set = db_.setByUuid(qs(loose.value->set_id));
  if (!set || !set->classId)
    throw AppError(AppError::Kind::NotFound,
                   QStringLiteral("%1 answers a problem set this computer did not make (set %2).").arg(file, qs(loose.value->set_id)));
  const pr::ProblemSet stored = parseStoredSet(*set);
  const auto checked = pr::import_results(bytes.toStdString(), &stored);
  if (!checked) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 does not match its set: %2").arg(file, qs(checked.error)));
  const pr::Results& r = *checked.value;
  const auto cls = db_.classById(*set->classId);
  if (r.integrity_tag.empty())
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not signed; it was not exported by ZAYA Tutor.").arg(file));
  if (!constantTimeEquals(resultsTag(r, cls->hmacKey), QByteArray::fromStdString(r.integrity_tag)))
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("%1 was changed after it was exported (its integrity tag does not match), so it was "
                                  "not imported. Ask the student to export it again.")
                       .arg(file));
  ResultsImportSummary summary;
  summary.studentName = qs(r.student_name);
  summary.setTitle = set->title;
  QList<ImportedResult> rows;
  for (const auto& e : r.entries) {
    if (e.verdict == pr::Verdict3::Unanswered) continue;
    ImportedResult row;
    row.studentName = qs(r.student_name);
    row.problemId = qs(e.problem_id);
    row.answer = qs(e.answer);
    row.correct = e.verdict == pr::Verdict3::Correct;
    row.millisTaken = qint64(e.time_seconds * 1000.0);
    row.hintsUsed = e.hints_used;
    row.attemptedAt = QDateTime::fromString(qs(r.exported_at), Qt::ISODate).toMSecsSinceEpoch();
    rows << row;
    ++summary.answered;
    if (row.correct) ++summary.correct;
  }
  for (const auto& earlier : db_.importedResults(*set->classId, set->uuid))
    if (earlier.studentUuid == qs(r.student_id)) summary.replacedEarlier = true;
  db_.replaceImportedResults(*set->classId, set->uuid, qs(r.student_id), rows);
  emit resultsImported(set->id);
  return summary;
}

ClassGrid ClassroomService::grid(qint64 setId) {
  auth_.requireTeacher();
  const auto set = db_.set(setId);
  if (!set || !set->classId) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class problem set with id %1.").arg(setId));
  ClassGrid g;
  g.setUuid = set->uuid;
  g.setTitle = set->title;
  g.problemIds = set->problemIds;
  const auto results = db_.importedResults(*set->classId, set->uuid);
  // Rows: students with results (by their id), then roster members without any.
  QHash<QString, int> rowOf;
  for (const auto& r : results) {
    if (rowOf.contains(r.studentUuid)) continue;
    rowOf.insert(r.studentUuid, int(g.studentNames.size()));
    g.studentNames << r.studentName;
    g.studentUuids << r.studentUuid;
  }
  for (const auto& p : db_.classMembers(*set->classId)) {
    if (p.role != Role::Student) continue;
    bool present = false;
    for (const QString& n : g.studentNames) present |= n.compare(p.name, Qt::CaseInsensitive) == 0;
    if (present) continue;
    g.studentNames << p.name;
    g.studentUuids << QString();
  }
  for (qsizetype row = 0; row < g.studentNames.size(); ++row) {
    QList<GridCell> cells(g.problemIds.size());
    if (!g.studentUuids[row].isEmpty())
      for (auto& c : cells) c.state = GridCell::State::Unanswered;
    g.cells << cells;
  }
  for (const auto& r : results) {
    const int row = rowOf.value(r.studentUuid);
    const int col = int(g.problemIds.indexOf(r.problemId));
    if (col < 0) continue;
    GridCell& c = g.cells[row][col];
    c.state = r.correct ? GridCell::State::Correct : GridCell::State::Incorrect;
    c.answer = r.answer;
    c.seconds = r.millisTaken / 1000.0;
    c.hintsUsed = r.hintsUsed;
    c.attempts += 1;
  }
  return g;
}

void ClassroomService::exportCsv(qint64 setId, const QString& file) {
  const ClassGrid g = grid(setId);
  QString out = QStringLiteral("student");
  for (const QString& id : g.problemIds) out += QLatin1Char(',') + csvField(id);
  out += QStringLiteral(",score\n");
  for (qsizetype row = 0; row < g.studentNames.size(); ++row) {
    out += csvField(g.studentNames[row]);
    for (const auto& c : g.cells[row]) {
      out += QLatin1Char(',');
      switch (c.state) {
        case GridCell::State::Correct: out += QStringLiteral("correct"); break;
        case GridCell::State::Incorrect: out += QStringLiteral("incorrect"); break;
        case GridCell::State::Unanswered: out += QStringLiteral("unanswered"); break;
        case GridCell::State::Missing: break;
      }
    }
    out += QStringLiteral(",%1/%2\n").arg(g.correctCount(int(row))).arg(g.problemIds.size());
  }
  writeFileAtomically(file, out.toUtf8());
}

// --- student -------------------------------------------------------------------

ClassInfo ClassroomService::joinClass(const QString& file) {
  const Profile& me = auth_.requireSignedIn();
  const QByteArray bytes = readImportFile(file);
  QJsonParseError err{};
  const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
  const auto bad = [&](const QString& why) {
    return AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not a valid class file: %2").arg(file, why));
  };
  if (err.error != QJsonParseError::NoError || !doc.isObject()) throw bad(QStringLiteral("not JSON (%1)").arg(err.errorString()));
  const QJsonObject o = doc.object();
  if (o.value("format").toString() != QLatin1String(kClassFormat)) throw bad(QStringLiteral("format: expected \"zaya-class\""));
  if (o.value("version").toInt() != kClassFormatVersion) throw bad(QStringLiteral("version: expected 1"));
  const QString uuid = o.value("class_id").toString();
  const QString name = o.value("name").toString();
  const QByteArray key = QByteArray::fromBase64(o.value("key").toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
  if (QUuid::fromString(uuid).isNull()) throw bad(QStringLiteral("class_id: not a UUID"));
  if (name.trimmed().isEmpty()) throw bad(QStringLiteral("name: empty"));
  if (key.size() != 32) throw bad(QStringLiteral("key: expected 32 bytes in base64"));
  qint64 classId = 0;
  db_.write([&] {
    if (const auto existing = db_.classByUuid(uuid)) {
      if (existing->hmacKey != key) throw bad(QStringLiteral("key: differs from the key this computer has for that class"));
      classId = existing->id;
    } else {
      ClassInfo c;
      c.uuid = uuid;
      c.name = name.trimmed();
      c.hmacKey = key;
      classId = db_.insertClass(c);
    }
    db_.setProfileClass(me.id, classId);
  });
  return *db_.classById(classId);
}

ProblemSet ClassroomService::importSet(const QString& file) {
  const Profile& me = auth_.requireSignedIn();
  const auto profile = db_.profile(me.id);
  if (!profile->classId)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("Join your class first (open the class file from your teacher), then open the set."));
  const auto cls = db_.classById(*profile->classId);
  const QByteArray bytes = readImportFile(file);
  const auto parsed = pr::import_problem_set(bytes.toStdString(), isBankId_);
  if (!parsed) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not a valid problem set: %2").arg(file, qs(parsed.error)));
  const pr::ProblemSet& s = *parsed.value;
  qint64 setId = 0;
  db_.write([&] {
    if (const auto existing = db_.setByUuid(qs(s.set_id))) {
      setId = existing->id;
    } else {
      ProblemSet row;
      row.uuid = qs(s.set_id);
      row.classUuid = cls->uuid;
      row.title = qs(s.title);
      for (const auto& item : s.items) row.problemIds << qs(item.id);
      if (!s.due.empty()) {
        QDateTime due = QDateTime::fromString(qs(s.due), Qt::ISODate);
        if (!due.isValid()) due = QDateTime(QDate::fromString(qs(s.due), Qt::ISODate), QTime(23, 59, 59));
        if (due.isValid()) row.dueAt = due.toMSecsSinceEpoch();
      }
      row.allowHints = s.allow_hints;
      row.allowSolutions = s.allow_model_solutions;
      row.fileJson = bytes;
      setId = db_.insertSet(row);
    }
    db_.assign(setId, me.id);
  });
  return *db_.set(setId);
}

QList<ProblemSet> ClassroomService::mySets() { return db_.assignedSets(auth_.requireSignedIn().id); }

void ClassroomService::exportResults(qint64 setId, const QString& file) {
  const Profile& me = auth_.requireSignedIn();
  const auto set = db_.set(setId);
  if (!set) throw AppError(AppError::Kind::NotFound, QStringLiteral("No problem set with id %1.").arg(setId));
  bool assigned = false;
  for (const auto& s : db_.assignedSets(me.id)) assigned |= s.id == setId;
  if (!assigned) throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("This set is not assigned to %1.").arg(me.name));
  const auto cls = db_.classByUuid(set->classUuid);
  if (!cls) throw AppError(AppError::Kind::NotFound, QStringLiteral("The class of this set is unknown; join it again."));
  const pr::ProblemSet stored = parseStoredSet(*set);
  const auto attempts = db_.attempts(me.id);
  pr::Results r;
  r.set_id = stored.set_id;
  r.set_title = stored.title;
  r.student_id = utf8(me.uuid);
  r.student_name = utf8(me.name);
  r.exported_at = utf8(isoNow());
  for (const auto& item : stored.items) {
    pr::ResultEntry e;
    e.problem_id = item.id;
    for (const auto& a : attempts) {
      if (a.setId != setId || a.problemId != qs(item.id)) continue;
      e.answer = utf8(a.answer);
      e.verdict = a.effectiveCorrect() ? pr::Verdict3::Correct : pr::Verdict3::Incorrect;
      e.time_seconds += a.millisTaken / 1000.0;
      e.hints_used += a.hintsUsed;
      e.attempts += 1;
    }
    for (const auto& s : db_.solutionsFor(me.id, qs(item.id)))
      if (s.mode == QLatin1String("full")) e.model_solution_viewed = true;
    r.entries.push_back(e);
  }
  r.integrity_tag = resultsTag(r, cls->hmacKey).toStdString();
  writeFileAtomically(file, QByteArray::fromStdString(pr::export_results(r)));
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

QVariant ClassGridModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  if (index.column() == int(grid_.problemIds.size())) {
    if (role == Qt::DisplayRole) return QStringLiteral("%1/%2").arg(grid_.correctCount(index.row())).arg(grid_.problemIds.size());
    return {};
  }
  const GridCell& c = grid_.cells[index.row()][index.column()];
  // "1:05" for 65 s: what a teacher reads at a glance.
  const auto minutes = [](double seconds) {
    const int s = int(seconds + 0.5);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  };
  const QString hints = c.hintsUsed == 0 ? QString() : c.hintsUsed == 1 ? QStringLiteral(" · 1 hint") : QStringLiteral(" · %1 hints").arg(c.hintsUsed);
  switch (role) {
    case Qt::DisplayRole:
      // The verdict first (the CSV and the tests read it), then time and hints.
      switch (c.state) {
        case GridCell::State::Correct: return QStringLiteral("✓ %1%2").arg(minutes(c.seconds), hints);
        case GridCell::State::Incorrect: return QStringLiteral("✗ %1%2").arg(minutes(c.seconds), hints);
        case GridCell::State::Unanswered: return QStringLiteral("–");
        case GridCell::State::Missing: return QString();
      }
      return {};
    case Qt::ToolTipRole:
      switch (c.state) {
        case GridCell::State::Missing: return QStringLiteral("No results file from this student yet");
        case GridCell::State::Unanswered: return QStringLiteral("Not answered");
        default:
          return QStringLiteral("Answer: %1\nTime: %2 min · attempts: %3 · hints: %4")
              .arg(c.answer, minutes(c.seconds))
              .arg(c.attempts)
              .arg(c.hintsUsed);
      }
    case AnswerRole: return c.answer;
    case StateRole: return int(c.state);
    case SecondsRole: return c.seconds;
    case HintsRole: return c.hintsUsed;
    default: return {};
  }
}

QVariant ClassGridModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) return grid_.studentNames.value(section);
  return section == int(grid_.problemIds.size()) ? QStringLiteral("Score") : grid_.problemIds.value(section);
}

}  // namespace zaya::app
