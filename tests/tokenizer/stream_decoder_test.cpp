// StreamDecoder: multi-byte characters split over tokens come out whole, and nothing is lost.
#include <gtest/gtest.h>

#include "tokenizer_test_util.h"

namespace zeroidle::tokenizer {
namespace {

using Ids = std::vector<int32_t>;

// 🦙 in the Llama 3 vocabulary is three tokens: "ðŁ" (F0 9F), "¦" (A6), "Ļ" (99).
TEST(StreamDecoder, HoldsBackAnEmojiUntilItIsComplete) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const Ids ids = tok.encode("\xF0\x9F\xA6\x99!", false, false);
  ASSERT_GE(ids.size(), 3u);
  StreamDecoder dec(tok);
  std::string out;
  std::vector<std::string> chunks;
  for (int32_t id : ids) chunks.push_back(dec.push(id));
  EXPECT_EQ(chunks.front(), "") << "the first token holds only part of the emoji";
  for (const std::string& c : chunks) out += c;
  EXPECT_EQ(out, "\xF0\x9F\xA6\x99!");
  EXPECT_EQ(dec.flush(), "");
}

TEST(StreamDecoder, SentencePieceByteTokens) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kSpmVocab);
  StreamDecoder dec(tok);
  EXPECT_EQ(dec.push(15043), " Hello");  // pieces keep their space: a stream continues a prompt
  EXPECT_EQ(dec.push(243), "");          // <0xF0>
  EXPECT_EQ(dec.push(162), "");          // <0x9F>
  EXPECT_EQ(dec.push(169), "");          // <0xA6>
  EXPECT_EQ(dec.push(156), "\xF0\x9F\xA6\x99");
}

TEST(StreamDecoder, EveryByteComesOutOnceInOrder) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const std::string text =
      "Gr\xC3\xBC\xC3\x9F"
      "e \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F";
  const Ids ids = tok.encode(text, false, false);
  StreamDecoder dec(tok);
  std::string out;
  for (int32_t id : ids) {
    const std::string chunk = dec.push(id);
    // Every chunk is whole characters: its last character is complete.
    if (!chunk.empty()) {
      size_t lead = chunk.size() - 1;
      while (lead > 0 && (static_cast<uint8_t>(chunk[lead]) & 0xC0) == 0x80) --lead;
      const auto b = static_cast<uint8_t>(chunk[lead]);
      const size_t need = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      EXPECT_EQ(chunk.size() - lead, need) << "chunk ends inside a character";
    }
    out += chunk;
  }
  out += dec.flush();
  EXPECT_EQ(out, text);
}

TEST(StreamDecoder, FlushReturnsAnUnfinishedCharacter) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kSpmVocab);
  StreamDecoder dec(tok);
  EXPECT_EQ(dec.push(243), "");  // <0xF0> starts a 4-byte character
  EXPECT_EQ(dec.flush(), "\xF0");
  EXPECT_EQ(dec.flush(), "");
}

TEST(StreamDecoder, InvalidBytesPassThrough) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kSpmVocab);
  StreamDecoder dec(tok);
  EXPECT_EQ(dec.push(3 + 0x80), "\x80");  // <0x80>: a stray continuation byte can never complete
  EXPECT_EQ(dec.push(3 + 0xC3), "");      // <0xC3>: waits for one continuation byte
  EXPECT_EQ(dec.push(3 + 'A'),
            "\xC3"
            "A");  // 'A' cannot continue it: both come out
}

TEST(StreamDecoder, SpecialTokensOnlyWhenAsked) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  StreamDecoder plain(tok);
  EXPECT_EQ(plain.push(128009), "");
  StreamDecoder special(tok, /*special=*/true);
  EXPECT_EQ(special.push(128009), "<|eot_id|>");
}

}  // namespace
}  // namespace zeroidle::tokenizer
