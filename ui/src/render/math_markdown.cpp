#include "math_markdown.h"

#include <md4c.h>

#include <array>
#include <cstring>

namespace zaya::render {
namespace {

// Placeholders live in Unicode's private use area, which markdown treats as
// ordinary text: U+E000, the span index in decimal, U+E001.
constexpr std::string_view kOpen = "\xEE\x80\x80";   // U+E000
constexpr std::string_view kClose = "\xEE\x80\x81";  // U+E001

constexpr std::array<std::string_view, 10> kDisplayEnvironments = {
    "align*", "align", "equation*", "equation", "gather*", "gather", "multline*", "multline", "eqnarray*", "eqnarray"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Replaces invalid UTF-8 with U+FFFD and drops the placeholder code points a
// malicious input could use to forge formulas.
std::string sanitize_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= in.size();
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(in[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok) {
      // Reject overlong forms, surrogates and out-of-range code points.
      static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      i += 1;
      continue;
    }
    if (cp == 0) {
      out += "\xEF\xBF\xBD";
    } else if (cp != 0xE000 && cp != 0xE001) {
      out.append(in.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<MathSpan> find_math_spans(std::string_view t, bool dollar_is_math) {
  std::vector<MathSpan> spans;
  std::size_t i = 0;
  auto push = [&](std::size_t b, std::size_t e, std::size_t tb, std::size_t te, bool display) {
    spans.push_back({b, e, std::string(t.substr(tb, te - tb)), display});
    i = e;
  };
  while (i < t.size()) {
    const char c = t[i];
    if (c == '\\' && i + 1 < t.size()) {
      const char n = t[i + 1];
      if (n == '(' || n == '[') {
        const std::string_view close = n == '(' ? "\\)" : "\\]";
        const std::size_t end = t.find(close, i + 2);
        if (end != std::string_view::npos) {
          push(i, end + 2, i + 2, end, n == '[');
          continue;
        }
      }
      if (t.compare(i, 7, "\\begin{") == 0) {
        bool matched = false;
        for (std::string_view env : kDisplayEnvironments) {
          const std::string open = "\\begin{" + std::string(env) + "}";
          if (t.compare(i, open.size(), open) != 0) continue;
          const std::string close = "\\end{" + std::string(env) + "}";
          const std::size_t end = t.find(close, i + open.size());
          if (end != std::string_view::npos) {
            push(i, end + close.size(), i, end + close.size(), true);  // KaTeX typesets the environment itself
            matched = true;
          }
          break;
        }
        if (matched) continue;
      }
      i += 2;  // an escaped character (\$, \\, …) is never a delimiter
      continue;
    }
    if (c == '$' && dollar_is_math) {
      if (i + 1 < t.size() && t[i + 1] == '$') {
        const std::size_t end = t.find("$$", i + 2);
        if (end != std::string_view::npos && end > i + 2) {
          push(i, end + 2, i + 2, end, true);
          continue;
        }
        i += 2;
        continue;
      }
      // Inline: the opening $ is not followed by a space, the closing one is
      // not preceded by a space nor followed by a digit, and the span does not
      // cross a blank line (so "$5 and $6" stays text).
      if (i + 1 < t.size() && !is_space(t[i + 1])) {
        std::size_t j = i + 1;
        bool found = false;
        while (j < t.size()) {
          if (t[j] == '\\') { j += 2; continue; }
          if (t[j] == '\n' && j + 1 < t.size() && t[j + 1] == '\n') break;
          if (t[j] == '$') {
            if (!is_space(t[j - 1]) && !(j + 1 < t.size() && is_digit(t[j + 1]))) found = true;
            break;
          }
          ++j;
        }
        if (found && j < t.size()) {
          push(i, j + 1, i + 1, j, false);
          continue;
        }
      }
    }
    ++i;
  }
  return spans;
}

namespace {

struct Renderer {
  const std::vector<MathSpan>* spans = nullptr;
  std::string out;
  int code_depth = 0;   // inside a code span/block, placeholders go back to source text
  int image_depth = 0;  // inside an image, only its alt text is shown
  const std::string* source = nullptr;

  // Escapes a text run and expands the math placeholders in it.
  void text(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
      const std::size_t p = s.find(kOpen, i);
      if (p == std::string_view::npos) {
        out += escape_html(s.substr(i));
        return;
      }
      out += escape_html(s.substr(i, p - i));
      const std::size_t q = s.find(kClose, p + kOpen.size());
      std::size_t index = 0;
      bool ok = q != std::string_view::npos && q > p + kOpen.size();
      for (std::size_t k = p + kOpen.size(); ok && k < q; ++k) {
        ok = is_digit(s[k]);
        index = index * 10 + static_cast<std::size_t>(s[k] - '0');
        if (index > spans->size()) ok = false;
      }
      if (!ok || index >= spans->size()) {  // cannot happen: inputs are sanitised
        i = p + kOpen.size();
        continue;
      }
      const MathSpan& m = (*spans)[index];
      if (code_depth > 0) {
        out += escape_html(std::string_view(*source).substr(m.begin, m.end - m.begin));
      } else {
        // Inline is the default: a long statement has many formulas, every byte counts.
        out += m.display ? "<span class=\"math\" data-display=\"1\">" : "<span class=\"math\">";
        out += escape_html(m.tex);
        out += "</span>";
      }
      i = q + kClose.size();
    }
  }

  static int enter_block(MD_BLOCKTYPE type, void* detail, void* self) {
    auto& r = *static_cast<Renderer*>(self);
    switch (type) {
      case MD_BLOCK_DOC: break;
      case MD_BLOCK_QUOTE: r.out += "<blockquote>"; break;
      case MD_BLOCK_UL: r.out += "<ul>"; break;
      case MD_BLOCK_OL: {
        const unsigned start = static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start;
        r.out += start == 1 ? "<ol>" : "<ol start=\"" + std::to_string(start) + "\">";
        break;
      }
      case MD_BLOCK_LI: r.out += "<li>"; break;
      case MD_BLOCK_HR: r.out += "<hr>"; break;
      case MD_BLOCK_H: r.out += "<h" + std::to_string(std::min(6u, static_cast<MD_BLOCK_H_DETAIL*>(detail)->level + 2)) + ">"; break;
      case MD_BLOCK_CODE: r.out += "<pre><code>"; ++r.code_depth; break;
      case MD_BLOCK_HTML: break;  // never produced: raw HTML is disabled
      case MD_BLOCK_P: r.out += "<p>"; break;
      case MD_BLOCK_TABLE: r.out += "<table>"; break;
      case MD_BLOCK_THEAD: r.out += "<thead>"; break;
      case MD_BLOCK_TBODY: r.out += "<tbody>"; break;
      case MD_BLOCK_TR: r.out += "<tr>"; break;
      case MD_BLOCK_TH: r.out += "<th>"; break;
      case MD_BLOCK_TD: r.out += "<td>"; break;
    }
    return 0;
  }

  static int leave_block(MD_BLOCKTYPE type, void* detail, void* self) {
    auto& r = *static_cast<Renderer*>(self);
    switch (type) {
      case MD_BLOCK_DOC: break;
      case MD_BLOCK_QUOTE: r.out += "</blockquote>\n"; break;
      case MD_BLOCK_UL: r.out += "</ul>\n"; break;
      case MD_BLOCK_OL: r.out += "</ol>\n"; break;
      case MD_BLOCK_LI: r.out += "</li>\n"; break;
      case MD_BLOCK_HR: break;
      case MD_BLOCK_H: r.out += "</h" + std::to_string(std::min(6u, static_cast<MD_BLOCK_H_DETAIL*>(detail)->level + 2)) + ">\n"; break;
      case MD_BLOCK_CODE: r.out += "</code></pre>\n"; --r.code_depth; break;
      case MD_BLOCK_HTML: break;
      case MD_BLOCK_P: r.out += "</p>\n"; break;
      case MD_BLOCK_TABLE: r.out += "</table>\n"; break;
      case MD_BLOCK_THEAD: r.out += "</thead>"; break;
      case MD_BLOCK_TBODY: r.out += "</tbody>"; break;
      case MD_BLOCK_TR: r.out += "</tr>"; break;
      case MD_BLOCK_TH: r.out += "</th>"; break;
      case MD_BLOCK_TD: r.out += "</td>"; break;
    }
    return 0;
  }

  static int enter_span(MD_SPANTYPE type, void*, void* self) {
    auto& r = *static_cast<Renderer*>(self);
    if (r.image_depth > 0) return 0;
    switch (type) {
      case MD_SPAN_EM: r.out += "<em>"; break;
      case MD_SPAN_STRONG: r.out += "<strong>"; break;
      case MD_SPAN_A: r.out += "<span class=\"link\">"; break;  // text only: nothing may navigate
      case MD_SPAN_IMG: ++r.image_depth; r.out += "<span class=\"image-alt\">"; break;
      case MD_SPAN_CODE: r.out += "<code>"; ++r.code_depth; break;
      case MD_SPAN_DEL: r.out += "<del>"; break;
      case MD_SPAN_U: r.out += "<u>"; break;
      default: break;
    }
    return 0;
  }

  static int leave_span(MD_SPANTYPE type, void*, void* self) {
    auto& r = *static_cast<Renderer*>(self);
    if (type == MD_SPAN_IMG) {
      --r.image_depth;
      r.out += "</span>";
      return 0;
    }
    if (r.image_depth > 0) return 0;
    switch (type) {
      case MD_SPAN_EM: r.out += "</em>"; break;
      case MD_SPAN_STRONG: r.out += "</strong>"; break;
      case MD_SPAN_A: r.out += "</span>"; break;
      case MD_SPAN_CODE: r.out += "</code>"; --r.code_depth; break;
      case MD_SPAN_DEL: r.out += "</del>"; break;
      case MD_SPAN_U: r.out += "</u>"; break;
      default: break;
    }
    return 0;
  }

  static int on_text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self) {
    auto& r = *static_cast<Renderer*>(self);
    const std::string_view s(text, size);
    switch (type) {
      case MD_TEXT_NULLCHAR: r.out += "\xEF\xBF\xBD"; break;
      case MD_TEXT_BR: r.out += r.image_depth ? " " : "<br>"; break;
      case MD_TEXT_SOFTBR: r.out += "\n"; break;
      case MD_TEXT_ENTITY: {
        // Only the few entities people type on purpose; anything else is shown as written.
        static constexpr std::pair<std::string_view, std::string_view> kKnown[] = {
            {"&amp;", "&amp;"}, {"&lt;", "&lt;"}, {"&gt;", "&gt;"}, {"&quot;", "&quot;"}, {"&nbsp;", "&nbsp;"}};
        bool known = false;
        for (const auto& [name, html] : kKnown)
          if (s == name) { r.out += html; known = true; }
        if (!known) r.out += escape_html(s);
        break;
      }
      case MD_TEXT_HTML: r.out += escape_html(s); break;  // defensive: raw HTML is disabled
      default: r.text(s); break;
    }
    return 0;
  }
};

}  // namespace

std::string render_markdown_with_math(std::string_view input, const RenderOptions& options) {
  const std::string text = sanitize_utf8(input);
  const std::vector<MathSpan> spans = find_math_spans(text, options.dollar_is_math);

  // The text with every formula replaced by its placeholder.
  std::string protected_text;
  protected_text.reserve(text.size());
  std::size_t pos = 0;
  for (std::size_t k = 0; k < spans.size(); ++k) {
    protected_text.append(text, pos, spans[k].begin - pos);
    // Display math stays where it is (inside a list item, say); KaTeX's
    // display mode makes it a block of its own on the page.
    protected_text += kOpen;
    protected_text += std::to_string(k);
    protected_text += kClose;
    pos = spans[k].end;
  }
  protected_text.append(text, pos, std::string::npos);

  Renderer r;
  r.spans = &spans;
  r.source = &text;
  MD_PARSER parser{};
  parser.abi_version = 0;
  // No raw HTML; no autolinks (they would only become text anyway); no
  // indented code blocks, which would swallow indented model output.
  parser.flags = MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOINDENTEDCODEBLOCKS;
  parser.enter_block = &Renderer::enter_block;
  parser.leave_block = &Renderer::leave_block;
  parser.enter_span = &Renderer::enter_span;
  parser.leave_span = &Renderer::leave_span;
  parser.text = &Renderer::on_text;
  if (md_parse(protected_text.data(), static_cast<MD_SIZE>(protected_text.size()), &parser, &r) != 0) {
    return "<p>" + escape_html(text) + "</p>";
  }
  return r.out;
}

}  // namespace zaya::render
