// Token masks per frame, independent of the stack below the frame (the XGrammar idea), shared by all
// sequences decoding with one schema and one vocabulary. Internal to engine/json.
//
// For a frame F, walking the trie with F on top of a sentinel splits the tokens into: those F consumes
// entirely ("within": valid whatever lies below F), those F rejects, and "pop points": trie nodes where
// F finishes and the rest of the token must be checked against the real stack. Only the pop points'
// subtrees are walked at decode time. Strings, the bulk of extraction output, have their own tables
// keyed by the UTF-8/escape sub-state alone, with the length bounds applied per step from per-token
// character counts. Frames are canonicalized first (counters capped at the longest token), so that
// e.g. every array with room for more items than any token can open shares one entry.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine/json/schema.h"
#include "engine/json/token_trie.h"
#include "engine/json/trie_walk.h"

namespace zeroidle::engine::json {
namespace detail {

// A set of token ids, stored as a bitmask or a list, whichever is smaller.
class TokenSet {
 public:
  void build(std::vector<int32_t> ids, size_t n_vocab);
  void or_into(uint32_t* mask) const;
  size_t bytes() const { return bits_.size() * 4 + ids_.size() * 4; }

 private:
  std::vector<uint32_t> bits_;
  std::vector<int32_t> ids_;
};

struct PopPoint {
  uint32_t node;
  bool forwarded;  // the node's byte was not consumed by the frame: the context must take it
  bool operator<(const PopPoint& o) const { return node != o.node ? node < o.node : forwarded < o.forwarded; }
  bool operator==(const PopPoint& o) const { return node == o.node && forwarded == o.forwarded; }
};

struct FrameMasks {
  TokenSet within;
  std::vector<PopPoint> pops;  // consumed pops only where the node has children
};

struct StringPop {
  uint32_t node;   // the trie node of the closing quote
  uint32_t chars;  // characters the token adds before it
};

struct StringMasks {
  static constexpr uint32_t kShort = 16;
  std::vector<std::vector<uint32_t>> up_to;  // [c]: tokens staying inside with <= c characters
  std::vector<uint32_t> all;                 // every token staying inside
  std::vector<std::pair<int32_t, uint32_t>>
      long_tokens;  // (token, characters > kShort), characters descending
  std::vector<StringPop> pops;
};

struct FrameKey {
  Frame f;
  uint32_t depth;
  bool operator==(const FrameKey& o) const { return f == o.f && depth == o.depth; }
};

struct FrameKeyHash {
  size_t operator()(const FrameKey& k) const;
};

}  // namespace detail

class MaskCache {
 public:
  MaskCache(const Schema& schema, std::shared_ptr<const TokenTrie> trie);

  const Schema& schema() const { return schema_; }
  const detail::Grammar& grammar() const { return schema_.grammar(); }
  const TokenTrie& trie() const { return *trie_; }

  // Whether frame_masks() serves this frame (strings use string_masks(), ranged numbers walk directly).
  bool cacheable(const detail::Frame& f) const;
  // Entries are computed on first use with `walker` and then shared; thread-safe.
  std::shared_ptr<const detail::FrameMasks> frame_masks(const detail::StackNode* top,
                                                        detail::TrieWalker& walker);
  std::shared_ptr<const detail::StringMasks> string_masks(uint8_t state, detail::TrieWalker& walker);

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  detail::FrameKey key_of(const detail::StackNode* top) const;
  std::shared_ptr<const detail::FrameMasks> compute_frame(const detail::FrameKey& key,
                                                          detail::TrieWalker& walker) const;
  std::shared_ptr<const detail::StringMasks> compute_string(uint8_t state, detail::TrieWalker& walker) const;

  Schema schema_;
  std::shared_ptr<const TokenTrie> trie_;
  std::mutex mu_;
  std::unordered_map<detail::FrameKey, std::shared_ptr<const detail::FrameMasks>, detail::FrameKeyHash>
      frames_;
  std::array<std::shared_ptr<const detail::StringMasks>, detail::kStrStateCount> strings_;
  size_t cached_bytes_ = 0;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace zeroidle::engine::json
