// Unicode helpers for the tokenizers (internal to tokenizer/): UTF-8 decoding with llama.cpp's leniency,
// the code point classes of the Llama 3 pre-tokenizer, and GPT-2's byte <-> code point mapping.
//
// Thread-safe: all tables are immutable after their first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zeroidle::tokenizer::detail {

// The classes the pre-tokenizer regex distinguishes: \p{L}, \p{N}, \s (Unicode White_Space), the rest.
enum class CharClass : uint8_t { kOther = 0, kLetter = 1, kNumber = 2, kWhitespace = 3 };

struct CharClassRange {
  uint32_t first;  // inclusive
  uint32_t last;   // inclusive
  CharClass cls;
};
// Generated (tokenizer/unicode_tables.cpp): sorted, disjoint.
extern const CharClassRange kCharClassRanges[];
extern const size_t kCharClassRangeCount;

// O(1) (two-level table built once from kCharClassRanges). Code points >= 0x110000 are kOther.
CharClass char_class(uint32_t cpt);

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// Bytes in the UTF-8 sequence a lead byte announces, as llama.cpp's unicode_len_utf8: by the high
// nibble only (continuation bytes and 0xF8..0xFF count 1 and 4; nothing is validated).
inline size_t utf8_sequence_length(uint8_t lead) {
  static constexpr uint8_t kLength[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLength[lead >> 4];
}

struct DecodedCpt {
  uint32_t cpt;  // kReplacementChar when !valid
  uint32_t len;  // bytes consumed: 1 when !valid
  bool valid;
};
// Decodes one code point at p[0..n) (n >= 1) the way llama.cpp's tokenizer does: the lead byte sets the
// length, the following bytes must be continuation bytes, and overlong forms and surrogates are accepted.
// Invalid: a stray continuation byte, 0xF8..0xFF, a truncated sequence, or a value above U+10FFFF (which
// llama.cpp cannot re-encode and throws on). An invalid byte stands for one U+FFFD.
DecodedCpt decode_utf8(const char* p, size_t n);

void append_utf8(std::string& out, uint32_t cpt);  // cpt <= 0x10FFFF

// The text llama.cpp's byte-level BPE actually tokenizes: every code point decode_utf8 reads, re-encoded;
// each invalid byte becomes U+FFFD (EF BF BD) and overlong forms become their shortest encoding.
// Returns `text` itself when nothing changes (the common case), else a view of `storage`.
std::string_view sanitize_utf8(std::string_view text, std::string& storage);

// GPT-2's bytes_to_unicode: each byte maps to a printable code point (the printable Latin-1 bytes to
// themselves, the other 68 bytes to U+0100.. in byte order). byte_level_cpt is that map; byte_of_level_cpt
// its inverse (-1 for a code point no byte maps to).
uint32_t byte_level_cpt(uint8_t byte);
int byte_of_level_cpt(uint32_t cpt);

// Appends to `out` the bytes a byte-level token text stands for ("Ġhello" -> " hello"). Returns false when
// the text holds a code point outside the map (or invalid UTF-8); `out` then has unspecified bytes appended.
bool byte_level_decode(std::string_view text, std::string& out);
// The inverse: bytes -> byte-level text.
std::string byte_level_encode(std::string_view bytes);

}  // namespace zeroidle::tokenizer::detail
