// SMMLA building blocks for tiles of 2 weight rows × 2 tokens (include only from files built with
// +i8mm).
//
// SMMLA multiplies a 2×8 int8 matrix A (lanes 0..7 row 0, 8..15 row 1) by the transpose of a 2×8 B
// and accumulates the 2×2 int32 result as lanes {A0·B0, A0·B1, A1·B0, A1·B1}. Two rows of 16 values
// are interleaved 8 at a time (a Pair16) so that two SMMLAs cover them.
#pragma once

#include <arm_neon.h>

namespace zeroidle::kernels::arm {

// Two rows u, v of 16 int8 as SMMLA operands: {u[0..7], v[0..7]} and {u[8..15], v[8..15]}.
struct Pair16 {
  int8x16_t lo, hi;
};

static inline Pair16 pair16(int8x16_t u, int8x16_t v) {
  const int64x2_t u64 = vreinterpretq_s64_s8(u), v64 = vreinterpretq_s64_s8(v);
  return {vreinterpretq_s8_s64(vzip1q_s64(u64, v64)), vreinterpretq_s8_s64(vzip2q_s64(u64, v64))};
}

// Two token rows of 16 int8 loaded from p and q.
static inline Pair16 load_pair16(const int8_t* p, const int8_t* q) {
  return pair16(vld1q_s8(p), vld1q_s8(q));
}

// acc += {<w0,x0>, <w0,x1>, <w1,x0>, <w1,x1>} over 16 values of weight rows (w0, w1), tokens (x0, x1).
static inline int32x4_t mmla16(int32x4_t acc, Pair16 w, Pair16 x) {
  return vmmlaq_s32(vmmlaq_s32(acc, w.lo, x.lo), w.hi, x.hi);
}

// {x0 * y0, x0 * y1, x1 * y0, x1 * y1}: a row scale times a token scale in SMMLA lane order.
static inline float32x4_t outer_2x2(float x0, float x1, float y0, float y1) {
  const float32x4_t xs = {x0, x0, x1, x1};
  const float32x4_t ys = {y0, y1, y0, y1};
  return vmulq_f32(xs, ys);
}

// {s0, s0, s1, s1}: a per-row integer scale in SMMLA lane order.
static inline int32x4_t row_scales_2x2(int32_t s0, int32_t s1) {
  return vcombine_s32(vdup_n_s32(s0), vdup_n_s32(s1));
}

// Stores a 2×2 tile in lane order {r0 t0, r0 t1, r1 t0, r1 t1} at Y[t][r] (y_stride floats per token).
static inline void store_2x2(float32x4_t v, float* y, int64_t y_stride, int64_t r, int64_t t0) {
  y[t0 * y_stride + r] = vgetq_lane_f32(v, 0);
  y[(t0 + 1) * y_stride + r] = vgetq_lane_f32(v, 1);
  y[t0 * y_stride + r + 1] = vgetq_lane_f32(v, 2);
  y[(t0 + 1) * y_stride + r + 1] = vgetq_lane_f32(v, 3);
}

}  // namespace zeroidle::kernels::arm
