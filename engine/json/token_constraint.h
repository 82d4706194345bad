// Token-level JSON-Schema constraint for one generated sequence.
//
// At each step allowed()/apply() give the tokens whose bytes keep the output a prefix of a document the
// Schema emits; accept() advances. End-of-generation tokens are allowed only when the document is
// complete, and are the only token allowed once nothing else can follow. Special tokens are never
// allowed. Use:
//
//   auto trie  = std::make_shared<const TokenTrie>(vocab);          // once per model
//   auto masks = TokenConstraint::make_masks(schema, trie);         // once per schema: shared, thread-safe
//   TokenConstraint c(masks);                                        // per sequence
//   loop: if (auto f = c.forced_tokens(); !f.empty()) { append f (stop at an EOG id), accept each }
//         else { c.apply(logits); t = sample(logits); if (c.min_tokens_to_close_after(t) > budget_left - 1)
//                { append c.closing_tokens(); stop } c.accept(t); }
//
// Forced tokens are defined on bytes: while exactly one byte may follow, the bytes are forced; the
// forced run is then tokenized greedily (longest vocabulary token first). That is what a batched forward
// step needs; it may pick a different tokenization than the model would have sampled (documented
// trade-off, as in llguidance/XGrammar "jump forward").
//
// Not thread-safe; one per sequence. The MaskCache behind it is shared and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/json/matcher.h"
#include "engine/json/schema.h"
#include "engine/json/token_trie.h"

namespace zeroidle::engine::json {

class MaskCache;
namespace detail {
class TrieWalker;
}

class TokenConstraint {
 public:
  // Per-schema mask tables over one vocabulary, shared by every TokenConstraint made from it.
  static std::shared_ptr<MaskCache> make_masks(const Schema& schema, std::shared_ptr<const TokenTrie> trie);

  TokenConstraint(const Schema& schema, std::shared_ptr<const TokenTrie> trie);
  explicit TokenConstraint(std::shared_ptr<MaskCache> masks);
  TokenConstraint(TokenConstraint&&) noexcept;
  TokenConstraint& operator=(TokenConstraint&&) noexcept;
  ~TokenConstraint();

  size_t n_vocab() const;
  // bitmask[i / 32] bit (i % 32) set when token i is allowed; resized to (n_vocab + 31) / 32 words.
  void allowed(std::vector<uint32_t>& bitmask);
  // Sets logits[i] to -infinity for every disallowed token; `logits` holds n_vocab() floats.
  void apply(float* logits);
  bool is_allowed(int32_t token) const;
  // Advances by one token; throws std::invalid_argument (state unchanged) when it is not allowed.
  void accept(int32_t token);

  // The tokens forced from here (see above), ending with an end-of-generation id when the document
  // then closes with nothing else possible. Empty when the next token is a real choice.
  std::vector<int32_t> forced_tokens() const;
  // The shortest valid completion, greedily tokenized (no end-of-generation id). Throws
  // std::runtime_error if the vocabulary cannot spell it (a byte without a token).
  std::vector<int32_t> closing_tokens() const;
  int min_tokens_to_close() const { return static_cast<int>(closing_tokens().size()); }
  // min_tokens_to_close() after `token`; -1 when the token is not allowed.
  int min_tokens_to_close_after(int32_t token) const;

  // The document is complete (it may still be continued, e.g. a top-level number).
  bool is_complete() const;
  // An end-of-generation token was accepted, or the document is complete and nothing can follow.
  bool done() const;

  // The top-level field (JSON pointer, "" for punctuation/keys) that the first value byte of the last
  // accepted token belongs to, for per-field confidence: average log-probabilities of sampled tokens by
  // this path. current_field_path() is the field the next byte belongs to.
  const std::string& last_token_field() const { return last_field_; }
  std::string current_field_path() const { return matcher_.field_path(); }

  const Matcher& matcher() const { return matcher_; }
  const MaskCache& masks() const { return *masks_; }

 private:
  void compute_thread(const detail::StackNode* top, uint32_t* mask);
  void string_mask(const detail::StackNode* top, uint32_t* mask);
  void number_mask(const detail::StackNode* top, uint32_t* mask);
  void walk_pop(const detail::StackNode* post, uint32_t node, bool forwarded, uint32_t* mask);

  std::shared_ptr<MaskCache> masks_;
  Matcher matcher_;
  bool eog_accepted_ = false;
  std::string last_field_;
  std::unique_ptr<detail::TrieWalker> walker_;
  std::vector<uint32_t> tmp_;
  std::vector<uint32_t> apply_mask_;
};

}  // namespace zeroidle::engine::json
