// Activation converters, AVX2 (+F16C): float rows to Q8_K, Q8_0 and F16, bit-identical to the
// scalar references (same float operations in the same order, same rounding), so every kernel set
// multiplies exactly the same quantized activations.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

inline float hmax_avx(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// 32 int32 (four vectors, in order) to 32 int8 with signed saturation, in order.
inline __m256i pack_32_epi8(__m256i i0, __m256i i1, __m256i i2, __m256i i3) {
  const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// The largest |x| of n (multiple of 8) values. max_ps(|x|, acc) keeps acc when x is NaN, as the
// reference's `fabs(x) > amax` does.
inline float absmax_avx2(const float* x, int n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 acc = _mm256_setzero_ps();
  for (int i = 0; i < n; i += 8) acc = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)), acc);
  return hmax_avx(acc);
}

}  // namespace

// q = min(127, nearest_int(x * -127 / max)), max = the first value of largest magnitude; d = 1 / iscale.
void quantize_q8_k_avx2(const float* x, void* out, int64_t n) {
  auto* y = static_cast<BlockQ8K*>(out);
  for (int64_t b = 0; b < n / kQKK; ++b) {
    const float* xb = x + b * kQKK;
    const float amax = absmax_avx2(xb, kQKK);
    std::memset(&y[b], 0, sizeof(BlockQ8K));
    if (amax == 0.0f) continue;
    float max = 0.0f;
    for (int i = 0; i < kQKK; ++i) {
      if (std::fabs(xb[i]) == amax) {
        max = xb[i];
        break;
      }
    }
    const float iscale = -127.0f / max;
    const __m256 vs = _mm256_set1_ps(iscale);
    for (int i = 0; i < kQKK; i += 32) {
      __m256i q[4];
      for (int j = 0; j < 4; ++j) {
        const __m256 v = _mm256_mul_ps(vs, _mm256_loadu_ps(xb + i + 8 * j));
        q[j] = _mm256_cvtps_epi32(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[b].qs + i), pack_32_epi8(q[0], q[1], q[2], q[3]));
    }
    for (int j = 0; j < kQKK / 16; ++j) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += y[b].qs[16 * j + i];
      y[b].bsums[j] = static_cast<int16_t>(sum);
    }
    y[b].d = 1.0f / iscale;
  }
}

// d = max|x| / 127, q = round-half-away(x * (1 / d)) clamped to [-127, 127], d stored as fp16.
void quantize_q8_0_avx2(const float* x, void* out, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(out);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 half = _mm256_set1_ps(0.5f);
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t b = 0; b < n / kQK0; ++b) {
    const float* xb = x + b * kQK0;
    const float d = absmax_avx2(xb, kQK0) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    const __m256 vid = _mm256_set1_ps(id);
    __m256i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(xb + 8 * j), vid);
      const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      // std::round: away from zero at .5 — add sign(v) where |v - trunc(v)| >= 0.5 (exact below 2^23)
      const __m256 frac = _mm256_andnot_ps(sign, _mm256_sub_ps(v, t));
      const __m256 step =
          _mm256_and_ps(_mm256_cmp_ps(frac, half, _CMP_GE_OQ), _mm256_or_ps(one, _mm256_and_ps(v, sign)));
      const __m256 r = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(t, step), _mm256_set1_ps(-127.0f)),
                                     _mm256_set1_ps(127.0f));
      q[j] = _mm256_cvtps_epi32(r);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[b].qs), pack_32_epi8(q[0], q[1], q[2], q[3]));
  }
}

// y[i] = fp16(x[i]), round to nearest even (vcvtps2ph).
void quantize_f16_avx2(const float* x, void* out, int64_t n) {
  auto* y = static_cast<uint16_t*>(out);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) y[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}

}  // namespace zeroidle::kernels
