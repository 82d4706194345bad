// Q4_0 / Q5_0 / Q8_0 weights x Q8_0 activations, AVX2 (+FMA, F16C): GEMV and tiled GEMM.
//
// Per 32-value block:  y += d_w*d_a * (w . a), w the signed quants (q - 8, q - 16, or q). The dot is
// exact: maddubs(|w|, sign(a, w)) pairs (|w| <= 128, |a| <= 127: <= 32512), madd with ones to int32.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/avx2_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

// The 32 signed quants of one block, in value order.
inline __m256i unpack_avx2(const BlockQ8_0& b) {
  return loadu256(b.qs);
}

inline __m256i unpack_nibbles_avx2(const uint8_t* qs) {  // values 0..15 | 16..31 = low | high nibbles
  const __m128i q = loadu128(qs);
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0F));
}

inline __m256i unpack_avx2(const BlockQ4_0& b) {
  return _mm256_sub_epi8(unpack_nibbles_avx2(b.qs), _mm256_set1_epi8(8));
}

inline __m256i unpack_avx2(const BlockQ5_0& b) {
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  // byte i <- bit i of qh: spread byte i/8 of qh to byte i, test bit i%8.
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(qh)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  const __m256i high =
      _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
  return _mm256_sub_epi8(_mm256_or_si256(unpack_nibbles_avx2(b.qs), high), _mm256_set1_epi8(16));
}

template <class Block>
struct LegacyAvx2 {
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t nb = a.k / kQK0;
    const Block* w[R];
    const BlockQ8_0* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<Block>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<BlockQ8_0>(a.x, a.x_stride, t0 + t);
    const __m256i ones = _mm256_set1_epi16(1);

    __m256 acc[R][T];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    }
    for (int64_t ib = 0; ib < nb; ++ib) {
      __m256i wq[R];
      __m256 dw[R];
      for (int r = 0; r < R; ++r) {
        wq[r] = unpack_avx2(w[r][ib]);
        dw[r] = _mm256_set1_ps(fp16_f16c(w[r][ib].d));
      }
      for (int t = 0; t < T; ++t) {
        const __m256i xq = loadu256(x[t][ib].qs);
        const __m256 dx = _mm256_set1_ps(fp16_f16c(x[t][ib].d));
        for (int r = 0; r < R; ++r) {
          const __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(wq[r]), _mm256_sign_epi8(xq, wq[r]));
          const __m256 s = _mm256_cvtepi32_ps(_mm256_madd_epi16(p, ones));
          acc[r][t] = _mm256_fmadd_ps(s, _mm256_mul_ps(dw[r], dx), acc[r][t]);
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx(acc[r][t]);
    }
  }
};

template <class Block>
bool gemm_legacy_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.k % kQK0 != 0) return false;
  if (a.n_tokens == 1) {
    run_tiles<LegacyAvx2<Block>, 4, 1>(a, r0, r1);
  } else {
    run_tiles<LegacyAvx2<Block>, 2, 4>(a, r0, r1);
  }
  return true;
}

}  // namespace

bool gemm_q4_0_q8_0_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_legacy_avx2<BlockQ4_0>(a, r0, r1);
}
bool gemm_q5_0_q8_0_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_legacy_avx2<BlockQ5_0>(a, r0, r1);
}
bool gemm_q8_0_q8_0_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_legacy_avx2<BlockQ8_0>(a, r0, r1);
}

}  // namespace zeroidle::kernels
