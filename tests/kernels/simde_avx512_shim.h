// Force-included (-include) into kernels/x86/avx512_*.cpp for simd_avx512_emulated_test only: maps
// the AVX-512 intrinsics onto SIMDe's portable implementations, so the AVX-512 kernels' logic is
// checked on CPUs without AVX-512 (like the 2-core Zen3 CI machine). Not used by the shipped build.
#pragma once

#include <immintrin.h>

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

// SIMDe 0.7.4 (Debian 12) has no _mm512_cvtepi32_ps.
#if !defined(_mm512_cvtepi32_ps)
static inline simde__m512 zeroidle_emulated_cvtepi32_ps(simde__m512i a) {
  simde__m512_private r;
  const simde__m512i_private p = simde__m512i_to_private(a);
  for (int i = 0; i < 16; ++i) r.f32[i] = static_cast<float>(p.i32[i]);
  return simde__m512_from_private(r);
}
#define _mm512_cvtepi32_ps(a) zeroidle_emulated_cvtepi32_ps(a)
#endif
