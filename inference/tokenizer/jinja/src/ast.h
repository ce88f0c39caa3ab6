// The syntax tree: one node type with a kind, a position for error
// messages, and children whose meaning each kind documents below.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "zaya/jinja/error.h"
#include "zaya/jinja/value.h"

namespace zaya::jinja {

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum class Kind {
    // Expressions
    kLiteral,   // literal
    kName,      // name
    kList,      // kids: items
    kTuple,     // kids: items
    kDict,      // kids: key, value, key, value...
    kAttr,      // kids[0] . name
    kIndex,     // kids[0] [ kids[1] ]
    kSlice,     // kids[0] [ kids[1] : kids[2] : kids[3] ] (null: omitted)
    kCall,      // kids[0] ( kids[1..] ), names: keyword names of the last names.size() kids
    kFilter,    // name: filter; kids[0]: input, then arguments as kCall
    kTest,      // name: test; flag: negated; kids[0]: input, then arguments
    kUnary,     // name: "-", "+" or "not"; kids[0]
    kBinary,    // name: operator ("+", "==", "in", "not in", "and", "or", "~", ...); kids[0], kids[1]
    kTernary,   // kids[0] if kids[1] else kids[2] (kids[2] null: undefined)
    // Statements
    kText,      // literal: the text
    kOutput,    // kids[0]
    kBody,      // kids: statements
    kIf,        // kids: cond, body, cond, body, ..., [else body] (flag: has else)
    kFor,       // names: targets; kids: iterable, filter (or null), body, else (or null)
    kSet,       // names: [name] or [namespace, attribute]; kids[0]: value
    kSetBlock,  // names: [name]; kids[0]: body
    kMacro,     // name; names: parameters; kids: defaults (null: none) per parameter, then body
    kCallBlock, // names: caller parameters; kids[0]: the call expression, kids[1]: body
    kFilterBlock,  // kids[0]: filter chain applied to kName "" placeholder, kids[1]: body
    kBreak,
    kContinue,
  };

  Kind kind;
  SourcePos pos;
  std::string name;
  Value literal;
  std::vector<std::string> names;
  std::vector<NodePtr> kids;
  bool flag = false;

  Node(Kind k, SourcePos p) : kind(k), pos(p) {}
};

inline NodePtr make_node(Node::Kind k, SourcePos p) { return std::make_unique<Node>(k, p); }

}  // namespace zaya::jinja
