// Student side of ClassroomService: joining a class, importing sets and
// exporting signed results of the signed-in profile.
#include <QDateTime>
#include <QTimeZone>
#include <QUuid>

#include "classroom_files.h"
#include "classroom_service.h"
#include "zaya/problems/problem_set.h"

namespace zaya::app {

namespace pr = zaya::problems;
using classroom_files::qs;
using classroom_files::utf8;

ClassFileInfo ClassroomService::readClassFile(const QString& file) {
  const auto f = classroom_files::parseClassFile(readImportFile(file), file);
  return ClassFileInfo{f.classUuid, f.className, f.studentId, f.studentName, f.version};
}

ClassInfo ClassroomService::joinClass(const QString& file) {
  const Profile& me = auth_.requireSignedIn();
  const auto f = classroom_files::parseClassFile(readImportFile(file), file);
  qint64 classId = 0;
  db_.write([&] {
    if (const auto existing = db_.classByUuid(f.classUuid)) {
      // Version 1 carries the class key, which must match the one known here.
      if (f.version == 1 && existing->hmacKey != f.key)
        throw AppError(AppError::Kind::InvalidInput,
                       QStringLiteral("%1 is not a valid class file: key: differs from the key this computer has for "
                                      "that class").arg(file));
      classId = existing->id;
    } else {
      ClassInfo c;
      c.uuid = f.classUuid;
      c.name = f.className;
      // A version-2 file does not carry the class key; the row needs one, and
      // nothing on a student's computer signs with it.
      c.hmacKey = f.version == 1 ? f.key : QUuid::createUuid().toRfc4122() + QUuid::createUuid().toRfc4122();
      classId = db_.insertClass(c);
    }
    db_.setProfileClass(me.id, classId);
    if (f.version == 2) db_.linkProfileToRoster(me.id, f.studentId, f.key);
  });
  return *db_.classById(classId);
}

std::optional<ProblemSet> ClassroomService::changedSetFor(const QString& file) {
  auth_.requireSignedIn();
  const auto parsed = pr::import_problem_set(readImportFile(file).toStdString(), isBankId_);
  if (!parsed) return std::nullopt;
  const auto existing = db_.setByUuid(qs(parsed.value->set_id));
  if (!existing) return std::nullopt;
  // Content, not bytes: the same set exported twice is the same set.
  if (pr::export_problem_set(parseStoredSet(*existing)) == pr::export_problem_set(*parsed.value)) return std::nullopt;
  return existing;
}

ProblemSet ClassroomService::importSet(const QString& file, SetConflict onChanged) {
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
  row.allowReference = s.allow_reference_solutions;
  row.fileJson = bytes;
  const auto changed = changedSetFor(file);
  if (changed && onChanged == SetConflict::Ask)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("“%1” is already here with other content. Choose whether the new file replaces it "
                                  "or both are kept.").arg(changed->title));
  qint64 setId = 0;
  db_.write([&] {
    const auto existing = db_.setByUuid(row.uuid);
    if (existing && changed && onChanged == SetConflict::Replace) {
      row.id = existing->id;
      db_.updateSet(row);
      setId = existing->id;
    } else if (existing && changed && onChanged == SetConflict::KeepBoth) {
      db_.setSetUuid(existing->id, row.uuid + QStringLiteral(".earlier-") + QUuid::createUuid().toString(QUuid::WithoutBraces));
      db_.renameSet(existing->id, existing->title + QStringLiteral(" (earlier version)"));
      setId = db_.insertSet(row);
    } else if (existing) {
      setId = existing->id;
    } else {
      setId = db_.insertSet(row);
    }
    db_.assign(setId, me.id);
  });
  return *db_.set(setId);
}

QList<ProblemSet> ClassroomService::mySets() { return db_.assignedSets(auth_.requireSignedIn().id); }

void ClassroomService::exportResults(qint64 setId, const QString& file) {
  const Profile& signedIn = auth_.requireSignedIn();
  const Profile me = *db_.profile(signedIn.id);
  const auto set = db_.set(setId);
  if (!set) throw AppError(AppError::Kind::NotFound, QStringLiteral("No problem set with id %1.").arg(setId));
  bool assigned = false;
  for (const auto& s : db_.assignedSets(me.id)) assigned |= s.id == setId;
  if (!assigned) throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("This set is not assigned to %1.").arg(me.name));
  const auto cls = db_.classByUuid(set->classUuid);
  if (!cls) throw AppError(AppError::Kind::NotFound, QStringLiteral("The class of this set is unknown; join it again."));
  const pr::ProblemSet stored = parseStoredSet(*set);
  const auto attempts = db_.attempts(me.id);
  // Help after the due date is reported apart and does not count against the set.
  const qint64 due = set->dueAt.value_or(std::numeric_limits<qint64>::max());
  pr::Results r;
  r.set_id = stored.set_id;
  r.set_title = stored.title;
  // A linked profile answers as its roster entry, signed with its own key.
  const bool linked = !me.rosterId.isEmpty() && me.resultsKey.size() == 32;
  r.student_id = utf8(linked ? me.rosterId : me.uuid);
  r.student_name = utf8(me.name);
  r.exported_at = utf8(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
  for (const auto& item : stored.items) {
    pr::ResultEntry e;
    e.problem_id = item.id;
    const QString problemId = qs(item.id);
    pr::HelpUsed before;
    for (const auto& a : attempts) {
      if (a.setId != setId || a.problemId != problemId) continue;
      if (e.attempts == 0) e.first_answer = utf8(a.answer);
      e.answer = utf8(a.answer);
      e.verdict = a.effectiveCorrect() ? pr::Verdict3::Correct : pr::Verdict3::Incorrect;
      e.time_seconds += a.millisTaken / 1000.0;
      e.attempts += 1;
      // An attempt's help is cumulative from the problem's opening: the most any attempt saw.
      pr::HelpUsed& h = a.createdAt <= due ? before : e.help_after_due;
      h.hints = std::max(h.hints, a.hintsUsed);
      h.explanations = std::max(h.explanations, a.explanationsUsed);
      h.questions = std::max(h.questions, a.questionsAsked);
      h.model_solution_viewed |= a.modelSolutionViewed;
      h.reference_solution_viewed |= a.referenceSolutionViewed;
    }
    // The conversation records help with or without a later attempt.
    pr::HelpUsed turnsBefore, turnsAfter;
    for (const auto& t : db_.conversationTurns(me.id, problemId)) {
      pr::HelpUsed& h = t.createdAt <= due ? turnsBefore : turnsAfter;
      switch (t.action) {
        case TutorAction::Hint: ++h.hints; break;
        case TutorAction::Explain: ++h.explanations; break;
        case TutorAction::Question:
        case TutorAction::CheckWorking: ++h.questions; break;
        case TutorAction::Solution: h.model_solution_viewed = true; break;
      }
    }
    for (const auto& s : db_.solutionsFor(me.id, problemId))
      if (s.mode == QLatin1String("full")) (s.createdAt <= due ? turnsBefore : turnsAfter).model_solution_viewed = true;
    const auto merge = [](pr::HelpUsed& into, const pr::HelpUsed& from) {
      into.hints = std::max(into.hints, from.hints);
      into.explanations = std::max(into.explanations, from.explanations);
      into.questions = std::max(into.questions, from.questions);
      into.model_solution_viewed |= from.model_solution_viewed;
      into.reference_solution_viewed |= from.reference_solution_viewed;
    };
    merge(before, turnsBefore);
    merge(e.help_after_due, turnsAfter);
    e.hints_used = before.hints;
    e.explanations_used = before.explanations;
    e.questions_asked = before.questions;
    e.model_solution_viewed = before.model_solution_viewed;
    e.reference_solution_viewed = before.reference_solution_viewed;
    r.entries.push_back(e);
  }
  // The set sat as a timed test (contest_service.h): each ended sitting, oldest first.
  const auto sittings = db_.sittings(me.id);
  for (auto it = sittings.rbegin(); it != sittings.rend(); ++it) {
    if (it->kind != SittingKind::Set || it->setId != setId || it->isOpen()) continue;
    pr::TimedSitting t;
    t.started_at = utf8(QDateTime::fromMSecsSinceEpoch(it->startedAt, QTimeZone::utc()).toString(Qt::ISODate));
    t.time_limit_seconds = int(it->timeLimitMs / 1000);
    t.time_multiplier = it->multiplier;
    t.elapsed_seconds = int(std::min(it->elapsedMs, it->timeLimitMs) / 1000);
    t.ended = utf8(it->endReason);
    t.out_of = int(it->answers.size());
    t.score = std::min(it->score.value_or(0), t.out_of);
    r.sittings.push_back(t);
  }
  r.integrity_tag = resultsTag(r, linked ? me.resultsKey : cls->hmacKey).toStdString();
  writeFileAtomically(file, QByteArray::fromStdString(pr::export_results(r)));
}

}  // namespace zaya::app
