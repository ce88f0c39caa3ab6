// Text -> ids: added tokens first (leftmost-longest, on the raw text), then
// normaliser, tokens marked normalized=true, pre-tokenizer and BPE on what
// lies between, and finally the post-processor's prefix and suffix.
#include <algorithm>
#include <cstring>

#include "tokenizer_impl.h"
#include "utf8.h"

namespace zaya::tok {

void build_trie(const TokenizerImpl& impl, AddedTokenTrie& trie, bool normalized) {
  const std::vector<AddedToken>& tokens = impl.added_tokens;
  std::vector<std::string> spelling(tokens.size());
  size_t edge_count = 0;
  for (size_t index = 0; index < tokens.size(); ++index) {
    if (tokens[index].normalized != normalized) continue;
    if (normalized) normalize_string(impl, tokens[index].content, spelling[index]);
    else spelling[index] = tokens[index].content;
    edge_count += spelling[index].size();
  }
  trie.root_child.fill(-1);
  trie.node_token.assign(1, -1);  // node 0 is the root
  trie.edges.reserve(edge_count);
  trie.empty = true;
  for (size_t index = 0; index < tokens.size(); ++index) {
    const AddedToken& t = tokens[index];
    if (t.normalized != normalized || spelling[index].empty()) continue;
    trie.empty = false;
    int32_t node = 0;
    for (unsigned char b : spelling[index]) {
      int32_t child;
      if (node == 0) {
        child = trie.root_child[b];
      } else {
        const U64Map::Value* v = trie.edges.find((uint64_t(node) << 8) | b);
        child = v ? v->a : -1;
      }
      if (child < 0) {
        child = int32_t(trie.node_token.size());
        trie.node_token.push_back(-1);
        if (node == 0) trie.root_child[b] = child;
        else trie.edges.put((uint64_t(node) << 8) | b, {child, 0});
      }
      node = child;
    }
    trie.node_token[size_t(node)] = int32_t(index);
  }
}

namespace {

bool is_space_at(std::string_view s, size_t pos, size_t& len) {
  const unsigned char c = static_cast<unsigned char>(s[pos]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
    len = 1;
    return true;
  }
  uint32_t n = utf8::valid_char_length(s, pos);
  if (n < 2) return false;
  uint32_t cp = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + pos);
  cp = n == 2 ? ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu)
     : n == 3 ? ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu)
              : 0;
  // Unicode White_Space outside ASCII.
  const bool space = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
                     cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  if (space) len = n;
  return space;
}

// Longest allowed added token starting at pos; returns its index or -1.
// untrusted (empty, or one byte per text byte): a special token may not
// cover a byte marked non-zero there.
int32_t match_at(const TokenizerImpl& impl, const AddedTokenTrie& trie, std::string_view text, size_t pos,
                 bool parse_special, std::string_view untrusted, size_t& match_len) {
  int32_t node = trie.root_child[static_cast<unsigned char>(text[pos])];
  int32_t best = -1;
  size_t i = pos + 1;
  bool special_allowed = parse_special;
  while (node >= 0) {
    if (!untrusted.empty() && untrusted[i - 1] != '\0') special_allowed = false;
    int32_t t = trie.node_token[size_t(node)];
    if (t >= 0 && (special_allowed || !impl.added_tokens[size_t(t)].special)) {
      best = t;
      match_len = i - pos;
    }
    if (i >= text.size()) break;
    const U64Map::Value* v = trie.edges.find((uint64_t(node) << 8) | static_cast<unsigned char>(text[i]));
    node = v ? v->a : -1;
    ++i;
  }
  return best;
}

// Calls on_text(segment) for the text between added tokens and
// on_token(index) for each added token, in order.
template <class OnText, class OnToken>
void split_added(const TokenizerImpl& impl, const AddedTokenTrie& trie, std::string_view text, bool parse_special,
                 std::string_view untrusted, OnText&& on_text, OnToken&& on_token) {
  if (trie.empty) {
    on_text(text);
    return;
  }
  size_t segment_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (trie.root_child[static_cast<unsigned char>(text[i])] < 0) {
      ++i;
      continue;
    }
    size_t len = 0;
    int32_t t = match_at(impl, trie, text, i, parse_special, untrusted, len);
    if (t < 0) {
      ++i;
      continue;
    }
    const AddedToken& token = impl.added_tokens[size_t(t)];
    size_t start = i, end = i + len;
    if (token.lstrip) {  // swallow whitespace before the token
      while (start > segment_start) {
        size_t p = start - 1;
        while (p > segment_start && (static_cast<unsigned char>(text[p]) & 0xC0) == 0x80) --p;
        size_t n = 0;
        if (!is_space_at(text, p, n) || p + n != start) break;
        start = p;
      }
    }
    if (token.rstrip) {  // and after it
      size_t n = 0;
      while (end < text.size() && is_space_at(text, end, n)) end += n;
    }
    if (start > segment_start) on_text(text.substr(segment_start, start - segment_start));
    on_token(t);
    segment_start = i = end;
  }
  if (segment_start < text.size()) on_text(text.substr(segment_start));
}

void normalize(const TokenizerImpl& impl, std::string_view in, std::string& out, std::string& scratch) {
  out.assign(in);
  for (const StringRule& rule : impl.normalizer) {
    if (rule.kind == StringRule::Kind::kPrepend) {
      if (!out.empty()) out.insert(0, rule.content);
      continue;
    }
    size_t hit = out.find(rule.pattern);
    if (hit == std::string::npos) continue;
    scratch.clear();
    size_t from = 0;
    while (hit != std::string::npos) {
      scratch.append(out, from, hit - from);
      scratch += rule.content;
      from = hit + rule.pattern.size();
      hit = out.find(rule.pattern, from);
    }
    scratch.append(out, from, std::string::npos);
    out.swap(scratch);
  }
}

// One Split rule over each current word, with the Hugging Face semantics of
// each behaviour; the pieces are views of the same text.
void apply_split(const SplitRule& rule, const std::vector<std::string_view>& words,
                 std::vector<std::string_view>& out) {
  using B = SplitRule::Behavior;
  struct Segment {
    size_t begin, end;
    bool match;
  };
  thread_local std::vector<Segment> segments, merged;
  out.clear();
  for (std::string_view w : words) {
    segments.clear();
    for (size_t pos = 0;;) {
      size_t hit = w.find(rule.pattern, pos);
      size_t text_end = hit == std::string_view::npos ? w.size() : hit;
      if (text_end > pos) segments.push_back({pos, text_end, false});
      if (hit == std::string_view::npos) break;
      segments.push_back({hit, hit + rule.pattern.size(), true});
      pos = hit + rule.pattern.size();
    }
    merged.clear();
    bool previous_match = false;
    switch (rule.behavior) {
      case B::kRemoved:
        for (const Segment& g : segments)
          if (!g.match) merged.push_back(g);
        break;
      case B::kIsolated:
        merged = segments;
        break;
      case B::kMergedWithPrevious:
        for (const Segment& g : segments) {
          if (g.match && !previous_match && !merged.empty()) merged.back().end = g.end;
          else merged.push_back(g);
          previous_match = g.match;
        }
        break;
      case B::kMergedWithNext:
        for (size_t k = segments.size(); k-- > 0;) {
          const Segment& g = segments[k];
          if (g.match && !previous_match && !merged.empty()) merged.back().begin = g.begin;
          else merged.push_back(g);
          previous_match = g.match;
        }
        std::reverse(merged.begin(), merged.end());
        break;
      case B::kContiguous:
        for (const Segment& g : segments) {
          if (g.match && previous_match && !merged.empty()) merged.back().end = g.end;
          else merged.push_back(g);
          previous_match = g.match;
        }
        break;
    }
    for (const Segment& g : merged) out.push_back(w.substr(g.begin, g.end - g.begin));
  }
}

struct EncodeScratch {
  std::string normalized;
  std::string scratch;
  std::vector<std::string_view> words, next_words;
};

void encode_normalized_piece(const TokenizerImpl& impl, std::string_view piece, EncodeScratch& s,
                             std::vector<int32_t>& out) {
  if (impl.pre_tokenizer.empty()) {
    bpe_encode_word(impl, piece, out);
    return;
  }
  s.words.assign(1, piece);
  for (const SplitRule& rule : impl.pre_tokenizer) {
    apply_split(rule, s.words, s.next_words);
    s.words.swap(s.next_words);
  }
  for (std::string_view w : s.words) bpe_encode_word(impl, w, out);
}

}  // namespace

void normalize_string(const TokenizerImpl& impl, std::string_view in, std::string& out) {
  std::string scratch;
  normalize(impl, in, out, scratch);
}

void encode_text(const TokenizerImpl& impl, std::string_view text, const EncodeOptions& options,
                 std::vector<int32_t>& out) {
  if (options.add_special_tokens) out.insert(out.end(), impl.post_prefix.begin(), impl.post_prefix.end());
  thread_local EncodeScratch s;
  auto on_token = [&](int32_t index) { out.push_back(impl.added_tokens[size_t(index)].id); };
  const std::string_view untrusted = options.untrusted_mask;
  if (!untrusted.empty() && untrusted.size() != text.size())
    throw TokenizerError("encode: the untrusted-byte mask does not match the text's length");
  split_added(
      impl, impl.raw_trie, text, options.parse_special_tokens, untrusted,
      [&](std::string_view segment) {
        std::string_view normalized = segment;
        if (!impl.normalizer.empty()) {
          normalize(impl, segment, s.normalized, s.scratch);
          normalized = s.normalized;
        }
        if (impl.normalized_trie.empty) {
          encode_normalized_piece(impl, normalized, s, out);
          return;
        }
        // The pieces below are views into s.normalized, which nothing touches
        // until this segment is done.
        // Normalising moves bytes, so the mask cannot follow: a segment holding
        // any untrusted byte matches no special token after normalisation.
        bool segment_trusted = true;
        if (!untrusted.empty()) {
          const std::string_view mask = untrusted.substr(size_t(segment.data() - text.data()), segment.size());
          segment_trusted = mask.find_first_not_of('\0') == std::string_view::npos;
        }
        split_added(
            impl, impl.normalized_trie, normalized, options.parse_special_tokens && segment_trusted, {},
            [&](std::string_view piece) { encode_normalized_piece(impl, piece, s, out); }, on_token);
      },
      on_token);
  if (options.add_special_tokens) out.insert(out.end(), impl.post_suffix.begin(), impl.post_suffix.end());
}

}  // namespace zaya::tok
