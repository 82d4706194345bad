// Byte-level BPE with the llama-bpe pre-tokenizer (Llama 3), matching llama.cpp's llm_tokenizer_bpe:
//   1. the text is sanitized (invalid UTF-8 bytes become U+FFFD) and split into pre-tokens;
//   2. a pre-token that is itself a token is emitted whole (llama.cpp's ignore_merges for llama-bpe);
//   3. otherwise its bytes are merged pairwise, always the adjacent pair of lowest merge rank first
//      (leftmost among equals), with a heap over a linked list of symbols: O(n log n) per pre-token.
//
// Everything works on raw bytes: token texts and merges are mapped back through GPT-2's byte <-> unicode
// table once at build time, so pre-tokens are looked up as views of the input, without re-encoding.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/string_table.h"
#include "tokenizer/vocab.h"

namespace zeroidle::tokenizer::detail {

struct BpeScratch {
  struct Symbol {
    int32_t sym;   // id in BpeModel's symbol table; -1 once merged into its left neighbour
    int32_t prev;  // index of the previous live symbol, -1 at the start
    int32_t next;  // index of the next live symbol, -1 at the end
  };
  struct Candidate {  // an adjacent pair that has a merge rule
    uint32_t rank;
    int32_t left, right;          // symbol indices
    int32_t left_sym, right_sym;  // their symbols when queued (to detect stale entries)
    int32_t result;               // the merged symbol
  };
  std::string sanitized;
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

class BpeModel {
 public:
  // Reads tokenizer.ggml.merges ("left right" in byte-level text, highest priority first). Throws
  // std::runtime_error naming the key when it is missing or an entry has no separating space.
  static BpeModel build(const Vocab& vocab, const gguf::File& file);

  // Appends the ids of `text`, a fragment without special tokens.
  void encode(std::string_view text, std::vector<int32_t>& out, BpeScratch& scratch) const;

 private:
  struct Merge {
    uint32_t rank;
    int32_t result;
  };
  static constexpr uint32_t kNoMerge = UINT32_MAX;

  struct PendingMerge;

  void add_tokens(const Vocab& vocab);
  void add_merges(const gguf::File& file);
  void add_byte_pairs();
  void parse_merge(const gguf::File& file, const std::string& rule, size_t rank, PendingMerge& m) const;
  void encode_word(std::string_view word, uint64_t hash, std::vector<int32_t>& out,
                   BpeScratch& scratch) const;
  void apply_merges(BpeScratch& scratch) const;
  void push_candidate(int32_t left, int32_t right, BpeScratch& scratch) const;
  void push_candidate(int32_t left, int32_t right, const Merge& m, BpeScratch& scratch) const;
  void emit(int32_t sym, std::vector<int32_t>& out) const;

  StringTable symbols_;                  // raw byte strings: every token's bytes, merge operands and results
  std::vector<int32_t> sym_token_;       // symbol -> token id, -1 for a merge string that is no token
  std::array<int32_t, 256> byte_sym_{};  // the symbol of each single byte
  PairTable<Merge> merges_;              // (left symbol, right symbol) -> rank and result
  std::vector<Merge> byte_pairs_;        // [256 * 256] the merge of two single bytes (rank kNoMerge: none)
};

}  // namespace zeroidle::tokenizer::detail
