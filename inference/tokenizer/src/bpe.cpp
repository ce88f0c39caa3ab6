// Byte-pair encoding of one pre-tokenized word.
//
// The word starts as one symbol per UTF-8 character; the adjacent pair with
// the lowest merge rank is merged first, the leftmost one on ties (the order
// of Hugging Face tokenizers and of transformers.js). Candidate pairs sit in
// a binary heap and symbols in a doubly linked list over one array, so a word
// of n characters costs O(n log n) however long it is: Gemma's pre-tokenizer
// never splits (it splits on " " after " " became "▁"), so a "word" is a
// whole line of text.
#include <algorithm>
#include <unordered_map>

#include "tokenizer_impl.h"
#include "utf8.h"

namespace zaya::tok {

namespace {

constexpr int32_t kUnknownChar = -1;  // character not in the vocabulary
constexpr int32_t kMergedAway = -2;   // symbol absorbed by its left neighbour

struct Symbol {
  int32_t id;      // vocabulary id, kUnknownChar or kMergedAway
  int32_t prev;    // index of the previous live symbol, -1 at the start
  int32_t next;    // index of the next live symbol, -1 at the end
  uint32_t start;  // byte offset in the word
  uint32_t len;    // bytes
};

struct Candidate {
  int32_t rank;
  int32_t left;      // symbol index of the left side (its position breaks ties)
  int32_t left_id;   // ids when the candidate was made; a stale candidate no
  int32_t right_id;  // longer matches the live symbols and is dropped
  int32_t merged;    // id of the merged piece
};

struct LaterFirst {  // std heap is a max-heap: "less" = pops later
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  }
};

struct Workspace {
  std::vector<Symbol> symbols;     // [characters of the word]
  std::vector<Candidate> heap;     // [live candidate pairs]
};

void push_candidate(const TokenizerImpl& impl, Workspace& ws, int32_t left) {
  const Symbol& l = ws.symbols[size_t(left)];
  if (l.next < 0) return;
  const Symbol& r = ws.symbols[size_t(l.next)];
  if (l.id < 0 || r.id < 0) return;
  const U64Map::Value* m = impl.merges.find(U64Map::pair_key(l.id, r.id));
  if (!m) return;
  ws.heap.push_back({m->a, left, l.id, r.id, m->b});
  std::push_heap(ws.heap.begin(), ws.heap.end(), LaterFirst{});
}

void emit_unknown(const TokenizerImpl& impl, std::string_view bytes, std::vector<int32_t>& out, bool& last_was_unk) {
  if (impl.byte_fallback) {
    bool all = true;
    for (unsigned char b : bytes) all = all && impl.byte_token_id[b] >= 0;
    if (all) {
      for (unsigned char b : bytes) out.push_back(impl.byte_token_id[b]);
      last_was_unk = false;
      return;
    }
  }
  if (impl.unk_id < 0) return;  // no unknown token: the character is dropped, as Hugging Face does
  if (impl.fuse_unk && last_was_unk) return;
  out.push_back(impl.unk_id);
  last_was_unk = true;
}

}  // namespace

// BPE of one chunk, without the cache.
static void bpe_encode_chunk(const TokenizerImpl& impl, std::string_view word, std::vector<int32_t>& out) {
  if (impl.ignore_merges) {
    auto it = impl.vocab_lookup.find(word);
    if (it != impl.vocab_lookup.end()) {
      out.push_back(it->second);
      return;
    }
  }
  thread_local Workspace ws;
  ws.symbols.clear();
  ws.heap.clear();

  // One symbol per character; ill-formed bytes are symbols of one byte.
  const auto* bytes = reinterpret_cast<const unsigned char*>(word.data());
  for (size_t i = 0; i < word.size();) {
    uint32_t len;
    int32_t id;
    if (bytes[i] < 0x80) {
      len = 1;
      id = impl.ascii_id[bytes[i]];
    } else {
      len = utf8::valid_char_length(word, i);
      if (len == 0) {
        len = 1;
        id = kUnknownChar;
      } else {
        auto it = impl.vocab_lookup.find(word.substr(i, len));
        id = it == impl.vocab_lookup.end() ? kUnknownChar : it->second;
      }
    }
    const int32_t index = int32_t(ws.symbols.size());
    ws.symbols.push_back({id, index - 1, -1, uint32_t(i), len});
    if (index > 0) ws.symbols[size_t(index - 1)].next = index;
    i += len;
  }

  for (int32_t i = 0; i + 1 < int32_t(ws.symbols.size()); ++i) push_candidate(impl, ws, i);

  while (!ws.heap.empty()) {
    std::pop_heap(ws.heap.begin(), ws.heap.end(), LaterFirst{});
    const Candidate c = ws.heap.back();
    ws.heap.pop_back();
    Symbol& left = ws.symbols[size_t(c.left)];
    if (left.id != c.left_id || left.next < 0) continue;
    Symbol& right = ws.symbols[size_t(left.next)];
    if (right.id != c.right_id) continue;
    left.id = c.merged;
    left.len += right.len;
    left.next = right.next;
    if (right.next >= 0) ws.symbols[size_t(right.next)].prev = c.left;
    right.id = kMergedAway;
    if (left.prev >= 0) push_candidate(impl, ws, left.prev);
    push_candidate(impl, ws, c.left);
  }

  bool last_was_unk = false;
  for (int32_t i = 0; i >= 0; i = ws.symbols[size_t(i)].next) {
    const Symbol& s = ws.symbols[size_t(i)];
    if (s.id >= 0) {
      out.push_back(s.id);
      last_was_unk = false;
    } else {
      emit_unknown(impl, word.substr(s.start, s.len), out, last_was_unk);
    }
  }
}

namespace {

// Per-thread cache of chunk -> ids (chunks are mostly single words such as
// "▁the"), keyed by the tokenizer's generation so tokenizers never mix.
struct ChunkCache {
  uint64_t generation = 0;
  std::unordered_map<std::string, std::vector<int32_t>> entries;
};
constexpr size_t kCacheMaxEntries = 1 << 16;
constexpr size_t kCacheMaxChunkBytes = 64;

void encode_chunk_cached(const TokenizerImpl& impl, std::string_view chunk, std::vector<int32_t>& out) {
  if (chunk.size() > kCacheMaxChunkBytes) {
    bpe_encode_chunk(impl, chunk, out);
    return;
  }
  thread_local ChunkCache cache;
  thread_local std::string key;
  if (cache.generation != impl.generation) {
    cache.entries.clear();
    cache.generation = impl.generation;
  }
  key.assign(chunk);
  auto it = cache.entries.find(key);
  if (it != cache.entries.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    return;
  }
  const size_t first = out.size();
  bpe_encode_chunk(impl, chunk, out);
  if (cache.entries.size() >= kCacheMaxEntries) cache.entries.clear();
  cache.entries.emplace(key, std::vector<int32_t>(out.begin() + std::ptrdiff_t(first), out.end()));
}

}  // namespace

void bpe_encode_word(const TokenizerImpl& impl, std::string_view word, std::vector<int32_t>& out) {
  if (word.empty()) return;
  if (!impl.chunk_at_marker) {
    bpe_encode_chunk(impl, word, out);
    return;
  }
  // Cut before every "▁" whose previous character is neither "▁" nor one
  // that some piece joins to a "▁".
  static constexpr std::string_view kMarker = "\xE2\x96\x81";
  size_t chunk_start = 0;
  size_t prev_start = std::string_view::npos;
  bool prev_is_marker = false;
  for (size_t i = 0; i < word.size();) {
    const unsigned char b = static_cast<unsigned char>(word[i]);
    uint32_t len = b < 0x80 ? 1 : std::max<uint32_t>(1, utf8::valid_char_length(word, i));
    const bool is_marker = len == 3 && word.compare(i, 3, kMarker) == 0;
    if (is_marker && prev_start != std::string_view::npos && !prev_is_marker && i > chunk_start) {
      std::string_view prev = word.substr(prev_start, i - prev_start);
      bool unsafe = false;
      for (const std::string& u : impl.chunk_unsafe_before) unsafe = unsafe || prev == u;
      if (!unsafe) {
        encode_chunk_cached(impl, word.substr(chunk_start, i - chunk_start), out);
        chunk_start = i;
      }
    }
    prev_start = i;
    prev_is_marker = is_marker;
    i += len;
  }
  encode_chunk_cached(impl, word.substr(chunk_start), out);
}

}  // namespace zaya::tok
