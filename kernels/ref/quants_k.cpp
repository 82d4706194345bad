// Scalar reference kernels of the K-quant super-block formats (Q4_K, Q5_K, Q6_K) and of their
// activation partner Q8_K: unpacking, dequantization, Q8_K quantization and dot products.
//
// Dequantization repeats ggml's float operations in ggml's order (d * sc, then * q, then - dmin * m)
// so the results are bit-identical. Dot products sum integers per sub-block like ggml; the per
// super-block scale terms are formed and summed in double and rounded once to float.
// The weight quantizers are in quantize_k.cpp.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/ref.h"
#include "kernels/ref/rounding.h"

namespace zeroidle::kernels {
namespace {

using ref_detail::nearest_int;

constexpr int kSub32 = 32;    // values per Q4_K / Q5_K sub-block
constexpr int kSub16 = 16;    // values per Q6_K sub-block and per Q8_K bsum
constexpr int kChunk = 64;    // Q4_K / Q5_K values per 32 bytes of qs (two sub-blocks)
constexpr int kHalfQ6 = 128;  // Q6_K values per 64 bytes of ql / 32 bytes of qh

// The 256 quants of a Q4_K block, 0..15, in value order.
void unpack_q4_k(const BlockQ4K& b, uint8_t q[kQKK]) {
  for (int c = 0; c < kQKK / kChunk; ++c) {
    for (int l = 0; l < kSub32; ++l) {
      q[kChunk * c + l] = b.qs[kSub32 * c + l] & 0x0F;
      q[kChunk * c + kSub32 + l] = b.qs[kSub32 * c + l] >> 4;
    }
  }
}

// The 256 quants of a Q5_K block, 0..31: Q4_K's nibbles plus bit 2c / 2c+1 of qh[l].
void unpack_q5_k(const BlockQ5K& b, uint8_t q[kQKK]) {
  for (int c = 0; c < kQKK / kChunk; ++c) {
    for (int l = 0; l < kSub32; ++l) {
      const int hi_lo = (b.qh[l] >> (2 * c)) & 1;
      const int hi_hi = (b.qh[l] >> (2 * c + 1)) & 1;
      q[kChunk * c + l] = static_cast<uint8_t>((b.qs[kSub32 * c + l] & 0x0F) | (hi_lo << 4));
      q[kChunk * c + kSub32 + l] = static_cast<uint8_t>((b.qs[kSub32 * c + l] >> 4) | (hi_hi << 4));
    }
  }
}

// The 256 quants of a Q6_K block minus 32 (-32..31), in value order.
void unpack_q6_k(const BlockQ6K& b, int8_t q[kQKK]) {
  for (int h = 0; h < kQKK / kHalfQ6; ++h) {
    for (int s = 0; s < 4; ++s) {
      for (int l = 0; l < kSub32; ++l) {
        const int low = (b.ql[64 * h + l + 32 * (s & 1)] >> (4 * (s >> 1))) & 0x0F;
        const int high = (b.qh[32 * h + l] >> (2 * s)) & 3;
        q[kHalfQ6 * h + 32 * s + l] = static_cast<int8_t>((low | (high << 4)) - 32);
      }
    }
  }
}

// sum_i q[i] * a[i] over n values, exact in int32.
template <typename Q>
int32_t dot_i32(const Q* q, const int8_t* a, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<int32_t>(q[i]) * a[i];
  return s;
}

// sum_i q[i] over n values.
int32_t sum_i8(const int8_t* q, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += q[i];
  return s;
}

// Sub-block j of a Q4_K / Q5_K block: y = (d * sc) * q - dmin * m, in ggml's float order.
void dequantize_sub32(const uint8_t* q, float d, float dmin, const uint8_t* scales, int j, float* y) {
  uint8_t sc, m;
  unpack_scale_min_k4(j, scales, &sc, &m);
  const float d1 = d * static_cast<float>(sc);
  const float m1 = dmin * static_cast<float>(m);
  for (int i = 0; i < kSub32; ++i) y[i] = d1 * static_cast<float>(q[i]) - m1;
}

// One Q4_K / Q5_K super-block against Q8_K:
// d_a * (d * sum_j sc_j * sum_i q_i a_i - dmin * sum_j m_j * (bsum_2j + bsum_2j+1)).
double dot_super_block_k4(const uint8_t q[kQKK], uint16_t d, uint16_t dmin, const uint8_t* scales,
                          const BlockQ8K& a) {
  int32_t sum_q = 0, sum_m = 0;
  for (int j = 0; j < kQKK / kSub32; ++j) {
    uint8_t sc, m;
    unpack_scale_min_k4(j, scales, &sc, &m);
    sum_q += sc * dot_i32(q + kSub32 * j, a.qs + kSub32 * j, kSub32);
    sum_m += m * (a.bsums[2 * j] + a.bsums[2 * j + 1]);
  }
  const double da = a.d;
  return da * fp16_to_fp32(d) * sum_q - da * fp16_to_fp32(dmin) * sum_m;
}

}  // namespace

// y = d * sc_j * q - dmin * m_j for sub-block j = i / 32
void dequantize_row_q4_k(const BlockQ4K* x, float* y, int64_t n) {
  assert(n % kQKK == 0);
  uint8_t q[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    unpack_q4_k(x[b], q);
    const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
    for (int j = 0; j < kQKK / kSub32; ++j) {
      dequantize_sub32(q + kSub32 * j, d, dmin, x[b].scales, j, y + b * kQKK + kSub32 * j);
    }
  }
}

// y = d * sc_j * q - dmin * m_j for sub-block j = i / 32, q 5-bit
void dequantize_row_q5_k(const BlockQ5K* x, float* y, int64_t n) {
  assert(n % kQKK == 0);
  uint8_t q[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    unpack_q5_k(x[b], q);
    const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
    for (int j = 0; j < kQKK / kSub32; ++j) {
      dequantize_sub32(q + kSub32 * j, d, dmin, x[b].scales, j, y + b * kQKK + kSub32 * j);
    }
  }
}

// y = (d * scales[i / 16]) * (q - 32)
void dequantize_row_q6_k(const BlockQ6K* x, float* y, int64_t n) {
  assert(n % kQKK == 0);
  int8_t q[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    unpack_q6_k(x[b], q);
    const float d = fp16_to_fp32(x[b].d);
    for (int i = 0; i < kQKK; ++i) {
      const int sub = i / kSub16;
      const float ds = d * static_cast<float>(x[b].scales[sub]);
      y[b * kQKK + i] = ds * static_cast<float>(q[i]);
    }
  }
}

// y = d * q
void dequantize_row_q8_k(const BlockQ8K* x, float* y, int64_t n) {
  assert(n % kQKK == 0);
  for (int64_t b = 0; b < n / kQKK; ++b) {
    for (int i = 0; i < kQKK; ++i) y[b * kQKK + i] = x[b].d * static_cast<float>(x[b].qs[i]);
  }
}

// q = min(127, nearest_int(x * -127 / max)), d = 1 / (-127 / max) with max the signed value of
// largest magnitude; bsums[j] = sum of q[16j .. 16j + 15] (ggml's quantize_row_q8_K_ref).
void quantize_row_q8_k(const float* x, BlockQ8K* y, int64_t n) {
  assert(n % kQKK == 0);
  for (int64_t b = 0; b < n / kQKK; ++b) {
    const float* xb = x + b * kQKK;
    float amax = 0.0f, max = 0.0f;
    for (int i = 0; i < kQKK; ++i) {
      if (std::fabs(xb[i]) > amax) {
        amax = std::fabs(xb[i]);
        max = xb[i];
      }
    }
    std::memset(&y[b], 0, sizeof(BlockQ8K));
    if (amax == 0.0f) continue;
    const float iscale = -127.0f / max;
    for (int i = 0; i < kQKK; ++i) {
      y[b].qs[i] = static_cast<int8_t>(std::clamp(nearest_int(iscale * xb[i]), -128, 127));
    }
    for (int j = 0; j < kQKK / kSub16; ++j) {
      y[b].bsums[j] = static_cast<int16_t>(sum_i8(y[b].qs + kSub16 * j, kSub16));
    }
    y[b].d = 1.0f / iscale;
  }
}

// sum_b d_a * (d * sum_j sc_j * sum_i q_i a_i - dmin * sum_j m_j * sum_i a_i)
float dot_q4_k_q8_k(int64_t n, const BlockQ4K* w, const BlockQ8K* a) {
  assert(n % kQKK == 0);
  double sum = 0.0;
  uint8_t q[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    unpack_q4_k(w[b], q);
    sum += dot_super_block_k4(q, w[b].d, w[b].dmin, w[b].scales, a[b]);
  }
  return static_cast<float>(sum);
}

// sum_b d_a * (d * sum_j sc_j * sum_i q_i a_i - dmin * sum_j m_j * sum_i a_i), q 5-bit
float dot_q5_k_q8_k(int64_t n, const BlockQ5K* w, const BlockQ8K* a) {
  assert(n % kQKK == 0);
  double sum = 0.0;
  uint8_t q[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    unpack_q5_k(w[b], q);
    sum += dot_super_block_k4(q, w[b].d, w[b].dmin, w[b].scales, a[b]);
  }
  return static_cast<float>(sum);
}

// sum_b d_a * d * sum_j scales_j * sum_i (q_i - 32) * a_i over sub-blocks of 16
float dot_q6_k_q8_k(int64_t n, const BlockQ6K* w, const BlockQ8K* a) {
  assert(n % kQKK == 0);
  double sum = 0.0;
  int8_t q[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    unpack_q6_k(w[b], q);
    int32_t sumi = 0;
    for (int j = 0; j < kQKK / kSub16; ++j) {
      sumi += w[b].scales[j] * dot_i32(q + kSub16 * j, a[b].qs + kSub16 * j, kSub16);
    }
    sum += static_cast<double>(a[b].d) * fp16_to_fp32(w[b].d) * sumi;
  }
  return static_cast<float>(sum);
}

}  // namespace zeroidle::kernels
