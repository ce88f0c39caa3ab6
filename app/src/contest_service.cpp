#include "contest_service.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

#include "zaya/problems/answer_checker.h"
#include "zaya/problems/contest.h"

namespace zaya::app {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ContestService", text); }

AppError invalid(const QString& message) { return AppError(AppError::Kind::InvalidInput, message); }

bool validMultiplier(double m) { return std::isfinite(m) && m >= 1.0 && m <= 4.0; }

}  // namespace

ContestService::ContestService(AuthService& auth, ProgressService& progress, QObject* parent)
    : QObject(parent), auth_(auth), progress_(progress), db_(auth.database()) {
  auto monotonic = std::make_shared<QElapsedTimer>();
  monotonic->start();
  clock_ = [monotonic] { return monotonic->elapsed(); };
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, [this] {
    try {
      tick();
    } catch (const AppError& e) {
      emit storageFailed(e.message());
    }
  });
  // Another student signs in: their own sitting (if any) is the running one.
  connect(&auth_, &AuthService::currentChanged, this, [this] {
    current_.reset();
    timer_.stop();
  });
}

void ContestService::setClock(std::function<qint64()> clock) {
  clock_ = std::move(clock);
  lastTick_ = clock_();
}

void ContestService::setTicking(bool on) {
  if (!on)
    timer_.stop();
  else if (current_)
    timer_.start();
  ticking_ = on;
}

const problems::ProblemBank& ContestService::requireBank() const {
  if (!bank_) throw AppError(AppError::Kind::NotFound, tr("The problem bank is not loaded."));
  return *bank_;
}

Sitting ContestService::start(Sitting s, const QStringList& problemIds) {
  const Profile& me = auth_.requireSignedIn();
  if (const auto open = db_.openSitting(me.id))
    throw invalid(tr("%1 is still running: submit it before you start another.").arg(open->title));
  if (problemIds.isEmpty()) throw invalid(tr("%1 has no problems in the bank.").arg(s.title));
  if (!validMultiplier(s.multiplier)) throw invalid(tr("Extended time must be between 1 and 4 times the standard time."));
  s.profileId = me.id;
  s.timeLimitMs = qint64(std::llround(double(s.standardMs) * s.multiplier));
  s.startedAt = QDateTime::currentMSecsSinceEpoch();
  for (int i = 0; i < problemIds.size(); ++i) {
    SittingAnswer a;
    a.position = i;
    a.problemId = problemIds[i];
    s.answers << a;
  }
  s.id = db_.insertSitting(s);
  current_ = s;
  shown_ = 0;
  lastTick_ = clock_();
  if (ticking_) timer_.start();
  emit started(*current_);
  return *current_;
}

Sitting ContestService::startAime(const QString& paperKey, double multiplier) {
  const auto paper = problems::aime_paper(requireBank(), paperKey.toStdString());
  if (!paper) throw AppError(AppError::Kind::NotFound, tr("There is no AIME paper %1 in the bank.").arg(paperKey));
  Sitting s;
  s.kind = SittingKind::Aime;
  s.paper = QString::fromStdString(paper->key);
  s.title = QString::fromStdString(paper->title);
  s.standardMs = qint64(paper->time_limit_seconds()) * 1000;
  s.multiplier = multiplier;
  if (!paper->complete()) {
    QStringList missing;
    for (int n : paper->missing_numbers) missing << QString::number(n);
    s.note = tr("The bank holds %1 of this paper's 15 problems (not %2): it is scored out of %1, with %3 minutes, "
                "12 a problem as in the real paper.")
                 .arg(paper->problem_ids.size())
                 .arg(missing.join(QStringLiteral(", ")))
                 .arg(paper->time_limit_seconds() / 60);
  }
  QStringList ids;
  for (const auto& id : paper->problem_ids) ids << QString::fromStdString(id);
  return start(s, ids);
}

Sitting ContestService::startSat(quint64 seed, double multiplier) {
  const auto drawn = problems::sat_module(requireBank(), seed);
  Sitting s;
  s.kind = SittingKind::Sat;
  s.paper = QStringLiteral("sat");
  s.seed = qint64(seed & 0x7fffffffffffffffull);
  s.title = tr("SAT-style module (seed %1)").arg(seed);
  s.standardMs = qint64(problems::kSatModuleSeconds) * 1000;
  s.multiplier = multiplier;
  if (int(drawn.size()) < problems::kSatModuleProblemCount)
    s.note = tr("The SAT pool gave only %1 problems.").arg(drawn.size());
  QStringList ids;
  for (const auto& id : drawn) ids << QString::fromStdString(id);
  return start(s, ids);
}

std::optional<int> ContestService::setTimeLimitMinutes(const ProblemSet& set) const {
  // The file was validated when it was imported or built (problem_set.h).
  const QJsonObject o = QJsonDocument::fromJson(set.fileJson).object();
  const int minutes = o.value(QStringLiteral("time_limit_minutes")).toInt(0);
  if (minutes <= 0) return std::nullopt;
  return minutes;
}

double ContestService::setTimeMultiplier(const ProblemSet& set) const {
  const double m = QJsonDocument::fromJson(set.fileJson).object().value(QStringLiteral("time_multiplier")).toDouble(1.0);
  return validMultiplier(m) ? m : 1.0;
}

Sitting ContestService::startSet(qint64 setId) {
  const Profile& me = auth_.requireSignedIn();
  const auto set = db_.set(setId);
  bool assigned = false;
  for (const auto& s : db_.assignedSets(me.id)) assigned = assigned || s.id == setId;
  if (!set || !assigned) throw AppError(AppError::Kind::NotFound, tr("That set is not one of your assignments."));
  const auto minutes = setTimeLimitMinutes(*set);
  if (!minutes) throw invalid(tr("%1 has no time limit: it is not a timed test.").arg(set->title));
  const auto& bank = requireBank();
  QStringList ids;
  for (const auto& id : set->problemIds)
    if (bank.contains(id.toStdString())) ids << id;
  Sitting s;
  s.kind = SittingKind::Set;
  s.paper = set->uuid;
  s.title = set->title;
  s.setId = set->id;
  s.standardMs = qint64(*minutes) * 60 * 1000;
  s.multiplier = setTimeMultiplier(*set);
  if (ids.size() < set->problemIds.size())
    s.note = tr("%1 of the set's %2 problems are not in this app's bank: it is scored out of %3.")
                 .arg(set->problemIds.size() - ids.size())
                 .arg(set->problemIds.size())
                 .arg(ids.size());
  return start(s, ids);
}

const Sitting* ContestService::resumeOpen() {
  const Profile& me = auth_.requireSignedIn();
  if (current_ && current_->profileId == me.id) return &*current_;
  current_ = db_.openSitting(me.id);
  shown_ = 0;
  lastTick_ = clock_();
  if (!current_) return nullptr;
  if (current_->remainingMs() <= 0) {
    finish(QStringLiteral("time"));
    return nullptr;
  }
  if (ticking_) timer_.start();
  return &*current_;
}

void ContestService::requireRunning(int position) const {
  if (!current_ || !current_->isOpen()) throw invalid(tr("No timed sitting is running."));
  if (position < 0 || position >= current_->answers.size()) throw invalid(tr("There is no problem %1 in this sitting.").arg(position + 1));
}

void ContestService::show(int position) {
  requireRunning(position);
  tick();  // the time so far belongs to the problem shown until now
  if (current_) shown_ = position;
}

QString ContestService::setAnswer(int position, const QString& text) {
  requireRunning(position);
  QString saved = text.trimmed();
  if (current_->kind == SittingKind::Aime) {
    const auto read = problems::read_aime_answer(text.toStdString());
    if (!read.error.empty()) throw invalid(QString::fromStdString(read.error));
    saved = read.value ? QString::number(*read.value) : QString();
  }
  SittingAnswer& a = current_->answers[position];
  db_.saveSittingAnswer(current_->id, position, saved, a.flagged, QDateTime::currentMSecsSinceEpoch());
  a.answer = saved;
  emit answerSaved(position);
  return saved;
}

void ContestService::setFlagged(int position, bool flagged) {
  requireRunning(position);
  SittingAnswer& a = current_->answers[position];
  db_.saveSittingAnswer(current_->id, position, a.answer, flagged, QDateTime::currentMSecsSinceEpoch());
  a.flagged = flagged;
  emit answerSaved(position);
}

void ContestService::tick() {
  if (!current_ || !current_->isOpen()) return;
  const qint64 now = clock_();
  const qint64 delta = std::max<qint64>(0, std::min(now - lastTick_, current_->remainingMs()));
  lastTick_ = now;
  if (delta > 0) {
    SittingAnswer& a = current_->answers[shown_];
    db_.saveSittingClock(current_->id, current_->elapsedMs + delta, shown_, a.millisSpent + delta);
    current_->elapsedMs += delta;
    a.millisSpent += delta;
  }
  if (current_->remainingMs() <= 0) {
    finish(QStringLiteral("time"));
    return;
  }
  emit ticked(current_->remainingMs());
}

Sitting ContestService::submit() {
  if (!current_ || !current_->isOpen()) throw invalid(tr("No timed sitting is running."));
  tick();
  if (!current_) throw invalid(tr("The time was up: the sitting was scored."));
  return finish(QStringLiteral("submitted"));
}

Sitting ContestService::finish(const QString& reason) {
  Sitting s = *current_;
  const auto* bank = bank_;
  QList<std::pair<int, bool>> verdicts;
  QList<NewAttempt> attempts;
  int score = 0;
  for (auto& a : s.answers) {
    const problems::Problem* p = bank ? bank->find(a.problemId.toStdString()) : nullptr;
    const bool answered = !a.answer.trimmed().isEmpty();
    const bool right = p && answered && problems::check_problem_answer(*p, a.answer.toStdString()).equivalent;
    a.correct = right;
    verdicts << std::pair{a.position, right};
    score += right;
    if (p && answered) {
      NewAttempt n;
      n.problemId = a.problemId;
      n.topic = QString::fromStdString(std::string(problems::topic_name(p->topic)));
      n.difficulty = p->difficulty;
      n.answer = a.answer;
      n.correct = right;
      n.millisTaken = a.millisSpent;
      n.setId = s.setId;
      attempts << n;
    }
  }
  s.score = score;
  s.endedAt = QDateTime::currentMSecsSinceEpoch();
  s.endReason = reason;
  // Scored and recorded in one transaction: never a scored sitting without its attempts.
  db_.write([&] {
    db_.finishSitting(s.id, *s.endedAt, reason, s.elapsedMs, score, verdicts);
    for (const auto& n : attempts) progress_.recordAttempt(n);
  });
  current_.reset();
  timer_.stop();
  emit finished(s);
  return s;
}

QList<Sitting> ContestService::sittings() { return db_.sittings(auth_.requireSignedIn().id); }

SittingReport ContestService::report(qint64 sittingId) {
  const Profile& me = auth_.requireSignedIn();
  const auto s = db_.sitting(sittingId);
  if (!s || s->profileId != me.id) throw AppError(AppError::Kind::NotFound, tr("No such sitting."));
  SittingReport r;
  r.sitting = *s;
  QList<TopicScore> byTopic;
  for (int t = 0; t < problems::kTopicCount; ++t)
    byTopic << TopicScore{QString::fromStdString(std::string(problems::topic_name(problems::Topic(t)))), 0, 0};
  for (const auto& a : s->answers) {
    r.answered += !a.answer.isEmpty();
    const problems::Problem* p = bank_ ? bank_->find(a.problemId.toStdString()) : nullptr;
    if (!p) continue;
    auto& t = byTopic[int(p->topic)];
    ++t.total;
    t.right += a.correct.value_or(false);
  }
  for (const auto& t : byTopic)
    if (t.total > 0) r.topics << t;
  for (const auto& other : db_.sittings(me.id)) {
    if (other.id == s->id || other.isOpen() || other.kind != s->kind || other.startedAt > s->startedAt) continue;
    r.earlier << other;
    if (!r.samePaperBefore && other.paper == s->paper) r.samePaperBefore = other;
  }
  return r;
}

}  // namespace zaya::app
