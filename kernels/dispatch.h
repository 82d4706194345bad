// The kernel table: one set of function pointers per instruction-set level, filled once at start-up
// from the detected CPU features (or ZEROIDLE_ISA), and the matmul entry point that uses it.
//
// A fast path may decline a shape or type by returning false; the scalar reference always answers.
//
// How an ISA registers its kernels: each level has one `void fill_<isa>(KernelSet&)` declared at the
// bottom of this header and defined in kernels/x86/ or kernels/arm/ (in the file compiled with that
// ISA's flags, or a plain file that only stores pointers). It sets `matmul[type id]` for the weight
// formats it computes and `quantize[type id]` for the activation formats it converts, nothing else;
// dispatch.cpp calls it under `#if defined(__x86_64__)` / `__aarch64__`, names the set and links its
// fallback. A fill function must not execute any instruction of its ISA.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  // The set tried for a type this one has no entry for, or whose fast path declined; nullptr = the
  // scalar reference. avx512 -> avx2; i8mm -> neon; sve -> i8mm if the CPU has it, else neon.
  const KernelSet* fallback = nullptr;
};

// The set chosen for this process (first call detects; thread-safe).
// ZEROIDLE_ISA forces a level; a level this CPU cannot run throws std::runtime_error.
const KernelSet& active_kernels();

// The scalar reference set: every format, built from ref.h's dot_row. Always available.
const KernelSet& scalar_kernels();

// True when this CPU (and OS) can run the level: "scalar", "avx2", "avx512", "neon", "i8mm", "sve".
bool isa_available(std::string_view isa);

// The set of one level; throws std::runtime_error naming the level when this CPU cannot run it
// (or it is unknown, or not built for this architecture).
const KernelSet& kernels_for_isa(std::string_view isa);

// The choice active_kernels() makes for a ZEROIDLE_ISA value: nullptr or "" = the best level this
// CPU can run, anything else = kernels_for_isa(value) (which throws for an unavailable level).
const KernelSet& kernels_for_env(const char* zeroidle_isa);

// Every level this CPU can run, scalar first, best last (what the tests iterate over).
std::vector<const KernelSet*> available_kernel_sets();

// The levels of this architecture, best first, whether or not this CPU has them (tests say which
// they skip). x86-64: avx512, avx2, scalar; AArch64: sve, i8mm, neon, scalar.
std::vector<std::string> known_isas();

// Which level computes weight type t in `set`, following the fallback chain ("scalar" at the end).
const char* isa_for_type(const KernelSet& set, QType t);

// Computes rows [r0, r1) with `set`, walking its fallback chain until a kernel answers, ending at
// the scalar reference. Returns the name of the level that answered.
const char* run_matmul(const KernelSet& set, const MatmulArgs& args, int64_t r0, int64_t r1);

// Converts a row of n floats to `act_type` with the first converter in the chain (scalar last).
void run_quantize(const KernelSet& set, QType act_type, const float* x, void* y, int64_t n);

// ---- per-ISA registration (see the top of this file); only the host architecture's are defined ----
void fill_avx2(KernelSet& set);    // kernels/x86/avx2_set.cpp
void fill_avx512(KernelSet& set);  // kernels/x86/avx512_set.cpp
void fill_neon(KernelSet& set);    // kernels/arm/
void fill_i8mm(KernelSet& set);    // kernels/arm/
void fill_sve(KernelSet& set);     // kernels/arm/

}  // namespace zeroidle::kernels
