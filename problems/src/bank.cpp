// Loading the bank from the shipped JSON Lines files and searching it.
#include "zaya/problems/bank.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

#include "zaya/problems/topic_tagger.h"

namespace zaya::problems {

namespace {

using nlohmann::json;

struct LineContext {
  std::string file;
  std::size_t line = 0;
  std::string where(const char* field) const {
    return file + ":" + std::to_string(line) + ": field '" + field + "'";
  }
};

std::string get_string(const json& j, const char* key, const LineContext& at, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw BankError(at.where(key) + " is missing");
    return {};
  }
  if (!it->is_string()) throw BankError(at.where(key) + " is not a string");
  return it->get<std::string>();
}

std::optional<int> get_int(const json& j, const char* key, const LineContext& at) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) throw BankError(at.where(key) + " is not an integer");
  return it->get<int>();
}

// Difficulty on one 1..5 scale; see problems/FORMAT.md.
int map_difficulty(const std::string& source_key, const std::string& label, std::optional<int> number,
                   bool& estimated) {
  estimated = true;
  if (label.starts_with("level-") && label.size() == 7 && label[6] >= '1' && label[6] <= '5') {
    estimated = false;
    return label[6] - '0';
  }
  if (label.starts_with("aime-early")) return 3;
  if (label.starts_with("aime-middle")) return 4;
  if (label.starts_with("aime-late")) return 5;
  if (source_key == "gsm8k") return 1;
  if (source_key == "amc23") return !number ? 3 : *number <= 8 ? 2 : *number <= 17 ? 3 : 4;
  return 2;  // SAT and AQuA: single-step to few-step multiple choice
}

int count_asy(const std::string& s) {
  int n = 0;
  for (std::size_t p = s.find("[asy]"); p != std::string::npos; p = s.find("[asy]", p + 5)) ++n;
  return n;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct ManifestEntry {
  std::string file;
  std::string error;
};
using Manifest = std::unordered_map<std::string, ManifestEntry>;  // key: id|part|index

std::string manifest_key(const std::string& id, Diagram::Part part, int index) {
  return id + (part == Diagram::Part::Statement ? "|s|" : "|p|") + std::to_string(index);
}

Manifest read_manifest(const std::filesystem::path& path) {
  Manifest m;
  std::ifstream in(path);
  if (!in) return m;  // no diagrams shipped: every figure reads as not available
  json j;
  try {
    j = json::parse(in);
  } catch (const std::exception& e) {
    throw BankError(path.string() + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("figures") || !j["figures"].is_array())
    throw BankError(path.string() + ": expected an object with a 'figures' array");
  for (const auto& f : j["figures"]) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_string() || !f.contains("part") ||
        !f["part"].is_string() || !f.contains("index") || !f["index"].is_number_integer())
      throw BankError(path.string() + ": a figure lacks id/part/index");
    Diagram::Part part = f["part"] == "solution" ? Diagram::Part::Solution : Diagram::Part::Statement;
    ManifestEntry e;
    if (f.contains("file") && f["file"].is_string()) e.file = f["file"].get<std::string>();
    if (f.contains("error") && f["error"].is_string()) e.error = f["error"].get<std::string>();
    m[manifest_key(f["id"].get<std::string>(), part, f["index"].get<int>())] = e;
  }
  return m;
}

Problem read_problem(const json& j, const std::string& source_key, const LineContext& at) {
  if (!j.is_object()) throw BankError(at.file + ":" + std::to_string(at.line) + ": not a JSON object");
  Problem p;
  p.id = get_string(j, "id", at, true);
  if (p.id.empty()) throw BankError(at.where("id") + " is empty");
  p.source_key = source_key;
  p.source = get_string(j, "source", at, true);
  p.contest = get_string(j, "contest", at, false);
  p.year = get_int(j, "year", at);
  p.number = get_int(j, "number", at);
  p.statement_latex = get_string(j, "statement_latex", at, true);
  p.solution_latex = get_string(j, "solution_latex", at, false);
  p.answer = get_string(j, "answer", at, true);
  p.answer_text = get_string(j, "answer_text", at, false);
  p.dollar_is_math = !(source_key == "gsm8k" || source_key == "aqua-rat");
  if (auto it = j.find("in_math500"); it != j.end() && it->is_boolean()) p.in_math500 = it->get<bool>();

  if (auto it = j.find("choices"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw BankError(at.where("choices") + " is not a list");
    for (const auto& c : *it) {
      if (!c.is_object() || !c.contains("label") || !c["label"].is_string() || !c.contains("text") ||
          !c["text"].is_string())
        throw BankError(at.where("choices") + " has an entry without label/text strings");
      p.choices.push_back({c["label"].get<std::string>(), c["text"].get<std::string>()});
    }
  }
  if (auto it = j.find("accepted_answers"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw BankError(at.where("accepted_answers") + " is not a list");
    for (const auto& a : *it) {
      if (!a.is_string()) throw BankError(at.where("accepted_answers") + " has a non-string entry");
      p.accepted_answers.push_back(a.get<std::string>());
    }
  }
  if (std::find(p.accepted_answers.begin(), p.accepted_answers.end(), p.answer) == p.accepted_answers.end())
    p.accepted_answers.insert(p.accepted_answers.begin(), p.answer);

  p.difficulty_label = get_string(j, "difficulty", at, false);
  p.difficulty = map_difficulty(source_key, p.difficulty_label, p.number, p.difficulty_estimated);

  std::string subject = get_string(j, "subject", at, false);
  if (auto t = topic_from_name(subject)) {
    p.topic = *t;
    p.topic_source = TopicSource::Dataset;
  } else {
    p.topic = tag_topic(p.statement_latex, p.answer).topic;
    p.topic_source = TopicSource::Tagger;
  }
  return p;
}

}  // namespace

ProblemBank ProblemBank::load(const std::filesystem::path& dir) {
  ProblemBank bank;
  bank.dir_ = dir;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "data", ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".normalized.jsonl")) files.push_back(entry.path());
  }
  if (ec) throw BankError((dir / "data").string() + ": " + ec.message());
  if (files.empty()) throw BankError((dir / "data").string() + ": no *.normalized.jsonl files");
  // Fixed order: MATH first, then contests, then the rest, so bank order is stable.
  auto rank = [](const std::string& key) {
    static const char* const order[] = {"math", "aime", "amc23", "sat", "aqua-rat", "gsm8k"};
    for (std::size_t i = 0; i < std::size(order); ++i)
      if (key == order[i]) return i;
    return std::size(order);
  };
  auto key_of = [](const std::filesystem::path& f) {
    std::string name = f.filename().string();
    return name.substr(0, name.size() - std::string(".normalized.jsonl").size());
  };
  std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
    return std::make_pair(rank(key_of(a)), key_of(a)) < std::make_pair(rank(key_of(b)), key_of(b));
  });

  Manifest manifest = read_manifest(dir / "diagrams" / "manifest.json");

  // Read every line first, then parse them on a few threads (JSON parsing is
  // most of the start-up time), then index in file order.
  struct Line {
    std::size_t file;
    std::size_t number;
    std::string text;
  };
  std::vector<Line> lines;
  lines.reserve(8192);
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::ifstream in(files[f], std::ios::binary);
    if (!in) throw BankError(files[f].string() + ": cannot open");
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty() || line == "\r") continue;
      lines.push_back({f, number, std::move(line)});
    }
  }
  std::vector<Problem> parsed(lines.size());
  std::vector<std::string> errors(lines.size());
  auto parse_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      LineContext at{files[lines[i].file].string(), lines[i].number};
      try {
        json j = json::parse(lines[i].text);
        parsed[i] = read_problem(j, key_of(files[lines[i].file]), at);
      } catch (const BankError& e) {
        errors[i] = e.what();
      } catch (const std::exception& e) {
        errors[i] = at.file + ":" + std::to_string(at.line) + ": not valid JSON: " + e.what();
      }
    }
  };
  std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  if (lines.size() < 256) workers = 1;
  std::vector<std::thread> threads;
  std::size_t chunk = (lines.size() + workers - 1) / workers;
  for (std::size_t w = 1; w < workers; ++w)
    threads.emplace_back(parse_range, std::min(lines.size(), w * chunk), std::min(lines.size(), (w + 1) * chunk));
  parse_range(0, std::min(lines.size(), chunk));
  for (auto& t : threads) t.join();

  bank.problems_.reserve(parsed.size());
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!errors[i].empty()) throw BankError(errors[i]);
    Problem& p = parsed[i];
    LineContext at{files[lines[i].file].string(), lines[i].number};
    {
      if (bank.by_id_.count(p.id)) throw BankError(at.where("id") + ": duplicate id " + p.id);
      for (Diagram::Part part : {Diagram::Part::Statement, Diagram::Part::Solution}) {
        int n = count_asy(part == Diagram::Part::Statement ? p.statement_latex : p.solution_latex);
        for (int k = 1; k <= n; ++k) {
          Diagram d;
          d.part = part;
          d.index = k;
          auto it = manifest.find(manifest_key(p.id, part, k));
          if (it == manifest.end()) {
            d.error = "not rendered";
          } else if (!it->second.file.empty()) {
            d.svg_path = (dir / "diagrams" / it->second.file).string();
          } else {
            d.error = it->second.error.empty() ? "render failed" : it->second.error;
          }
          p.diagrams.push_back(std::move(d));
        }
      }
      bank.by_id_.emplace(p.id, bank.problems_.size());
      bank.problems_.push_back(std::move(p));
    }
  }
  bank.haystacks_.reserve(bank.problems_.size());
  for (const auto& p : bank.problems_) bank.haystacks_.push_back(lower(p.id + "\n" + p.source + "\n" + p.statement_latex));
  return bank;
}

const Problem* ProblemBank::find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &problems_[it->second];
}

std::vector<const Problem*> ProblemBank::search(const SearchQuery& q) const {
  std::vector<std::string> words;
  {
    std::istringstream in(lower(q.text));
    std::string w;
    while (in >> w) words.push_back(w);
  }
  std::vector<const Problem*> out;
  for (std::size_t i = 0; i < problems_.size(); ++i) {
    const Problem& p = problems_[i];
    if (!q.source_keys.empty() &&
        std::find(q.source_keys.begin(), q.source_keys.end(), p.source_key) == q.source_keys.end())
      continue;
    if ((q.year_min || q.year_max) && !p.year) continue;
    if (q.year_min && *p.year < *q.year_min) continue;
    if (q.year_max && *p.year > *q.year_max) continue;
    if (q.number && (!p.number || *p.number != *q.number)) continue;
    if (!q.topics.empty() && std::find(q.topics.begin(), q.topics.end(), p.topic) == q.topics.end()) continue;
    if (q.difficulty_min && p.difficulty < *q.difficulty_min) continue;
    if (q.difficulty_max && p.difficulty > *q.difficulty_max) continue;
    if (q.only_with_solution && !p.has_solution()) continue;
    if (q.only_multiple_choice && !p.is_multiple_choice()) continue;
    bool all = true;
    for (const auto& w : words)
      if (haystacks_[i].find(w) == std::string::npos) {
        all = false;
        break;
      }
    if (!all) continue;
    out.push_back(&p);
    if (q.limit && out.size() >= q.limit) break;
  }
  return out;
}

std::vector<std::string> ProblemBank::source_keys() const {
  std::vector<std::string> keys;
  for (const auto& p : problems_)
    if (keys.empty() || keys.back() != p.source_key) keys.push_back(p.source_key);
  return keys;
}

}  // namespace zaya::problems
