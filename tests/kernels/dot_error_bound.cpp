#include "dot_error_bound.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/ref.h"

namespace zeroidle::testing {
namespace {

using kernels::QType;

constexpr double kUnitRoundoff = 0x1p-24;  // float, round to nearest

double gamma(double m) {
  return m * kUnitRoundoff / (1.0 - m * kUnitRoundoff);
}

bool has_mins(QType t) {
  return t == QType::Q4_K || t == QType::Q5_K;
}

// dmin * m_j of every value of a Q4_K / Q5_K row (the subtracted part of each weight), as float
// exactly like the dequantizer forms it.
template <typename Block>
std::vector<float> k4_min_terms(const void* w, int64_t n) {
  std::vector<float> mins(static_cast<size_t>(n));
  for (int64_t b = 0; b < n / kernels::kQKK; ++b) {
    Block blk;
    std::memcpy(&blk, static_cast<const uint8_t*>(w) + b * sizeof(Block), sizeof(Block));
    for (int j = 0; j < kernels::kQKK / 32; ++j) {
      uint8_t sc, m;
      kernels::unpack_scale_min_k4(j, blk.scales, &sc, &m);
      const float mj = kernels::fp16_to_fp32(blk.dmin) * static_cast<float>(m);
      for (int i = 0; i < 32; ++i) mins[static_cast<size_t>(b * kernels::kQKK + 32 * j + i)] = mj;
    }
  }
  return mins;
}

std::vector<float> dequantized(QType t, int64_t n, const void* x) {
  std::vector<float> y(static_cast<size_t>(n));
  kernels::dequantize_row(t, x, y.data(), n);
  return y;
}

}  // namespace

double dot_abs_terms(QType t, int64_t n, const void* w, const void* a) {
  const std::vector<float> wd = dequantized(t, n, w);
  const std::vector<float> ad = dequantized(kernels::type_traits(t).vec_dot_type, n, a);
  std::vector<float> mins(static_cast<size_t>(n), 0.0f);
  if (t == QType::Q4_K) mins = k4_min_terms<kernels::BlockQ4K>(w, n);
  if (t == QType::Q5_K) mins = k4_min_terms<kernels::BlockQ5K>(w, n);
  double s = 0.0;
  for (size_t i = 0; i < wd.size(); ++i) {
    // w_i = d sc q_i - dmin m_j, so |d sc q_i| = |w_i + dmin m_j|.
    const double scale_part = std::fabs(static_cast<double>(wd[i]) + mins[i]);
    s += (scale_part + std::fabs(static_cast<double>(mins[i]))) * std::fabs(static_cast<double>(ad[i]));
  }
  return s;
}

double dot_error_bound(QType t, int64_t n, const void* w, const void* a) {
  const double terms = static_cast<double>(has_mins(t) ? 2 * n : n);
  const double m = terms + kTermRoundings;
  return gamma(m) * dot_abs_terms(t, n, w, a) + m * static_cast<double>(FLT_MIN);
}

double dot_exact(QType t, int64_t n, const void* w, const void* a) {
  const std::vector<float> wd = dequantized(t, n, w);
  const std::vector<float> ad = dequantized(kernels::type_traits(t).vec_dot_type, n, a);
  double s = 0.0;
  for (size_t i = 0; i < wd.size(); ++i) s += static_cast<double>(wd[i]) * static_cast<double>(ad[i]);
  return s;
}

}  // namespace zeroidle::testing
