// Ids -> text, whole or streamed. Both run the same steps: each piece gets
// the decoder's Replace rules, <0xNN> pieces collect bytes until they form
// complete UTF-8 characters, and a Strip decoder drops leading characters of
// the whole text. Byte runs that are not well-formed UTF-8 become U+FFFD, one
// per maximal ill-formed subpart.
#include "tokenizer_impl.h"
#include "utf8.h"

namespace zaya::tok {

namespace {

void replace_all(std::string& s, const std::string& pattern, const std::string& content) {
  size_t hit = s.find(pattern);
  if (hit == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t from = 0;
  while (hit != std::string::npos) {
    out.append(s, from, hit - from);
    out += content;
    from = hit + pattern.size();
    hit = s.find(pattern, from);
  }
  out.append(s, from, std::string::npos);
  s.swap(out);
}

}  // namespace

struct DecodeState {
  std::string& pending;  // byte-fallback bytes of an unfinished character
  size_t& stripped;
  bool& started;
};

// Appends to out the text that `chunk` (complete characters) adds to the
// output, after the text-level Replace rules and the leading Strip.
static void finish_chunk(const TokenizerImpl& impl, DecodeState st, std::string& chunk, std::string& out) {
  if (chunk.empty()) return;
  for (const auto& [pattern, content] : impl.decoder.text_replaces) replace_all(chunk, pattern, content);
  size_t from = 0;
  if (!st.started) {
    const std::string& c = impl.decoder.strip_content;
    while (st.stripped < impl.decoder.strip_start && chunk.compare(from, c.size(), c) == 0) {
      from += c.size();
      ++st.stripped;
    }
    if (from < chunk.size() || st.stripped >= impl.decoder.strip_start) st.started = true;
  }
  out.append(chunk, from, std::string::npos);
}

static void decode_step(const TokenizerImpl& impl, DecodeState st, int32_t id, bool skip_special, std::string& out) {
  if (id < 0 || size_t(id) >= impl.id_piece.size() || !(impl.id_flags[size_t(id)] & TokenizerImpl::kHasPiece))
    throw TokenizerError(impl.source_name + ": id " + std::to_string(id) + " is not in the tokenizer (ids 0.." +
                         std::to_string(int64_t(impl.id_piece.size()) - 1) + ")");
  if (skip_special && (impl.id_flags[size_t(id)] & TokenizerImpl::kSpecial)) return;
  std::string chunk;
  const int16_t byte = impl.id_byte[size_t(id)];
  if (byte >= 0) {
    st.pending.push_back(char(byte));
    size_t used = utf8::append_complete(chunk, st.pending);
    st.pending.erase(0, used);
  } else {
    if (!st.pending.empty()) {
      utf8::append_lossy(chunk, st.pending);
      st.pending.clear();
    }
    std::string piece = impl.id_piece[size_t(id)];
    for (const auto& [pattern, content] : impl.decoder.piece_replaces) replace_all(piece, pattern, content);
    chunk += piece;
  }
  finish_chunk(impl, st, chunk, out);
}

static void decode_finish(const TokenizerImpl& impl, DecodeState st, std::string& out) {
  if (st.pending.empty()) return;
  std::string chunk;
  utf8::append_lossy(chunk, st.pending);
  st.pending.clear();
  finish_chunk(impl, st, chunk, out);
}

void decode_ids(const TokenizerImpl& impl, std::span<const int32_t> ids, bool skip_special, std::string& out) {
  std::string pending;
  size_t stripped = 0;
  bool started = false;
  DecodeState st{pending, stripped, started};
  for (int32_t id : ids) decode_step(impl, st, id, skip_special, out);
  decode_finish(impl, st, out);
}

}  // namespace zaya::tok

namespace zaya {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens)
    : tokenizer_(&tokenizer), skip_special_(skip_special_tokens) {}

std::string StreamDecoder::push(int32_t id) {
  std::string out;
  tok::decode_step(tokenizer_->impl(), tok::DecodeState{pending_, stripped_, started_}, id, skip_special_, out);
  return out;
}

std::string StreamDecoder::finish() {
  std::string out;
  tok::decode_finish(tokenizer_->impl(), tok::DecodeState{pending_, stripped_, started_}, out);
  reset();
  return out;
}

void StreamDecoder::reset() {
  pending_.clear();
  stripped_ = 0;
  started_ = false;
}

}  // namespace zaya
