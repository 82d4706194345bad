// One sequence being evaluated: its KV cache (preallocated for n_ctx at creation, never resized), the
// scratch buffers of the forward pass (sized for n_batch tokens, so evaluation never allocates) and the
// worker threads. Thread-compatible: one session per thread of control.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/model.h"
#include "kernels/matmul.h"

namespace zeroidle::engine {

struct SessionOptions {
  int n_threads = 2;
  int64_t n_ctx = 2048;      // KV cache positions
  int64_t n_batch = 512;     // tokens evaluated per forward pass (longer inputs are split)
  bool logits_all = false;   // keep logits of every position of the last eval, not only the last
};

class Session {
 public:
  static constexpr int64_t kQueryChunk = 16;  // queries of one head scored together
  // Throws std::runtime_error if n_ctx or n_batch is out of range for the model.
  Session(const Model& model, const SessionOptions& opts);

  // Appends `tokens` at position n_past() and returns the logits [n_vocab] after the last of them.
  // Throws std::runtime_error if a token id is out of range or the context would overflow.
  const float* eval(std::span<const int32_t> tokens);
  // With logits_all: the logits after token i of the last eval() call.
  const float* logits_at(int64_t i) const;

  int64_t n_past() const { return n_past_; }
  int64_t n_ctx() const { return opts_.n_ctx; }
  // Forgets positions >= n (keeps a shared prompt prefix cached).
  void truncate(int64_t n);
  const Model& model() const { return model_; }
  kernels::MatmulContext& matmul_context() { return mm_; }

 private:
  void forward(const int32_t* tokens, int64_t n, bool last_chunk);
  void attention(int64_t layer, int64_t n);
  void embed(const int32_t* tokens, int64_t n);
  void compute_logits(int64_t n, bool all);
  float* k_cache(int64_t layer, int64_t pos) { return &k_cache_[(layer * opts_.n_ctx + pos) * hp_.kv_dim()]; }
  // V is stored transposed, [kv_dim][n_ctx] per layer, so attention's weighted sum is a matmul.
  float* v_cache_t(int64_t layer) { return &v_cache_[layer * hp_.kv_dim() * opts_.n_ctx]; }
  void store_v(int64_t layer, int64_t pos0, int64_t n);
  void attend_head(int64_t layer, int64_t head, int64_t t0, int64_t nq);

  const Model& model_;
  const Hparams& hp_;
  SessionOptions opts_;
  kernels::MatmulContext mm_;
  int64_t n_past_ = 0;
  int64_t n_last_eval_ = 0;

  std::vector<float> k_cache_;  // [n_layer][n_ctx][kv_dim]
  std::vector<float> v_cache_;  // [n_layer][kv_dim][n_ctx] (transposed)
  std::vector<float> v_new_;    // [n_batch][kv_dim] V of the tokens being evaluated
  std::vector<float> x_;        // [n_batch][dim]   residual stream
  std::vector<float> xn_;       // [n_batch][dim]   normalized input of a sub-layer
  std::vector<float> xb_;       // [n_batch][dim]   sub-layer output
  std::vector<float> q_;        // [n_batch][q_dim]
  std::vector<float> att_;      // [n_batch][q_dim] attention output, heads concatenated
  std::vector<float> scores_;   // [n_head][kQueryChunk][n_ctx] attention weights of a chunk of queries
  std::vector<float> gate_;     // [n_batch][n_ff]
  std::vector<float> up_;       // [n_batch][n_ff]
  std::vector<float> logits_;   // [n_batch or 1][n_vocab]
};

}  // namespace zeroidle::engine
