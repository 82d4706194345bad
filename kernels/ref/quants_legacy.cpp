// Scalar reference kernels of the legacy 32-value block formats: Q4_0, Q5_0, Q8_0.
//
// Quantizers follow ggml's quantize_row_*_ref rounding exactly (Q4_0/Q5_0: truncation of
// x/d + offset + 0.5; Q8_0: roundf, ties away from zero) so outputs match ggml byte for byte.
// Dot products sum integers per block; each block term d_w * d_a * sumi is exact in double
// (11-bit * 11-bit * < 2^15), so the result is the exact value rounded once to float.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/ref.h"

namespace zeroidle::kernels {
namespace {

constexpr int kHalf = kQK0 / 2;  // values per nibble plane of a legacy block

// q[i] = nibble(i) - 8 for the 32 values of a Q4_0 block (value j in the low nibble of qs[j],
// value j + 16 in the high nibble).
void unpack_q4_0(const BlockQ4_0& b, int8_t q[kQK0]) {
  for (int j = 0; j < kHalf; ++j) {
    q[j] = static_cast<int8_t>((b.qs[j] & 0x0F) - 8);
    q[j + kHalf] = static_cast<int8_t>((b.qs[j] >> 4) - 8);
  }
}

// q[i] = (nibble(i) | bit i of qh << 4) - 16 for the 32 values of a Q5_0 block.
void unpack_q5_0(const BlockQ5_0& b, int8_t q[kQK0]) {
  uint32_t qh;
  std::memcpy(&qh, b.qh, sizeof(qh));
  for (int j = 0; j < kHalf; ++j) {
    const int hi0 = static_cast<int>((qh >> j) & 1u) << 4;
    const int hi1 = static_cast<int>((qh >> (j + kHalf)) & 1u) << 4;
    q[j] = static_cast<int8_t>(((b.qs[j] & 0x0F) | hi0) - 16);
    q[j + kHalf] = static_cast<int8_t>(((b.qs[j] >> 4) | hi1) - 16);
  }
}

// y[i] = q[i] * d for one block.
void scale_block(const int8_t q[kQK0], float d, float* y) {
  for (int j = 0; j < kQK0; ++j) y[j] = static_cast<float>(q[j]) * d;
}

// sum_i q[i] * a[i] over one block, exact in int32.
int32_t block_dot_i8(const int8_t q[kQK0], const int8_t a[kQK0]) {
  int32_t s = 0;
  for (int j = 0; j < kQK0; ++j) s += static_cast<int32_t>(q[j]) * a[j];
  return s;
}

// d_w * d_a * sumi, exact in double.
double block_term(uint16_t dw, uint16_t da, int32_t sumi) {
  return static_cast<double>(fp16_to_fp32(dw)) * static_cast<double>(fp16_to_fp32(da)) * sumi;
}

// The value of largest magnitude in x[0, 32) with its sign (the first one on ties), as ggml.
float signed_absmax(const float* x) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQK0; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

// (int)v clamped to [lo, hi], NaN -> lo. Equal to a plain conversion inside the range; defined
// outside it, which a block of float subnormals reaches (1 / d overflows to inf, 0 * inf is NaN;
// the block's fp16 d is then 0, so the quants do not matter, but the conversion must not be UB).
int saturating_trunc(float v, int lo, int hi) {
  if (!(v > static_cast<float>(lo))) return lo;
  if (v >= static_cast<float>(hi)) return hi;
  return static_cast<int>(v);
}

// ggml's min(qmax, (int8_t)(v + offset + 0.5f)): v is in [-offset, offset] after scaling, so the
// sum is in [0, 2 * offset + 0.5] and truncation is a floor, i.e. round half up.
uint8_t round_offset(float v, float offset, int qmax) {
  return static_cast<uint8_t>(saturating_trunc(v + (offset + 0.5f), 0, qmax));
}

}  // namespace

// y = d * (q - 8)
void dequantize_row_q4_0(const BlockQ4_0* x, float* y, int64_t n) {
  assert(n % kQK0 == 0);
  int8_t q[kQK0];
  for (int64_t b = 0; b < n / kQK0; ++b) {
    unpack_q4_0(x[b], q);
    scale_block(q, fp16_to_fp32(x[b].d), y + b * kQK0);
  }
}

// y = d * (q - 16)
void dequantize_row_q5_0(const BlockQ5_0* x, float* y, int64_t n) {
  assert(n % kQK0 == 0);
  int8_t q[kQK0];
  for (int64_t b = 0; b < n / kQK0; ++b) {
    unpack_q5_0(x[b], q);
    scale_block(q, fp16_to_fp32(x[b].d), y + b * kQK0);
  }
}

// y = d * q
void dequantize_row_q8_0(const BlockQ8_0* x, float* y, int64_t n) {
  assert(n % kQK0 == 0);
  for (int64_t b = 0; b < n / kQK0; ++b) scale_block(x[b].qs, fp16_to_fp32(x[b].d), y + b * kQK0);
}

// d = max|x| / 127, q = roundf(x / d) (ggml's quantize_row_q8_0_ref; multiplies by 1/d).
void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
  assert(n % kQK0 == 0);
  for (int64_t b = 0; b < n / kQK0; ++b) {
    const float* xb = x + b * kQK0;
    float amax = 0.0f;
    for (int j = 0; j < kQK0; ++j) amax = std::max(amax, std::fabs(xb[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    for (int j = 0; j < kQK0; ++j) {
      y[b].qs[j] = static_cast<int8_t>(saturating_trunc(std::round(xb[j] * id), -127, 127));
    }
  }
}

// d = max / -8 (max = signed value of largest magnitude), q = min(15, floor(x / d + 8.5)).
void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
  assert(n % kQK0 == 0);
  for (int64_t b = 0; b < n / kQK0; ++b) {
    const float* xb = x + b * kQK0;
    const float d = signed_absmax(xb) / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    for (int j = 0; j < kHalf; ++j) {
      const uint8_t q0 = round_offset(xb[j] * id, 8.0f, 15);
      const uint8_t q1 = round_offset(xb[j + kHalf] * id, 8.0f, 15);
      y[b].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

// d = max / -16, q = min(31, floor(x / d + 16.5)); bit 4 of q[i] goes to bit i of qh.
void quantize_row_q5_0(const float* x, BlockQ5_0* y, int64_t n) {
  assert(n % kQK0 == 0);
  for (int64_t b = 0; b < n / kQK0; ++b) {
    const float* xb = x + b * kQK0;
    const float d = signed_absmax(xb) / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < kHalf; ++j) {
      const uint8_t q0 = round_offset(xb[j] * id, 16.0f, 31);
      const uint8_t q1 = round_offset(xb[j + kHalf] * id, 16.0f, 31);
      y[b].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= static_cast<uint32_t>(q0 >> 4) << j;
      qh |= static_cast<uint32_t>(q1 >> 4) << (j + kHalf);
    }
    std::memcpy(y[b].qh, &qh, sizeof(qh));
  }
}

// sum_b d_w[b] * d_a[b] * sum_i (q_w[i] - 8) * q_a[i]
float dot_q4_0_q8_0(int64_t n, const BlockQ4_0* w, const BlockQ8_0* a) {
  assert(n % kQK0 == 0);
  double sum = 0.0;
  int8_t q[kQK0];
  for (int64_t b = 0; b < n / kQK0; ++b) {
    unpack_q4_0(w[b], q);
    sum += block_term(w[b].d, a[b].d, block_dot_i8(q, a[b].qs));
  }
  return static_cast<float>(sum);
}

// sum_b d_w[b] * d_a[b] * sum_i (q_w[i] - 16) * q_a[i]
float dot_q5_0_q8_0(int64_t n, const BlockQ5_0* w, const BlockQ8_0* a) {
  assert(n % kQK0 == 0);
  double sum = 0.0;
  int8_t q[kQK0];
  for (int64_t b = 0; b < n / kQK0; ++b) {
    unpack_q5_0(w[b], q);
    sum += block_term(w[b].d, a[b].d, block_dot_i8(q, a[b].qs));
  }
  return static_cast<float>(sum);
}

// sum_b d_w[b] * d_a[b] * sum_i q_w[i] * q_a[i]
float dot_q8_0_q8_0(int64_t n, const BlockQ8_0* w, const BlockQ8_0* a) {
  assert(n % kQK0 == 0);
  double sum = 0.0;
  for (int64_t b = 0; b < n / kQK0; ++b) sum += block_term(w[b].d, a[b].d, block_dot_i8(w[b].qs, a[b].qs));
  return static_cast<float>(sum);
}

}  // namespace zeroidle::kernels
