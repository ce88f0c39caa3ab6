// zaya-answer-bench: time the answer checker takes per answer, over every
// answer key of the bank (each key checked against itself and against the
// next problem's key, a right and a wrong answer) and over labelled pairs
// given as JSON lines ({"gold", "candidate"}, e.g. the rule pairs of the tests).
//   zaya-answer-bench [--problems DIR] [--pairs FILE.jsonl]...
// Prints the median, 99th percentile and worst time per check, per set.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "zaya/problems/answer_checker.h"
#include "zaya/problems/bank.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Pair {
  std::string gold, candidate;
};

// Times one check per pair; returns microseconds, sorted.
std::vector<double> time_checks(const std::vector<Pair>& pairs) {
  std::vector<double> us;
  us.reserve(pairs.size());
  for (const auto& p : pairs) {
    auto t = Clock::now();
    (void)zaya::problems::check_answer(p.gold, p.candidate);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  std::sort(us.begin(), us.end());
  return us;
}

void report(const std::string& name, const std::vector<double>& us) {
  if (us.empty()) {
    std::cout << name << ": no answers\n";
    return;
  }
  double total = 0;
  for (double u : us) total += u;
  std::cout << name << ": " << us.size() << " checks, mean " << total / us.size() << " us, median "
            << us[us.size() / 2] << " us, p99 " << us[us.size() * 99 / 100] << " us, worst " << us.back() << " us\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path problems_dir;
  std::vector<std::string> pair_files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--problems") == 0 && i + 1 < argc) problems_dir = argv[++i];
    else if (std::strcmp(argv[i], "--pairs") == 0 && i + 1 < argc) pair_files.push_back(argv[++i]);
    else {
      std::cerr << "usage: zaya-answer-bench [--problems DIR] [--pairs FILE.jsonl]...\n";
      return 2;
    }
  }
  std::string tried;
  auto dir = zaya::problems::find_problems_dir(problems_dir, &tried);
  if (!dir) {
    std::cerr << "problem data not found (looked in: " << tried << ")\n";
    return 1;
  }
  auto bank = zaya::problems::ProblemBank::load(*dir);
  std::vector<Pair> right, wrong;
  const auto& problems = bank.problems();
  for (std::size_t i = 0; i < problems.size(); ++i) {
    right.push_back({problems[i].answer, problems[i].answer});
    wrong.push_back({problems[i].answer, problems[(i + 1) % problems.size()].answer});
  }
  report("bank keys against themselves", time_checks(right));
  report("bank keys against the next key", time_checks(wrong));
  for (const auto& file : pair_files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << file << ": cannot open\n";
      return 1;
    }
    std::vector<Pair> pairs;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("gold") || !j.contains("candidate") || !j["gold"].is_string() ||
          !j["candidate"].is_string()) {
        std::cerr << file << ": a line without string fields gold and candidate\n";
        return 1;
      }
      pairs.push_back({j["gold"].get<std::string>(), j["candidate"].get<std::string>()});
    }
    report(std::filesystem::path(file).filename().string(), time_checks(pairs));
  }
  return 0;
}
