// F16 x F16 and F32 x F32, AVX-512: GEMV and tiled GEMM.
//
// y = sum_i w_i * a_i, sixteen float lanes per row x token with FMA (F16 widened exactly, eight at a
// time); a tail of k % 16 values is summed in scalar and added at the end.
#include <immintrin.h>

#include "kernels/x86/avx512_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

inline __m512 load16_avx512(const float* p) {
  return _mm512_loadu_ps(p);
}
inline __m512 load16_avx512(const uint16_t* p) {
  return concat256(_mm256_cvtph_ps(loadu128(p)), _mm256_cvtph_ps(loadu128(p + 8)));
}
inline float to_f32_avx512(float v) {
  return v;
}
inline float to_f32_avx512(uint16_t h) {
  return fp16_f16c(h);
}

template <class Elem>
struct FloatAvx512 {
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const Elem* w[R];
    const Elem* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<Elem>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<Elem>(a.x, a.x_stride, t0 + t);
    const int64_t k16 = a.k & ~int64_t{15};

    __m512 acc[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    }
    for (int64_t i = 0; i < k16; i += 16) {
      __m512 wv[R];
      for (int r = 0; r < R; ++r) wv[r] = load16_avx512(w[r] + i);
      for (int t = 0; t < T; ++t) {
        const __m512 xv = load16_avx512(x[t] + i);
        for (int r = 0; r < R; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) {
        float tail = 0.0f;
        for (int64_t i = k16; i < a.k; ++i) tail += to_f32_avx512(w[r][i]) * to_f32_avx512(x[t][i]);
        a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx512(acc[r][t]) + tail;
      }
    }
  }
};

template <class Elem>
bool gemm_float_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.n_tokens == 1) {
    run_tiles<FloatAvx512<Elem>, 4, 1>(a, r0, r1);
  } else {
    run_tiles<FloatAvx512<Elem>, 4, 4>(a, r0, r1);
  }
  return true;
}

}  // namespace

bool gemm_f16_f16_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_float_avx512<uint16_t>(a, r0, r1);
}
bool gemm_f32_f32_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_float_avx512<float>(a, r0, r1);
}

}  // namespace zeroidle::kernels
