// JSON Schema subset -> byte-level automaton description (the "grammar" the Matcher runs).
//
// Supported keywords: type (object, array, string, number, integer, boolean, null, and lists of them),
// properties, required, additionalProperties, enum, const, items, minItems/maxItems,
// minLength/maxLength, minimum/maximum/exclusiveMinimum/exclusiveMaximum (integers and numbers),
// anyOf, oneOf, local $ref ("#", "#/$defs/..", "#/definitions/..", any local JSON pointer),
// $defs/definitions, and the annotations description/title/$schema/$id/$comment/default/examples.
// Any other keyword is refused with SchemaError naming the keyword and its JSON pointer.
//
// What the automaton emits (always a subset of what the schema allows):
// - compact JSON: no whitespace outside strings, properties in schema order, required ones always
//   present, optional ones emitted or skipped (in order), never a property the schema does not list:
//   additionalProperties true or a schema is treated as false (documented narrowing).
// - strings: valid UTF-8 only; escapes \" \\ \/ \b \f \n \r \t \uXXXX (no surrogate escapes: characters
//   beyond U+FFFF are written raw); no raw control characters. Lengths count code points (an escape is one).
//   Strings without maxLength are capped at Limits::max_string_length.
// - numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most max_integer_digits / max_fraction_digits, no
//   exponent, no "-0". Bounds are enforced digit by digit, exactly as the Python jsonschema validator
//   reads the emitted text: integers compared exactly, fractions after parsing to the nearest double
//   (so with "maximum": 0.1 the text 0.1 passes, with "exclusiveMaximum": 0.1 it does not).
// - arrays without maxItems are capped at Limits::max_items; nesting is capped at Limits::max_depth.
// - a schema without "type" is narrowed to the types its keywords imply (properties -> object, ...);
//   a schema with no type-specific keyword ({} or true) emits any value within the caps ("{}" for objects).
// - enum/const may only sit next to "type" (values of other types are dropped); anyOf/oneOf and $ref may
//   only sit next to annotations. oneOf is accepted only when its alternatives are provably exclusive
//   (different JSON types, disjoint literal sets, or a required discriminator property whose literal
//   values differ); otherwise SchemaError suggests anyOf.
//
// Thread-compatible: a compiled Schema is immutable and cheap to copy (shared).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace zeroidle::engine::json {

class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Caps that make every generation terminate. All are counts; validated by Schema::compile.
struct Limits {
  uint32_t max_string_length = 256;  // code points, for strings without maxLength
  uint32_t max_items = 64;           // for arrays without maxItems
  uint32_t max_depth = 32;           // nesting levels of objects and arrays (the root value is level 1)
  uint32_t max_integer_digits = 15;  // 1..18
  uint32_t max_fraction_digits = 6;  // 0..9 for "number"
};

// An annotation found in the schema, for prompts: pointer is the JSON pointer of the subschema.
struct Annotation {
  std::string pointer;
  std::string title;
  std::string description;
};

namespace detail {
struct Grammar;
}

class Schema {
 public:
  // Compiles a schema. Throws SchemaError whose message names the keyword and JSON pointer at fault.
  // parse() and the ordered_json overload keep the schema's property order; nlohmann::json sorts object
  // keys, so with that overload properties come out in alphabetical order.
  static Schema parse(std::string_view schema_text, const Limits& limits = {});
  static Schema compile(const nlohmann::ordered_json& schema, const Limits& limits = {});
  static Schema compile(const nlohmann::json& schema, const Limits& limits = {});

  const Limits& limits() const;
  // Every description/title in the schema, in document order.
  const std::vector<Annotation>& annotations() const;
  // Fewest bytes of any document the schema accepts (what closing from the very start costs).
  uint32_t min_document_bytes() const;

  const detail::Grammar& grammar() const { return *grammar_; }
  std::shared_ptr<const detail::Grammar> shared_grammar() const { return grammar_; }

 private:
  static Schema build(const nlohmann::ordered_json& schema, const Limits& limits);
  explicit Schema(std::shared_ptr<const detail::Grammar> g) : grammar_(std::move(g)) {}
  std::shared_ptr<const detail::Grammar> grammar_;
};

}  // namespace zeroidle::engine::json
