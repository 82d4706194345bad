// Schema::compile, stage 1: each keyword checked and turned into grammar nodes.
#include "engine/json/schema.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "engine/json/schema_compiler.h"

namespace zeroidle::engine::json {
namespace detail {
namespace {

const std::set<std::string, std::less<>> kAnnotations = {
    "description", "title", "$schema", "$id", "$comment", "default", "examples", "$defs", "definitions"};
const std::set<std::string, std::less<>> kConstraints = {"type",
                                                         "properties",
                                                         "required",
                                                         "additionalProperties",
                                                         "enum",
                                                         "const",
                                                         "items",
                                                         "minItems",
                                                         "maxItems",
                                                         "minLength",
                                                         "maxLength",
                                                         "minimum",
                                                         "maximum",
                                                         "exclusiveMinimum",
                                                         "exclusiveMaximum",
                                                         "anyOf",
                                                         "oneOf",
                                                         "$ref"};
const std::set<std::string, std::less<>> kObjectWords = {"properties", "required", "additionalProperties"};
const std::set<std::string, std::less<>> kArrayWords = {"items", "minItems", "maxItems"};
const std::set<std::string, std::less<>> kStringWords = {"minLength", "maxLength"};
const std::set<std::string, std::less<>> kNumberWords = {"minimum", "maximum", "exclusiveMinimum",
                                                         "exclusiveMaximum"};
const std::vector<std::string> kTypeNames = {"object",  "array",   "string", "number",
                                             "integer", "boolean", "null"};

constexpr uint32_t kHardMaxLength = 1u << 20;  // explicit maxLength/maxItems beyond this are clamped
constexpr uint32_t kHardMaxItems = 1u << 16;
constexpr uint32_t kNumberIntDigits = 15;  // doubles hold 15 digits exactly

bool has(const ojson& s, const char* key) {
  return s.contains(key);
}

// A keyword whose value must be a non-negative integer; returns nullopt when absent.
std::optional<uint64_t> count_keyword(const ojson& s, const char* key, const std::string& ptr) {
  if (!s.contains(key)) return std::nullopt;
  const ojson& v = s[key];
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
  if (v.is_number_float() && v.get<double>() >= 0 && std::floor(v.get<double>()) == v.get<double>() &&
      v.get<double>() < 1e18) {
    return static_cast<uint64_t>(v.get<double>());
  }
  fail("keyword '" + std::string(key) + "' at " + pointer_text(ptr) + " must be a non-negative integer");
}

bool json_is_type(const ojson& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    return v.is_number_float() && std::isfinite(v.get<double>()) &&
           std::floor(v.get<double>()) == v.get<double>();
  }
  return false;
}

std::vector<std::string> parse_types(const ojson& s, const std::string& ptr) {
  const ojson& t = s["type"];
  std::vector<std::string> out;
  auto add_one = [&](const ojson& name) {
    if (!name.is_string() ||
        std::find(kTypeNames.begin(), kTypeNames.end(), name.get<std::string>()) == kTypeNames.end()) {
      fail("keyword 'type' at " + pointer_text(ptr) + " names an unknown type " + name.dump());
    }
    if (std::find(out.begin(), out.end(), name.get<std::string>()) == out.end()) out.push_back(name);
  };
  if (t.is_array()) {
    for (const auto& name : t) add_one(name);
  } else {
    add_one(t);
  }
  if (out.empty()) fail("keyword 'type' at " + pointer_text(ptr) + " lists no type");
  return out;
}

// Without "type", a schema is narrowed to the types its keywords constrain.
std::vector<std::string> inferred_types(const ojson& s) {
  std::vector<std::string> out;
  auto any_of = [&](const std::set<std::string, std::less<>>& words) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return s.contains(w); });
  };
  if (any_of(kObjectWords)) out.push_back("object");
  if (any_of(kArrayWords)) out.push_back("array");
  if (any_of(kStringWords)) out.push_back("string");
  if (any_of(kNumberWords)) out.push_back("number");
  return out;
}

// Refuses constraint keywords next to `word` other than `allowed` (annotations are always fine).
void refuse_siblings(const ojson& s, const std::string& ptr, const char* word,
                     std::initializer_list<const char*> allowed) {
  for (const auto& item : s.items()) {
    const std::string& key = item.key();
    if (!kConstraints.count(key) || key == word) continue;
    auto same = [&key](const char* a) { return key == a; };
    if (std::find_if(allowed.begin(), allowed.end(), same) != allowed.end()) continue;
    fail("keyword '" + key + "' next to '" + word + "' at " + pointer_text(ptr) +
         " is not supported: move it into the alternatives or the referenced schema");
  }
}

// Reads a numeric bound; returns nullptr when absent.
const ojson* bound(const ojson& s, const char* key, const std::string& ptr) {
  if (!s.contains(key)) return nullptr;
  const ojson& v = s[key];
  if (v.is_boolean()) {
    fail("keyword '" + std::string(key) + "' at " + pointer_text(ptr) +
         " is a boolean (draft 4 style), which is not supported: give the bound as a number");
  }
  if (!v.is_number() || (v.is_number_float() && !std::isfinite(v.get<double>()))) {
    fail("keyword '" + std::string(key) + "' at " + pointer_text(ptr) + " must be a finite number");
  }
  return &v;
}

i128 exact_integer(const ojson& v) {
  if (v.is_number_unsigned()) return static_cast<i128>(v.get<uint64_t>());
  return static_cast<i128>(v.get<int64_t>());
}

// Integer bounds: Python compares ints with float bounds exactly, so exact floor/ceil is right.
void integer_bounds(const ojson& s, const std::string& ptr, NumberSpec& spec) {
  if (const ojson* v = bound(s, "minimum", ptr)) {
    spec.lo = std::max(spec.lo, v->is_number_float() ? ceil_scaled(v->get<double>(), 0) : exact_integer(*v));
  }
  if (const ojson* v = bound(s, "exclusiveMinimum", ptr)) {
    spec.lo =
        std::max(spec.lo, (v->is_number_float() ? floor_scaled(v->get<double>(), 0) : exact_integer(*v)) + 1);
  }
  if (const ojson* v = bound(s, "maximum", ptr)) {
    spec.hi = std::min(spec.hi, v->is_number_float() ? floor_scaled(v->get<double>(), 0) : exact_integer(*v));
  }
  if (const ojson* v = bound(s, "exclusiveMaximum", ptr)) {
    spec.hi =
        std::min(spec.hi, (v->is_number_float() ? ceil_scaled(v->get<double>(), 0) : exact_integer(*v)) - 1);
  }
}

// The double Python's float() makes of the decimal s / 10^scale (correctly rounded, as strtod).
double scaled_to_double(i128 s, uint32_t scale) {
  auto mag = static_cast<unsigned __int128>(s < 0 ? -s : s);
  char buf[64];  // digits, least significant first, then '.', zeros and sign
  size_t n = 0;
  for (uint32_t i = 0; i < scale; ++i, mag /= 10)
    buf[n++] = static_cast<char>('0' + static_cast<int>(mag % 10));
  buf[n++] = '.';
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag > 0);
  if (s < 0) buf[n++] = '-';
  std::reverse(buf, buf + n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

// Scaled units one ulp of `v` spans, plus slack: the exact and the rounded threshold differ by less.
i128 ulp_width(double v, uint32_t scale) {
  const double ulp = std::max(std::nextafter(v, INFINITY) - v, v - std::nextafter(v, -INFINITY));
  return ceil_scaled(ulp, scale) + 2;
}

// Smallest s whose decimal s/10^scale parses to a double >= lo. The validator reads emitted fractions
// as doubles (and integers exactly, which agrees below 2^53), so this is the exact lower bound.
i128 lowest_at_least(double lo, uint32_t scale) {
  i128 hi_s = ceil_scaled(lo, scale);       // exactly >= lo, so its double is too
  i128 lo_s = hi_s - ulp_width(lo, scale);  // a whole ulp below: its double is < lo
  while (hi_s - lo_s > 1) {
    const i128 mid = lo_s + (hi_s - lo_s) / 2;
    (scaled_to_double(mid, scale) >= lo ? hi_s : lo_s) = mid;
  }
  return hi_s;
}

// Largest s whose decimal parses to a double <= hi.
i128 highest_at_most(double hi, uint32_t scale) {
  return -lowest_at_least(-hi, scale);
}

// Number bounds as the validator applies them to the parsed double; an exclusive bound b is the
// inclusive bound nextafter(b) (no double lies between them).
void number_bounds(const ojson& s, const std::string& ptr, NumberSpec& spec) {
  const uint32_t f = spec.frac_digits;
  const double sat = 1e30;
  auto clamp = [&](double v) { return std::clamp(v, -sat, sat); };
  if (const ojson* v = bound(s, "minimum", ptr))
    spec.lo = std::max(spec.lo, lowest_at_least(clamp(v->get<double>()), f));
  if (const ojson* v = bound(s, "exclusiveMinimum", ptr)) {
    spec.lo = std::max(spec.lo, lowest_at_least(clamp(std::nextafter(v->get<double>(), INFINITY)), f));
  }
  if (const ojson* v = bound(s, "maximum", ptr))
    spec.hi = std::min(spec.hi, highest_at_most(clamp(v->get<double>()), f));
  if (const ojson* v = bound(s, "exclusiveMaximum", ptr)) {
    spec.hi = std::min(spec.hi, highest_at_most(clamp(std::nextafter(v->get<double>(), -INFINITY)), f));
  }
}

}  // namespace

Compiler::Compiler(const ojson& root, const Limits& limits) : root_(root), g_(std::make_shared<Grammar>()) {
  g_->limits = limits;
}

std::shared_ptr<Grammar> Compiler::run() {
  const Limits& l = g_->limits;
  if (l.max_integer_digits < 1 || l.max_integer_digits > 18) fail("Limits::max_integer_digits must be 1..18");
  if (l.max_fraction_digits > 9) fail("Limits::max_fraction_digits must be 0..9");
  if (l.max_depth < 1 || l.max_depth > 1024) fail("Limits::max_depth must be 1..1024");
  if (l.max_string_length > kHardMaxLength) fail("Limits::max_string_length must be at most 2^20");
  if (l.max_items > kHardMaxItems) fail("Limits::max_items must be at most 2^16");
  g_->root = compile(root_, "");
  resolve_aliases();
  flatten_unions(*g_);
  compute_min_len(*g_);
  if (g_->min_len(g_->root, g_->levels_at(1)) >= kInf) {
    fail(
        "schema at (root) has no document within the limits (an empty type, range or enum, or a required "
        "recursion deeper than max_depth=" +
        std::to_string(l.max_depth) + ")");
  }
  for (const OneOf& o : one_ofs_) check_one_of(o);
  g_->depth_sensitive = compute_depth_sensitive(*g_);
  return g_;
}

// oneOf must hold exactly one alternative: each emitted document has to fail every other alternative.
void Compiler::check_one_of(const OneOf& o) {
  for (size_t i = 0; i < o.alt_nodes.size(); ++i) {
    for (size_t j = 0; j < o.raw_alts.size(); ++j) {
      if (i == j || provably_exclusive(*g_, o.alt_nodes[i], *o.raw_alts[j], root_)) continue;
      fail("oneOf at " + pointer_text(o.pointer) + ": cannot prove that a document of alternative " +
           std::to_string(i) + " fails alternative " + std::to_string(j) +
           " (they need different types, disjoint enum/const values, or a required property whose values "
           "differ); use anyOf if either may match");
    }
  }
}

uint32_t Compiler::add(Node n) {
  g_->nodes.push_back(std::move(n));
  return static_cast<uint32_t>(g_->nodes.size() - 1);
}

void Compiler::check_keywords(const ojson& s, const std::string& ptr) {
  for (const auto& [key, value] : s.items()) {
    if (!kAnnotations.count(key) && !kConstraints.count(key)) {
      fail("unsupported keyword '" + key + "' at " + pointer_text(ptr));
    }
  }
  for (const char* defs : {"$defs", "definitions"}) {
    if (s.contains(defs) && !s[defs].is_object()) {
      fail("keyword '" + std::string(defs) + "' at " + pointer_text(ptr) + " must be an object");
    }
  }
}

void Compiler::collect_annotations(const ojson& s, const std::string& ptr) {
  Annotation a;
  a.pointer = ptr;
  if (s.contains("title") && s["title"].is_string()) a.title = s["title"];
  if (s.contains("description") && s["description"].is_string()) a.description = s["description"];
  if (!a.title.empty() || !a.description.empty()) g_->annotations.push_back(std::move(a));
}

uint32_t Compiler::compile(const ojson& s, const std::string& ptr) {
  if (s.is_boolean()) return s.get<bool>() ? any_node() : unsat_node(ptr);
  if (!s.is_object()) fail("schema at " + pointer_text(ptr) + " must be an object or a boolean");
  check_keywords(s, ptr);
  collect_annotations(s, ptr);
  if (has(s, "$ref")) {
    refuse_siblings(s, ptr, "$ref", {});
    return compile_ref(s["$ref"], ptr);
  }
  if (has(s, "anyOf") && has(s, "oneOf"))
    fail("keywords 'anyOf' and 'oneOf' together at " + pointer_text(ptr) + " are not supported");
  if (has(s, "anyOf")) {
    refuse_siblings(s, ptr, "anyOf", {});
    return compile_union(s, ptr);
  }
  if (has(s, "oneOf")) {
    refuse_siblings(s, ptr, "oneOf", {});
    return compile_union(s, ptr);
  }
  if (has(s, "enum") || has(s, "const")) {
    refuse_siblings(s, ptr, has(s, "enum") ? "enum" : "const", {"type", "enum", "const"});
    return compile_literals(s, ptr);
  }
  return compile_typed(s, ptr);
}

uint32_t Compiler::compile_ref(const ojson& ref, const std::string& ptr) {
  const RefTarget target = resolve_ref(root_, ref, pointer_child(ptr, "$ref"));
  if (auto it = ref_nodes_.find(target.pointer); it != ref_nodes_.end()) return it->second;
  Node placeholder;
  placeholder.pointer = target.pointer;
  const uint32_t id = add(std::move(placeholder));
  ref_nodes_[target.pointer] = id;
  const uint32_t compiled = compile(*target.schema, target.pointer);
  aliases_.emplace_back(id, compiled);
  return id;
}

void Compiler::resolve_aliases() {
  std::map<uint32_t, uint32_t> alias_of(aliases_.begin(), aliases_.end());
  for (const auto& [placeholder, first] : aliases_) {
    uint32_t target = first;
    for (size_t hops = 0; g_->nodes[target].kind == NodeKind::kPending; ++hops) {
      if (hops > alias_of.size()) {
        fail("$ref cycle at " + pointer_text(g_->nodes[placeholder].pointer) + " never reaches a schema");
      }
      target = alias_of.at(target);
    }
    std::string pointer = g_->nodes[placeholder].pointer;
    g_->nodes[placeholder] = g_->nodes[target];
    g_->nodes[placeholder].pointer = std::move(pointer);
  }
}

uint32_t Compiler::compile_union(const ojson& s, const std::string& ptr) {
  const bool one_of = s.contains("oneOf");
  const char* word = one_of ? "oneOf" : "anyOf";
  const ojson& list = s[word];
  const std::string list_ptr = pointer_child(ptr, word);
  if (!list.is_array() || list.empty())
    fail("keyword '" + std::string(word) + "' at " + pointer_text(ptr) + " must be a non-empty array");
  Node n;
  n.kind = NodeKind::kUnion;
  n.pointer = ptr;
  OneOf record{0, {}, {}, ptr};
  for (size_t i = 0; i < list.size(); ++i) {
    n.alts.push_back(compile(list[i], pointer_child(list_ptr, std::to_string(i))));
    record.alt_nodes.push_back(n.alts.back());
    record.raw_alts.push_back(&list[i]);
  }
  const uint32_t id = add(std::move(n));
  if (one_of && list.size() > 1) {
    record.node = id;
    one_ofs_.push_back(std::move(record));
  }
  return id;
}

uint32_t Compiler::compile_literals(const ojson& s, const std::string& ptr) {
  std::vector<ojson> values;
  if (s.contains("enum")) {
    if (!s["enum"].is_array()) fail("keyword 'enum' at " + pointer_text(ptr) + " must be an array");
    values.assign(s["enum"].begin(), s["enum"].end());
  }
  if (s.contains("const")) {
    const ojson& c = s["const"];
    if (s.contains("enum")) {
      const bool listed = std::any_of(values.begin(), values.end(), [&](const ojson& v) { return v == c; });
      values.clear();
      if (listed) values.push_back(c);
    } else {
      values.push_back(c);
    }
  }
  if (s.contains("type")) {
    const std::vector<std::string> types = parse_types(s, ptr);
    std::erase_if(values, [&](const ojson& v) {
      return std::none_of(types.begin(), types.end(),
                          [&](const std::string& t) { return json_is_type(v, t); });
    });
  }
  if (values.empty())
    fail("keyword 'enum'/'const' at " + pointer_text(ptr) + " leaves no value (after 'type')");
  return literal_node(values, ptr);
}

uint32_t Compiler::literal_node(const std::vector<ojson>& values, const std::string& ptr) {
  Node n;
  n.kind = NodeKind::kLiterals;
  n.pointer = ptr;
  n.shortest_literal = kInf;
  for (const ojson& v : values) {
    std::string text;
    try {
      text = v.dump();
    } catch (const nlohmann::json::exception& e) {
      fail("a value of 'enum'/'const' at " + pointer_text(ptr) + " cannot be serialized: " + e.what());
    }
    if (n.literals.insert(text, static_cast<uint32_t>(n.values.size()))) {
      n.values.push_back(v);
      n.shortest_literal = std::min<uint32_t>(n.shortest_literal, static_cast<uint32_t>(text.size()));
    }
  }
  n.literals.finalize();
  return add(std::move(n));
}

uint32_t Compiler::compile_typed(const ojson& s, const std::string& ptr) {
  std::vector<std::string> types = s.contains("type") ? parse_types(s, ptr) : inferred_types(s);
  if (types.empty()) return any_node();
  if (types.size() == 1) return compile_type(types[0], s, ptr);
  Node u;
  u.kind = NodeKind::kUnion;
  u.pointer = ptr;
  for (const std::string& t : types) u.alts.push_back(compile_type(t, s, ptr));
  return add(std::move(u));
}

uint32_t Compiler::compile_type(const std::string& type, const ojson& s, const std::string& ptr) {
  if (type == "object") return compile_object(s, ptr);
  if (type == "array") return compile_array(s, ptr);
  if (type == "string") return compile_string(s, ptr);
  if (type == "number") return compile_number(s, ptr, false);
  if (type == "integer") return compile_number(s, ptr, true);
  if (type == "boolean") return literal_node({ojson(true), ojson(false)}, ptr);
  return literal_node({ojson(nullptr)}, ptr);
}

uint32_t Compiler::compile_object(const ojson& s, const std::string& ptr) {
  Node n;
  n.kind = NodeKind::kObject;
  n.pointer = ptr;
  if (s.contains("properties")) {
    if (!s["properties"].is_object())
      fail("keyword 'properties' at " + pointer_text(ptr) + " must be an object");
    const std::string props_ptr = pointer_child(ptr, "properties");
    for (const auto& [name, sub] : s["properties"].items()) {
      Property p;
      p.name = name;
      p.key = ojson(name).dump() + ":";
      p.node = compile(sub, pointer_child(props_ptr, name));
      n.props.push_back(std::move(p));
    }
  }
  if (s.contains("required")) {
    const ojson& req = s["required"];
    if (!req.is_array()) fail("keyword 'required' at " + pointer_text(ptr) + " must be an array of strings");
    for (const ojson& name : req) {
      auto it = name.is_string()
                    ? std::find_if(n.props.begin(), n.props.end(),
                                   [&](const Property& p) { return p.name == name.get<std::string>(); })
                    : n.props.end();
      if (!name.is_string())
        fail("keyword 'required' at " + pointer_text(ptr) + " must be an array of strings");
      if (it == n.props.end()) {
        fail("required property " + name.dump() + " at " + pointer_text(pointer_child(ptr, "required")) +
             " is not listed in 'properties'");
      }
      it->required = true;
    }
  }
  if (s.contains("additionalProperties") && !s["additionalProperties"].is_boolean() &&
      !s["additionalProperties"].is_object()) {
    fail("keyword 'additionalProperties' at " + pointer_text(ptr) + " must be a boolean or a schema");
  }
  for (uint32_t i = 0; i < n.props.size(); ++i) n.keys.insert(n.props[i].key, i);
  n.keys.finalize();
  n.next_required.assign(n.props.size() + 1, static_cast<uint32_t>(n.props.size()));
  for (size_t i = n.props.size(); i-- > 0;) {
    n.next_required[i] = n.props[i].required ? static_cast<uint32_t>(i) : n.next_required[i + 1];
  }
  return add(std::move(n));
}

uint32_t Compiler::compile_array(const ojson& s, const std::string& ptr) {
  Node n;
  n.kind = NodeKind::kArray;
  n.pointer = ptr;
  if (s.contains("items")) {
    if (s["items"].is_array()) {
      fail("tuple-form keyword 'items' (an array) at " + pointer_text(ptr) + " is not supported");
    }
    n.items = compile(s["items"], pointer_child(ptr, "items"));
  } else {
    n.items = any_node();
  }
  const auto min_items = count_keyword(s, "minItems", ptr);
  const auto max_items = count_keyword(s, "maxItems", ptr);
  n.min_items = static_cast<uint32_t>(std::min<uint64_t>(min_items.value_or(0), kHardMaxItems));
  n.max_items = max_items ? static_cast<uint32_t>(std::min<uint64_t>(*max_items, kHardMaxItems))
                          : std::max(g_->limits.max_items, n.min_items);
  if (n.min_items > n.max_items) fail("minItems > maxItems at " + pointer_text(ptr));
  return add(std::move(n));
}

uint32_t Compiler::compile_string(const ojson& s, const std::string& ptr) {
  Node n;
  n.kind = NodeKind::kString;
  n.pointer = ptr;
  const auto min_len = count_keyword(s, "minLength", ptr);
  const auto max_len = count_keyword(s, "maxLength", ptr);
  n.min_len = static_cast<uint32_t>(std::min<uint64_t>(min_len.value_or(0), kHardMaxLength));
  n.max_len = max_len ? static_cast<uint32_t>(std::min<uint64_t>(*max_len, kHardMaxLength))
                      : std::max(g_->limits.max_string_length, n.min_len);
  if (n.min_len > n.max_len) fail("minLength > maxLength at " + pointer_text(ptr));
  return add(std::move(n));
}

uint32_t Compiler::compile_number(const ojson& s, const std::string& ptr, bool integer) {
  Node n;
  n.kind = NodeKind::kNumber;
  n.pointer = ptr;
  NumberSpec& spec = n.num;
  spec.integer = integer;
  spec.int_digits =
      integer ? g_->limits.max_integer_digits : std::min(g_->limits.max_integer_digits, kNumberIntDigits);
  spec.frac_digits = integer ? 0 : g_->limits.max_fraction_digits;
  const i128 cap = pow10_i128(spec.int_digits + spec.frac_digits) - 1;
  spec.lo = -cap;
  spec.hi = cap;
  spec.has_range = std::any_of(kNumberWords.begin(), kNumberWords.end(),
                               [&](const std::string& w) { return s.contains(w); });
  if (integer) {
    integer_bounds(s, ptr, spec);
  } else {
    number_bounds(s, ptr, spec);
  }
  if (spec.lo > spec.hi) {
    fail(std::string("the range at ") + pointer_text(ptr) + " holds no " +
         (integer ? "integer"
                  : "number with at most " + std::to_string(spec.frac_digits) + " fraction digits") +
         " within " + std::to_string(spec.int_digits) + " integer digits");
  }
  return add(std::move(n));
}

// Any JSON value within the caps: string, number, true/false/null, arrays of any, and the empty object.
uint32_t Compiler::any_node() {
  if (any_ != UINT32_MAX) return any_;
  Node u;
  u.kind = NodeKind::kUnion;
  u.pointer = "(any)";
  any_ = add(std::move(u));
  const ojson none = ojson::object();
  std::vector<uint32_t> alts;
  alts.push_back(compile_string(none, "(any)"));
  alts.push_back(compile_number(none, "(any)", false));
  alts.push_back(literal_node({ojson(true), ojson(false), ojson(nullptr)}, "(any)"));
  alts.push_back(compile_object(none, "(any)"));
  Node arr;
  arr.kind = NodeKind::kArray;
  arr.pointer = "(any)";
  arr.items = any_;
  arr.max_items = g_->limits.max_items;
  alts.push_back(add(std::move(arr)));
  g_->nodes[any_].alts = std::move(alts);
  return any_;
}

uint32_t Compiler::unsat_node(const std::string& ptr) {
  Node u;
  u.kind = NodeKind::kUnion;  // a union without alternatives accepts nothing
  u.pointer = ptr;
  return add(std::move(u));
}

}  // namespace detail

Schema Schema::build(const nlohmann::ordered_json& schema, const Limits& limits) {
  detail::Compiler compiler(schema, limits);
  return Schema(compiler.run());
}

Schema Schema::parse(std::string_view schema_text, const Limits& limits) {
  detail::ojson parsed;
  try {
    parsed = detail::ojson::parse(schema_text);
  } catch (const nlohmann::json::exception& e) {
    throw SchemaError(std::string("schema is not valid JSON: ") + e.what());
  }
  return build(parsed, limits);
}

Schema Schema::compile(const nlohmann::ordered_json& schema, const Limits& limits) {
  return build(schema, limits);
}

Schema Schema::compile(const nlohmann::json& schema, const Limits& limits) {
  return build(detail::ojson::parse(schema.dump()), limits);
}

const Limits& Schema::limits() const {
  return grammar_->limits;
}
const std::vector<Annotation>& Schema::annotations() const {
  return grammar_->annotations;
}
uint32_t Schema::min_document_bytes() const {
  return grammar_->min_len(grammar_->root, grammar_->levels_at(1));
}

}  // namespace zeroidle::engine::json
