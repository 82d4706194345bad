// EngineExtractor's deadline estimate: the answer length it plans for (TokensOutEstimate) on its own, and
// wired to real extractions with the small shared model.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "common/shared_dir.h"
#include "runtime/engine_extractor.h"

namespace zeroidle::runtime {
namespace {

TEST(TokensOutEstimate, PlansForTheWholeBudgetUntilEnoughAnswersAreMeasured) {
  TokensOutEstimate e;
  for (int i = 0; i < TokensOutEstimate::kMinSamples; ++i) {
    EXPECT_EQ(e.tokens(96), 96) << i << " answers measured";
    e.add(20);
  }
  EXPECT_EQ(e.tokens(96), 20);
}

TEST(TokensOutEstimate, MeanPlusTwoStandardDeviationsWithinFloorAndBudget) {
  TokensOutEstimate spread;
  for (int t : {10, 30, 10, 30}) spread.add(t);  // mean 20, standard deviation 10
  EXPECT_DOUBLE_EQ(spread.tokens(512), 40);
  EXPECT_EQ(spread.tokens(32), 32);  // never more than the request's budget

  TokensOutEstimate tiny;
  for (int t : {2, 3, 2, 3}) tiny.add(t);
  EXPECT_EQ(tiny.tokens(512), TokensOutEstimate::kFloorTokens);
  EXPECT_EQ(tiny.tokens(8), 8);  // the budget caps the floor too
}

TEST(TokensOutEstimate, CoversMostAnswersAndFollowsAChangeOfWorkload) {
  std::mt19937 rng(7);
  const auto covered = [&](TokensOutEstimate& e, std::normal_distribution<double> lengths) {
    int fit = 0;
    for (int i = 0; i < 1000; ++i) {
      const int t = std::max(1, static_cast<int>(lengths(rng)));
      fit += t <= e.tokens(512);
      e.add(t);
    }
    return fit / 1000.0;
  };
  // Mean + 2 standard deviations covers ~97.7% of normally spread lengths; the learnt mean and spread
  // are noisy, so 93% is asked for.
  constexpr double kMinCovered = 0.93;
  TokensOutEstimate e;
  EXPECT_GE(covered(e, std::normal_distribution<double>(60, 12)), kMinCovered);
  EXPECT_LT(e.tokens(512), 60 + 4 * 12);  // and well below the budget of 512
  // Answers twice as long from now on: the estimate catches up within a few dozen documents.
  EXPECT_GE(covered(e, std::normal_distribution<double>(120, 12)), kMinCovered);
  EXPECT_GT(e.tokens(512), 120);
  EXPECT_LT(e.tokens(512), 120 + 4 * 12);
}

TEST(EngineExtractor, PlansForTheAnswerLengthsOfOkDocuments) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/stories260K.gguf");
  constexpr int kMaxTokens = 96;
  EngineOptions opts;
  opts.model_path = path.string();
  opts.task = "classify";  // short answers ({"label": ...}): far below the budget
  opts.labels = {"praise", "complaint", "other"};
  opts.max_tokens = kMaxTokens;
  opts.n_ctx = 1024;
  EngineExtractor ex(opts);
  const auto no_deadline = std::chrono::steady_clock::time_point::max();
  ExtractionRequest req;
  req.document_id = "d";
  req.document_content = "The kettle is great.";
  EXPECT_EQ(ex.tokens_out_for(req), kMaxTokens);

  // Rejected documents teach nothing about answer lengths.
  ExtractionRequest poem = req;
  poem.task = "write-a-poem";
  for (int i = 0; i < TokensOutEstimate::kMinSamples; ++i) {
    ASSERT_EQ(ex.extract(poem, no_deadline).status, kStatusRejected);
  }
  EXPECT_EQ(ex.tokens_out_for(req), kMaxTokens);

  TokensOutEstimate expected;
  for (const char* text :
       {"The kettle is great.", "Broke after a week. Awful.", "It is a kettle.", "Fine."}) {
    req.document_content = text;
    const ExtractionResult r = ex.extract(req, no_deadline);
    ASSERT_EQ(r.status, kStatusOk) << r.error;
    expected.add(r.tokens_out);
  }
  EXPECT_DOUBLE_EQ(ex.tokens_out_for(req), expected.tokens(kMaxTokens));
  EXPECT_LT(ex.tokens_out_for(req), kMaxTokens);
  req.max_tokens = 12;  // a request's own budget caps the plan
  EXPECT_LE(ex.tokens_out_for(req), 12);
}

}  // namespace
}  // namespace zeroidle::runtime
