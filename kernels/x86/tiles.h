// The tile walk shared by the x86 GEMM/GEMV kernels (ISA-neutral loops, no intrinsics).
//
// A kernel is a struct K with `template <int R, int T> static void tile(args, r, t)` computing R
// weight rows x T tokens, every weight block unpacked once and reused across the T tokens.
// run_tiles<K, R, T> walks rows [r0, r1) x all tokens with the full tile and the smaller ones at the
// edges. Everything here has internal linkage, so each ISA file gets its own copy compiled with its
// own flags (no ODR merging of code built for different ISAs).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "kernels/dispatch.h"

namespace zeroidle::kernels {
namespace {

using TileFn = void (*)(const MatmulArgs& a, int64_t r, int64_t t);

// A block of rows whose weights stay in L2 while every token tile passes over them: ~150 KB (64 Q4_K rows
// at K = 4096, measured best), so at K = 14336 the block is 19 rows, not 64 (64 would overflow a 512 KB L2).
constexpr int64_t kRowBlockBytes = 150 * 1024;

// Rounded down to a whole number of R-row tiles, so only the end of the range pays for a narrower tile.
template <int R>
int64_t row_block(const MatmulArgs& a) {
  const int64_t rows = std::clamp<int64_t>(kRowBlockBytes / static_cast<int64_t>(a.w_stride), 8, 256);
  return std::max<int64_t>(R, rows / R * R);
}

// GEMV reads each weight byte once, as one stream per thread, with a kernel only a little faster than a
// core's share of DRAM. The hardware prefetcher alone leaves the stream waiting on misses; prefetching the
// block this far ahead keeps them in flight (Q4_K GEMV on Zen3, 2 threads: 55-75% -> 87-98% of the
// measured read bandwidth; bench/README.md). Rows are contiguous, so near a row's end it reaches into the
// next row; past the matrix's end a prefetch is harmless.
constexpr int64_t kPrefetchBytes = 2048;

template <class Block>
inline void prefetch_ahead(const Block* b) {
  const char* p = reinterpret_cast<const char*>(b) + kPrefetchBytes;
  for (size_t off = 0; off < sizeof(Block); off += 64) __builtin_prefetch(p + off, 0, 3);
}

// table[(nr - 1) * T + (nt - 1)] = K::tile<nr, nt>
template <class K, int R, int T, int... I>
constexpr std::array<TileFn, R * T> make_tile_table(std::integer_sequence<int, I...>) {
  return {&K::template tile<I / T + 1, I % T + 1>...};
}

template <class K, int R, int T>
void run_tiles(const MatmulArgs& a, int64_t r0, int64_t r1) {
  static constexpr std::array<TileFn, R* T> kTable =
      make_tile_table<K, R, T>(std::make_integer_sequence<int, R * T>{});
  const int64_t block = row_block<R>(a);
  for (int64_t rb = r0; rb < r1; rb += block) {
    const int64_t re = std::min(rb + block, r1);
    for (int64_t t = 0; t < a.n_tokens; t += T) {
      const int nt = static_cast<int>(std::min<int64_t>(T, a.n_tokens - t));
      for (int64_t r = rb; r < re; r += R) {
        const int nr = static_cast<int>(std::min<int64_t>(R, re - r));
        kTable[(nr - 1) * T + (nt - 1)](a, r, t);
      }
    }
  }
}

template <class Block>
inline const Block* row_ptr(const uint8_t* base, size_t stride, int64_t i) {
  return reinterpret_cast<const Block*>(base + static_cast<size_t>(i) * stride);
}

}  // namespace
}  // namespace zeroidle::kernels
