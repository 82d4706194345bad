// The kernel table: one set of function pointers per instruction-set level, filled once at start-up
// from the detected CPU features (or ZEROIDLE_ISA), and the matmul entry point that uses it.
//
// A fast path may decline a shape or type by returning false; the scalar reference always answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/formats.h"

namespace zeroidle::kernels {

// Y[t * y_stride + r] = dot(W row r, X row t) for r in [r0, r1) and every t in [0, n_tokens).
// W rows are `wtype` blocks; X rows are already in type_traits(wtype).vec_dot_type.
struct MatmulArgs {
  QType wtype = QType::F32;
  const uint8_t* w = nullptr;   // first weight row
  size_t w_stride = 0;          // bytes between weight rows
  int64_t k = 0;                // values per row
  const uint8_t* x = nullptr;   // first activation row
  size_t x_stride = 0;          // bytes between activation rows
  int64_t n_tokens = 0;
  float* y = nullptr;
  int64_t y_stride = 0;         // floats between output rows (one per token)
};

// Computes rows [r0, r1) of the output for all tokens; false = not handled, use the next level.
using MatmulFn = bool (*)(const MatmulArgs& args, int64_t r0, int64_t r1);
// Converts n floats to activation blocks of one type (Q8_0, Q8_K, F16, BF16 or F32).
using QuantizeFn = void (*)(const float* x, void* y, int64_t n);

constexpr int kMaxTypeId = 32;

struct KernelSet {
  const char* isa = "scalar";                // scalar | avx2 | avx512 | neon | i8mm | sve
  MatmulFn matmul[kMaxTypeId] = {};          // indexed by weight QType id; nullptr = not handled
  QuantizeFn quantize[kMaxTypeId] = {};      // indexed by activation QType id; nullptr = scalar
};

// The set chosen for this process (first call detects; thread-safe).
// ZEROIDLE_ISA forces a level; a level this CPU cannot run throws std::runtime_error.
const KernelSet& active_kernels();

}  // namespace zeroidle::kernels
