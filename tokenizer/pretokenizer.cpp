#include "tokenizer/pretokenizer.h"

#include <array>

namespace zeroidle::tokenizer::detail {
namespace {

constexpr uint8_t kOther = static_cast<uint8_t>(CharClass::kOther);
constexpr uint8_t kLetter = static_cast<uint8_t>(CharClass::kLetter);
constexpr uint8_t kNumber = static_cast<uint8_t>(CharClass::kNumber);
constexpr uint8_t kSpace = static_cast<uint8_t>(CharClass::kWhitespace);
constexpr uint8_t kEnd = 4;  // past the end of the text: matches no class (llama.cpp's empty flags)
constexpr uint32_t kEndCpt = 0xFFFFFFFF;

constexpr std::array<uint8_t, 128> make_ascii_classes() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    t[c] = letter                              ? kLetter
           : (c >= '0' && c <= '9')            ? kNumber
           : (c == ' ' || (c >= 9 && c <= 13)) ? kSpace
                                               : kOther;
  }
  return t;
}
constexpr std::array<uint8_t, 128> kAsciiClasses = make_ascii_classes();

uint32_t ascii_lower(uint32_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
bool is_cr_or_lf(uint32_t c) {
  return c == '\r' || c == '\n';
}

}  // namespace

// ASCII inline; the rest through decode_at.
inline Llama3PreTokenizer::Char Llama3PreTokenizer::at(size_t pos) const {
  if (pos >= text_.size()) return {kEndCpt, kEnd, 0};
  const auto b = static_cast<uint8_t>(text_[pos]);
  if (b < 0x80) return {b, kAsciiClasses[b], 1};
  return decode_at(pos);
}

Llama3PreTokenizer::Char Llama3PreTokenizer::decode_at(size_t pos) const {
  const DecodedCpt d = decode_utf8(text_.data() + pos, text_.size() - pos);
  return {d.cpt, static_cast<uint8_t>(char_class(d.cpt)), static_cast<uint8_t>(d.len)};
}

size_t Llama3PreTokenizer::next_end(size_t pos) const {
  const Char c = at(pos);
  if (size_t end = contraction(pos, c)) return end;
  if (size_t end = letters(pos, c)) return end;
  if (size_t end = digits(pos, c)) return end;
  if (size_t end = punctuation(pos, c)) return end;
  if (size_t end = whitespace(pos)) return end;
  return pos + c.size;  // nothing matched: the code point stands alone
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)
size_t Llama3PreTokenizer::contraction(size_t pos, Char c) const {
  if (c.cpt != '\'') return 0;
  const Char c1 = at(pos + 1);
  if (c1.size == 0) return 0;
  const uint32_t l1 = ascii_lower(c1.cpt);
  if (l1 == 's' || l1 == 't' || l1 == 'm' || l1 == 'd') return pos + 1 + c1.size;
  const Char c2 = at(pos + 1 + c1.size);
  if (c2.size == 0) return 0;
  const uint32_t l2 = ascii_lower(c2.cpt);
  const bool two = (l1 == 'r' && l2 == 'e') || (l1 == 'v' && l2 == 'e') || (l1 == 'l' && l2 == 'l');
  return two ? pos + 1 + c1.size + c2.size : 0;
}

// [^\r\n\p{L}\p{N}]?\p{L}+
size_t Llama3PreTokenizer::letters(size_t pos, Char c) const {
  if (is_cr_or_lf(c.cpt) || c.cls == kNumber) return 0;
  size_t end = pos + c.size;
  if (c.cls != kLetter && cls(end) != kLetter) return 0;
  for (Char next = at(end); next.cls == kLetter; next = at(end)) end += next.size;
  return end;
}

// \p{N}{1,3}
size_t Llama3PreTokenizer::digits(size_t pos, Char c) const {
  if (c.cls != kNumber) return 0;
  size_t end = pos + c.size;
  for (int n = 1; n < 3; ++n) {
    const Char next = at(end);
    if (next.cls != kNumber) break;
    end += next.size;
  }
  return end;
}

//  ?[^\s\p{L}\p{N}]+[\r\n]*
size_t Llama3PreTokenizer::punctuation(size_t pos, Char c) const {
  size_t end = c.cpt == ' ' ? pos + 1 : pos;
  if (cls(end) != kOther) return 0;
  for (Char next = at(end); next.cls == kOther; next = at(end)) end += next.size;
  while (end < text_.size() && is_cr_or_lf(static_cast<uint8_t>(text_[end]))) ++end;
  return end;
}

// \s*[\r\n]+ | \s+(?!\S) | \s+
size_t Llama3PreTokenizer::whitespace(size_t pos) const {
  size_t end = pos;
  size_t last_space = pos;  // start of the last whitespace code point
  size_t last_newline_end = 0;
  for (Char next = at(end); next.cls == kSpace; next = at(end)) {
    last_space = end;
    end += next.size;
    if (is_cr_or_lf(next.cpt)) last_newline_end = end;
  }
  if (last_newline_end > 0) return last_newline_end;
  if (end == pos) return 0;
  const bool several = last_space > pos;
  if (several && end < text_.size()) return last_space;  // leave the last one to prefix the next word
  return end;
}

void split_llama3(std::string_view text, std::vector<uint32_t>& ends) {
  ends.clear();
  const Llama3PreTokenizer pre(text);
  for (size_t pos = 0; pos < text.size();) {
    pos = pre.next_end(pos);
    ends.push_back(static_cast<uint32_t>(pos));
  }
}

}  // namespace zeroidle::tokenizer::detail
