// The x86-64 matmul kernels, one declaration per kernel; each is defined in the file compiled with
// its ISA's flags (kernels/x86/<isa>_<family>.cpp) and registered by fill_avx2 / fill_avx512.
// All have the MatmulFn contract of kernels/dispatch.h: rows [r0, r1) for every token, false =
// declined (the caller falls back).
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"

namespace zeroidle::kernels {

// AVX2 + FMA + F16C (avx2_*.cpp)
bool gemm_q4k_q8k_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q5k_q8k_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q6k_q8k_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q4_0_q8_0_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q5_0_q8_0_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q8_0_q8_0_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_f16_f16_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_bf16_bf16_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_f32_f32_avx2(const MatmulArgs& a, int64_t r0, int64_t r1);
// Activation converters (QuantizeFn), bit-identical to ref.h's quantize_row_q8_k / q8_0 / f16.
void quantize_q8_k_avx2(const float* x, void* y, int64_t n);
void quantize_q8_0_avx2(const float* x, void* y, int64_t n);
void quantize_f16_avx2(const float* x, void* y, int64_t n);

// AVX-512 F/BW/VL/DQ + VNNI (avx512_*.cpp)
bool gemm_q4k_q8k_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q6k_q8k_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q4_0_q8_0_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q5_0_q8_0_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_q8_0_q8_0_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_f16_f16_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);
bool gemm_f32_f32_avx512(const MatmulArgs& a, int64_t r0, int64_t r1);

}  // namespace zeroidle::kernels
