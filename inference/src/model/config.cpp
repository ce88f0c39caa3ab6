// config.json → ModelConfig, with every value checked before the engine
// trusts it (sizes feed straight into buffer allocations).
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "zaya/config.h"
#include "zaya/errors.h"

namespace zaya {
namespace {

using nlohmann::json;

struct Reader {
  const json& root;
  const std::string& source;

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw ConfigError(source + ": field '" + field + "' " + what);
  }

  const json& require(const json& obj, const std::string& field, const std::string& path) const {
    auto it = obj.find(field);
    if (it == obj.end()) fail(path, "is missing");
    return *it;
  }

  std::int64_t integer(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi) const {
    if (!v.is_number_integer()) fail(path, "must be an integer");
    std::int64_t x;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) fail(path, "is out of range");
      x = static_cast<std::int64_t>(u);
    } else {
      x = v.get<std::int64_t>();
    }
    if (x < lo || x > hi) fail(path, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(x));
    return x;
  }

  std::int64_t integer(const std::string& field, std::int64_t lo, std::int64_t hi) const {
    return integer(require(root, field, field), field, lo, hi);
  }

  double number(const json& v, const std::string& path, double lo, double hi) const {
    if (!v.is_number()) fail(path, "must be a number");
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) fail(path, "is out of range");
    return x;
  }

  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "must be a string");
    return v.get<std::string>();
  }

  bool boolean_or(const std::string& field, bool fallback) const {
    auto it = root.find(field);
    if (it == root.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) fail(field, "must be true or false");
    return it->get<bool>();
  }

  RopeParams rope(const json& obj, const std::string& path, double default_factor) const {
    if (!obj.is_object()) fail(path, "must be an object");
    RopeParams p;
    p.theta = number(require(obj, "rope_theta", path + ".rope_theta"), path + ".rope_theta", 1e-6, 1e30);
    auto f = obj.find("partial_rotary_factor");
    p.partial_rotary_factor = f == obj.end() ? default_factor : number(*f, path + ".partial_rotary_factor", 0.0, 1.0);
    auto t = obj.find("rope_type");
    if (t != obj.end() && string(*t, path + ".rope_type") != "default")
      fail(path + ".rope_type", "is '" + t->get<std::string>() + "'; only \"default\" RoPE is supported");
    return p;
  }
};

constexpr std::int64_t kMaxDim = std::int64_t{1} << 24;

}  // namespace

ModelConfig parse_config(std::string_view text, const std::string& source) {
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw ConfigError(source + ": malformed JSON: " + e.what());
  }
  if (!root.is_object()) throw ConfigError(source + ": top level must be a JSON object");
  Reader r{root, source};
  ModelConfig c;
  try {
    if (auto mt = root.find("model_type"); mt != root.end() && r.string(*mt, "model_type") != "zaya")
      r.fail("model_type", "is '" + mt->get<std::string>() + "', expected \"zaya\"");
    c.vocab_size = r.integer("vocab_size", 1, std::int64_t{1} << 30);
    c.hidden_size = r.integer("hidden_size", 1, kMaxDim);
    c.num_layers = r.integer("num_hidden_layers", 1, 4096);
    c.num_heads = r.integer("num_attention_heads", 1, 4096);
    c.num_kv_heads = r.integer("num_key_value_heads", 1, 4096);
    c.head_dim = r.integer("head_dim", 2, 65536);
    c.cca_time0 = r.integer("cca_time0", 1, 64);
    c.cca_time1 = r.integer("cca_time1", 1, 64);
    c.num_experts = r.integer("num_experts", 1, 4096);
    if (r.integer("num_experts_per_tok", 1, 4096) != 1) r.fail("num_experts_per_tok", "must be 1 (top-1 routing)");
    c.moe_intermediate_size = r.integer("moe_intermediate_size", 1, kMaxDim);
    c.router_hidden_size = r.integer("router_hidden_size", 1, kMaxDim);
    c.rms_norm_eps = r.number(r.require(root, "rms_norm_eps", "rms_norm_eps"), "rms_norm_eps", 0.0, 1.0);
    c.max_position_embeddings = r.integer("max_position_embeddings", 1, std::int64_t{1} << 32);
    if (r.string(r.require(root, "hidden_act", "hidden_act"), "hidden_act") != "silu")
      r.fail("hidden_act", "must be \"silu\"");
    if (c.num_heads % c.num_kv_heads != 0) r.fail("num_attention_heads", "must be a multiple of num_key_value_heads");
    if ((c.num_kv_heads * c.head_dim) % 2 != 0) r.fail("head_dim", "times num_key_value_heads must be even (current/delayed value halves)");
    if (r.boolean_or("attention_bias", false)) r.fail("attention_bias", "must be false");
    if (r.boolean_or("lm_head_bias", false)) r.fail("lm_head_bias", "must be false");
    if (!r.boolean_or("tie_word_embeddings", true)) r.fail("tie_word_embeddings", "must be true (the head is the embedding)");

    // layer_types: absent means all "hybrid".
    auto lt = root.find("layer_types");
    if (lt == root.end() || lt->is_null()) {
      c.layer_types.assign(static_cast<std::size_t>(c.num_layers), LayerType::Hybrid);
    } else {
      if (!lt->is_array()) r.fail("layer_types", "must be an array");
      if (static_cast<std::int64_t>(lt->size()) != c.num_layers)
        r.fail("layer_types", "has " + std::to_string(lt->size()) + " entries, expected num_hidden_layers = " + std::to_string(c.num_layers));
      for (std::size_t i = 0; i < lt->size(); ++i) {
        const std::string t = r.string((*lt)[i], "layer_types[" + std::to_string(i) + "]");
        if (t == "hybrid") c.layer_types.push_back(LayerType::Hybrid);
        else if (t == "hybrid_sliding") c.layer_types.push_back(LayerType::HybridSliding);
        else r.fail("layer_types[" + std::to_string(i) + "]", "is '" + t + "', expected \"hybrid\" or \"hybrid_sliding\"");
      }
    }
    auto sw = root.find("sliding_window");
    if (sw != root.end() && !sw->is_null()) c.sliding_window = r.integer(*sw, "sliding_window", 1, std::int64_t{1} << 32);
    for (auto t : c.layer_types)
      if (t == LayerType::HybridSliding && c.sliding_window == 0)
        r.fail("sliding_window", "must be set when a layer is \"hybrid_sliding\"");

    // RoPE: nested per layer type (the stray top-level "rope_type" string is
    // ignored), or the flat legacy form with rope_theta at the top level.
    double top_factor = 1.0;
    if (auto f = root.find("partial_rotary_factor"); f != root.end() && !f->is_null())
      top_factor = r.number(*f, "partial_rotary_factor", 0.0, 1.0);
    auto rp = root.find("rope_parameters");
    if (rp != root.end() && !rp->is_null()) {
      if (!rp->is_object()) r.fail("rope_parameters", "must be an object");
      if (rp->contains("rope_theta")) {
        c.rope_hybrid = c.rope_hybrid_sliding = r.rope(*rp, "rope_parameters", top_factor);
      } else {
        bool any_sliding = false;
        for (auto t : c.layer_types) any_sliding |= t == LayerType::HybridSliding;
        c.rope_hybrid = r.rope(r.require(*rp, "hybrid", "rope_parameters.hybrid"), "rope_parameters.hybrid", top_factor);
        if (rp->contains("hybrid_sliding"))
          c.rope_hybrid_sliding = r.rope((*rp)["hybrid_sliding"], "rope_parameters.hybrid_sliding", top_factor);
        else if (any_sliding)
          r.fail("rope_parameters.hybrid_sliding", "is missing");
        else
          c.rope_hybrid_sliding = c.rope_hybrid;
      }
    } else if (root.contains("rope_theta")) {
      c.rope_hybrid = c.rope_hybrid_sliding = r.rope(root, "rope", top_factor);
    } else {
      r.fail("rope_parameters", "is missing");
    }
    for (std::int64_t l = 0; l < c.num_layers; ++l)
      if (c.rotary_dims(l) % 2 != 0) r.fail("partial_rotary_factor", "gives an odd number of rotary dims");

    auto token_id = [&](const char* field, std::int64_t* out) {
      auto it = root.find(field);
      if (it != root.end() && !it->is_null()) *out = r.integer(*it, field, 0, c.vocab_size - 1);
    };
    token_id("bos_token_id", &c.bos_token_id);
    token_id("pad_token_id", &c.pad_token_id);
    if (auto e = root.find("eos_token_id"); e != root.end() && !e->is_null()) {
      if (e->is_array()) {
        for (std::size_t i = 0; i < e->size(); ++i)
          c.eos_token_ids.push_back(r.integer((*e)[i], "eos_token_id[" + std::to_string(i) + "]", 0, c.vocab_size - 1));
      } else {
        c.eos_token_ids.push_back(r.integer(*e, "eos_token_id", 0, c.vocab_size - 1));
      }
    }
    if (auto d = root.find("dtype"); d != root.end() && d->is_string()) c.dtype = d->get<std::string>();
    else if (auto td = root.find("torch_dtype"); td != root.end() && td->is_string()) c.dtype = td->get<std::string>();
  } catch (const json::exception& e) {
    throw ConfigError(source + ": " + e.what());
  }
  return c;
}

ModelConfig load_config(const std::string& model_dir) {
  const std::string path = (std::filesystem::path(model_dir) / "config.json").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot be opened");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace zaya
