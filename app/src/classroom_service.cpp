// Teacher side of ClassroomService: classes, roster, sets, results imports.
// The student side is classroom_student.cpp, the grid and CSV classroom_grid.cpp.
#include "classroom_service.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QUuid>

#include "classroom_files.h"
#include "teacher_records.h"
#include "zaya/problems/answer_checker.h"
#include "zaya/problems/problem_set.h"

namespace zaya::app {

namespace pr = zaya::problems;
using classroom_files::qs;
using classroom_files::utf8;

namespace {

QByteArray randomKey() {
  QByteArray key(32, '\0');
  QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(key.data()), reinterpret_cast<quint32*>(key.data() + 32));
  return key;
}

QString isoNow() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODate); }

}  // namespace

int ClassGrid::correctCount(int row) const {
  int n = 0;
  for (const auto& c : cells.value(row))
    if (c.state == GridCell::State::Correct) ++n;
  return n;
}

ClassroomService::ClassroomService(AuthService& auth, std::function<bool(std::string_view)> isBankId, Grader grade,
                                   QObject* parent)
    : QObject(parent), auth_(auth), db_(auth.database()), isBankId_(std::move(isBankId)), grade_(std::move(grade)) {
  connect(&auth_, &AuthService::currentChanged, this, &ClassroomService::onSignedIn);
}

void ClassroomService::onSignedIn() {
  tampered_ = 0;
  if (!auth_.isTeacher() || auth_.recordsKey().isEmpty() || db_.isReadOnly()) return;
  try {
    tampered_ = teacher_records::signAndCount(db_, auth_.recordsKey()).tampered;
  } catch (const AppError&) {
    // A read-only or full disk: the counts are taken again at the next sign-in.
  }
}

int ClassroomService::tamperedRecordCount() {
  auth_.requireTeacher();
  int n = 0;
  const QByteArray& key = auth_.recordsKey();
  for (const auto& c : db_.classes()) n += !teacher_records::verifies(key, c);
  for (const auto& p : db_.profiles()) n += p.isRoster && !teacher_records::verifies(key, p);
  for (const auto& s : db_.allSets()) n += s.classId && !teacher_records::verifies(key, s);
  for (const auto& r : db_.allImportedResults()) n += !teacher_records::verifies(key, r);
  return n;
}

void ClassroomService::changeTeacherPassword(const QString& oldPassword, const QString& newPassword) {
  auth_.changePassword(oldPassword, newPassword, [this](const QByteArray& oldKey, const QByteArray& newKey) {
    teacher_records::resign(db_, oldKey, newKey);
  });
}

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

// --- classes and roster ----------------------------------------------------------

ClassInfo ClassroomService::createClass(const QString& name) {
  const Profile& me = auth_.requireTeacher();
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The class name is empty."));
  ClassInfo c;
  c.name = name.trimmed();
  c.hmacKey = randomKey();
  db_.write([&] {
    c.id = db_.insertClass(c);
    db_.setProfileClass(me.id, c.id);  // the teacher belongs to the class they made last
    teacher_records::sign(db_, auth_.recordsKey(), *db_.classById(c.id));
  });
  return *db_.classById(c.id);
}

QList<ClassInfo> ClassroomService::classes() {
  auth_.requireTeacher();
  return db_.classes();
}

void ClassroomService::renameClass(qint64 classId, const QString& name) {
  auth_.requireTeacher();
  if (!db_.classById(classId)) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The class name is empty."));
  db_.write([&] {
    db_.renameClass(classId, name.trimmed());
    teacher_records::sign(db_, auth_.recordsKey(), *db_.classById(classId));
  });
}

void ClassroomService::deleteClass(qint64 classId) {
  auth_.requireTeacher();
  db_.write([&] {
    for (const auto& p : db_.classMembers(classId))
      if (p.isRoster) db_.deleteProfile(p.id);
    db_.deleteClass(classId);
  });
}

Profile ClassroomService::addStudent(qint64 classId, const QString& name) {
  auth_.requireTeacher();
  if (!db_.classById(classId)) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The student's name is empty."));
  Profile p;
  p.name = name.trimmed();
  p.role = Role::Student;
  p.classId = classId;
  p.isRoster = true;
  p.resultsKey = randomKey();
  qint64 id = 0;
  db_.write([&] {
    id = db_.insertProfile(p);
    teacher_records::sign(db_, auth_.recordsKey(), *db_.profile(id));
  });
  return *db_.profile(id);
}

QList<Profile> ClassroomService::students(qint64 classId) {
  auth_.requireTeacher();
  QList<Profile> out;
  for (const auto& p : db_.classMembers(classId))
    if (p.role == Role::Student && p.isRoster) out << p;
  return out;
}

Profile ClassroomService::rosterEntry(qint64 studentId) {
  const auto p = db_.profile(studentId);
  if (!p || !p->isRoster) throw AppError(AppError::Kind::NotFound, QStringLiteral("No student with id %1 on a roster.").arg(studentId));
  return *p;
}

void ClassroomService::renameStudent(qint64 studentId, const QString& name) {
  auth_.requireTeacher();
  rosterEntry(studentId);
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The student's name is empty."));
  db_.write([&] {
    db_.renameProfile(studentId, name.trimmed());
    teacher_records::sign(db_, auth_.recordsKey(), *db_.profile(studentId));
  });
}

void ClassroomService::deleteStudent(qint64 studentId) {
  auth_.requireTeacher();
  rosterEntry(studentId);
  db_.deleteProfile(studentId);
}

void ClassroomService::exportClassFile(qint64 classId, qint64 studentId, const QString& file) {
  auth_.requireTeacher();
  const auto c = db_.classById(classId);
  if (!c) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  Profile s = rosterEntry(studentId);
  if (s.classId != classId)
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not on the roster of %2.").arg(s.name, c->name));
  if (s.resultsKey.size() != 32) {  // a roster entry from before per-student keys
    db_.write([&] {
      db_.setProfileResultsKey(s.id, randomKey());
      s = *db_.profile(s.id);
      teacher_records::sign(db_, auth_.recordsKey(), s);
    });
  }
  writeFileAtomically(file, classroom_files::classFile(*c, s));
}

QStringList ClassroomService::exportAllClassFiles(qint64 classId, const QString& folder) {
  auth_.requireTeacher();
  const auto c = db_.classById(classId);
  if (!c) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class with id %1.").arg(classId));
  if (!QDir().mkpath(folder))
    throw AppError(AppError::Kind::Storage, QStringLiteral("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder)));
  QStringList written;
  QSet<QString> used;
  for (const auto& s : students(classId)) {
    QString base = classroom_files::safeFileName(c->name + QStringLiteral(" - ") + s.name);
    for (int n = 2; used.contains(base.toLower()); ++n)
      base = classroom_files::safeFileName(c->name + QStringLiteral(" - ") + s.name) + QStringLiteral(" (%1)").arg(n);
    used.insert(base.toLower());
    const QString path = QDir(folder).filePath(base + QStringLiteral(".zclass.json"));
    exportClassFile(classId, s.id, path);
    written << path;
  }
  return written;
}

// --- sets ----------------------------------------------------------------------

ProblemSet ClassroomService::createSet(qint64 classId, const QString& title, const QStringList& problemIds,
                                       std::optional<QDate> due, bool allowHints, bool allowModelSolutions,
                                       bool allowReferenceSolutions, const SetTiming& timing) {
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
  s.allow_reference_solutions = allowReferenceSolutions;
  s.time_limit_minutes = timing.limitMinutes;
  s.time_multiplier = timing.multiplier;
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
  row.allowReference = allowReferenceSolutions;
  row.fileJson = QByteArray::fromStdString(bytes);
  qint64 id = 0;
  db_.write([&] {
    id = db_.insertSet(row);
    teacher_records::sign(db_, auth_.recordsKey(), *db_.set(id));
  });
  return *db_.set(id);
}

QList<ProblemSet> ClassroomService::sets(qint64 classId) {
  auth_.requireTeacher();
  return db_.setsOfClass(classId);
}

void ClassroomService::renameSet(qint64 setId, const QString& title) {
  auth_.requireTeacher();
  const auto s = db_.set(setId);
  if (!s || !s->classId) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class problem set with id %1.").arg(setId));
  if (title.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The title is empty."));
  // The file students receive carries the title too.
  auto parsed = parseStoredSet(*s);
  parsed.title = utf8(title.trimmed());
  ProblemSet row = *s;
  row.title = title.trimmed();
  row.fileJson = QByteArray::fromStdString(pr::export_problem_set(parsed));
  db_.write([&] {
    db_.updateSet(row);
    teacher_records::sign(db_, auth_.recordsKey(), *db_.set(setId));
  });
}

void ClassroomService::deleteSet(qint64 setId, bool deleteResults) {
  auth_.requireTeacher();
  const auto s = db_.set(setId);
  if (!s || !s->classId) throw AppError(AppError::Kind::NotFound, QStringLiteral("No class problem set with id %1.").arg(setId));
  db_.write([&] {
    if (deleteResults) db_.deleteImportedResults(*s->classId, s->uuid);
    db_.deleteSet(setId);
  });
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

// --- results ----------------------------------------------------------------------

std::optional<bool> ClassroomService::regrade(const pr::ProblemSet& set, const std::string& problemId,
                                              const std::string& answer) const {
  for (const auto& item : set.items) {
    if (item.id != problemId || !item.custom) continue;
    // A custom problem: its key is in the teacher's own copy of the set.
    pr::Problem p;
    p.id = item.id;
    p.answer = item.custom->answer;
    p.accepted_answers = {item.custom->answer};
    p.choices = item.custom->choices;
    return pr::check_problem_answer(p, answer).equivalent;
  }
  if (grade_) return grade_(qs(problemId), qs(answer));
  return std::nullopt;
}

ResultsImportSummary ClassroomService::importResults(const QString& file) {
  auth_.requireTeacher();
  const QByteArray bytes = readImportFile(file);
  // The set id is needed to find the set: read it with the format's own
  // parser first, then validate against the set.
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
  // The file names its student; only that student's own key may have signed it.
  const auto student = db_.profileByUuid(qs(r.student_id));
  if (!student || !student->isRoster || student->classId != cls->id || student->resultsKey.size() != 32)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("%1 names a student (“%2”, id %3) who is not on the roster of %4, so it was not "
                                  "imported. Each student needs their own class file from this computer; an older "
                                  "class file shared by the whole class is no longer accepted.")
                       .arg(file, qs(r.student_name), qs(r.student_id), cls->name));
  if (!constantTimeEquals(resultsTag(r, student->resultsKey), QByteArray::fromStdString(r.integrity_tag)))
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("%1 was not signed with %2's own key: it was changed after it was exported, or it "
                                  "was signed by someone else. It was not imported; ask %2 to export it again.")
                       .arg(file, student->name));
  ResultsImportSummary summary;
  summary.studentName = student->name;
  summary.setTitle = set->title;
  for (const auto& t : r.sittings) {
    const auto mmss = [](int seconds) {
      return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    };
    QString line = QStringLiteral("%1 of %2 in %3 of %4").arg(t.score).arg(t.out_of).arg(mmss(t.elapsed_seconds), mmss(t.time_limit_seconds));
    if (t.time_multiplier > 1.0) line += QStringLiteral(" (%1× time)").arg(t.time_multiplier);
    line += t.ended == "time" ? QStringLiteral(", the time ran out") : QStringLiteral(", submitted");
    summary.timedSittings << line;
  }
  QList<ImportedResult> rows;
  for (const auto& e : r.entries) {
    if (e.verdict == pr::Verdict3::Unanswered) continue;
    ImportedResult row;
    row.studentName = student->name;
    row.problemId = qs(e.problem_id);
    row.answer = qs(e.answer);
    row.firstAnswer = qs(e.first_answer);
    row.claimedCorrect = e.verdict == pr::Verdict3::Correct;
    // The teacher's checker decides; the file's verdict is kept beside it.
    row.correct = regrade(stored, e.problem_id, e.answer).value_or(row.claimedCorrect);
    row.millisTaken = qint64(e.time_seconds * 1000.0);
    row.hintsUsed = e.hints_used;
    row.explanationsUsed = e.explanations_used;
    row.questionsAsked = e.questions_asked;
    row.modelSolutionViewed = e.model_solution_viewed;
    row.referenceSolutionViewed = e.reference_solution_viewed;
    row.helpAfterDue = e.help_after_due.any();
    row.attempts = std::max(1, e.attempts);
    row.attemptedAt = QDateTime::fromString(qs(r.exported_at), Qt::ISODate).toMSecsSinceEpoch();
    rows << row;
    ++summary.answered;
    if (row.correct) ++summary.correct;
    if (row.correct != row.claimedCorrect) ++summary.disagreements;
  }
  for (const auto& earlier : db_.importedResults(*set->classId, set->uuid))
    if (earlier.studentUuid == student->uuid) summary.replacedEarlier = true;
  db_.write([&] {
    db_.replaceImportedResults(*set->classId, set->uuid, student->uuid, rows);
    for (const auto& row : db_.importedResults(*set->classId, set->uuid))
      if (row.studentUuid == student->uuid) teacher_records::sign(db_, auth_.recordsKey(), row);
  });
  emit resultsImported(set->id);
  return summary;
}

}  // namespace zaya::app
