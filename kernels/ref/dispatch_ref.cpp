// Type-generic entry points of the scalar references: one switch per operation mapping a QType to
// its typed kernel. Callers hold rows as raw bytes (GGUF views); the casts happen only here.
#include <cassert>
#include <cstring>
#include <limits>

#include "kernels/ref.h"

namespace zeroidle::kernels {

// y = dequantized row of type t
void dequantize_row(QType t, const void* x, float* y, int64_t n) {
  switch (t) {
    case QType::F32:
      std::memcpy(y, x, static_cast<size_t>(n) * sizeof(float));
      return;
    case QType::F16:
      dequantize_row_f16(static_cast<const uint16_t*>(x), y, n);
      return;
    case QType::BF16:
      dequantize_row_bf16(static_cast<const uint16_t*>(x), y, n);
      return;
    case QType::Q4_0:
      dequantize_row_q4_0(static_cast<const BlockQ4_0*>(x), y, n);
      return;
    case QType::Q5_0:
      dequantize_row_q5_0(static_cast<const BlockQ5_0*>(x), y, n);
      return;
    case QType::Q8_0:
      dequantize_row_q8_0(static_cast<const BlockQ8_0*>(x), y, n);
      return;
    case QType::Q4_K:
      dequantize_row_q4_k(static_cast<const BlockQ4K*>(x), y, n);
      return;
    case QType::Q5_K:
      dequantize_row_q5_k(static_cast<const BlockQ5K*>(x), y, n);
      return;
    case QType::Q6_K:
      dequantize_row_q6_k(static_cast<const BlockQ6K*>(x), y, n);
      return;
    case QType::Q8_K:
      dequantize_row_q8_k(static_cast<const BlockQ8K*>(x), y, n);
      return;
  }
  assert(false && "dequantize_row: unsupported type");
}

// y = row of type t quantized from x; false when t has no quantizer
bool quantize_row(QType t, const float* x, void* y, int64_t n) {
  switch (t) {
    case QType::F32:
      std::memcpy(y, x, static_cast<size_t>(n) * sizeof(float));
      return true;
    case QType::F16:
      quantize_row_f16(x, static_cast<uint16_t*>(y), n);
      return true;
    case QType::BF16:
      quantize_row_bf16(x, static_cast<uint16_t*>(y), n);
      return true;
    case QType::Q4_0:
      quantize_row_q4_0(x, static_cast<BlockQ4_0*>(y), n);
      return true;
    case QType::Q5_0:
      quantize_row_q5_0(x, static_cast<BlockQ5_0*>(y), n);
      return true;
    case QType::Q8_0:
      quantize_row_q8_0(x, static_cast<BlockQ8_0*>(y), n);
      return true;
    case QType::Q4_K:
      quantize_row_q4_k(x, static_cast<BlockQ4K*>(y), n);
      return true;
    case QType::Q5_K:
      quantize_row_q5_k(x, static_cast<BlockQ5K*>(y), n);
      return true;
    case QType::Q6_K:
      quantize_row_q6_k(x, static_cast<BlockQ6K*>(y), n);
      return true;
    case QType::Q8_K:
      quantize_row_q8_k(x, static_cast<BlockQ8K*>(y), n);
      return true;
  }
  return false;
}

// sum_i w[i] * a[i] with w of type t and a of type_traits(t).vec_dot_type; NaN for a type that
// has no dot kernel (Q8_K is an activation format only).
float dot_row(QType t, int64_t n, const void* w, const void* a) {
  switch (t) {
    case QType::F32:
      return dot_f32_f32(n, static_cast<const float*>(w), static_cast<const float*>(a));
    case QType::F16:
      return dot_f16_f16(n, static_cast<const uint16_t*>(w), static_cast<const uint16_t*>(a));
    case QType::BF16:
      return dot_bf16_bf16(n, static_cast<const uint16_t*>(w), static_cast<const uint16_t*>(a));
    case QType::Q4_0:
      return dot_q4_0_q8_0(n, static_cast<const BlockQ4_0*>(w), static_cast<const BlockQ8_0*>(a));
    case QType::Q5_0:
      return dot_q5_0_q8_0(n, static_cast<const BlockQ5_0*>(w), static_cast<const BlockQ8_0*>(a));
    case QType::Q8_0:
      return dot_q8_0_q8_0(n, static_cast<const BlockQ8_0*>(w), static_cast<const BlockQ8_0*>(a));
    case QType::Q4_K:
      return dot_q4_k_q8_k(n, static_cast<const BlockQ4K*>(w), static_cast<const BlockQ8K*>(a));
    case QType::Q5_K:
      return dot_q5_k_q8_k(n, static_cast<const BlockQ5K*>(w), static_cast<const BlockQ8K*>(a));
    case QType::Q6_K:
      return dot_q6_k_q8_k(n, static_cast<const BlockQ6K*>(w), static_cast<const BlockQ8K*>(a));
    case QType::Q8_K:
      break;
  }
  assert(false && "dot_row: no dot kernel for this weight type");
  return std::numeric_limits<float>::quiet_NaN();
}

}  // namespace zeroidle::kernels
