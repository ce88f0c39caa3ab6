// Splitting an answer's text at relation operators and at \pm / \mp signs.
// Internal to the answer checker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zaya::problems::detail {

// Where the command `name` ("\pm") next occurs at or after `from`, as a
// whole command: "\pmod" or "\mpg" is not "\pm" or "\mp".
std::size_t find_command(const std::string& s, std::string_view name, std::size_t from = 0);

// Expands each \pm / \mp into both signs: "1 \pm \sqrt 2" gives "1+\sqrt 2" and
// "1-\sqrt 2". An answer with more than four signs is returned as it is.
std::vector<std::string> expand_pm(const std::string& s);

// Splits at top-level relation operators (\leq, \geq, \neq, <, >, =) into sides
// and operators ("<=", ">=", "!=", "<", ">", "="); false when there is none or a
// side is empty.
bool split_relation(const std::string& s, std::vector<std::string>& sides, std::vector<std::string>& ops);

}  // namespace zaya::problems::detail
