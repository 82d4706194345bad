// Walks the token trie against the automaton: each trie node's byte is fed to the threads of its parent
// node; a rejected byte skips the node's whole subtree. Thread sets per trie depth live in one vector and
// one arena, so backtracking is a resize and an arena release. Internal to engine/json.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/json/step.h"
#include "engine/json/token_trie.h"

namespace zeroidle::engine::json::detail {

class TrieWalker {
 public:
  Arena& arena() { return arena_; }

  // Walks trie nodes [first, end), a preorder range whose nodes all lie below depth `base_depth`, from
  // `start` (threads that have consumed the bytes up to base_depth). For each node reached:
  //   v.on_node(node, first_thread)            the node's bytes are accepted (tokens there are allowed)
  //   v.on_pop(node, forwarded, parent_thread) a thread reached a sentinel: the frame above it finished
  // Nodes allocated before the call (e.g. `start`) stay valid; everything allocated during it is
  // released at the next walk.
  template <class Visitor>
  void walk(const Grammar& g, const TokenTrie& trie, uint32_t first, uint32_t end, uint32_t base_depth,
            const Threads& start, Visitor& v) {
    const size_t levels = trie.max_token_bytes() + 2;
    if (level_begin_.size() < levels + 1) {
      level_begin_.resize(levels + 1);
      level_mark_.resize(levels + 1);
    }
    threads_.assign(start.begin(), start.end());
    level_begin_[0] = 0;
    level_begin_[1] = threads_.size();
    level_mark_[0] = arena_.mark();
    for (uint32_t i = first; i < end;) {
      const TokenTrie::Node& nd = trie.node(i);
      const uint32_t r = nd.depth - base_depth;
      const size_t from = level_begin_[r];
      threads_.resize(from);
      arena_.release(level_mark_[r - 1]);
      for (size_t k = level_begin_[r - 1]; k < from; ++k) feed(g, i, nd.byte, threads_[k], v);
      if (threads_.size() == from) {
        i = nd.end;
        continue;
      }
      if (threads_.size() - from > 1) dedup_threads(threads_, from);
      level_begin_[r + 1] = threads_.size();
      level_mark_[r] = arena_.mark();
      v.on_node(i, threads_[from]);
      ++i;
    }
  }

 private:
  template <class Visitor>
  void feed(const Grammar& g, uint32_t node, uint8_t byte, const StackNode* parent, Visitor& v) {
    const size_t before = threads_.size();
    step(g, parent, byte, arena_, threads_);
    for (size_t m = before; m < threads_.size();) {
      const StackNode* t = threads_[m];
      if (t->f.kind != FrameKind::kSentinel) {
        ++m;
        continue;
      }
      v.on_pop(node, t->f.state == kSentinelForwarded, parent);
      threads_[m] = threads_.back();
      threads_.pop_back();
    }
  }

  Arena arena_;
  Threads threads_;
  std::vector<size_t> level_begin_;
  std::vector<Arena::Mark> level_mark_;
};

}  // namespace zeroidle::engine::json::detail
