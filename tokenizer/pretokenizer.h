// The llama-bpe pre-tokenizer (Llama 3): splits text into the pieces BPE merges never cross, exactly as
// llama.cpp's hand-written matcher for the regex whose alternatives, tried in order at each position, are
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)
//   [^\r\n\p{L}\p{N}]?\p{L}+
//   \p{N}{1,3}
//   ␠?[^\s\p{L}\p{N}]+[\r\n]*      (␠ = a space)
//   \s*[\r\n]+
//   \s+(?!\S)
//   \s+
// Linear time; no std::regex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/unicode.h"

namespace zeroidle::tokenizer::detail {

// Walks the pre-tokens of one text: next_end(0) is the end of the first, next_end(that) of the second...
// `text` should be sanitize_utf8's output; a byte that still fails to decode counts as one U+FFFD.
class Llama3PreTokenizer {
 public:
  explicit Llama3PreTokenizer(std::string_view text) : text_(text) {}
  // The byte offset just past the pre-token that starts at `pos` (< text size).
  size_t next_end(size_t pos) const;

 private:
  struct Char {
    uint32_t cpt;
    uint8_t cls;   // CharClass, or 4 past the end of the text
    uint8_t size;  // bytes; 0 past the end
  };
  Char at(size_t pos) const;
  Char decode_at(size_t pos) const;
  uint8_t cls(size_t pos) const { return at(pos).cls; }
  // One per regex alternative: the end of its match at `pos`, or 0 for no match.
  size_t contraction(size_t pos, Char c) const;
  size_t letters(size_t pos, Char c) const;
  size_t digits(size_t pos, Char c) const;
  size_t punctuation(size_t pos, Char c) const;
  size_t whitespace(size_t pos) const;

  std::string_view text_;
};

// Replaces `ends` with the byte offset just past each pre-token of `text`, in order (the last is
// text.size()). `text` should be sanitize_utf8's output; a byte that still fails to decode counts as one
// U+FFFD.
void split_llama3(std::string_view text, std::vector<uint32_t>& ends);

}  // namespace zeroidle::tokenizer::detail
