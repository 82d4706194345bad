// NEON kernels for float weights: F32 × F32, F16 × F16 and BF16 × BF16 (halves widened to f32,
// products summed in f32). Any K: the last K % 8 values are done one at a time.
#include <arm_neon.h>

#include "kernels/arm/arm_common.h"
#include "kernels/arm/arm_kernels.h"

namespace zeroidle::kernels::arm {
namespace {

// Loads 8 values of one element type as two float32x4 (values 0..3, 4..7).
struct F32x8 {
  float32x4_t lo, hi;
};

inline F32x8 load8(const float* p) {
  return {vld1q_f32(p), vld1q_f32(p + 4)};
}
inline float scalar(const float* p, int64_t i) {
  return p[i];
}

inline F32x8 load8(const __fp16* p) {
  const float16x8_t v = vld1q_f16(p);
  return {vcvt_f32_f16(vget_low_f16(v)), vcvt_high_f32_f16(v)};
}
inline float scalar(const __fp16* p, int64_t i) {
  return static_cast<float>(p[i]);
}

// bf16 is the top half of an f32: shift left by 16.
struct Bf16 {
  uint16_t bits;
};
inline F32x8 load8(const Bf16* p) {
  const uint16x8_t v = vld1q_u16(reinterpret_cast<const uint16_t*>(p));
  return {vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(v), 16)),
          vreinterpretq_f32_u32(vshll_high_n_u16(v, 16))};
}
inline float scalar(const Bf16* p, int64_t i) {
  const uint32_t u = static_cast<uint32_t>(p[i].bits) << 16;
  float f;
  __builtin_memcpy(&f, &u, sizeof f);
  return f;
}

// Y[t][r] = sum_i w[r][i] * x[t][i] in f32, for NT tokens from t0.
template <typename T, int NT>
inline void row_float_neon(const MatmulArgs& a, int64_t r, int64_t t0) {
  const T* w = weight_row<T>(a, r);
  const T* x[NT];
  float32x4_t acc[NT][2];
  for (int t = 0; t < NT; ++t) {
    x[t] = token_row<T>(a, t0 + t);
    acc[t][0] = acc[t][1] = vdupq_n_f32(0.0f);
  }
  const int64_t k8 = a.k & ~int64_t{7};
  for (int64_t i = 0; i < k8; i += 8) {
    const F32x8 wv = load8(w + i);
    for (int t = 0; t < NT; ++t) {
      const F32x8 xv = load8(x[t] + i);
      acc[t][0] = vfmaq_f32(acc[t][0], wv.lo, xv.lo);
      acc[t][1] = vfmaq_f32(acc[t][1], wv.hi, xv.hi);
    }
  }
  for (int t = 0; t < NT; ++t) {
    float s = vaddvq_f32(vaddq_f32(acc[t][0], acc[t][1]));
    for (int64_t i = k8; i < a.k; ++i) s += scalar(w, i) * scalar(x[t], i);
    *out_at(a, r, t0 + t) = s;
  }
}

template <typename T>
bool matmul_float_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for_each_row_x4_tokens(
      a, r0, r1, [&](int64_t r, int64_t t0, auto nt) { row_float_neon<T, decltype(nt)::value>(a, r, t0); });
  return true;
}

}  // namespace

bool matmul_f32_f32_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_float_neon<float>(a, r0, r1);
}

bool matmul_f16_f16_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_float_neon<__fp16>(a, r0, r1);
}

bool matmul_bf16_bf16_neon(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return matmul_float_neon<Bf16>(a, r0, r1);
}

}  // namespace zeroidle::kernels::arm
