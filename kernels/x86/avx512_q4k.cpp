// Q4_K weights x Q8_K activations, AVX-512 BW + VNNI: GEMV (one token) and tiled GEMM.
//
// Per super-block:  y += d_w*d_a * sum_j sc_j * (q_j . a_j)  -  dmin_w*d_a * sum_j m_j * bsum_j.
// One zmm holds 64 values = sub-blocks 2c (low nibbles) and 2c + 1 (high nibbles); maddubs gives
// exact int16 pairs, vpdpwssd multiplies them by the 6-bit scales and accumulates in int32.
#include <immintrin.h>

#include <array>
#include <cstddef>

#include "kernels/x86/avx512_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

// kScaleIdx[c]: vpermw indices, int16 lanes 0..15 <- scale 2c, lanes 16..31 <- scale 2c + 1.
constexpr std::array<std::array<int16_t, 32>, 4> make_scale_idx() {
  std::array<std::array<int16_t, 32>, 4> idx{};
  for (int c = 0; c < 4; ++c) {
    for (int i = 0; i < 32; ++i) idx[c][i] = static_cast<int16_t>(2 * c + i / 16);
  }
  return idx;
}
alignas(64) constexpr std::array<std::array<int16_t, 32>, 4> kScaleIdx = make_scale_idx();

struct Q4kAvx512 {
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t nb = a.k / kQKK;
    const BlockQ4K* w[R];
    const BlockQ8K* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<BlockQ4K>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<BlockQ8K>(a.x, a.x_stride, t0 + t);
    const __m512i m4 = _mm512_set1_epi8(0x0F);

    __m512 acc[R][T];
    __m256 acc_min[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) {
        acc[r][t] = _mm512_setzero_ps();
        acc_min[r][t] = _mm256_setzero_ps();
      }
    }

    for (int64_t ib = 0; ib < nb; ++ib) {
      __m512i scales[R];
      __m256i mins[R];
      float dw[R], dmw[R];
      for (int r = 0; r < R; ++r) {
        const BlockQ4K& b = w[r][ib];
        static_assert(offsetof(BlockQ4K, d) == 0 && offsetof(BlockQ4K, scales) == 4);
        __m128i s16;
        unpack_kquant_scales(loadu128(&b), &s16, &mins[r]);
        scales[r] = _mm512_castsi128_si512(s16);  // vpermw below reads lanes 0..7 only
        dw[r] = fp16_f16c(b.d);
        dmw[r] = fp16_f16c(b.dmin);
      }

      __m512i isum[R][T];
      for (int r = 0; r < R; ++r) {
        for (int t = 0; t < T; ++t) isum[r][t] = _mm512_setzero_si512();
      }
      for (int c = 0; c < 4; ++c) {
        const __m512i idx = _mm512_load_si512(kScaleIdx[c].data());
        for (int r = 0; r < R; ++r) {
          const __m256i q = loadu256(w[r][ib].qs + 32 * c);
          const __m512i wq = _mm512_and_si512(concat256(q, _mm256_srli_epi16(q, 4)), m4);
          const __m512i sc = _mm512_permutexvar_epi16(idx, scales[r]);
          for (int t = 0; t < T; ++t) {
            const __m512i p = _mm512_maddubs_epi16(wq, loadu512(x[t][ib].qs + 64 * c));
            isum[r][t] = _mm512_dpwssd_epi32(isum[r][t], p, sc);
          }
        }
      }

      for (int t = 0; t < T; ++t) {
        const BlockQ8K& xb = x[t][ib];
        const __m256i bsums = loadu256(xb.bsums);
        for (int r = 0; r < R; ++r) {
          acc[r][t] =
              _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r][t]), _mm512_set1_ps(dw[r] * xb.d), acc[r][t]);
          acc_min[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(mins[r], bsums)),
                                          _mm256_set1_ps(dmw[r] * xb.d), acc_min[r][t]);
        }
      }
    }

    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) {
        a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx512(acc[r][t]) - hsum_avx(acc_min[r][t]);
      }
    }
  }
};

}  // namespace

bool gemm_q4k_q8k_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.k % kQKK != 0) return false;
  if (a.n_tokens == 1) {
    run_tiles<Q4kAvx512, 4, 1>(a, r0, r1);
  } else {
    run_tiles<Q4kAvx512, 4, 4>(a, r0, r1);
  }
  return true;
}

}  // namespace zeroidle::kernels
