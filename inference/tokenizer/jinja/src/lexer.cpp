// The lexer runs in two passes: the first cuts the source into text and tags
// (keeping each tag's '-' / '+' markers), the second trims the text pieces
// by those markers and the environment options, then tokenises tag contents.
#include "lexer.h"

#include <cctype>
#include <cstdint>

namespace zaya::jinja {

namespace {

enum class TagKind { kExpr, kStmt, kComment };

struct Piece {
  bool is_tag = false;
  TagKind tag = TagKind::kExpr;
  char open_mark = 0;   // '-', '+' or 0 after "{%" / "{{" / "{#"
  char close_mark = 0;  // '-', '+' or 0 before the closing delimiter
  size_t begin = 0, end = 0;  // text: its bytes; tag: its contents between the markers
  size_t tag_begin = 0;       // tag: offset of "{"
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Lexer {
 public:
  Lexer(std::string source, const LexOptions& options) : src_(std::move(source)), options_(options) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::vector<Token> run() {
    cut();
    for (size_t i = 0; i < pieces_.size(); ++i) {
      const Piece& p = pieces_[i];
      if (!p.is_tag) {
        emit_text(i);
      } else if (p.tag != TagKind::kComment) {
        out_.push_back({p.tag == TagKind::kExpr ? Token::Kind::kExprOpen : Token::Kind::kStmtOpen, "", pos(p.tag_begin)});
        tokenize(p.begin, p.end);
        out_.push_back({p.tag == TagKind::kExpr ? Token::Kind::kExprClose : Token::Kind::kStmtClose, "", pos(p.end)});
      }
    }
    out_.push_back({Token::Kind::kEnd, "", pos(src_.size())});
    return std::move(out_);
  }

 private:
  SourcePos pos(size_t offset) const {
    size_t lo = 0, hi = line_starts_.size();
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      (line_starts_[mid] <= offset ? lo : hi) = mid;
    }
    return {int(lo + 1), int(offset - line_starts_[lo] + 1)};
  }

  // Pass 1: text and tags.
  void cut() {
    size_t i = 0, text_start = 0;
    while (i + 1 < src_.size()) {
      if (src_[i] != '{' || (src_[i + 1] != '{' && src_[i + 1] != '%' && src_[i + 1] != '#')) {
        ++i;
        continue;
      }
      if (i > text_start) pieces_.push_back({false, TagKind::kExpr, 0, 0, text_start, i, 0});
      Piece tag;
      tag.is_tag = true;
      tag.tag_begin = i;
      tag.tag = src_[i + 1] == '{' ? TagKind::kExpr : src_[i + 1] == '%' ? TagKind::kStmt : TagKind::kComment;
      size_t j = i + 2;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) tag.open_mark = src_[j++];
      tag.begin = j;
      const char close = tag.tag == TagKind::kExpr ? '}' : tag.tag == TagKind::kStmt ? '%' : '#';
      size_t k = find_close(j, close, tag.tag == TagKind::kComment);
      if (k == std::string::npos)
        throw TemplateError(std::string("unclosed ") + (tag.tag == TagKind::kExpr ? "'{{'" : tag.tag == TagKind::kStmt ? "'{%'" : "comment"),
                            pos(i));
      tag.end = k;
      if (k > j && (src_[k - 1] == '-' || src_[k - 1] == '+')) {
        tag.close_mark = src_[k - 1];
        tag.end = k - 1;
      }
      pieces_.push_back(tag);
      i = text_start = k + 2;
    }
    if (text_start < src_.size()) pieces_.push_back({false, TagKind::kExpr, 0, 0, text_start, src_.size(), 0});
  }

  // Offset of the closing "}}" / "%}" / "#}", skipping string literals inside tags.
  size_t find_close(size_t from, char close, bool comment) const {
    char quote = 0;
    for (size_t k = from; k + 1 < src_.size(); ++k) {
      char c = src_[k];
      if (quote) {
        if (c == '\\') ++k;
        else if (c == quote) quote = 0;
        continue;
      }
      if (!comment && (c == '\'' || c == '"')) {
        quote = c;
        continue;
      }
      if (c == close && src_[k + 1] == '}') return k;
    }
    return std::string::npos;
  }

  const Piece* tag_at(size_t i) const { return i < pieces_.size() && pieces_[i].is_tag ? &pieces_[i] : nullptr; }

  // Pass 2a: the text between tags, trimmed by its neighbours.
  void emit_text(size_t i) {
    const Piece& p = pieces_[i];
    size_t b = p.begin, e = p.end;
    const Piece* before = i > 0 ? tag_at(i - 1) : nullptr;
    const Piece* after = tag_at(i + 1);
    if (before) {
      if (before->close_mark == '-') {
        while (b < e && is_space(src_[b])) ++b;
      } else if (options_.trim_blocks && before->tag != TagKind::kExpr && before->close_mark != '+') {
        if (b < e && src_[b] == '\n') ++b;
      }
    }
    if (after) {
      if (after->open_mark == '-') {
        while (e > b && is_space(src_[e - 1])) --e;
      } else if (options_.lstrip_blocks && after->tag != TagKind::kExpr && after->open_mark != '+') {
        size_t line = e;
        while (line > b && (src_[line - 1] == ' ' || src_[line - 1] == '\t')) --line;
        // Only when nothing but blanks stands between the line's start and the tag.
        if (line == 0 || src_[line - 1] == '\n') e = line;
      }
    }
    if (e > b) out_.push_back({Token::Kind::kText, src_.substr(b, e - b), pos(b)});
  }

  // Pass 2b: the contents of one tag.
  void tokenize(size_t b, size_t e) {
    size_t i = b;
    while (i < e) {
      char c = src_[i];
      if (is_space(c)) {
        ++i;
        continue;
      }
      SourcePos at = pos(i);
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < e && (std::isalnum(static_cast<unsigned char>(src_[j])) || src_[j] == '_')) ++j;
        out_.push_back({Token::Kind::kName, src_.substr(i, j - i), at});
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        i = number(i, e, at);
      } else if (c == '\'' || c == '"') {
        i = string_literal(i, e, at);
      } else {
        static const char* const kOps[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
                                           ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"};
        bool found = false;
        for (const char* op : kOps) {
          size_t n = std::char_traits<char>::length(op);
          if (i + n <= e && src_.compare(i, n, op) == 0) {
            out_.push_back({Token::Kind::kOp, op, at});
            i += n;
            found = true;
            break;
          }
        }
        if (!found) throw TemplateError(std::string("unexpected character '") + c + "'", at);
      }
    }
  }

  size_t number(size_t i, size_t e, SourcePos at) {
    size_t j = i;
    auto digits = [&] {
      while (j < e && (std::isdigit(static_cast<unsigned char>(src_[j])) || src_[j] == '_')) ++j;
    };
    digits();
    bool is_float = false;
    if (j + 1 < e && src_[j] == '.' && std::isdigit(static_cast<unsigned char>(src_[j + 1]))) {
      ++j;
      digits();
      is_float = true;
    }
    if (j < e && (src_[j] == 'e' || src_[j] == 'E')) {
      size_t k = j + 1;
      if (k < e && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < e && std::isdigit(static_cast<unsigned char>(src_[k]))) {
        j = k;
        digits();
        is_float = true;
      }
    }
    std::string text;
    for (size_t k = i; k < j; ++k)
      if (src_[k] != '_') text += src_[k];
    out_.push_back({is_float ? Token::Kind::kFloat : Token::Kind::kInt, text, at});
    return j;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  // Python string-literal escapes; an unknown escape stays as written.
  size_t string_literal(size_t i, size_t e, SourcePos at) {
    const char quote = src_[i];
    std::string out;
    size_t j = i + 1;
    while (true) {
      if (j >= e) throw TemplateError("unterminated string literal", at);
      char c = src_[j];
      if (c == quote) break;
      if (c != '\\' || j + 1 >= e) {
        out += c;
        ++j;
        continue;
      }
      char n = src_[j + 1];
      j += 2;
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case '\n': break;
        case 'x':
        case 'u':
        case 'U': {
          const size_t len = n == 'x' ? 2 : n == 'u' ? 4 : 8;
          uint32_t cp = 0;
          if (j + len > e) throw TemplateError("truncated escape in string literal", at);
          for (size_t k = 0; k < len; ++k) {
            char h = src_[j + k];
            if (!std::isxdigit(static_cast<unsigned char>(h))) throw TemplateError("bad escape in string literal", at);
            cp = cp * 16 + uint32_t(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
          }
          if (cp > 0x10FFFF) throw TemplateError("bad escape in string literal", at);
          append_utf8(out, cp);
          j += len;
          break;
        }
        default:
          out += '\\';
          out += n;
      }
    }
    out_.push_back({Token::Kind::kString, std::move(out), at});
    return j + 1;
  }

  std::string src_;
  LexOptions options_;
  std::vector<size_t> line_starts_;
  std::vector<Piece> pieces_;
  std::vector<Token> out_;
};

// jinja2 reads the source line by line: "\r\n" and "\r" become "\n", and the
// last line break goes unless keep_trailing_newline is set.
std::string normalize_newlines(std::string_view source, bool keep_trailing) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!keep_trailing && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

std::vector<Token> lex(std::string_view source, const LexOptions& options) {
  return Lexer(normalize_newlines(source, options.keep_trailing_newline), options).run();
}

}  // namespace zaya::jinja
