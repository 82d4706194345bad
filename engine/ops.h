// Small float operations of the forward pass, one line of math each. Matrix products live in kernels/.
#pragma once

#include <cstdint>

namespace zeroidle::engine {

// y = x / sqrt(mean(x^2) + eps) * w, over n values (sum of squares in double, as ggml).
void rmsnorm(float* y, const float* x, const float* w, int64_t n, float eps);

// Rotates pairs (x[2i], x[2i+1]) for 2i < n_rot by theta_i = pos * base^(-2i/n_rot) / freq_factors[i]
// (Llama "normal" RoPE); theta_i is built by repeated multiplication in float, as ggml does.
void rope(float* x, int64_t n_rot, int64_t pos, float base, const float* freq_factors);

// x = softmax(x) over n values, in place (max subtracted, sum in double).
void softmax(float* x, int64_t n);

// gate = silu(gate) * up, with silu(g) = g / (1 + e^-g).
void swiglu(float* gate, const float* up, int64_t n);

// y += x
void add(float* y, const float* x, int64_t n);

}  // namespace zeroidle::engine
