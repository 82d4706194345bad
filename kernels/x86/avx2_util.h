// Small AVX2 helpers for kernels/x86/avx2_*.cpp (and the AVX-512 files, which also enable AVX2).
// Internal linkage: every including file gets a copy built with its own flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace zeroidle::kernels {
namespace {

inline float hsum_avx(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hsum_sse(__m128 s) {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float fp16_f16c(uint16_t h) {
  return _cvtsh_ss(h);
}

inline __m256i loadu256(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
inline __m128i loadu128(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

}  // namespace
}  // namespace zeroidle::kernels
