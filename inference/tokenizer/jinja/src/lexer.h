// Template source -> tokens. Whitespace control ({%- -%}, {{- -}}, {#- -#})
// and the environment's trim_blocks / lstrip_blocks are applied here, on the
// text between tags, exactly where jinja2's own lexer applies them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "zaya/jinja/error.h"

namespace zaya::jinja {

struct LexOptions {
  bool trim_blocks = true;     // drop the first newline after a block tag or comment
  bool lstrip_blocks = true;   // drop spaces and tabs before a block tag at the start of a line
  bool keep_trailing_newline = false;
};

struct Token {
  enum class Kind { kText, kExprOpen, kExprClose, kStmtOpen, kStmtClose, kName, kString, kInt, kFloat, kOp, kEnd };
  Kind kind;
  std::string text;  // text, name, operator or the decoded string literal
  SourcePos pos;
};

std::vector<Token> lex(std::string_view source, const LexOptions& options);

}  // namespace zaya::jinja
