// NEON + i8mm (SMMLA) GEMM for the legacy quants against Q8_0 activations: Q4_0, Q5_0, Q8_0.
// Tiles of 2 weight rows × 4 tokens (2 token pairs share each decoded weight pair); one token
// (decode) is declined to the NEON set, an odd last row or token goes to the NEON SDOT kernels.
#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/i8mm_tile.h"
#include "kernels/arm/neon_decode.h"

namespace zeroidle::kernels::arm {
namespace {

// Y[t][r] = sum_b d_w[r][b] * d_x[t][b] * <w[r][b], x[t][b]>, rows r, r + 1, tokens t0 .. t0 + 2NP - 1.
template <typename Block, Decoded32 (*Decode)(const Block&), int NP>
inline void tile_legacy_i8mm(const MatmulArgs& a, int64_t r, int64_t t0) {
  const Block* w0 = weight_row<Block>(a, r);
  const Block* w1 = weight_row<Block>(a, r + 1);
  const BlockQ8_0* x[2 * NP];
  float32x4_t acc[NP];
  for (int j = 0; j < NP; ++j) {
    x[2 * j] = token_row<BlockQ8_0>(a, t0 + 2 * j);
    x[2 * j + 1] = token_row<BlockQ8_0>(a, t0 + 2 * j + 1);
    acc[j] = vdupq_n_f32(0.0f);
  }
  const int64_t nb = a.k / kQK0;
  for (int64_t b = 0; b < nb; ++b) {
    const Decoded32 p = Decode(w0[b]), q = Decode(w1[b]);
    const Pair16 wlo = pair16(p.lo, q.lo), whi = pair16(p.hi, q.hi);
    for (int j = 0; j < NP; ++j) {
      const BlockQ8_0& xa = x[2 * j][b];
      const BlockQ8_0& xb = x[2 * j + 1][b];
      const int32x4_t s = mmla16(mmla16(vdupq_n_s32(0), wlo, load_pair16(xa.qs, xb.qs)), whi,
                                 load_pair16(xa.qs + 16, xb.qs + 16));
      acc[j] = vfmaq_f32(acc[j], vcvtq_f32_s32(s), outer_2x2(p.d, q.d, f16_to_f32(xa.d), f16_to_f32(xb.d)));
    }
  }
  for (int j = 0; j < NP; ++j) store_2x2(acc[j], a.y, a.y_stride, r, t0 + 2 * j);
}

template <typename Block, Decoded32 (*Decode)(const Block&)>
bool matmul_legacy_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1, MatmulFn narrow) {
  if (a.n_tokens < 2) return false;  // GEMV: the NEON set
  for_each_row_pair_token_pairs(a, r0, r1, [&](int64_t r, int64_t t0, auto np) {
    tile_legacy_i8mm<Block, Decode, decltype(np)::value>(a, r, t0);
  });
  rows_x_tokens_tail(a, r0, r1, narrow);
  return true;
}

}  // namespace

bool matmul_q4_0_q8_0_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_legacy_i8mm<BlockQ4_0, decode_q4_0>(a, r0, r1, matmul_q4_0_q8_0_neon);
}

bool matmul_q5_0_q8_0_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_legacy_i8mm<BlockQ5_0, decode_q5_0>(a, r0, r1, matmul_q5_0_q8_0_neon);
}

bool matmul_q8_0_q8_0_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_legacy_i8mm<BlockQ8_0, decode_q8_0>(a, r0, r1, matmul_q8_0_q8_0_neon);
}

}  // namespace zeroidle::kernels::arm
