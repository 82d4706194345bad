// The Llama forward pass over a chunk of n tokens at positions n_past .. n_past + n - 1.
// Reads top to bottom like llama2.c: one line per operation; shapes in the comments.
#include <cmath>

#include "engine/ops.h"
#include "engine/session.h"
#include "kernels/ref.h"

namespace zeroidle::engine {

using kernels::matmul;

void Session::forward(const int32_t* tokens, int64_t n, bool last_chunk) {
  const Hparams& h = hp_;
  const int64_t pos0 = n_past_;
  embed(tokens, n);  // x [n][dim]

  for (int64_t l = 0; l < h.n_layer; ++l) {
    const LayerWeights& w = model_.layers[l];
    // attention block
    for (int64_t t = 0; t < n; ++t) rmsnorm(&xn_[t * h.dim], &x_[t * h.dim], w.attn_norm, h.dim, h.rms_eps);
    matmul(mm_, w.wq, xn_.data(), n, q_.data());             // q [n][q_dim]
    matmul(mm_, w.wk, xn_.data(), n, k_cache(l, pos0));      // k [n][kv_dim], straight into the cache
    matmul(mm_, w.wv, xn_.data(), n, v_cache(l, pos0));      // v [n][kv_dim]
    for (int64_t t = 0; t < n; ++t) {
      for (int64_t hd = 0; hd < h.n_head; ++hd) {
        rope(&q_[t * h.q_dim() + hd * h.head_dim], h.n_rot, pos0 + t, h.rope_base, model_.rope_freqs);
      }
      for (int64_t hd = 0; hd < h.n_head_kv; ++hd) {
        rope(k_cache(l, pos0 + t) + hd * h.head_dim, h.n_rot, pos0 + t, h.rope_base, model_.rope_freqs);
      }
    }
    attention(l, n);                                          // att [n][q_dim]
    matmul(mm_, w.wo, att_.data(), n, xb_.data());           // xb [n][dim]
    add(x_.data(), xb_.data(), n * h.dim);                   // x += attention(x)

    // feed-forward block
    for (int64_t t = 0; t < n; ++t) rmsnorm(&xn_[t * h.dim], &x_[t * h.dim], w.ffn_norm, h.dim, h.rms_eps);
    matmul(mm_, w.w_gate, xn_.data(), n, gate_.data());      // gate [n][n_ff]
    matmul(mm_, w.w_up, xn_.data(), n, up_.data());          // up [n][n_ff]
    swiglu(gate_.data(), up_.data(), n * h.n_ff);            // gate = silu(gate) * up
    matmul(mm_, w.w_down, gate_.data(), n, xb_.data());      // xb [n][dim]
    add(x_.data(), xb_.data(), n * h.dim);                   // x += ffn(x)
  }
  n_past_ += n;
  if (last_chunk || opts_.logits_all) compute_logits(n, opts_.logits_all);
}

// x[t] = token_embd[tokens[t]], dequantized.
void Session::embed(const int32_t* tokens, int64_t n) {
  const kernels::WeightMatrix& e = model_.token_embd;
  for (int64_t t = 0; t < n; ++t) {
    kernels::dequantize_row(e.type, e.data + static_cast<size_t>(tokens[t]) * e.row_stride, &x_[t * hp_.dim], hp_.dim);
  }
}

// Causal grouped-query attention of the n new queries over every cached position, one task per head:
// att[t][h] = softmax(q[t][h] . K[0..pos_t][kvh] / sqrt(head_dim)) . V[0..pos_t][kvh], kvh = h / group.
void Session::attention(int64_t layer, int64_t n) {
  const Hparams& h = hp_;
  const int64_t group = h.n_head / h.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(h.head_dim));
  const int64_t pos0 = n_past_;
  mm_.parallel_for(h.n_head, [&](int64_t hd) {
    const int64_t kv_off = (hd / group) * h.head_dim;
    float* score = &scores_[hd * opts_.n_ctx];
    for (int64_t t = 0; t < n; ++t) {
      const float* q = &q_[t * h.q_dim() + hd * h.head_dim];
      const int64_t n_pos = pos0 + t + 1;
      for (int64_t p = 0; p < n_pos; ++p) {
        score[p] = kernels::dot_f32_f32(h.head_dim, q, k_cache(layer, p) + kv_off) * scale;
      }
      softmax(score, n_pos);
      float* out = &att_[t * h.q_dim() + hd * h.head_dim];
      for (int64_t i = 0; i < h.head_dim; ++i) out[i] = 0.f;
      for (int64_t p = 0; p < n_pos; ++p) {
        const float* v = v_cache(layer, p) + kv_off;
        for (int64_t i = 0; i < h.head_dim; ++i) out[i] += score[p] * v[i];
      }
    }
  });
}

// logits = output . rmsnorm(x) for the last token, or for every token when `all`.
void Session::compute_logits(int64_t n, bool all) {
  const int64_t first = all ? 0 : n - 1;
  const int64_t count = n - first;
  for (int64_t t = first; t < n; ++t) {
    rmsnorm(&xn_[(t - first) * hp_.dim], &x_[t * hp_.dim], model_.output_norm, hp_.dim, hp_.rms_eps);
  }
  matmul(mm_, model_.output, xn_.data(), count, logits_.data());  // logits [count][n_vocab]
}

}  // namespace zeroidle::engine
