#include "tokenizer/special.h"

#include <algorithm>

namespace zeroidle::tokenizer::detail {
namespace {

bool is_special_type(TokenType t) {
  return t == TokenType::kControl || t == TokenType::kUnknown || t == TokenType::kUserDefined;
}

bool overlaps_claimed(const std::vector<uint8_t>& claimed, uint32_t begin, uint32_t size) {
  for (uint32_t i = begin; i < begin + size; ++i) {
    if (claimed[i]) return true;
  }
  return false;
}

}  // namespace

SpecialMatcher SpecialMatcher::build(const Vocab& vocab) {
  SpecialMatcher m;
  std::vector<int32_t> specials;
  for (int32_t id = 0; id < vocab.n_tokens(); ++id) {
    if (is_special_type(vocab.types[id]) && !vocab.texts[id].empty()) specials.push_back(id);
  }
  std::stable_sort(specials.begin(), specials.end(),
                   [&](int32_t a, int32_t b) { return vocab.texts[a].size() > vocab.texts[b].size(); });
  m.priority_.assign(vocab.texts.size(), 0);
  for (size_t rank = 0; rank < specials.size(); ++rank) {
    const int32_t id = specials[rank];
    m.priority_[id] = static_cast<uint32_t>(rank);
    m.insert(vocab.texts[id], id, vocab.types[id] == TokenType::kUserDefined);
  }
  return m;
}

void SpecialMatcher::insert(std::string_view text, int32_t token, bool always) {
  first_bytes_[always].set(static_cast<uint8_t>(text[0]));
  int32_t node = 0;
  for (char c : text) {
    int32_t next = child(node, static_cast<uint8_t>(c));
    if (next < 0) {
      next = static_cast<int32_t>(nodes_.size());
      nodes_[node].children.emplace_back(static_cast<uint8_t>(c), next);
      nodes_.emplace_back();
    }
    node = next;
  }
  if (nodes_[node].token < 0) {  // the same text twice: the higher-priority (lower id) token keeps it
    nodes_[node].token = token;
    nodes_[node].always = always;
  }
}

int32_t SpecialMatcher::child(int32_t node, uint8_t byte) const {
  for (const auto& [b, next] : nodes_[node].children) {
    if (b == byte) return next;
  }
  return -1;
}

void SpecialMatcher::find_matches(std::string_view text, bool parse_special, SpecialScratch& scratch) const {
  scratch.matches.clear();
  const std::bitset<256> first_bytes = parse_special ? first_bytes_[0] | first_bytes_[1] : first_bytes_[1];
  if (first_bytes.none()) return;
  for (uint32_t begin = 0; begin < text.size(); ++begin) {
    if (!first_bytes.test(static_cast<uint8_t>(text[begin]))) continue;
    int32_t node = 0;
    for (uint32_t i = begin; i < text.size(); ++i) {
      node = child(node, static_cast<uint8_t>(text[i]));
      if (node < 0) break;
      const Node& n = nodes_[node];
      if (n.token >= 0 && (parse_special || n.always)) {
        scratch.matches.push_back({priority_[n.token], begin, i + 1 - begin, n.token});
      }
    }
  }
}

void SpecialMatcher::partition(std::string_view text, bool parse_special, std::vector<Fragment>& out,
                               SpecialScratch& scratch) const {
  out.clear();
  find_matches(text, parse_special, scratch);
  auto& matches = scratch.matches;
  // Priority order, each token's occurrences left to right; keep those that overlap nothing claimed.
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.begin < b.begin;
  });
  scratch.claimed.assign(matches.empty() ? 0 : text.size(), 0);
  size_t kept = 0;
  for (const SpecialScratch::Match& m : matches) {
    if (overlaps_claimed(scratch.claimed, m.begin, m.size)) continue;
    std::fill_n(scratch.claimed.begin() + m.begin, m.size, 1);
    matches[kept++] = m;
  }
  matches.resize(kept);
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });

  uint32_t raw_begin = 0;
  for (const SpecialScratch::Match& m : matches) {
    if (m.begin > raw_begin) out.push_back({raw_begin, m.begin - raw_begin, -1});
    out.push_back({m.begin, m.size, m.token});
    raw_begin = m.begin + m.size;
  }
  if (raw_begin < text.size()) out.push_back({raw_begin, static_cast<uint32_t>(text.size()) - raw_begin, -1});
}

}  // namespace zeroidle::tokenizer::detail
