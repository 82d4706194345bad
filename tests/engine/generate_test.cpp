// generate(): the stop conditions of the loop, on the 260K-parameter stories model.
#include <gtest/gtest.h>

#include "common/shared_dir.h"
#include "engine/generate.h"
#include "engine/model.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::engine {
namespace {

// Near-uniform draws over the 512-token vocabulary (temperature 100, no truncation): with seed 1 the
// end-of-sequence token comes up well within max_tokens.
GenerateOptions uniform_draws(bool ignore_eog) {
  GenerateOptions o;
  o.max_tokens = 1000;
  o.sampling = {.temperature = 100.0f, .top_k = 0, .top_p = 1.0f, .min_p = 0.0f, .seed = 1};
  o.ignore_eog = ignore_eog;
  return o;
}

TEST(Generate, IgnoreEogRunsToMaxTokens) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/stories260K.gguf");
  const std::unique_ptr<Model> model = Model::load(path.string());
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_gguf(model->file());
  const std::vector<int32_t> prompt = tok.encode("Once upon a time", true, false);
  const SessionOptions so{.n_threads = 1, .n_ctx = 2048, .n_batch = 64};

  Session stops(*model, so);
  const GenerateResult r = generate(stops, tok, prompt, uniform_draws(false), nullptr);
  ASSERT_EQ(r.reason, StopReason::kEndOfGeneration) << "precondition: these draws reach end-of-sequence";
  ASSERT_LT(r.tokens.size(), 1000u);

  Session runs_on(*model, so);
  const GenerateResult all = generate(runs_on, tok, prompt, uniform_draws(true), nullptr);
  EXPECT_EQ(all.reason, StopReason::kMaxTokens);
  EXPECT_EQ(all.tokens.size(), 1000u);
  for (int32_t t : all.tokens) EXPECT_FALSE(tok.is_eog(t)) << "token " << t;
}

}  // namespace
}  // namespace zeroidle::engine
