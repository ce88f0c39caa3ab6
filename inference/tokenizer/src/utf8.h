// UTF-8 scanning shared by the encoder (splitting text into characters) and
// the decoders (turning byte-fallback bytes back into text). Follows the
// Unicode "maximal subpart" rules so invalid input has one defined reading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zaya::tok::utf8 {

enum class Scan : uint8_t {
  kValid,       // a complete, well-formed sequence of `length` bytes
  kIncomplete,  // the bytes so far are a valid prefix; more are needed
  kInvalid,     // the first `length` bytes are a maximal invalid subpart
};

struct ScanResult {
  Scan status;
  uint32_t length;  // bytes consumed (>= 1 unless the input is empty)
};

// Reads one character starting at p[0] (n >= 1 bytes available).
ScanResult scan(const unsigned char* p, size_t n);

// Length of the well-formed sequence at the start of s, or 0 when s starts
// with an invalid or truncated sequence. Used by the encoder, which treats
// every byte of ill-formed input as a unit of its own.
inline uint32_t valid_char_length(std::string_view s, size_t pos) {
  ScanResult r = scan(reinterpret_cast<const unsigned char*>(s.data()) + pos, s.size() - pos);
  return r.status == Scan::kValid ? r.length : 0;
}

// U+FFFD REPLACEMENT CHARACTER
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Appends the well-formed text in bytes to out, with one U+FFFD for each
// maximal invalid subpart and for a truncated tail (the WHATWG TextDecoder
// reading). Returns nothing to hold back: the input is taken as complete.
void append_lossy(std::string& out, std::string_view bytes);

// Appends to out the longest prefix of bytes that can be decoded now:
// complete characters and U+FFFD for subparts already known to be invalid.
// Returns how many bytes were used; the rest is a valid-so-far truncated
// sequence (at most 3 bytes) that must wait for more input.
size_t append_complete(std::string& out, std::string_view bytes);

bool is_valid(std::string_view s);

}  // namespace zaya::tok::utf8
