// F16 x F16, BF16 x BF16 and F32 x F32, AVX2 (+FMA, F16C): GEMV and tiled GEMM.
//
// y = sum_i w_i * a_i, eight float lanes per row x token with FMA (F16 widened by vcvtph2ps, BF16 by
// a 16-bit shift, both exact); a tail of k % 8 values is summed in scalar and added at the end.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/avx2_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

// The three element formats: storage type, eight values widened to float, one value widened.
struct F32Avx2 {
  using Elem = float;
  static __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
  static float to_f32(float v) { return v; }
};
struct F16Avx2 {
  using Elem = uint16_t;
  static __m256 load8(const uint16_t* p) { return _mm256_cvtph_ps(loadu128(p)); }
  static float to_f32(uint16_t h) { return fp16_f16c(h); }
};
struct Bf16Avx2 {
  using Elem = uint16_t;
  static __m256 load8(const uint16_t* p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(loadu128(p)), 16));
  }
  static float to_f32(uint16_t h) {
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
};

template <class Format>
struct FloatAvx2 {
  using Elem = typename Format::Elem;

  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const Elem* w[R];
    const Elem* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<Elem>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<Elem>(a.x, a.x_stride, t0 + t);
    const int64_t k8 = a.k & ~int64_t{7};

    __m256 acc[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < k8; i += 8) {
      __m256 wv[R];
      for (int r = 0; r < R; ++r) wv[r] = Format::load8(w[r] + i);
      for (int t = 0; t < T; ++t) {
        const __m256 xv = Format::load8(x[t] + i);
        for (int r = 0; r < R; ++r) acc[r][t] = _mm256_fmadd_ps(wv[r], xv, acc[r][t]);
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) {
        float tail = 0.0f;
        for (int64_t i = k8; i < a.k; ++i) tail += Format::to_f32(w[r][i]) * Format::to_f32(x[t][i]);
        a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx(acc[r][t]) + tail;
      }
    }
  }
};

template <class Format>
bool gemm_float_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.n_tokens == 1) {
    run_tiles<FloatAvx2<Format>, 4, 1>(a, r0, r1);
  } else {
    run_tiles<FloatAvx2<Format>, 4, 2>(a, r0, r1);
  }
  return true;
}

}  // namespace

bool gemm_f16_f16_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_float_avx2<F16Avx2>(a, r0, r1);
}
bool gemm_bf16_bf16_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_float_avx2<Bf16Avx2>(a, r0, r1);
}
bool gemm_f32_f32_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_float_avx2<F32Avx2>(a, r0, r1);
}

}  // namespace zeroidle::kernels
