// libFuzzer target: arbitrary bytes as tokenizer.json. Whatever loads is
// then used: fixed texts and the input itself (often ill-formed UTF-8) are
// encoded, decoded whole and streamed. Errors must be TokenizerError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "zaya/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    zaya::Tokenizer tok = zaya::Tokenizer::from_json(input, "fuzz.json");
    for (std::string_view text : {std::string_view("ab c\n\nhi <bos>x\xC3\xBC\xFF"), input.substr(0, 512)}) {
      for (bool special : {false, true}) {
        std::vector<int32_t> ids = tok.encode(text, special);
        std::string whole = tok.decode(ids);
        zaya::StreamDecoder stream(tok);
        std::string streamed;
        for (int32_t id : ids) streamed += stream.push(id);
        streamed += stream.finish();
        if (streamed != whole) __builtin_trap();
      }
    }
  } catch (const zaya::TokenizerError&) {
  }
  return 0;
}
