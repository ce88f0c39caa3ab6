#include "tutor.h"

#include <QDateTime>

#include "set_rules.h"

#include "app_info.h"
#include "backend_loader.h"
#include "hint_guard.h"
#include "tutor_prompts.h"

namespace zaya::app {

namespace {
QString titleFor(TutorAction action, int hintNumber, int step) {
  switch (action) {
    case TutorAction::Hint: return QObject::tr("Hint %1").arg(hintNumber);
    case TutorAction::Solution: return QObject::tr("Solution");
    case TutorAction::Explain: return QObject::tr("Step %1 explained").arg(step);
    case TutorAction::Question: return step > 0 ? QObject::tr("Question about step %1").arg(step) : QObject::tr("Question");
    case TutorAction::CheckWorking: return QObject::tr("Check of your working");
  }
  return {};
}

TutorMode modeFor(TutorAction action) {
  switch (action) {
    case TutorAction::Hint: return TutorMode::Hint;
    case TutorAction::Solution: return TutorMode::Full;
    case TutorAction::Explain:
    case TutorAction::Question: return TutorMode::Explain;
    case TutorAction::CheckWorking: return TutorMode::Check;
  }
  return TutorMode::Full;
}
}  // namespace

Tutor::Tutor(Database* db, qint64 profileId, QObject* parent)
    : QObject(parent), db_(db), profileId_(profileId), loader_(new BackendLoader(dataDirectory() + QStringLiteral("/models"), this)) {
  connect(loader_, &BackendLoader::loaded, this,
          [this](std::shared_ptr<GenerationBackend> backend, const QString& why) { setBackend(std::move(backend), why); });
  qRegisterMetaType<TutorAction>();
  qRegisterMetaType<WorkingReview>();
  qRegisterMetaType<Solution>();
}

Tutor::~Tutor() {
  // The sessions are children: deleting them waits for their workers.
  if (session_) session_->cancel();
}

void Tutor::setStore(Database* db, qint64 profileId) {
  detachSession();
  ++generation_;
  db_ = db;
  profileId_ = profileId;
  wrongAnswers_.clear();
  // Another student's attempts start afresh on the same problem.
  attempts_.open(problem_ ? QString::fromStdString(problem_->id) : QString());
  loadConversation();
}

void Tutor::loadBackend() { loader_->load(db_); }

void Tutor::setSettings(const TutorSettings& settings) { settings_ = settings; }

void Tutor::setBackend(std::shared_ptr<GenerationBackend> backend, const QString& unavailableReason) {
  // A reply of the old backend must not finish into the conversation later.
  detachSession();
  ++generation_;
  backend_ = std::move(backend);
  unavailableReason_ = unavailableReason;
  emit backendChanged();
}

void Tutor::openProblem(const zaya::problems::Problem* problem) {
  detachSession();
  ++generation_;
  problem_.reset();
  if (problem) problem_ = *problem;
  wrongAnswers_.clear();
  attempts_.open(problem ? QString::fromStdString(problem->id) : QString());
  loadConversation();
}

QString Tutor::conversationKey() const {
  return problem_ ? QStringLiteral("%1/%2").arg(profileId_).arg(QString::fromStdString(problem_->id)) : QString();
}

void Tutor::noteAnswer(const QString& answer, bool correct) {
  if (!problem_ || correct || answer.trimmed().isEmpty()) return;
  wrongAnswers_ << answer.trimmed();
}

bool Tutor::isRunning() const { return session_ && session_->isRunning(); }

void Tutor::cancel() {
  if (isRunning()) session_->cancel();
}

QList<ConversationTurn> Tutor::conversation() const {
  QList<ConversationTurn> out;
  for (const auto& e : entries_) out << e.turn;
  return out;
}

std::optional<Solution> Tutor::reply(qint64 solutionId) const {
  if (!problem_ || solutionId == 0) return std::nullopt;
  if (db_ && solutionId > 0) {
    auto s = db_->solution(solutionId);
    if (s && s->profileId == profileId_ && s->problemId == QString::fromStdString(problem_->id)) return s;
    return std::nullopt;
  }
  for (const auto& e : entries_)
    if (e.reply.id == solutionId) return e.reply;
  return std::nullopt;
}

void Tutor::loadConversation() {
  entries_.clear();
  if (!db_ || !problem_) return;
  const QString problemId = QString::fromStdString(problem_->id);
  try {
    QHash<qint64, Solution> replies;
    for (const auto& s : db_->solutionsFor(profileId_, problemId)) replies.insert(s.id, s);
    for (const auto& t : db_->conversationTurns(profileId_, problemId)) entries_.push_back({t, replies.value(t.solutionId)});
  } catch (const AppError& e) {
    entries_.clear();
    emit replyFailed(tr("The earlier conversation on this problem could not be read: %1").arg(e.message()));
  }
}

QList<ChatTurn> Tutor::history() const {
  QList<ChatTurn> out;
  for (const auto& e : entries_) {
    // A stopped reply, or one whose row is gone, is not part of the
    // conversation the model continues.
    if (e.turn.prompt.isEmpty() || e.reply.cancelled || e.reply.text.trimmed().isEmpty()) continue;
    out.push_back({ChatTurn::Role::User, e.turn.prompt});
    out.push_back({ChatTurn::Role::Assistant, e.reply.text.trimmed()});
  }
  return out;
}

std::optional<Solution> Tutor::findSolution(qint64 solutionId) const {
  if (solutionId != 0) {
    for (const auto& e : entries_)
      if (e.reply.id == solutionId && !e.reply.steps.isEmpty()) return e.reply;
    return reply(solutionId);
  }
  // The newest whole solution, else the newest reply with steps, else a
  // solution saved before conversations were kept.
  for (qsizetype i = entries_.size() - 1; i >= 0; --i)
    if (entries_[i].turn.action == TutorAction::Solution && !entries_[i].reply.steps.isEmpty()) return entries_[i].reply;
  for (qsizetype i = entries_.size() - 1; i >= 0; --i)
    if (!entries_[i].reply.steps.isEmpty()) return entries_[i].reply;
  if (db_ && problem_)
    for (const auto& s : db_->solutionsFor(profileId_, QString::fromStdString(problem_->id)))
      if (s.mode == QLatin1String("full") && !s.steps.isEmpty()) return s;
  return std::nullopt;
}

void Tutor::detachSession() {
  if (!session_) return;
  TutoringSession* old = session_;
  session_ = nullptr;
  // Every receiver (this tutor, the presenter drawing it) is cut off: what
  // the old reply still produces goes nowhere.
  QObject::disconnect(old, nullptr, nullptr, nullptr);
  if (old->isRunning()) {
    old->cancel();
    connect(old, &TutoringSession::finished, old, &QObject::deleteLater);
    connect(old, &TutoringSession::failed, old, &QObject::deleteLater);
  } else {
    old->deleteLater();
  }
}

SetRules Tutor::rules() const {
  if (!db_ || !problem_ || profileId_ <= 0) return {};
  try {
    return setRulesFor(*db_, profileId_, QString::fromStdString(problem_->id), QDateTime::currentMSecsSinceEpoch());
  } catch (const AppError&) {
    return {};  // unreadable data: nothing assigned can be known
  }
}

bool Tutor::ask(TutorAction action, const QString& text, int step, qint64 solutionId) {
  auto refuse = [this](const QString& reason) {
    emit refused(reason);
    return false;
  };
  if (!problem_) return refuse(tr("Open a problem first."));
  // The rules of the student's assigned sets hold here, not only on the buttons.
  if (const QString why = refusalFor(rules(), action); !why.isEmpty()) return refuse(why);
  if (!backend_)
    return refuse(unavailableReason_.isEmpty() ? tr("No model is loaded: choose one in the model manager.") : unavailableReason_);
  if (isRunning()) return refuse(tr("The tutor is still answering: wait for it or stop it first."));

  ConversationTurn turn;
  turn.action = action;
  int hintNumber = 1;
  int workingSteps = 0;
  QString stepText;
  if ((action == TutorAction::Explain || (action == TutorAction::Question && step > 0))) {
    const auto s = findSolution(solutionId);
    if (step < 1 || !s || step > s->steps.size()) return refuse(tr("There is no step %1 to ask about.").arg(step));
    stepText = s->steps[step - 1].text;
    turn.step = step;
  }
  switch (action) {
    case TutorAction::Hint:
      for (const auto& e : entries_)
        if (e.turn.action == TutorAction::Hint && !e.reply.cancelled) ++hintNumber;
      turn.prompt = tutor_prompts::hint(hintNumber, wrongAnswers_, text);
      turn.studentText = (wrongAnswers_ + (text.trimmed().isEmpty() ? QStringList() : QStringList{text.trimmed()}))
                             .join(QLatin1Char('\n'));
      break;
    case TutorAction::Solution: turn.prompt = tutor_prompts::solution(); break;
    case TutorAction::Explain:
      turn.prompt = tutor_prompts::explain(step, stepText, text);
      turn.studentText = stepText;
      break;
    case TutorAction::Question:
      if (text.trimmed().isEmpty()) return refuse(tr("Type your question first."));
      turn.prompt = tutor_prompts::question(text, step, stepText);
      turn.studentText = text.trimmed();
      break;
    case TutorAction::CheckWorking:
      workingSteps = int(tutor_prompts::workingLines(text).size());
      if (workingSteps == 0) return refuse(tr("Write your working first, one step per line."));
      turn.prompt = tutor_prompts::checkWorking(text);
      turn.studentText = text.trimmed();
      break;
  }

  TutorRequest r;
  r.mode = modeFor(action);
  r.problemId = QString::fromStdString(problem_->id);
  r.problem = *problem_;
  r.systemPrompt = tutor_prompts::system(tutor_prompts::problemText(*problem_));
  r.history = history();
  r.userPrompt = turn.prompt;
  r.conversationKey = conversationKey();
  r.thinkingBudget = settings_.thinkingBudget;
  r.maxTokens = settings_.maxTokens;
  r.temperature = float(settings_.temperature);
  r.topP = float(settings_.topP);
  r.modelSampling = settings_.modelSampling;
  if (action == TutorAction::Hint) {
    r.streamText = false;
    r.answerLeak = [problem = *problem_](const QString& hint) { return answerLeakOffset(problem, hint); };
  }
  if (action == TutorAction::Hint) wrongAnswers_.clear();  // they are in this turn now

  detachSession();
  const quint64 generation = ++generation_;
  session_ = new TutoringSession(backend_, this);
  session_->setStore(nullptr, profileId_, modelName_);  // the tutor saves, with the turn
  connect(session_, &TutoringSession::finished, this, [this, generation, action, turn, workingSteps](const Solution& s) {
    onFinished(generation, action, turn, workingSteps, s);
  });
  connect(session_, &TutoringSession::failed, this, [this, generation](const QString& message) {
    if (generation == generation_) emit replyFailed(message);
  });
  emit replyStarted(session_, action, titleFor(action, hintNumber, step));
  session_->start(r);
  return true;
}

void Tutor::onFinished(quint64 generation, TutorAction action, ConversationTurn turn, int workingSteps, Solution solution) {
  if (generation != generation_ || !problem_) return;
  if (db_) {
    try {
      db_->saveConversationTurn(profileId_, QString::fromStdString(problem_->id), turn, solution);
    } catch (const AppError& e) {
      emit replyFailed(tr("The reply could not be saved: %1").arg(e.message()));
    }
  } else {
    solution.id = --unsavedIds_;
    turn.solutionId = solution.id;
  }
  entries_.push_back({turn, solution});
  if (action == TutorAction::CheckWorking) emit workingReviewed(parseWorkingReview(solution.text, workingSteps));
  emit replyFinished(solution, action);
}

}  // namespace zaya::app
