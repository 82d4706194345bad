// The AArch64 kernels behind the three ARM kernel sets (filled in arm_sets.cpp by the
// fill_neon / fill_i8mm / fill_sve of kernels/dispatch.h). One file per ISA per kernel family, each
// compiled with its own -march (kernels/arm/sources.cmake); dispatch.cpp picks a set from HWCAP.
//
//   neon  NEON + dotprod (SDOT): Graviton2 / Neoverse N1 and every later core. Needs HWCAP_ASIMDDP.
//         Handles every shape of F32, F16, BF16, Q4_0, Q5_0, Q8_0, Q4_K, Q6_K; quantizes to Q8_0, Q8_K.
//   i8mm  SMMLA GEMM in 2-row x 2-token tiles for n_tokens >= 2 (Q4_0, Q5_0, Q8_0, Q4_K, Q6_K);
//         declines one token (-> neon). Graviton3/4. Needs HWCAP2_I8MM (+ ASIMDDP for the tails).
//   sve   vector-length-agnostic SVE GEMV for one token (Q8_0, Q4_K); declines several tokens
//         (-> i8mm where the core has it, else neon). Graviton3 (256-bit), Graviton4 (128-bit).
//
// Every kernel computes Y[t * y_stride + r] = dot(W row r, X row t) for r in [r0, r1) and every
// token; a `false` return means "declined, use the fallback set". Only built for aarch64.
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"

namespace zeroidle::kernels::arm {

// ---- NEON + dotprod (neon_*.cpp) ----
bool matmul_f32_f32_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_f16_f16_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_bf16_bf16_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q4_0_q8_0_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q5_0_q8_0_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q8_0_q8_0_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q4k_q8k_neon(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q6k_q8k_neon(const MatmulArgs& a, int64_t r0, int64_t r1);

// Activation quantizers, bit-exact with ref.h's quantize_row_q8_0 / quantize_row_q8_k.
void quantize_row_q8_0_neon(const float* x, void* y, int64_t n);
void quantize_row_q8_k_neon(const float* x, void* y, int64_t n);

// ---- NEON + i8mm (i8mm_*.cpp): SMMLA tiles; decline n_tokens < 2; odd rows/tokens via NEON ----
bool matmul_q4_0_q8_0_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q5_0_q8_0_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q8_0_q8_0_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q4k_q8k_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1);
bool matmul_q6k_q8k_i8mm(const MatmulArgs& a, int64_t r0, int64_t r1);

// ---- SVE (sve_*.cpp): one token, any vector length; decline n_tokens != 1 ----
bool gemv_q8_0_q8_0_sve(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemv_q4k_q8k_sve(const MatmulArgs& a, int64_t r0, int64_t r1);

}  // namespace zeroidle::kernels::arm
