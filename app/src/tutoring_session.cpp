#include "tutoring_session.h"

#include <QDataStream>
#include <QtEndian>

#include "step_segmenter.h"
#include "zaya/problems/answer_checker.h"

namespace zaya::app {

QString tutorModeName(TutorMode mode) {
  switch (mode) {
    case TutorMode::Full: return QStringLiteral("full");
    case TutorMode::Hint: return QStringLiteral("hint");
    case TutorMode::Explain: return QStringLiteral("explain");
    case TutorMode::Check: return QStringLiteral("check");
  }
  return {};
}

AnswerVerdict checkAgainstProblem(const zaya::problems::Problem& problem, const QString& candidate) {
  if (candidate.trimmed().isEmpty() || (problem.answer.empty() && problem.accepted_answers.empty())) return {};
  const auto v = zaya::problems::check_problem_answer(problem, candidate.toStdString());
  // Too complex to check here: shown as unchecked, with the checker's reason.
  return {!v.undecided, v.equivalent, QString::fromStdString(v.reason)};
}

TutoringSession::TutoringSession(std::shared_ptr<GenerationBackend> backend, QObject* parent)
    : QObject(parent), backend_(std::move(backend)) {
  qRegisterMetaType<GeneratedToken>();
  qRegisterMetaType<SolutionStep>();
  qRegisterMetaType<Solution>();
  qRegisterMetaType<AnswerVerdict>();
  info_ = backend_->info();
}

TutoringSession::~TutoringSession() {
  if (worker_) {
    if (stop_) stop_->store(true);
    backend_->cancel();
    worker_->wait();
    delete worker_;
  }
}

void TutoringSession::setStore(Database* db, qint64 profileId, const QString& modelName) {
  db_ = db;
  profileId_ = profileId;
  modelName_ = modelName;
}

GenerationRequest TutoringSession::buildRequest(const TutorRequest& r) {
  GenerationRequest g;
  g.systemPrompt = r.systemPrompt;
  g.history = r.history;
  g.userPrompt = r.userPrompt;
  g.conversationKey = r.conversationKey;
  g.enableThinking = r.thinkingBudget != 0;
  g.maxTokens = r.maxTokens;
  g.temperature = r.temperature;
  g.topP = r.topP;
  g.modelSampling = r.modelSampling;
  g.seed = r.seed;
  return g;
}

void TutoringSession::start(const TutorRequest& request) {
  if (running_) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("A generation is already running."));
  if (worker_) {
    worker_->wait();
    delete worker_;
    worker_ = nullptr;
  }
  request_ = request;
  info_ = backend_->info();
  solution_ = Solution{};
  solution_.profileId = profileId_;
  solution_.problemId = request.problemId;
  solution_.mode = tutorModeName(request.mode);
  solution_.model = modelName_.isEmpty() ? info_.name : modelName_;
  solution_.traceLayers = info_.hasRouting ? info_.layers : 0;
  solution_.traceExperts = info_.hasRouting ? info_.experts : 0;
  trace_ = RoutingTrace{};
  trace_.layers = solution_.traceLayers;
  trace_.experts = solution_.traceExperts;
  tokens_.clear();
  tokenStart_.clear();
  tokenSteps_.clear();
  emitted_.clear();
  cancelled_ = hintCut_ = thinkingDone_ = false;
  thinkingTokens_ = 0;
  running_ = true;
  if (!info_.hasRouting) emit routingUnavailable(info_.routingNote.isEmpty() ? QStringLiteral("This backend reports no expert routing.") : info_.routingNote);

  const GenerationRequest g = buildRequest(request);
  auto backend = backend_;
  auto stop = std::make_shared<std::atomic<bool>>(false);
  stop_ = stop;
  const int budget = request.thinkingBudget;
  QPointer<TutoringSession> self(this);
  clock_.start();
  worker_ = QThread::create([backend, stop, budget, g, self, this] {
    int thinking = 0;
    bool forced = false;
    QString error;
    try {
      backend->generate(g, [&](const GeneratedToken& t) {
        if (stop->load()) return false;
        if (t.channel == GeneratedToken::Channel::Thinking) ++thinking;
        if (budget > 0 && !forced && thinking >= budget && t.channel == GeneratedToken::Channel::Thinking) {
          forced = true;
          backend->forceEndThinking();
        }
        QMetaObject::invokeMethod(this, [this, t] { onToken(t); }, Qt::QueuedConnection);
        return !stop->load();
      });
    } catch (const AppError& e) {
      error = e.message();
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(this, [this, error] { onWorkerDone(error); }, Qt::QueuedConnection);
  });
  worker_->start();
}

void TutoringSession::cancel() {
  if (!running_) return;
  cancelled_ = true;
  if (stop_) stop_->store(true);
  backend_->cancel();
}

void TutoringSession::onToken(const GeneratedToken& t) {
  if (!running_ || hintCut_) return;
  const int index = int(tokens_.size());
  tokens_.push_back(t);
  if (info_.hasRouting && t.routing.size() == trace_.layers) trace_.append(t.routing);
  else if (info_.hasRouting) trace_.append(QList<TokenRoute>(trace_.layers, TokenRoute{}));  // keep rows aligned
  const bool thinkingToken = t.channel == GeneratedToken::Channel::Thinking ||
                             (t.channel == GeneratedToken::Channel::Control && !thinkingDone_ && !t.stop);
  if (thinkingToken) {
    tokenStart_.push_back(-1);
    if (t.channel == GeneratedToken::Channel::Thinking) {
      ++thinkingTokens_;
      solution_.thinking += t.text;
      if (!t.text.isEmpty() && request_.streamText) emit thinkingText(t.text);
    } else if (index > 0 && tokens_[index - 1].channel == GeneratedToken::Channel::Thinking) {
      // The control token after thinking text closes the block.
      thinkingDone_ = true;
      solution_.thinkingEndToken = index + 1;
      emit thinkingFinished(thinkingTokens_, t.forced);
    }
  } else {
    if (!thinkingDone_) {
      thinkingDone_ = true;
      solution_.thinkingEndToken = index;
      if (thinkingTokens_ > 0) emit thinkingFinished(thinkingTokens_, false);
    }
    tokenStart_.push_back(int(solution_.text.size()));
    if (t.channel == GeneratedToken::Channel::Answer) {
      solution_.text += t.text;
      if (!t.text.isEmpty() && request_.streamText) emit answerText(t.text);
    }
  }
  tokenSteps_.push_back(0);
  emit tokenAdded(index, t);
  if (clock_.elapsed() > 0 && (index % 8 == 7)) emit tokensPerSecond(1000.0 * tokens_.size() / clock_.elapsed());
  if (!thinkingToken) updateSteps(false);
}

void TutoringSession::updateSteps(bool final) {
  const auto spans = segmentSteps(solution_.text);
  if (request_.mode == TutorMode::Hint && !final && spans.size() >= 2) {
    // The next step is complete: stop, and keep only what precedes step 2.
    hintCut_ = true;
    truncateAnswer(spans[1].start);
    if (stop_) stop_->store(true);
    backend_->cancel();
    return;
  }
  QList<SolutionStep> steps;
  for (qsizetype i = 0; i < spans.size(); ++i)
    steps.push_back({int(i + 1), solution_.text.mid(spans[i].start, spans[i].end - spans[i].start).trimmed(), 0, 0});
  const qsizetype complete = final ? steps.size() : std::max<qsizetype>(0, steps.size() - 1);
  // Did an earlier emitted step change (e.g. a "Step 1" marker appeared late)?
  for (qsizetype i = 0; i < emitted_.size(); ++i) {
    if (i >= complete || steps[i].text != emitted_[i].text) {
      emitted_.clear();
      emit stepsRestarted();
      break;
    }
  }
  solution_.steps = steps;
  attributeTokens();
  if (!request_.streamText) return;  // the steps are seen in finished()
  for (qsizetype i = emitted_.size(); i < complete; ++i) {
    emitted_.push_back(solution_.steps[i]);
    emit stepCompleted(solution_.steps[i]);
  }
}

void TutoringSession::truncateAnswer(int cut) {
  qsizetype keep = tokens_.size();
  while (keep > 0 && tokenStart_[keep - 1] >= cut) --keep;
  tokens_.resize(keep);
  tokenStart_.resize(keep);
  tokenSteps_.resize(keep);
  trace_.expert.resize(keep * trace_.layers);
  trace_.prob.resize(keep * trace_.layers);
  solution_.text.truncate(cut);
}

void TutoringSession::attributeTokens() {
  const auto spans = segmentSteps(solution_.text);
  for (auto& s : solution_.steps) s.firstToken = s.endToken = -1;
  for (qsizetype i = 0; i < tokens_.size(); ++i) {
    int step = 0;
    if (tokenStart_[i] >= 0 && !spans.isEmpty()) {
      step = 1;
      for (qsizetype k = 0; k < spans.size(); ++k)
        if (tokenStart_[i] >= spans[k].start) step = int(k + 1);
    }
    tokenSteps_[i] = step;
    if (step > 0 && step <= solution_.steps.size()) {
      auto& s = solution_.steps[step - 1];
      if (s.firstToken < 0) s.firstToken = int(i);
      s.endToken = int(i + 1);
    }
  }
  for (auto& s : solution_.steps)
    if (s.firstToken < 0) s.firstToken = s.endToken = 0;
}

void TutoringSession::onWorkerDone(const QString& error) {
  if (!running_) return;
  if (!thinkingDone_) solution_.thinkingEndToken = int(tokens_.size());
  if (request_.answerLeak) {
    const qsizetype cut = request_.answerLeak(solution_.text);
    if (cut >= 0 && cut < solution_.text.size()) {
      truncateAnswer(int(cut));
      solution_.answerRemoved = true;
      solution_.note = QStringLiteral("Part of this reply gave the final answer away, so it was removed.");
    }
  }
  updateSteps(true);
  running_ = false;
  const double seconds = clock_.elapsed() / 1000.0;
  solution_.tokenCount = int(tokens_.size());
  solution_.tokensPerSecond = seconds > 0 ? tokens_.size() / seconds : 0;
  solution_.cancelled = cancelled_;
  emit tokensPerSecond(solution_.tokensPerSecond);
  solution_.finalAnswer = lastBoxed(solution_.text);
  // Only a whole solution is graded: a hint or an explanation boxes partial
  // results, which are no verdict on anything.
  if (!solution_.finalAnswer.isEmpty() && request_.mode == TutorMode::Full) {
    const AnswerVerdict v = request_.problem ? checkAgainstProblem(*request_.problem, solution_.finalAnswer) : AnswerVerdict{};
    if (v.known) solution_.correct = v.correct;
    emit finalAnswerChecked(solution_.finalAnswer, v);
  }
  // Compact storage of the tokens: ids and where each ends in thinking/text.
  QByteArray ids(tokens_.size() * 4, Qt::Uninitialized);
  QList<quint32> ends;
  ends.reserve(tokens_.size());
  int thinkingPos = 0;
  for (qsizetype i = 0; i < tokens_.size(); ++i) {
    qToLittleEndian<qint32>(tokens_[i].id, ids.data() + 4 * i);
    int end = 0;
    if (tokenStart_[i] < 0) {
      if (tokens_[i].channel == GeneratedToken::Channel::Thinking) thinkingPos += int(tokens_[i].text.size());
      end = thinkingPos;
    } else {
      end = tokenStart_[i] + (tokens_[i].channel == GeneratedToken::Channel::Answer ? int(tokens_[i].text.size()) : 0);
    }
    ends.push_back(quint32(end));
  }
  solution_.tokenIds = ids;
  solution_.tokenEnds = token_ends::encode(ends);
  solution_.trace = trace_.encode();
  if (!error.isEmpty() && tokens_.isEmpty()) {
    emit failed(error);
    return;
  }
  if (db_) {
    try {
      solution_.id = db_->insertSolution(solution_);
    } catch (const AppError& e) {
      emit failed(e.message());
    }
  }
  if (!error.isEmpty()) emit failed(error);
  emit finished(solution_);
}

}  // namespace zaya::app
