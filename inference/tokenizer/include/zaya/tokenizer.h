// Hugging Face tokenizer.json (BPE with byte fallback, as used by Gemma 3 and
// ZAYA1) in plain C++: load, encode, decode. See docs/performance/tokenizer.md
// for the speed targets and how they are measured.
//
// Supported components (anything else is refused with a TokenizerError that
// names the file and the field, never approximated):
//   normalizer     null | Replace (String pattern) | Prepend | Sequence of those
//   pre_tokenizer  null | Split (String pattern, invert=false) | Sequence of those
//   model          BPE (merges as [a, b] pairs or "a b" strings, byte_fallback,
//                  fuse_unk, ignore_merges; no dropout, no subword affixes)
//   post_processor null | TemplateProcessing
//   decoder        Sequence of Replace (String) | ByteFallback | Fuse | Strip
//   added_tokens   matched before everything else, leftmost-longest; lstrip
//                  and rstrip honoured; single_word=true is refused.
//
// Ill-formed UTF-8 in the input is encoded losslessly: every byte that is not
// part of a well-formed character becomes its byte-fallback token <0xNN> (or
// the unknown token when the vocabulary has no byte tokens). Decoding turns
// byte-fallback bytes back into text; each maximal ill-formed subpart of those
// bytes becomes one U+FFFD (the WHATWG TextDecoder reading).
//
// A Tokenizer is immutable after loading: const member functions may be
// called from several threads at once, and copies share the loaded tables.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zaya {

// Malformed or unsupported tokenizer files, ids outside the vocabulary.
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace tok {
struct TokenizerImpl;
}

struct TokenizerLoadOptions {
  // Keep a compact binary form of the parsed file in cache_dir and reuse it
  // while the source's size, modification time and content hash still match.
  bool use_cache = true;
  // Empty: tokenizer_cache_dir().
  std::filesystem::path cache_dir;
};

struct EncodeOptions {
  // Apply the post-processor (Gemma: prepend <bos>).
  bool add_special_tokens = false;
  // Recognise added tokens marked special (<bos>, <start_of_turn>, ...) in
  // the text. Off for untrusted text that must never produce control tokens;
  // non-special added tokens ("\n", "<code>", ...) are matched either way.
  bool parse_special_tokens = true;
  // Empty, or one byte per text byte: a special token is recognised only
  // where every byte it spans is zero here. A rendered chat template marks
  // the bytes of message content, so only the template's own markup can
  // become control tokens.
  std::string_view untrusted_mask;
};

// Where the compact binary forms live: $ZAYA_CACHE_DIR, else
// $XDG_CACHE_HOME/zaya-tutor, else $HOME/.cache/zaya-tutor; plus "/tokenizer".
std::filesystem::path tokenizer_cache_dir();

class Tokenizer {
 public:
  // Reads a tokenizer.json. A tokenizer_config.json beside it (optional)
  // supplies the names of the bos/eos/pad tokens.
  static Tokenizer load(const std::filesystem::path& tokenizer_json,
                        const TokenizerLoadOptions& options = {});
  // Parses tokenizer.json text held in memory; source_name appears in errors.
  static Tokenizer from_json(std::string_view json_text, std::string_view source_name = "<memory>");

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const;
  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options) const;
  // Appends to out (no allocation of a result vector; for hot loops).
  void encode_into(std::string_view text, const EncodeOptions& options, std::vector<int32_t>& out) const;

  // Text of the ids. Throws TokenizerError for an id without a piece.
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens = false) const;

  // One past the largest id that has a piece.
  int32_t id_count() const;
  bool has_id(int32_t id) const;
  // The piece (vocabulary string or added-token content) of id; throws when none.
  const std::string& piece(int32_t id) const;
  // Id of an added token or vocabulary piece spelled exactly `content`.
  std::optional<int32_t> find_token(std::string_view content) const;
  bool is_special(int32_t id) const;
  // Ids from tokenizer_config.json when it names them, else from the
  // post-processor (bos) or conventional spellings ("<bos>", "<eos>", "<pad>").
  std::optional<int32_t> bos_id() const;
  std::optional<int32_t> eos_id() const;
  std::optional<int32_t> pad_id() const;

  const std::filesystem::path& source_path() const;
  bool loaded_from_cache() const;

  const tok::TokenizerImpl& impl() const { return *impl_; }

 private:
  explicit Tokenizer(std::shared_ptr<const tok::TokenizerImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const tok::TokenizerImpl> impl_;
};

// Incremental decoding for generation: push ids one at a time and get the
// text they complete. Bytes of a character spelled with byte-fallback pieces
// (<0xE2><0x82><0xAC>) are held back until the character is complete, so no
// returned chunk ever ends inside a UTF-8 sequence; the concatenation of all
// chunks plus finish() equals decode() of all ids.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens = false);

  std::string push(int32_t id);
  // Flushes held bytes (a truncated sequence becomes U+FFFD) and resets.
  std::string finish();
  void reset();
  // Bytes held back waiting for the rest of a character (0..3).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  bool skip_special_;
  std::string pending_;         // byte-fallback bytes of an unfinished character
  size_t stripped_ = 0;         // leading Strip-decoder characters removed so far
  bool started_ = false;        // any text emitted yet (Strip applies at the start only)
};

}  // namespace zaya
