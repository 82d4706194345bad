// Helpers shared by the AArch64 kernel files: row/token addressing and the row × token-group loop.
//
// Everything here has internal linkage (static), so each kernel file gets its own copy compiled with
// its own -march flags: no SVE or i8mm instruction can reach the NEON files through a shared inline
// symbol that the linker happened to keep from another file. Keep this header free of intrinsics.
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"
#include "kernels/formats.h"

namespace zeroidle::kernels::arm {

// IEEE binary16 bits -> float. Exact (FCVT, part of every AArch64 FPU), so equal to the reference.
static inline float f16_to_f32(uint16_t h) {
  __fp16 v;
  __builtin_memcpy(&v, &h, sizeof v);
  return static_cast<float>(v);
}

// First block of weight row r.
template <typename Block>
static inline const Block* weight_row(const MatmulArgs& a, int64_t r) {
  return reinterpret_cast<const Block*>(a.w + static_cast<size_t>(r) * a.w_stride);
}

// First block of activation row (token) t.
template <typename Block>
static inline const Block* token_row(const MatmulArgs& a, int64_t t) {
  return reinterpret_cast<const Block*>(a.x + static_cast<size_t>(t) * a.x_stride);
}

// The 8 six-bit scales and 8 six-bit mins of a Q4_K super-block (unpack_scale_min_k4 for all j at
// once, on 32-bit words): scales 0..3 / mins 0..3 are the low 6 bits of bytes 0..3 / 4..7; scales
// and mins 4..7 take their low 4 bits from the nibbles of bytes 8..11 and their top 2 bits from the
// top 2 bits of bytes 0..3 / 4..7.
struct ScalesMins {
  uint8_t scale[8];
  uint8_t min[8];
};

static inline ScalesMins unpack_q4k_scales(const uint8_t* packed) {
  uint32_t w[3];
  __builtin_memcpy(w, packed, sizeof w);
  const uint32_t low6 = 0x3F3F3F3F, low4 = 0x0F0F0F0F, low2 = 0x03030303;
  const uint32_t s[2] = {w[0] & low6, (w[2] & low4) | (((w[0] >> 6) & low2) << 4)};
  const uint32_t m[2] = {w[1] & low6, ((w[2] >> 4) & low4) | (((w[1] >> 6) & low2) << 4)};
  ScalesMins out;
  __builtin_memcpy(out.scale, s, sizeof s);
  __builtin_memcpy(out.min, m, sizeof m);
  return out;
}

// Where Y[t][r] lives.
static inline float* out_at(const MatmulArgs& a, int64_t r, int64_t t) {
  return a.y + t * a.y_stride + r;
}

// The same product restricted to tokens [t0, t0 + n): lets a GEMM tile hand its leftover tokens to
// a narrower kernel without that kernel knowing about tiles.
static inline MatmulArgs token_slice(const MatmulArgs& a, int64_t t0, int64_t n) {
  MatmulArgs s = a;
  s.x = a.x + static_cast<size_t>(t0) * a.x_stride;
  s.y = a.y + t0 * a.y_stride;
  s.n_tokens = n;
  return s;
}

// A token count as a type, so a tile's token loop is unrolled at compile time.
template <int N>
struct TokenCount {
  static constexpr int value = N;
};

// Cache blocking of the loops below. A block of kTokenBlock activation rows (Q8_K: 147 KB at
// K = 4096, 523 KB at K = 14336) stays in L2 while every weight row passes over it; a block of
// kRowBlock weight rows (Q4_K: 37 KB at K = 4096) stays in L1/L2 while the tokens of that block pass
// over it. Weights are streamed from memory once per token block: once for decode and small batches.
constexpr int64_t kTokenBlock = 32;
constexpr int64_t kRowBlock = 16;

static inline int64_t min64(int64_t x, int64_t y) {
  return x < y ? x : y;
}

// Calls tile(r, t0, TokenCount<nt>{}) for every row r in [r0, r1) and every group of nt <= 4
// consecutive tokens starting at t0 (groups of 4, the remainder of a token block last).
template <typename Tile>
static inline void for_each_row_x4_tokens(const MatmulArgs& a, int64_t r0, int64_t r1, Tile&& tile) {
  for (int64_t tb = 0; tb < a.n_tokens; tb += kTokenBlock) {
    const int64_t te = min64(tb + kTokenBlock, a.n_tokens);
    for (int64_t rb = r0; rb < r1; rb += kRowBlock) {
      const int64_t re = min64(rb + kRowBlock, r1);
      for (int64_t t0 = tb; t0 < te; t0 += 4) {
        for (int64_t r = rb; r < re; ++r) {
          switch (min64(te - t0, 4)) {
            case 4:
              tile(r, t0, TokenCount<4>{});
              break;
            case 3:
              tile(r, t0, TokenCount<3>{});
              break;
            case 2:
              tile(r, t0, TokenCount<2>{});
              break;
            default:
              tile(r, t0, TokenCount<1>{});
              break;
          }
        }
      }
    }
  }
}

// Calls tile(r, t0, TokenCount<np>{}) for every pair of rows (r, r + 1) in [r0, r1) and every
// group of np <= 2 token pairs starting at t0 (2 x 4 tiles, a 2 x 2 one for a leftover pair), blocked
// as above: the tiles of an SMMLA GEMM. An odd last row or token is left alone; the caller gives
// those to a kernel of any shape (see rows_x_tokens_tail).
template <typename Tile>
static inline void for_each_row_pair_token_pairs(const MatmulArgs& a, int64_t r0, int64_t r1, Tile&& tile) {
  const int64_t r_end = r0 + ((r1 - r0) & ~int64_t{1});
  const int64_t t_end = a.n_tokens & ~int64_t{1};
  static_assert(kTokenBlock % 4 == 0, "token blocks hold whole 2 x 4 tiles");
  for (int64_t tb = 0; tb < t_end; tb += kTokenBlock) {
    const int64_t te = min64(tb + kTokenBlock, t_end);
    for (int64_t rb = r0; rb < r_end; rb += kRowBlock) {
      const int64_t re = min64(rb + kRowBlock, r_end);
      for (int64_t t0 = tb; t0 < te; t0 += 4) {
        for (int64_t r = rb; r < re; r += 2) {
          if (te - t0 >= 4) {
            tile(r, t0, TokenCount<2>{});
          } else {
            tile(r, t0, TokenCount<1>{});
          }
        }
      }
    }
  }
}

// After for_each_row_pair_token_pairs: the odd last token for the even rows, and the odd last row for all
// tokens, computed by `narrow` (a MatmulFn that handles any shape).
static inline void rows_x_tokens_tail(const MatmulArgs& a, int64_t r0, int64_t r1, MatmulFn narrow) {
  const int64_t r_end = r0 + ((r1 - r0) & ~int64_t{1});
  if (a.n_tokens & 1) narrow(token_slice(a, a.n_tokens - 1, 1), r0, r_end);
  if (r_end < r1) narrow(a, r_end, r1);
}

}  // namespace zeroidle::kernels::arm
