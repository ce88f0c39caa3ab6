// String-level clean-up of an answer before it is read as math. Internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zaya::problems::detail {

// Content of the last \boxed{...} or \fbox{...} (balanced braces), nullopt if none.
std::optional<std::string> last_boxed(std::string_view s);

struct CleanText {
  std::string text;      // what is left to read as math
  bool percent = false;  // a percent sign/word was removed
};

// Drops delimiters, wrappers, spacing commands, units, currency, degree signs,
// percent markers and answer phrases; unifies \dfrac -> \frac, \le -> \leq, ...
CleanText clean_answer_text(std::string_view raw);

// Splits at top-level separators (",", ";", "and", "or"), outside any brackets.
std::vector<std::string> split_top_level(std::string_view s);

// Index of the bracket closing the one at `open_pos`, npos if unbalanced.
std::size_t matching_close(std::string_view s, std::size_t open_pos);

std::string trim(std::string_view s);
void replace_all(std::string& s, std::string_view from, std::string_view to);

}  // namespace zaya::problems::detail
