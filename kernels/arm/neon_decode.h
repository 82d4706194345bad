// NEON decoders of weight blocks to signed int8 lanes, shared by the NEON and i8mm kernel files.
// Internal linkage (static) for the same reason as arm_common.h: each file compiles its own copy
// with its own -march.
#pragma once

#include <arm_neon.h>

#include "kernels/arm/arm_common.h"

namespace zeroidle::kernels::arm {

// A legacy block decoded: its 32 signed values (0..15 in lo, 16..31 in hi) and its scale.
struct Decoded32 {
  int8x16_t lo, hi;
  float d;
};

static inline Decoded32 decode_q8_0(const BlockQ8_0& b) {
  return {vld1q_s8(b.qs), vld1q_s8(b.qs + 16), f16_to_f32(b.d)};
}

// q - 8, q the low nibbles (values 0..15) and high nibbles (16..31).
static inline Decoded32 decode_q4_0(const BlockQ4_0& b) {
  const uint8x16_t q = vld1q_u8(b.qs);
  const int8x16_t eight = vdupq_n_s8(8);
  return {vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), eight),
          vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight), f16_to_f32(b.d)};
}

// (nibble | bit i of qh << 4) - 16: byte i / 8 of qh is spread over lanes with a table lookup,
// then each lane tests its own bit.
static inline Decoded32 decode_q5_0(const BlockQ5_0& b) {
  static const uint8_t kByteLo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
  static const uint8_t kByteHi[16] = {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
  static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  uint32_t qh;
  __builtin_memcpy(&qh, b.qh, sizeof qh);
  const uint8x16_t qh_bytes = vreinterpretq_u8_u32(vdupq_n_u32(qh));
  const uint8x16_t bit = vld1q_u8(kBit), h16 = vdupq_n_u8(0x10);
  const uint8x16_t hb_lo = vandq_u8(vtstq_u8(vqtbl1q_u8(qh_bytes, vld1q_u8(kByteLo)), bit), h16);
  const uint8x16_t hb_hi = vandq_u8(vtstq_u8(vqtbl1q_u8(qh_bytes, vld1q_u8(kByteHi)), bit), h16);
  const uint8x16_t q = vld1q_u8(b.qs);
  const int8x16_t sixteen = vdupq_n_s8(16);
  return {vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(q, vdupq_n_u8(0x0F)), hb_lo)), sixteen),
          vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(q, 4), hb_hi)), sixteen), f16_to_f32(b.d)};
}

// Q6_K, half h (values 128h..128h+127), lanes l = 16p..16p+15: v[s] = q - 32 of the values
// 128h + 32s + l, s = 0..3, i.e. sub-blocks 8h + 2s + p. The low nibble comes from
// ql[64h + l] (s = 0, 2: low/high nibble) or ql[64h + 32 + l] (s = 1, 3); the top 2 bits from
// bits 2s..2s+1 of qh[32h + l].
static inline void decode_q6k_16x4(const BlockQ6K& b, int h, int p, int8x16_t v[4]) {
  const uint8_t* ql = b.ql + 64 * h + 16 * p;
  const uint8x16_t qh = vld1q_u8(b.qh + 32 * h + 16 * p);
  const uint8x16_t qla = vld1q_u8(ql), qlb = vld1q_u8(ql + 32);
  const uint8x16_t low4 = vdupq_n_u8(0x0F), bits45 = vdupq_n_u8(0x30);
  const int8x16_t offset = vdupq_n_s8(32);
  const uint8x16_t q[4] = {
      vorrq_u8(vandq_u8(qla, low4), vshlq_n_u8(vandq_u8(qh, vdupq_n_u8(0x03)), 4)),
      vorrq_u8(vandq_u8(qlb, low4), vshlq_n_u8(vandq_u8(qh, vdupq_n_u8(0x0C)), 2)),
      vorrq_u8(vshrq_n_u8(qla, 4), vandq_u8(qh, bits45)),
      vorrq_u8(vshrq_n_u8(qlb, 4), vandq_u8(vshrq_n_u8(qh, 2), bits45)),
  };
  for (int s = 0; s < 4; ++s) v[s] = vsubq_s8(vreinterpretq_s8_u8(q[s]), offset);
}

// The 8 Q8_K sums of 32 values (sub-blocks of Q4_K) from the 16 bsums of 16 (|sum| <= 32 * 128).
static inline int16x8_t q8k_sums32(const BlockQ8K& x) {
  return vpaddq_s16(vld1q_s16(x.bsums), vld1q_s16(x.bsums + 8));
}

// sum_i a[i] * b[i] of two int16x8 as an int32x4 whose lanes add up to it.
static inline int32x4_t dot_s16x8(int16x8_t a, int16x8_t b) {
  return vmlal_high_s16(vmull_s16(vget_low_s16(a), vget_low_s16(b)), a, b);
}

}  // namespace zeroidle::kernels::arm
