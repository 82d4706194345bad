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

// The 8 (scale, min) pairs of a Q4_K/Q5_K block (unpack_scale_min_k4, in SIMD: the block's first 16 bytes,
// d dmin | 12 scale bytes, as 32-bit lanes [d dmin | u0 | u1 | u2]): the scales as 8 int16 lanes, the mins
// as 16 int16 lanes m0 m0 m1 m1 ... m7 m7 (one per bsum of 16 values).
//   sc0..3 = u0 & 63   m0..3 = u1 & 63   sc4..7 = (u2 & 15) | (u0 >> 6) << 4   m4..7 = (u2 >> 4) | (u1 >> 6) << 4
inline void unpack_kquant_scales(__m128i head, __m128i* scales, __m256i* mins) {
  const __m128i u01 = _mm_shuffle_epi32(head, _MM_SHUFFLE(2, 1, 2, 1));  // u0 u1 u0 u1
  const __m128i u22 = _mm_shuffle_epi32(head, _MM_SHUFFLE(3, 3, 3, 3));  // u2 u2 u2 u2
  const __m128i low6 = _mm_and_si128(u01, _mm_set1_epi8(0x3f));
  const __m128i hi4 = _mm_and_si128(_mm_srlv_epi32(u22, _mm_set_epi32(4, 0, 0, 0)), _mm_set1_epi8(0x0f));
  const __m128i top2 = _mm_and_si128(_mm_srli_epi32(u01, 2), _mm_set1_epi8(0x30));
  // lanes: sc0..3 | m0..3 | sc4..7 | m4..7
  const __m128i sm = _mm_blend_epi32(low6, _mm_or_si128(hi4, top2), 0b1100);
  const __m128i sc_m = _mm_shuffle_epi8(sm, _mm_set_epi8(15, 14, 13, 12, 7, 6, 5, 4, 11, 10, 9, 8, 3, 2, 1, 0));
  *scales = _mm_cvtepu8_epi16(sc_m);
  const __m128i m8 = _mm_unpackhi_epi64(sc_m, sc_m);
  *mins = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));
}

}  // namespace
}  // namespace zeroidle::kernels
