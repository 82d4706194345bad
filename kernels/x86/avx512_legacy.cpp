// Q4_0 / Q5_0 / Q8_0 weights x Q8_0 activations, AVX-512 BW + VNNI: GEMV and tiled GEMM.
//
// Per 32-value block:  y += d_w*d_a * (w . a). Two blocks per zmm; the dot is exact: vpdpbusd of
// |w| with a negated where w < 0 (|w| <= 128, |a| <= 127), lanes 0-7 for the first block, 8-15
// for the second, each scaled by its own d_w*d_a.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/avx512_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

inline __m256i unpack_avx512(const BlockQ8_0& b) {
  return loadu256(b.qs);
}

inline __m256i unpack_nibbles_avx512(const uint8_t* qs) {
  const __m128i q = loadu128(qs);
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0F));
}

inline __m256i unpack_avx512(const BlockQ4_0& b) {
  return _mm256_sub_epi8(unpack_nibbles_avx512(b.qs), _mm256_set1_epi8(8));
}

inline __m256i unpack_avx512(const BlockQ5_0& b) {
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(qh)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  const __m256i high =
      _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
  return _mm256_sub_epi8(_mm256_or_si256(unpack_nibbles_avx512(b.qs), high), _mm256_set1_epi8(16));
}

template <class Block>
struct LegacyAvx512 {
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t nb = a.k / kQK0;
    const Block* w[R];
    const BlockQ8_0* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<Block>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<BlockQ8_0>(a.x, a.x_stride, t0 + t);
    const __m512i zero = _mm512_setzero_si512();

    __m512 acc[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ib += 2) {
      const bool pair = ib + 1 < nb;  // an odd last block pairs with zeros
      __m512i wabs[R];
      __mmask64 wneg[R];
      __m512 dw[R];
      for (int r = 0; r < R; ++r) {
        const __m256i w0 = unpack_avx512(w[r][ib]);
        const __m256i w1 = pair ? unpack_avx512(w[r][ib + 1]) : _mm256_setzero_si256();
        const __m512i wq = concat256(w0, w1);
        wabs[r] = _mm512_abs_epi8(wq);
        wneg[r] = _mm512_movepi8_mask(wq);
        dw[r] = concat256(_mm256_set1_ps(fp16_f16c(w[r][ib].d)),
                          _mm256_set1_ps(pair ? fp16_f16c(w[r][ib + 1].d) : 0.0f));
      }
      for (int t = 0; t < T; ++t) {
        const __m256i x0 = loadu256(x[t][ib].qs);
        const __m256i x1 = pair ? loadu256(x[t][ib + 1].qs) : _mm256_setzero_si256();
        const __m512i xq = concat256(x0, x1);
        const __m512 dx = concat256(_mm256_set1_ps(fp16_f16c(x[t][ib].d)),
                                    _mm256_set1_ps(pair ? fp16_f16c(x[t][ib + 1].d) : 0.0f));
        for (int r = 0; r < R; ++r) {
          const __m512i xs = _mm512_mask_sub_epi8(xq, wneg[r], zero, xq);  // sign(a, w)
          const __m512 s = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(zero, wabs[r], xs));
          acc[r][t] = _mm512_fmadd_ps(s, _mm512_mul_ps(dw[r], dx), acc[r][t]);
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx512(acc[r][t]);
    }
  }
};

template <class Block>
bool gemm_legacy_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.k % kQK0 != 0) return false;
  if (a.n_tokens == 1) {
    run_tiles<LegacyAvx512<Block>, 4, 1>(a, r0, r1);
  } else {
    run_tiles<LegacyAvx512<Block>, 4, 4>(a, r0, r1);
  }
  return true;
}

}  // namespace

bool gemm_q4_0_q8_0_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_legacy_avx512<BlockQ4_0>(a, r0, r1);
}
bool gemm_q5_0_q8_0_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_legacy_avx512<BlockQ5_0>(a, r0, r1);
}
bool gemm_q8_0_q8_0_avx512(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_legacy_avx512<BlockQ8_0>(a, r0, r1);
}

}  // namespace zeroidle::kernels
