// Q6_K weights x Q8_K activations, AVX2 (+FMA, F16C): GEMV (one token) and tiled GEMM.
//
// Per super-block:  y += d_w*d_a * (sum_j sc_j * (q_j . a_j) - 32 * sum_j sc_j * bsum_j)
// (j = sixteen sub-blocks of 16, q in [0, 63]). Integer parts exact: maddubs (u6 x s8 pairs
// <= 16128), madd with the int8 scale into int32; floats enter once per super-block.
#include <immintrin.h>

#include <array>

#include "kernels/x86/avx2_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

// kPairCtrl[s]: pshufb control on int16 lanes [sc0..sc7 | sc0..sc7]: low half <- lane 2s, high half
// <- lane 2s + 1 (the scales of the two 16-value sub-blocks a 32-value vector covers).
constexpr std::array<std::array<uint8_t, 32>, 4> make_pair_ctrl() {
  std::array<std::array<uint8_t, 32>, 4> c{};
  for (int s = 0; s < 4; ++s) {
    for (int i = 0; i < 16; i += 2) {
      c[s][i] = static_cast<uint8_t>(4 * s);
      c[s][i + 1] = static_cast<uint8_t>(4 * s + 1);
      c[s][16 + i] = static_cast<uint8_t>(4 * s + 2);
      c[s][16 + i + 1] = static_cast<uint8_t>(4 * s + 3);
    }
  }
  return c;
}
alignas(32) constexpr std::array<std::array<uint8_t, 32>, 4> kPairCtrl = make_pair_ctrl();

struct Q6kAvx2 {
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t nb = a.k / kQKK;
    const BlockQ6K* w[R];
    const BlockQ8K* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<BlockQ6K>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<BlockQ8K>(a.x, a.x_stride, t0 + t);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i m2 = _mm256_set1_epi8(0x03);

    __m256 acc[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    }

    for (int64_t ib = 0; ib < nb; ++ib) {
      if (T == 1) {
        for (int r = 0; r < R; ++r) prefetch_ahead(&w[r][ib]);
      }
      __m256i s16[R];  // the 16 sub-block scales as int16
      __m256i isum[R][T];
      for (int r = 0; r < R; ++r) s16[r] = _mm256_cvtepi8_epi16(loadu128(w[r][ib].scales));
      for (int t = 0; t < T; ++t) {
        const __m256i bsums = loadu256(x[t][ib].bsums);
        for (int r = 0; r < R; ++r) {  // -32 * sum_j sc_j * bsum_j, as 8 int32 partial sums
          isum[r][t] = _mm256_sub_epi32(_mm256_setzero_si256(),
                                        _mm256_slli_epi32(_mm256_madd_epi16(s16[r], bsums), 5));
        }
      }

      for (int h = 0; h < 2; ++h) {  // two halves of 128 values
        for (int r = 0; r < R; ++r) {
          const BlockQ6K& b = w[r][ib];
          const __m256i ql0 = loadu256(b.ql + 64 * h);
          const __m256i ql1 = loadu256(b.ql + 64 * h + 32);
          const __m256i qh = loadu256(b.qh + 32 * h);
          const __m256i sc_half = h == 0 ? _mm256_permute2x128_si256(s16[r], s16[r], 0x00)
                                         : _mm256_permute2x128_si256(s16[r], s16[r], 0x11);
          __m256i q[4];
          q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m2), 4));
          q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4),
                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m2), 4));
          q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m2), 4));
          q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m2), 4));
          for (int s = 0; s < 4; ++s) {  // values 128h + 32s .. +31: sub-blocks 8h + 2s, 8h + 2s + 1
            const __m256i sc = _mm256_shuffle_epi8(
                sc_half, _mm256_load_si256(reinterpret_cast<const __m256i*>(kPairCtrl[s].data())));
            for (int t = 0; t < T; ++t) {
              const __m256i p = _mm256_maddubs_epi16(q[s], loadu256(x[t][ib].qs + 128 * h + 32 * s));
              isum[r][t] = _mm256_add_epi32(isum[r][t], _mm256_madd_epi16(p, sc));
            }
          }
        }
      }

      for (int r = 0; r < R; ++r) {
        const float dw = fp16_f16c(w[r][ib].d);
        for (int t = 0; t < T; ++t) {
          acc[r][t] =
              _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[r][t]), _mm256_set1_ps(dw * x[t][ib].d), acc[r][t]);
        }
      }
    }

    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx(acc[r][t]);
    }
  }
};

}  // namespace

bool gemm_q6k_q8k_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.k % kQKK != 0) return false;
  if (a.n_tokens == 1) {
    // One row at a time: a single DRAM stream measured ~1.3-1.7x faster than 2 or 4 interleaved
    // rows on Zen3 (12.6 vs 9.7 GB/s for Q4_K, 12.4 vs 7.3 for Q6_K, one thread, 14336x4096).
    run_tiles<Q6kAvx2, 1, 1>(a, r0, r1);
  } else {
    run_tiles<Q6kAvx2, 1, 8>(a, r0, r1);
  }
  return true;
}

}  // namespace zeroidle::kernels
