// Final-answer extraction from a model's (or student's) free text.
#include <regex>

#include "answer_text.h"
#include "zaya/problems/answer_checker.h"

namespace zaya::problems {

std::optional<std::string> extract_final_answer(std::string_view model_output) {
  if (auto boxed = detail::last_boxed(model_output)) {
    std::string t = detail::trim(*boxed);
    if (!t.empty()) return t;
  }
  std::string text(model_output);
  // "The answer is X" / "Answer: X" (the last one): up to the end of the line or sentence.
  static const std::regex phrase(R"((?:the\s+(?:final\s+)?answer\s+is|final\s+answer\s*:|answer\s*:)\s*)",
                                 std::regex::icase);
  std::size_t best = std::string::npos;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), phrase); it != std::sregex_iterator(); ++it)
    best = static_cast<std::size_t>(it->position(0) + it->length(0));
  if (best != std::string::npos) {
    std::string rest = text.substr(best);
    std::size_t end = rest.find('\n');
    rest = rest.substr(0, end);
    // A sentence end is a period followed by a space or the end, not a decimal point.
    static const std::regex sentence_end(R"(\.(\s|$))");
    std::smatch m;
    if (std::regex_search(rest, m, sentence_end)) rest = rest.substr(0, static_cast<std::size_t>(m.position(0)));
    rest = detail::trim(rest);
    if (rest.size() >= 2 && rest.front() == '$' && rest.back() == '$') rest = detail::trim(rest.substr(1, rest.size() - 2));
    if (!rest.empty()) return rest;
  }
  // A trailing choice letter: "... so (B)" or "Choice C".
  static const std::regex letter(R"((?:^|[\s(])\(?([A-E])\)?[.\s]*$)");
  std::smatch m;
  if (std::regex_search(text, m, letter)) return m[1].str();
  return std::nullopt;
}

}  // namespace zaya::problems
