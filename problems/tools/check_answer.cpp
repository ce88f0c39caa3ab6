// zaya-check-answer: the answer checker from the command line.
//
//   zaya-check-answer --gold G --candidate C
//       prints "equivalent: <reason>", "different: <reason>" or, for an answer
//       too large to check, "undecided: <reason>"; exit 0 / 1 / 3.
//   zaya-check-answer --jsonl IN --out OUT
//       reads JSON lines {"gold": ..., "candidate": ...} (extra fields allowed) and
//       writes {"equivalent": bool, "reason": ...} per line, in order
//       ("undecided": true added when the checker could not decide).
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "zaya/problems/answer_checker.h"

namespace {

int usage() {
  std::cerr << "usage: zaya-check-answer --gold G --candidate C\n"
               "       zaya-check-answer --jsonl IN --out OUT\n";
  return 2;
}

int run_jsonl(const std::string& in_path, const std::string& out_path) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) {
    std::cerr << in_path << ": cannot open\n";
    return 2;
  }
  std::ofstream out(out_path, std::ios::binary);
  if (!out) {
    std::cerr << out_path << ": cannot create\n";
    return 2;
  }
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    nlohmann::json result;
    try {
      auto j = nlohmann::json::parse(line);
      if (!j.is_object() || !j.contains("gold") || !j.contains("candidate") || !j["gold"].is_string() ||
          !j["candidate"].is_string())
        throw std::runtime_error("expected string fields 'gold' and 'candidate'");
      auto v = zaya::problems::check_answer(j["gold"].get<std::string>(), j["candidate"].get<std::string>());
      result = {{"equivalent", v.equivalent}, {"reason", v.reason}};
      if (v.undecided) result["undecided"] = true;
    } catch (const std::exception& e) {
      std::cerr << in_path << ":" << n << ": " << e.what() << "\n";
      result = {{"equivalent", false}, {"reason", std::string("bad input line: ") + e.what()}};
    }
    out << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string gold, candidate, jsonl, out;
  bool have_gold = false, have_candidate = false;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (arg("--gold")) gold = argv[++i], have_gold = true;
    else if (arg("--candidate")) candidate = argv[++i], have_candidate = true;
    else if (arg("--jsonl")) jsonl = argv[++i];
    else if (arg("--out")) out = argv[++i];
    else return usage();
  }
  if (!jsonl.empty()) return out.empty() ? usage() : run_jsonl(jsonl, out);
  if (!have_gold || !have_candidate) return usage();
  auto v = zaya::problems::check_answer(gold, candidate);
  std::cout << (v.equivalent ? "equivalent" : v.undecided ? "undecided" : "different") << ": " << v.reason << "\n";
  return v.equivalent ? 0 : v.undecided ? 3 : 1;
}
