// The model pack: write → read round trip, checksums, and clear errors for
// truncated, foreign and bit-flipped files.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pack/crc32c.h"
#include "pack/pack_reader.h"
#include "pack/pack_writer.h"
#include "quant/quant_format.h"

namespace zaya::pack {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}

std::string error_of(const std::vector<std::byte>& bytes, bool verify = false) {
  try {
    PackReader r(bytes.data(), bytes.size(), "test.pack");
    if (verify) r.verify_all();
  } catch (const PackError& e) {
    return e.what();
  }
  return "";
}

class PackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zaya-pack-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = dir_ / "model.pack";
    PackWriter w(path_.string());
    w.add_blob("config.json", std::string("{\"hidden_size\": 64}"));
    // A Q4 tensor [2, 3, 64] written in two pieces.
    q4_.resize(quant::quant_layout(DType::Q4_G32, 6, 64).total_bytes);
    std::mt19937 rng(1);
    for (auto& b : q4_) b = static_cast<std::byte>(rng());
    w.begin_tensor("experts", DType::Q4_G32, {2, 3, 64});
    w.append(std::span(q4_).first(100));
    w.append(std::span(q4_).subspan(100));
    w.end_tensor();
    std::vector<float> f(10);
    for (int i = 0; i < 10; ++i) f[i] = static_cast<float>(i) * 0.5f;
    w.add_tensor("norm", DType::F32, {10}, std::as_bytes(std::span(f)));
    w.finish();
    bytes_ = read_all(path_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_, path_;
  std::vector<std::byte> q4_, bytes_;
};

TEST(Crc32c, KnownValueAndBothPathsAgree) {
  const char* s = "123456789";
  EXPECT_EQ(crc32c(s, 9), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(crc32c_portable(s, 9), 0xE3069283u);
  std::vector<std::uint8_t> buf(1000);
  std::mt19937 rng(2);
  for (auto& b : buf) b = static_cast<std::uint8_t>(rng());
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 1000u}) EXPECT_EQ(crc32c(buf.data(), n), crc32c_portable(buf.data(), n)) << n;
  EXPECT_EQ(crc32c(buf.data() + 10, 990, crc32c(buf.data(), 10)), crc32c(buf.data(), 1000));  // streaming
}

TEST_F(PackTest, RoundTrip) {
  MappedPack pack(path_.string());
  const PackReader& r = pack.reader();
  ASSERT_EQ(r.entries().size(), 3u);
  EXPECT_EQ(r.blob_text("config.json"), "{\"hidden_size\": 64}");
  const PackEntry& e = r.at("experts");
  EXPECT_EQ(e.kind, EntryKind::Tensor);
  EXPECT_EQ(e.dtype, DType::Q4_G32);
  EXPECT_EQ(e.shape, (std::vector<std::int64_t>{2, 3, 64}));
  EXPECT_EQ(e.offset % kPackAlignment, 0u);
  EXPECT_EQ(e.rows(), 6);
  const auto b = r.bytes(e);
  ASSERT_EQ(b.size(), q4_.size());
  EXPECT_EQ(std::memcmp(b.data(), q4_.data(), b.size()), 0);
  const WeightMatrix W = r.matrix(e);
  EXPECT_EQ(W.rows, 6);
  EXPECT_EQ(W.cols, 64);
  EXPECT_EQ(W.row_stride_bytes, 32u);
  const WeightMatrix e1 = W.row_slice(3, 3);  // expert 1
  EXPECT_EQ(static_cast<const std::byte*>(e1.data), b.data() + 3 * 32);
  const WeightMatrix n = r.matrix(r.at("norm"));
  EXPECT_EQ(static_cast<const float*>(n.data)[3], 1.5f);
  EXPECT_NO_THROW(r.verify_all());
  EXPECT_EQ(r.find("missing"), nullptr);
  EXPECT_THROW(r.at("missing"), PackError);
  EXPECT_FALSE(fs::exists(path_.string() + ".part"));
}

TEST_F(PackTest, TruncatedFileIsReportedAsTruncated) {
  for (std::size_t keep : {bytes_.size() - 1, bytes_.size() / 2, std::size_t{70}, std::size_t{40}}) {
    std::vector<std::byte> cut(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(keep));
    const std::string err = error_of(cut);
    EXPECT_NE(err.find("truncated"), std::string::npos) << keep << ": " << err;
    EXPECT_NE(err.find("test.pack"), std::string::npos) << err;
  }
}

TEST_F(PackTest, ForeignFileIsRejected) {
  std::vector<std::byte> st(200, std::byte{0});
  std::memcpy(st.data(), "\x10\0\0\0\0\0\0\0{\"a\":1}", 15);  // a safetensors-like start
  EXPECT_NE(error_of(st).find("not a ZAYA model pack"), std::string::npos);
  EXPECT_NE(error_of({}).find("not a ZAYA model pack"), std::string::npos);
}

TEST_F(PackTest, NewerVersionIsRejectedByNumber) {
  auto b = bytes_;
  const std::uint32_t v = 7;
  std::memcpy(b.data() + 8, &v, 4);
  const std::uint32_t crc = crc32c(b.data(), 60);
  std::memcpy(b.data() + 60, &crc, 4);
  EXPECT_NE(error_of(b).find("version 7"), std::string::npos) << error_of(b);
}

TEST_F(PackTest, EveryBitFlipIsDetected) {
  // Flip one bit in the header, the table and the data of every entry: the
  // parse fails, or verify_all does.
  const MappedPack pack(path_.string());
  std::vector<std::size_t> at = {3, 17, 45, 61};
  for (const PackEntry& e : pack.reader().entries()) at.push_back(static_cast<std::size_t>(e.offset + e.size / 2));
  std::uint64_t table_off;
  std::memcpy(&table_off, bytes_.data() + 16, 8);
  for (std::size_t i = table_off; i < bytes_.size(); i += 7) at.push_back(i);
  for (std::size_t pos : at) {
    for (int bit : {0, 5}) {
      auto b = bytes_;
      b[pos] ^= static_cast<std::byte>(1 << bit);
      EXPECT_NE(error_of(b, true), "") << "flip at byte " << pos << " bit " << bit << " not detected";
    }
  }
  auto b = bytes_;
  b[static_cast<std::size_t>(pack.reader().at("experts").offset + 5)] ^= std::byte{1};
  EXPECT_NE(error_of(b, true).find("'experts' is corrupted"), std::string::npos) << error_of(b, true);
}

TEST_F(PackTest, WriterRejectsWrongTensorSizeAndDuplicates) {
  PackWriter w((dir_ / "bad.pack").string());
  std::vector<std::byte> small(10);
  EXPECT_THROW(w.add_tensor("t", DType::F32, {4}, small), PackError);
  PackWriter w2((dir_ / "bad2.pack").string());
  w2.add_blob("a", std::string("x"));
  EXPECT_THROW(w2.add_blob("a", std::string("y")), PackError);
}

TEST_F(PackTest, UnfinishedWriterLeavesNoPack) {
  const fs::path p = dir_ / "partial.pack";
  {
    PackWriter w(p.string());
    w.add_blob("a", std::string("x"));
  }
  EXPECT_FALSE(fs::exists(p));
  EXPECT_FALSE(fs::exists(p.string() + ".part"));
}

}  // namespace
}  // namespace zaya::pack
