// Scalar reference weight quantizers of the K-quant formats: Q4_K, Q5_K, Q6_K.
//
// The same searches as ggml's quantize_row_q{4,5,6}_K_ref, so the error matches ggml's files:
// - Q4_K / Q5_K: each 32-value sub-block gets an affine fit x ~ scale * L - min (L in [0, nmax],
//   min >= 0): levels are rounded on a grid of inverse scales around nmax / (max - min), and for
//   each grid point weighted least squares gives (scale, min); the fit of least weighted squared
//   error wins. Weights are rms(sub-block) + |x|. The eight scales and mins are then quantized to
//   6 bits against the super-block's largest, and L is recomputed with the quantized values.
// - Q6_K: each 16-value sub-block gets a symmetric fit x ~ scale * L (L in [-32, 31]) maximising
//   the x^2-weighted correlation over 19 scales; the 16 scales are quantized to int8 against the
//   largest, and L is recomputed.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/ref.h"
#include "kernels/ref/rounding.h"

namespace zeroidle::kernels {
namespace {

using ref_detail::nearest_int;

constexpr int kSub32 = 32;              // values per Q4_K / Q5_K sub-block
constexpr int kSub16 = 16;              // values per Q6_K sub-block
constexpr int kNSub32 = kQKK / kSub32;  // 8 sub-blocks
constexpr int kNSub16 = kQKK / kSub16;  // 16 sub-blocks
constexpr int kScaleMax6 = 63;          // 6-bit sub-block scales and mins
constexpr int kQ6Offset = 32;           // Q6_K stores l + 32, l in [-32, 31]
// Below this a sub-block's scale is treated as zero (ggml's GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

// The grid of inverse scales tried by the affine fit: (nmax + rmin + rdelta * i) / (max - min),
// i = 0..nstep (ggml's make_qkx2_quants parameters for each format).
struct ScaleGrid {
  float rmin;
  float rdelta;
  int nstep;
};
constexpr ScaleGrid kQ4KGrid{-1.0f, 0.1f, 20};
constexpr ScaleGrid kQ5KGrid{-0.5f, 0.1f, 15};

// L[i] = clamp(round(iscale * (x[i] - lo)), 0, nmax)
void assign_affine_levels(const float* x, int n, float lo, float iscale, int nmax, uint8_t* L) {
  for (int i = 0; i < n; ++i) {
    L[i] = static_cast<uint8_t>(std::clamp(nearest_int(iscale * (x[i] - lo)), 0, nmax));
  }
}

// sum_i w[i] * (scale * L[i] + offset - x[i])^2
float weighted_sq_error(const float* x, const float* w, const uint8_t* L, int n, float scale, float offset) {
  float err = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float diff = scale * static_cast<float>(L[i]) + offset - x[i];
    err += w[i] * (diff * diff);
  }
  return err;
}

// Weighted least squares (scale, offset) for x ~ scale * L + offset with L fixed; offset <= 0
// (if the free optimum is positive the offset is pinned to 0). False if L is degenerate.
bool solve_affine(const float* x, const float* w, const uint8_t* L, int n, float sum_w, float sum_x,
                  float* scale, float* offset) {
  float sum_l = 0.0f, sum_l2 = 0.0f, sum_xl = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float wl = w[i] * static_cast<float>(L[i]);
    sum_l += wl;
    sum_l2 += wl * static_cast<float>(L[i]);
    sum_xl += wl * x[i];
  }
  const float det = sum_w * sum_l2 - sum_l * sum_l;
  if (!(det > 0.0f)) return false;
  *scale = (sum_w * sum_xl - sum_x * sum_l) / det;
  *offset = (sum_l2 * sum_x - sum_l * sum_xl) / det;
  if (*offset > 0.0f) {
    *offset = 0.0f;
    *scale = sum_xl / sum_l2;
  }
  return true;
}

// Affine fit of one sub-block: x ~ scale * L - *neg_min, L in [0, nmax]; returns scale >= 0 and
// *neg_min >= 0 (ggml's make_qkx2_quants with use_mad = false, whose outputs it reproduces
// exactly; the tests compare against ggml's bytes).
float fit_affine(const float* x, const float* w, int n, int nmax, const ScaleGrid& grid, uint8_t* L,
                 float* neg_min) {
  assert(n <= kSub32);
  float lo = x[0], hi = x[0], sum_w = w[0], sum_x = w[0] * x[0];
  for (int i = 1; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    sum_w += w[i];
    sum_x += w[i] * x[i];
  }
  lo = std::min(lo, 0.0f);
  if (hi == lo) {
    std::fill(L, L + n, uint8_t{0});
    *neg_min = -lo;
    return 0.0f;
  }
  float iscale = static_cast<float>(nmax) / (hi - lo);
  float scale = 1.0f / iscale, offset = lo;
  assign_affine_levels(x, n, lo, iscale, nmax, L);
  float best = weighted_sq_error(x, w, L, n, scale, offset);
  uint8_t trial[kSub32];
  for (int step = 0; step <= grid.nstep; ++step) {
    // Like ggml, later candidates grid from the best offset found so far, not from lo.
    iscale = (grid.rmin + grid.rdelta * static_cast<float>(step) + static_cast<float>(nmax)) / (hi - offset);
    assign_affine_levels(x, n, offset, iscale, nmax, trial);
    float s, o;
    if (!solve_affine(x, w, trial, n, sum_w, sum_x, &s, &o)) continue;
    const float err = weighted_sq_error(x, w, trial, n, s, o);
    if (err < best) {
      std::copy(trial, trial + n, L);
      best = err;
      scale = s;
      offset = o;
    }
  }
  *neg_min = -offset;
  return scale;
}

// Inverse of unpack_scale_min_k4: packs eight 6-bit (scale, min) pairs into 12 bytes.
void pack_scale_min_k4(const uint8_t sc[kNSub32], const uint8_t m[kNSub32], uint8_t q[12]) {
  for (int j = 0; j < 4; ++j) {
    q[j] = sc[j];
    q[j + 4] = m[j];
  }
  for (int j = 4; j < kNSub32; ++j) {
    q[j + 4] = static_cast<uint8_t>((sc[j] & 0x0F) | ((m[j] & 0x0F) << 4));
    q[j - 4] |= static_cast<uint8_t>((sc[j] >> 4) << 6);
    q[j] |= static_cast<uint8_t>((m[j] >> 4) << 6);
  }
}

// q = clamp(round(v * inv), 0, 63)
uint8_t quantize_6bit(float v, float inv) {
  return static_cast<uint8_t>(std::clamp(nearest_int(inv * v), 0, kScaleMax6));
}

// The header of a Q4_K / Q5_K super-block.
struct K4Header {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
};

// Quantizes one Q4_K / Q5_K super-block to levels L[256] in [0, nmax] and its header.
K4Header quantize_super_block_k4(const float* x, int nmax, const ScaleGrid& grid, uint8_t L[kQKK]) {
  float scales[kNSub32], mins[kNSub32], w[kSub32];
  float max_scale = 0.0f, max_min = 0.0f;
  for (int j = 0; j < kNSub32; ++j) {
    const float* xs = x + kSub32 * j;
    float sum_x2 = 0.0f;
    for (int i = 0; i < kSub32; ++i) sum_x2 += xs[i] * xs[i];
    const float av_x = std::sqrt(sum_x2 / static_cast<float>(kSub32));
    for (int i = 0; i < kSub32; ++i) w[i] = av_x + std::fabs(xs[i]);
    scales[j] = fit_affine(xs, w, kSub32, nmax, grid, L + kSub32 * j, &mins[j]);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  const float inv_scale = max_scale > 0.0f ? static_cast<float>(kScaleMax6) / max_scale : 0.0f;
  const float inv_min = max_min > 0.0f ? static_cast<float>(kScaleMax6) / max_min : 0.0f;
  uint8_t ls[kNSub32], lm[kNSub32];
  for (int j = 0; j < kNSub32; ++j) {
    ls[j] = quantize_6bit(scales[j], inv_scale);
    lm[j] = quantize_6bit(mins[j], inv_min);
  }
  K4Header h{};
  pack_scale_min_k4(ls, lm, h.scales);
  h.d = fp32_to_fp16(max_scale / static_cast<float>(kScaleMax6));
  h.dmin = fp32_to_fp16(max_min / static_cast<float>(kScaleMax6));
  // Recompute the levels against the scales the block actually stores.
  for (int j = 0; j < kNSub32; ++j) {
    const float d = fp16_to_fp32(h.d) * static_cast<float>(ls[j]);
    if (d == 0.0f) continue;
    const float dm = fp16_to_fp32(h.dmin) * static_cast<float>(lm[j]);
    for (int i = 0; i < kSub32; ++i) {
      L[kSub32 * j + i] =
          static_cast<uint8_t>(std::clamp(nearest_int((x[kSub32 * j + i] + dm) / d), 0, nmax));
    }
  }
  return h;
}

// x ~ scale * l, l in [-nmax, nmax - 1] rounded from x * iscale; returns sum w*x*l and sum w*l^2
// with w = x^2, and stores l + nmax in L when L is not null.
void symmetric_sums(const float* x, int n, int nmax, float iscale, float* sumlx, float* suml2, uint8_t* L) {
  *sumlx = 0.0f;
  *suml2 = 0.0f;
  for (int i = 0; i < n; ++i) {
    const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
    const float w = x[i] * x[i];
    *sumlx += w * x[i] * static_cast<float>(l);
    *suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    if (L) L[i] = static_cast<uint8_t>(l + nmax);
  }
}

// Symmetric fit of one sub-block: x ~ scale * (L - nmax), maximising (sum w x l)^2 / sum w l^2
// over iscale = -(nmax + 0.1 k) / max, k = -9..9 (ggml's make_qx_quants, rmse_type 1).
float fit_symmetric(const float* x, int n, int nmax, uint8_t* L) {
  float amax = 0.0f, max = 0.0f;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    std::fill(L, L + n, uint8_t{0});
    return 0.0f;
  }
  float sumlx, suml2;
  symmetric_sums(x, n, nmax, static_cast<float>(-nmax) / max, &sumlx, &suml2, L);
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int k = -9; k <= 9; ++k) {
    if (k == 0) continue;
    const float iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(k)) / max;
    symmetric_sums(x, n, nmax, iscale, &sumlx, &suml2, nullptr);
    if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
      symmetric_sums(x, n, nmax, iscale, &sumlx, &suml2, L);
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// Packs Q4_K levels: qs[32c + l] = L[64c + l] | L[64c + 32 + l] << 4.
void pack_q4_k(const uint8_t L[kQKK], BlockQ4K* y) {
  for (int c = 0; c < kQKK / 64; ++c) {
    for (int l = 0; l < kSub32; ++l) {
      y->qs[kSub32 * c + l] = static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + kSub32 + l] << 4));
    }
  }
}

// Packs Q5_K levels: low nibbles as Q4_K, bit 4 of L[64c + l] / L[64c + 32 + l] into bit 2c /
// 2c + 1 of qh[l].
void pack_q5_k(const uint8_t L[kQKK], BlockQ5K* y) {
  std::memset(y->qh, 0, sizeof(y->qh));
  for (int c = 0; c < kQKK / 64; ++c) {
    for (int l = 0; l < kSub32; ++l) {
      const uint8_t lo = L[64 * c + l], hi = L[64 * c + kSub32 + l];
      y->qs[kSub32 * c + l] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
      y->qh[l] |= static_cast<uint8_t>(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
    }
  }
}

// Packs Q6_K levels (0..63): value 128h + 32s + l has its low nibble in
// ql[64h + l + 32 (s & 1)] (high nibble when s >= 2) and its top 2 bits in qh[32h + l] << 2s.
void pack_q6_k(const uint8_t L[kQKK], BlockQ6K* y) {
  std::memset(y->ql, 0, sizeof(y->ql));
  std::memset(y->qh, 0, sizeof(y->qh));
  for (int h = 0; h < 2; ++h) {
    for (int s = 0; s < 4; ++s) {
      for (int l = 0; l < kSub32; ++l) {
        const uint8_t v = L[128 * h + 32 * s + l];
        y->ql[64 * h + l + 32 * (s & 1)] |= static_cast<uint8_t>((v & 0x0F) << (4 * (s >> 1)));
        y->qh[32 * h + l] |= static_cast<uint8_t>((v >> 4) << (2 * s));
      }
    }
  }
}

// One Q6_K super-block: sub-block scales quantized to int8 against d = max_scale / -128.
void quantize_super_block_q6_k(const float* x, BlockQ6K* y) {
  uint8_t L[kQKK];
  float scales[kNSub16];
  float max_scale = 0.0f, max_abs_scale = 0.0f;
  for (int j = 0; j < kNSub16; ++j) {
    scales[j] = fit_symmetric(x + kSub16 * j, kSub16, kQ6Offset, L + kSub16 * j);
    if (std::fabs(scales[j]) > max_abs_scale) {
      max_abs_scale = std::fabs(scales[j]);
      max_scale = scales[j];
    }
  }
  std::memset(y, 0, sizeof(BlockQ6K));
  if (max_abs_scale < kGroupMaxEps) return;  // all (near) zero: d = 0
  const float iscale = -128.0f / max_scale;
  y->d = fp32_to_fp16(1.0f / iscale);
  for (int j = 0; j < kNSub16; ++j) {
    y->scales[j] = static_cast<int8_t>(std::clamp(nearest_int(iscale * scales[j]), -128, 127));
  }
  for (int j = 0; j < kNSub16; ++j) {
    const float d = fp16_to_fp32(y->d) * static_cast<float>(y->scales[j]);
    if (d == 0.0f) continue;
    for (int i = 0; i < kSub16; ++i) {
      const int l = std::clamp(nearest_int(x[kSub16 * j + i] / d), -kQ6Offset, kQ6Offset - 1);
      L[kSub16 * j + i] = static_cast<uint8_t>(l + kQ6Offset);
    }
  }
  pack_q6_k(L, y);
}

}  // namespace

// Per super-block: 8 affine sub-block fits (15 levels), 6-bit scales/mins, fp16 d/dmin.
void quantize_row_q4_k(const float* x, BlockQ4K* y, int64_t n) {
  assert(n % kQKK == 0);
  uint8_t L[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    const K4Header h = quantize_super_block_k4(x + b * kQKK, 15, kQ4KGrid, L);
    y[b].d = h.d;
    y[b].dmin = h.dmin;
    std::memcpy(y[b].scales, h.scales, sizeof(h.scales));
    pack_q4_k(L, &y[b]);
  }
}

// Per super-block: 8 affine sub-block fits (31 levels), 6-bit scales/mins, fp16 d/dmin.
void quantize_row_q5_k(const float* x, BlockQ5K* y, int64_t n) {
  assert(n % kQKK == 0);
  uint8_t L[kQKK];
  for (int64_t b = 0; b < n / kQKK; ++b) {
    const K4Header h = quantize_super_block_k4(x + b * kQKK, 31, kQ5KGrid, L);
    y[b].d = h.d;
    y[b].dmin = h.dmin;
    std::memcpy(y[b].scales, h.scales, sizeof(h.scales));
    pack_q5_k(L, &y[b]);
  }
}

// Per super-block: 16 symmetric sub-block fits (64 levels), int8 scales, fp16 d.
void quantize_row_q6_k(const float* x, BlockQ6K* y, int64_t n) {
  assert(n % kQKK == 0);
  for (int64_t b = 0; b < n / kQKK; ++b) quantize_super_block_q6_k(x + b * kQKK, &y[b]);
}

}  // namespace zeroidle::kernels
