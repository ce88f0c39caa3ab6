// Problem-set and results files: export, and import that validates every field
// before anything is returned (nothing is half-imported).
#include <algorithm>
#include "zaya/problems/problem_set.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>
#include <set>

#include "zaya/problems/utf8.h"

namespace zaya::problems {

namespace {

using nlohmann::json;

constexpr int kMaxJsonDepth = 32;
constexpr std::size_t kMaxResultEntries = 2 * kMaxSetProblems;

struct ImportFailure {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ImportFailure{(path.empty() ? std::string() : path + ": ") + what};
}

// Nesting depth of arrays/objects, outside strings; refuses absurd files before parsing.
bool nesting_within(std::string_view s, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

json parse_document(std::string_view bytes, const char* expected_format, int max_version) {
  if (bytes.size() > kMaxImportBytes) fail("", "file is too large (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes.empty()) fail("", "file is empty");
  std::size_t bad = 0;
  if (!is_valid_utf8(bytes, &bad)) fail("", "invalid UTF-8 at byte " + std::to_string(bad));
  if (!nesting_within(bytes, kMaxJsonDepth)) fail("", "JSON nested too deeply");
  json doc;
  try {
    doc = json::parse(bytes.begin(), bytes.end());
  } catch (const json::parse_error& e) {
    fail("", std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) fail("", "top level must be a JSON object");
  auto fmt = doc.find("format");
  if (fmt == doc.end() || !fmt->is_string() || *fmt != expected_format)
    fail("format", std::string("must be \"") + expected_format + "\"");
  auto ver = doc.find("version");
  if (ver == doc.end() || !ver->is_number_integer()) fail("version", "must be an integer");
  long long v = ver->get<long long>();
  if (v < 1) fail("version", "must be at least 1");
  if (v > max_version)
    fail("version", "file version " + std::to_string(v) + " is newer than this app understands (" +
                        std::to_string(max_version) + ")");
  return doc;
}

// Checked accessors: every key must be known, every value of the right type and size.
class Obj {
 public:
  Obj(const json& j, std::string path, std::initializer_list<const char*> known) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) fail(path_, "must be an object");
    for (const auto& [key, value] : j.items()) {
      bool ok = false;
      for (const char* k : known) ok = ok || key == k;
      if (!ok) fail(at(key), "unknown field");
    }
  }
  Obj(const json& j, std::string path, const std::vector<std::string>& known) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) fail(path_, "must be an object");
    for (const auto& [key, value] : j.items())
      if (std::find(known.begin(), known.end(), key) == known.end()) fail(at(key), "unknown field");
  }
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }
  const json& raw(const char* key) const { return j_.at(key); }

  std::string str(const char* key, std::size_t max_len, bool required, bool allow_empty = true) const {
    if (!has(key)) {
      if (required) fail(at(key), "missing");
      return {};
    }
    const json& v = j_.at(key);
    if (!v.is_string()) fail(at(key), "must be a string");
    std::string s = v.get<std::string>();
    if (s.size() > max_len) fail(at(key), "too long (" + std::to_string(s.size()) + " bytes, limit " + std::to_string(max_len) + ")");
    if (!allow_empty && s.empty()) fail(at(key), "must not be empty");
    if (s.find('\0') != std::string::npos) fail(at(key), "contains a NUL character");
    return s;
  }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_.at(key).is_boolean()) fail(at(key), "must be true or false");
    return j_.at(key).get<bool>();
  }
  double number(const char* key, double lo, double hi, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = j_.at(key);
    if (!v.is_number()) fail(at(key), "must be a number");
    double d = v.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) fail(at(key), "out of range");
    return d;
  }
  long long integer(const char* key, long long lo, long long hi, long long fallback) const {
    if (!has(key)) return fallback;
    const json& v = j_.at(key);
    if (!v.is_number_integer()) fail(at(key), "must be an integer");
    long long d = v.is_number_unsigned() ? (v.get<unsigned long long>() > static_cast<unsigned long long>(hi) ? hi + 1 : static_cast<long long>(v.get<unsigned long long>()))
                                         : v.get<long long>();
    if (d < lo || d > hi) fail(at(key), "out of range");
    return d;
  }
  const json& array(const char* key, std::size_t max_items, bool required) const {
    static const json empty = json::array();
    if (!has(key)) {
      if (required) fail(at(key), "missing");
      return empty;
    }
    const json& v = j_.at(key);
    if (!v.is_array()) fail(at(key), "must be a list");
    if (v.size() > max_items) fail(at(key), "too many entries (" + std::to_string(v.size()) + ", limit " + std::to_string(max_items) + ")");
    return v;
  }

 private:
  const json& j_;
  std::string path_;
};

void check_id(const std::string& path, const std::string& id) {
  static const std::regex shape(R"(^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$)");
  if (!std::regex_match(id, shape)) fail(path, "'" + id + "' is not a valid id (letters, digits, '.', '_', '-')");
}

void check_time(const std::string& path, const std::string& t) {
  if (t.empty()) return;
  static const std::regex iso(R"(^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$)");
  if (!std::regex_match(t, iso)) fail(path, "'" + t + "' is not an ISO 8601 date or date-time");
  int month = std::stoi(t.substr(5, 2)), day = std::stoi(t.substr(8, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) fail(path, "'" + t + "' is not a real date");
}

std::vector<Choice> read_choices(const Obj& o, const char* key) {
  std::vector<Choice> out;
  const json& arr = o.array(key, 10, false);
  std::set<std::string> labels;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string path = o.at(key) + "[" + std::to_string(i) + "]";
    Obj c(arr[i], path, {"label", "text"});
    Choice ch{c.str("label", 1, true, false), c.str("text", 2000, true)};
    if (ch.label[0] < 'A' || ch.label[0] > 'J') fail(c.at("label"), "must be a capital letter A-J");
    if (!labels.insert(ch.label).second) fail(c.at("label"), "duplicate choice label " + ch.label);
    out.push_back(std::move(ch));
  }
  return out;
}

CustomProblem read_custom(const json& j, const std::string& path) {
  Obj o(j, path, {"statement_latex", "answer", "choices", "solution_latex", "topic", "difficulty"});
  CustomProblem p;
  p.statement_latex = o.str("statement_latex", 20000, true, false);
  p.answer = o.str("answer", 1000, true, false);
  p.choices = read_choices(o, "choices");
  p.solution_latex = o.str("solution_latex", 50000, false);
  if (o.has("topic")) {
    std::string t = o.str("topic", 64, true);
    p.topic = topic_from_name(t);
    if (!p.topic) fail(o.at("topic"), "unknown topic '" + t + "'");
  }
  if (o.has("difficulty")) p.difficulty = static_cast<int>(o.integer("difficulty", 1, 5, 1));
  if (!p.choices.empty()) {
    bool found = false;
    for (const auto& c : p.choices) found = found || c.label == p.answer;
    if (!found) fail(o.at("answer"), "must be the label of one of the choices");
  }
  return p;
}

json custom_to_json(const CustomProblem& p) {
  json j = {{"statement_latex", p.statement_latex}, {"answer", p.answer}};
  if (!p.choices.empty()) {
    json cs = json::array();
    for (const auto& c : p.choices) cs.push_back({{"label", c.label}, {"text", c.text}});
    j["choices"] = cs;
  }
  if (!p.solution_latex.empty()) j["solution_latex"] = p.solution_latex;
  if (p.topic) j["topic"] = std::string(topic_name(*p.topic));
  if (p.difficulty) j["difficulty"] = *p.difficulty;
  return j;
}

Verdict3 verdict_from(const std::string& path, const std::string& s) {
  if (s == "correct") return Verdict3::Correct;
  if (s == "incorrect") return Verdict3::Incorrect;
  if (s == "unanswered") return Verdict3::Unanswered;
  fail(path, "must be \"correct\", \"incorrect\" or \"unanswered\"");
}

json results_body(const Results& r) {
  json answers = json::array();
  for (const auto& e : r.entries) {
    json a = {{"problem_id", e.problem_id},
              {"answer", e.answer},
              {"verdict", std::string(verdict_name(e.verdict))},
              {"time_seconds", e.time_seconds},
              {"hints_used", e.hints_used},
              {"model_solution_viewed", e.model_solution_viewed},
              {"attempts", e.attempts}};
    if (r.version >= 2) {
      a["first_answer"] = e.first_answer;
      a["explanations_used"] = e.explanations_used;
      a["questions_asked"] = e.questions_asked;
      a["reference_solution_viewed"] = e.reference_solution_viewed;
      const HelpUsed& h = e.help_after_due;
      a["help_after_due"] = {{"hints", h.hints},
                             {"explanations", h.explanations},
                             {"questions", h.questions},
                             {"model_solution_viewed", h.model_solution_viewed},
                             {"reference_solution_viewed", h.reference_solution_viewed}};
    }
    answers.push_back(std::move(a));
  }
  json body = {{"format", "zaya-results"},
               {"version", r.version},
               {"set_id", r.set_id},
               {"set_title", r.set_title},
               {"student", {{"id", r.student_id}, {"name", r.student_name}}},
               {"exported_at", r.exported_at},
               {"answers", answers}};
  // Only when there are any, so the bytes of results without sittings stay as they were.
  if (r.version >= 2 && !r.sittings.empty()) {
    json sittings = json::array();
    for (const auto& t : r.sittings)
      sittings.push_back({{"started_at", t.started_at},
                          {"time_limit_seconds", t.time_limit_seconds},
                          {"time_multiplier", t.time_multiplier},
                          {"elapsed_seconds", t.elapsed_seconds},
                          {"ended", t.ended},
                          {"score", t.score},
                          {"out_of", t.out_of}});
    body["timed_sittings"] = sittings;
  }
  return body;
}

std::string dump(const json& j, int indent) { return j.dump(indent, ' ', false, json::error_handler_t::strict); }

}  // namespace

std::string_view verdict_name(Verdict3 v) {
  switch (v) {
    case Verdict3::Correct: return "correct";
    case Verdict3::Incorrect: return "incorrect";
    case Verdict3::Unanswered: return "unanswered";
  }
  return "unanswered";
}

Imported<ProblemSet> import_problem_set(std::string_view bytes, const std::function<bool(std::string_view)>& is_bank_id) {
  Imported<ProblemSet> out;
  try {
    json doc = parse_document(bytes, "zaya-problem-set", kProblemSetFormatVersion);
    Obj o(doc, "", {"format", "version", "set_id", "title", "instructions", "created_at", "due", "allow_hints",
                    "allow_model_solutions", "allow_reference_solutions", "time_limit_minutes", "time_multiplier",
                    "problems"});
    ProblemSet set;
    set.set_id = o.str("set_id", 128, true, false);
    check_id("set_id", set.set_id);
    set.title = o.str("title", 200, true, false);
    set.instructions = o.str("instructions", 20000, false);
    set.created_at = o.str("created_at", 40, false);
    check_time("created_at", set.created_at);
    set.due = o.str("due", 40, false);
    check_time("due", set.due);
    set.allow_hints = o.boolean("allow_hints", true);
    set.allow_model_solutions = o.boolean("allow_model_solutions", false);
    set.allow_reference_solutions = o.boolean("allow_reference_solutions", false);
    if (o.has("time_limit_minutes"))
      set.time_limit_minutes = static_cast<int>(o.integer("time_limit_minutes", 1, kMaxTimeLimitMinutes, 0));
    set.time_multiplier = o.number("time_multiplier", 1.0, kMaxTimeMultiplier, 1.0);
    const json& problems = o.array("problems", kMaxSetProblems, true);
    if (problems.empty()) fail("problems", "the set has no problems");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < problems.size(); ++i) {
      std::string path = "problems[" + std::to_string(i) + "]";
      Obj p(problems[i], path, {"id", "points", "custom"});
      SetItem item;
      item.id = p.str("id", 100, true, false);
      check_id(p.at("id"), item.id);
      item.points = p.number("points", 0.0, 1000.0, 1.0);
      if (p.has("custom")) {
        if (is_bank_id && is_bank_id(item.id)) fail(p.at("id"), "custom problem reuses the bank id '" + item.id + "'");
        item.custom = read_custom(p.raw("custom"), p.at("custom"));
      } else if (!is_bank_id || !is_bank_id(item.id)) {
        fail(p.at("id"), "unknown bank id '" + item.id + "'");
      }
      if (!seen.insert(item.id).second) fail(p.at("id"), "duplicate problem id '" + item.id + "'");
      set.items.push_back(std::move(item));
    }
    out.value = std::move(set);
  } catch (const ImportFailure& f) {
    out.error = f.message;
  } catch (const std::exception& e) {
    out.error = std::string("unreadable file: ") + e.what();
  }
  return out;
}

std::string export_problem_set(const ProblemSet& set) {
  json problems = json::array();
  for (const auto& item : set.items) {
    json p = {{"id", item.id}, {"points", item.points}};
    if (item.custom) p["custom"] = custom_to_json(*item.custom);
    problems.push_back(p);
  }
  json j = {{"format", "zaya-problem-set"},
            {"version", kProblemSetFormatVersion},
            {"set_id", set.set_id},
            {"title", set.title},
            {"instructions", set.instructions},
            {"created_at", set.created_at},
            {"due", set.due.empty() ? json(nullptr) : json(set.due)},
            {"allow_hints", set.allow_hints},
            {"allow_model_solutions", set.allow_model_solutions},
            {"allow_reference_solutions", set.allow_reference_solutions}};
  // Written only when set, so an untimed set's file is the same as before.
  if (set.time_limit_minutes) j["time_limit_minutes"] = *set.time_limit_minutes;
  if (set.time_multiplier != 1.0) j["time_multiplier"] = set.time_multiplier;
  j["problems"] = problems;
  return dump(j, 2) + "\n";
}

Imported<Results> import_results(std::string_view bytes, const ProblemSet* set) {
  Imported<Results> out;
  try {
    json doc = parse_document(bytes, "zaya-results", kResultsFormatVersion);
    Results r;
    r.version = static_cast<int>(doc.at("version").get<std::int64_t>());
    std::vector<std::string> top = {"format", "version", "set_id", "set_title", "student", "exported_at", "answers", "integrity"};
    if (r.version >= 2) top.push_back("timed_sittings");
    Obj o(doc, "", top);
    r.set_id = o.str("set_id", 128, true, false);
    check_id("set_id", r.set_id);
    if (set && r.set_id != set->set_id) fail("set_id", "results are for set '" + r.set_id + "', not '" + set->set_id + "'");
    r.set_title = o.str("set_title", 200, false);
    if (!o.has("student")) fail("student", "missing");
    Obj st(o.raw("student"), "student", {"id", "name"});
    r.student_id = st.str("id", 128, true, false);
    check_id("student.id", r.student_id);
    r.student_name = st.str("name", 200, true, false);
    r.exported_at = o.str("exported_at", 40, false);
    check_time("exported_at", r.exported_at);
    const json& answers = o.array("answers", kMaxResultEntries, true);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      std::string path = "answers[" + std::to_string(i) + "]";
      std::vector<std::string> keys = {"problem_id", "answer",           "verdict", "time_seconds",
                                       "hints_used", "model_solution_viewed", "attempts"};
      if (r.version >= 2)
        keys.insert(keys.end(), {"first_answer", "explanations_used", "questions_asked", "reference_solution_viewed",
                                 "help_after_due"});
      Obj a(answers[i], path, keys);
      ResultEntry e;
      e.problem_id = a.str("problem_id", 100, true, false);
      check_id(a.at("problem_id"), e.problem_id);
      if (!seen.insert(e.problem_id).second) fail(a.at("problem_id"), "duplicate problem id '" + e.problem_id + "'");
      if (set) {
        bool in_set = false;
        for (const auto& item : set->items) in_set = in_set || item.id == e.problem_id;
        if (!in_set) fail(a.at("problem_id"), "'" + e.problem_id + "' is not in the set");
      }
      e.answer = a.str("answer", 4000, false);
      e.verdict = verdict_from(a.at("verdict"), a.str("verdict", 16, true));
      e.time_seconds = a.number("time_seconds", 0.0, 1e7, 0.0);
      e.hints_used = static_cast<int>(a.integer("hints_used", 0, 1000, 0));
      e.model_solution_viewed = a.boolean("model_solution_viewed", false);
      e.attempts = static_cast<int>(a.integer("attempts", 0, 100000, 0));
      if (r.version >= 2) {
        e.first_answer = a.str("first_answer", 4000, false);
        e.explanations_used = static_cast<int>(a.integer("explanations_used", 0, 1000, 0));
        e.questions_asked = static_cast<int>(a.integer("questions_asked", 0, 1000, 0));
        e.reference_solution_viewed = a.boolean("reference_solution_viewed", false);
        if (a.has("help_after_due")) {
          Obj h(a.raw("help_after_due"), path + ".help_after_due",
                {"hints", "explanations", "questions", "model_solution_viewed", "reference_solution_viewed"});
          e.help_after_due.hints = static_cast<int>(h.integer("hints", 0, 1000, 0));
          e.help_after_due.explanations = static_cast<int>(h.integer("explanations", 0, 1000, 0));
          e.help_after_due.questions = static_cast<int>(h.integer("questions", 0, 1000, 0));
          e.help_after_due.model_solution_viewed = h.boolean("model_solution_viewed", false);
          e.help_after_due.reference_solution_viewed = h.boolean("reference_solution_viewed", false);
        }
      } else {
        e.first_answer = e.answer;  // version 1 kept only one answer
      }
      r.entries.push_back(std::move(e));
    }
    const json& sittings = o.array("timed_sittings", 100, false);
    for (std::size_t i = 0; i < sittings.size(); ++i) {
      const std::string path = "timed_sittings[" + std::to_string(i) + "]";
      Obj t(sittings[i], path,
            {"started_at", "time_limit_seconds", "time_multiplier", "elapsed_seconds", "ended", "score", "out_of"});
      TimedSitting ts;
      ts.started_at = t.str("started_at", 40, true);
      check_time(path + ".started_at", ts.started_at);
      ts.time_limit_seconds = static_cast<int>(t.integer("time_limit_seconds", 1, 4 * 24 * 3600, 0));
      ts.time_multiplier = t.number("time_multiplier", 1.0, kMaxTimeMultiplier, 1.0);
      ts.elapsed_seconds = static_cast<int>(t.integer("elapsed_seconds", 0, ts.time_limit_seconds, 0));
      ts.ended = t.str("ended", 16, true);
      if (ts.ended != "submitted" && ts.ended != "time") fail(t.at("ended"), "must be \"submitted\" or \"time\"");
      ts.out_of = static_cast<int>(t.integer("out_of", 0, static_cast<long long>(kMaxSetProblems), 0));
      ts.score = static_cast<int>(t.integer("score", 0, ts.out_of, 0));
      r.sittings.push_back(std::move(ts));
    }
    if (o.has("integrity")) {
      Obj in(o.raw("integrity"), "integrity", {"algorithm", "tag"});
      std::string alg = in.str("algorithm", 32, true);
      if (alg != "HMAC-SHA256") fail("integrity.algorithm", "must be \"HMAC-SHA256\"");
      r.integrity_tag = in.str("tag", 64, true);
      static const std::regex hex(R"(^[0-9a-f]{64}$)");
      if (!std::regex_match(r.integrity_tag, hex)) fail("integrity.tag", "must be 64 lower-case hex digits");
    }
    out.value = std::move(r);
  } catch (const ImportFailure& f) {
    out.error = f.message;
  } catch (const std::exception& e) {
    out.error = std::string("unreadable file: ") + e.what();
  }
  return out;
}

std::string export_results(const Results& r) {
  json j = results_body(r);
  if (!r.integrity_tag.empty()) j["integrity"] = {{"algorithm", "HMAC-SHA256"}, {"tag", r.integrity_tag}};
  return dump(j, 2) + "\n";
}

std::string results_canonical_bytes(const Results& r) { return dump(results_body(r), -1); }

}  // namespace zaya::problems
