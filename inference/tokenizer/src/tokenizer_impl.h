// The loaded, immutable tables behind zaya::Tokenizer, and the entry points
// of the files that fill and use them (load_json.cpp, binary_cache.cpp,
// bpe.cpp, encode.cpp, decode.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "u64_map.h"
#include "zaya/tokenizer.h"

namespace zaya::tok {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

// Byte trie over added-token contents, for leftmost-longest matching.
struct AddedTokenTrie {
  std::array<int32_t, 256> root_child{};   // child node of the root per byte, -1 none
  U64Map edges;                            // (node << 8 | byte) -> child node
  std::vector<int32_t> node_token;         // [nodes] index into added_tokens or -1
  bool empty = true;
};

struct StringRule {  // Replace (pattern -> content) or Prepend (content)
  enum class Kind : uint8_t { kReplace, kPrepend } kind;
  std::string pattern;
  std::string content;
};

struct SplitRule {  // Split pre-tokenizer with a literal pattern
  enum class Behavior : uint8_t { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };
  std::string pattern;
  Behavior behavior;
};

struct DecoderSpec {
  std::vector<std::pair<std::string, std::string>> piece_replaces;  // on each piece, before byte fallback
  std::vector<std::pair<std::string, std::string>> text_replaces;   // on decoded text (single-character patterns)
  bool byte_fallback = false;
  std::string strip_content;  // Strip decoder after Fuse: one character
  size_t strip_start = 0;     // how many leading strip_content characters to drop
};

// What the JSON and the binary cache both provide: the model's vocabulary
// and merges in compact form, plus the rest of the file as JSON.
struct ModelArrays {
  std::vector<std::pair<int32_t, std::string>> vocab;  // (id, piece)
  std::vector<std::array<int32_t, 3>> merges;          // [rank] (left, right, merged)
};

struct TokenizerImpl {
  std::string source_name;  // for error messages
  std::filesystem::path source_path;
  bool from_cache = false;

  // ---- ids ----
  std::vector<std::string> id_piece;  // [id_count] vocabulary piece or added-token content
  std::vector<uint8_t> id_flags;      // [id_count] kHasPiece | kSpecial | kAdded
  static constexpr uint8_t kHasPiece = 1, kSpecial = 2, kAdded = 4;

  // ---- BPE model ----
  std::vector<std::string> model_pieces;                       // [model ids] backing store of vocab_lookup
  std::unordered_map<std::string_view, int32_t> vocab_lookup;  // model vocabulary only
  std::array<int32_t, 128> ascii_id{};                         // single ASCII character -> id, -1 none
  std::array<int32_t, 256> byte_token_id{};                    // <0xNN> -> id, -1 none
  U64Map merges;                                               // (left, right) -> (rank, merged)
  int32_t unk_id = -1;
  bool byte_fallback = false;
  bool fuse_unk = false;
  bool ignore_merges = false;
  // Word pieces: no vocabulary piece joins a character c to a following "▁"
  // unless c is in chunk_unsafe_before (for Gemma 3 only ">", from ">▁</"),
  // so a word can be cut before each such "▁" and the cuts encoded (and
  // cached) on their own with exactly the same result.
  bool chunk_at_marker = false;
  std::vector<std::string> chunk_unsafe_before;  // characters that may join a following "▁"
  uint64_t generation = 0;                       // unique per loaded tokenizer (keys the chunk cache)

  // ---- added tokens ----
  std::vector<AddedToken> added_tokens;
  std::unordered_map<std::string, int32_t> added_by_content;
  AddedTokenTrie raw_trie;         // tokens with normalized=false, matched on the input
  AddedTokenTrie normalized_trie;  // tokens with normalized=true, matched after normalising

  // ---- pipeline ----
  std::vector<StringRule> normalizer;
  std::vector<SplitRule> pre_tokenizer;
  std::vector<int32_t> post_prefix;  // [bos] for Gemma
  std::vector<int32_t> post_suffix;
  DecoderSpec decoder;

  // Per id: the byte of a <0xNN> piece when the decoder does byte fallback, else -1.
  std::vector<int16_t> id_byte;  // [id_count]

  std::optional<int32_t> bos, eos, pad;

  [[noreturn]] void fail(const std::string& what) const;
};

// load_json.cpp: builds everything from the parsed file. `meta` is the file
// without model.vocab and model.merges, which come in `arrays`.
void build_tokenizer(TokenizerImpl& impl, const nlohmann::json& meta, const ModelArrays& arrays);
// Splits a parsed tokenizer.json into meta + arrays (the merges resolved to ids).
ModelArrays extract_model_arrays(const TokenizerImpl& impl, nlohmann::json& root);
// Reads bos/eos/pad names from a tokenizer_config.json (optional file).
void apply_tokenizer_config(TokenizerImpl& impl, const std::filesystem::path& config_path);

// binary_cache.cpp
struct SourceStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t content_hash = 0;
};
uint64_t hash_bytes(std::string_view bytes);
std::filesystem::path cache_file_for(const std::filesystem::path& cache_dir, const std::filesystem::path& source);
bool read_cache(const std::filesystem::path& cache_file, const SourceStamp& stamp, std::string& meta_json,
                ModelArrays& arrays);
bool write_cache(const std::filesystem::path& cache_file, const SourceStamp& stamp, std::string_view meta_json,
                 const ModelArrays& arrays);

// bpe.cpp: ids of one pre-tokenized word, appended to out.
void bpe_encode_word(const TokenizerImpl& impl, std::string_view word, std::vector<int32_t>& out);

// encode.cpp
void encode_text(const TokenizerImpl& impl, std::string_view text, const EncodeOptions& options,
                 std::vector<int32_t>& out);
// Tokens with normalized=true are matched in their normalised spelling.
void build_trie(const TokenizerImpl& impl, AddedTokenTrie& trie, bool normalized);
void normalize_string(const TokenizerImpl& impl, std::string_view in, std::string& out);

// decode.cpp
void decode_ids(const TokenizerImpl& impl, std::span<const int32_t> ids, bool skip_special, std::string& out);

}  // namespace zaya::tok
