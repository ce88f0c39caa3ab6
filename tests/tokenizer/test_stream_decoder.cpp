// StreamDecoder: no chunk ever ends inside a UTF-8 sequence, text comes out
// as soon as a character is complete, and the chunks add up to decode().
#include <gtest/gtest.h>

#include <random>

#include "tiny.h"

using namespace zaya;
using namespace zaya::test;
using Ids = std::vector<int32_t>;

namespace {
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}
}  // namespace

TEST(StreamDecoder, EmitsEachCharacterWhenComplete) {
  Tokenizer t = tiny_tokenizer();
  StreamDecoder s(t);
  EXPECT_EQ(s.push(kMarkHI), " hi");
  EXPECT_EQ(s.push(byte_id(0xC3)), "");
  EXPECT_EQ(s.pending_bytes(), 1u);
  EXPECT_EQ(s.push(byte_id(0xBC)), "\xC3\xBC");  // ü
  EXPECT_EQ(s.push(byte_id(0xE2)), "");
  EXPECT_EQ(s.push(byte_id(0x82)), "");
  EXPECT_EQ(s.push(byte_id(0xAC)), "\xE2\x82\xAC");  // €
  EXPECT_EQ(s.push(byte_id(0xF0)), "");
  EXPECT_EQ(s.push(byte_id(0x9F)), "");
  EXPECT_EQ(s.push(byte_id(0x99)), "");
  EXPECT_EQ(s.push(byte_id(0x82)), "\xF0\x9F\x99\x82");  // 🙂
  EXPECT_EQ(s.push(kA), "a");
  EXPECT_EQ(s.finish(), "");
}

TEST(StreamDecoder, IllFormedBytesBecomeReplacementCharacters) {
  Tokenizer t = tiny_tokenizer();
  StreamDecoder s(t);
  EXPECT_EQ(s.push(byte_id(0xFF)), "\xEF\xBF\xBD");  // can never start a character
  EXPECT_EQ(s.push(byte_id(0xE2)), "");
  EXPECT_EQ(s.push(kA), "\xEF\xBF\xBD" "a");          // truncated by an ordinary piece
  EXPECT_EQ(s.push(byte_id(0xE2)), "");
  EXPECT_EQ(s.push(byte_id(0x41)), "\xEF\xBF\xBD" "A");  // a byte that cannot continue it
  EXPECT_EQ(s.push(byte_id(0xC3)), "");
  EXPECT_EQ(s.finish(), "\xEF\xBF\xBD");                 // truncated at the end
  EXPECT_EQ(s.pending_bytes(), 0u);
}

TEST(StreamDecoder, SkipsSpecialTokensWhenAsked) {
  Tokenizer t = tiny_tokenizer();
  StreamDecoder s(t, /*skip_special_tokens=*/true);
  EXPECT_EQ(s.push(kBos), "");
  EXPECT_EQ(s.push(kStartOfTurn), "");
  EXPECT_EQ(s.push(kNewline), "\n");
  EXPECT_THROW(s.push(99), TokenizerError);
}

TEST(StreamDecoder, ChunksAddUpToDecode) {
  Tokenizer t = tiny_tokenizer();
  std::mt19937 rng(3);
  const Ids pool = {kA, kB, kMark, kMarkHI, kEAcute, kNewline, kBos, kEndOfTurn};
  for (int round = 0; round < 2000; ++round) {
    Ids ids;
    for (int k = int(rng() % 16); k > 0; --k)
      ids.push_back(rng() % 3 == 0 ? pool[rng() % pool.size()] : byte_id(int(rng() % 256)));
    // Bias towards well-formed sequences now and then.
    if (round % 2 == 0) {
      for (unsigned char b : std::string("\xE2\x82\xAC\xF0\x9F\x99\x82")) ids.push_back(byte_id(b));
    }
    StreamDecoder s(t);
    std::string streamed;
    for (int32_t id : ids) {
      std::string chunk = s.push(id);
      ASSERT_TRUE(valid_utf8(chunk));
      streamed += chunk;
    }
    std::string tail = s.finish();
    ASSERT_TRUE(valid_utf8(tail));
    EXPECT_EQ(streamed + tail, t.decode(ids));
  }
}
