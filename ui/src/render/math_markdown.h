// Turns problem statements, reference solutions and model output (markdown
// with LaTeX math) into safe HTML for the web views.
//
// Math is protected before markdown sees it: every span delimited by $…$,
// $$…$$, \(…\), \[…\] or a bare display environment (\begin{align*}…) is cut
// out and replaced by a placeholder, so markdown's escapes can't eat `\\`,
// `\(` or the `_`/`*` inside formulas. Markdown is parsed by md4c with raw
// HTML disabled and rendered by our own callbacks: links and images become
// plain text (nothing in the output can navigate or fetch), every text run is
// HTML-escaped, and each formula becomes
//   <span class="math">escaped TeX</span> (inline) or
//   <span class="math" data-display="1">escaped TeX</span> (display)
// which the page typesets with KaTeX (trust off).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zaya::render {

struct MathSpan {
  std::size_t begin = 0;  // byte offsets of the whole span, delimiters included
  std::size_t end = 0;
  std::string tex;        // the formula without delimiters
  bool display = false;
};

struct RenderOptions {
  // False for sources that write prices with `$` (GSM8K, AQuA): then only
  // \(…\), \[…\] and display environments are math.
  bool dollar_is_math = true;
};

// Finds the math spans of `text` in order, non-overlapping.
std::vector<MathSpan> find_math_spans(std::string_view text, bool dollar_is_math);

// Markdown + math → HTML fragment (UTF-8). Never fails: malformed input is
// rendered as text; invalid UTF-8 bytes become U+FFFD.
std::string render_markdown_with_math(std::string_view text, const RenderOptions& options = {});

// HTML-escapes text for element content and attribute values.
std::string escape_html(std::string_view text);

}  // namespace zaya::render
