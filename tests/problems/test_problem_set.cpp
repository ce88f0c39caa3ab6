#include <gtest/gtest.h>

#include <set>
#include <tuple>
#include <vector>

#include "zaya/problems/problem_set.h"

namespace zp = zaya::problems;

namespace {

bool known(std::string_view id) {
  static const std::set<std::string, std::less<>> ids = {"math-test-0001", "aime-2024-I-01", "sat-agieval-000"};
  return ids.count(id) > 0;
}

zp::ProblemSet sample_set() {
  zp::ProblemSet s;
  s.set_id = "class-7b.week-3";
  s.title = "Week 3: fractions — ½ and more";
  s.instructions = "Show your work.\nNo calculators.";
  s.created_at = "2026-11-22T15:00:00Z";
  s.due = "2026-11-29";
  s.allow_hints = true;
  s.allow_model_solutions = false;
  s.items.push_back({"math-test-0001", std::nullopt, 1.0});
  s.items.push_back({"aime-2024-I-01", std::nullopt, 2.5});
  zp::CustomProblem c;
  c.statement_latex = "What is $\\frac12 + \\frac14$? (costs \\$3)";
  c.answer = "\\frac34";
  c.topic = zp::Topic::Prealgebra;
  c.difficulty = 1;
  s.items.push_back({"custom-1", c, 1.0});
  zp::CustomProblem mc;
  mc.statement_latex = "Pick the even number.";
  mc.choices = {{"A", "3"}, {"B", "4"}};
  mc.answer = "B";
  s.items.push_back({"custom-2", mc, 1.0});
  return s;
}

zp::Results sample_results() {
  zp::Results r;
  r.set_id = "class-7b.week-3";
  r.set_title = "Week 3";
  r.student_id = "student-12";
  r.student_name = "Zoë Ñúñez";
  r.exported_at = "2026-11-28T18:30:05Z";
  r.entries.push_back({"math-test-0001", "10", zp::Verdict3::Correct, 95.5, 1, false, 2});
  r.entries.push_back({"custom-1", "0.75", zp::Verdict3::Correct, 30, 0, false, 1});
  r.entries.push_back({"aime-2024-I-01", "", zp::Verdict3::Unanswered, 0, 0, false, 0});
  r.integrity_tag = std::string(64, 'a');
  return r;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << "test bug: '" << from << "' not in the exported text";
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

TEST(ProblemSet, RoundTrip) {
  auto set = sample_set();
  std::string text = zp::export_problem_set(set);
  auto back = zp::import_problem_set(text, known);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->title, set.title);
  EXPECT_EQ(back.value->instructions, set.instructions);
  EXPECT_EQ(back.value->due, "2026-11-29");
  ASSERT_EQ(back.value->items.size(), 4u);
  EXPECT_EQ(back.value->items[1].points, 2.5);
  ASSERT_TRUE(back.value->items[2].custom);
  EXPECT_EQ(back.value->items[2].custom->statement_latex, set.items[2].custom->statement_latex);
  EXPECT_EQ(back.value->items[2].custom->topic, zp::Topic::Prealgebra);
  EXPECT_EQ(back.value->items[3].custom->choices.size(), 2u);
  EXPECT_EQ(zp::export_problem_set(*back.value), text);
}

TEST(ProblemSet, MalformedFilesAreRefusedWithTheFieldNamed) {
  const std::string good = zp::export_problem_set(sample_set());
  struct Bad {
    std::string text;
    std::string error_part;
  };
  const Bad cases[] = {
      {"", "empty"},
      {"[]", "object"},
      {"{", "not valid JSON"},
      {"{\"format\": \"zaya-results\", \"version\": 1}", "format"},
      {replace(good, "\"version\": 1", "\"version\": 2"), "newer"},
      {replace(good, "\"version\": 1", "\"version\": \"1\""), "version"},
      {replace(good, "\"title\": \"Week 3: fractions — ½ and more\"", "\"title\": 5"), "title"},
      {replace(good, "\"id\": \"math-test-0001\"", "\"id\": \"math-test-9999\""), "problems[0].id: unknown bank id"},
      {replace(good, "\"id\": \"aime-2024-I-01\"", "\"id\": \"math-test-0001\""), "duplicate problem id"},
      {replace(good, "\"id\": \"custom-1\"", "\"id\": \"sat-agieval-000\""), "reuses the bank id"},
      {replace(good, "\"allow_hints\": true", "\"allow_hints\": \"yes\""), "allow_hints"},
      {replace(good, "\"due\": \"2026-11-29\"", "\"due\": \"next friday\""), "due"},
      {replace(good, "\"due\": \"2026-11-29\"", "\"due\": \"2026-13-40\""), "due"},
      {replace(good, "\"points\": 2.5", "\"points\": -1"), "points"},
      {replace(good, "\"answer\": \"B\"", "\"answer\": \"C\""), "choices"},
      {replace(good, "\"allow_hints\"", "\"allow_everything\": true, \"allow_hints\""), "unknown field"},
      {replace(good, "\"title\": \"Week", "\"title\": \"\xff\xfeWeek"), "invalid UTF-8"},
      {replace(good, "\"title\": \"Week", "\"title\": \"\xed\xa0\x80Week"), "invalid UTF-8"},
      {replace(good, "\"set_id\": \"class-7b.week-3\"", "\"set_id\": \"../../etc\""), "set_id"},
      {"{\"format\": \"zaya-problem-set\", \"version\": 1, \"set_id\": \"s\", \"title\": \"t\", \"problems\": 7}",
       "problems: must be a list"},
      {replace(good, "\"title\": \"Week", "\"title\": \"" + std::string(300, 'x')), "too long"},
      {std::string(20000, '[') + std::string(20000, ']'), "nested"},
      {std::string(9u << 20, ' '), "too large"},
      {"{\"format\": \"zaya-problem-set\", \"version\": 1, \"set_id\": \"s\", \"title\": \"t\", \"problems\": []}",
       "no problems"},
  };
  for (const auto& c : cases) {
    auto r = zp::import_problem_set(c.text, known);
    EXPECT_FALSE(r.value.has_value()) << c.error_part;
    EXPECT_NE(r.error.find(c.error_part), std::string::npos) << "wanted '" << c.error_part << "' in: " << r.error;
  }
  // Too many problems.
  std::string many = "{\"format\": \"zaya-problem-set\", \"version\": 1, \"set_id\": \"s\", \"title\": \"t\", \"problems\": [";
  for (int i = 0; i < 501; ++i) many += std::string(i ? "," : "") + "{\"id\": \"math-test-0001\"}";
  many += "]}";
  auto r = zp::import_problem_set(many, known);
  EXPECT_FALSE(r);
  EXPECT_NE(r.error.find("too many"), std::string::npos) << r.error;
}

TEST(Results, RoundTripAndCanonicalBytes) {
  auto set = sample_set();
  auto res = sample_results();
  std::string text = zp::export_results(res);
  auto back = zp::import_results(text, &set);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->student_name, res.student_name);
  EXPECT_EQ(back.value->entries.size(), 3u);
  EXPECT_EQ(back.value->entries[0].time_seconds, 95.5);
  EXPECT_EQ(back.value->integrity_tag, res.integrity_tag);
  // The tag covers the same bytes on both machines, and not the tag itself.
  EXPECT_EQ(zp::results_canonical_bytes(*back.value), zp::results_canonical_bytes(res));
  auto unsigned_res = res;
  unsigned_res.integrity_tag.clear();
  EXPECT_EQ(zp::results_canonical_bytes(unsigned_res), zp::results_canonical_bytes(res));
  EXPECT_EQ(zp::results_canonical_bytes(res).find("integrity"), std::string::npos);
  // Any change of content changes the bytes.
  auto changed = res;
  changed.entries[0].verdict = zp::Verdict3::Incorrect;
  EXPECT_NE(zp::results_canonical_bytes(changed), zp::results_canonical_bytes(res));
}

TEST(Results, MalformedFilesAreRefused) {
  auto set = sample_set();
  const std::string good = zp::export_results(sample_results());
  struct Bad {
    std::string text;
    std::string error_part;
  };
  const Bad cases[] = {
      {replace(good, "\"problem_id\": \"custom-1\"", "\"problem_id\": \"math-test-0001\""), "duplicate"},
      {replace(good, "\"problem_id\": \"custom-1\"", "\"problem_id\": \"custom-9\""), "not in the set"},
      {replace(good, "\"set_id\": \"class-7b.week-3\"", "\"set_id\": \"other-set\""), "set_id"},
      {replace(good, "\"verdict\": \"correct\"", "\"verdict\": \"right\""), "verdict"},
      {replace(good, "\"hints_used\": 1", "\"hints_used\": -3"), "hints_used"},
      {replace(good, "\"hints_used\": 1", "\"hints_used\": 1.5"), "hints_used"},
      {replace(good, "\"time_seconds\": 95.5", "\"time_seconds\": 1e300"), "time_seconds"},
      {replace(good, std::string(64, 'a'), std::string(63, 'a') + "G"), "integrity.tag"},
      {replace(good, "\"HMAC-SHA256\"", "\"MD5\""), "integrity.algorithm"},
      {replace(good, "\"name\": \"Zoë Ñúñez\"", "\"name\": 3"), "student.name"},
  };
  for (const auto& c : cases) {
    auto r = zp::import_results(c.text, &set);
    EXPECT_FALSE(r.value.has_value()) << c.error_part;
    EXPECT_NE(r.error.find(c.error_part), std::string::npos) << "wanted '" << c.error_part << "' in: " << r.error;
  }
}

TEST(Results, VersionTwoCarriesEveryKindOfHelpAndTheFirstAnswer) {
  auto set = sample_set();
  auto res = sample_results();
  res.entries[0].first_answer = "12";
  res.entries[0].explanations_used = 2;
  res.entries[0].questions_asked = 3;
  res.entries[0].reference_solution_viewed = true;
  res.entries[0].help_after_due.model_solution_viewed = true;
  res.entries[0].help_after_due.hints = 1;
  const std::string text = zp::export_results(res);
  EXPECT_NE(text.find("\"version\": 2"), std::string::npos);
  auto back = zp::import_results(text, &set);
  ASSERT_TRUE(back) << back.error;
  const auto& e = back.value->entries[0];
  EXPECT_EQ(e.first_answer, "12");
  EXPECT_EQ(e.explanations_used, 2);
  EXPECT_EQ(e.questions_asked, 3);
  EXPECT_TRUE(e.reference_solution_viewed);
  EXPECT_TRUE(e.help_after_due.model_solution_viewed);
  EXPECT_EQ(e.help_after_due.hints, 1);
  EXPECT_EQ(zp::results_canonical_bytes(*back.value), zp::results_canonical_bytes(res));
  // Help after the due date is covered by the tag too.
  auto changed = res;
  changed.entries[0].help_after_due.model_solution_viewed = false;
  EXPECT_NE(zp::results_canonical_bytes(changed), zp::results_canonical_bytes(res));
  auto bad = zp::import_results(replace(text, "\"questions\": 0", "\"questions\": -1"), &set);
  EXPECT_FALSE(bad);
}

TEST(Results, VersionOneFilesStillImportWithTheirOwnBytes) {
  auto set = sample_set();
  auto res = sample_results();
  res.version = 1;
  const std::string text = zp::export_results(res);
  EXPECT_EQ(text.find("first_answer"), std::string::npos);
  auto back = zp::import_results(text, &set);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->version, 1);
  EXPECT_EQ(back.value->entries[0].first_answer, back.value->entries[0].answer);
  // A v1 tag still verifies: the canonical bytes keep the v1 layout.
  EXPECT_EQ(zp::results_canonical_bytes(*back.value), zp::results_canonical_bytes(res));
  EXPECT_FALSE(zp::import_results(replace(text, "\"attempts\"", "\"first_answer\": \"1\", \"attempts\""), &set));
}

TEST(ProblemSet, TimeLimitAndMultiplierAreOptionalAndRoundTrip) {
  // An untimed set's file is written without the new fields, as before.
  const std::string untimed = zp::export_problem_set(sample_set());
  EXPECT_EQ(untimed.find("time_limit_minutes"), std::string::npos);
  EXPECT_EQ(untimed.find("time_multiplier"), std::string::npos);
  auto plain = zp::import_problem_set(untimed, known);
  ASSERT_TRUE(plain) << plain.error;
  EXPECT_FALSE(plain.value->time_limit_minutes);
  EXPECT_EQ(plain.value->time_multiplier, 1.0);

  auto set = sample_set();
  set.time_limit_minutes = 45;
  set.time_multiplier = 1.5;
  const std::string timed = zp::export_problem_set(set);
  auto back = zp::import_problem_set(timed, known);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->time_limit_minutes, 45);
  EXPECT_EQ(back.value->time_multiplier, 1.5);
  EXPECT_EQ(zp::export_problem_set(*back.value), timed);

  for (const auto& [from, to, part] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"\"time_limit_minutes\": 45", "\"time_limit_minutes\": 0", "time_limit_minutes: out of range"},
           {"\"time_limit_minutes\": 45", "\"time_limit_minutes\": 2000", "time_limit_minutes: out of range"},
           {"\"time_limit_minutes\": 45", "\"time_limit_minutes\": 4.5", "time_limit_minutes: must be an integer"},
           {"\"time_multiplier\": 1.5", "\"time_multiplier\": 0.5", "time_multiplier: out of range"},
           {"\"time_multiplier\": 1.5", "\"time_multiplier\": \"1.5\"", "time_multiplier: must be a number"}}) {
    auto r = zp::import_problem_set(replace(timed, from, to), known);
    EXPECT_FALSE(r) << to;
    EXPECT_NE(r.error.find(part), std::string::npos) << "wanted '" << part << "' in: " << r.error;
  }
}

TEST(Results, TimedSittingsRoundTripAreSignedAndAbsentWhenNone) {
  auto set = sample_set();
  auto res = sample_results();
  const std::string plain = zp::export_results(res);
  EXPECT_EQ(plain.find("timed_sittings"), std::string::npos);  // bytes (and tags) of results without sittings unchanged
  res.sittings.push_back({"2026-11-27T16:00:00Z", 2700, 1.5, 2412, "submitted", 2, 4});
  const std::string text = zp::export_results(res);
  auto back = zp::import_results(text, &set);
  ASSERT_TRUE(back) << back.error;
  ASSERT_EQ(back.value->sittings.size(), 1u);
  EXPECT_EQ(back.value->sittings[0], res.sittings[0]);
  EXPECT_EQ(zp::results_canonical_bytes(*back.value), zp::results_canonical_bytes(res));
  auto changed = res;
  changed.sittings[0].score = 4;  // the tag covers the sitting too
  EXPECT_NE(zp::results_canonical_bytes(changed), zp::results_canonical_bytes(res));
  for (const auto& [from, to, part] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"\"ended\": \"submitted\"", "\"ended\": \"early\"", "ended"},
           {"\"elapsed_seconds\": 2412", "\"elapsed_seconds\": 9999", "elapsed_seconds: out of range"},
           {"\"score\": 2", "\"score\": 5", "score: out of range"},
           {"\"started_at\": \"2026-11-27T16:00:00Z\"", "\"started_at\": \"yesterday\"", "started_at"}}) {
    auto r = zp::import_results(replace(text, from, to), &set);
    EXPECT_FALSE(r) << to;
    EXPECT_NE(r.error.find(part), std::string::npos) << "wanted '" << part << "' in: " << r.error;
  }
}
