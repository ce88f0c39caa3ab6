#pragma once

#include <cstddef>
#include <string_view>

namespace zaya::problems {

// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
// On failure `bad_offset` (if given) receives the byte offset of the first bad sequence.
bool is_valid_utf8(std::string_view s, std::size_t* bad_offset = nullptr);

}  // namespace zaya::problems
