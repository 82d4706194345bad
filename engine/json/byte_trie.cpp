#include "engine/json/byte_trie.h"

#include <algorithm>

namespace zeroidle::engine::json::detail {

ByteTrie::ByteTrie() : nodes_(1) {}

uint32_t ByteTrie::child(uint32_t node, uint8_t byte) const {
  for (const auto& [b, c] : nodes_[node].kids) {
    if (b == byte) return c;
  }
  return kNone;
}

bool ByteTrie::insert(std::string_view bytes, uint32_t value) {
  uint32_t n = kRoot;
  for (char ch : bytes) {
    const auto b = static_cast<uint8_t>(ch);
    uint32_t c = child(n, b);
    if (c == kNone) {
      c = static_cast<uint32_t>(nodes_.size());
      Node fresh;
      fresh.depth = nodes_[n].depth + 1;
      nodes_.push_back(std::move(fresh));
      auto& kids = nodes_[n].kids;
      kids.insert(std::upper_bound(kids.begin(), kids.end(), std::make_pair(b, 0u),
                                   [](const auto& x, const auto& y) { return x.first < y.first; }),
                  {b, c});
    }
    n = c;
  }
  if (nodes_[n].value != kNone) return false;
  nodes_[n].value = value;
  return true;
}

void ByteTrie::finalize() {
  summarize(kRoot);
}

void ByteTrie::summarize(uint32_t node) {
  constexpr uint32_t kFar = UINT32_MAX / 2;
  std::vector<uint32_t> below;
  uint32_t dist = nodes_[node].value != kNone ? 0 : kFar;
  uint8_t next = 0;
  if (nodes_[node].value != kNone) below.push_back(nodes_[node].value);
  for (size_t i = 0; i < nodes_[node].kids.size(); ++i) {
    const auto [b, c] = nodes_[node].kids[i];
    summarize(c);
    below.insert(below.end(), nodes_[c].below.begin(), nodes_[c].below.end());
    if (nodes_[c].dist + 1 < dist) {
      dist = nodes_[c].dist + 1;
      next = b;
    }
  }
  std::sort(below.begin(), below.end());
  nodes_[node].below = std::move(below);
  nodes_[node].dist = dist;
  nodes_[node].next = next;
}

}  // namespace zeroidle::engine::json::detail
