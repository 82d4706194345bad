// NEON + dotprod kernels for the legacy quants against Q8_0 activations: Q4_0, Q5_0, Q8_0.
// Each weight block is decoded to 32 int8 once and multiplied (SDOT) with up to 4 tokens' blocks.
#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_decode.h"

namespace zeroidle::kernels::arm {
namespace {

// acc[t] += d_w * d_x[t] * <w, x[t]> for one weight block and the same block of NT tokens.
template <typename Block, Decoded32 (*Decode)(const Block&), int NT>
inline void block_legacy_neon(const Block& w, const BlockQ8_0* const* x, int64_t b, float32x4_t* acc) {
  const Decoded32 q = Decode(w);
  for (int t = 0; t < NT; ++t) {
    const int32x4_t s =
        vdotq_s32(vdotq_s32(vdupq_n_s32(0), q.lo, vld1q_s8(x[t][b].qs)), q.hi, vld1q_s8(x[t][b].qs + 16));
    acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(s), q.d * f16_to_f32(x[t][b].d));
  }
}

// Y[t][r] = sum_b d_w[b] * d_x[t][b] * sum_i w[b][i] * x[t][b][i], for NT tokens from t0. Even and
// odd blocks go to separate accumulators so one token's FMA chain does not bound the GEMV.
template <typename Block, Decoded32 (*Decode)(const Block&), int NT>
inline void row_legacy_neon(const MatmulArgs& a, int64_t r, int64_t t0) {
  const Block* w = weight_row<Block>(a, r);
  const BlockQ8_0* x[NT];
  float32x4_t even[NT], odd[NT];
  for (int t = 0; t < NT; ++t) {
    x[t] = token_row<BlockQ8_0>(a, t0 + t);
    even[t] = odd[t] = vdupq_n_f32(0.0f);
  }
  const int64_t nb = a.k / kQK0;
  int64_t b = 0;
  for (; b + 1 < nb; b += 2) {
    block_legacy_neon<Block, Decode, NT>(w[b], x, b, even);
    block_legacy_neon<Block, Decode, NT>(w[b + 1], x, b + 1, odd);
  }
  if (b < nb) block_legacy_neon<Block, Decode, NT>(w[b], x, b, even);
  for (int t = 0; t < NT; ++t) *out_at(a, r, t0 + t) = vaddvq_f32(vaddq_f32(even[t], odd[t]));
}

template <typename Block, Decoded32 (*Decode)(const Block&)>
bool matmul_legacy_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for_each_row_x4_tokens(a, r0, r1, [&](int64_t r, int64_t t0, auto nt) {
    row_legacy_neon<Block, Decode, decltype(nt)::value>(a, r, t0);
  });
  return true;
}

}  // namespace

bool matmul_q4_0_q8_0_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_legacy_neon<BlockQ4_0, decode_q4_0>(a, r0, r1);
}

bool matmul_q5_0_q8_0_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_legacy_neon<BlockQ5_0, decode_q5_0>(a, r0, r1);
}

bool matmul_q8_0_q8_0_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_legacy_neon<BlockQ8_0, decode_q8_0>(a, r0, r1);
}

}  // namespace zeroidle::kernels::arm
