// Scalar reference kernels: the specification of every format, the test oracle for every SIMD kernel,
// and the last fallback of the dispatch table. Plain C++, no intrinsics, same results on every CPU.
//
// Preconditions (validated at load time, only debug-asserted here): n is a multiple of the format's
// block size; pointers address n values' worth of blocks.
#pragma once

#include <cstdint>

#include "kernels/formats.h"

namespace zeroidle::kernels {

// ---- scalar conversions (round to nearest even, as ggml) ----
float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);
float bf16_to_fp32(uint16_t h);
uint16_t fp32_to_bf16(float f);

// ---- dequantize a row of n values to float ----
void dequantize_row_f16(const uint16_t* x, float* y, int64_t n);
void dequantize_row_bf16(const uint16_t* x, float* y, int64_t n);
void dequantize_row_q4_0(const BlockQ4_0* x, float* y, int64_t n);
void dequantize_row_q5_0(const BlockQ5_0* x, float* y, int64_t n);
void dequantize_row_q8_0(const BlockQ8_0* x, float* y, int64_t n);
void dequantize_row_q4_k(const BlockQ4K* x, float* y, int64_t n);
void dequantize_row_q5_k(const BlockQ5K* x, float* y, int64_t n);
void dequantize_row_q6_k(const BlockQ6K* x, float* y, int64_t n);
void dequantize_row_q8_k(const BlockQ8K* x, float* y, int64_t n);
// Any type (F32 copies). `x` points at the row's first block.
void dequantize_row(QType t, const void* x, float* y, int64_t n);

// ---- quantize a float row ----
// Activations (bit-exact with ggml's quantize_row_*_ref):
void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n);
void quantize_row_q8_k(const float* x, BlockQ8K* y, int64_t n);
void quantize_row_f16(const float* x, uint16_t* y, int64_t n);
void quantize_row_bf16(const float* x, uint16_t* y, int64_t n);
// Weights (for `zeroidle quantize`; RMSE within 1.02x of ggml's reference quantizers):
void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n);
void quantize_row_q5_0(const float* x, BlockQ5_0* y, int64_t n);
void quantize_row_q4_k(const float* x, BlockQ4K* y, int64_t n);
void quantize_row_q5_k(const float* x, BlockQ5K* y, int64_t n);
void quantize_row_q6_k(const float* x, BlockQ6K* y, int64_t n);
// Any type whose quantizer exists (F32 copies); returns false for one that has none.
bool quantize_row(QType t, const float* x, void* y, int64_t n);

// ---- dot product of a weight row with an activation row of its vec_dot_type ----
float dot_f32_f32(int64_t n, const float* w, const float* a);
float dot_f16_f16(int64_t n, const uint16_t* w, const uint16_t* a);
float dot_bf16_bf16(int64_t n, const uint16_t* w, const uint16_t* a);
float dot_q4_0_q8_0(int64_t n, const BlockQ4_0* w, const BlockQ8_0* a);
float dot_q5_0_q8_0(int64_t n, const BlockQ5_0* w, const BlockQ8_0* a);
float dot_q8_0_q8_0(int64_t n, const BlockQ8_0* w, const BlockQ8_0* a);
float dot_q4_k_q8_k(int64_t n, const BlockQ4K* w, const BlockQ8K* a);
float dot_q5_k_q8_k(int64_t n, const BlockQ5K* w, const BlockQ8K* a);
float dot_q6_k_q8_k(int64_t n, const BlockQ6K* w, const BlockQ8K* a);
// Any weight type; `a` is in type_traits(t).vec_dot_type.
float dot_row(QType t, int64_t n, const void* w, const void* a);

}  // namespace zeroidle::kernels
