// TokenConstraint: the cached token masks equal the byte automaton's verdict token by token, end of
// generation is allowed exactly when the document is complete (and forced once nothing else can
// follow), special tokens never pass, forced and closing tokens are valid.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/shared_dir.h"
#include "engine/json/mask_cache.h"
#include "engine/json/token_constraint.h"
#include "json_test_schemas.h"
#include "json_vocab.h"

namespace zeroidle::engine::json {
namespace {

bool bit(const std::vector<uint32_t>& mask, int32_t t) {
  return (mask[t >> 5] >> (t & 31) & 1) != 0;
}

// Every byte, some multi-byte tokens that span JSON elements, two specials (one ends generation) and
// an empty token.
std::shared_ptr<const TokenTrie> synthetic_trie() {
  auto v = std::make_shared<Vocab>();
  for (int b = 0; b < 256; ++b) v->token_bytes.push_back(std::string(1, static_cast<char>(b)));
  for (const char* t :
       {"{\"",      "\":",    "\",\"",        "\"}",      "\"}]", "},{\"",      "name", "\":\"", "true",
        "12",       " hello", "\\n",          "\\u00",    "null", "\"a\"",      "],\"", "0.",    "-1",
        "\xE6\x97", "\xA5\"", "{\"name\":\"", "\"name\"", "USD",  "\"USD\",\"", ":[",   "1,",    "\"\"",
        "\":[{\"",  "é",      "日本"}) {
    v->token_bytes.push_back(t);
  }
  v->token_bytes.push_back("<eot>");
  v->token_bytes.push_back("<ctl>");
  v->token_bytes.push_back("");
  v->token_bytes.push_back("12");  // a duplicate string
  v->is_special.assign(v->token_bytes.size(), false);
  const auto n = static_cast<int32_t>(v->token_bytes.size());
  v->is_special[n - 4] = true;
  v->is_special[n - 3] = true;
  v->eog_ids = {n - 4};
  return std::make_shared<const TokenTrie>(v);
}

// Walks random trajectories and compares allowed() with is_allowed() for every token at every step.
void expect_masks_exact(const std::shared_ptr<const TokenTrie>& trie, const std::vector<std::string>& schemas,
                        int trajectories, int max_steps) {
  std::vector<uint32_t> mask;
  for (size_t i = 0; i < schemas.size(); ++i) {
    const auto masks = TokenConstraint::make_masks(Schema::parse(schemas[i]), trie);
    for (int traj = 0; traj < trajectories; ++traj) {
      std::mt19937 rng(static_cast<uint32_t>(traj * 31 + i));
      TokenConstraint c(masks);
      for (int step = 0; step < max_steps && !c.done(); ++step) {
        c.allowed(mask);
        std::vector<int32_t> ids;
        for (int32_t t = 0; t < static_cast<int32_t>(trie->n_vocab()); ++t) {
          ASSERT_EQ(bit(mask, t), c.is_allowed(t)) << "schema " << i << " step " << step << " token " << t
                                                   << " '" << trie->vocab().token_bytes[t] << "'";
          if (bit(mask, t)) ids.push_back(t);
        }
        ASSERT_FALSE(ids.empty()) << "schema " << i << " step " << step;
        c.accept(ids[rng() % ids.size()]);
      }
    }
  }
}

TEST(JsonConstraint, MasksEqualTheAutomatonOnASyntheticVocab) {
  expect_masks_exact(synthetic_trie(), testing::test_schemas(), 4, 60);
}

TEST(JsonConstraint, MasksEqualTheAutomatonOnSentencePiece) {
  ZEROIDLE_REQUIRE_SHARED(model, "models/stories260K.gguf");
  expect_masks_exact(testing::cached_trie(model.string()), testing::test_schemas(), 3, 50);
}

void expect_exhaustive_at(const std::shared_ptr<MaskCache>& masks, const std::vector<std::string>& prefixes);

TEST(JsonConstraint, MasksEqualTheAutomatonOnLlama3AtSampledStates) {
  ZEROIDLE_REQUIRE_SHARED(model, "models/tiny-llama3-q4_k_m.gguf");
  const auto trie = testing::cached_trie(model.string());
  EXPECT_EQ(trie->n_vocab(), 128256u);
  const auto masks = TokenConstraint::make_masks(Schema::parse(testing::kInvoiceSchema), trie);
  // Exhaustive comparison at states of every kind: key start, inside a string, number, enum, array.
  const std::vector<std::string> prefixes = {
      "",
      "{\"vendor\":\"Acme",
      "{\"vendor\":\"A\",\"invoice_number\":\"",
      "{\"vendor\":\"A\",\"invoice_number\":\"7\",\"date\":\"2024-01-0",
      "{\"vendor\":\"A\",\"invoice_number\":\"7\",\"date\":\"2024-01-01\",\"currency\":\"",
      "{\"vendor\":\"A\",\"invoice_number\":\"7\",\"date\":\"2024-01-01\",\"currency\":\"EUR\",\"total\":12",
      "{\"vendor\":\"A\",\"invoice_number\":\"7\",\"date\":\"2024-01-01\",\"currency\":\"EUR\",\"total\":1,"
      "\"line_items\":[{\"description\":\"x\",\"quantity\":2,\"unit_price\":3}"};
  expect_exhaustive_at(masks, prefixes);
  // Ranged numbers: digit tokens are taken by value intervals; fractions and negatives included.
  const auto numbers = TokenConstraint::make_masks(Schema::parse(testing::test_schemas()[4]), trie);
  expect_exhaustive_at(numbers,
                       {"{\"n1\":", "{\"n1\":0.", "{\"n1\":0.5,\"n2\":0.1", "{\"n1\":1,\"n2\":0.4,\"n3\":-",
                        "{\"n1\":1,\"n2\":0.4,\"n3\":-3.7", "{\"n1\":1,\"n2\":0.4,\"n3\":2,\"n4\":0.00"});
  const auto integers = TokenConstraint::make_masks(Schema::parse(testing::test_schemas()[3]), trie);
  expect_exhaustive_at(integers,
                       {"{\"i1\":1", "{\"i1\":150,\"i2\":-99", "{\"i1\":150,\"i2\":-999,\"i3\":12345",
                        "{\"i1\":150,\"i2\":-999,\"i3\":0,\"i4\":-"});
}

// Compares allowed() with is_allowed() for every token after each prefix.
void expect_exhaustive_at(const std::shared_ptr<MaskCache>& masks, const std::vector<std::string>& prefixes) {
  const TokenTrie& trie = masks->trie();
  std::vector<uint32_t> mask;
  for (const std::string& prefix : prefixes) {
    TokenConstraint c(masks);
    for (int32_t t : trie.tokenize_greedy(prefix)) c.accept(t);
    c.allowed(mask);
    int allowed = 0;
    for (int32_t t = 0; t < static_cast<int32_t>(trie.n_vocab()); ++t) {
      ASSERT_EQ(bit(mask, t), c.is_allowed(t))
          << "after '" << prefix << "' token " << t << " '" << trie.vocab().token_bytes[t] << "'";
      allowed += bit(mask, t);
    }
    EXPECT_GT(allowed, 0) << prefix;
  }
}

TEST(JsonConstraint, EndOfGenerationOnlyWhenCompleteAndThenForced) {
  const auto trie = synthetic_trie();
  const int32_t eot = trie->vocab().eog_ids[0];
  const int32_t ctl = eot + 1;
  TokenConstraint c(
      Schema::parse(R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})"),
      trie);
  std::vector<uint32_t> mask;
  c.allowed(mask);
  EXPECT_FALSE(bit(mask, eot));
  EXPECT_FALSE(bit(mask, ctl));
  EXPECT_THROW(c.accept(eot), std::invalid_argument);
  for (int32_t t : trie->tokenize_greedy("{\"name\":\"x")) c.accept(t);
  c.allowed(mask);
  EXPECT_FALSE(bit(mask, eot));
  EXPECT_FALSE(bit(mask, ctl));
  EXPECT_TRUE(bit(mask, trie->tokenize_greedy("\"}")[0]));
  EXPECT_THROW(c.accept(trie->tokenize_greedy("\"}]")[0]), std::invalid_argument);
  EXPECT_EQ(c.matcher().field_path(), "/name");
  c.accept(trie->tokenize_greedy("\"}")[0]);
  EXPECT_EQ(c.last_token_field(), "/name");
  EXPECT_TRUE(c.is_complete());
  EXPECT_TRUE(c.done());
  c.allowed(mask);
  for (int32_t t = 0; t < static_cast<int32_t>(trie->n_vocab()); ++t) EXPECT_EQ(bit(mask, t), t == eot) << t;
  EXPECT_EQ(c.forced_tokens(), std::vector<int32_t>{eot});
  c.accept(eot);
  c.allowed(mask);
  for (uint32_t w : mask) EXPECT_EQ(w, 0u);
}

TEST(JsonConstraint, TopLevelNumberMayEndOrContinue) {
  const auto trie = synthetic_trie();
  const int32_t eot = trie->vocab().eog_ids[0];
  TokenConstraint c(Schema::parse(R"({"type":"integer","minimum":0,"maximum":500})"), trie);
  c.accept(trie->tokenize_greedy("12")[0]);
  std::vector<uint32_t> mask;
  c.allowed(mask);
  EXPECT_TRUE(bit(mask, eot));
  EXPECT_TRUE(bit(mask, '3'));
  EXPECT_FALSE(c.done());
  EXPECT_EQ(c.forced_tokens(), std::vector<int32_t>{});  // a digit or the end: a real choice
  c.accept('4');                                         // 124: no fourth digit fits under 500
  c.allowed(mask);
  EXPECT_FALSE(bit(mask, '0'));
  EXPECT_TRUE(bit(mask, eot));
  EXPECT_TRUE(c.done());
  EXPECT_EQ(c.forced_tokens(), std::vector<int32_t>{eot});
}

TEST(JsonConstraint, ForcedTokensAreTheGreedyTokenizationOfForcedBytes) {
  const auto trie = synthetic_trie();
  const Schema s = Schema::parse(
      R"({"type":"object","properties":{"name":{"type":"string"},"cur":{"const":"USD"}},"required":["name","cur"]})");
  TokenConstraint c(s, trie);
  const std::vector<int32_t> forced = c.forced_tokens();
  std::string bytes;
  for (int32_t t : forced) bytes += trie->vocab().token_bytes[t];
  EXPECT_EQ(bytes, "{\"name\":\"");
  EXPECT_EQ(forced.size(), 1u);  // the whole run is one vocabulary token
  for (int32_t t : forced) c.accept(t);
  c.accept('x');
  c.accept(trie->tokenize_greedy("\",\"")[0]);
  std::string rest;
  const auto tail = c.forced_tokens();
  for (int32_t t : tail) {
    if (!trie->is_eog(t)) rest += trie->vocab().token_bytes[t];
  }
  EXPECT_EQ(rest, "cur\":\"USD\"}");
  EXPECT_TRUE(trie->is_eog(tail.back()));
}

TEST(JsonConstraint, ClosingTokensCloseAnyPrefix) {
  const auto trie = synthetic_trie();
  std::mt19937 rng(5);
  std::vector<uint32_t> mask;
  for (const std::string& schema : testing::test_schemas()) {
    const auto masks = TokenConstraint::make_masks(Schema::parse(schema), trie);
    for (int trial = 0; trial < 6; ++trial) {
      TokenConstraint c(masks);
      for (int steps = static_cast<int>(rng() % 40); steps > 0 && !c.is_complete(); --steps) {
        c.allowed(mask);
        std::vector<int32_t> ids;
        for (int32_t t = 0; t < static_cast<int32_t>(trie->n_vocab()); ++t) {
          if (bit(mask, t)) ids.push_back(t);
        }
        c.accept(ids[rng() % ids.size()]);
      }
      const std::vector<int32_t> closing = c.closing_tokens();
      EXPECT_EQ(c.min_tokens_to_close(), static_cast<int>(closing.size()));
      for (int32_t t : closing) ASSERT_NO_THROW(c.accept(t)) << schema;
      EXPECT_TRUE(c.is_complete()) << schema;
    }
  }
}

TEST(JsonConstraint, MinTokensToCloseAfterAToken) {
  const auto trie = synthetic_trie();
  TokenConstraint c(
      Schema::parse(R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})"),
      trie);
  EXPECT_EQ(c.min_tokens_to_close(), 2);  // {"name":" then "}
  EXPECT_EQ(c.min_tokens_to_close_after(trie->tokenize_greedy("{\"name\":\"")[0]), 1);
  EXPECT_EQ(c.min_tokens_to_close_after('x'), -1);
}

TEST(JsonConstraint, SharedMasksAcrossThreads) {
  const auto trie = synthetic_trie();
  const auto masks = TokenConstraint::make_masks(Schema::parse(testing::kInvoiceSchema), trie);
  auto run = [&](uint32_t seed) {
    std::mt19937 rng(seed);
    TokenConstraint c(masks);
    std::vector<uint32_t> mask;
    std::string out;
    for (int steps = 0; steps < 80 && !c.done(); ++steps) {
      c.allowed(mask);
      std::vector<int32_t> ids;
      for (int32_t t = 0; t < static_cast<int32_t>(trie->n_vocab()); ++t) {
        if (bit(mask, t)) ids.push_back(t);
      }
      const int32_t t = ids[rng() % ids.size()];
      c.accept(t);
      if (!trie->is_eog(t)) out += trie->vocab().token_bytes[t];
    }
    return out;
  };
  std::string a, b;
  std::thread ta([&] { a = run(1); });
  std::thread tb([&] { b = run(2); });
  ta.join();
  tb.join();
  EXPECT_EQ(a, run(1));
  EXPECT_EQ(b, run(2));
  EXPECT_GT(masks->hits(), 0u);
}

TEST(JsonConstraint, VocabularyIsValidated) {
  auto v = std::make_shared<Vocab>();
  v->token_bytes = {"a", "b"};
  v->is_special = {false};
  EXPECT_THROW(TokenTrie{v}, std::invalid_argument);
  v->is_special = {false, false};
  v->eog_ids = {7};
  EXPECT_THROW(TokenTrie{v}, std::invalid_argument);
  v->eog_ids = {1};
  const TokenTrie trie(v);
  EXPECT_TRUE(trie.is_excluded(1));
  EXPECT_EQ(trie.tokenize_greedy("ab").size(), 1u);  // "b" is end-of-generation: never spelled
}

TEST(JsonConstraint, VocabularyLoadsFromGguf) {
  ZEROIDLE_REQUIRE_SHARED(llama, "models/tiny-llama3-q4_k_m.gguf");
  ZEROIDLE_REQUIRE_SHARED(stories, "models/stories260K.gguf");
  const auto l = testing::cached_trie(llama.string());
  EXPECT_EQ(l->vocab().token_bytes[1], "\"");
  EXPECT_EQ(l->vocab().token_bytes[220], " ");  // "Ġ"
  EXPECT_EQ(l->max_token_bytes(), 128u);
  EXPECT_TRUE(l->is_eog(128001));
  EXPECT_TRUE(l->is_eog(128009));
  const auto s = testing::cached_trie(stories.string());
  EXPECT_EQ(s->vocab().token_bytes[3 + 0x41], "A");  // <0x41>
  EXPECT_TRUE(s->is_eog(2));
  EXPECT_TRUE(s->is_excluded(0));  // <unk>
}

}  // namespace
}  // namespace zeroidle::engine::json
