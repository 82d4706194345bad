// A small byte trie over a fixed set of strings (object keys, enum literals), each string carrying a value.
// Built once at schema compile time, then read-only.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace zeroidle::engine::json::detail {

class ByteTrie {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint32_t kRoot = 0;

  ByteTrie();
  // Adds `bytes` with `value`; returns false (and changes nothing) if `bytes` is already present.
  bool insert(std::string_view bytes, uint32_t value);
  // Computes the per-node summaries below; call once after the last insert.
  void finalize();

  uint32_t child(uint32_t node, uint8_t byte) const;  // kNone when absent
  bool terminal(uint32_t node) const { return nodes_[node].value != kNone; }
  uint32_t value(uint32_t node) const { return nodes_[node].value; }
  bool has_children(uint32_t node) const { return !nodes_[node].kids.empty(); }
  uint32_t depth(uint32_t node) const { return nodes_[node].depth; }
  const std::vector<std::pair<uint8_t, uint32_t>>& children(uint32_t node) const { return nodes_[node].kids; }
  // Values of every terminal in the subtree of `node` (itself included), ascending.
  const std::vector<uint32_t>& values_below(uint32_t node) const { return nodes_[node].below; }
  // Bytes to the nearest terminal (0 at a terminal) and the first byte on that path.
  uint32_t distance(uint32_t node) const { return nodes_[node].dist; }
  uint8_t next_byte(uint32_t node) const { return nodes_[node].next; }
  bool empty() const { return nodes_.size() == 1 && nodes_[0].value == kNone; }

 private:
  struct Node {
    std::vector<std::pair<uint8_t, uint32_t>> kids;  // sorted by byte
    uint32_t value = kNone;
    uint32_t depth = 0;
    std::vector<uint32_t> below;
    uint32_t dist = 0;
    uint8_t next = 0;
  };
  void summarize(uint32_t node);
  std::vector<Node> nodes_;
};

}  // namespace zeroidle::engine::json::detail
