// Byte-level BPE (Llama 3 vocabulary): metadata, BOS, special tokens, the whole-word rule, invalid UTF-8,
// random round trips, and a 60 KB unbroken CJK word checked against an independent merge implementation.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>
#include <unordered_map>

#include "tokenizer/pretokenizer.h"
#include "tokenizer_test_util.h"

namespace zeroidle::tokenizer {
namespace {

using Ids = std::vector<int32_t>;

// Llama 3 ids used below.
constexpr int32_t kBeginOfText = 128000;
constexpr int32_t kEndOfText = 128001;
constexpr int32_t kStartHeader = 128006;
constexpr int32_t kEndHeader = 128007;
constexpr int32_t kEotId = 128009;
constexpr int32_t kHello = 9906;

TEST(Bpe, MetadataOfTheLlama3Vocabulary) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  EXPECT_EQ(tok.model(), TokenizerModel::kByteLevelBpe);
  EXPECT_EQ(tok.n_vocab(), 128256);
  EXPECT_EQ(tok.bos(), kBeginOfText);
  EXPECT_EQ(tok.eos(), kEndOfText);
  EXPECT_EQ(tok.eot(), kEotId);  // no eot_token_id key: found by its text, as llama.cpp does
  EXPECT_TRUE(tok.is_eog(kEndOfText));
  EXPECT_TRUE(tok.is_eog(kEotId));
  EXPECT_FALSE(tok.is_eog(kHello));
  EXPECT_TRUE(tok.add_bos_default());
  EXPECT_TRUE(tok.is_control(kStartHeader));
  EXPECT_FALSE(tok.is_control(kHello));
  EXPECT_EQ(tok.token_type(kHello), TokenType::kNormal);
  EXPECT_EQ(tok.token_text(220), "\xC4\xA0");  // "Ġ", a space in GPT-2's byte mapping
  EXPECT_EQ(tok.find_token("<|eot_id|>"), kEotId);
  EXPECT_EQ(tok.chat_template(), ChatTemplate::kLlama3);  // no tokenizer.chat_template: from the vocabulary
}

TEST(Bpe, TinyLlama3ModelVocabularyLoads) {
  ZEROIDLE_REQUIRE_VOCAB(tok, "models/tiny-llama3-q4_k_m.gguf");
  ZEROIDLE_REQUIRE_VOCAB(ref, testing::kBpeVocab);
  EXPECT_EQ(tok.n_vocab(), 128256);
  EXPECT_EQ(tok.bos(), kBeginOfText);
  const std::string text = "The quick brown fox jumps over the lazy dog. 1234 \xE4\xBD\xA0\xE5\xA5\xBD!";
  EXPECT_EQ(tok.encode(text, true, false), ref.encode(text, true, false));
}

TEST(Bpe, BosIsAddedOnlyWhenAsked) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  EXPECT_EQ(tok.encode("Hello", true, false), (Ids{kBeginOfText, kHello}));
  EXPECT_EQ(tok.encode("Hello", false, false), (Ids{kHello}));
  EXPECT_EQ(tok.encode("", true, false), (Ids{kBeginOfText}));
  EXPECT_EQ(tok.encode("", false, false), Ids{});
  EXPECT_EQ(tok.decode(Ids{kBeginOfText, kHello}), "Hello");
  EXPECT_EQ(tok.decode(Ids{kBeginOfText, kHello}, true), "<|begin_of_text|>Hello");
}

TEST(Bpe, SpecialTokensAreParsedOnlyWhenAsked) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const std::string text = "<|start_header_id|>user<|end_header_id|>";
  const Ids user = tok.encode("user", false, false);
  Ids expected = {kStartHeader};
  expected.insert(expected.end(), user.begin(), user.end());
  expected.push_back(kEndHeader);
  EXPECT_EQ(tok.encode(text, false, true), expected);

  const Ids plain = tok.encode(text, false, false);
  for (int32_t id : plain) EXPECT_LT(id, kBeginOfText) << "a special token was parsed from plain text";
  EXPECT_EQ(tok.decode(plain), text);
  EXPECT_EQ(tok.decode(expected), "user");
  EXPECT_EQ(tok.decode(expected, true), text);
}

TEST(Bpe, SpecialTokensMatchLongestFirst) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const int32_t reserved_1 = tok.find_token("<|reserved_special_token_1|>");
  const int32_t reserved_10 = tok.find_token("<|reserved_special_token_10|>");
  ASSERT_GE(reserved_1, 0);
  ASSERT_GE(reserved_10, 0);
  EXPECT_EQ(tok.encode("<|reserved_special_token_10|>", false, true), (Ids{reserved_10}));
  EXPECT_EQ(
      tok.encode("a<|reserved_special_token_1|><|reserved_special_token_1|>b", false, true),
      (Ids{tok.encode("a", false, false)[0], reserved_1, reserved_1, tok.encode("b", false, false)[0]}));
  // A special token inside text splits it: the text on each side is tokenized on its own.
  const Ids split = tok.encode("Hello<|eot_id|> world", false, true);
  EXPECT_EQ(split, (Ids{kHello, kEotId, 1917}));
}

// llama-bpe looks each pre-token up whole before merging ("ignore_merges"): these tokens are not what
// the merge rules would build from their bytes.
TEST(Bpe, WholePreTokenIsLookedUpBeforeMerging) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  EXPECT_EQ(tok.encode(" Vi\xE1\xBB\x87t", false, false), (Ids{101798}));  // " Việt"
  EXPECT_EQ(tok.encode(" jeho", false, false), (Ids{101503}));
  EXPECT_EQ(tok.encode("lardan", false, false), (Ids{103084}));
}

TEST(Bpe, PiecesReverseTheByteMapping) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  EXPECT_EQ(tok.token_to_piece(220), " ");
  EXPECT_EQ(tok.token_to_piece(198), "\n");
  EXPECT_EQ(tok.token_to_piece(22691), " Hello");
  EXPECT_EQ(tok.token_to_piece(kEotId), "");
  EXPECT_EQ(tok.token_to_piece(kEotId, true), "<|eot_id|>");
  EXPECT_THROW(tok.token_to_piece(-1), std::out_of_range);
  EXPECT_THROW(tok.token_to_piece(128256), std::out_of_range);
}

// What llama.cpp tokenizes for arbitrary bytes: each byte that does not start a (leniently) well-formed
// sequence becomes U+FFFD; overlong forms are re-encoded shortest. Written independently of the library.
std::string llama_cpp_sanitized(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<uint8_t>(s[i]);
    const size_t len = b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cpt = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<uint8_t>(s[i + k]) & 0xC0) == 0x80;
      cpt = (cpt << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
    }
    if (!ok || cpt > 0x10FFFF) {
      out += "\xEF\xBF\xBD";
      i += 1;
      continue;
    }
    testing::append_utf8(out, cpt);
    i += len;
  }
  return out;
}

TEST(Bpe, InvalidUtf8BecomesReplacementCharacters) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  EXPECT_EQ(tok.decode(tok.encode("\xFF", false, false)), "\xEF\xBF\xBD");
  EXPECT_EQ(tok.decode(tok.encode("ab\xE2\x82", false, false)), "ab\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(tok.encode("\xFF", false, false), tok.encode("\xEF\xBF\xBD", false, false));
}

// Byte-level BPE covers every byte, so valid UTF-8 round-trips exactly; for arbitrary bytes what
// round-trips is llama.cpp's sanitized text (invalid UTF-8 is not representable by its tokenizer).
TEST(Bpe, RandomBytesRoundTripToTheSanitizedText) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  std::mt19937 rng(1234);
  for (int n = 0; n < 300; ++n) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 128 : rng() % 256);
    ASSERT_EQ(tok.decode(tok.encode(s, false, false)), llama_cpp_sanitized(s)) << ::testing::PrintToString(s);
  }
}

std::string random_utf8(std::mt19937& rng, size_t n_chars) {
  std::string s;
  for (size_t i = 0; i < n_chars; ++i) {
    uint32_t c = 0;
    switch (rng() % 6) {
      case 0:
        c = rng() % 0x80;
        break;
      case 1:
        c = 0x20 + rng() % 0x5F;
        break;
      case 2:
        c = 0x80 + rng() % 0x780;
        break;
      case 3:
        c = 0x800 + rng() % 0xF800;
        break;
      case 4:
        c = 0x4E00 + rng() % 0x5200;
        break;
      default:
        c = 0x10000 + rng() % 0x100000;
        break;
    }
    if (c >= 0xD800 && c <= 0xDFFF) c = 'x';  // surrogates are not valid UTF-8
    testing::append_utf8(s, c);
  }
  return s;
}

TEST(Bpe, RandomValidUtf8RoundTripsExactly) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  std::mt19937 rng(99);
  for (int n = 0; n < 300; ++n) {
    const std::string s = random_utf8(rng, rng() % 40);
    ASSERT_EQ(tok.decode(tok.encode(s, false, false)), s) << ::testing::PrintToString(s);
  }
}

// An independent BPE over GPT-2 byte-level strings, straight from the GGUF's tokens and merges: an
// ordered set of (rank, position) with eager removal of replaced pairs, std::string symbols.
class ReferenceBpe {
 public:
  explicit ReferenceBpe(const gguf::File& file) {
    const gguf::Array& tokens = file.get_array("tokenizer.ggml.tokens");
    for (size_t i = 0; i < tokens.items.size(); ++i)
      ids_[std::get<std::string>(tokens.items[i].v)] = static_cast<int32_t>(i);
    const gguf::Array& merges = file.get_array("tokenizer.ggml.merges");
    for (size_t i = 0; i < merges.items.size(); ++i)
      ranks_.emplace(std::get<std::string>(merges.items[i].v), static_cast<int>(i));
  }

  // The ids of one pre-token (raw bytes).
  Ids encode_word(const std::string& word) const {
    std::vector<std::string> sym;
    for (char c : word) sym.push_back(byte_level(static_cast<uint8_t>(c)));
    std::string whole;
    for (const std::string& s : sym) whole += s;
    if (auto it = ids_.find(whole); it != ids_.end()) return {it->second};
    const int n = static_cast<int>(sym.size());
    std::vector<int> next(n), prev(n), rank(n, -1);
    for (int i = 0; i < n; ++i) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    std::set<std::pair<int, int>> queue;
    auto update = [&](int i) {  // (re)computes the pair starting at symbol i
      if (i < 0) return;
      if (rank[i] >= 0) queue.erase({rank[i], i});
      rank[i] = -1;
      if (next[i] < 0) return;
      auto it = ranks_.find(sym[i] + " " + sym[next[i]]);
      if (it == ranks_.end()) return;
      rank[i] = it->second;
      queue.insert({rank[i], i});
    };
    for (int i = 0; i < n; ++i) update(i);
    while (!queue.empty()) {
      const int i = queue.begin()->second;
      const int j = next[i];
      if (rank[j] >= 0) queue.erase({rank[j], j});
      sym[i] += sym[j];
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      update(i);
      update(prev[i]);
    }
    Ids out;
    for (int i = 0; i != -1; i = next[i]) out.push_back(ids_.at(sym[i]));
    return out;
  }

 private:
  static std::string byte_level(uint8_t b) {
    uint32_t cpt = b;
    if (!((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE)) {
      uint32_t n = 0;  // rank of b among the unprintable bytes
      for (uint32_t c = 0; c < b; ++c)
        n += !((c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || c >= 0xAE);
      cpt = 0x100 + n;
    }
    std::string s;
    testing::append_utf8(s, cpt);
    return s;
  }

  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<std::string, int> ranks_;
};

const ReferenceBpe& reference_bpe(const gguf::File& file) {
  static const ReferenceBpe bpe(file);
  return bpe;
}

TEST(Bpe, LongCjkRunMatchesReferenceMerges) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  std::mt19937 rng(7);
  std::string run;  // 20000 ideographs = 60 KB, one pre-token
  const char* common[] = {"\xE7\x9A\x84", "\xE4\xB8\x80", "\xE6\x98\xAF",
                          "\xE4\xB8\x8D", "\xE4\xBA\x86", "\xE4\xBA\xBA"};
  while (run.size() < 60000) {
    if (rng() % 3 == 0) {
      run += common[rng() % 6];
    } else {
      testing::append_utf8(run, 0x4E00 + rng() % 0x5200);
    }
  }
  std::vector<uint32_t> ends;
  detail::split_llama3(run, ends);
  ASSERT_EQ(ends.size(), 1u) << "the run should be a single pre-token";

  const auto t0 = std::chrono::steady_clock::now();
  const Ids ids = tok.encode(run, false, false);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("60 KB CJK word: %zu tokens in %.1f ms\n", ids.size(), ms);  // informational, not asserted

  EXPECT_EQ(ids, reference_bpe(tok_loaded->file).encode_word(run));
  EXPECT_EQ(tok.decode(ids), run);
}

TEST(Bpe, RandomWordsMatchReferenceMerges) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const ReferenceBpe& ref = reference_bpe(tok_loaded->file);
  std::mt19937 rng(5);
  std::vector<uint32_t> ends;
  for (int n = 0; n < 2000; ++n) {
    const std::string text = random_utf8(rng, 1 + rng() % 12);
    detail::split_llama3(text, ends);
    Ids expected;
    uint32_t begin = 0;
    for (uint32_t end : ends) {
      const Ids w = ref.encode_word(text.substr(begin, end - begin));
      expected.insert(expected.end(), w.begin(), w.end());
      begin = end;
    }
    ASSERT_EQ(tok.encode(text, false, false), expected) << ::testing::PrintToString(text);
  }
}

// "" when equal; else where two id sequences first differ, with the pieces there.
std::string first_difference(const Tokenizer& tok, const Ids& got, const Ids& expected) {
  size_t i = 0;
  while (i < got.size() && i < expected.size() && got[i] == expected[i]) ++i;
  if (i == got.size() && i == expected.size()) return "";
  auto around = [&](const Ids& ids) {
    std::string s;
    for (size_t k = i; k < i + 6 && k < ids.size(); ++k) {
      s += std::to_string(ids[k]) + ":" + tok.token_to_piece(ids[k]) + " ";
    }
    return ::testing::PrintToString(s);
  };
  return "at " + std::to_string(i) + ": got " + around(got) + ", expected " + around(expected);
}

TEST(Bpe, MixedTextMatchesReferenceMerges) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const ReferenceBpe& ref = reference_bpe(tok_loaded->file);
  const std::vector<std::string> snippets = {
      "The quick brown fox jumps over the lazy dog. ",
      "It's 3:45pm and we'll ship v2.0.1 tomorrow!\n",
      "for (int i = 0; i < n; ++i) {\n    sum += a[i] * b[i];\n}\n",
      "    return {\"ok\": true, \"items\": [1, 2, 3]};\n",
      "Gr\xC3\xBC\xC3\x9F"
      "e aus M\xC3\xBC"
      "nchen, \xC3\xA7"
      "a va? ",
      "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8"
      "apple\xE5\xB7\xA5\xE4\xBD\x9C",
      "\xF0\x9F\x9A\x80 \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F ",
      "1234567.89 ",
      "\t\t\n\n  \n",
      "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80 ",
      "SELECT * FROM t WHERE x >= 42;\n"};
  std::mt19937 rng(3);
  std::string text;
  while (text.size() < 32768) text += snippets[rng() % snippets.size()];
  std::vector<uint32_t> ends;
  detail::split_llama3(text, ends);
  Ids expected;
  uint32_t begin = 0;
  for (uint32_t end : ends) {
    const Ids w = ref.encode_word(text.substr(begin, end - begin));
    expected.insert(expected.end(), w.begin(), w.end());
    begin = end;
  }
  EXPECT_EQ(first_difference(tok, tok.encode(text, false, false), expected), "");
}

}  // namespace
}  // namespace zeroidle::tokenizer
