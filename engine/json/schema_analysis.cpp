// Schema::compile, stage 2: $ref resolution helpers, union flattening, shortest-value tables, depth
// sensitivity and the oneOf exclusivity proof.
#include <algorithm>
#include <cctype>
#include <set>

#include "engine/json/schema_compiler.h"

namespace zeroidle::engine::json::detail {
namespace {

enum ClassBits : uint32_t {
  kObjectBit = 1,
  kArrayBit = 2,
  kStringBit = 4,
  kNumberBit = 8,
  kTrueBit = 16,
  kFalseBit = 32,
  kNullBit = 64,
  kAllBits = 127,
};

uint32_t class_of_first_byte(uint8_t b) {
  switch (b) {
    case '{':
      return kObjectBit;
    case '[':
      return kArrayBit;
    case '"':
      return kStringBit;
    case 't':
      return kTrueBit;
    case 'f':
      return kFalseBit;
    case 'n':
      return kNullBit;
    default:
      return kNumberBit;
  }
}

uint32_t class_of_value(const ojson& v) {
  if (v.is_object()) return kObjectBit;
  if (v.is_array()) return kArrayBit;
  if (v.is_string()) return kStringBit;
  if (v.is_boolean()) return v.get<bool>() ? kTrueBit : kFalseBit;
  if (v.is_null()) return kNullBit;
  return kNumberBit;
}

uint32_t class_of_type(const std::string& t) {
  if (t == "object") return kObjectBit;
  if (t == "array") return kArrayBit;
  if (t == "string") return kStringBit;
  if (t == "number" || t == "integer") return kNumberBit;
  if (t == "boolean") return kTrueBit | kFalseBit;
  if (t == "null") return kNullBit;
  return kAllBits;
}

// The JSON types a document of `node` can have.
uint32_t emitted_classes(const Grammar& g, uint32_t node) {
  const Node& n = g.nodes[node];
  switch (n.kind) {
    case NodeKind::kObject:
      return kObjectBit;
    case NodeKind::kArray:
      return kArrayBit;
    case NodeKind::kString:
      return kStringBit;
    case NodeKind::kNumber:
      return kNumberBit;
    case NodeKind::kLiterals: {
      uint32_t bits = 0;
      for (const auto& [b, child] : n.literals.children(ByteTrie::kRoot)) bits |= class_of_first_byte(b);
      return bits;
    }
    case NodeKind::kUnion: {
      uint32_t bits = 0;
      for (uint32_t a : n.alts) bits |= emitted_classes(g, a);
      return bits;
    }
    case NodeKind::kPending:
      return kAllBits;
  }
  return kAllBits;
}

const ojson* follow_refs(const ojson* s, const ojson& root, int& budget) {
  while (s->is_object() && s->contains("$ref") && budget-- > 0)
    s = resolve_ref(root, (*s)["$ref"], "(oneOf check)").schema;
  return budget > 0 ? s : nullptr;
}

// The JSON types the raw schema `s` can accept (a superset is fine).
uint32_t semantic_classes(const ojson& s, const ojson& root, int budget) {
  const ojson* r = follow_refs(&s, root, budget);
  if (!r) return kAllBits;
  if (r->is_boolean()) return r->get<bool>() ? uint32_t{kAllBits} : 0u;
  if (!r->is_object()) return kAllBits;
  for (const char* word : {"anyOf", "oneOf"}) {
    if (r->contains(word) && (*r)[word].is_array()) {
      uint32_t bits = 0;
      for (const ojson& alt : (*r)[word]) bits |= semantic_classes(alt, root, budget - 1);
      return bits;
    }
  }
  uint32_t bits = kAllBits;
  if (r->contains("type")) {
    const ojson& t = (*r)["type"];
    uint32_t tb = 0;
    if (t.is_string()) tb = class_of_type(t.get<std::string>());
    if (t.is_array()) {
      for (const ojson& name : t) tb |= name.is_string() ? class_of_type(name.get<std::string>()) : kAllBits;
    }
    bits &= tb;
  }
  if (r->contains("enum") && (*r)["enum"].is_array()) {
    uint32_t vb = 0;
    for (const ojson& v : (*r)["enum"]) vb |= class_of_value(v);
    bits &= vb;
  }
  if (r->contains("const")) bits &= class_of_value((*r)["const"]);
  return bits;
}

bool literals_excluded(const Node& n, const ojson& other) {
  if (!other.contains("enum") && !other.contains("const")) return false;
  auto accepted = [&](const ojson& v) {
    if (other.contains("const") && !(other["const"] == v)) return false;
    if (other.contains("enum") && other["enum"].is_array()) {
      const ojson& e = other["enum"];
      return std::any_of(e.begin(), e.end(), [&](const ojson& x) { return x == v; });
    }
    return true;
  };
  return std::none_of(n.values.begin(), n.values.end(), accepted);
}

// A required property of `n` whose value `other` must reject (or that `other` forbids outright).
bool discriminated(const Grammar& g, const Node& n, const ojson& other, const ojson& root, int budget) {
  const bool closed = other.contains("additionalProperties") && other["additionalProperties"] == false;
  const ojson* props =
      other.contains("properties") && other["properties"].is_object() ? &other["properties"] : nullptr;
  for (const Property& p : n.props) {
    if (!p.required) continue;
    if (props && props->contains(p.name)) {
      if (provably_exclusive(g, p.node, (*props)[p.name], root, budget - 1)) return true;
    } else if (closed) {
      return true;
    }
  }
  return false;
}

uint32_t max_nesting(const Grammar& g, uint32_t node, std::vector<uint8_t>& state,
                     std::vector<uint32_t>& memo) {
  if (state[node] == 1) return kInf;  // on the current path: a cycle
  if (state[node] == 2) return memo[node];
  state[node] = 1;
  const Node& n = g.nodes[node];
  uint32_t m = 0;
  switch (n.kind) {
    case NodeKind::kObject:
      for (const Property& p : n.props) m = std::max(m, max_nesting(g, p.node, state, memo));
      m = sat_add(m, 1);
      break;
    case NodeKind::kArray:
      m = sat_add(n.max_items > 0 ? max_nesting(g, n.items, state, memo) : 0, 1);
      break;
    case NodeKind::kUnion:
      for (uint32_t a : n.alts) m = std::max(m, max_nesting(g, a, state, memo));
      break;
    default:
      break;
  }
  state[node] = 2;
  memo[node] = m;
  return m;
}

uint32_t node_min_len(const Grammar& g, const Node& n, uint32_t levels) {
  switch (n.kind) {
    case NodeKind::kString:
      return 2 + n.min_len;
    case NodeKind::kNumber:
      return num_min_extra(n.num, NumState{});
    case NodeKind::kLiterals:
      return n.shortest_literal;
    case NodeKind::kObject: {
      if (levels == 0) return kInf;
      uint32_t total = 2;
      uint32_t required = 0;
      for (const Property& p : n.props) {
        if (!p.required) continue;
        total = sat_add(total, sat_add(static_cast<uint32_t>(p.key.size()), g.min_len(p.node, levels - 1)));
        ++required;
      }
      return sat_add(total, required > 0 ? required - 1 : 0);
    }
    case NodeKind::kArray: {
      if (levels == 0) return kInf;
      if (n.min_items == 0) return 2;
      const uint32_t item = g.min_len(n.items, levels - 1);
      if (item >= kInf) return kInf;
      const uint64_t total = 2 + static_cast<uint64_t>(n.min_items) * (item + 1) - 1;
      return total >= kInf ? kInf : static_cast<uint32_t>(total);
    }
    default:
      return kInf;
  }
}

}  // namespace

void fail(const std::string& message) {
  throw SchemaError(message);
}

std::string pointer_child(const std::string& ptr, const std::string& key) {
  std::string out = ptr + "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_text(const std::string& ptr) {
  return ptr.empty() ? "(root)" : ptr;
}

RefTarget resolve_ref(const ojson& root, const ojson& ref, const std::string& at) {
  if (!ref.is_string()) fail("keyword '$ref' at " + pointer_text(at) + " must be a string");
  const std::string text = ref.get<std::string>();
  if (text.empty() || text[0] != '#') {
    fail("$ref \"" + text + "\" at " + pointer_text(at) +
         " is not local: only \"#...\" references are supported");
  }
  std::string pointer;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      pointer += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      pointer += text[i];
    }
  }
  if (!pointer.empty() && pointer[0] != '/') {
    fail("$ref \"" + text + "\" at " + pointer_text(at) + " uses an anchor, which is not supported");
  }
  try {
    return {pointer, &root.at(ojson::json_pointer(pointer))};
  } catch (const nlohmann::json::exception&) {
    fail("$ref \"" + text + "\" at " + pointer_text(at) + " does not resolve within the schema");
  }
}

void flatten_unions(Grammar& g) {
  for (Node& n : g.nodes) {
    if (n.kind != NodeKind::kUnion) continue;
    std::vector<uint32_t> flat;
    std::set<uint32_t> seen;
    std::vector<uint32_t> todo(n.alts.rbegin(), n.alts.rend());
    while (!todo.empty()) {
      const uint32_t a = todo.back();
      todo.pop_back();
      if (!seen.insert(a).second) continue;
      if (g.nodes[a].kind == NodeKind::kUnion) {
        todo.insert(todo.end(), g.nodes[a].alts.rbegin(), g.nodes[a].alts.rend());
      } else {
        flat.push_back(a);
      }
    }
    n.alts = std::move(flat);
  }
}

void compute_min_len(Grammar& g) {
  const size_t n_nodes = g.nodes.size();
  g.min_len_table.assign((g.limits.max_depth + 1) * n_nodes, kInf);
  for (uint32_t levels = 0; levels <= g.limits.max_depth; ++levels) {
    uint32_t* row = &g.min_len_table[levels * n_nodes];
    for (size_t i = 0; i < n_nodes; ++i) {
      if (g.nodes[i].kind != NodeKind::kUnion) row[i] = node_min_len(g, g.nodes[i], levels);
    }
    for (size_t i = 0; i < n_nodes; ++i) {
      if (g.nodes[i].kind != NodeKind::kUnion) continue;
      for (uint32_t a : g.nodes[i].alts) row[i] = std::min(row[i], row[a]);
    }
  }
}

bool compute_depth_sensitive(const Grammar& g) {
  std::vector<uint8_t> state(g.nodes.size(), 0);
  std::vector<uint32_t> memo(g.nodes.size(), 0);
  return max_nesting(g, g.root, state, memo) > g.limits.max_depth;
}

bool provably_exclusive(const Grammar& g, uint32_t node, const ojson& other_in, const ojson& root,
                        int budget) {
  if (budget <= 0) return false;
  const Node& n = g.nodes[node];
  if (n.kind == NodeKind::kUnion) {
    return std::all_of(n.alts.begin(), n.alts.end(),
                       [&](uint32_t a) { return provably_exclusive(g, a, other_in, root, budget - 1); });
  }
  const ojson* other = follow_refs(&other_in, root, budget);
  if (!other) return false;
  if (other->is_boolean()) return !other->get<bool>();
  if (!other->is_object()) return false;
  for (const char* word : {"anyOf", "oneOf"}) {
    if (other->contains(word) && (*other)[word].is_array()) {
      const ojson& alts = (*other)[word];
      return std::all_of(alts.begin(), alts.end(), [&](const ojson& alt) {
        return provably_exclusive(g, node, alt, root, budget - 1);
      });
    }
  }
  if ((emitted_classes(g, node) & semantic_classes(*other, root, budget)) == 0) return true;
  if (n.kind == NodeKind::kLiterals && literals_excluded(n, *other)) return true;
  return n.kind == NodeKind::kObject && discriminated(g, n, *other, root, budget);
}

uint32_t Grammar::object_tail(uint32_t obj, uint32_t a, uint32_t depth) const {
  const Node& n = nodes[obj];
  const uint32_t child_levels = levels_at(depth + 1);
  uint32_t total = 1;
  for (size_t j = a; j < n.props.size(); ++j) {
    if (!n.props[j].required) continue;
    total = sat_add(total, sat_add(static_cast<uint32_t>(1 + n.props[j].key.size()),
                                   min_len(n.props[j].node, child_levels)));
  }
  return total;
}

}  // namespace zeroidle::engine::json::detail
