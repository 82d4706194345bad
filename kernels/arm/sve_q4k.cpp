// SVE GEMV for Q4_K weights against Q8_K activations, vector-length agnostic: each 32-byte run of
// nibbles (two sub-blocks) is covered by ceil(32 / VL) predicated vectors (two at 128 bits, one at
// 256 bits and above; at 512 bits half of each vector is idle, still correct).
#include <arm_sve.h>

#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"

namespace zeroidle::kernels::arm {
namespace {

// y = sum_sb d_x * (d_w * sum_j sc[j] * <q_j, x_j> - dmin_w * sum_j m[j] * sum(x_j))
inline float dot_q4k_q8k_sve(int64_t k, const BlockQ4K* w, const BlockQ8K* x) {
  const int32_t step = svcntb() < 32 ? static_cast<int32_t>(svcntb()) : 32;
  const svbool_t all = svptrue_b32();
  float sum = 0.0f;
  const int64_t nb = k / kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    const ScalesMins sm = unpack_q4k_scales(w[b].scales);
    svint32_t isum = svdup_n_s32(0);
    for (int c = 0; c < 4; ++c) {  // 64 values: sub-blocks 2c (low nibbles) and 2c + 1 (high)
      const uint8_t* q = w[b].qs + 32 * c;
      const int8_t* xq = x[b].qs + 64 * c;
      for (int32_t off = 0; off < 32; off += step) {
        const svbool_t pg = svwhilelt_b8_s32(off, 32);  // inactive lanes load as 0
        const svuint8_t v = svld1_u8(pg, q + off);
        const svint8_t lo = svreinterpret_s8_u8(svand_n_u8_z(pg, v, 0x0F));
        const svint8_t hi = svreinterpret_s8_u8(svlsr_n_u8_z(pg, v, 4));
        const svint32_t dl = svdot_s32(svdup_n_s32(0), lo, svld1_s8(pg, xq + off));
        const svint32_t dh = svdot_s32(svdup_n_s32(0), hi, svld1_s8(pg, xq + 32 + off));
        isum = svmla_n_s32_x(all, isum, dl, sm.scale[2 * c]);
        isum = svmla_n_s32_x(all, isum, dh, sm.scale[2 * c + 1]);
      }
    }
    int32_t msum = 0;  // sum_j m[j] * sum(x_j), sum(x_j) from two bsums of 16
    for (int j = 0; j < 8; ++j) msum += sm.min[j] * (x[b].bsums[2 * j] + x[b].bsums[2 * j + 1]);
    sum += x[b].d * (f16_to_f32(w[b].d) * static_cast<float>(svaddv_s32(all, isum)) -
                     f16_to_f32(w[b].dmin) * static_cast<float>(msum));
  }
  return sum;
}

}  // namespace

bool gemv_q4k_q8k_sve(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.n_tokens != 1) return false;  // GEMM: the i8mm or NEON set
  const BlockQ8K* x = token_row<BlockQ8K>(a, 0);
  for (int64_t r = r0; r < r1; ++r) *out_at(a, r, 0) = dot_q4k_q8k_sve(a.k, weight_row<BlockQ4K>(a, r), x);
  return true;
}

}  // namespace zeroidle::kernels::arm
