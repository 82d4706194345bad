// llama.cpp's tokenizer test vectors (test-tokenizer-0: add_special = false, parse_special = false) for
// the Llama 3 byte-level BPE and the Llama 2 SentencePiece vocabularies, and decode(encode(text)) == text
// on the same texts.
#include <gtest/gtest.h>

#include "tokenizer_test_util.h"

namespace zeroidle::tokenizer {
namespace {

using testing::read_vocab_cases;

std::string ids_to_string(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) {
    if (!s.empty()) s += ' ';
    s += std::to_string(id);
  }
  return s;
}

void expect_reference_cases(const Tokenizer& tok, const std::filesystem::path& vocab_path) {
  const std::vector<testing::VocabCase> cases = read_vocab_cases(vocab_path);
  ASSERT_EQ(cases.size(), 46u) << "unexpected number of cases in " << vocab_path << ".inp";
  for (const testing::VocabCase& c : cases) {
    EXPECT_EQ(ids_to_string(tok.encode(c.text, false, false)), ids_to_string(c.ids))
        << "text: \"" << c.text << "\"";
  }
}

void expect_round_trips(const Tokenizer& tok, const std::filesystem::path& vocab_path) {
  for (const testing::VocabCase& c : read_vocab_cases(vocab_path)) {
    EXPECT_EQ(tok.decode(tok.encode(c.text, false, false)), c.text);
    EXPECT_EQ(tok.decode(tok.encode(c.text, true, false)), c.text) << "with BOS";
    EXPECT_EQ(tok.decode(c.ids), c.text) << "decoding llama.cpp's ids";
  }
}

TEST(ReferenceVectors, LlamaBpeMatchesLlamaCpp) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  expect_reference_cases(tok, tok_path);
}

TEST(ReferenceVectors, LlamaSpmMatchesLlamaCpp) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kSpmVocab);
  expect_reference_cases(tok, tok_path);
}

TEST(ReferenceVectors, LlamaBpeDecodeInvertsEncode) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  expect_round_trips(tok, tok_path);
}

// SentencePiece prefixes a space; decode removes exactly that one (so leading spaces of the text survive).
TEST(ReferenceVectors, LlamaSpmDecodeInvertsEncode) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kSpmVocab);
  expect_round_trips(tok, tok_path);
}

}  // namespace
}  // namespace zeroidle::tokenizer
