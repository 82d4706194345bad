// NEON + dotprod kernel for Q4_K weights against Q8_K activations.
// Each super-block's 256 nibbles are unpacked once and multiplied (SDOT) with up to 4 tokens.
#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_decode.h"

namespace zeroidle::kernels::arm {
namespace {

// Y[t][r] = sum_sb d_x * (d_w * sum_j sc[j] * <q_j, x_j> - dmin_w * sum_j m[j] * sum(x_j)),
// j over the 8 sub-blocks of 32; sum(x_j) comes from the Q8_K bsums.
template <int NT>
inline void row_q4k_neon(const MatmulArgs& a, int64_t r, int64_t t0) {
  const BlockQ4K* w = weight_row<BlockQ4K>(a, r);
  const BlockQ8K* x[NT];
  float sum[NT];
  for (int t = 0; t < NT; ++t) {
    x[t] = token_row<BlockQ8K>(a, t0 + t);
    sum[t] = 0.0f;
  }
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  const int64_t nb = a.k / kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    const ScalesMins sm = unpack_q4k_scales(w[b].scales);
    const int16x8_t mins = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(sm.min)));
    const float d = f16_to_f32(w[b].d), dmin = f16_to_f32(w[b].dmin);

    int32x4_t isum[NT];
    for (int t = 0; t < NT; ++t) isum[t] = vdupq_n_s32(0);
    for (int c = 0; c < 4; ++c) {  // 64 values: sub-blocks 2c (low nibbles) and 2c + 1 (high)
      const uint8x16_t q0 = vld1q_u8(w[b].qs + 32 * c), q1 = vld1q_u8(w[b].qs + 32 * c + 16);
      const int8x16_t lo0 = vreinterpretq_s8_u8(vandq_u8(q0, low4));
      const int8x16_t lo1 = vreinterpretq_s8_u8(vandq_u8(q1, low4));
      const int8x16_t hi0 = vreinterpretq_s8_u8(vshrq_n_u8(q0, 4));
      const int8x16_t hi1 = vreinterpretq_s8_u8(vshrq_n_u8(q1, 4));
      for (int t = 0; t < NT; ++t) {
        const int8_t* xq = x[t][b].qs + 64 * c;
        const int32x4_t zero = vdupq_n_s32(0);
        const int32x4_t dl = vdotq_s32(vdotq_s32(zero, lo0, vld1q_s8(xq)), lo1, vld1q_s8(xq + 16));
        const int32x4_t dh = vdotq_s32(vdotq_s32(zero, hi0, vld1q_s8(xq + 32)), hi1, vld1q_s8(xq + 48));
        isum[t] = vmlaq_n_s32(isum[t], dl, sm.scale[2 * c]);
        isum[t] = vmlaq_n_s32(isum[t], dh, sm.scale[2 * c + 1]);
      }
    }
    for (int t = 0; t < NT; ++t) {
      const int32x4_t mprod = dot_s16x8(mins, q8k_sums32(x[t][b]));
      sum[t] += x[t][b].d *
                (d * static_cast<float>(vaddvq_s32(isum[t])) - dmin * static_cast<float>(vaddvq_s32(mprod)));
    }
  }
  for (int t = 0; t < NT; ++t) *out_at(a, r, t0 + t) = sum[t];
}

}  // namespace

bool matmul_q4k_q8k_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for_each_row_x4_tokens(
      a, r0, r1, [&](int64_t r, int64_t t0, auto nt) { row_q4k_neon<decltype(nt)::value>(a, r, t0); });
  return true;
}

}  // namespace zeroidle::kernels::arm
