// Matrix products of a quantized weight matrix with float activations, multithreaded over output rows.
//
// The activations are converted once per call to the weight type's vec_dot_type (Q8_K for K-quants,
// Q8_0 for legacy quants, F16/BF16/F32 as themselves) and shared by every weight row; the active
// KernelSet computes row blocks, falling back to the scalar reference where a fast path declines.
//
// Thread-compatible: one MatmulContext per session; calls on one context must not overlap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "kernels/formats.h"

namespace zeroidle::kernels {

// A row-major weight matrix: `rows` rows of `k` values each, a view (e.g. into a mapped GGUF file).
struct WeightMatrix {
  QType type = QType::F32;
  const uint8_t* data = nullptr;
  int64_t rows = 0;
  int64_t k = 0;
  size_t row_stride = 0;  // bytes between rows; row_bytes(type, k) for a dense tensor
};

class MatmulContext {
 public:
  // n_threads >= 1 workers (the calling thread is one of them). Buffers are sized for activations of
  // up to max_tokens rows of max_k values, so no call allocates.
  MatmulContext(int n_threads, int64_t max_k, int64_t max_tokens);
  ~MatmulContext();
  MatmulContext(const MatmulContext&) = delete;
  MatmulContext& operator=(const MatmulContext&) = delete;

  int n_threads() const;

  // Runs fn(i) for i in [0, n) across the workers; returns when all are done.
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);

 private:
  friend void matmul(MatmulContext&, const WeightMatrix&, const float*, int64_t, float*);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// y[t * w.rows + r] = sum_i w[r][i] * x[t * w.k + i], for t < n_tokens (<= max_tokens), r < w.rows.
void matmul(MatmulContext& ctx, const WeightMatrix& w, const float* x, int64_t n_tokens, float* y);

}  // namespace zeroidle::kernels
