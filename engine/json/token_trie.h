// The vocabulary as plain data, and a prefix tree over the token byte strings, built once per model and
// shared (read-only, thread-safe) by every constraint and session.
//
// Layout: nodes in depth-first preorder, node 0 the empty prefix. A node's subtree is the contiguous
// range [i, end(i)), so a walk that rejects a byte skips the whole subtree in one step.
// Special tokens, end-of-generation tokens, empty tokens and tokens over 65535 bytes are left out of the
// trie: no byte sequence ever selects them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zeroidle::engine::json {

struct Vocab {
  std::vector<std::string> token_bytes;  // decoded bytes of each token id
  std::vector<int32_t> eog_ids;          // end-of-generation tokens (first one is used when forcing)
  std::vector<bool> is_special;          // control tokens; empty means none
};

class TokenTrie {
 public:
  struct Node {
    uint32_t end;        // one past the last node of this subtree
    uint32_t tok_begin;  // tokens at this node: ids()[tok_begin, next node's tok_begin)
    uint16_t depth;      // bytes from the root
    uint8_t byte;        // the byte leading here (0 at the root)
    uint8_t pad = 0;
  };

  // Throws std::invalid_argument when the vocabulary is inconsistent (sizes, eog ids out of range).
  explicit TokenTrie(std::shared_ptr<const Vocab> vocab);
  ~TokenTrie();

  const Vocab& vocab() const { return *vocab_; }
  size_t n_vocab() const { return vocab_->token_bytes.size(); }
  uint32_t max_token_bytes() const { return max_token_bytes_; }
  bool is_eog(int32_t token) const;
  // A token no byte sequence selects (special, end-of-generation, empty or oversized).
  bool is_excluded(int32_t token) const;

  uint32_t n_nodes() const { return static_cast<uint32_t>(nodes_.size() - 1); }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  std::span<const int32_t> tokens_at(uint32_t i) const {
    return {ids_.data() + nodes_[i].tok_begin, ids_.data() + nodes_[i + 1].tok_begin};
  }
  uint32_t child(uint32_t node, uint8_t byte) const;  // UINT32_MAX when absent

  // Tokens made only of ASCII digits with `len` digits (1..18), as (value, id) in ascending value.
  const std::vector<std::pair<int64_t, int32_t>>& digit_tokens(size_t len) const {
    return digit_tokens_[len];
  }
  size_t max_digit_token_len() const { return digit_tokens_.size() - 1; }
  // The tokens that start with a number byte (- . 0-9) but are not digit-only, as their own trie.
  const TokenTrie& number_tail() const { return *number_tail_; }

  // Greedy longest-prefix tokenization (lowest id among equal strings). Stops early at a byte no token
  // starts with; `consumed` receives the bytes covered.
  std::vector<int32_t> tokenize_greedy(std::string_view bytes, size_t* consumed = nullptr) const;

 private:
  struct SubsetTag {};
  // A trie over the non-excluded tokens that `keep` selects (no sub-tries of its own).
  TokenTrie(SubsetTag, std::shared_ptr<const Vocab> vocab, const std::vector<uint8_t>& excluded,
            bool (*keep)(const std::string&));
  void build(const std::vector<int32_t>& ids);

  std::shared_ptr<const Vocab> vocab_;
  std::vector<Node> nodes_;  // plus one sentinel at the end holding the final tok_begin
  std::vector<int32_t> ids_;
  std::vector<uint8_t> excluded_;
  uint32_t max_token_bytes_ = 0;
  std::vector<std::vector<std::pair<int64_t, int32_t>>> digit_tokens_;
  std::unique_ptr<TokenTrie> number_tail_;
};

}  // namespace zeroidle::engine::json
