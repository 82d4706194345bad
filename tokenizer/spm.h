// SentencePiece-style BPE (Llama 2, Mistral), matching llama.cpp's llm_tokenizer_spm: the text (spaces
// already escaped to U+2581 "▁") starts as one symbol per UTF-8 character; the adjacent pair whose
// concatenation is the token of highest score is merged first (leftmost among equals), with a heap over a
// linked list of symbols; a final symbol that is no token is emitted as byte tokens <0xXX>. When the
// vocabulary allows it (no token continues past a word into "▁"), each word is merged on its own: the
// same result with small heaps, so long texts stay fast.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace zeroidle::tokenizer::detail {

struct SpmScratch {
  struct Symbol {
    uint32_t begin;  // byte offset in the text
    uint32_t size;   // bytes; 0 once merged into its left neighbour
    int32_t prev, next;
  };
  struct Candidate {
    float score;
    int32_t left, right;
    uint32_t size;  // bytes of the merged pair when queued (to detect stale entries)
  };
  std::string escaped;
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

// Replaces each space with "▁" (U+2581), as llama.cpp's llama_escape_whitespace.
void escape_whitespace(std::string_view text, std::string& out);

class SpmModel {
 public:
  static SpmModel build(const Vocab& vocab, int32_t unk);

  // Appends the ids of `escaped`, an escaped fragment without special tokens.
  void encode(const Vocab& vocab, std::string_view escaped, std::vector<int32_t>& out,
              SpmScratch& scratch) const;

 private:
  size_t segment_end(std::string_view text, size_t begin) const;
  void encode_segment(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out,
                      SpmScratch& scratch) const;
  void apply_merges(const Vocab& vocab, std::string_view text, SpmScratch& scratch) const;
  void push_candidate(const Vocab& vocab, std::string_view text, int32_t left, int32_t right,
                      SpmScratch& scratch) const;
  void emit(const Vocab& vocab, std::string_view piece, std::vector<int32_t>& out) const;

  std::array<int32_t, 256> byte_tokens_{};  // <0xXX>, else the one-byte token, else unk (-1 if none)
  bool merge_words_apart_ = false;          // see words_never_merge in spm.cpp
};

}  // namespace zeroidle::tokenizer::detail
