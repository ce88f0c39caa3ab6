// A compiled chat template: the public face of the Jinja subset.
//
//   auto t = jinja::Template::parse(source);        // TemplateError on bad syntax
//   jinja::Text out = t.render({{"messages", ...}}); // TemplateError on a render failure
//
// Options default to the environment transformers renders chat templates
// with: trim_blocks and lstrip_blocks on, the source's last newline dropped,
// raise_exception / namespace / range / dict available.
#pragma once

#include <ctime>
#include <memory>
#include <string_view>

#include "zaya/jinja/error.h"
#include "zaya/jinja/value.h"

namespace zaya::jinja {

struct Node;

struct TemplateOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
  // Bounds for hostile or runaway templates: evaluation steps, output bytes
  // and macro call depth. Exceeding one is a TemplateError, never a hang.
  size_t max_steps = 2'000'000;
  size_t max_output_bytes = 4u << 20;
  int max_call_depth = 64;
};

class Template {
 public:
  static Template parse(std::string_view source, const TemplateOptions& options = {});
  Text render(const Object& variables) const;

 private:
  Template(std::shared_ptr<const Node> root, const TemplateOptions& options)
      : root_(std::move(root)), options_(options) {}
  std::shared_ptr<const Node> root_;
  TemplateOptions options_;
};

// strftime_now(format) that always formats `moment`, so a rendered prompt
// (and a test's expected text) does not depend on today's date.
Value fixed_strftime_now(const std::tm& moment);

}  // namespace zaya::jinja
