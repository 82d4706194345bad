// NEON activation quantizers, bit-exact with the scalar reference (kernels/ref): Q8_0 for the legacy
// quants, Q8_K for the K-quants. Same float operations per value as the reference; the NaN of
// 0 * inf and +-inf (blocks of subnormals, where 1 / d overflows) map to the reference's values too.
// (NaN inputs are not activations the engine makes; their quants are unspecified.)
#include <arm_neon.h>

#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"
#include "kernels/ref.h"

namespace zeroidle::kernels::arm {
namespace {

// max |x[i]| over 8 * 4 values; NaN is ignored (as std::max(amax, NaN) keeps amax).
inline float absmax(const float32x4_t* v, int n) {
  float32x4_t m = vdupq_n_f32(0.0f);
  for (int i = 0; i < n; ++i) m = vmaxnmq_f32(m, vabsq_f32(v[i]));
  return vmaxvq_f32(m);
}

}  // namespace

// d = max|x| / 127, q = clamp(round_half_away(x / d), -127, 127) per block of 32.
void quantize_row_q8_0_neon(const float* x, void* vy, int64_t n) {
  BlockQ8_0* y = static_cast<BlockQ8_0*>(vy);
  for (int64_t b = 0; b < n / kQK0; ++b) {
    float32x4_t v[8];
    for (int i = 0; i < 8; ++i) v[i] = vld1q_f32(x + b * kQK0 + 4 * i);
    const float d = absmax(v, 8) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    int16x4_t q16[8];
    for (int i = 0; i < 8; ++i) {
      const float32x4_t s = vmulq_n_f32(v[i], id);
      int32x4_t q = vminq_s32(vmaxq_s32(vcvtaq_s32_f32(s), vdupq_n_s32(-127)), vdupq_n_s32(127));
      q = vbslq_s32(vceqq_f32(s, s), q, vdupq_n_s32(-127));  // NaN (0 * inf) -> -127, as the reference
      q16[i] = vmovn_s32(q);
    }
    for (int i = 0; i < 4; ++i) {
      vst1_s8(y[b].qs + 8 * i, vmovn_s16(vcombine_s16(q16[2 * i], q16[2 * i + 1])));
    }
  }
}

// max = the first value of largest magnitude, iscale = -127 / max, q = clamp(round_half_even(
// iscale * x), -128, 127), d = 1 / iscale, bsums = sums of 16 q, per block of 256.
void quantize_row_q8_k_neon(const float* x, void* vy, int64_t n) {
  BlockQ8K* y = static_cast<BlockQ8K*>(vy);
  for (int64_t b = 0; b < n / kQKK; ++b) {
    const float* xb = x + b * kQKK;
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int i = 0; i < kQKK; i += 4) m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(xb + i)));
    const float amax = vmaxvq_f32(m);
    if (amax == 0.0f) {
      __builtin_memset(&y[b], 0, sizeof(BlockQ8K));
      continue;
    }
    int first = 0;
    while (!(__builtin_fabsf(xb[first]) == amax)) ++first;
    const float iscale = -127.0f / xb[first];
    const float32x4_t inf = vdupq_n_f32(__builtin_inff());
    for (int i = 0; i < kQKK; i += 16) {
      int16x8_t q16[2];
      for (int h = 0; h < 2; ++h) {
        const float32x4_t s0 = vmulq_n_f32(vld1q_f32(xb + i + 8 * h), iscale);
        const float32x4_t s1 = vmulq_n_f32(vld1q_f32(xb + i + 8 * h + 4), iscale);
        // +-inf -> -128 as the reference's float-adder rounding gives (NaN -> 0 in both).
        const int32x4_t q0 = vbslq_s32(vceqq_f32(vabsq_f32(s0), inf), vdupq_n_s32(-128), vcvtnq_s32_f32(s0));
        const int32x4_t q1 = vbslq_s32(vceqq_f32(vabsq_f32(s1), inf), vdupq_n_s32(-128), vcvtnq_s32_f32(s1));
        q16[h] = vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1));
      }
      const int8x16_t q = vcombine_s8(vqmovn_s16(q16[0]), vqmovn_s16(q16[1]));
      vst1q_s8(y[b].qs + i, q);
      y[b].bsums[i / 16] = static_cast<int16_t>(vaddlvq_s8(q));
    }
    y[b].d = 1.0f / iscale;
  }
}

}  // namespace zeroidle::kernels::arm
