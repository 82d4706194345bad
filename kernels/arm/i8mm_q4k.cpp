// NEON + i8mm (SMMLA) GEMM for Q4_K weights against Q8_K activations: tiles of 2 weight rows ×
// 4 tokens (2 token pairs share each unpacked weight pair); one token is declined to the NEON set,
// an odd last row or token goes to the NEON SDOT kernel.
#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/i8mm_tile.h"
#include "kernels/arm/neon_decode.h"

namespace zeroidle::kernels::arm {
namespace {

// Rows r, r + 1, tokens t0 .. t0 + 2NP - 1:
// Y[t][r] = sum_sb d_x * (d_w * sum_j sc[j] * <q_j, x_j> - dmin_w * sum_j m[j] * sum(x_j)).
template <int NP>
inline void tile_q4k_i8mm(const MatmulArgs& a, int64_t r, int64_t t0) {
  const BlockQ4K* w0 = weight_row<BlockQ4K>(a, r);
  const BlockQ4K* w1 = weight_row<BlockQ4K>(a, r + 1);
  const BlockQ8K* x[2 * NP];
  float32x4_t acc[NP];
  for (int j = 0; j < NP; ++j) {
    x[2 * j] = token_row<BlockQ8K>(a, t0 + 2 * j);
    x[2 * j + 1] = token_row<BlockQ8K>(a, t0 + 2 * j + 1);
    acc[j] = vdupq_n_f32(0.0f);
  }
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  const int64_t nb = a.k / kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    const ScalesMins sm0 = unpack_q4k_scales(w0[b].scales), sm1 = unpack_q4k_scales(w1[b].scales);
    int32x4_t isum[NP];
    for (int j = 0; j < NP; ++j) isum[j] = vdupq_n_s32(0);
    for (int c = 0; c < 4; ++c) {  // 64 values: sub-blocks 2c (low nibbles) and 2c + 1 (high)
      const uint8x16_t u00 = vld1q_u8(w0[b].qs + 32 * c), u01 = vld1q_u8(w0[b].qs + 32 * c + 16);
      const uint8x16_t u10 = vld1q_u8(w1[b].qs + 32 * c), u11 = vld1q_u8(w1[b].qs + 32 * c + 16);
      const Pair16 lo0 =
          pair16(vreinterpretq_s8_u8(vandq_u8(u00, low4)), vreinterpretq_s8_u8(vandq_u8(u10, low4)));
      const Pair16 lo1 =
          pair16(vreinterpretq_s8_u8(vandq_u8(u01, low4)), vreinterpretq_s8_u8(vandq_u8(u11, low4)));
      const Pair16 hi0 =
          pair16(vreinterpretq_s8_u8(vshrq_n_u8(u00, 4)), vreinterpretq_s8_u8(vshrq_n_u8(u10, 4)));
      const Pair16 hi1 =
          pair16(vreinterpretq_s8_u8(vshrq_n_u8(u01, 4)), vreinterpretq_s8_u8(vshrq_n_u8(u11, 4)));
      const int32x4_t sc_lo = row_scales_2x2(sm0.scale[2 * c], sm1.scale[2 * c]);
      const int32x4_t sc_hi = row_scales_2x2(sm0.scale[2 * c + 1], sm1.scale[2 * c + 1]);
      for (int j = 0; j < NP; ++j) {
        const int8_t* xa = x[2 * j][b].qs + 64 * c;
        const int8_t* xb = x[2 * j + 1][b].qs + 64 * c;
        const int32x4_t lo =
            mmla16(mmla16(vdupq_n_s32(0), lo0, load_pair16(xa, xb)), lo1, load_pair16(xa + 16, xb + 16));
        const int32x4_t hi = mmla16(mmla16(vdupq_n_s32(0), hi0, load_pair16(xa + 32, xb + 32)), hi1,
                                    load_pair16(xa + 48, xb + 48));
        isum[j] = vmlaq_s32(vmlaq_s32(isum[j], lo, sc_lo), hi, sc_hi);
      }
    }
    const int16x8_t m0 = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(sm0.min)));
    const int16x8_t m1 = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(sm1.min)));
    const float d0 = f16_to_f32(w0[b].d), d1 = f16_to_f32(w1[b].d);
    const float dmin0 = f16_to_f32(w0[b].dmin), dmin1 = f16_to_f32(w1[b].dmin);
    for (int j = 0; j < NP; ++j) {
      const BlockQ8K& xa = x[2 * j][b];
      const BlockQ8K& xb = x[2 * j + 1][b];
      // sum_j m[j] * sum(x_j) for the 4 (row, token) pairs, reduced into SMMLA lane order.
      const int16x8_t s0 = q8k_sums32(xa), s1 = q8k_sums32(xb);
      const int32x4_t msum = vpaddq_s32(vpaddq_s32(dot_s16x8(m0, s0), dot_s16x8(m0, s1)),
                                        vpaddq_s32(dot_s16x8(m1, s0), dot_s16x8(m1, s1)));
      acc[j] = vfmaq_f32(acc[j], vcvtq_f32_s32(isum[j]), outer_2x2(d0, d1, xa.d, xb.d));
      acc[j] = vfmsq_f32(acc[j], vcvtq_f32_s32(msum), outer_2x2(dmin0, dmin1, xa.d, xb.d));
    }
  }
  for (int j = 0; j < NP; ++j) store_2x2(acc[j], a.y, a.y_stride, r, t0 + 2 * j);
}

}  // namespace

bool matmul_q4k_q8k_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.n_tokens < 2) return false;  // GEMV: the NEON set
  for_each_row_pair_token_pairs(
      a, r0, r1, [&](int64_t r, int64_t t0, auto np) { tile_q4k_i8mm<decltype(np)::value>(a, r, t0); });
  rows_x_tokens_tail(a, r0, r1, matmul_q4k_q8k_neon);
  return true;
}

}  // namespace zeroidle::kernels::arm
