// The problem bank: every shipped problem in one in-memory index, loaded at start-up.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "zaya/problems/problem.h"

namespace zaya::problems {

struct BankError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where the bank's files are (a folder holding data/*.normalized.jsonl and
// diagrams/), in this order: `explicit_dir` when not empty, env ZAYA_PROBLEMS_DIR,
// <exe>/../share/zaya-tutor/problems, then the source tree's problems/ folder.
// nullopt when none of them holds the data; `tried` then lists what was looked at.
std::optional<std::filesystem::path> find_problems_dir(const std::filesystem::path& explicit_dir = {},
                                                       std::string* tried = nullptr);

struct SearchQuery {
  std::string text;                       // every word must occur in statement, id or source (case-insensitive)
  std::vector<std::string> source_keys;   // any of: "math", "aime", "amc23", "sat", "aqua-rat", "gsm8k"; empty = all
  std::optional<int> year_min, year_max;  // problems without a year never match a year filter
  std::optional<int> number;              // problem number within its paper
  std::vector<Topic> topics;              // any of; empty = all
  std::optional<int> difficulty_min, difficulty_max;  // 1..5
  bool only_with_solution = false;
  bool only_multiple_choice = false;
  std::size_t limit = 0;                  // 0 = no limit
};

class ProblemBank {
 public:
  // Loads every *.normalized.jsonl under dir/data and dir/diagrams/manifest.json.
  // Throws BankError naming the file, line and field on bad data.
  static ProblemBank load(const std::filesystem::path& dir);

  const std::vector<Problem>& problems() const { return problems_; }
  std::size_t size() const { return problems_.size(); }
  const Problem* find(std::string_view id) const;
  bool contains(std::string_view id) const { return find(id) != nullptr; }
  // Problems matching every filter, in bank order (source, then id order of the files).
  std::vector<const Problem*> search(const SearchQuery& query) const;
  // Source keys present, in bank order.
  std::vector<std::string> source_keys() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<Problem> problems_;
  std::vector<std::string> haystacks_;  // [problems] lower-cased statement + id + source, for text search
  std::unordered_map<std::string, std::size_t> by_id_;
};

}  // namespace zaya::problems
