// The scalar KernelSet: every weight format through ref.h's dot_row, every activation format through
// ref.h's quantizers. The always-present last fallback, and the oracle the SIMD tests compare with.
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/ref.h"

namespace zeroidle::kernels {
namespace {

// Y[t][r] = dot_row(W[r], X[t]): one weight row at a time, so it stays in cache across the tokens.
bool matmul_rows_ref(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* w = a.w + static_cast<size_t>(r) * a.w_stride;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      a.y[t * a.y_stride + r] = dot_row(a.wtype, a.k, w, a.x + static_cast<size_t>(t) * a.x_stride);
    }
  }
  return true;
}

void quantize_q8_0_ref(const float* x, void* y, int64_t n) {
  quantize_row_q8_0(x, static_cast<BlockQ8_0*>(y), n);
}
void quantize_q8_k_ref(const float* x, void* y, int64_t n) {
  quantize_row_q8_k(x, static_cast<BlockQ8K*>(y), n);
}
void quantize_f16_ref(const float* x, void* y, int64_t n) {
  quantize_row_f16(x, static_cast<uint16_t*>(y), n);
}
void quantize_bf16_ref(const float* x, void* y, int64_t n) {
  quantize_row_bf16(x, static_cast<uint16_t*>(y), n);
}
void quantize_f32_copy(const float* x, void* y, int64_t n) {
  std::memcpy(y, x, static_cast<size_t>(n) * sizeof(float));
}

KernelSet make_scalar_set() {
  KernelSet s;
  s.isa = "scalar";
  for (QType t : {QType::F32, QType::F16, QType::BF16, QType::Q4_0, QType::Q5_0, QType::Q8_0, QType::Q4_K,
                  QType::Q5_K, QType::Q6_K}) {
    s.matmul[static_cast<int>(t)] = matmul_rows_ref;
  }
  s.quantize[static_cast<int>(QType::Q8_0)] = quantize_q8_0_ref;
  s.quantize[static_cast<int>(QType::Q8_K)] = quantize_q8_k_ref;
  s.quantize[static_cast<int>(QType::F16)] = quantize_f16_ref;
  s.quantize[static_cast<int>(QType::BF16)] = quantize_bf16_ref;
  s.quantize[static_cast<int>(QType::F32)] = quantize_f32_copy;
  return s;
}

}  // namespace

const KernelSet& scalar_kernels() {
  static const KernelSet set = make_scalar_set();
  return set;
}

}  // namespace zeroidle::kernels
