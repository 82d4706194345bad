// Q6_K weights x Q8_K activations, AVX-512 BW + VNNI: GEMV (one token) and tiled GEMM.
//
// Per super-block:  y += d_w*d_a * (sum_j sc_j * (q_j . a_j) - 32 * sum_j sc_j * bsum_j).
// One zmm holds 64 values = four 16-value sub-blocks; maddubs gives exact int16 pairs, vpdpwssd
// multiplies them by the int8 scales and accumulates in int32.
#include <immintrin.h>

#include <array>

#include "kernels/x86/avx512_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

// kScaleIdx[g]: vpermw indices for values 64g .. 64g + 63: int16 lane i <- scale 4g + i / 8.
constexpr std::array<std::array<int16_t, 32>, 4> make_scale_idx() {
  std::array<std::array<int16_t, 32>, 4> idx{};
  for (int g = 0; g < 4; ++g) {
    for (int i = 0; i < 32; ++i) idx[g][i] = static_cast<int16_t>(4 * g + i / 8);
  }
  return idx;
}
alignas(64) constexpr std::array<std::array<int16_t, 32>, 4> kScaleIdx = make_scale_idx();

struct Q6kAvx512 {
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t nb = a.k / kQKK;
    const BlockQ6K* w[R];
    const BlockQ8K* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<BlockQ6K>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<BlockQ8K>(a.x, a.x_stride, t0 + t);
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i m2 = _mm512_set1_epi8(0x03);

    __m512 acc[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    }

    for (int64_t ib = 0; ib < nb; ++ib) {
      __m256i s16[R];
      __m512i isum[R][T];
      for (int r = 0; r < R; ++r) s16[r] = _mm256_cvtepi8_epi16(loadu128(w[r][ib].scales));
      for (int t = 0; t < T; ++t) {
        const __m256i bsums = loadu256(x[t][ib].bsums);
        for (int r = 0; r < R; ++r) {  // -32 * sum_j sc_j * bsum_j in the low 8 lanes, zeros above
          const __m256i bias = _mm256_sub_epi32(_mm256_setzero_si256(),
                                                _mm256_slli_epi32(_mm256_madd_epi16(s16[r], bsums), 5));
          isum[r][t] = _mm512_inserti64x4(_mm512_setzero_si512(), bias, 0);
        }
      }

      for (int h = 0; h < 2; ++h) {
        const __m512i idx01 = _mm512_load_si512(kScaleIdx[2 * h].data());
        const __m512i idx23 = _mm512_load_si512(kScaleIdx[2 * h + 1].data());
        for (int r = 0; r < R; ++r) {
          const BlockQ6K& b = w[r][ib];
          const __m512i ql = loadu512(b.ql + 64 * h);  // [ql0 | ql1]
          const __m256i qh = loadu256(b.qh + 32 * h);
          const __m512i qhx = concat256(qh, _mm256_srli_epi16(qh, 2));  // [qh | qh >> 2]
          // q01: values 128h + 0..63 (low nibbles, qh bits 0-1 | 2-3); q23: + 64..127 (high, bits 4-5 | 6-7)
          const __m512i q01 =
              _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_slli_epi16(_mm512_and_si512(qhx, m2), 4));
          const __m512i q23 =
              _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                              _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qhx, 4), m2), 4));
          const __m512i s512 = _mm512_castsi256_si512(s16[r]);
          const __m512i sc01 = _mm512_permutexvar_epi16(idx01, s512);
          const __m512i sc23 = _mm512_permutexvar_epi16(idx23, s512);
          for (int t = 0; t < T; ++t) {
            const int8_t* xq = x[t][ib].qs + 128 * h;
            isum[r][t] = _mm512_dpwssd_epi32(isum[r][t], _mm512_maddubs_epi16(q01, loadu512(xq)), sc01);
            isum[r][t] = _mm512_dpwssd_epi32(isum[r][t], _mm512_maddubs_epi16(q23, loadu512(xq + 64)), sc23);
          }
        }
      }

      for (int r = 0; r < R; ++r) {
        const float dw = fp16_f16c(w[r][ib].d);
        for (int t = 0; t < T; ++t) {
          acc[r][t] =
              _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r][t]), _mm512_set1_ps(dw * x[t][ib].d), acc[r][t]);
        }
      }
    }

    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx512(acc[r][t]);
    }
  }
};

}  // namespace

bool gemm_q6k_q8k_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.k % kQKK != 0) return false;
  if (a.n_tokens == 1) {
    run_tiles<Q6kAvx512, 4, 1>(a, r0, r1);
  } else {
    run_tiles<Q6kAvx512, 4, 4>(a, r0, r1);
  }
  return true;
}

}  // namespace zeroidle::kernels
