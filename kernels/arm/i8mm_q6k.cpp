// NEON + i8mm (SMMLA) GEMM for Q6_K weights against Q8_K activations: tiles of 2 weight rows ×
// 4 tokens (2 token pairs share each rebuilt weight pair); one token is declined to the NEON set,
// an odd last row or token goes to the NEON SDOT kernel.
#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/i8mm_tile.h"
#include "kernels/arm/neon_decode.h"

namespace zeroidle::kernels::arm {
namespace {

// Rows r, r + 1, tokens t0 .. t0 + 2NP - 1:
// Y[t][r] = sum_sb d_x * d_w * sum_j sc[j] * <q_j - 32, x_j>, j over the 16 sub-blocks of 16.
template <int NP>
inline void tile_q6k_i8mm(const MatmulArgs& a, int64_t r, int64_t t0) {
  const BlockQ6K* w0 = weight_row<BlockQ6K>(a, r);
  const BlockQ6K* w1 = weight_row<BlockQ6K>(a, r + 1);
  const BlockQ8K* x[2 * NP];
  float32x4_t acc[NP];
  for (int j = 0; j < NP; ++j) {
    x[2 * j] = token_row<BlockQ8K>(a, t0 + 2 * j);
    x[2 * j + 1] = token_row<BlockQ8K>(a, t0 + 2 * j + 1);
    acc[j] = vdupq_n_f32(0.0f);
  }
  const int64_t nb = a.k / kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    int32x4_t isum[NP];
    for (int j = 0; j < NP; ++j) isum[j] = vdupq_n_s32(0);
    for (int h = 0; h < 2; ++h) {
      for (int p = 0; p < 2; ++p) {
        int8x16_t v0[4], v1[4];
        decode_q6k_16x4(w0[b], h, p, v0);
        decode_q6k_16x4(w1[b], h, p, v1);
        for (int s = 0; s < 4; ++s) {
          const int sub = 8 * h + 2 * s + p;  // values 128h + 32s + 16p .. + 15
          const Pair16 w = pair16(v0[s], v1[s]);
          const int32x4_t sc = row_scales_2x2(w0[b].scales[sub], w1[b].scales[sub]);
          for (int j = 0; j < NP; ++j) {
            const int off = 16 * sub;
            const int32x4_t dot =
                mmla16(vdupq_n_s32(0), w, load_pair16(x[2 * j][b].qs + off, x[2 * j + 1][b].qs + off));
            isum[j] = vmlaq_s32(isum[j], dot, sc);
          }
        }
      }
    }
    const float d0 = f16_to_f32(w0[b].d), d1 = f16_to_f32(w1[b].d);
    for (int j = 0; j < NP; ++j) {
      acc[j] = vfmaq_f32(acc[j], vcvtq_f32_s32(isum[j]), outer_2x2(d0, d1, x[2 * j][b].d, x[2 * j + 1][b].d));
    }
  }
  for (int j = 0; j < NP; ++j) store_2x2(acc[j], a.y, a.y_stride, r, t0 + 2 * j);
}

}  // namespace

bool matmul_q6k_q8k_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.n_tokens < 2) return false;  // GEMV: the NEON set
  for_each_row_pair_token_pairs(
      a, r0, r1, [&](int64_t r, int64_t t0, auto np) { tile_q6k_i8mm<decltype(np)::value>(a, r, t0); });
  rows_x_tokens_tail(a, r0, r1, matmul_q6k_q8k_neon);
  return true;
}

}  // namespace zeroidle::kernels::arm
