#include "scripted_backend.h"

#include <QThread>

#include "zaya/chat_format.h"
#include "zaya/tokenizer.h"

namespace zaya::app {

ScriptedBackend::ScriptedBackend(QList<GeneratedToken> script, BackendInfo info)
    : script_(std::move(script)), info_(std::move(info)) {}

namespace {
QList<TokenRoute> syntheticRouting(qint32 id, int layers, int experts) {
  QList<TokenRoute> r;
  for (int l = 0; l < layers; ++l) {
    const quint32 h = quint32(id) * 2654435761u + quint32(l) * 40503u;
    r.push_back({l, int(h % quint32(experts + 1)), 0.25f + float((h >> 8) % 700) / 1000.0f});
  }
  return r;
}
}  // namespace

QList<GeneratedToken> ScriptedBackend::fromText(const zaya::Tokenizer& tokenizer, const QString& thinking,
                                                const QString& answer, int layers, int experts) {
  const zaya::ChatTokens ct = zaya::ChatTokens::from_tokenizer(tokenizer);
  QList<GeneratedToken> out;
  auto control = [&](qint32 id, bool stop) {
    GeneratedToken t;
    t.id = id;
    t.channel = GeneratedToken::Channel::Control;
    t.stop = stop;
    t.routing = syntheticRouting(id, layers, experts);
    out.push_back(t);
  };
  auto text = [&](const QString& s, GeneratedToken::Channel channel) {
    zaya::StreamDecoder decoder(tokenizer, true);
    zaya::EncodeOptions opts;
    opts.parse_special_tokens = false;
    for (int32_t id : tokenizer.encode(s.toStdString(), opts)) {
      GeneratedToken t;
      t.id = id;
      t.text = QString::fromStdString(decoder.push(id));
      t.channel = channel;
      t.logprob = -0.1f;
      t.routing = syntheticRouting(id, layers, experts);
      out.push_back(t);
    }
    const std::string rest = decoder.finish();
    if (!rest.empty() && !out.isEmpty()) out.back().text += QString::fromStdString(rest);
  };
  if (!thinking.isEmpty()) {
    control(ct.think_start, false);
    text(thinking, GeneratedToken::Channel::Thinking);
    control(ct.think_end, false);
  }
  text(answer, GeneratedToken::Channel::Answer);
  control(ct.turn_end, true);
  return out;
}

QList<GeneratedToken> ScriptedBackend::fromWords(const QString& thinking, const QString& answer) {
  QList<GeneratedToken> out;
  qint32 id = 0;
  auto words = [&](const QString& s, GeneratedToken::Channel channel) {
    qsizetype i = 0;
    while (i < s.size()) {
      qsizetype j = i;
      while (j < s.size() && !s[j].isSpace()) ++j;
      while (j < s.size() && s[j].isSpace()) ++j;  // a word keeps its trailing space
      GeneratedToken t;
      t.id = id++;
      t.text = s.mid(i, j - i);
      t.channel = channel;
      out.push_back(t);
      i = j;
    }
  };
  auto control = [&](bool stop) {
    GeneratedToken t;
    t.id = id++;
    t.channel = GeneratedToken::Channel::Control;
    t.stop = stop;
    out.push_back(t);
  };
  if (!thinking.isEmpty()) {
    control(false);
    words(thinking, GeneratedToken::Channel::Thinking);
    control(false);
  }
  words(answer, GeneratedToken::Channel::Answer);
  control(true);
  return out;
}

void ScriptedBackend::generate(const GenerationRequest& request, const std::function<bool(const GeneratedToken&)>& onToken) {
  const QList<GeneratedToken>& script_ =
      replies_.isEmpty() ? this->script_ : replies_[std::min<qsizetype>(calls_, replies_.size() - 1)];
  ++calls_;
  lastRequest_ = request;
  requests_.push_back(request);
  cancelled_ = false;
  forceEnd_ = false;
  int produced = 0;
  for (qsizetype i = 0; i < script_.size(); ++i) {
    if (cancelled_) return;
    if (produced >= request.maxTokens) return;
    if (delayMs_ > 0) QThread::msleep(ulong(delayMs_));
    if (!onToken(script_[i])) return;
    ++produced;
    if (script_[i].stop) return;
    if (forceEnd_) {
      forceEnd_ = false;
      // Find the script's own end of thinking; emit it forced and continue after it.
      qsizetype end = i + 1;
      while (end < script_.size() && !(script_[end].channel == GeneratedToken::Channel::Control && end > 0 &&
                                       script_[end - 1].channel == GeneratedToken::Channel::Thinking))
        ++end;
      if (end >= script_.size()) continue;  // not thinking: nothing to close
      GeneratedToken forced = script_[end];
      forced.forced = true;
      if (cancelled_ || !onToken(forced)) return;
      ++produced;
      i = end;
    }
  }
}

}  // namespace zaya::app
