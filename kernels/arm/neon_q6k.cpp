// NEON + dotprod kernel for Q6_K weights against Q8_K activations.
// Each super-block's 6-bit values are rebuilt once (nibble | 2 high bits) and multiplied (SDOT)
// with up to 4 tokens.
#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_decode.h"

namespace zeroidle::kernels::arm {
namespace {

// Y[t][r] = sum_sb d_x * d_w * sum_j sc[j] * <q_j - 32, x_j>, j over the 16 sub-blocks of 16.
template <int NT>
inline void row_q6k_neon(const MatmulArgs& a, int64_t r, int64_t t0) {
  const BlockQ6K* w = weight_row<BlockQ6K>(a, r);
  const BlockQ8K* x[NT];
  float sum[NT];
  for (int t = 0; t < NT; ++t) {
    x[t] = token_row<BlockQ8K>(a, t0 + t);
    sum[t] = 0.0f;
  }
  const int64_t nb = a.k / kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    int32x4_t isum[NT];
    for (int t = 0; t < NT; ++t) isum[t] = vdupq_n_s32(0);
    for (int h = 0; h < 2; ++h) {
      for (int p = 0; p < 2; ++p) {
        int8x16_t v[4];
        decode_q6k_16x4(w[b], h, p, v);
        const int8_t* sc = w[b].scales + 8 * h + p;  // sub-block 8h + 2s + p
        for (int t = 0; t < NT; ++t) {
          const int8_t* xq = x[t][b].qs + 128 * h + 16 * p;
          for (int s = 0; s < 4; ++s) {
            const int32x4_t dot = vdotq_s32(vdupq_n_s32(0), v[s], vld1q_s8(xq + 32 * s));
            isum[t] = vmlaq_n_s32(isum[t], dot, sc[2 * s]);
          }
        }
      }
    }
    const float d = f16_to_f32(w[b].d);
    for (int t = 0; t < NT; ++t) sum[t] += x[t][b].d * d * static_cast<float>(vaddvq_s32(isum[t]));
  }
  for (int t = 0; t < NT; ++t) *out_at(a, r, t0 + t) = sum[t];
}

}  // namespace

bool matmul_q6k_q8k_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for_each_row_x4_tokens(
      a, r0, r1, [&](int64_t r, int64_t t0, auto nt) { row_q6k_neon<decltype(nt)::value>(a, r, t0); });
  return true;
}

}  // namespace zeroidle::kernels::arm
