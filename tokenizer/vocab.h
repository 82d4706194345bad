// The token table shared by both tokenizer models (internal to tokenizer/): texts, types, scores and a
// text -> id index, read from a GGUF's tokenizer.ggml.* arrays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf.h"
#include "tokenizer/string_table.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::tokenizer::detail {

struct Vocab {
  std::vector<std::string> texts;  // as stored (byte-level text for BPE, "▁"-escaped for SentencePiece)
  std::vector<TokenType> types;
  std::vector<float> scores;         // SentencePiece merge priority; 0 when the file has none
  StringTable index;                 // distinct texts
  std::vector<int32_t> index_token;  // index id -> token id (the last token with that text, as llama.cpp)

  int32_t n_tokens() const { return static_cast<int32_t>(texts.size()); }
  int32_t find(std::string_view text) const {  // token id, or -1
    const int32_t i = index.find(text);
    return i < 0 ? -1 : index_token[i];
  }
};

// Reads tokenizer.ggml.tokens (required), .token_type and .scores (optional; when present they must have
// one entry per token). Throws std::runtime_error naming the key on a missing or inconsistent array.
Vocab read_vocab(const gguf::File& file);

}  // namespace zeroidle::tokenizer::detail
