#include "engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace zeroidle::engine {

int32_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] > x[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

Sampler::Sampler(const SamplerParams& params, int64_t n_vocab)
    : params_(params), n_vocab_(n_vocab), rng_(params.seed), cand_(n_vocab), probs_(n_vocab) {
  if (n_vocab <= 0) throw std::invalid_argument("sampler needs a vocabulary");
}

// llama.cpp's penalty: a positive logit is divided by the penalty, a negative one multiplied.
void Sampler::apply_repeat_penalty(float* logits, std::span<const int32_t> history) const {
  if (params_.repeat_penalty == 1.0f || params_.repeat_last_n <= 0) return;
  const size_t n = std::min<size_t>(history.size(), static_cast<size_t>(params_.repeat_last_n));
  for (size_t i = history.size() - n; i < history.size(); ++i) {
    const int32_t id = history[i];
    if (id < 0 || id >= n_vocab_) continue;
    // each distinct token is penalized once, however often it repeats in the window
    if (std::find(history.begin() + (history.size() - n), history.begin() + i, id) != history.begin() + i) continue;
    float& l = logits[id];
    l = l > 0 ? l / params_.repeat_penalty : l * params_.repeat_penalty;
  }
}

float Sampler::probability_of(const float* logits, int32_t id) const {
  const float max = logits[argmax(logits, n_vocab_)];
  double sum = 0;
  for (int64_t i = 0; i < n_vocab_; ++i) sum += std::exp(static_cast<double>(logits[i] - max));
  return static_cast<float>(std::exp(static_cast<double>(logits[id] - max)) / sum);
}

int32_t Sampler::sample(float* logits, std::span<const int32_t> history) {
  apply_repeat_penalty(logits, history);
  // greedy
  if (params_.temperature <= 0.0f) {
    const int32_t id = argmax(logits, n_vocab_);
    last_prob_ = probability_of(logits, id);
    return id;
  }
  int64_t n = 0;
  for (int64_t i = 0; i < n_vocab_; ++i) {
    if (logits[i] != -std::numeric_limits<float>::infinity()) cand_[n++] = {logits[i], static_cast<int32_t>(i)};
  }
  if (n == 0) throw std::runtime_error("sampler: every token is masked");
  // top-k (ties broken by id, so the order is deterministic)
  const auto by_logit = [](const Candidate& a, const Candidate& b) { return a.logit > b.logit || (a.logit == b.logit && a.id < b.id); };
  const int64_t k = params_.top_k > 0 ? std::min<int64_t>(params_.top_k, n) : n;
  std::partial_sort(cand_.begin(), cand_.begin() + k, cand_.begin() + n, by_logit);
  n = k;
  // softmax over the survivors (temperature 1) for top-p / min-p
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (probs_[i] = std::exp(cand_[i].logit - cand_[0].logit));
  if (params_.top_p < 1.0f) {
    double cum = 0;
    for (int64_t i = 0; i < n; ++i) {
      cum += probs_[i] / sum;
      if (cum >= params_.top_p) { n = i + 1; break; }
    }
  }
  if (params_.min_p > 0.0f) {
    int64_t keep = 1;
    while (keep < n && probs_[keep] >= params_.min_p * probs_[0]) ++keep;
    n = keep;
  }
  // temperature, then a seeded draw
  sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (probs_[i] = std::exp((cand_[i].logit - cand_[0].logit) / params_.temperature));
  std::uniform_real_distribution<double> u(0.0, sum);
  double r = u(rng_);
  int64_t pick = n - 1;
  for (int64_t i = 0; i < n; ++i) {
    r -= probs_[i];
    if (r < 0) { pick = i; break; }
  }
  last_prob_ = probability_of(logits, cand_[pick].id);
  return cand_[pick].id;
}

}  // namespace zeroidle::engine
