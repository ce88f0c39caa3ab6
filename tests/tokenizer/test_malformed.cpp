// Malformed and unsupported tokenizer.json files: each gives a TokenizerError
// whose message names the file and the field at fault.
#include <gtest/gtest.h>

#include <filesystem>

#include "tiny.h"

using namespace zaya;
using namespace zaya::test;

namespace {

// The message of the error that loading j (or text) raises; "" when it loads.
std::string load_error(const std::string& text) {
  try {
    Tokenizer::from_json(text, "bad.json");
  } catch (const TokenizerError& e) {
    return e.what();
  }
  return "";
}
std::string load_error(const nlohmann::json& j) { return load_error(j.dump()); }

#define EXPECT_LOAD_ERROR(input, fragment)                                   \
  do {                                                                       \
    std::string message = load_error(input);                                 \
    EXPECT_NE(message.find("bad.json"), std::string::npos) << message;       \
    EXPECT_NE(message.find(fragment), std::string::npos) << message;         \
  } while (0)

}  // namespace

TEST(TokenizerMalformed, TheFixtureItselfLoads) { EXPECT_EQ(load_error(tiny_json()), ""); }

TEST(TokenizerMalformed, TruncatedFile) {
  const std::string text = read_text(tiny_json_path());
  for (size_t cut : {size_t(0), size_t(1), text.size() / 3, text.size() / 2, text.size() - 2})
    EXPECT_LOAD_ERROR(text.substr(0, cut), "not valid JSON");
}

TEST(TokenizerMalformed, WrongTypes) {
  nlohmann::json j = tiny_json();
  EXPECT_LOAD_ERROR(nlohmann::json::array(), "top level");
  j = tiny_json();
  j["model"]["vocab"] = nlohmann::json::array();
  EXPECT_LOAD_ERROR(j, "model.vocab");
  j = tiny_json();
  j["model"]["vocab"]["a"] = "five";
  EXPECT_LOAD_ERROR(j, "model.vocab['a']");
  j = tiny_json();
  j["model"]["vocab"]["a"] = -5;
  EXPECT_LOAD_ERROR(j, "out of range");
  j = tiny_json();
  j["model"]["merges"][2] = 17;
  EXPECT_LOAD_ERROR(j, "model.merges[2]");
  j = tiny_json();
  j["model"]["merges"] = "a b";
  EXPECT_LOAD_ERROR(j, "model.merges");
  j = tiny_json();
  j["model"]["byte_fallback"] = "yes";
  EXPECT_LOAD_ERROR(j, "model.byte_fallback");
  j = tiny_json();
  j["added_tokens"][0]["id"] = "zero";
  EXPECT_LOAD_ERROR(j, "added_tokens[0].id");
  j = tiny_json();
  j["added_tokens"][1].erase("content");
  EXPECT_LOAD_ERROR(j, "added_tokens[1].content");
  j = tiny_json();
  j["normalizer"]["content"] = 3;
  EXPECT_LOAD_ERROR(j, "normalizer.content");
  j = tiny_json();
  j["post_processor"]["special_tokens"]["<bos>"]["ids"] = {999999};
  EXPECT_LOAD_ERROR(j, "post_processor");
  j = tiny_json();
  j.erase("model");
  EXPECT_LOAD_ERROR(j, "model: missing");
  j = tiny_json();
  j["model"]["vocab"]["b"] = 5;  // same id as "a"
  EXPECT_LOAD_ERROR(j, "share id 5");
  j = tiny_json();
  j["decoder"] = {{"type", "Sequence"}, {"decoders", {{{"type", 7}}}}};  // a number where a name belongs
  EXPECT_LOAD_ERROR(j, "decoder.decoders[0]");
}

TEST(TokenizerMalformed, UnsupportedComponents) {
  nlohmann::json j = tiny_json();
  j["model"]["type"] = "Unigram";
  EXPECT_LOAD_ERROR(j, "model.type: model 'Unigram' is not supported");
  j = tiny_json();
  j["model"].erase("type");
  EXPECT_LOAD_ERROR(j, "model.type");
  j = tiny_json();
  j["normalizer"] = {{"type", "NFKC"}};
  EXPECT_LOAD_ERROR(j, "normalizer 'NFKC' is not supported");
  j = tiny_json();
  j["normalizer"]["pattern"] = {{"Regex", "\\s+"}};
  EXPECT_LOAD_ERROR(j, "Regex patterns are not supported");
  j = tiny_json();
  j["pre_tokenizer"] = {{"type", "ByteLevel"}};
  EXPECT_LOAD_ERROR(j, "pre-tokenizer 'ByteLevel' is not supported");
  j = tiny_json();
  j["pre_tokenizer"]["invert"] = true;
  EXPECT_LOAD_ERROR(j, "pre_tokenizer.invert");
  j = tiny_json();
  j["decoder"] = {{"type", "Metaspace"}};
  EXPECT_LOAD_ERROR(j, "decoder 'Metaspace' is not supported");
  j = tiny_json();
  j["decoder"] = nullptr;
  EXPECT_LOAD_ERROR(j, "decoder: missing");
  j = tiny_json();
  j["post_processor"] = {{"type", "RobertaProcessing"}};
  EXPECT_LOAD_ERROR(j, "post-processor 'RobertaProcessing' is not supported");
  j = tiny_json();
  j["model"]["dropout"] = 0.1;
  EXPECT_LOAD_ERROR(j, "model.dropout");
  j = tiny_json();
  j["model"]["continuing_subword_prefix"] = "##";
  EXPECT_LOAD_ERROR(j, "model.continuing_subword_prefix");
  j = tiny_json();
  j["added_tokens"][2]["single_word"] = true;
  EXPECT_LOAD_ERROR(j, "added_tokens[2].single_word");
}

TEST(TokenizerMalformed, MergesNamingMissingPieces) {
  nlohmann::json j = tiny_json();
  j["model"]["merges"].push_back({"a", "zz"});
  EXPECT_LOAD_ERROR(j, "piece 'zz' is not in model.vocab");
  j = tiny_json();
  j["model"]["merges"].push_back({"b", "a"});  // "ba" is not a piece
  EXPECT_LOAD_ERROR(j, "merged piece 'ba' is not in model.vocab");
  j = tiny_json();
  j["model"]["merges"].push_back("abc");  // old "left right" format without a space
  EXPECT_LOAD_ERROR(j, "model.merges[7]");
  j = tiny_json();
  j["model"]["unk_token"] = "<nothing>";
  EXPECT_LOAD_ERROR(j, "model.unk_token");
}

TEST(TokenizerMalformed, MissingOrUnreadableFile) {
  try {
    Tokenizer::load("/nonexistent/dir/tokenizer.json");
    FAIL() << "no error";
  } catch (const TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/tokenizer.json: cannot open"), std::string::npos) << e.what();
  }
}
