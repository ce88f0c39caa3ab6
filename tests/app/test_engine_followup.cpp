// The embedded engine keeps the open conversation's state between requests:
// a follow-up prefills only the tokens after what the previous prompt
// shared with it, and its reply is the one a fresh backend gives for the same
// request (greedy and seeded). Another conversation, an empty key and a
// cancelled reply keep that true. Runs on a
// synthetic small-vocab262k model from zaya-synth (random weights: the text
// is nonsense, the prompt format and the ids are real).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include "engine_backend.h"
#include "synth_model.h"
#include "prompt_format.h"

using namespace zaya::app;

namespace {

struct Reply {
  QList<qint32> ids;
  QString answer;  // the answer channel's text, as the next request's history carries it
  int forced = 0;
};

// Runs one request; `during(i)` is called after the i-th token's callback work.
Reply ask(EngineBackend& backend, const GenerationRequest& request, const std::function<bool(int)>& during = {}) {
  Reply r;
  backend.generate(request, [&](const GeneratedToken& t) {
    r.ids << t.id;
    if (t.channel == GeneratedToken::Channel::Answer) r.answer += t.text;
    r.forced += t.forced;
    return during ? during(int(r.ids.size())) : true;
  });
  return r;
}

// Where the reply's turn starts: the state kept for the next request.
qint64 replyTurn(const std::vector<zaya::TokenId>& prompt, const zaya::Tokenizer& tokenizer) {
  const zaya::TokenId start = zaya::ChatFormat(tokenizer).tokens().turn_start;
  const auto it = std::find(prompt.rbegin(), prompt.rend(), start);
  return it == prompt.rend() ? 0 : qint64(prompt.rend() - it - 1);
}

std::size_t commonPrefix(const std::vector<zaya::TokenId>& a, const std::vector<zaya::TokenId>& b) {
  return std::size_t(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}
}  // namespace

class TestEngineFollowup : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::shared_ptr<const zaya::Model> model_;
  std::shared_ptr<const zaya::Tokenizer> tokenizer_;

  std::unique_ptr<EngineBackend> backend() const {
    return std::make_unique<EngineBackend>(model_, tokenizer_, QStringLiteral("synth"));
  }

  static GenerationRequest first(const QString& key) {
    GenerationRequest r;
    r.systemPrompt = QStringLiteral("You are a patient math tutor.");
    r.userPrompt = QStringLiteral("What is $2+3$?");
    r.conversationKey = key;
    r.maxTokens = 6;
    r.temperature = 0.0f;
    r.enableThinking = false;
    return r;
  }
  static GenerationRequest followUp(const GenerationRequest& previous, const QString& answer) {
    GenerationRequest r = previous;
    r.history << ChatTurn{ChatTurn::Role::User, previous.userPrompt} << ChatTurn{ChatTurn::Role::Assistant, answer};
    r.userPrompt = QStringLiteral("Why is that so? Explain it with a picture of five apples.");
    return r;
  }

 private slots:
  void initTestCase() {
    if (!QFile::exists(zaya::testing::referenceTokenizerPath())) QSKIP("reference tokenizer.json not installed (tools/setup.sh installs it)");
    const QString model = dir_.filePath(QStringLiteral("synth"));
    QProcess synth;
    synth.start(QStringLiteral(ZAYA_SYNTH), {QStringLiteral("--preset"), QStringLiteral("small-vocab262k"), QStringLiteral("--seed"),
                                             QStringLiteral("11"), QStringLiteral("--out"), model, QStringLiteral("--quiet")});
    QVERIFY(synth.waitForFinished(120000));
    QVERIFY2(synth.exitCode() == 0, synth.readAllStandardError().constData());
    zaya::LoadOptions opts;
    opts.device = zaya::DeviceKind::Cpu;
    opts.threads = 2;
    model_ = zaya::Model::load(model.toStdString(), opts);
    tokenizer_ = std::make_shared<const zaya::Tokenizer>(zaya::Tokenizer::load(zaya::testing::referenceTokenizerPath().toStdString()));
  }

  void followUpPrefillsOnlyTheNewTokens() {
    auto kept = backend();
    const GenerationRequest one = first(QStringLiteral("conversation-1"));
    const Reply a = ask(*kept, one);
    QVERIFY(!a.ids.isEmpty());
    const auto firstPrompt = kept->promptIds(one);
    QCOMPARE(kept->lastPrefill().reused, qint64(0));
    QCOMPARE(kept->lastPrefill().fed, qint64(firstPrompt.size()));

    const GenerationRequest two = followUp(one, a.answer);
    const auto secondPrompt = kept->promptIds(two);
    // The first prompt is shared up to its reply's turn (which the follow-up
    // renders without the empty thinking block): the state there was kept.
    const qint64 turn = replyTurn(firstPrompt, *tokenizer_);
    QVERIFY(turn > 0);
    QVERIFY(qint64(commonPrefix(firstPrompt, secondPrompt)) > turn);
    const Reply b = ask(*kept, two);
    QCOMPARE(kept->lastPrefill().reused, turn);
    QCOMPARE(kept->lastPrefill().fed, qint64(secondPrompt.size()) - turn);

    auto fresh = backend();
    QCOMPARE(ask(*fresh, two).ids, b.ids);
    QCOMPARE(fresh->lastPrefill().reused, qint64(0));
    QCOMPARE(fresh->lastPrefill().fed, qint64(secondPrompt.size()));
  }

  void seededSamplingMatchesAFreshBackend() {
    auto kept = backend();
    GenerationRequest one = first(QStringLiteral("conversation-seeded"));
    one.temperature = 0.9f;
    one.seed = 4242;
    ask(*kept, one);
    // The same request again (a prompt equal to what the session holds
    // before its reply): the state at the reply's turn is kept.
    const Reply again = ask(*kept, one);
    const auto prompt = kept->promptIds(one);
    QCOMPARE(kept->lastPrefill().reused, replyTurn(prompt, *tokenizer_));
    QCOMPARE(kept->lastPrefill().fed, qint64(prompt.size()) - replyTurn(prompt, *tokenizer_));
    auto fresh = backend();
    QCOMPARE(again.ids, ask(*fresh, one).ids);
  }

  void anotherOrAnEmptyKeyStartsAfresh() {
    auto b = backend();
    const GenerationRequest one = first(QStringLiteral("conversation-a"));
    const Reply a = ask(*b, one);
    GenerationRequest other = followUp(one, a.answer);
    other.conversationKey = QStringLiteral("conversation-b");
    ask(*b, other);
    QCOMPARE(b->lastPrefill().reused, qint64(0));
    GenerationRequest none = other;
    none.conversationKey.clear();
    ask(*b, none);
    QCOMPARE(b->lastPrefill().reused, qint64(0));
    ask(*b, none);  // nothing is kept for a request without a key
    QCOMPARE(b->lastPrefill().reused, qint64(0));
  }

  void cancelledReplyLeavesTheStateConsistent() {
    auto kept = backend();
    GenerationRequest one = first(QStringLiteral("conversation-cancel"));
    one.maxTokens = 12;
    EngineBackend* raw = kept.get();
    const Reply a = ask(*kept, one, [&](int n) {
      if (n == 3) raw->cancel();  // from inside: the next step stops
      return true;
    });
    QVERIFY(a.ids.size() >= 3 && a.ids.size() < 12);
    const GenerationRequest two = followUp(one, a.answer);
    const Reply b = ask(*kept, two);
    QCOMPARE(kept->lastPrefill().reused, replyTurn(kept->promptIds(one), *tokenizer_));
    auto fresh = backend();
    QCOMPARE(ask(*fresh, two).ids, b.ids);
  }
};

QTEST_GUILESS_MAIN(TestEngineFollowup)
#include "test_engine_followup.moc"
