// Q4_K and Q5_K weights x Q8_K activations, AVX2 (+FMA, F16C): GEMV (one token) and tiled GEMM.
// (Q5_K is Q4_K plus a fifth bit per value; both share the scale/min layout and this code.)
//
// Per super-block b:  y += d_w*d_a * sum_j sc_j * (q_j . a_j)  -  dmin_w*d_a * sum_j m_j * bsum_j
// (j = eight sub-blocks of 32; bsum_j = the two Q8_K bsums of its 16-value halves). The integer parts are
// exact: maddubs (u4/u5 x s8 pairs <= 7936) then madd with the 6-bit scale into int32; floats enter once per
// super-block.
#include <immintrin.h>

#include <array>
#include <cstddef>

#include "kernels/x86/avx2_util.h"
#include "kernels/x86/tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

// kLaneCtrl[j]: pshufb control copying int16 lane j of each 128-bit half to all 8 lanes of the half.
constexpr std::array<std::array<uint8_t, 32>, 8> make_lane_ctrl() {
  std::array<std::array<uint8_t, 32>, 8> c{};
  for (int j = 0; j < 8; ++j) {
    for (int i = 0; i < 32; i += 2) {
      c[j][i] = static_cast<uint8_t>(2 * j);
      c[j][i + 1] = static_cast<uint8_t>(2 * j + 1);
    }
  }
  return c;
}
alignas(32) constexpr std::array<std::array<uint8_t, 32>, 8> kLaneCtrl = make_lane_ctrl();

// Chunk c (64 values) of a block: values 64c + 0..31 (`lo`, sub-block 2c) and 64c + 32..63 (`hi`).
inline void unpack_chunk_avx2(const BlockQ4K& b, int c, __m256i* lo, __m256i* hi) {
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  const __m256i q = loadu256(b.qs + 32 * c);
  *lo = _mm256_and_si256(q, m4);
  *hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
}

inline void unpack_chunk_avx2(const BlockQ5K& b, int c, __m256i* lo, __m256i* hi) {
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  const __m256i q = loadu256(b.qs + 32 * c);
  const __m256i qh = loadu256(b.qh);
  const __m256i bit_lo = _mm256_set1_epi8(static_cast<char>(1 << (2 * c)));
  const __m256i bit_hi = _mm256_set1_epi8(static_cast<char>(2 << (2 * c)));
  const __m256i h16 = _mm256_set1_epi8(0x10);
  const __m256i h_lo = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_lo), bit_lo), h16);
  const __m256i h_hi = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_hi), bit_hi), h16);
  *lo = _mm256_or_si256(_mm256_and_si256(q, m4), h_lo);
  *hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), h_hi);
}

template <class Block>
struct KquantMinsAvx2 {
  // R weight rows x T tokens.
  template <int R, int T>
  static void tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t nb = a.k / kQKK;
    const Block* w[R];
    const BlockQ8K* x[T];
    for (int r = 0; r < R; ++r) w[r] = row_ptr<Block>(a.w, a.w_stride, r0 + r);
    for (int t = 0; t < T; ++t) x[t] = row_ptr<BlockQ8K>(a.x, a.x_stride, t0 + t);

    __m256 acc[R][T];  // scale terms minus min terms, 8 partial sums
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    }

    for (int64_t ib = 0; ib < nb; ++ib) {
      if (T == 1) {
        for (int r = 0; r < R; ++r) prefetch_ahead(&w[r][ib]);
      }
      __m256i scales[R];
      __m256i mins[R];
      __m128 d_dmin[R];  // d, dmin, -, -
      for (int r = 0; r < R; ++r) {
        static_assert(offsetof(Block, d) == 0 && offsetof(Block, scales) == 4);
        const __m128i head = loadu128(&w[r][ib]);
        __m128i s16;
        unpack_kquant_scales(head, &s16, &mins[r]);
        scales[r] = _mm256_broadcastsi128_si256(s16);
        d_dmin[r] = _mm_cvtph_ps(head);
      }

      __m256i isum[R][T];
      for (int r = 0; r < R; ++r) {
        for (int t = 0; t < T; ++t) isum[r][t] = _mm256_setzero_si256();
      }
      for (int c = 0; c < 4; ++c) {  // 64 values: sub-block 2c (low nibbles), 2c + 1 (high nibbles)
        const __m256i ctrl_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneCtrl[2 * c].data()));
        const __m256i ctrl_hi =
            _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneCtrl[2 * c + 1].data()));
        for (int r = 0; r < R; ++r) {
          __m256i q_lo, q_hi;
          unpack_chunk_avx2(w[r][ib], c, &q_lo, &q_hi);
          const __m256i s_lo = _mm256_shuffle_epi8(scales[r], ctrl_lo);
          const __m256i s_hi = _mm256_shuffle_epi8(scales[r], ctrl_hi);
          for (int t = 0; t < T; ++t) {
            const int8_t* xq = x[t][ib].qs + 64 * c;
            const __m256i p_lo = _mm256_madd_epi16(_mm256_maddubs_epi16(q_lo, loadu256(xq)), s_lo);
            const __m256i p_hi = _mm256_madd_epi16(_mm256_maddubs_epi16(q_hi, loadu256(xq + 32)), s_hi);
            isum[r][t] = _mm256_add_epi32(isum[r][t], _mm256_add_epi32(p_lo, p_hi));
          }
        }
      }

      for (int t = 0; t < T; ++t) {
        const BlockQ8K& xb = x[t][ib];
        const __m256i bsums = loadu256(xb.bsums);
        for (int r = 0; r < R; ++r) {
          const __m128 dd = _mm_mul_ps(d_dmin[r], _mm_set1_ps(xb.d));
          const __m256 min_terms = _mm256_cvtepi32_ps(_mm256_madd_epi16(mins[r], bsums));
          acc[r][t] = _mm256_fnmadd_ps(min_terms, _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dd),
                                                                           _mm256_set1_epi32(1)),
                                       acc[r][t]);
          acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[r][t]), _mm256_broadcastss_ps(dd), acc[r][t]);
        }
      }
    }

    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) {
        a.y[(t0 + t) * a.y_stride + r0 + r] = hsum_avx(acc[r][t]);
      }
    }
  }
};

template <class Block>
bool gemm_kquant_mins_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  if (a.k % kQKK != 0) return false;
  if (a.n_tokens == 1) {
    // One row at a time: a single DRAM stream measured ~1.3-1.7x faster than 2 or 4 interleaved
    // rows on Zen3 (12.6 vs 9.7 GB/s for Q4_K, 12.4 vs 7.3 for Q6_K, one thread, 14336x4096).
    run_tiles<KquantMinsAvx2<Block>, 1, 1>(a, r0, r1);
  } else {
    run_tiles<KquantMinsAvx2<Block>, 1, 8>(a, r0, r1);
  }
  return true;
}

}  // namespace

bool gemm_q4k_q8k_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_kquant_mins_avx2<BlockQ4K>(a, r0, r1);
}
bool gemm_q5k_q8k_avx2(const MatmulArgs& a, int64_t r0, int64_t r1) {
  return gemm_kquant_mins_avx2<BlockQ5K>(a, r0, r1);
}

}  // namespace zeroidle::kernels
