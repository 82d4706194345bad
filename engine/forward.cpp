// The Llama forward pass over a chunk of n tokens at positions n_past .. n_past + n - 1.
// Reads top to bottom like llama2.c: one line per operation; shapes in the comments.
#include <algorithm>
#include <cmath>

#include "engine/ops.h"
#include "engine/session.h"
#include "kernels/dispatch.h"
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
    matmul(mm_, w.wv, xn_.data(), n, v_new_.data());         // v [n][kv_dim]
    store_v(l, pos0, n);                                      // into the transposed cache
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

// V^T[j][pos0 + t] = v[t][j]: the cache keeps V transposed.
void Session::store_v(int64_t layer, int64_t pos0, int64_t n) {
  float* vt = v_cache_t(layer);
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t j = 0; j < hp_.kv_dim(); ++j) vt[j * opts_.n_ctx + pos0 + t] = v_new_[t * hp_.kv_dim() + j];
  }
}

// Causal grouped-query attention of the n new queries over every cached position, one task per head:
// att[t][h] = softmax(q[t][h] . K[0..pos_t][kvh] / sqrt(head_dim)) . V[0..pos_t][kvh], kvh = h / group.
void Session::attention(int64_t layer, int64_t n) {
  mm_.parallel_for(hp_.n_head, [&](int64_t head) {
    for (int64_t t0 = 0; t0 < n; t0 += kQueryChunk) attend_head(layer, head, t0, std::min(kQueryChunk, n - t0));
  });
}

// Queries t0 .. t0 + nq - 1 of one head, as two small F32 matmuls on the fastest kernels:
// scores [nq][n_pos] = Q . K^T (then scale, causal mask, softmax), att [nq][head_dim] = scores . V.
void Session::attend_head(int64_t layer, int64_t head, int64_t t0, int64_t nq) {
  const Hparams& h = hp_;
  const int64_t kv_off = (head / (h.n_head / h.n_head_kv)) * h.head_dim;
  const int64_t n_pos = n_past_ + t0 + nq;  // positions the last query of the chunk sees
  const int64_t ld = opts_.n_ctx;           // row stride of scores and of V^T
  float* score = &scores_[head * kQueryChunk * ld];
  const kernels::KernelSet& ks = kernels::active_kernels();
  kernels::MatmulArgs qk;
  qk.wtype = kernels::QType::F32;
  qk.w = reinterpret_cast<const uint8_t*>(k_cache(layer, 0) + kv_off);
  qk.w_stride = h.kv_dim() * sizeof(float);
  qk.k = h.head_dim;
  qk.x = reinterpret_cast<const uint8_t*>(&q_[t0 * h.q_dim() + head * h.head_dim]);
  qk.x_stride = h.q_dim() * sizeof(float);
  qk.n_tokens = nq;
  qk.y = score;
  qk.y_stride = ld;
  kernels::run_matmul(ks, qk, 0, n_pos);
  const float scale = 1.0f / std::sqrt(static_cast<float>(h.head_dim));
  for (int64_t t = 0; t < nq; ++t) {
    float* s = score + t * ld;
    const int64_t seen = n_past_ + t0 + t + 1;  // causal: query t sees positions < seen
    for (int64_t p = 0; p < seen; ++p) s[p] *= scale;
    softmax(s, seen);
    std::fill(s + seen, s + n_pos, 0.0f);
  }
  kernels::MatmulArgs sv;
  sv.wtype = kernels::QType::F32;
  sv.w = reinterpret_cast<const uint8_t*>(v_cache_t(layer) + kv_off * ld);
  sv.w_stride = ld * sizeof(float);
  sv.k = n_pos;
  sv.x = reinterpret_cast<const uint8_t*>(score);
  sv.x_stride = ld * sizeof(float);
  sv.n_tokens = nq;
  sv.y = &att_[t0 * h.q_dim() + head * h.head_dim];
  sv.y_stride = h.q_dim();
  kernels::run_matmul(ks, sv, 0, h.head_dim);
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
