// Tokenizers built from small in-memory GGUFs: the merge order of each model, user-defined tokens, the
// metadata keys, and one error per validation branch naming the key at fault.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::tokenizer {
namespace {

using Ids = std::vector<int32_t>;

gguf::Value str(std::string s) {
  return gguf::Value{std::move(s)};
}

gguf::Value str_array(const std::vector<std::string>& items) {
  gguf::Array a{gguf::ValueType::STRING, {}};
  for (const std::string& s : items) a.items.push_back(str(s));
  return gguf::Value{std::move(a)};
}

gguf::Value int_array(const std::vector<int32_t>& items) {
  gguf::Array a{gguf::ValueType::INT32, {}};
  for (int32_t v : items) a.items.push_back(gguf::Value{v});
  return gguf::Value{std::move(a)};
}

gguf::Value float_array(const std::vector<float>& items) {
  gguf::Array a{gguf::ValueType::FLOAT32, {}};
  for (float v : items) a.items.push_back(gguf::Value{v});
  return gguf::Value{std::move(a)};
}

// A GGUF held in memory (File::parse keeps a view of the bytes).
class MemoryGguf {
 public:
  void set(const std::string& key, gguf::Value v) { writer_.set(key, std::move(v)); }
  Tokenizer tokenizer() {
    bytes_ = writer_.bytes();
    file_ = std::make_unique<gguf::File>(gguf::File::parse(bytes_, "vocab.gguf"));
    return Tokenizer::from_gguf(*file_);
  }
  const gguf::File& file() const { return *file_; }

 private:
  gguf::Writer writer_;
  std::vector<uint8_t> bytes_;
  std::unique_ptr<gguf::File> file_;
};

// Byte-level BPE over "a", "b", "c" with the given merge rules (highest priority first).
MemoryGguf tiny_bpe(const std::vector<std::string>& merges) {
  MemoryGguf g;
  g.set("tokenizer.ggml.model", str("gpt2"));
  g.set("tokenizer.ggml.pre", str("llama-bpe"));
  g.set("tokenizer.ggml.tokens", str_array({"a", "b", "c", "ab", "bc", "<|end|>", "<tool>", "\xC4\xA0"}));
  g.set("tokenizer.ggml.token_type", int_array({1, 1, 1, 1, 1, 3, 4, 1}));
  g.set("tokenizer.ggml.merges", str_array(merges));
  g.set("tokenizer.ggml.bos_token_id", gguf::Value{uint32_t{5}});
  return g;
}

// SentencePiece over "▁", "a", "b" with the given scores for "▁a" and "ab".
MemoryGguf tiny_spm(float score_space_a, float score_ab) {
  MemoryGguf g;
  g.set("tokenizer.ggml.model", str("llama"));
  std::vector<std::string> tokens = {"<unk>",
                                     "<s>",
                                     "</s>",
                                     "\xE2\x96\x81",
                                     "a",
                                     "b",
                                     "\xE2\x96\x81"
                                     "a",
                                     "ab"};
  std::vector<float> scores = {0, 0, 0, -1, -1, -1, score_space_a, score_ab};
  std::vector<int32_t> types = {2, 3, 3, 1, 1, 1, 1, 1};
  for (int b = 0; b < 256; ++b) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
    tokens.push_back(hex);
    scores.push_back(0);
    types.push_back(6);
  }
  g.set("tokenizer.ggml.tokens", str_array(tokens));
  g.set("tokenizer.ggml.scores", float_array(scores));
  g.set("tokenizer.ggml.token_type", int_array(types));
  return g;
}

TEST(TinyVocab, BpeMergesLowestRankFirst) {
  MemoryGguf bc_first = tiny_bpe({"b c", "a b"});
  EXPECT_EQ(bc_first.tokenizer().encode("abc", false, false), (Ids{0, 4}));  // a + bc
  MemoryGguf ab_first = tiny_bpe({"a b", "b c"});
  EXPECT_EQ(ab_first.tokenizer().encode("abc", false, false), (Ids{3, 2}));  // ab + c
}

TEST(TinyVocab, SpmMergesHighestScoreFirst) {
  MemoryGguf space_a = tiny_spm(-0.5f, -2.0f);
  EXPECT_EQ(space_a.tokenizer().encode("ab", false, false), (Ids{6, 5}));  // ▁a + b
  MemoryGguf ab = tiny_spm(-2.0f, -0.5f);
  EXPECT_EQ(ab.tokenizer().encode("ab", false, false), (Ids{3, 7}));  // ▁ + ab
  // Characters outside the vocabulary fall back to their bytes.
  EXPECT_EQ(ab.tokenizer().encode("c", false, false), (Ids{3, 8 + 'c'}));
}

TEST(TinyVocab, SpmAddSpacePrefixCanBeTurnedOff) {
  MemoryGguf g = tiny_spm(-0.5f, -2.0f);
  g.set("tokenizer.ggml.add_space_prefix", gguf::Value{false});
  const Tokenizer tok = g.tokenizer();
  EXPECT_EQ(tok.encode("ab", false, false), (Ids{7}));  // no "▁": "ab" merges whole
  EXPECT_EQ(tok.decode(Ids{6}), " a");                  // nothing was added, so nothing is removed
}

TEST(TinyVocab, UserDefinedTokensMatchWithoutParseSpecial) {
  MemoryGguf g = tiny_bpe({"a b"});
  const Tokenizer tok = g.tokenizer();
  EXPECT_EQ(tok.encode("a<tool>b", false, false), (Ids{0, 6, 1}));
  EXPECT_EQ(tok.encode("a<|end|>", false, true), (Ids{0, 5}));
  EXPECT_EQ(tok.token_to_piece(6), "<tool>");  // user-defined tokens always render
  EXPECT_EQ(tok.token_to_piece(5), "");
  EXPECT_TRUE(tok.is_eog(5));  // "<|end|>" ends a turn by its text, as in llama.cpp
  EXPECT_EQ(tok.eot(), 5);
}

TEST(TinyVocab, MetadataKeys) {
  MemoryGguf g = tiny_bpe({"a b"});
  g.set("tokenizer.ggml.add_bos_token", gguf::Value{false});
  g.set("tokenizer.ggml.eos_token_id", gguf::Value{int32_t{5}});
  g.set("tokenizer.ggml.padding_token_id", gguf::Value{uint32_t{0xFFFFFFFF}});
  g.set("tokenizer.chat_template",
        str("{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]"));
  const Tokenizer tok = g.tokenizer();
  EXPECT_FALSE(tok.add_bos_default());
  EXPECT_EQ(tok.bos(), 5);
  EXPECT_EQ(tok.eos(), 5);
  EXPECT_EQ(tok.pad(), -1);
  EXPECT_EQ(tok.chat_template(), ChatTemplate::kMistral);
  EXPECT_EQ(detect_chat_template(g.file(), tok), ChatTemplate::kMistral);
}

// from_gguf's error names the key (and the file).
void expect_error_naming(MemoryGguf& g, const std::string& key) {
  try {
    g.tokenizer();
    ADD_FAILURE() << "no error; expected one naming " << key;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("vocab.gguf"), std::string::npos) << e.what();
  }
}

TEST(TinyVocabErrors, MissingModel) {
  MemoryGguf g;
  g.set("tokenizer.ggml.tokens", str_array({"a"}));
  expect_error_naming(g, "tokenizer.ggml.model");
}

TEST(TinyVocabErrors, UnsupportedModel) {
  MemoryGguf g = tiny_bpe({"a b"});
  g.set("tokenizer.ggml.model", str("bert"));
  expect_error_naming(g, "tokenizer.ggml.model");
}

TEST(TinyVocabErrors, UnsupportedOrMissingPreTokenizer) {
  MemoryGguf g = tiny_bpe({"a b"});
  g.set("tokenizer.ggml.pre", str("qwen2"));
  expect_error_naming(g, "tokenizer.ggml.pre");
  MemoryGguf no_pre;
  no_pre.set("tokenizer.ggml.model", str("gpt2"));
  no_pre.set("tokenizer.ggml.tokens", str_array({"a"}));
  expect_error_naming(no_pre, "tokenizer.ggml.pre");
}

TEST(TinyVocabErrors, MissingTokens) {
  MemoryGguf g;
  g.set("tokenizer.ggml.model", str("llama"));
  expect_error_naming(g, "tokenizer.ggml.tokens");
}

TEST(TinyVocabErrors, TokensOfTheWrongType) {
  MemoryGguf g;
  g.set("tokenizer.ggml.model", str("llama"));
  g.set("tokenizer.ggml.tokens", int_array({1, 2}));
  expect_error_naming(g, "tokenizer.ggml.tokens");
}

TEST(TinyVocabErrors, MissingMerges) {
  MemoryGguf g;
  g.set("tokenizer.ggml.model", str("gpt2"));
  g.set("tokenizer.ggml.pre", str("llama-bpe"));
  g.set("tokenizer.ggml.tokens", str_array({"a", "b"}));
  expect_error_naming(g, "tokenizer.ggml.merges");
}

TEST(TinyVocabErrors, MergeWithoutSpace) {
  MemoryGguf g = tiny_bpe({"a b", "bc"});
  expect_error_naming(g, "tokenizer.ggml.merges");
}

TEST(TinyVocabErrors, TokenTypeCountMismatch) {
  MemoryGguf g = tiny_bpe({"a b"});
  g.set("tokenizer.ggml.token_type", int_array({1, 1}));
  expect_error_naming(g, "tokenizer.ggml.token_type");
}

TEST(TinyVocabErrors, ScoresCountMismatch) {
  MemoryGguf g = tiny_spm(-1, -1);
  g.set("tokenizer.ggml.scores", float_array({0.0f}));
  expect_error_naming(g, "tokenizer.ggml.scores");
}

TEST(TinyVocabErrors, SpecialIdOutsideTheVocabulary) {
  MemoryGguf g = tiny_bpe({"a b"});
  g.set("tokenizer.ggml.bos_token_id", gguf::Value{uint32_t{128000}});
  expect_error_naming(g, "tokenizer.ggml.bos_token_id");
}

TEST(TinyVocabErrors, FlagOfTheWrongType) {
  MemoryGguf g = tiny_bpe({"a b"});
  g.set("tokenizer.ggml.add_bos_token", str("yes"));
  expect_error_naming(g, "tokenizer.ggml.add_bos_token");
}

}  // namespace
}  // namespace zeroidle::tokenizer
