// SVE GEMV for Q8_0 weights against Q8_0 activations, vector-length agnostic: each 32-value block
// is covered by ceil(32 / VL) predicated vectors (two at 128 bits, one at 256 bits and above;
// at 512 bits half of each vector is idle, still correct).
#include <arm_sve.h>

#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"

namespace zeroidle::kernels::arm {
namespace {

// <w, x> of one block as int32 lanes: ceil(32 / VL) predicated SDOTs (inactive lanes load as 0).
inline svint32_t block_dot_sve(const BlockQ8_0& w, const BlockQ8_0& x, int32_t step) {
  svint32_t s = svdup_n_s32(0);
  for (int32_t off = 0; off < kQK0; off += step) {
    const svbool_t pg = svwhilelt_b8_s32(off, kQK0);
    s = svdot_s32(s, svld1_s8(pg, w.qs + off), svld1_s8(pg, x.qs + off));
  }
  return s;
}

// y = sum_b d_w[b] * d_x[b] * <w[b], x[b]>; even and odd blocks in two accumulators (two FMA chains).
inline float dot_q8_0_q8_0_sve(int64_t k, const BlockQ8_0* w, const BlockQ8_0* x) {
  const int32_t step = svcntb() < kQK0 ? static_cast<int32_t>(svcntb()) : kQK0;
  const svbool_t all = svptrue_b32();
  svfloat32_t even = svdup_n_f32(0.0f), odd = svdup_n_f32(0.0f);
  const int64_t nb = k / kQK0;
  int64_t b = 0;
  for (; b + 1 < nb; b += 2) {
    even = svmla_n_f32_x(all, even, svcvt_f32_s32_x(all, block_dot_sve(w[b], x[b], step)),
                         f16_to_f32(w[b].d) * f16_to_f32(x[b].d));
    odd = svmla_n_f32_x(all, odd, svcvt_f32_s32_x(all, block_dot_sve(w[b + 1], x[b + 1], step)),
                        f16_to_f32(w[b + 1].d) * f16_to_f32(x[b + 1].d));
  }
  if (b < nb) {
    even = svmla_n_f32_x(all, even, svcvt_f32_s32_x(all, block_dot_sve(w[b], x[b], step)),
                         f16_to_f32(w[b].d) * f16_to_f32(x[b].d));
  }
  return svaddv_f32(all, svadd_f32_x(all, even, odd));
}

}  // namespace

bool gemv_q8_0_q8_0_sve(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.n_tokens != 1) return false;  // GEMM: the i8mm or NEON set
  const BlockQ8_0* x = token_row<BlockQ8_0>(a, 0);
  for (int64_t r = r0; r < r1; ++r) *out_at(a, r, 0) = dot_q8_0_q8_0_sve(a.k, weight_row<BlockQ8_0>(a, r), x);
  return true;
}

}  // namespace zeroidle::kernels::arm
