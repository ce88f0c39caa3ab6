// The tutor of the open problem on scripted replies (no tokenizer, no
// model): stored conversations, hints with their history, the hint-leak
// rule, parsed working reviews, switching problems mid-reply, MC grading.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "scripted_backend.h"
#include "tutor.h"
#include "zaya/problems/answer_checker.h"

using namespace zaya::app;

namespace {

zaya::problems::Problem linear() {
  zaya::problems::Problem p;
  p.id = "test-linear";
  p.statement_latex = "If $2x+3=11$, find $x^2$.";
  p.answer = "16";
  p.accepted_answers = {"16"};
  return p;
}

zaya::problems::Problem multipleChoice() {
  zaya::problems::Problem p;
  p.id = "test-mc";
  p.statement_latex = "What is $4+6$?";
  p.choices = {{"A", "8"}, {"B", "9"}, {"C", "11"}, {"D", "10"}};
  p.answer = "D";
  p.accepted_answers = {"D"};
  p.answer_text = "10";
  return p;
}

std::shared_ptr<ScriptedBackend> scripted(const QStringList& answers) {
  QList<QList<GeneratedToken>> replies;
  for (const QString& a : answers) replies << ScriptedBackend::fromWords(QString(), a);
  auto b = std::make_shared<ScriptedBackend>(replies.front(), BackendInfo{QStringLiteral("scripted"), false, 0, 0, {}});
  b->setReplies(replies);
  return b;
}

// Runs one action to its end; the finished reply.
Solution run(Tutor& tutor, TutorAction action, const QString& text = {}, int step = 0) {
  QSignalSpy done(&tutor, &Tutor::replyFinished);
  if (!tutor.ask(action, text, step)) return {};
  if (!done.wait(10000)) return {};
  return done.first().first().value<Solution>();
}

}  // namespace

class TestTutor : public QObject {
  Q_OBJECT
 private slots:
  void hintsCarryEarlierHintsAndWrongAnswers() {
    auto backend = scripted({QStringLiteral("Step 1: Subtract $3$ from both sides: $2x = 8$."),
                             QStringLiteral("Step 2: Divide both sides by $2$."),
                             QStringLiteral("Step 3: Now square your value of $x$.")});
    Tutor tutor(nullptr, 1);
    tutor.setBackend(backend);
    const auto p = linear();
    tutor.openProblem(&p);
    const Solution h1 = run(tutor, TutorAction::Hint);
    tutor.noteAnswer(QStringLiteral("7"), false);
    const Solution h2 = run(tutor, TutorAction::Hint);
    const Solution h3 = run(tutor, TutorAction::Hint);
    QVERIFY(h1.text.contains(QStringLiteral("Subtract")));
    QVERIFY(h2.text.contains(QStringLiteral("Divide")));
    QVERIFY(h3.text.contains(QStringLiteral("square")));
    QCOMPARE(backend->requests().size(), 3);
    const GenerationRequest& third = backend->requests()[2];
    QCOMPARE(third.conversationKey, QStringLiteral("1/test-linear"));
    QCOMPARE(third.history.size(), 4);
    QCOMPARE(third.history[1].role, ChatTurn::Role::Assistant);
    QCOMPARE(third.history[1].text, h1.text.trimmed());
    QCOMPARE(third.history[3].text, h2.text.trimmed());
    QVERIFY(third.history[2].text.contains(QStringLiteral("I answered 7")));
    QVERIFY(third.userPrompt.contains(QStringLiteral("Step 3")));
    QVERIFY(third.systemPrompt.contains(QStringLiteral("2x+3=11")));
    QCOMPARE(tutor.conversation().size(), 3);
  }

  void explainAfterRestartQuotesTheStep() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    const auto p = linear();
    qint64 pid = 0, solutionId = 0;
    {
      Database db(path);
      pid = db.insertProfile({.name = QStringLiteral("Ada")});
      Tutor tutor(&db, pid);
      tutor.setBackend(scripted({QStringLiteral("Step 1: $2x = 8$.\nStep 2: Divide by two: $x = 4$.\nStep 3: "
                                                "$x^2 = \\boxed{16}$.")}));
      tutor.openProblem(&p);
      const Solution s = run(tutor, TutorAction::Solution);
      QCOMPARE(s.correct, std::optional<bool>(true));
      solutionId = s.id;
      QVERIFY(solutionId > 0);
    }
    Database db(path);  // a restart
    Tutor tutor(&db, pid);
    auto backend = scripted({QStringLiteral("Dividing both sides by the same number keeps them equal.")});
    tutor.setBackend(backend);
    tutor.openProblem(&p);
    QCOMPARE(tutor.conversation().size(), 1);
    QCOMPARE(tutor.conversation()[0].solutionId, solutionId);
    QVERIFY(tutor.reply(solutionId));  // the expert views' row, without a model
    const Solution e = run(tutor, TutorAction::Explain, QString(), 2);
    QVERIFY(e.id > 0);
    const GenerationRequest& r = backend->lastRequest();
    QVERIFY(r.userPrompt.contains(QStringLiteral("Divide by two: $x = 4$.")));
    QVERIFY(r.systemPrompt.contains(QStringLiteral("2x+3=11")));
    QCOMPARE(r.history.size(), 2);
    const auto turns = db.conversationTurns(pid, QStringLiteral("test-linear"));
    QCOMPARE(turns.size(), 2);
    QCOMPARE(turns[1].action, TutorAction::Explain);
    QCOMPARE(turns[1].step, 2);
    QCOMPARE(turns[1].solutionId, e.id);
  }

  void checkWorkingIsParsed() {
    Tutor tutor(nullptr, 1);
    tutor.setBackend(scripted({QStringLiteral("Lines 1 and 2 are fine.\nVERDICT: step 3 | \"x = 5\" | 8/2 is 4, not 5."),
                               QStringLiteral("Looks mostly fine to me.")}));
    const auto p = linear();
    tutor.openProblem(&p);
    const QString working = QStringLiteral("2x + 3 = 11\n2x = 8\nx = 5\nx^2 = 25");
    QSignalSpy reviewed(&tutor, &Tutor::workingReviewed);
    run(tutor, TutorAction::CheckWorking, working);
    QCOMPARE(reviewed.count(), 1);
    auto review = reviewed.takeFirst().first().value<WorkingReview>();
    QVERIFY(review.parsed);
    QVERIFY(!review.correct);
    QCOMPARE(review.firstWrongStep, 3);
    QCOMPARE(review.quote, QStringLiteral("x = 5"));
    QVERIFY(review.explanation.contains(QStringLiteral("not 5")));
    run(tutor, TutorAction::CheckWorking, working);
    review = reviewed.takeFirst().first().value<WorkingReview>();
    QVERIFY(!review.parsed);
    QCOMPARE(review.firstWrongStep, 0);
    QVERIFY(review.replyText.contains(QStringLiteral("mostly fine")));
  }

  void aHintNeverShowsTheKey() {
    Tutor tutor(nullptr, 1);
    tutor.setBackend(scripted({QStringLiteral("Step 1: Subtract $3$ first. Then the answer is $\\boxed{16}$.")}));
    const auto p = linear();
    tutor.openProblem(&p);
    const Solution h = run(tutor, TutorAction::Hint);
    QVERIFY(!h.text.contains(QStringLiteral("16")));
    QVERIFY(h.text.contains(QStringLiteral("Subtract")));
    QVERIFY(h.answerRemoved);
    QVERIFY(!h.note.isEmpty());
  }

  void openingAnotherProblemCutsTheReplyOff() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    Tutor tutor(&db, pid);
    auto backend = scripted({QStringLiteral("Step 1: a b c d e f g h i j k l m n o p q r s t u v w x y z.")});
    backend->setDelayMs(20);
    tutor.setBackend(backend);
    const auto a = linear();
    const auto b = multipleChoice();
    tutor.openProblem(&a);
    QSignalSpy finished(&tutor, &Tutor::replyFinished);
    QVERIFY(tutor.ask(TutorAction::Solution));
    TutoringSession* streaming = tutor.session();
    QSignalSpy answer(streaming, &TutoringSession::answerText);
    QVERIFY(answer.wait(5000));
    tutor.openProblem(&b);
    QVERIFY(!tutor.isRunning());
    QTest::qWait(300);
    QCOMPARE(finished.count(), 0);
    QVERIFY(db.conversationTurns(pid, QStringLiteral("test-mc")).isEmpty());
    QVERIFY(db.solutionsFor(pid, QStringLiteral("test-mc")).isEmpty());
    QVERIFY(db.solutionsFor(pid, QStringLiteral("test-linear")).isEmpty());
    QVERIFY(tutor.conversation().isEmpty());
  }

  // Every setting of TutorSettings reaches the request the backend gets.
  void theSettingsReachTheRequest() {
    auto backend = scripted({QStringLiteral("Step 1: $x = 4$, so \\boxed{16}")});
    Tutor tutor(nullptr, 1);
    tutor.setBackend(backend);
    TutorSettings s;
    s.maxTokens = 321;
    s.temperature = 0.25;
    s.topP = 0.8;
    s.modelSampling = false;
    s.thinkingBudget = 0;  // thinking off
    tutor.setSettings(s);
    const auto p = linear();
    tutor.openProblem(&p);
    run(tutor, TutorAction::Solution);
    QCOMPARE(backend->requests().size(), 1);
    const GenerationRequest& r = backend->requests().front();
    QCOMPARE(r.maxTokens, 321);
    QCOMPARE(r.temperature, 0.25f);
    QCOMPARE(r.topP, 0.8f);
    QVERIFY(!r.modelSampling);
    QVERIFY(!r.enableThinking);
    s = TutorSettings{};  // the defaults: thinking on, the model's own sampling
    tutor.setSettings(s);
    run(tutor, TutorAction::Hint);
    QCOMPARE(backend->requests().size(), 2);
    QVERIFY(backend->requests()[1].enableThinking);
    QVERIFY(backend->requests()[1].modelSampling);
    QCOMPARE(backend->requests()[1].maxTokens, TutorSettings{}.maxTokens);
  }

  void multipleChoiceIsGradedByTheProblem() {
    const auto p = multipleChoice();
    for (const auto& [boxed, right] : {std::pair{QStringLiteral("10"), true}, std::pair{QStringLiteral("D"), true},
                                       std::pair{QStringLiteral("B"), false}, std::pair{QStringLiteral("9"), false}}) {
      Tutor tutor(nullptr, 1);
      tutor.setBackend(scripted({QStringLiteral("Step 1: $4+6=10$, so \\boxed{%1}").arg(boxed)}));
      tutor.openProblem(&p);
      const Solution s = run(tutor, TutorAction::Solution);
      QCOMPARE(s.finalAnswer, boxed);
      QCOMPARE(s.correct, std::optional<bool>(right));
      // The student typing the same is graded the same.
      QCOMPARE(zaya::problems::check_problem_answer(p, boxed.toStdString()).equivalent, right);
    }
  }
};

QTEST_GUILESS_MAIN(TestTutor)
#include "test_tutor.moc"
