#include "engine/json/token_trie.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace zeroidle::engine::json {
namespace {

constexpr size_t kMaxTokenBytes = UINT16_MAX;

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

bool is_digit_only(const std::string& t) {
  return std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_number_tail(const std::string& t) {
  const char c = t[0];
  return (c == '-' || c == '.' || (c >= '0' && c <= '9')) && !is_digit_only(t);
}

}  // namespace

TokenTrie::TokenTrie(std::shared_ptr<const Vocab> vocab) : vocab_(std::move(vocab)) {
  const Vocab& v = *vocab_;
  const size_t n = v.token_bytes.size();
  if (!v.is_special.empty() && v.is_special.size() != n) {
    throw std::invalid_argument("json::Vocab: is_special has " + std::to_string(v.is_special.size()) +
                                " entries for " + std::to_string(n) + " tokens");
  }
  excluded_.assign(n, 0);
  for (int32_t id : v.eog_ids) {
    if (id < 0 || static_cast<size_t>(id) >= n) {
      throw std::invalid_argument("json::Vocab: eog id " + std::to_string(id) + " is out of range");
    }
    excluded_[id] = 1;
  }
  std::vector<int32_t> ids;
  digit_tokens_.resize(1);
  for (size_t i = 0; i < n; ++i) {
    const std::string& t = v.token_bytes[i];
    if ((!v.is_special.empty() && v.is_special[i]) || t.empty() || t.size() > kMaxTokenBytes)
      excluded_[i] = 1;
    if (excluded_[i]) continue;
    ids.push_back(static_cast<int32_t>(i));
    if (is_digit_only(t) && t.size() <= 18) {
      if (digit_tokens_.size() <= t.size()) digit_tokens_.resize(t.size() + 1);
      digit_tokens_[t.size()].emplace_back(std::stoll(t), static_cast<int32_t>(i));
    }
  }
  for (auto& list : digit_tokens_) std::sort(list.begin(), list.end());
  build(ids);
  number_tail_.reset(new TokenTrie(SubsetTag{}, vocab_, excluded_, &is_number_tail));
}

TokenTrie::TokenTrie(SubsetTag, std::shared_ptr<const Vocab> vocab, const std::vector<uint8_t>& excluded,
                     bool (*keep)(const std::string&))
    : vocab_(std::move(vocab)), excluded_(excluded) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < excluded_.size(); ++i) {
    if (!excluded_[i] && keep(vocab_->token_bytes[i])) ids.push_back(static_cast<int32_t>(i));
  }
  digit_tokens_.resize(1);
  build(ids);
}

TokenTrie::~TokenTrie() = default;

// Preorder construction over the sorted strings: `path` holds the open nodes of the previous token.
void TokenTrie::build(const std::vector<int32_t>& ids) {
  const Vocab& v = *vocab_;
  std::vector<int32_t> order = ids;
  for (int32_t id : order)
    max_token_bytes_ = std::max<uint32_t>(max_token_bytes_, static_cast<uint32_t>(v.token_bytes[id].size()));
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return v.token_bytes[a] < v.token_bytes[b]; });
  nodes_.push_back({0, 0, 0, 0});
  std::vector<uint32_t> path = {0};
  std::string_view prev;
  for (int32_t id : order) {
    const std::string_view t = v.token_bytes[id];
    const size_t keep = common_prefix(prev, t);
    while (path.size() > keep + 1) {
      nodes_[path.back()].end = static_cast<uint32_t>(nodes_.size());
      path.pop_back();
    }
    for (size_t d = keep; d < t.size(); ++d) {
      nodes_.push_back(
          {0, static_cast<uint32_t>(ids_.size()), static_cast<uint16_t>(d + 1), static_cast<uint8_t>(t[d])});
      path.push_back(static_cast<uint32_t>(nodes_.size() - 1));
    }
    ids_.push_back(id);  // sorted order: the token's node is the newest one
    prev = t;
  }
  while (!path.empty()) {
    nodes_[path.back()].end = static_cast<uint32_t>(nodes_.size());
    path.pop_back();
  }
  nodes_.push_back({static_cast<uint32_t>(nodes_.size() + 1), static_cast<uint32_t>(ids_.size()), 0, 0});
}

bool TokenTrie::is_eog(int32_t token) const {
  return std::find(vocab_->eog_ids.begin(), vocab_->eog_ids.end(), token) != vocab_->eog_ids.end();
}

bool TokenTrie::is_excluded(int32_t token) const {
  return token < 0 || static_cast<size_t>(token) >= excluded_.size() || excluded_[token];
}

uint32_t TokenTrie::child(uint32_t node, uint8_t byte) const {
  const uint32_t end = nodes_[node].end;
  for (uint32_t c = node + 1; c < end; c = nodes_[c].end) {
    if (nodes_[c].byte == byte) return c;
  }
  return UINT32_MAX;
}

std::vector<int32_t> TokenTrie::tokenize_greedy(std::string_view bytes, size_t* consumed) const {
  std::vector<int32_t> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint32_t node = 0, best = 0;
    for (size_t i = pos; i < bytes.size(); ++i) {
      node = child(node, static_cast<uint8_t>(bytes[i]));
      if (node == UINT32_MAX) break;
      if (!tokens_at(node).empty()) best = node;
    }
    if (best == 0) break;
    const auto ids = tokens_at(best);
    out.push_back(*std::min_element(ids.begin(), ids.end()));
    pos += nodes_[best].depth;
  }
  if (consumed) *consumed = pos;
  return out;
}

}  // namespace zeroidle::engine::json
