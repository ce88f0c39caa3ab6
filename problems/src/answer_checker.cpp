// The answer checker: text clean-up (answer_text.cpp), then each side is read
// into a Value (read_answer.cpp: number/expression, tuple or interval,
// unordered list/set, matrix, equation, inequality, labelled value, choice
// letter, ratio, word) and the key's readings are compared with the
// candidate's (compare_values.cpp). Expressions are compared with GiNaC:
// exact simplification first, then a numeric check at random points. Sizes
// are estimated before any expand, normal or power (expr_budget.h): an answer
// too large to compute gets an undecided verdict, never a hang.
#include "zaya/problems/answer_checker.h"

#include <cctype>
#include <mutex>
#include <optional>

#include "answer_value.h"

namespace zaya::problems {

namespace {

using detail::CheckContext;
using detail::Value;

constexpr std::size_t kMaxAnswerBytes = 4000;

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

Verdict too_complex_verdict() {
  Verdict v{false, "Your answer is too complex to check here, so it is not marked right or wrong."};
  v.undecided = true;
  return v;
}

Verdict check_impl(std::string_view gold, std::string_view candidate, const CheckOptions& options) {
  if (gold.size() > kMaxAnswerBytes || candidate.size() > 4 * kMaxAnswerBytes)
    return {false, "Your answer is too long to check."};
  std::string cand(candidate);
  if (cand.size() > kMaxAnswerBytes) {
    auto extracted = extract_final_answer(cand);
    if (!extracted || extracted->size() > kMaxAnswerBytes) return {false, "Your answer is too long to check."};
    cand = *extracted;
  }
  CheckContext ctx;
  ctx.relative_tolerance = options.relative_tolerance;
  std::string gold_clean, cand_clean;
  std::vector<Value> gv = detail::read_answer(std::string(gold), ctx, gold_clean);
  std::vector<Value> cv = detail::read_answer(cand, ctx, cand_clean);
  if (squeeze(cand_clean).empty()) return {false, "Your answer is empty."};
  if (squeeze(gold_clean) == squeeze(cand_clean)) return {true, "Your answer is the answer."};
  // The first reading of each side is the most natural one: its reason is the
  // one shown when no reading matches.
  std::optional<detail::Comparison> first;
  for (const auto& g : gv) {
    for (const auto& c : cv) {
      try {
        detail::Comparison r = detail::compare_values(g, c, ctx);
        if (r.equal) return {true, r.reason};
        if (!first) first = r;
      } catch (const detail::TooComplex&) {
        ctx.too_complex = true;
      }
    }
  }
  // Multiple choice: the text of the correct option instead of its letter.
  const auto* letter = gv.front().as<detail::ChoiceLetter>();
  if (!options.choices.empty() && letter) {
    for (const auto& choice : options.choices) {
      if (choice.label != letter->letter) continue;
      CheckOptions plain;
      plain.relative_tolerance = options.relative_tolerance;
      Verdict v = check_impl(choice.text, cand, plain);
      if (v.equivalent) return {true, "Your answer is the text of choice " + choice.label + ", the right option."};
    }
  }
  // A reading too large to compute may have been the one that matches: no
  // verdict rather than a wrong one.
  if (ctx.too_complex) return too_complex_verdict();
  return {false, first ? first->reason : "Your answer is not the answer."};
}

std::mutex& checker_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

Verdict check_answer(std::string_view gold, std::string_view candidate, const CheckOptions& options) {
  std::lock_guard<std::mutex> lock(checker_mutex());
  try {
    return check_impl(gold, candidate, options);
  } catch (const std::exception&) {
    return {false, "Your answer could not be read."};
  } catch (...) {
    return {false, "Your answer could not be read."};
  }
}

Verdict check_problem_answer(const Problem& problem, std::string_view candidate) {
  CheckOptions options;
  options.choices = problem.choices;
  Verdict last{false, "This problem has no answer key."};
  std::vector<std::string> keys = problem.accepted_answers;
  if (keys.empty()) keys.push_back(problem.answer);
  std::optional<Verdict> undecided;
  for (const auto& key : keys) {
    last = check_answer(key, candidate, options);
    if (last.equivalent) return last;
    if (last.undecided && !undecided) undecided = last;
  }
  return undecided ? *undecided : last;
}

}  // namespace zaya::problems
