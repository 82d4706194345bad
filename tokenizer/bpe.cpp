#include "tokenizer/bpe.h"

#include <algorithm>

#include "tokenizer/metadata.h"
#include "tokenizer/unicode.h"

namespace zeroidle::tokenizer::detail {
namespace {

constexpr const char* kMergesKey = "tokenizer.ggml.merges";

// Heap order: the lowest rank on top, then the leftmost pair (llama.cpp's llm_bigram_bpe::comparator).
bool lower_priority(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

}  // namespace

BpeModel BpeModel::build(const Vocab& vocab, const gguf::File& file) {
  BpeModel m;
  m.add_tokens(vocab);
  m.add_merges(file);
  m.add_byte_pairs();
  return m;
}

// Most merge lookups are of two single bytes (every word not found whole starts as bytes): a dense table
// answers those without hashing.
void BpeModel::add_byte_pairs() {
  byte_pairs_.assign(256 * 256, Merge{kNoMerge, -1});
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const Merge* m = merges_.find(static_cast<uint32_t>(byte_sym_[a]), static_cast<uint32_t>(byte_sym_[b]));
      if (m) byte_pairs_[a << 8 | b] = *m;
    }
  }
}

void BpeModel::add_tokens(const Vocab& vocab) {
  // The bytes of every token, back to back. A text outside the byte-level alphabet (possible for added
  // tokens) can never be a pre-token or a merge result: such a token is reachable only as a special token.
  std::string bytes;
  bytes.reserve(vocab.texts.size() * 8);
  std::vector<int32_t> tokens;  // the tokens with bytes, in id order
  std::vector<uint32_t> begin;  // begin[i]..begin[i + 1]: the bytes of tokens[i]
  for (int32_t id = 0; id < vocab.n_tokens(); ++id) {
    const size_t size = bytes.size();
    if (byte_level_decode(vocab.texts[id], bytes)) {
      tokens.push_back(id);
      begin.push_back(static_cast<uint32_t>(size));
    } else {
      bytes.resize(size);
    }
  }
  begin.push_back(static_cast<uint32_t>(bytes.size()));
  std::vector<std::string_view> views;
  views.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i)
    views.emplace_back(bytes.data() + begin[i], begin[i + 1] - begin[i]);

  symbols_.reserve(views.size() + 256, bytes.size() + 256);
  std::vector<int32_t> syms(views.size());
  symbols_.intern_all(views, syms);
  sym_token_.assign(symbols_.size(), -1);
  for (size_t i = 0; i < syms.size(); ++i)
    sym_token_[syms[i]] = tokens[i];  // the last one wins, as llama.cpp
  for (int b = 0; b < 256; ++b) byte_sym_[b] = symbols_.intern(std::string(1, static_cast<char>(b)));
  sym_token_.resize(symbols_.size(), -1);
}

// One merge rule on its way into the tables: looked up in batches so the cache misses overlap.
struct BpeModel::PendingMerge {
  std::string left, right, joined;  // raw bytes
  uint64_t left_hash = 0, right_hash = 0, joined_hash = 0;
  bool usable = false;
};

void BpeModel::parse_merge(const gguf::File& file, const std::string& rule, size_t rank,
                           PendingMerge& m) const {
  const size_t space = rule.find(' ', 1);
  if (space == std::string::npos) {
    throw metadata_error(
        file, kMergesKey,
        "entry " + std::to_string(rank) + " (\"" + rule + "\") is not two symbols separated by a space");
  }
  m.left.clear();
  m.right.clear();
  // A rule outside the byte-level alphabet can never match any symbol.
  m.usable = byte_level_decode(std::string_view(rule).substr(0, space), m.left) &&
             byte_level_decode(std::string_view(rule).substr(space + 1), m.right);
  if (!m.usable) return;
  m.joined = m.left + m.right;
  m.left_hash = StringTable::hash(m.left);
  m.right_hash = StringTable::hash(m.right);
  m.joined_hash = StringTable::hash(m.joined);
  symbols_.prefetch(m.left_hash);
  symbols_.prefetch(m.right_hash);
  symbols_.prefetch(m.joined_hash);
}

void BpeModel::add_merges(const gguf::File& file) {
  const gguf::Array& merges = require_array(file, kMergesKey, gguf::ValueType::STRING);
  std::vector<PairTable<Merge>::Entry> entries;
  entries.reserve(merges.items.size());
  constexpr size_t kBatch = 32;
  std::vector<PendingMerge> batch(kBatch);
  for (size_t first = 0; first < merges.items.size(); first += kBatch) {
    const size_t count = std::min(kBatch, merges.items.size() - first);
    for (size_t j = 0; j < count; ++j) {
      parse_merge(file, std::get<std::string>(merges.items[first + j].v), first + j, batch[j]);
    }
    for (size_t j = 0; j < count; ++j) {
      const PendingMerge& m = batch[j];
      if (!m.usable) continue;
      const int32_t left = symbols_.intern(m.left, m.left_hash);
      const int32_t right = symbols_.intern(m.right, m.right_hash);
      const int32_t joined = symbols_.intern(m.joined, m.joined_hash);
      entries.push_back({static_cast<uint32_t>(left), static_cast<uint32_t>(right),
                         Merge{static_cast<uint32_t>(first + j), joined}});
    }
  }
  merges_ = PairTable<Merge>(entries);  // the first rule for a pair wins, as in llama.cpp
  sym_token_.resize(symbols_.size(), -1);
}

void BpeModel::encode(std::string_view text, std::vector<int32_t>& out, BpeScratch& scratch) const {
  const std::string_view clean = sanitize_utf8(text, scratch.sanitized);
  const Llama3PreTokenizer pre(clean);
  // Pre-tokens are found and hashed kAhead ahead of their lookup, so the hash-table slots they need are
  // already on their way into the cache.
  constexpr size_t kAhead = 8;
  struct Word {
    size_t begin, end;
    uint64_t hash;
  };
  std::array<Word, kAhead> ring{};
  size_t next_begin = 0;
  size_t queued = 0;
  for (size_t i = 0;; ++i) {
    while (queued < i + kAhead && next_begin < clean.size()) {
      const size_t end = pre.next_end(next_begin);
      const uint64_t hash = StringTable::hash(clean.substr(next_begin, end - next_begin));
      symbols_.prefetch(hash);
      ring[queued++ % kAhead] = {next_begin, end, hash};
      next_begin = end;
    }
    if (i == queued) break;
    const Word& w = ring[i % kAhead];
    encode_word(clean.substr(w.begin, w.end - w.begin), w.hash, out, scratch);
  }
}

void BpeModel::encode_word(std::string_view word, uint64_t hash, std::vector<int32_t>& out,
                           BpeScratch& scratch) const {
  if (const int32_t sym = symbols_.find(word, hash); sym >= 0 && sym_token_[sym] >= 0) {
    out.push_back(sym_token_[sym]);
    return;
  }
  auto& symbols = scratch.symbols;
  const auto n = static_cast<int32_t>(word.size());
  symbols.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    symbols[i] = {byte_sym_[static_cast<uint8_t>(word[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }
  scratch.heap.clear();
  for (int32_t i = 1; i < n; ++i) {
    const auto pair =
        static_cast<size_t>(static_cast<uint8_t>(word[i - 1])) << 8 | static_cast<uint8_t>(word[i]);
    push_candidate(i - 1, i, byte_pairs_[pair], scratch);
  }

  apply_merges(scratch);
  for (int32_t i = 0; i != -1; i = symbols[i].next) emit(symbols[i].sym, out);
}

// Pops candidates best first; one whose symbols changed since it was queued is stale and skipped.
void BpeModel::apply_merges(BpeScratch& scratch) const {
  auto& symbols = scratch.symbols;
  while (!scratch.heap.empty()) {
    std::pop_heap(scratch.heap.begin(), scratch.heap.end(), lower_priority);
    const BpeScratch::Candidate c = scratch.heap.back();
    scratch.heap.pop_back();
    BpeScratch::Symbol& left = symbols[c.left];
    BpeScratch::Symbol& right = symbols[c.right];
    if (left.sym != c.left_sym || right.sym != c.right_sym || left.next != c.right) continue;
    left.sym = c.result;
    right.sym = -1;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    push_candidate(left.prev, c.left, scratch);
    push_candidate(c.left, left.next, scratch);
  }
}

void BpeModel::push_candidate(int32_t left, int32_t right, BpeScratch& scratch) const {
  if (left < 0 || right < 0) return;
  const auto l = static_cast<uint32_t>(scratch.symbols[left].sym);
  const auto r = static_cast<uint32_t>(scratch.symbols[right].sym);
  if (const Merge* m = merges_.find(l, r)) push_candidate(left, right, *m, scratch);
}

void BpeModel::push_candidate(int32_t left, int32_t right, const Merge& m, BpeScratch& scratch) const {
  if (m.rank == kNoMerge) return;
  const int32_t l = scratch.symbols[left].sym;
  const int32_t r = scratch.symbols[right].sym;
  scratch.heap.push_back({m.rank, left, right, l, r, m.result});
  std::push_heap(scratch.heap.begin(), scratch.heap.end(), lower_priority);
}

// A merged symbol that is no token (only in vocabularies whose merges produce strings they lack) falls back
// to its bytes' tokens. llama.cpp looks those up by single *byte-level* bytes and so drops non-ASCII ones;
// emitting the byte tokens keeps the text intact instead.
void BpeModel::emit(int32_t sym, std::vector<int32_t>& out) const {
  if (sym_token_[sym] >= 0) {
    out.push_back(sym_token_[sym]);
    return;
  }
  for (char c : symbols_.at(sym)) {
    const int32_t t = sym_token_[byte_sym_[static_cast<uint8_t>(c)]];
    if (t >= 0) out.push_back(t);
  }
}

}  // namespace zeroidle::tokenizer::detail
