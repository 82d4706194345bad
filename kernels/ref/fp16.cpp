// Scalar reference kernels of the float formats: F32, F16 (IEEE binary16) and BF16 (bfloat16).
//
// Conversions round to nearest, ties to even, as ggml does (F16C's _cvtss_sh(x, 0) and the
// portable fp32_to_fp16; ggml_compute_fp32_to_bf16). Dot products accumulate in double: every
// F16*F16 and BF16*BF16 product is exact in float (11- and 8-bit significands), every F32*F32
// product is exact in double, so the only rounding left is the final conversion to float.
#include <bit>
#include <cassert>
#include <cstdint>

#include "kernels/ref.h"

namespace zeroidle::kernels {
namespace {

constexpr uint32_t kF32SignMask = 0x80000000u;
constexpr uint32_t kF32AbsMask = 0x7FFFFFFFu;
constexpr uint32_t kF32Inf = 0x7F800000u;
constexpr uint16_t kF16Inf = 0x7C00;
constexpr uint16_t kF16QuietNaN = 0x7E00;
// |f| at or above 65520 (halfway between 65504, the largest half, and 2^16) rounds to infinity.
constexpr uint32_t kF16OverflowThreshold = 0x477FF000u;
// |f| below 2^-14 becomes a half subnormal (or zero).
constexpr uint32_t kF16MinNormal = 0x38800000u;
// Re-biases a float exponent (127) to a half exponent (15), in float bit positions.
constexpr uint32_t kF32ToF16ExpRebias = (127u - 15u) << 23;

// Shifts m right by s >= 1 bits, rounding to nearest, ties to even.
uint32_t shift_right_rne(uint32_t m, int s) {
  if (s > 31) return 0;
  const uint32_t q = m >> s;
  const uint32_t rem = m & ((1u << s) - 1);
  const uint32_t half = 1u << (s - 1);
  return q + ((rem > half || (rem == half && (q & 1))) ? 1 : 0);
}

// |f| < 2^-14 as a half: round(|f| * 2^24) units of 2^-24 (may round up to the smallest normal).
uint16_t fp32_abs_to_fp16_subnormal(uint32_t abs_bits) {
  const int exp = static_cast<int>(abs_bits >> 23);
  if (exp == 0) return 0;  // float subnormals are far below half's 2^-25 rounding threshold
  const uint32_t mant = (abs_bits & 0x007FFFFFu) | 0x00800000u;  // value = mant * 2^(exp - 150)
  return static_cast<uint16_t>(shift_right_rne(mant, 126 - exp));
}

}  // namespace

// h -> f exactly: normals re-bias the exponent; subnormals are mant * 2^-24.
float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return std::bit_cast<float>(sign | kF32Inf | (mant << 13));  // inf / NaN
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
  const float sub = static_cast<float>(mant) * 0x1p-24f;  // exact: mant < 2^10
  return sign ? -sub : sub;
}

// f -> h, round to nearest even; overflow gives inf; NaN gives a quiet NaN of the same sign.
uint16_t fp32_to_fp16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((bits & kF32SignMask) >> 16);
  const uint32_t abs_bits = bits & kF32AbsMask;
  if (abs_bits > kF32Inf) return sign | kF16QuietNaN;
  if (abs_bits >= kF16OverflowThreshold) return sign | kF16Inf;
  if (abs_bits < kF16MinNormal) return sign | fp32_abs_to_fp16_subnormal(abs_bits);
  // Drop 13 mantissa bits with RNE; a carry out of the mantissa correctly bumps the exponent.
  const uint32_t rebased = abs_bits - kF32ToF16ExpRebias;
  return sign | static_cast<uint16_t>((rebased + 0x0FFFu + ((rebased >> 13) & 1u)) >> 13);
}

// b -> f exactly: bf16 is the top half of a float.
float bf16_to_fp32(uint16_t h) {
  return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
}

// f -> b, round to nearest even (subnormals kept); NaN keeps its top payload bits, forced quiet.
uint16_t fp32_to_bf16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & kF32AbsMask) > kF32Inf) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

// y[i] = fp16_to_fp32(x[i])
void dequantize_row_f16(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fp16_to_fp32(x[i]);
}

// y[i] = bf16_to_fp32(x[i])
void dequantize_row_bf16(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_fp32(x[i]);
}

// y[i] = fp32_to_fp16(x[i])
void quantize_row_f16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fp32_to_fp16(x[i]);
}

// y[i] = fp32_to_bf16(x[i])
void quantize_row_bf16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fp32_to_bf16(x[i]);
}

// sum_i w[i] * a[i], products and sum in double, rounded once to float.
float dot_f32_f32(int64_t n, const float* w, const float* a) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(w[i]) * static_cast<double>(a[i]);
  return static_cast<float>(sum);
}

// sum_i f16(w[i]) * f16(a[i]); each product is exact, summed in double.
float dot_f16_f16(int64_t n, const uint16_t* w, const uint16_t* a) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(fp16_to_fp32(w[i])) * static_cast<double>(fp16_to_fp32(a[i]));
  }
  return static_cast<float>(sum);
}

// sum_i bf16(w[i]) * bf16(a[i]); each product is exact, summed in double.
float dot_bf16_bf16(int64_t n, const uint16_t* w, const uint16_t* a) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(bf16_to_fp32(w[i])) * static_cast<double>(bf16_to_fp32(a[i]));
  }
  return static_cast<float>(sum);
}

}  // namespace zeroidle::kernels
