// Token sampling: greedy, or llama.cpp's chain — repetition penalty, top-k, top-p, min-p, temperature,
// then a draw from a seeded generator (same seed, same logits => same token). No allocation per token.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace zeroidle::engine {

struct SamplerParams {
  float temperature = 0.0f;     // <= 0: greedy (argmax)
  int top_k = 40;               // <= 0: all tokens
  float top_p = 0.95f;          // 1: off
  float min_p = 0.05f;          // 0: off
  float repeat_penalty = 1.0f;  // 1: off; >1 penalizes tokens among the last repeat_last_n
  int repeat_last_n = 64;
  uint64_t seed = 0;
};

class Sampler {
 public:
  Sampler(const SamplerParams& params, int64_t n_vocab);
  // Picks the next token from logits [n_vocab] (modified in place by the penalty); `history` is every
  // token of the sequence so far. Tokens whose logit is -inf are never picked.
  int32_t sample(float* logits, std::span<const int32_t> history);
  // Probability the distribution gave the chosen token (after penalties, before truncation); for
  // greedy, softmax at temperature 1.
  float last_probability() const { return last_prob_; }
  const SamplerParams& params() const { return params_; }

 private:
  struct Candidate {
    float logit;
    int32_t id;
  };
  void apply_repeat_penalty(float* logits, std::span<const int32_t> history) const;
  float probability_of(const float* logits, int32_t id) const;

  SamplerParams params_;
  int64_t n_vocab_;
  std::mt19937_64 rng_;
  std::vector<Candidate> cand_;  // [n_vocab] scratch
  std::vector<float> probs_;     // [n_vocab] scratch
  float last_prob_ = 0.f;
};

// Index of the largest value (the first on ties).
int32_t argmax(const float* x, int64_t n);

}  // namespace zeroidle::engine
