#include "engine/json/token_constraint.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <stdexcept>

#include "engine/json/mask_cache.h"

namespace zeroidle::engine::json {
namespace {

using detail::StackNode;

void set_bit(uint32_t* mask, int32_t token) {
  mask[token >> 5] |= 1u << (token & 31);
}
void clear_bit(uint32_t* mask, int32_t token) {
  mask[token >> 5] &= ~(1u << (token & 31));
}

// Marks the tokens of every trie node the walk reaches.
struct MaskVisitor {
  const TokenTrie& trie;
  uint32_t* mask;
  void on_node(uint32_t node, const StackNode*) {
    for (int32_t t : trie.tokens_at(node)) set_bit(mask, t);
  }
  void on_pop(uint32_t, bool, const StackNode*) {}
};

}  // namespace

std::shared_ptr<MaskCache> TokenConstraint::make_masks(const Schema& schema,
                                                       std::shared_ptr<const TokenTrie> trie) {
  return std::make_shared<MaskCache>(schema, std::move(trie));
}

TokenConstraint::TokenConstraint(const Schema& schema, std::shared_ptr<const TokenTrie> trie)
    : TokenConstraint(make_masks(schema, std::move(trie))) {}

TokenConstraint::TokenConstraint(std::shared_ptr<MaskCache> masks)
    : masks_(std::move(masks)), matcher_(masks_->schema()), walker_(std::make_unique<detail::TrieWalker>()) {}

TokenConstraint::TokenConstraint(TokenConstraint&&) noexcept = default;
TokenConstraint& TokenConstraint::operator=(TokenConstraint&&) noexcept = default;
TokenConstraint::~TokenConstraint() = default;

size_t TokenConstraint::n_vocab() const {
  return masks_->trie().n_vocab();
}

void TokenConstraint::allowed(std::vector<uint32_t>& bitmask) {
  const TokenTrie& trie = masks_->trie();
  const size_t words = (trie.n_vocab() + 31) / 32;
  bitmask.assign(words, 0);
  if (eog_accepted_) return;
  walker_->arena().reset();
  const auto& threads = matcher_.threads();
  if (threads.size() == 1) {
    compute_thread(threads.front(), bitmask.data());
  } else {
    for (const StackNode* t : threads) {
      tmp_.assign(words, 0);
      compute_thread(t, tmp_.data());
      for (size_t w = 0; w < words; ++w) bitmask[w] |= tmp_[w];
    }
  }
  if (matcher_.is_accepting()) {
    for (int32_t id : trie.vocab().eog_ids) set_bit(bitmask.data(), id);
  }
}

void TokenConstraint::compute_thread(const StackNode* top, uint32_t* mask) {
  const detail::Grammar& g = masks_->grammar();
  const TokenTrie& trie = masks_->trie();
  if (top->f.kind == detail::FrameKind::kRoot) return;  // finished: only end-of-generation
  if (top->f.kind == detail::FrameKind::kString) {
    string_mask(top, mask);
    return;
  }
  if (!masks_->cacheable(top->f)) {
    if (top->f.kind == detail::FrameKind::kNumber) {
      number_mask(top, mask);
    } else {
      MaskVisitor v{trie, mask};
      walker_->walk(g, trie, 1, trie.n_nodes(), 0, {top}, v);
    }
    return;
  }
  const auto entry = masks_->frame_masks(top, *walker_);
  entry->within.or_into(mask);
  if (entry->pops.empty()) return;
  const StackNode* post = detail::pop_finished(top, walker_->arena());
  bool ends_on_first_byte = false;
  for (const detail::PopPoint& p : entry->pops) {
    if (p.forwarded && trie.node(p.node).depth == 1) {
      ends_on_first_byte = true;
    } else {
      walk_pop(post, p.node, p.forwarded, mask);
    }
  }
  // A number or literal that ends before a token's first byte: the token is allowed exactly when the
  // enclosing frames accept all of it, which is their own mask (they never take a value byte first).
  if (ends_on_first_byte) compute_thread(post, mask);
}

void TokenConstraint::string_mask(const StackNode* top, uint32_t* mask) {
  using detail::StringMasks;
  const TokenTrie& trie = masks_->trie();
  const auto entry = masks_->string_masks(top->f.state, *walker_);
  const uint32_t needed = top->f.a;
  const uint32_t remaining = top->f.b;
  const size_t words = entry->all.size();
  const std::vector<uint32_t>& base = remaining <= StringMasks::kShort ? entry->up_to[remaining] : entry->all;
  for (size_t w = 0; w < words; ++w) mask[w] |= base[w];
  if (remaining > StringMasks::kShort) {
    for (const auto& [token, chars] : entry->long_tokens) {
      if (chars <= remaining) break;
      clear_bit(mask, token);
    }
  }
  const StackNode* post = nullptr;
  for (const detail::StringPop& p : entry->pops) {
    if (p.chars < needed || p.chars > remaining) continue;
    for (int32_t t : trie.tokens_at(p.node)) set_bit(mask, t);
    if (trie.node(p.node).end == p.node + 1) continue;
    if (!post) post = detail::pop_finished(top, walker_->arena());
    walk_pop(post, p.node, false, mask);
  }
}

// A ranged number with digits: digit-only tokens by value intervals, the few other tokens that start
// with a number byte by a walk of their own trie, and, if the number may end here, the enclosing
// frames' mask (see compute_thread).
void TokenConstraint::number_mask(const StackNode* top, uint32_t* mask) {
  const detail::Grammar& g = masks_->grammar();
  const TokenTrie& trie = masks_->trie();
  const detail::Frame& f = top->f;
  const detail::NumState s{static_cast<detail::NumPhase>(f.state), f.sub != 0, f.a, f.b, f.x, f.y};
  const detail::NumberSpec& spec = g.nodes[f.node].num;
  for (size_t len = 1; len <= trie.max_digit_token_len(); ++len) {
    const auto& tokens = trie.digit_tokens(len);
    for (const auto& [lo, hi] : detail::num_digit_intervals(spec, s, static_cast<uint32_t>(len))) {
      auto it = std::lower_bound(tokens.begin(), tokens.end(), std::make_pair(lo, INT32_MIN));
      for (; it != tokens.end() && it->first <= hi; ++it) set_bit(mask, it->second);
    }
  }
  const TokenTrie& tail = trie.number_tail();
  MaskVisitor v{tail, mask};
  walker_->walk(g, tail, 1, tail.n_nodes(), 0, {top}, v);
  if (detail::may_end_here(g, f)) compute_thread(detail::pop_finished(top, walker_->arena()), mask);
}

// The tokens below a pop point, checked against the real stack: `post` is the stack once the frame
// has finished; a forwarded pop still has to feed the node's own byte to it.
void TokenConstraint::walk_pop(const StackNode* post, uint32_t node, bool forwarded, uint32_t* mask) {
  const detail::Grammar& g = masks_->grammar();
  const TokenTrie& trie = masks_->trie();
  MaskVisitor v{trie, mask};
  detail::Threads start;
  if (forwarded) {
    detail::step(g, post, trie.node(node).byte, walker_->arena(), start);
    if (start.empty()) return;
    v.on_node(node, nullptr);
  } else {
    start.push_back(post);
  }
  walker_->walk(g, trie, node + 1, trie.node(node).end, trie.node(node).depth, start, v);
}

void TokenConstraint::apply(float* logits) {
  std::vector<uint32_t>& mask = apply_mask_;
  allowed(mask);
  const size_t n = n_vocab();
  constexpr float kBanned = -std::numeric_limits<float>::infinity();
  for (size_t base = 0; base < n; base += 32) {  // a word at a time: most words are all banned or all allowed
    const uint32_t bits = mask[base >> 5];
    const size_t count = std::min<size_t>(32, n - base);
    if (bits == 0) {
      std::fill(logits + base, logits + base + count, kBanned);
    } else {
      // Only the banned tokens of a mixed word (inside a string most tokens are allowed).
      uint32_t banned = ~bits & (count == 32 ? ~uint32_t{0} : (uint32_t{1} << count) - 1);
      for (; banned != 0; banned &= banned - 1) logits[base + std::countr_zero(banned)] = kBanned;
    }
  }
}

bool TokenConstraint::is_allowed(int32_t token) const {
  const TokenTrie& trie = masks_->trie();
  if (eog_accepted_ || token < 0 || static_cast<size_t>(token) >= trie.n_vocab()) return false;
  if (trie.is_eog(token)) return matcher_.is_accepting();
  if (trie.is_excluded(token)) return false;
  return matcher_.accepts(trie.vocab().token_bytes[token]);
}

void TokenConstraint::accept(int32_t token) {
  const TokenTrie& trie = masks_->trie();
  if (!is_allowed(token)) {
    throw std::invalid_argument("json::TokenConstraint: token " + std::to_string(token) +
                                " is not allowed here");
  }
  last_field_.clear();
  if (trie.is_eog(token)) {
    eog_accepted_ = true;
    return;
  }
  bool field_seen = false;
  for (char c : trie.vocab().token_bytes[token]) {
    if (!field_seen && matcher_.field_index() >= 0) {
      last_field_ = matcher_.field_path();
      field_seen = true;
    }
    matcher_.advance(static_cast<uint8_t>(c));
  }
}

std::vector<int32_t> TokenConstraint::forced_tokens() const {
  if (eog_accepted_) return {};
  const TokenTrie& trie = masks_->trie();
  const std::string bytes = matcher_.forced_bytes();
  size_t consumed = 0;
  std::vector<int32_t> out = trie.tokenize_greedy(bytes, &consumed);
  if (consumed < bytes.size() || trie.vocab().eog_ids.empty()) return out;
  Matcher after(matcher_);
  after.advance(bytes);
  if (after.is_accepting() && !after.can_continue()) out.push_back(trie.vocab().eog_ids.front());
  return out;
}

std::vector<int32_t> TokenConstraint::closing_tokens() const {
  const std::string bytes = matcher_.shortest_completion();
  size_t consumed = 0;
  std::vector<int32_t> out = masks_->trie().tokenize_greedy(bytes, &consumed);
  if (consumed < bytes.size()) {
    throw std::runtime_error("json::TokenConstraint: the vocabulary has no token for byte " +
                             std::to_string(static_cast<uint8_t>(bytes[consumed])) + " of the closing bytes");
  }
  return out;
}

int TokenConstraint::min_tokens_to_close_after(int32_t token) const {
  if (!is_allowed(token)) return -1;
  const TokenTrie& trie = masks_->trie();
  if (trie.is_eog(token)) return 0;
  Matcher after(matcher_);
  after.advance(trie.vocab().token_bytes[token]);
  const std::string bytes = after.shortest_completion();
  size_t consumed = 0;
  const auto tokens = trie.tokenize_greedy(bytes, &consumed);
  return consumed < bytes.size() ? static_cast<int>(bytes.size()) : static_cast<int>(tokens.size());
}

bool TokenConstraint::is_complete() const {
  return matcher_.is_accepting();
}

bool TokenConstraint::done() const {
  return eog_accepted_ || (matcher_.is_accepting() && !matcher_.can_continue());
}

}  // namespace zeroidle::engine::json
