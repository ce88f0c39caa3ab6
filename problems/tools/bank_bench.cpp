// zaya-bank-bench: times loading the whole bank and typical searches.
//   zaya-bank-bench [PROBLEMS_DIR] [--repeat N]
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "zaya/problems/bank.h"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
  using namespace zaya::problems;
  std::filesystem::path explicit_dir;
  int repeat = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else explicit_dir = argv[i];
  }
  std::string tried;
  auto dir = find_problems_dir(explicit_dir, &tried);
  if (!dir) {
    std::cerr << "problem data not found (looked in: " << tried << ")\n";
    return 1;
  }
  std::vector<double> load_ms, load_cpu_ms;
  ProblemBank bank;
  for (int r = 0; r < repeat; ++r) {
    auto t = Clock::now();
    std::clock_t c = std::clock();
    bank = ProblemBank::load(*dir);
    load_ms.push_back(ms_since(t));
    load_cpu_ms.push_back(1000.0 * static_cast<double>(std::clock() - c) / CLOCKS_PER_SEC);
  }
  std::sort(load_ms.begin(), load_ms.end());
  std::sort(load_cpu_ms.begin(), load_cpu_ms.end());
  std::cout << "bank: " << bank.size() << " problems from " << dir->string() << "\n";
  std::cout << "load: median " << load_ms[load_ms.size() / 2] << " ms wall, worst " << load_ms.back()
            << " ms; CPU time (all threads) median " << load_cpu_ms[load_cpu_ms.size() / 2] << " ms\n";

  struct Case {
    const char* name;
    SearchQuery q;
  };
  std::vector<Case> cases;
  auto add = [&](const char* name, auto&& fill) {
    SearchQuery q;
    fill(q);
    cases.push_back({name, q});
  };
  add("text 'triangle'", [](SearchQuery& q) { q.text = "triangle"; });
  add("text 'probability marbles'", [](SearchQuery& q) { q.text = "probability marbles"; });
  add("text with no match", [](SearchQuery& q) { q.text = "zyzzyva"; });
  add("source aime", [](SearchQuery& q) { q.source_keys = {"aime"}; });
  add("aime 2019-2024", [](SearchQuery& q) {
    q.source_keys = {"aime"};
    q.year_min = 2019;
    q.year_max = 2024;
  });
  add("topic Geometry", [](SearchQuery& q) { q.topics = {Topic::Geometry}; });
  add("difficulty 5", [](SearchQuery& q) { q.difficulty_min = q.difficulty_max = 5; });
  add("math NT level 3-4 'remainder'", [](SearchQuery& q) {
    q.text = "remainder";
    q.source_keys = {"math"};
    q.topics = {Topic::NumberTheory};
    q.difficulty_min = 3;
    q.difficulty_max = 4;
  });
  double worst_all = 0;
  for (auto& c : cases) {
    double worst = 0;
    std::size_t hits = 0;
    for (int r = 0; r < repeat; ++r) {
      auto t = Clock::now();
      hits = bank.search(c.q).size();
      worst = std::max(worst, ms_since(t));
    }
    worst_all = std::max(worst_all, worst);
    std::cout << "search " << c.name << ": " << hits << " hits, worst " << worst << " ms\n";
  }
  std::cout << "worst search: " << worst_all << " ms\n";
  return 0;
}
