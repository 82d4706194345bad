// The compiled form of a Schema: a graph of nodes the Matcher's frames point into. Internal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/json/byte_trie.h"
#include "engine/json/number_range.h"
#include "engine/json/schema.h"

namespace zeroidle::engine::json::detail {

enum class NodeKind : uint8_t { kObject, kArray, kString, kNumber, kLiterals, kUnion, kPending };

struct Property {
  std::string name;
  std::string key;  // the bytes emitted for it: "\"name\":"
  uint32_t node = 0;
  bool required = false;
};

struct Node {
  NodeKind kind = NodeKind::kPending;
  std::string pointer;  // JSON pointer of the subschema it came from
  // kObject
  std::vector<Property> props;
  ByteTrie keys;                        // over Property::key, value = property index
  std::vector<uint32_t> next_required;  // [a] = first required index >= a (props.size() if none); size n+1
  // kArray
  uint32_t items = 0;
  uint32_t min_items = 0, max_items = 0;
  // kString
  uint32_t min_len = 0, max_len = 0;
  // kNumber
  NumberSpec num;
  // kLiterals: compact serializations of enum/const values
  ByteTrie literals;  // value = index into `values`
  std::vector<nlohmann::ordered_json> values;
  uint32_t shortest_literal = 0;
  // kUnion: alternatives, never unions themselves (flattened at compile time)
  std::vector<uint32_t> alts;
};

inline constexpr uint32_t kInf = UINT32_MAX / 4;

inline uint32_t sat_add(uint32_t a, uint32_t b) {
  return a >= kInf || b >= kInf || a + b >= kInf ? kInf : a + b;
}

struct Grammar {
  Limits limits;
  std::vector<Node> nodes;
  uint32_t root = 0;
  std::vector<Annotation> annotations;
  // True when the depth cap can change what a frame accepts (recursive or very deep schemas); only then
  // does a frame's depth enter the mask-cache key.
  bool depth_sensitive = false;
  // min_len[levels * nodes.size() + node]: fewest bytes of a value of `node` nesting at most `levels`
  // object/array levels (itself included); kInf when there is none.
  std::vector<uint32_t> min_len_table;

  uint32_t levels_at(uint32_t depth) const {
    return depth > limits.max_depth ? 0 : limits.max_depth - depth + 1;
  }
  uint32_t min_len(uint32_t node, uint32_t levels) const {
    return min_len_table[static_cast<size_t>(levels) * nodes.size() + node];
  }
  // Whether a value of `node` can be started (and finished) at nesting depth `depth`.
  bool fits(uint32_t node, uint32_t depth) const { return min_len(node, levels_at(depth)) < kInf; }
  // Fewest bytes to finish an object of node `obj` at `depth` after property index a-1 (the closing '}'
  // and ",key:value" for each remaining required property).
  uint32_t object_tail(uint32_t obj, uint32_t a, uint32_t depth) const;
};

}  // namespace zeroidle::engine::json::detail
