// Recursive descent over the token list. Expression precedence follows
// jinja2's parser (lowest first): conditional, or, and, not, comparison,
// + -, ~, * / // %, **, unary - +, then primary with postfix (. [] ()) and
// filters / tests.
#include "parser.h"

#include <charconv>
#include <initializer_list>

namespace zaya::jinja {

namespace {

using K = Token::Kind;
using N = Node::Kind;

constexpr int kMaxDepth = 200;  // nesting of expressions and blocks; bounds the parser's stack

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : t_(tokens) {}

  NodePtr run() {
    std::string stop;
    NodePtr body = parse_body({}, stop);
    return body;
  }

 private:
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxDepth) throw TemplateError("template nested too deeply", p.cur().pos);
    }
    ~DepthGuard() { --p.depth_; }
  };

  const Token& cur() const { return t_[i_]; }
  const Token& peek(size_t n = 1) const { return t_[std::min(i_ + n, t_.size() - 1)]; }
  void advance() {
    if (cur().kind != K::kEnd) ++i_;
  }
  bool is_op(std::string_view op) const { return cur().kind == K::kOp && cur().text == op; }
  bool is_name(std::string_view name) const { return cur().kind == K::kName && cur().text == name; }
  [[noreturn]] void fail(const std::string& what) const {
    std::string got = cur().kind == K::kEnd ? "end of template"
                      : cur().kind == K::kStmtClose ? "'%}'"
                      : cur().kind == K::kExprClose ? "'}}'"
                      : cur().kind == K::kText ? "text"
                                               : "'" + cur().text + "'";
    throw TemplateError(what + ", found " + got, cur().pos);
  }
  void expect_op(std::string_view op) {
    if (!is_op(op)) fail("expected '" + std::string(op) + "'");
    advance();
  }
  std::string expect_name() {
    if (cur().kind != K::kName) fail("expected a name");
    std::string n = cur().text;
    advance();
    return n;
  }
  void expect_stmt_close() {
    if (cur().kind != K::kStmtClose) fail("expected '%}'");
    advance();
  }

  // Statements until one of `stops` opens a tag; `stop` receives it (the
  // tag's keyword is consumed, its remainder is not).
  NodePtr parse_body(std::initializer_list<std::string_view> stops, std::string& stop) {
    DepthGuard guard(*this);
    auto body = make_node(N::kBody, cur().pos);
    while (true) {
      const Token& tok = cur();
      if (tok.kind == K::kEnd) {
        if (stops.size() == 0) return body;
        std::string list;
        for (auto s : stops) list += (list.empty() ? "'" : " or '") + std::string(s) + "'";
        throw TemplateError("missing " + list + " before the end of the template", tok.pos);
      }
      if (tok.kind == K::kText) {
        auto text = make_node(N::kText, tok.pos);
        text->literal = Value(tok.text);
        body->kids.push_back(std::move(text));
        advance();
      } else if (tok.kind == K::kExprOpen) {
        advance();
        auto out = make_node(N::kOutput, tok.pos);
        out->kids.push_back(parse_expr());
        if (cur().kind != K::kExprClose) fail("expected '}}'");
        advance();
        body->kids.push_back(std::move(out));
      } else if (tok.kind == K::kStmtOpen) {
        advance();
        if (cur().kind != K::kName) fail("expected a statement keyword");
        const std::string keyword = cur().text;
        for (auto s : stops)
          if (keyword == s) {
            advance();
            stop = keyword;
            return body;
          }
        body->kids.push_back(parse_statement());
      } else {
        fail("unexpected token");
      }
    }
  }

  NodePtr parse_statement() {
    const Token& kw = cur();
    const SourcePos at = kw.pos;
    const std::string name = kw.text;
    advance();
    if (name == "if") return parse_if(at);
    if (name == "for") return parse_for(at);
    if (name == "set") return parse_set(at);
    if (name == "macro") return parse_macro(at);
    if (name == "call") return parse_call_block(at);
    if (name == "filter") return parse_filter_block(at);
    if (name == "break" || name == "continue") {
      expect_stmt_close();
      return make_node(name == "break" ? N::kBreak : N::kContinue, at);
    }
    if (name == "generation") {  // transformers' assistant-mask marker: renders its body
      expect_stmt_close();
      std::string stop;
      NodePtr body = parse_body({"endgeneration"}, stop);
      expect_stmt_close();
      return body;
    }
    throw TemplateError("unknown statement '" + name + "'", at);
  }

  NodePtr parse_if(SourcePos at) {
    auto node = make_node(N::kIf, at);
    node->kids.push_back(parse_expr());
    expect_stmt_close();
    while (true) {
      std::string stop;
      node->kids.push_back(parse_body({"elif", "else", "endif"}, stop));
      if (stop == "endif") break;
      if (stop == "elif") {
        node->kids.push_back(parse_expr());
        expect_stmt_close();
        continue;
      }
      expect_stmt_close();
      node->kids.push_back(parse_body({"endif"}, stop));
      node->flag = true;
      break;
    }
    expect_stmt_close();
    return node;
  }

  NodePtr parse_for(SourcePos at) {
    auto node = make_node(N::kFor, at);
    node->names.push_back(expect_name());
    while (is_op(",")) {
      advance();
      node->names.push_back(expect_name());
    }
    if (!is_name("in")) fail("expected 'in'");
    advance();
    node->kids.push_back(parse_expr(/*with_condition=*/false));
    if (is_name("if")) {
      advance();
      node->kids.push_back(parse_expr());
    } else {
      node->kids.push_back(nullptr);
    }
    if (is_name("recursive")) throw TemplateError("recursive loops are not supported", cur().pos);
    expect_stmt_close();
    std::string stop;
    node->kids.push_back(parse_body({"else", "endfor"}, stop));
    if (stop == "else") {
      expect_stmt_close();
      node->kids.push_back(parse_body({"endfor"}, stop));
    } else {
      node->kids.push_back(nullptr);
    }
    expect_stmt_close();
    return node;
  }

  NodePtr parse_set(SourcePos at) {
    std::vector<std::string> target{expect_name()};
    if (is_op(".")) {
      advance();
      target.push_back(expect_name());
    }
    if (is_op("=")) {
      advance();
      auto node = make_node(N::kSet, at);
      node->names = std::move(target);
      node->kids.push_back(parse_expr());
      expect_stmt_close();
      return node;
    }
    if (target.size() != 1) fail("expected '='");
    expect_stmt_close();
    auto node = make_node(N::kSetBlock, at);
    node->names = std::move(target);
    std::string stop;
    node->kids.push_back(parse_body({"endset"}, stop));
    expect_stmt_close();
    return node;
  }

  // "(a, b=default, ...)" of a macro or a call block's caller.
  void parse_parameters(Node& node) {
    expect_op("(");
    while (!is_op(")")) {
      node.names.push_back(expect_name());
      if (is_op("=")) {
        advance();
        node.kids.push_back(parse_expr());
      } else {
        node.kids.push_back(nullptr);
      }
      if (!is_op(",")) break;
      advance();
    }
    expect_op(")");
  }

  NodePtr parse_macro(SourcePos at) {
    auto node = make_node(N::kMacro, at);
    node->name = expect_name();
    parse_parameters(*node);
    expect_stmt_close();
    std::string stop;
    node->kids.push_back(parse_body({"endmacro"}, stop));
    expect_stmt_close();
    return node;
  }

  NodePtr parse_call_block(SourcePos at) {
    auto params = make_node(N::kMacro, at);  // the caller() macro
    params->name = "caller";
    if (is_op("(")) parse_parameters(*params);
    NodePtr call = parse_expr();
    if (call->kind != N::kCall) throw TemplateError("'call' needs a macro call", at);
    expect_stmt_close();
    std::string stop;
    params->kids.push_back(parse_body({"endcall"}, stop));
    expect_stmt_close();
    auto node = make_node(N::kCallBlock, at);
    node->kids.push_back(std::move(call));
    node->kids.push_back(std::move(params));
    return node;
  }

  NodePtr parse_filter_block(SourcePos at) {
    NodePtr chain = make_node(N::kName, at);  // the body's text stands in for this name
    chain->name = "";
    chain = parse_filter_chain(std::move(chain), /*first_without_bar=*/true);
    expect_stmt_close();
    auto node = make_node(N::kFilterBlock, at);
    node->kids.push_back(std::move(chain));
    std::string stop;
    node->kids.push_back(parse_body({"endfilter"}, stop));
    expect_stmt_close();
    return node;
  }

  // ---- Expressions ----
  NodePtr parse_expr(bool with_condition = true) {
    DepthGuard guard(*this);
    NodePtr value = parse_or();
    if (!with_condition || !is_name("if")) return value;
    const SourcePos at = cur().pos;
    advance();
    auto node = make_node(N::kTernary, at);
    node->kids.push_back(std::move(value));
    node->kids.push_back(parse_or());
    if (is_name("else")) {
      advance();
      node->kids.push_back(parse_expr());
    } else {
      node->kids.push_back(nullptr);
    }
    return node;
  }

  NodePtr binary(std::string op, NodePtr a, NodePtr b, SourcePos at) {
    auto node = make_node(N::kBinary, at);
    node->name = std::move(op);
    node->kids.push_back(std::move(a));
    node->kids.push_back(std::move(b));
    return node;
  }

  NodePtr parse_or() {
    NodePtr left = parse_and();
    while (is_name("or")) {
      SourcePos at = cur().pos;
      advance();
      left = binary("or", std::move(left), parse_and(), at);
    }
    return left;
  }

  NodePtr parse_and() {
    NodePtr left = parse_not();
    while (is_name("and")) {
      SourcePos at = cur().pos;
      advance();
      left = binary("and", std::move(left), parse_not(), at);
    }
    return left;
  }

  NodePtr parse_not() {
    if (is_name("not")) {
      DepthGuard guard(*this);
      auto node = make_node(N::kUnary, cur().pos);
      advance();
      node->name = "not";
      node->kids.push_back(parse_not());
      return node;
    }
    return parse_compare();
  }

  NodePtr parse_compare() {
    NodePtr left = parse_math1();
    while (true) {
      SourcePos at = cur().pos;
      std::string op;
      if (cur().kind == K::kOp && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                   cur().text == ">" || cur().text == "<=" || cur().text == ">=")) {
        op = cur().text;
        advance();
      } else if (is_name("in")) {
        op = "in";
        advance();
      } else if (is_name("not") && peek().kind == K::kName && peek().text == "in") {
        op = "not in";
        advance();
        advance();
      } else {
        return left;
      }
      left = binary(op, std::move(left), parse_math1(), at);
    }
  }

  template <class Next>
  NodePtr parse_left_assoc(std::initializer_list<std::string_view> ops, Next next) {
    NodePtr left = (this->*next)();
    while (cur().kind == K::kOp) {
      bool match = false;
      for (auto op : ops) match = match || cur().text == op;
      if (!match) break;
      SourcePos at = cur().pos;
      std::string op = cur().text;
      advance();
      left = binary(op, std::move(left), (this->*next)(), at);
    }
    return left;
  }
  NodePtr parse_math1() { return parse_left_assoc({"+", "-"}, &Parser::parse_concat); }
  NodePtr parse_concat() { return parse_left_assoc({"~"}, &Parser::parse_math2); }
  NodePtr parse_math2() { return parse_left_assoc({"*", "/", "//", "%"}, &Parser::parse_pow); }
  NodePtr parse_pow() { return parse_left_assoc({"**"}, &Parser::parse_unary_filtered); }
  NodePtr parse_unary_filtered() { return parse_unary(true); }

  NodePtr parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    NodePtr node;
    if (is_op("-") || is_op("+")) {
      node = make_node(N::kUnary, cur().pos);
      node->name = cur().text;
      advance();
      node->kids.push_back(parse_unary(false));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_chain(std::move(node), false);
    return node;
  }

  NodePtr parse_primary() {
    const Token& tok = cur();
    const SourcePos at = tok.pos;
    if (tok.kind == K::kName) {
      const std::string& n = tok.text;
      auto literal = [&](Value v) {
        auto node = make_node(N::kLiteral, at);
        node->literal = std::move(v);
        advance();
        return node;
      };
      if (n == "true" || n == "True") return literal(Value(true));
      if (n == "false" || n == "False") return literal(Value(false));
      if (n == "none" || n == "None") return literal(Value::none());
      auto node = make_node(N::kName, at);
      node->name = n;
      advance();
      return node;
    }
    if (tok.kind == K::kString) {
      std::string s;
      while (cur().kind == K::kString) {  // adjacent literals concatenate
        s += cur().text;
        advance();
      }
      auto node = make_node(N::kLiteral, at);
      node->literal = Value(std::move(s));
      return node;
    }
    if (tok.kind == K::kInt || tok.kind == K::kFloat) {
      auto node = make_node(N::kLiteral, at);
      if (tok.kind == K::kInt) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), v);
        if (ec != std::errc()) throw TemplateError("integer literal out of range", at);
        node->literal = Value(v);
      } else {
        node->literal = Value(std::strtod(tok.text.c_str(), nullptr));
      }
      advance();
      return node;
    }
    if (is_op("(")) {
      advance();
      if (is_op(")")) {
        advance();
        return make_node(N::kTuple, at);
      }
      NodePtr first = parse_expr();
      if (!is_op(",")) {
        expect_op(")");
        return first;
      }
      auto tuple = make_node(N::kTuple, at);
      tuple->kids.push_back(std::move(first));
      while (is_op(",")) {
        advance();
        if (is_op(")")) break;
        tuple->kids.push_back(parse_expr());
      }
      expect_op(")");
      return tuple;
    }
    if (is_op("[")) {
      advance();
      auto list = make_node(N::kList, at);
      while (!is_op("]")) {
        list->kids.push_back(parse_expr());
        if (!is_op(",")) break;
        advance();
      }
      expect_op("]");
      return list;
    }
    if (is_op("{")) {
      advance();
      auto dict = make_node(N::kDict, at);
      while (!is_op("}")) {
        dict->kids.push_back(parse_expr());
        expect_op(":");
        dict->kids.push_back(parse_expr());
        if (!is_op(",")) break;
        advance();
      }
      expect_op("}");
      return dict;
    }
    fail("expected an expression");
  }

  NodePtr parse_postfix(NodePtr node) {
    while (true) {
      const SourcePos at = cur().pos;
      if (is_op(".")) {
        advance();
        if (cur().kind == K::kInt) {  // x.0 is x[0]
          auto index = make_node(N::kIndex, at);
          auto key = make_node(N::kLiteral, at);
          key->literal = Value(int64_t(std::stoll(cur().text)));
          advance();
          index->kids.push_back(std::move(node));
          index->kids.push_back(std::move(key));
          node = std::move(index);
          continue;
        }
        auto attr = make_node(N::kAttr, at);
        attr->name = expect_name();
        attr->kids.push_back(std::move(node));
        node = std::move(attr);
      } else if (is_op("[")) {
        advance();
        node = parse_subscript(std::move(node), at);
      } else if (is_op("(")) {
        auto call = make_node(N::kCall, at);
        call->kids.push_back(std::move(node));
        parse_call_args(*call);
        node = std::move(call);
      } else {
        return node;
      }
    }
  }

  NodePtr parse_subscript(NodePtr target, SourcePos at) {
    NodePtr start = is_op(":") ? nullptr : parse_expr();
    if (!is_op(":")) {
      expect_op("]");
      auto index = make_node(N::kIndex, at);
      index->kids.push_back(std::move(target));
      index->kids.push_back(std::move(start));
      return index;
    }
    advance();
    NodePtr stop = is_op(":") || is_op("]") ? nullptr : parse_expr();
    NodePtr step;
    if (is_op(":")) {
      advance();
      if (!is_op("]")) step = parse_expr();
    }
    expect_op("]");
    auto slice = make_node(N::kSlice, at);
    slice->kids.push_back(std::move(target));
    slice->kids.push_back(std::move(start));
    slice->kids.push_back(std::move(stop));
    slice->kids.push_back(std::move(step));
    return slice;
  }

  // "(a, b, key=value)" appended to node.kids, keyword names in node.names.
  void parse_call_args(Node& node) {
    expect_op("(");
    while (!is_op(")")) {
      if (cur().kind == K::kName && peek().kind == K::kOp && peek().text == "=") {
        node.names.push_back(cur().text);
        advance();
        advance();
        node.kids.push_back(parse_expr());
      } else {
        if (!node.names.empty()) fail("positional argument after a keyword argument");
        node.kids.push_back(parse_expr());
      }
      if (!is_op(",")) break;
      advance();
    }
    expect_op(")");
  }

  bool starts_test_argument() const {
    const Token& tok = cur();
    if (tok.kind == K::kString || tok.kind == K::kInt || tok.kind == K::kFloat) return true;
    if (tok.kind == K::kOp) return tok.text == "(" || tok.text == "[" || tok.text == "{";
    if (tok.kind != K::kName) return false;
    for (const char* kw : {"else", "or", "and", "if", "is", "in", "not"})
      if (tok.text == kw) return false;
    return true;
  }

  NodePtr parse_filter_chain(NodePtr node, bool first_without_bar) {
    bool first = first_without_bar;
    while (true) {
      const SourcePos at = cur().pos;
      if (first || is_op("|")) {
        if (!first) advance();
        first = false;
        auto filter = make_node(N::kFilter, at);
        filter->name = expect_name();
        while (is_op(".")) {  // dotted filter names
          advance();
          filter->name += "." + expect_name();
        }
        filter->kids.push_back(std::move(node));
        if (is_op("(")) parse_call_args(*filter);
        node = std::move(filter);
      } else if (is_name("is")) {
        advance();
        auto test = make_node(N::kTest, at);
        if (is_name("not")) {
          test->flag = true;
          advance();
        }
        if (cur().kind != K::kName) fail("expected a test name");
        test->name = cur().text;
        advance();
        test->kids.push_back(std::move(node));
        if (is_op("(")) {
          parse_call_args(*test);
        } else if (starts_test_argument()) {
          test->kids.push_back(parse_postfix(parse_primary()));
        }
        node = std::move(test);
      } else {
        return node;
      }
    }
  }

  const std::vector<Token>& t_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

NodePtr parse(const std::vector<Token>& tokens) { return Parser(tokens).run(); }

}  // namespace zaya::jinja
