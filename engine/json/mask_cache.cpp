#include "engine/json/mask_cache.h"

#include <algorithm>

namespace zeroidle::engine::json {
namespace detail {
namespace {

// Past this, the frame cache starts over (entries in use stay alive through their shared_ptr).
constexpr size_t kMaxCachedBytes = size_t{256} << 20;

void set_bit(uint32_t* mask, int32_t token) {
  mask[token >> 5] |= 1u << (token & 31);
}

}  // namespace

void TokenSet::build(std::vector<int32_t> ids, size_t n_vocab) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const size_t words = (n_vocab + 31) / 32;
  if (ids.size() < words) {
    ids_ = std::move(ids);
    return;
  }
  bits_.assign(words, 0);
  for (int32_t t : ids) set_bit(bits_.data(), t);
}

void TokenSet::or_into(uint32_t* mask) const {
  for (size_t i = 0; i < bits_.size(); ++i) mask[i] |= bits_[i];
  for (int32_t t : ids_) set_bit(mask, t);
}

size_t FrameKeyHash::operator()(const FrameKey& k) const {
  const auto* p = reinterpret_cast<const unsigned char*>(&k.f);
  uint64_t h = 1469598103934665603ull ^ k.depth;
  for (size_t i = 0; i < sizeof(Frame); ++i) h = (h ^ p[i]) * 1099511628211ull;
  return static_cast<size_t>(h);
}

}  // namespace detail

using detail::Frame;
using detail::FrameKind;
using detail::StackNode;

MaskCache::MaskCache(const Schema& schema, std::shared_ptr<const TokenTrie> trie)
    : schema_(schema), trie_(std::move(trie)) {}

bool MaskCache::cacheable(const Frame& f) const {
  switch (f.kind) {
    case FrameKind::kObject:
    case FrameKind::kArray:
    case FrameKind::kLiterals:
    case FrameKind::kUnion:
      return true;
    case FrameKind::kNumber:  // ranged numbers with digits are exact per value: masked directly instead
      return !grammar().nodes[f.node].num.has_range ||
             f.state == static_cast<uint8_t>(detail::NumPhase::kStart) ||
             f.state == static_cast<uint8_t>(detail::NumPhase::kNeg) ||
             f.state == static_cast<uint8_t>(detail::NumPhase::kZero);
    default:
      return false;
  }
}

detail::FrameKey MaskCache::key_of(const StackNode* top) const {
  const uint32_t cap = trie_->max_token_bytes() + 1;  // no token moves a counter further than this
  Frame f = top->f;
  if (f.kind == FrameKind::kArray) {
    f.a = std::min(f.a, cap);
    f.b = std::min(f.b, cap);
  } else if (f.kind == FrameKind::kNumber) {
    f.x = f.x != 0;  // unranged: only digit counts and zero-ness matter
    f.y = f.y != 0;
  }
  return {f, grammar().depth_sensitive ? top->depth : 1};
}

std::shared_ptr<const detail::FrameMasks> MaskCache::frame_masks(const StackNode* top,
                                                                 detail::TrieWalker& walker) {
  const detail::FrameKey key = key_of(top);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = frames_.find(key); it != frames_.end()) {
      ++hits_;
      return it->second;
    }
    ++misses_;
  }
  auto entry = compute_frame(key, walker);
  std::lock_guard<std::mutex> lock(mu_);
  const size_t bytes = entry->within.bytes() + entry->pops.size() * sizeof(detail::PopPoint) + 128;
  if (cached_bytes_ + bytes > detail::kMaxCachedBytes) {
    frames_.clear();
    cached_bytes_ = 0;
  }
  if (frames_.emplace(key, entry).second) cached_bytes_ += bytes;
  return entry;
}

std::shared_ptr<const detail::FrameMasks> MaskCache::compute_frame(const detail::FrameKey& key,
                                                                   detail::TrieWalker& walker) const {
  const TokenTrie& trie = *trie_;
  struct Visitor {
    const TokenTrie& trie;
    std::vector<int32_t> within;
    std::vector<detail::PopPoint> pops;
    void on_node(uint32_t node, const StackNode*) {
      for (int32_t t : trie.tokens_at(node)) within.push_back(t);
    }
    void on_pop(uint32_t node, bool forwarded, const StackNode*) {
      if (!forwarded) on_node(node, nullptr);  // finishing on its last byte is valid in any context
      if (forwarded || trie.node(node).end > node + 1) pops.push_back({node, forwarded});
    }
  } v{trie, {}, {}};
  const detail::Threads start = {detail::sentinel_thread(key.f, key.depth, walker.arena())};
  walker.walk(grammar(), trie, 1, trie.n_nodes(), 0, start, v);
  auto entry = std::make_shared<detail::FrameMasks>();
  entry->within.build(std::move(v.within), trie.n_vocab());
  std::sort(v.pops.begin(), v.pops.end());
  v.pops.erase(std::unique(v.pops.begin(), v.pops.end()), v.pops.end());
  entry->pops = std::move(v.pops);
  return entry;
}

std::shared_ptr<const detail::StringMasks> MaskCache::string_masks(uint8_t state,
                                                                   detail::TrieWalker& walker) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (strings_[state]) {
      ++hits_;
      return strings_[state];
    }
    ++misses_;
  }
  auto entry = compute_string(state, walker);
  std::lock_guard<std::mutex> lock(mu_);
  if (!strings_[state]) strings_[state] = entry;
  return strings_[state];
}

// Strings are a DFA, so their tables come from a plain table-driven trie walk (no frames, no arena).
std::shared_ptr<const detail::StringMasks> MaskCache::compute_string(uint8_t state,
                                                                     detail::TrieWalker&) const {
  using detail::StringMasks;
  const TokenTrie& trie = *trie_;
  const size_t words = (trie.n_vocab() + 31) / 32;
  auto entry = std::make_shared<StringMasks>();
  entry->up_to.assign(StringMasks::kShort + 1, std::vector<uint32_t>(words, 0));
  entry->all.assign(words, 0);
  uint8_t next[detail::kStrStateCount][256];
  bool starts[detail::kStrStateCount][256];
  for (uint8_t st = 0; st < detail::kStrStateCount; ++st) {
    for (int b = 0; b < 256; ++b)
      next[st][b] = detail::string_transition(st, static_cast<uint8_t>(b), &starts[st][b]);
  }
  std::vector<uint8_t> st_at(trie.max_token_bytes() + 1);
  std::vector<uint32_t> chars_at(trie.max_token_bytes() + 1);
  st_at[0] = state;
  for (uint32_t i = 1; i < trie.n_nodes();) {
    const TokenTrie::Node& nd = trie.node(i);
    const uint8_t from = st_at[nd.depth - 1];
    const uint8_t to = next[from][nd.byte];
    if (to == detail::kStrStateCount || to == detail::kStrClose) {
      if (to == detail::kStrClose) entry->pops.push_back({i, chars_at[nd.depth - 1]});
      i = nd.end;
      continue;
    }
    const uint32_t chars = chars_at[nd.depth - 1] + (starts[from][nd.byte] ? 1 : 0);
    st_at[nd.depth] = to;
    chars_at[nd.depth] = chars;
    for (int32_t tok : trie.tokens_at(i)) {
      detail::set_bit(entry->all.data(), tok);
      if (chars <= StringMasks::kShort) {
        detail::set_bit(entry->up_to[chars].data(), tok);
      } else {
        entry->long_tokens.emplace_back(tok, chars);
      }
    }
    ++i;
  }
  for (uint32_t c = 1; c <= StringMasks::kShort; ++c) {
    for (size_t w = 0; w < words; ++w) entry->up_to[c][w] |= entry->up_to[c - 1][w];
  }
  std::sort(entry->long_tokens.begin(), entry->long_tokens.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  return entry;
}

}  // namespace zeroidle::engine::json
