// zaya::Tokenizer: loading (with the binary cache) and the public API.
#include <chrono>
#include <cstdlib>
#include <fstream>

#include "tokenizer_impl.h"

namespace zaya {

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError(path.string() + ": cannot open the file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw TokenizerError(path.string() + ": cannot read the file");
  in.seekg(0, std::ios::beg);
  std::string data(size_t(size), '\0');
  if (!in.read(data.data(), size)) throw TokenizerError(path.string() + ": cannot read the file");
  return data;
}

nlohmann::json parse_json(const tok::TokenizerImpl& impl, std::string_view text) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    impl.fail(std::string("not valid JSON: ") + e.what());
  }
}

// Every field is checked as it is read and reported through impl.fail, but a
// JSON library error that slips past those checks (a field of an unexpected
// type) must still be a TokenizerError with the file's name, never escape.
void build_checked(tok::TokenizerImpl& impl, const nlohmann::json& meta, const tok::ModelArrays& arrays) {
  try {
    tok::build_tokenizer(impl, meta, arrays);
  } catch (const nlohmann::json::exception& e) {
    impl.fail(std::string("unexpected content: ") + e.what());
  }
}

tok::ModelArrays extract_checked(tok::TokenizerImpl& impl, nlohmann::json& root) {
  try {
    return tok::extract_model_arrays(impl, root);
  } catch (const nlohmann::json::exception& e) {
    impl.fail(std::string("unexpected content: ") + e.what());
  }
}

}  // namespace

std::filesystem::path tokenizer_cache_dir() {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  std::filesystem::path root;
  if (const char* v = env("ZAYA_CACHE_DIR")) root = v;
  else if (const char* x = env("XDG_CACHE_HOME")) root = std::filesystem::path(x) / "zaya-tutor";
  else if (const char* h = env("HOME")) root = std::filesystem::path(h) / ".cache" / "zaya-tutor";
  else root = std::filesystem::temp_directory_path() / "zaya-tutor";
  return root / "tokenizer";
}

Tokenizer Tokenizer::load(const std::filesystem::path& tokenizer_json, const TokenizerLoadOptions& options) {
  auto impl = std::make_shared<tok::TokenizerImpl>();
  impl->source_name = tokenizer_json.string();
  impl->source_path = tokenizer_json;
  const std::string text = read_file(tokenizer_json);

  tok::SourceStamp stamp;
  stamp.size = text.size();
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(tokenizer_json, ec);
  stamp.mtime_ns = ec ? 0 : std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  stamp.content_hash = tok::hash_bytes(text);

  std::filesystem::path cache_file;
  if (options.use_cache) {
    cache_file = tok::cache_file_for(options.cache_dir.empty() ? tokenizer_cache_dir() : options.cache_dir,
                                     tokenizer_json);
    std::string meta_json;
    tok::ModelArrays arrays;
    if (tok::read_cache(cache_file, stamp, meta_json, arrays)) {
      try {
        build_checked(*impl, parse_json(*impl, meta_json), arrays);
        impl->from_cache = true;
      } catch (const TokenizerError&) {
        // A cache written by another version of this code: parse the source.
        impl = std::make_shared<tok::TokenizerImpl>();
        impl->source_name = tokenizer_json.string();
        impl->source_path = tokenizer_json;
      }
    }
  }
  if (!impl->from_cache) {
    nlohmann::json root = parse_json(*impl, text);
    tok::ModelArrays arrays = extract_checked(*impl, root);
    build_checked(*impl, root, arrays);
    if (options.use_cache) tok::write_cache(cache_file, stamp, root.dump(), arrays);  // best effort
  }
  tok::apply_tokenizer_config(*impl, tokenizer_json.parent_path() / "tokenizer_config.json");
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_json(std::string_view json_text, std::string_view source_name) {
  auto impl = std::make_shared<tok::TokenizerImpl>();
  impl->source_name = std::string(source_name);
  nlohmann::json root = parse_json(*impl, json_text);
  tok::ModelArrays arrays = extract_checked(*impl, root);
  build_checked(*impl, root, arrays);
  return Tokenizer(std::move(impl));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  EncodeOptions options;
  options.add_special_tokens = add_special_tokens;
  return encode(text, options);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  tok::encode_text(*impl_, text, options, out);
  return out;
}

void Tokenizer::encode_into(std::string_view text, const EncodeOptions& options, std::vector<int32_t>& out) const {
  tok::encode_text(*impl_, text, options, out);
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  std::string out;
  tok::decode_ids(*impl_, ids, skip_special_tokens, out);
  return out;
}

int32_t Tokenizer::id_count() const { return int32_t(impl_->id_piece.size()); }

bool Tokenizer::has_id(int32_t id) const {
  return id >= 0 && size_t(id) < impl_->id_piece.size() && (impl_->id_flags[size_t(id)] & tok::TokenizerImpl::kHasPiece);
}

const std::string& Tokenizer::piece(int32_t id) const {
  if (!has_id(id)) impl_->fail("id " + std::to_string(id) + " is not in the tokenizer");
  return impl_->id_piece[size_t(id)];
}

std::optional<int32_t> Tokenizer::find_token(std::string_view content) const {
  auto a = impl_->added_by_content.find(std::string(content));
  if (a != impl_->added_by_content.end()) return impl_->added_tokens[size_t(a->second)].id;
  auto v = impl_->vocab_lookup.find(content);
  if (v != impl_->vocab_lookup.end()) return v->second;
  return std::nullopt;
}

bool Tokenizer::is_special(int32_t id) const {
  return has_id(id) && (impl_->id_flags[size_t(id)] & tok::TokenizerImpl::kSpecial);
}

std::optional<int32_t> Tokenizer::bos_id() const { return impl_->bos; }
std::optional<int32_t> Tokenizer::eos_id() const { return impl_->eos; }
std::optional<int32_t> Tokenizer::pad_id() const { return impl_->pad; }
const std::filesystem::path& Tokenizer::source_path() const { return impl_->source_path; }
bool Tokenizer::loaded_from_cache() const { return impl_->from_cache; }

}  // namespace zaya
