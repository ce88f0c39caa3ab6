// Encoding and decoding rules on the hand-made tokenizer data/tiny.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "tiny.h"

using namespace zaya;
using namespace zaya::test;
using Ids = std::vector<int32_t>;

TEST(Tokenizer, BpeMergesByRankThenPosition) {
  Tokenizer t = tiny_tokenizer();
  EXPECT_EQ(t.encode("ab c", false), (Ids{kAB, kMark, kC}));
  // "▁abc": a+b (rank 0) first, then ▁+ab (rank 1); ab+c (rank 3) never gets its turn.
  EXPECT_EQ(t.encode(" abc hi", false), (Ids{kMarkAB, kC, kMarkHI}));
  EXPECT_EQ(t.encode("abc", false), (Ids{kABC}));
  EXPECT_EQ(t.encode("  ", false), (Ids{kMarkMark}));
  EXPECT_EQ(t.encode("", false), Ids{});
}

TEST(Tokenizer, PostProcessorOnlyWhenAsked) {
  Tokenizer t = tiny_tokenizer();
  EXPECT_EQ(t.encode("hi", true), (Ids{kBos, kHI}));
  EXPECT_EQ(t.encode("hi", false), (Ids{kHI}));
  EXPECT_EQ(t.encode("", true), (Ids{kBos}));
  EXPECT_EQ(t.bos_id(), kBos);
  EXPECT_EQ(t.eos_id(), kEos);
  EXPECT_EQ(t.pad_id(), kPad);
}

TEST(Tokenizer, AddedTokensLongestFirst) {
  Tokenizer t = tiny_tokenizer();
  EXPECT_EQ(t.encode("a\n\nb", false), (Ids{kA, kNewline2, kB}));
  EXPECT_EQ(t.encode("a\n\n\nb", false), (Ids{kA, kNewline2, kNewline, kB}));
  EXPECT_EQ(t.encode("<start_of_turn>hi<end_of_turn>\n", false), (Ids{kStartOfTurn, kHI, kEndOfTurn, kNewline}));
  EXPECT_EQ(t.encode("<bos>hi", false), (Ids{kBos, kHI}));
  // A prefix of an added token is ordinary text.
  EXPECT_EQ(t.encode("<bo", false), (Ids{byte_id('<'), kB, byte_id('o')}));
}

TEST(Tokenizer, SpecialTokensCanBeTreatedAsText) {
  Tokenizer t = tiny_tokenizer();
  EncodeOptions plain;
  plain.parse_special_tokens = false;
  EXPECT_EQ(t.encode("<bos>hi\n", plain),
            (Ids{byte_id('<'), kB, byte_id('o'), byte_id('s'), byte_id('>'), kHI, kNewline}));
}

TEST(Tokenizer, ByteFallbackForUnknownCharacters) {
  Tokenizer t = tiny_tokenizer();
  EXPECT_EQ(t.encode("\xC3\xA9", false), (Ids{kEAcute}));                 // é is a piece
  EXPECT_EQ(t.encode("\xC3\xBC", false), (Ids{byte_id(0xC3), byte_id(0xBC)}));  // ü is not
  EXPECT_EQ(t.decode(Ids{byte_id(0xC3), byte_id(0xBC)}), "\xC3\xBC");
}

// Ill-formed UTF-8: each byte outside a well-formed character is its own
// byte-fallback token; decoding gives U+FFFD per maximal ill-formed subpart.
TEST(Tokenizer, InvalidUtf8IsEncodedByteByByte) {
  Tokenizer t = tiny_tokenizer();
  EXPECT_EQ(t.encode("a\xFF" "b", false), (Ids{kA, byte_id(0xFF), kB}));
  EXPECT_EQ(t.decode(t.encode("a\xFF" "b", false)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(t.encode("\xE2\x96", false), (Ids{byte_id(0xE2), byte_id(0x96)}));  // truncated "▁"
  EXPECT_EQ(t.decode(t.encode("\xE2\x96", false)), "\xEF\xBF\xBD");
  EXPECT_EQ(t.encode("\xED\xA0\x80", false), (Ids{byte_id(0xED), byte_id(0xA0), byte_id(0x80)}));  // surrogate
  EXPECT_EQ(t.decode(t.encode("\xED\xA0\x80", false)), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(t.encode("\xC0\xAF", false), (Ids{byte_id(0xC0), byte_id(0xAF)}));  // overlong
  // Random bytes: never a crash, ids always decodable.
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::string s(size_t(rng() % 40), '\0');
    for (char& c : s) c = char(rng() & 0xFF);
    Ids ids = t.encode(s, true);
    std::string back = t.decode(ids);
    EXPECT_FALSE(back.empty() && !s.empty());
  }
}

TEST(Tokenizer, DecodeRoundTripsValidText) {
  Tokenizer t = tiny_tokenizer();
  const char* alphabet[] = {"a", "b", "c", "h", "i", "x", " ", "\n", "\xC3\xA9", "\xC3\xBC", "\xE2\x82\xAC",
                            "\xF0\x9F\x99\x82", "<", "<bos>", "\t", "z"};
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    for (int k = int(rng() % 20); k > 0; --k) s += alphabet[rng() % std::size(alphabet)];
    EXPECT_EQ(t.decode(t.encode(s, false)), s) << s;
  }
}

TEST(Tokenizer, DecodeOptions) {
  Tokenizer t = tiny_tokenizer();
  EXPECT_EQ(t.decode(Ids{kBos, kMarkHI, kEndOfTurn}), "<bos> hi<end_of_turn>");
  EXPECT_EQ(t.decode(Ids{kBos, kMarkHI, kEndOfTurn}, /*skip_special_tokens=*/true), " hi");
  EXPECT_THROW(t.decode(Ids{99}), TokenizerError);       // a hole between ids
  EXPECT_THROW(t.decode(Ids{100000}), TokenizerError);
  EXPECT_THROW(t.decode(Ids{-1}), TokenizerError);
  EXPECT_TRUE(t.is_special(kBos));
  EXPECT_FALSE(t.is_special(kNewline));
  EXPECT_EQ(t.find_token("<think>"), kThink);
  EXPECT_EQ(t.find_token("\xE2\x96\x81" "a"), kMarkA);
  EXPECT_FALSE(t.find_token("nope").has_value());
  EXPECT_EQ(t.piece(kMarkHI), "\xE2\x96\x81" "hi");
  EXPECT_EQ(t.id_count(), 362);
}

TEST(Tokenizer, SplitBehaviours) {
  auto with_split = [](const char* behavior) {
    nlohmann::json j = tiny_json();
    j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"String", "b"}}}, {"behavior", behavior}, {"invert", false}};
    return from(j);
  };
  EXPECT_EQ(with_split("Isolated").encode("abc", false), (Ids{kA, kB, kC}));
  EXPECT_EQ(with_split("Removed").encode("abc", false), (Ids{kA, kC}));
  EXPECT_EQ(with_split("MergedWithPrevious").encode("abab", false), (Ids{kAB, kAB}));
  EXPECT_EQ(with_split("MergedWithNext").encode("abab", false), (Ids{kA, kB, kA, kB}));
  EXPECT_EQ(with_split("MergedWithNext").encode("abc", false), (Ids{kA, kB, kC}));
  EXPECT_EQ(with_split("Contiguous").encode("abbc", false), (Ids{kA, kB, kB, kC}));
  EXPECT_EQ(with_split("Removed").encode("abbc", false), (Ids{kA, kC}));
  EXPECT_EQ(with_split("MergedWithPrevious").encode("abbc", false), (Ids{kAB, kB, kC}));
}

TEST(Tokenizer, PrependNormalizerAndStripDecoder) {
  nlohmann::json j = tiny_json();
  j["normalizer"] = {{"type", "Sequence"},
                     {"normalizers",
                      {{{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
                       {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}}}};
  j["decoder"]["decoders"].push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
  Tokenizer t = from(j);
  EXPECT_EQ(t.encode("hi", false), (Ids{kMarkHI}));
  EXPECT_EQ(t.encode("hi abc", false), (Ids{kMarkHI, kMarkAB, kC}));
  EXPECT_EQ(t.decode(t.encode("hi abc", false)), "hi abc");
  EXPECT_EQ(t.decode(Ids{kMarkMark, kA}), " a");  // only one leading space is stripped
  StreamDecoder s(t);
  std::string streamed;
  for (int32_t id : Ids{kMark, kMark, kA}) streamed += s.push(id);
  EXPECT_EQ(streamed + s.finish(), " a");
}

TEST(Tokenizer, AddedTokenStripAndNormalizedFlags) {
  nlohmann::json j = tiny_json();
  for (auto& tok : j["added_tokens"]) {
    if (tok["content"] == "<start_of_turn>") tok["lstrip"] = true;
    if (tok["content"] == "<end_of_turn>") tok["rstrip"] = true;
  }
  j["added_tokens"].push_back({{"id", 362}, {"content", "x c"}, {"special", false}, {"normalized", true},
                               {"lstrip", false}, {"rstrip", false}, {"single_word", false}});
  Tokenizer t = from(j);
  EXPECT_EQ(t.encode("ab  <start_of_turn>", false), (Ids{kAB, kStartOfTurn}));
  EXPECT_EQ(t.encode("<end_of_turn> \t ab", false), (Ids{kEndOfTurn, kAB}));
  // normalized=true: matched in the normalised text ("x▁c"), so also from "x c".
  EXPECT_EQ(t.encode("ax c", false), (Ids{kA, 362}));
}

TEST(Tokenizer, BinaryCacheIsUsedAndInvalidated) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zaya-tok-cache-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "model");
  const fs::path file = dir / "model" / "tokenizer.json";
  fs::copy_file(tiny_json_path(), file);
  TokenizerLoadOptions options;
  options.cache_dir = dir / "cache";

  Tokenizer first = Tokenizer::load(file, options);
  EXPECT_FALSE(first.loaded_from_cache());
  Tokenizer second = Tokenizer::load(file, options);
  EXPECT_TRUE(second.loaded_from_cache());
  EXPECT_EQ(second.encode(" abc hi\n\xC3\xBC", true), first.encode(" abc hi\n\xC3\xBC", true));
  EXPECT_EQ(second.decode(second.encode(" abc hi", true)), "<bos> abc hi");

  // A changed source is parsed again.
  nlohmann::json j = tiny_json();
  j["model"]["merges"].erase(j["model"]["merges"].begin());  // drop a+b
  std::string text = j.dump(1);
  { std::ofstream(file, std::ios::binary | std::ios::trunc) << text; }
  Tokenizer third = Tokenizer::load(file, options);
  EXPECT_FALSE(third.loaded_from_cache());
  EXPECT_EQ(third.encode("ab", false), (Ids{kA, kB}));

  // A damaged cache file is ignored.
  Tokenizer::load(file, options);
  for (const auto& entry : fs::directory_iterator(options.cache_dir)) {
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x5A');
  }
  Tokenizer fourth = Tokenizer::load(file, options);
  EXPECT_FALSE(fourth.loaded_from_cache());
  EXPECT_EQ(fourth.encode("ab", false), (Ids{kA, kB}));

  options.use_cache = false;
  EXPECT_FALSE(Tokenizer::load(file, options).loaded_from_cache());
  fs::remove_all(dir);
}

TEST(Tokenizer, ConfigNamesSpecialTokens) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zaya-tok-config-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(tiny_json_path(), dir / "tokenizer.json");
  { std::ofstream(dir / "tokenizer_config.json") << R"({"eos_token": "<end_of_turn>", "bos_token": {"content": "<bos>"}})"; }
  TokenizerLoadOptions options;
  options.use_cache = false;
  Tokenizer t = Tokenizer::load(dir / "tokenizer.json", options);
  EXPECT_EQ(t.eos_id(), kEndOfTurn);
  EXPECT_EQ(t.bos_id(), kBos);
  { std::ofstream(dir / "tokenizer_config.json") << R"({"eos_token": "<nope>"})"; }
  EXPECT_THROW(Tokenizer::load(dir / "tokenizer.json", options), TokenizerError);
  fs::remove_all(dir);
}
