// Small AVX-512 helpers for kernels/x86/avx512_*.cpp. Internal linkage (see avx2_util.h).
#pragma once

#include <immintrin.h>

#include "kernels/x86/avx2_util.h"

namespace zeroidle::kernels {
namespace {

inline float hsum_avx512(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  return hsum_avx(_mm256_add_ps(lo, hi));
}

inline __m512i loadu512(const void* p) {
  return _mm512_loadu_si512(p);
}

// [lo | hi] from two 256-bit halves.
inline __m512i concat256(__m256i lo, __m256i hi) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}
inline __m512 concat256(__m256 lo, __m256 hi) {
  return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}

}  // namespace
}  // namespace zeroidle::kernels
