// Edge-case tests of the scalar reference kernels on generated rows, for every format: all-zero
// rows, hard rows (tiny, float-subnormal, spikes, mixed magnitudes), one block and many blocks,
// block independence, round-trip error, dot products against the exact value, and the exact
// rounding rules of the activation quantizers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "dot_error_bound.h"
#include "kernels/ref.h"

namespace zeroidle::kernels {

// GoogleTest prints parameters with this (found by argument-dependent lookup).
// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks for.
void PrintTo(QType t, std::ostream* os) {
  *os << type_traits(t).name;
}

namespace {

using testing::dot_error_bound;
using testing::dot_exact;

// Every weight format (each has a quantizer and a dot kernel), and every quantizable format:
// those plus Q8_K, an activation format only.
const QType kWeightTypes[] = {QType::F32,  QType::F16,  QType::BF16, QType::Q4_0, QType::Q5_0,
                              QType::Q8_0, QType::Q4_K, QType::Q5_K, QType::Q6_K};
const QType kQuantizable[] = {QType::F32,  QType::F16,  QType::BF16, QType::Q4_0, QType::Q5_0,
                              QType::Q8_0, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::Q8_K};
// Row lengths in blocks: one block, a few, and many (a 10240-wide row of K-quants).
const int64_t kBlockCounts[] = {1, 3, 40};
// Largest magnitude used for "huge" rows: the block scales are fp16, so |x| must stay well below
// 65504 * 8 for Q4_0 (d = max / 8); 1e4 is larger than any real weight.
constexpr float kHugeMagnitude = 1e4f;

std::string name_of(QType t) {
  return type_traits(t).name;
}

bool has_dot(QType t) {
  return t != QType::Q8_K;
}

std::vector<uint8_t> quantize(QType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, static_cast<int64_t>(x.size())));
  EXPECT_TRUE(quantize_row(t, x.data(), q.data(), static_cast<int64_t>(x.size()))) << name_of(t);
  return q;
}

std::vector<float> dequantize(QType t, const std::vector<uint8_t>& q, int64_t n) {
  std::vector<float> y(static_cast<size_t>(n));
  dequantize_row(t, q.data(), y.data(), n);
  return y;
}

std::vector<float> gaussian_row(int64_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = dist(rng);
  return x;
}

// Rows that stress scale computation: each must quantize to finite values.
std::vector<std::vector<float>> hard_rows(int64_t n) {
  std::vector<std::vector<float>> rows;
  rows.push_back(gaussian_row(n, 11, 1e-30f));                         // scales underflow fp16
  rows.push_back(std::vector<float>(static_cast<size_t>(n), 1e-40f));  // float subnormals
  rows.push_back(gaussian_row(n, 12, kHugeMagnitude / 4));             // large
  std::vector<float> spike(static_cast<size_t>(n), 0.0f);
  spike[static_cast<size_t>(n / 2)] = -kHugeMagnitude;  // one outlier among zeros
  rows.push_back(spike);
  rows.push_back(std::vector<float>(static_cast<size_t>(n), -0.75f));  // constant negative
  std::vector<float> mixed = gaussian_row(n, 13);
  for (size_t i = 0; i < mixed.size(); i += 2) mixed[i] *= 1e-6f;  // 1e6 dynamic range
  rows.push_back(mixed);
  return rows;
}

bool all_finite(const std::vector<float>& y) {
  return std::all_of(y.begin(), y.end(), [](float v) { return std::isfinite(v); });
}

double rmse(const std::vector<float>& x, const std::vector<float>& y) {
  double s = 0.0;
  for (size_t i = 0; i < x.size(); ++i) s += std::pow(static_cast<double>(x[i]) - y[i], 2);
  return std::sqrt(s / static_cast<double>(x.size()));
}

// Quantization levels of each integer format: a round trip must be within one step of a uniform
// grid with that many levels spanning [-max|x|, max|x|] (a sanity bound: real errors are several
// times smaller; the golden tests hold the quantizers to ggml's exact error).
int levels(QType t) {
  switch (t) {
    case QType::Q4_0:
    case QType::Q4_K:
      return 16;
    case QType::Q5_0:
    case QType::Q5_K:
      return 32;
    case QType::Q6_K:
      return 64;
    case QType::Q8_0:
    case QType::Q8_K:
      return 255;
    default:
      return 0;
  }
}

// Relative rounding error of the float formats (half an ulp of the significand), -1 for others.
double float_format_rel_error(QType t) {
  switch (t) {
    case QType::F32:
      return 0.0;
    case QType::F16:
      return 0x1p-11;
    case QType::BF16:
      return 0x1p-8;
    default:
      return -1.0;
  }
}

// Absolute rounding error below the normal range: half of F16's smallest subnormal (2^-24).
double float_format_abs_error(QType t) {
  return t == QType::F16 ? 0x1p-25 : 0.0;
}

class RefEdge : public ::testing::TestWithParam<QType> {
 protected:
  QType type() const { return GetParam(); }
  int64_t block() const { return type_traits(GetParam()).block_size; }
  // Row lengths for this type: at least 32 values for the float formats (block size 1).
  std::vector<int64_t> lengths() const {
    std::vector<int64_t> out;
    for (int64_t nb : kBlockCounts) out.push_back(std::max<int64_t>(block(), 32) * nb);
    return out;
  }
};

TEST_P(RefEdge, AllZeroRowGivesZero) {
  for (int64_t n : lengths()) {
    const std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
    const std::vector<uint8_t> q = quantize(type(), zeros);
    for (float v : dequantize(type(), q, n)) ASSERT_EQ(v, 0.0f) << name_of(type()) << " n=" << n;
    if (!has_dot(type())) continue;
    const QType at = type_traits(type()).vec_dot_type;
    const std::vector<uint8_t> acts = quantize(at, gaussian_row(n, 5));
    EXPECT_EQ(dot_row(type(), n, q.data(), acts.data()), 0.0f) << "zero weights, n=" << n;
    const std::vector<uint8_t> w = quantize(type(), gaussian_row(n, 6));
    const std::vector<uint8_t> zero_acts = quantize(at, zeros);
    EXPECT_EQ(dot_row(type(), n, w.data(), zero_acts.data()), 0.0f) << "zero activations, n=" << n;
  }
}

TEST_P(RefEdge, HardRowsGiveFiniteOutputs) {
  for (int64_t n : lengths()) {
    const QType at = type_traits(type()).vec_dot_type;
    const std::vector<uint8_t> acts = quantize(at, gaussian_row(n, 7));
    int row = 0;
    for (const std::vector<float>& x : hard_rows(n)) {
      const std::vector<uint8_t> q = quantize(type(), x);
      EXPECT_TRUE(all_finite(dequantize(type(), q, n)))
          << name_of(type()) << " hard row " << row << " n=" << n;
      if (has_dot(type())) {
        EXPECT_TRUE(std::isfinite(dot_row(type(), n, q.data(), acts.data()))) << "hard row " << row;
      }
      ++row;
    }
  }
}

// Blocks are independent: a row of many blocks is the concatenation of its blocks, both ways.
TEST_P(RefEdge, RowIsTheConcatenationOfItsBlocks) {
  const int64_t n = block() * kBlockCounts[2];
  const std::vector<float> x = gaussian_row(n, 8);
  const std::vector<uint8_t> whole = quantize(type(), x);
  const std::vector<float> whole_y = dequantize(type(), whole, n);
  const size_t bb = type_traits(type()).block_bytes;
  for (int64_t b = 0; b < n / block(); ++b) {
    const std::vector<float> xb(x.begin() + b * block(), x.begin() + (b + 1) * block());
    const std::vector<uint8_t> qb = quantize(type(), xb);
    ASSERT_EQ(std::memcmp(qb.data(), whole.data() + b * bb, bb), 0) << name_of(type()) << " block " << b;
    const std::vector<float> yb = dequantize(type(), qb, block());
    ASSERT_EQ(std::memcmp(yb.data(), whole_y.data() + b * block(), yb.size() * sizeof(float)), 0);
  }
}

TEST_P(RefEdge, RoundTripErrorWithinOneGridStep) {
  for (int64_t n : lengths()) {
    const std::vector<float> x = gaussian_row(n, 9, 0.02f);  // typical weight scale
    const std::vector<float> y = dequantize(type(), quantize(type(), x), n);
    const double rel = float_format_rel_error(type());
    if (rel >= 0.0) {
      const double abs_err = float_format_abs_error(type());
      for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_LE(std::fabs(x[i] - y[i]), std::max(rel * std::fabs(x[i]), abs_err)) << i;
      }
      continue;
    }
    double max_abs = 0.0;
    for (float v : x) max_abs = std::max(max_abs, std::fabs(static_cast<double>(v)));
    const double step = 2.0 * max_abs / (levels(type()) - 1);
    EXPECT_LE(rmse(x, y), step) << name_of(type()) << " n=" << n;
  }
}

// The reference dot equals the exact dot of the dequantized rows to within one implementation's
// summation-order bound (dot_error_bound.h), for one block and many.
class RefEdgeDot : public RefEdge {};

TEST_P(RefEdgeDot, DotMatchesExactWithinBound) {
  const QType at = type_traits(type()).vec_dot_type;
  for (int64_t n : lengths()) {
    const std::vector<uint8_t> w = quantize(type(), gaussian_row(n, 10, 0.02f));
    const std::vector<uint8_t> a = quantize(at, gaussian_row(n, 14, 3.0f));
    const double exact = dot_exact(type(), n, w.data(), a.data());
    const double got = dot_row(type(), n, w.data(), a.data());
    EXPECT_LE(std::fabs(got - exact), dot_error_bound(type(), n, w.data(), a.data()))
        << name_of(type()) << " n=" << n << ": got " << got << ", exact " << exact;
  }
}

std::string param_name(const ::testing::TestParamInfo<QType>& info) {
  return name_of(info.param);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, RefEdge, ::testing::ValuesIn(kQuantizable), param_name);
INSTANTIATE_TEST_SUITE_P(AllWeightFormats, RefEdgeDot, ::testing::ValuesIn(kWeightTypes), param_name);

TEST(RefDispatch, UnknownTypeHasNoQuantizer) {
  float x[32] = {};
  uint8_t y[64];
  EXPECT_FALSE(quantize_row(static_cast<QType>(7), x, y, 32));  // ggml's Q5_1: not supported here
}

TEST(RefDispatch, F32RowsAreCopiedAndDottedExactly) {
  const std::vector<float> x = {1.5f, -2.0f, 0x1p-20f, 3.0f};
  std::vector<float> q(4), y(4);
  ASSERT_TRUE(quantize_row(QType::F32, x.data(), q.data(), 4));
  dequantize_row(QType::F32, q.data(), y.data(), 4);
  EXPECT_EQ(y, x);
  EXPECT_EQ(dot_row(QType::F32, 4, x.data(), x.data()), 2.25f + 4.0f + 0x1p-40f + 9.0f);
}

// ggml's quantize_row_q8_0_ref rounds with roundf: halves go away from zero.
TEST(RefActivationRounding, Q8_0RoundsHalfAwayFromZero) {
  std::vector<float> x(kQK0, 0.0f);
  x[0] = 127.0f;  // d = 1, 1 / d = 1: the other values are their own quants
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 0.5f;
  BlockQ8_0 b;
  quantize_row_q8_0(x.data(), &b, kQK0);
  EXPECT_EQ(fp16_to_fp32(b.d), 1.0f);
  EXPECT_EQ(b.qs[0], 127);
  EXPECT_EQ(b.qs[1], 3);
  EXPECT_EQ(b.qs[2], -3);
  EXPECT_EQ(b.qs[3], 1);
}

// ggml's quantize_row_q8_K_ref: iscale = -127 / max with max the signed value of largest
// magnitude, so that value always becomes -127 and d = 1 / iscale carries its sign; other values
// round to nearest, ties to even (the float magic-number trick), and bsums sum each 16 quants.
TEST(RefActivationRounding, Q8_KUsesSignedMaxAndTiesToEven) {
  std::vector<float> x(kQKK, 0.0f);
  x[5] = -127.0f;  // max = -127: iscale = 1, d = 1
  x[0] = 2.5f;
  x[1] = 3.5f;
  x[2] = -2.5f;
  x[3] = 126.5f;
  BlockQ8K b;
  quantize_row_q8_k(x.data(), &b, kQKK);
  EXPECT_EQ(b.d, 1.0f);
  EXPECT_EQ(b.qs[5], -127);
  EXPECT_EQ(b.qs[0], 2);
  EXPECT_EQ(b.qs[1], 4);
  EXPECT_EQ(b.qs[2], -2);
  EXPECT_EQ(b.qs[3], 126);
  EXPECT_EQ(b.bsums[0], 2 + 4 - 2 + 126 - 127);

  x[5] = 127.0f;  // positive max: iscale = -1, d = -1, signs flip in the quants
  quantize_row_q8_k(x.data(), &b, kQKK);
  EXPECT_EQ(b.d, -1.0f);
  EXPECT_EQ(b.qs[5], -127);
  EXPECT_EQ(b.qs[0], -2);
  EXPECT_EQ(b.qs[1], -4);
  for (int j = 0; j < kQKK / 16; ++j) {
    int sum = 0;
    for (int i = 0; i < 16; ++i) sum += b.qs[16 * j + i];
    EXPECT_EQ(b.bsums[j], sum) << j;
  }
}

}  // namespace
}  // namespace zeroidle::kernels
