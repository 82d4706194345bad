// UTF-8 decoding with llama.cpp's leniency, sanitizing, code point classes, GPT-2's byte mapping and the
// llama-bpe pre-tokenizer split.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/unicode.h"

namespace zeroidle::tokenizer::detail {
namespace {

TEST(DecodeUtf8, ValidSequences) {
  EXPECT_EQ(decode_utf8("A", 1).cpt, 0x41u);
  const DecodedCpt e_acute = decode_utf8("\xC3\xA9", 2);
  EXPECT_TRUE(e_acute.valid);
  EXPECT_EQ(e_acute.cpt, 0xE9u);
  EXPECT_EQ(e_acute.len, 2u);
  EXPECT_EQ(decode_utf8("\xE2\x82\xAC", 3).cpt, 0x20ACu);       // €
  EXPECT_EQ(decode_utf8("\xF0\x9F\xA6\x99", 4).cpt, 0x1F999u);  // 🦙
}

TEST(DecodeUtf8, LenientLikeLlamaCpp) {
  // Overlong forms and surrogates decode (llama.cpp does not reject them).
  EXPECT_EQ(decode_utf8("\xC0\x80", 2).cpt, 0u);
  EXPECT_TRUE(decode_utf8("\xED\xA0\x80", 3).valid);
  EXPECT_EQ(decode_utf8("\xED\xA0\x80", 3).cpt, 0xD800u);
}

TEST(DecodeUtf8, InvalidBytesAreOneReplacementCharacter) {
  for (std::string bad : {std::string("\x80"), std::string("\xBF"), std::string("\xF8\x80\x80\x80"),
                          std::string("\xFF"), std::string("\xC3"), std::string("\xE2\x82"),
                          std::string("\xC3\x41"), std::string("\xF4\x90\x80\x80")}) {
    const DecodedCpt d = decode_utf8(bad.data(), bad.size());
    EXPECT_FALSE(d.valid) << ::testing::PrintToString(bad);
    EXPECT_EQ(d.cpt, kReplacementChar);
    EXPECT_EQ(d.len, 1u);
  }
}

TEST(SanitizeUtf8, CleanTextIsReturnedAsIs) {
  std::string storage;
  const std::string text = "plain ASCII, caf\xC3\xA9, \xF0\x9F\xA6\x99";
  EXPECT_EQ(sanitize_utf8(text, storage).data(), text.data());
  EXPECT_TRUE(storage.empty());
}

TEST(SanitizeUtf8, InvalidBytesBecomeReplacementCharacters) {
  std::string storage;
  EXPECT_EQ(sanitize_utf8("a\xFF"
                          "b",
                          storage),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitize_utf8("\xE2\x82", storage), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated: one per byte
  EXPECT_EQ(sanitize_utf8("x\xC0\x80y", storage), std::string("x\0y", 3));    // overlong: shortest form
}

TEST(CharClass, SpotChecks) {
  EXPECT_EQ(char_class('a'), CharClass::kLetter);
  EXPECT_EQ(char_class('7'), CharClass::kNumber);
  EXPECT_EQ(char_class(' '), CharClass::kWhitespace);
  EXPECT_EQ(char_class('\n'), CharClass::kWhitespace);
  EXPECT_EQ(char_class('!'), CharClass::kOther);
  EXPECT_EQ(char_class(0xBD), CharClass::kNumber);        // ½ (No)
  EXPECT_EQ(char_class(0xC4), CharClass::kLetter);        // Ä
  EXPECT_EQ(char_class(0x85), CharClass::kWhitespace);    // NEL
  EXPECT_EQ(char_class(0xA0), CharClass::kWhitespace);    // NBSP
  EXPECT_EQ(char_class(0x3000), CharClass::kWhitespace);  // ideographic space
  EXPECT_EQ(char_class(0x200B), CharClass::kOther);       // zero-width space is not White_Space
  EXPECT_EQ(char_class(0x4E2D), CharClass::kLetter);      // 中
  EXPECT_EQ(char_class(0x0E31), CharClass::kOther);       // Thai vowel sign (Mn)
  EXPECT_EQ(char_class(0x1F680), CharClass::kOther);      // 🚀
  EXPECT_EQ(char_class(0x2EBF0), CharClass::kLetter);     // CJK Extension I (Unicode 15.1, as llama.cpp)
  EXPECT_EQ(char_class(0x1C89), CharClass::kOther);       // unassigned before Unicode 16 (as llama.cpp)
  EXPECT_EQ(char_class(0x110000), CharClass::kOther);
}

TEST(ByteLevel, MapIsGpt2BytesToUnicode) {
  EXPECT_EQ(byte_level_cpt('A'), 0x41u);
  EXPECT_EQ(byte_level_cpt(' '), 0x120u);   // Ġ
  EXPECT_EQ(byte_level_cpt('\n'), 0x10Au);  // Ċ
  EXPECT_EQ(byte_level_cpt(0x00), 0x100u);
  EXPECT_EQ(byte_level_cpt(0xAD), 0x143u);  // the last unprintable byte
  for (int b = 0; b < 256; ++b) EXPECT_EQ(byte_of_level_cpt(byte_level_cpt(static_cast<uint8_t>(b))), b);
  EXPECT_EQ(byte_of_level_cpt(0x20), -1);
  EXPECT_EQ(byte_of_level_cpt(0x144), -1);
}

TEST(ByteLevel, DecodeInvertsEncode) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string back;
  ASSERT_TRUE(byte_level_decode(byte_level_encode(all), back));
  EXPECT_EQ(back, all);
  std::string out;
  EXPECT_FALSE(byte_level_decode("a b", out));           // a raw space is not byte-level text
  EXPECT_FALSE(byte_level_decode("\xE4\xB8\xAD", out));  // nor is 中
}

std::vector<std::string> split(const std::string& text) {
  std::vector<uint32_t> ends;
  split_llama3(text, ends);
  std::vector<std::string> words;
  uint32_t begin = 0;
  for (uint32_t end : ends) {
    words.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return words;
}

using Words = std::vector<std::string>;

TEST(PreTokenizer, WordsKeepTheirLeadingSpace) {
  EXPECT_EQ(split("Hello world"), (Words{"Hello", " world"}));
  EXPECT_EQ(split("  Hello"), (Words{" ", " Hello"}));
  EXPECT_EQ(split("Hello  "), (Words{"Hello", "  "}));
}

TEST(PreTokenizer, ContractionsAreCaseInsensitive) {
  EXPECT_EQ(split("I'm"), (Words{"I", "'m"}));
  EXPECT_EQ(split("WE'LL"), (Words{"WE", "'LL"}));
  EXPECT_EQ(split("they're"), (Words{"they", "'re"}));
  EXPECT_EQ(split("' era"), (Words{"'", " era"}));
}

TEST(PreTokenizer, DigitsInRunsOfAtMostThree) {
  EXPECT_EQ(split("1234567"), (Words{"123", "456", "7"}));
  EXPECT_EQ(split("a 12"), (Words{"a", " ", "12"}));
  EXPECT_EQ(split("x\xC2\xBD"), (Words{"x", "\xC2\xBD"}));  // ½ is \p{N}
}

TEST(PreTokenizer, PunctuationTakesOneSpaceAndTrailingNewlines) {
  EXPECT_EQ(split("a, b"), (Words{"a", ",", " b"}));
  EXPECT_EQ(split(" ()\n\nx"), (Words{" ()\n\n", "x"}));
  EXPECT_EQ(split("$x"), (Words{"$x"}));  // [^\r\n\p{L}\p{N}]?\p{L}+ takes one symbol before letters
}

TEST(PreTokenizer, NewlinesAndWhitespace) {
  EXPECT_EQ(split("a\n\nb"), (Words{"a", "\n\n", "b"}));
  EXPECT_EQ(split(" \n \n  x"), (Words{" \n \n", " ", " x"}));
  EXPECT_EQ(split("\t\t"), (Words{"\t\t"}));
  EXPECT_EQ(split("a \t b"), (Words{"a", " \t", " b"}));
}

TEST(PreTokenizer, NonAsciiClasses) {
  EXPECT_EQ(split("\xD0\xBD\xD0\xB5 \xD0\xBD\xD0\xB0"),
            (Words{"\xD0\xBD\xD0\xB5", " \xD0\xBD\xD0\xB0"}));                    // не на
  EXPECT_EQ(split("\xF0\x9F\xA6\x99.cpp"), (Words{"\xF0\x9F\xA6\x99.", "cpp"}));  // 🦙.cpp
  EXPECT_EQ(split("\xE3\x80\x80x"), (Words{"\xE3\x80\x80x"}));  // ideographic space + letter: one word
}

TEST(PreTokenizer, EmptyText) {
  EXPECT_TRUE(split("").empty());
}

}  // namespace
}  // namespace zeroidle::tokenizer::detail
