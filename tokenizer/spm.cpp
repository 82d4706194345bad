#include "tokenizer/spm.h"

#include <algorithm>
#include <cstdio>

#include "tokenizer/unicode.h"

namespace zeroidle::tokenizer::detail {
namespace {

constexpr std::string_view kEscapedSpace = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

// Heap order: the highest score on top, then the leftmost pair (llama.cpp's llm_bigram_spm::comparator).
bool lower_priority(const SpmScratch::Candidate& a, const SpmScratch::Candidate& b) {
  return a.score != b.score ? a.score < b.score : a.left > b.left;
}

}  // namespace

void escape_whitespace(std::string_view text, std::string& out) {
  for (char c : text) {
    if (c == ' ') {
      out += kEscapedSpace;
    } else {
      out.push_back(c);
    }
  }
}

namespace {

// True when no token has "▁" after something else: then no merge can join a word to the "▁" that starts
// the next one (SentencePiece splits at whitespace when it learns its pieces, so this holds for Llama 2 and
// Mistral), and merging word by word gives exactly the result of merging the whole text at once.
bool words_never_merge(const Vocab& vocab) {
  for (const std::string& text : vocab.texts) {
    size_t lead = 0;
    while (std::string_view(text).substr(lead, kEscapedSpace.size()) == kEscapedSpace)
      lead += kEscapedSpace.size();
    if (text.find(kEscapedSpace, lead) != std::string::npos) return false;
  }
  return true;
}

}  // namespace

SpmModel SpmModel::build(const Vocab& vocab, int32_t unk) {
  SpmModel m;
  m.merge_words_apart_ = words_never_merge(vocab);
  for (int b = 0; b < 256; ++b) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
    int32_t id = vocab.find(hex);
    if (id < 0) id = vocab.find(std::string(1, static_cast<char>(b)));
    m.byte_tokens_[b] = id >= 0 ? id : unk;
  }
  return m;
}

void SpmModel::encode(const Vocab& vocab, std::string_view escaped, std::vector<int32_t>& out,
                      SpmScratch& scratch) const {
  for (size_t begin = 0; begin < escaped.size();) {
    const size_t end = segment_end(escaped, begin);
    encode_segment(vocab, escaped.substr(begin, end - begin), out, scratch);
    begin = end;
  }
}

// Symbols are cut as llama.cpp cuts them: by the lead byte's length only. When words may be merged apart,
// a segment ends before each "▁" symbol that follows a symbol other than "▁".
size_t SpmModel::segment_end(std::string_view text, size_t begin) const {
  if (!merge_words_apart_) return text.size();
  bool after_space = false;
  for (size_t pos = begin; pos < text.size();) {
    const size_t size = std::min(utf8_sequence_length(static_cast<uint8_t>(text[pos])), text.size() - pos);
    const bool space = text.substr(pos, size) == kEscapedSpace;
    if (space && !after_space && pos > begin) return pos;
    after_space = space;
    pos += size;
  }
  return text.size();
}

void SpmModel::encode_segment(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out,
                              SpmScratch& scratch) const {
  auto& symbols = scratch.symbols;
  symbols.clear();
  for (uint32_t offset = 0; offset < text.size();) {
    const auto size = static_cast<uint32_t>(
        std::min<size_t>(utf8_sequence_length(static_cast<uint8_t>(text[offset])), text.size() - offset));
    const auto index = static_cast<int32_t>(symbols.size());
    const bool last = offset + size == text.size();
    symbols.push_back({offset, size, index - 1, last ? -1 : index + 1});
    offset += size;
  }
  scratch.heap.clear();
  for (size_t i = 1; i < symbols.size(); ++i) {
    push_candidate(vocab, text, static_cast<int32_t>(i - 1), static_cast<int32_t>(i), scratch);
  }
  apply_merges(vocab, text, scratch);
  if (symbols.empty()) return;
  for (int32_t i = 0; i != -1; i = symbols[i].next)
    emit(vocab, text.substr(symbols[i].begin, symbols[i].size), out);
}

// Pops candidates best first; one whose symbols changed since it was queued is stale and skipped.
void SpmModel::apply_merges(const Vocab& vocab, std::string_view text, SpmScratch& scratch) const {
  auto& symbols = scratch.symbols;
  while (!scratch.heap.empty()) {
    std::pop_heap(scratch.heap.begin(), scratch.heap.end(), lower_priority);
    const SpmScratch::Candidate c = scratch.heap.back();
    scratch.heap.pop_back();
    SpmScratch::Symbol& left = symbols[c.left];
    SpmScratch::Symbol& right = symbols[c.right];
    if (left.size == 0 || right.size == 0 || left.size + right.size != c.size) continue;
    left.size += right.size;
    right.size = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    push_candidate(vocab, text, left.prev, c.left, scratch);
    push_candidate(vocab, text, c.left, left.next, scratch);
  }
}

void SpmModel::push_candidate(const Vocab& vocab, std::string_view text, int32_t left, int32_t right,
                              SpmScratch& scratch) const {
  if (left < 0 || right < 0) return;
  const SpmScratch::Symbol& l = scratch.symbols[left];
  const uint32_t size = l.size + scratch.symbols[right].size;
  const int32_t id = vocab.find(text.substr(l.begin, size));
  if (id < 0) return;
  scratch.heap.push_back({vocab.scores[id], left, right, size});
  std::push_heap(scratch.heap.begin(), scratch.heap.end(), lower_priority);
}

void SpmModel::emit(const Vocab& vocab, std::string_view piece, std::vector<int32_t>& out) const {
  if (const int32_t id = vocab.find(piece); id >= 0) {
    out.push_back(id);
    return;
  }
  for (char c : piece) {
    const int32_t id = byte_tokens_[static_cast<uint8_t>(c)];
    if (id >= 0) out.push_back(id);
  }
}

}  // namespace zeroidle::tokenizer::detail
