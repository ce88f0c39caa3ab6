// Tokens -> syntax tree, with jinja2's operator precedence.
#pragma once

#include <vector>

#include "ast.h"
#include "lexer.h"

namespace zaya::jinja {

// The whole template as a kBody. Throws TemplateError naming the position.
NodePtr parse(const std::vector<Token>& tokens);

}  // namespace zaya::jinja
