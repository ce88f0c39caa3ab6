#include "utf8.h"

namespace zaya::tok::utf8 {

ScanResult scan(const unsigned char* p, size_t n) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return {Scan::kValid, 1};
  uint32_t need = 0;
  // Bounds of the second byte; later bytes are always 80..BF.
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;   // no overlong forms
    if (b0 == 0xED) hi = 0x9F;   // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;   // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;   // nothing above U+10FFFF
  } else {
    return {Scan::kInvalid, 1};  // 80..C1, F5..FF never start a character
  }
  for (uint32_t i = 1; i <= need; ++i) {
    if (i >= n) return {Scan::kIncomplete, i};
    const unsigned char b = p[i];
    const unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
    if (b < l || b > h) return {Scan::kInvalid, i};
  }
  return {Scan::kValid, need + 1};
}

void append_lossy(std::string& out, std::string_view bytes) {
  size_t used = append_complete(out, bytes);
  if (used < bytes.size()) out += kReplacement;  // truncated tail
}

size_t append_complete(std::string& out, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    ScanResult r = scan(p + i, bytes.size() - i);
    if (r.status == Scan::kIncomplete) break;
    if (r.status == Scan::kValid) {
      out.append(bytes.data() + i, r.length);
    } else {
      out += kReplacement;
    }
    i += r.length;
  }
  return i;
}

bool is_valid(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    ScanResult r = scan(p + i, s.size() - i);
    if (r.status != Scan::kValid) return false;
    i += r.length;
  }
  return true;
}

}  // namespace zaya::tok::utf8
