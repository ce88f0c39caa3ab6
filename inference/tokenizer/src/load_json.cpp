// Turns the fields of a Hugging Face tokenizer.json into TokenizerImpl.
// Every field is checked; anything this tokenizer does not implement is
// refused with a message naming the file and the field.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>

#include "tokenizer_impl.h"
#include "utf8.h"

namespace zaya::tok {

using nlohmann::json;

void TokenizerImpl::fail(const std::string& what) const {
  throw TokenizerError(source_name + ": " + what);
}

namespace {

constexpr int64_t kMaxId = int64_t{1} << 24;  // far above any real vocabulary

const char* type_name(const json& j) { return j.type_name(); }

const json& need(const TokenizerImpl& impl, const json& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) impl.fail(path + ": expected an object, found " + type_name(obj));
  auto it = obj.find(key);
  if (it == obj.end()) impl.fail(path + "." + key + ": missing");
  return *it;
}

std::string need_string(const TokenizerImpl& impl, const json& obj, const char* key, const std::string& path) {
  const json& v = need(impl, obj, key, path);
  if (!v.is_string()) impl.fail(path + "." + key + ": expected a string, found " + type_name(v));
  return v.get<std::string>();
}

bool opt_bool(const TokenizerImpl& impl, const json& obj, const char* key, const std::string& path, bool dflt) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return dflt;
  if (!it->is_boolean()) impl.fail(path + "." + key + ": expected true or false, found " + type_name(*it));
  return it->get<bool>();
}

int32_t to_id(const TokenizerImpl& impl, const json& v, const std::string& path) {
  if (!v.is_number_integer()) impl.fail(path + ": expected an integer id, found " + type_name(v));
  int64_t id = v.is_number_unsigned() ? int64_t(std::min<uint64_t>(v.get<uint64_t>(), kMaxId)) : v.get<int64_t>();
  if (id < 0 || id >= kMaxId) impl.fail(path + ": id " + std::to_string(id) + " is out of range");
  return int32_t(id);
}

// {"String": "x"} -> "x"; regular expressions are not implemented.
std::string literal_pattern(const TokenizerImpl& impl, const json& obj, const std::string& path) {
  const json& p = need(impl, obj, "pattern", path);
  if (p.is_object() && p.contains("String") && p["String"].is_string()) return p["String"].get<std::string>();
  if (p.is_object() && p.contains("Regex"))
    impl.fail(path + ".pattern: Regex patterns are not supported (only {\"String\": ...})");
  impl.fail(path + ".pattern: expected {\"String\": ...}");
}

std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

void parse_normalizer(TokenizerImpl& impl, const json& j, const std::string& path) {
  if (j.is_null()) return;
  const std::string type = need_string(impl, j, "type", path);
  if (type == "Sequence") {
    const json& list = need(impl, j, "normalizers", path);
    if (!list.is_array()) impl.fail(path + ".normalizers: expected an array");
    for (size_t i = 0; i < list.size(); ++i)
      parse_normalizer(impl, list[i], path + ".normalizers[" + std::to_string(i) + "]");
  } else if (type == "Replace") {
    std::string pattern = literal_pattern(impl, j, path);
    if (pattern.empty()) impl.fail(path + ".pattern: empty pattern");
    impl.normalizer.push_back({StringRule::Kind::kReplace, pattern, need_string(impl, j, "content", path)});
  } else if (type == "Prepend") {
    impl.normalizer.push_back({StringRule::Kind::kPrepend, "", need_string(impl, j, "prepend", path)});
  } else {
    impl.fail(path + ".type: normalizer " + in_quotes(type) + " is not supported (Replace, Prepend, Sequence)");
  }
}

void parse_pre_tokenizer(TokenizerImpl& impl, const json& j, const std::string& path) {
  if (j.is_null()) return;
  const std::string type = need_string(impl, j, "type", path);
  if (type == "Sequence") {
    const json& list = need(impl, j, "pretokenizers", path);
    if (!list.is_array()) impl.fail(path + ".pretokenizers: expected an array");
    for (size_t i = 0; i < list.size(); ++i)
      parse_pre_tokenizer(impl, list[i], path + ".pretokenizers[" + std::to_string(i) + "]");
  } else if (type == "Split") {
    SplitRule rule;
    rule.pattern = literal_pattern(impl, j, path);
    if (rule.pattern.empty()) impl.fail(path + ".pattern: empty pattern");
    const std::string behavior = need_string(impl, j, "behavior", path);
    if (behavior == "Removed") rule.behavior = SplitRule::Behavior::kRemoved;
    else if (behavior == "Isolated") rule.behavior = SplitRule::Behavior::kIsolated;
    else if (behavior == "MergedWithPrevious") rule.behavior = SplitRule::Behavior::kMergedWithPrevious;
    else if (behavior == "MergedWithNext") rule.behavior = SplitRule::Behavior::kMergedWithNext;
    else if (behavior == "Contiguous") rule.behavior = SplitRule::Behavior::kContiguous;
    else impl.fail(path + ".behavior: unknown split behavior " + in_quotes(behavior));
    if (opt_bool(impl, j, "invert", path, false)) impl.fail(path + ".invert: true is not supported");
    impl.pre_tokenizer.push_back(std::move(rule));
  } else {
    impl.fail(path + ".type: pre-tokenizer " + in_quotes(type) + " is not supported (Split, Sequence)");
  }
}

void parse_post_processor(TokenizerImpl& impl, const json& j, const std::string& path) {
  if (j.is_null()) return;
  const std::string type = need_string(impl, j, "type", path);
  if (type != "TemplateProcessing")
    impl.fail(path + ".type: post-processor " + in_quotes(type) + " is not supported (TemplateProcessing)");
  const json& specials = need(impl, j, "special_tokens", path);
  if (!specials.is_object()) impl.fail(path + ".special_tokens: expected an object");
  const json& single = need(impl, j, "single", path);
  if (!single.is_array()) impl.fail(path + ".single: expected an array");
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const std::string item_path = path + ".single[" + std::to_string(i) + "]";
    const json& item = single[i];
    if (item.is_object() && item.contains("Sequence")) {
      if (seen_sequence) impl.fail(item_path + ": a second Sequence in a single-text template");
      seen_sequence = true;
      continue;
    }
    if (!item.is_object() || !item.contains("SpecialToken"))
      impl.fail(item_path + ": expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
    const std::string name = need_string(impl, item["SpecialToken"], "id", item_path + ".SpecialToken");
    auto sp = specials.find(name);
    if (sp == specials.end()) impl.fail(item_path + ": special token " + in_quotes(name) + " is not in special_tokens");
    const std::string sp_path = path + ".special_tokens." + name;
    const json& ids = need(impl, *sp, "ids", sp_path);
    if (!ids.is_array()) impl.fail(sp_path + ".ids: expected an array");
    for (size_t k = 0; k < ids.size(); ++k) {
      int32_t id = to_id(impl, ids[k], sp_path + ".ids[" + std::to_string(k) + "]");
      (seen_sequence ? impl.post_suffix : impl.post_prefix).push_back(id);
    }
  }
  if (!seen_sequence) impl.fail(path + ".single: no {\"Sequence\": ...} item");
}

void parse_decoder_step(TokenizerImpl& impl, const json& j, const std::string& path, bool& seen_fuse) {
  const std::string type = need_string(impl, j, "type", path);
  DecoderSpec& d = impl.decoder;
  if (type == "Replace") {
    std::string pattern = literal_pattern(impl, j, path);
    std::string content = need_string(impl, j, "content", path);
    if (pattern.empty()) impl.fail(path + ".pattern: empty pattern");
    if (!d.byte_fallback && !seen_fuse) {
      d.piece_replaces.emplace_back(std::move(pattern), std::move(content));
    } else {
      // After byte fallback the text arrives in arbitrary chunks; a pattern of
      // one character gives the same result however it is cut.
      if (utf8::valid_char_length(pattern, 0) != pattern.size())
        impl.fail(path + ": a Replace after ByteFallback/Fuse must have a one-character pattern");
      d.text_replaces.emplace_back(std::move(pattern), std::move(content));
    }
  } else if (type == "ByteFallback") {
    d.byte_fallback = true;
  } else if (type == "Fuse") {
    seen_fuse = true;
  } else if (type == "Strip") {
    if (!seen_fuse) impl.fail(path + ": Strip before Fuse is not supported");
    std::string content = need_string(impl, j, "content", path);
    if (content.empty() || utf8::valid_char_length(content, 0) != content.size())
      impl.fail(path + ".content: expected one character");
    const json& start = need(impl, j, "start", path);
    const json& stop = need(impl, j, "stop", path);
    if (!start.is_number_unsigned() || !stop.is_number_unsigned())
      impl.fail(path + ": start and stop must be non-negative integers");
    if (stop.get<uint64_t>() != 0) impl.fail(path + ".stop: stripping the end of the text is not supported");
    d.strip_content = content;
    d.strip_start = size_t(std::min<uint64_t>(start.get<uint64_t>(), 1024));
  } else {
    impl.fail(path + ".type: decoder " + in_quotes(type) + " is not supported (Replace, ByteFallback, Fuse, Strip, Sequence)");
  }
}

void parse_decoder(TokenizerImpl& impl, const json& j, const std::string& path) {
  if (j.is_null()) impl.fail(path + ": missing (a decoder is needed to turn ids back into text)");
  bool seen_fuse = false;
  if (need_string(impl, j, "type", path) == "Sequence") {
    const json& list = need(impl, j, "decoders", path);
    if (!list.is_array()) impl.fail(path + ".decoders: expected an array");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = path + ".decoders[" + std::to_string(i) + "]";
      if (list[i].is_object() && list[i].contains("type") && list[i]["type"] == "Sequence")
        impl.fail(p + ": nested Sequence is not supported");
      parse_decoder_step(impl, list[i], p, seen_fuse);
    }
  } else {
    parse_decoder_step(impl, j, path, seen_fuse);
  }
}

void parse_model_options(TokenizerImpl& impl, const json& model) {
  const std::string path = "model";
  if (!model.is_object()) impl.fail("model: expected an object, found " + std::string(type_name(model)));
  auto type_it = model.find("type");
  if (type_it == model.end()) impl.fail("model.type: missing (only BPE is supported)");
  if (!type_it->is_string()) impl.fail("model.type: expected a string");
  if (type_it->get<std::string>() != "BPE")
    impl.fail("model.type: model " + in_quotes(type_it->get<std::string>()) + " is not supported (only BPE)");
  if (auto it = model.find("dropout"); it != model.end() && !it->is_null()) {
    if (!it->is_number() || it->get<double>() != 0.0) impl.fail("model.dropout: BPE dropout is not supported");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    auto it = model.find(key);
    if (it != model.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty()))
      impl.fail(std::string("model.") + key + ": not supported");
  }
  impl.byte_fallback = opt_bool(impl, model, "byte_fallback", path, false);
  impl.fuse_unk = opt_bool(impl, model, "fuse_unk", path, false);
  impl.ignore_merges = opt_bool(impl, model, "ignore_merges", path, false);
}

// Which characters ever stand right before a "▁" inside one vocabulary
// piece (see TokenizerImpl::chunk_at_marker).
void find_chunk_boundaries(TokenizerImpl& impl) {
  static constexpr std::string_view kMarker = "\xE2\x96\x81";  // U+2581
  impl.chunk_at_marker = impl.vocab_lookup.count(kMarker) > 0 && !impl.ignore_merges;
  if (!impl.chunk_at_marker) return;
  for (const std::string& piece : impl.model_pieces) {
    size_t prev_start = std::string::npos;
    for (size_t i = 0; i < piece.size();) {
      uint32_t len = std::max<uint32_t>(1, utf8::valid_char_length(piece, i));
      if (prev_start != std::string::npos && piece.compare(i, kMarker.size(), kMarker) == 0) {
        std::string prev = piece.substr(prev_start, i - prev_start);
        if (prev != kMarker && std::find(impl.chunk_unsafe_before.begin(), impl.chunk_unsafe_before.end(), prev) ==
                                   impl.chunk_unsafe_before.end())
          impl.chunk_unsafe_before.push_back(prev);
      }
      prev_start = i;
      i += len;
    }
  }
  // Many such characters would make the cut test slow; encode whole words then.
  if (impl.chunk_unsafe_before.size() > 64) impl.chunk_at_marker = false;
}

}  // namespace

ModelArrays extract_model_arrays(const TokenizerImpl& impl, json& root) {
  if (!root.is_object()) impl.fail("expected a JSON object at the top level, found " + std::string(type_name(root)));
  auto model_it = root.find("model");
  if (model_it == root.end()) impl.fail("model: missing");
  json& model = *model_it;
  if (!model.is_object()) impl.fail("model: expected an object, found " + std::string(type_name(model)));
  ModelArrays arrays;

  const json& vocab = need(impl, model, "vocab", "model");
  if (!vocab.is_object()) impl.fail("model.vocab: expected an object of piece -> id, found " + std::string(type_name(vocab)));
  arrays.vocab.reserve(vocab.size());
  std::unordered_map<std::string_view, int32_t> lookup;
  lookup.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    int32_t id = to_id(impl, it.value(), "model.vocab[" + in_quotes(it.key()) + "]");
    arrays.vocab.emplace_back(id, it.key());
    lookup.emplace(it.key(), id);
  }

  const json& merges = need(impl, model, "merges", "model");
  if (!merges.is_array()) impl.fail("model.merges: expected an array, found " + std::string(type_name(merges)));
  arrays.merges.reserve(merges.size());
  std::string joined;
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& m = merges[i];
    std::string_view left, right;
    std::string legacy;
    if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      left = m[0].get_ref<const std::string&>();
      right = m[1].get_ref<const std::string&>();
    } else if (m.is_string()) {
      legacy = m.get<std::string>();
      size_t space = legacy.find(' ');
      if (space == std::string::npos) impl.fail("model.merges[" + std::to_string(i) + "]: expected \"left right\"");
      left = std::string_view(legacy).substr(0, space);
      right = std::string_view(legacy).substr(space + 1);
    } else {
      impl.fail("model.merges[" + std::to_string(i) + "]: expected [\"left\", \"right\"] or \"left right\"");
    }
    auto l = lookup.find(left), r = lookup.find(right);
    for (auto [it, piece] : {std::pair{l, left}, std::pair{r, right}})
      if (it == lookup.end())
        impl.fail("model.merges[" + std::to_string(i) + "]: piece " + in_quotes(piece) + " is not in model.vocab");
    joined.assign(left);
    joined.append(right);
    auto merged = lookup.find(joined);
    if (merged == lookup.end())
      impl.fail("model.merges[" + std::to_string(i) + "]: merged piece " + in_quotes(joined) + " is not in model.vocab");
    arrays.merges.push_back({l->second, r->second, merged->second});
  }
  lookup.clear();
  model.erase("vocab");
  model.erase("merges");
  return arrays;
}

void build_tokenizer(TokenizerImpl& impl, const json& meta, const ModelArrays& arrays) {
  static std::atomic<uint64_t> generations{0};
  impl.generation = ++generations;
  if (!meta.is_object()) impl.fail("expected a JSON object at the top level");
  const json& model = need(impl, meta, "model", "(top level)");
  parse_model_options(impl, model);

  // ---- vocabulary ----
  int32_t model_count = 0;
  for (const auto& [id, piece] : arrays.vocab) {
    if (id < 0 || id >= kMaxId) impl.fail("model.vocab: id " + std::to_string(id) + " is out of range");
    model_count = std::max(model_count, id + 1);
  }
  impl.model_pieces.assign(size_t(model_count), std::string());
  std::vector<uint8_t> seen(size_t(model_count), 0);
  for (const auto& [id, piece] : arrays.vocab) {
    if (seen[size_t(id)]) impl.fail("model.vocab: two pieces share id " + std::to_string(id));
    seen[size_t(id)] = 1;
    impl.model_pieces[size_t(id)] = piece;
  }
  impl.vocab_lookup.reserve(size_t(model_count));
  for (int32_t id = 0; id < model_count; ++id)
    if (seen[size_t(id)]) impl.vocab_lookup.emplace(impl.model_pieces[size_t(id)], id);

  if (auto it = model.find("unk_token"); it != model.end() && !it->is_null()) {
    if (!it->is_string()) impl.fail("model.unk_token: expected a string");
    auto u = impl.vocab_lookup.find(it->get_ref<const std::string&>());
    if (u == impl.vocab_lookup.end()) impl.fail("model.unk_token: " + in_quotes(it->get<std::string>()) + " is not in model.vocab");
    impl.unk_id = u->second;
  }

  // ---- merges ----
  impl.merges.reserve(arrays.merges.size());
  for (size_t rank = 0; rank < arrays.merges.size(); ++rank) {
    const auto& m = arrays.merges[rank];
    for (int32_t id : m)
      if (id < 0 || id >= model_count || !seen[size_t(id)])
        impl.fail("model.merges[" + std::to_string(rank) + "]: id " + std::to_string(id) + " is not in model.vocab");
    impl.merges.put(U64Map::pair_key(m[0], m[1]), {int32_t(rank), m[2]});
  }

  // ---- added tokens ----
  int32_t id_count = model_count;
  if (auto it = meta.find("added_tokens"); it != meta.end() && !it->is_null()) {
    if (!it->is_array()) impl.fail("added_tokens: expected an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "added_tokens[" + std::to_string(i) + "]";
      const json& t = (*it)[i];
      AddedToken tok;
      tok.id = to_id(impl, need(impl, t, "id", path), path + ".id");
      tok.content = need_string(impl, t, "content", path);
      if (tok.content.empty()) impl.fail(path + ".content: empty");
      tok.special = opt_bool(impl, t, "special", path, false);
      tok.lstrip = opt_bool(impl, t, "lstrip", path, false);
      tok.rstrip = opt_bool(impl, t, "rstrip", path, false);
      tok.normalized = opt_bool(impl, t, "normalized", path, !tok.special);
      if (opt_bool(impl, t, "single_word", path, false)) impl.fail(path + ".single_word: true is not supported");
      if (impl.added_by_content.count(tok.content)) impl.fail(path + ": content " + in_quotes(tok.content) + " appears twice");
      impl.added_by_content.emplace(tok.content, int32_t(impl.added_tokens.size()));
      id_count = std::max(id_count, tok.id + 1);
      impl.added_tokens.push_back(std::move(tok));
    }
  }

  impl.id_piece.assign(size_t(id_count), std::string());
  impl.id_flags.assign(size_t(id_count), 0);
  for (int32_t id = 0; id < model_count; ++id) {
    if (!seen[size_t(id)]) continue;
    impl.id_piece[size_t(id)] = impl.model_pieces[size_t(id)];
    impl.id_flags[size_t(id)] = TokenizerImpl::kHasPiece;
  }
  for (const AddedToken& t : impl.added_tokens) {
    impl.id_piece[size_t(t.id)] = t.content;
    impl.id_flags[size_t(t.id)] = TokenizerImpl::kHasPiece | TokenizerImpl::kAdded | (t.special ? TokenizerImpl::kSpecial : 0);
  }

  // ---- pipeline ----
  if (auto it = meta.find("normalizer"); it != meta.end()) parse_normalizer(impl, *it, "normalizer");
  if (auto it = meta.find("pre_tokenizer"); it != meta.end()) parse_pre_tokenizer(impl, *it, "pre_tokenizer");
  if (auto it = meta.find("post_processor"); it != meta.end()) parse_post_processor(impl, *it, "post_processor");
  auto dec = meta.find("decoder");
  parse_decoder(impl, dec == meta.end() ? json() : *dec, "decoder");
  for (int32_t id : impl.post_prefix)
    if (id >= id_count || !(impl.id_flags[size_t(id)] & TokenizerImpl::kHasPiece))
      impl.fail("post_processor: id " + std::to_string(id) + " has no piece");
  for (int32_t id : impl.post_suffix)
    if (id >= id_count || !(impl.id_flags[size_t(id)] & TokenizerImpl::kHasPiece))
      impl.fail("post_processor: id " + std::to_string(id) + " has no piece");

  // ---- fast lookups ----
  impl.ascii_id.fill(-1);
  for (int c = 0; c < 128; ++c) {
    char ch = char(c);
    auto it = impl.vocab_lookup.find(std::string_view(&ch, 1));
    if (it != impl.vocab_lookup.end()) impl.ascii_id[size_t(c)] = it->second;
  }
  impl.byte_token_id.fill(-1);
  static const char* hex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    const char name[7] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>', 0};
    auto it = impl.vocab_lookup.find(std::string_view(name, 6));
    if (it != impl.vocab_lookup.end()) impl.byte_token_id[size_t(b)] = it->second;
  }
  impl.id_byte.assign(size_t(id_count), -1);
  if (impl.decoder.byte_fallback) {
    auto hexval = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    for (int32_t id = 0; id < id_count; ++id) {
      const std::string& p = impl.id_piece[size_t(id)];
      if (p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>' && hexval(p[3]) >= 0 && hexval(p[4]) >= 0)
        impl.id_byte[size_t(id)] = int16_t(hexval(p[3]) * 16 + hexval(p[4]));
    }
  }
  find_chunk_boundaries(impl);
  build_trie(impl, impl.raw_trie, false);
  build_trie(impl, impl.normalized_trie, true);

  auto find_named = [&](std::string_view name) -> std::optional<int32_t> {
    auto a = impl.added_by_content.find(std::string(name));
    if (a != impl.added_by_content.end()) return impl.added_tokens[size_t(a->second)].id;
    auto v = impl.vocab_lookup.find(name);
    if (v != impl.vocab_lookup.end()) return v->second;
    return std::nullopt;
  };
  impl.bos = impl.post_prefix.empty() ? find_named("<bos>") : std::optional<int32_t>(impl.post_prefix.front());
  impl.eos = find_named("<eos>");
  impl.pad = find_named("<pad>");
}

void apply_tokenizer_config(TokenizerImpl& impl, const std::filesystem::path& config_path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config_path, ec)) return;
  std::ifstream in(config_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  json cfg = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  const std::string where = config_path.string();
  if (cfg.is_discarded() || !cfg.is_object()) throw TokenizerError(where + ": not a JSON object");
  auto name_of = [&](const char* key) -> std::optional<std::string> {
    auto it = cfg.find(key);
    if (it == cfg.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
    throw TokenizerError(where + ": " + key + ": expected a string");
  };
  auto resolve = [&](const char* key, std::optional<int32_t>& slot) {
    auto name = name_of(key);
    if (!name) return;
    auto a = impl.added_by_content.find(*name);
    if (a != impl.added_by_content.end()) { slot = impl.added_tokens[size_t(a->second)].id; return; }
    auto v = impl.vocab_lookup.find(*name);
    if (v != impl.vocab_lookup.end()) { slot = v->second; return; }
    throw TokenizerError(where + ": " + key + ": token " + in_quotes(*name) + " is not in the tokenizer");
  };
  resolve("bos_token", impl.bos);
  resolve("eos_token", impl.eos);
  resolve("pad_token", impl.pad);
}

}  // namespace zaya::tok
