// Golden tests of the scalar reference kernels against ggml's own outputs in
// ../shared/reference/quants (one parameter per weight type of manifest.json):
// dequantization and activation quantization bit-exact, dot products within the summation-order
// bound of dot_error_bound.h, weight quantizers' RMSE within 1.02x of ggml's.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/shared_dir.h"
#include "dot_error_bound.h"
#include "kernels/ref.h"
#include "quant_golden.h"

namespace zeroidle::testing {
namespace {

using kernels::QType;

// Our weight quantizers may be at most 2% worse than ggml's reference quantizers (issue 2).
constexpr double kMaxRmseRatio = 1.02;
// Absolute RMSE slack so an all-zero row (RMSE 0 for both) passes: six orders of magnitude below
// the smallest non-zero RMSE of the fixtures (1.6e-9: bf16 of the 'tiny' row, |x| ~ 1e-6).
constexpr double kRmseAbsFloor = 1e-15;

const GoldenSet& cached_golden(const std::filesystem::path& dir) {
  static const std::unique_ptr<GoldenSet> set = std::make_unique<GoldenSet>(load_quant_golden(dir));
  return *set;
}

std::string hex(float f) {
  std::ostringstream s;
  s << std::hexfloat << f << " (0x" << std::hex << std::bit_cast<uint32_t>(f) << ")";
  return s.str();
}

// Empty if a and b are equal bit for bit, else where and how they first differ.
std::string first_float_mismatch(const float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) {
      return "value " + std::to_string(i) + ": ours " + hex(a[i]) + ", ggml " + hex(b[i]);
    }
  }
  return {};
}

// Empty if equal, else the first differing byte and the block it belongs to.
std::string first_byte_mismatch(const uint8_t* a, const uint8_t* b, size_t n, size_t block_bytes) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) {
      return "byte " + std::to_string(i) + " (block " + std::to_string(i / block_bytes) + ", offset " +
             std::to_string(i % block_bytes) + "): ours " + std::to_string(a[i]) + ", ggml " +
             std::to_string(b[i]);
    }
  }
  return {};
}

double rmse(const float* x, const float* y, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - static_cast<double>(y[i]);
    s += d * d;
  }
  return std::sqrt(s / static_cast<double>(n));
}

class RefGolden : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ZEROIDLE_REQUIRE_SHARED(dir, "reference/quants");
    golden_ = &cached_golden(dir);
    type_ = golden_->find(GetParam());
    ASSERT_NE(type_, nullptr) << "manifest.json lacks type " << GetParam();
  }

  const float* weights_row(int r) const { return golden_->weights.data() + r * golden_->k; }
  const float* activations_row(int a) const { return golden_->activations.data() + a * golden_->k; }

  const GoldenSet* golden_ = nullptr;
  const GoldenType* type_ = nullptr;
};

TEST_P(RefGolden, DequantizeGgmlRowsBitExact) {
  const int64_t k = golden_->k;
  std::vector<float> out(static_cast<size_t>(k));
  for (int r = 0; r < golden_->rows; ++r) {
    kernels::dequantize_row(type_->type, type_->quant_row(r), out.data(), k);
    EXPECT_EQ(first_float_mismatch(out.data(), type_->dequant.data() + r * k, k), "") << "weight row " << r;
  }
}

// ggml's quantize_row_q8_K_ref returns early for an all-zero block (d = 0) without writing bsums,
// so the fixture holds whatever its buffer contained there (the all-zero activation row shows
// bytes like 129 and 16). Those bytes are not ggml's output: compare d and qs, check that ours
// are zero (a zero block's quants sum to zero), and skip ggml's.
void blank_unwritten_q8k_bsums(std::vector<uint8_t>& ours, std::vector<uint8_t>& ggml) {
  for (size_t off = 0; off + sizeof(kernels::BlockQ8K) <= ggml.size(); off += sizeof(kernels::BlockQ8K)) {
    kernels::BlockQ8K g, o;
    std::memcpy(&g, ggml.data() + off, sizeof(g));
    std::memcpy(&o, ours.data() + off, sizeof(o));
    if (g.d != 0.0f) continue;
    for (int16_t s : o.bsums) EXPECT_EQ(s, 0) << "our bsums of an all-zero Q8_K block";
    std::memset(ggml.data() + off + offsetof(kernels::BlockQ8K, bsums), 0, sizeof(g.bsums));
  }
}

TEST_P(RefGolden, QuantizeActivationsBitExact) {
  const int64_t k = golden_->k;
  const size_t block_bytes = kernels::type_traits(type_->vec_dot_type).block_bytes;
  std::vector<uint8_t> out(type_->act_row_bytes);
  for (int a = 0; a < golden_->acts; ++a) {
    ASSERT_TRUE(kernels::quantize_row(type_->vec_dot_type, activations_row(a), out.data(), k));
    std::vector<uint8_t> expected(type_->acts_row(a), type_->acts_row(a) + type_->act_row_bytes);
    if (type_->vec_dot_type == QType::Q8_K) blank_unwritten_q8k_bsums(out, expected);
    EXPECT_EQ(first_byte_mismatch(out.data(), expected.data(), out.size(), block_bytes), "")
        << "activation row " << a << " as " << kernels::type_traits(type_->vec_dot_type).name;
  }
}

TEST_P(RefGolden, DequantizeActivationsBitExact) {
  const int64_t k = golden_->k;
  std::vector<float> out(static_cast<size_t>(k));
  for (int a = 0; a < golden_->acts; ++a) {
    kernels::dequantize_row(type_->vec_dot_type, type_->acts_row(a), out.data(), k);
    EXPECT_EQ(first_float_mismatch(out.data(), type_->acts_dequant.data() + a * k, k), "")
        << "activation row " << a;
  }
}

TEST_P(RefGolden, DotMatchesGgmlWithinSummationOrderBound) {
  const int64_t k = golden_->k;
  double worst_fraction = 0.0;  // max |ours - ggml| / tolerance, reported
  double worst_in_u_s = 0.0;    // max |ours - ggml| / (u * S), S = sum of |terms|, reported
  for (int r = 0; r < golden_->rows; ++r) {
    for (int a = 0; a < golden_->acts; ++a) {
      const float ours = kernels::dot_row(type_->type, k, type_->quant_row(r), type_->acts_row(a));
      const float ggml =
          type_->dot[static_cast<size_t>(r) * static_cast<size_t>(golden_->acts) + static_cast<size_t>(a)];
      // Ours and ggml's may each be dot_error_bound() off the exact value (see dot_error_bound.h).
      const double tol = 2.0 * dot_error_bound(type_->type, k, type_->quant_row(r), type_->acts_row(a));
      const double diff = std::fabs(static_cast<double>(ours) - static_cast<double>(ggml));
      EXPECT_LE(diff, tol) << "weight row " << r << " x activation row " << a << ": ours " << hex(ours)
                           << ", ggml " << hex(ggml);
      EXPECT_TRUE(std::isfinite(ours));
      if (tol > 0.0) worst_fraction = std::max(worst_fraction, diff / tol);
      const double u_s = 0x1p-24 * dot_abs_terms(type_->type, k, type_->quant_row(r), type_->acts_row(a));
      if (u_s > 0.0) worst_in_u_s = std::max(worst_in_u_s, diff / u_s);
    }
  }
  std::cout << "[dot] " << type_->name << ": max |ours - ggml| = " << std::setprecision(3) << worst_fraction
            << " x tolerance = " << worst_in_u_s << " u * S\n";
  RecordProperty("max_diff_over_tolerance", std::to_string(worst_fraction));
}

TEST_P(RefGolden, WeightQuantizerRmseWithinRatioOfGgml) {
  const int64_t k = golden_->k;
  std::vector<uint8_t> q(type_->row_bytes);
  std::vector<float> deq(static_cast<size_t>(k));
  std::ostringstream ratios;
  for (int r = 0; r < golden_->rows; ++r) {
    ASSERT_TRUE(kernels::quantize_row(type_->type, weights_row(r), q.data(), k));
    kernels::dequantize_row(type_->type, q.data(), deq.data(), k);
    const double ours = rmse(deq.data(), weights_row(r), k);
    const double ggml = rmse(type_->dequant.data() + r * k, weights_row(r), k);
    EXPECT_LE(ours, kMaxRmseRatio * ggml + kRmseAbsFloor)
        << "weight row " << r << ": RMSE ours " << ours << ", ggml " << ggml;
    ratios << " " << std::setprecision(3) << ours << "/" << ggml << "=" << std::fixed << std::setprecision(4)
           << (ggml > 0.0 ? ours / ggml : 1.0) << std::defaultfloat;
  }
  std::cout << "[rmse] " << type_->name << ": per row, RMSE ours/ggml = ratio:" << ratios.str() << "\n";
}

// Stronger than the RMSE requirement, and what we have: every weight quantizer repeats ggml's
// float operations in ggml's order (compiled without FMA contraction), so it gives ggml's bytes.
// Should a quantizer ever diverge on purpose, the RMSE test above is the contract to keep.
TEST_P(RefGolden, WeightQuantizersMatchGgmlBytes) {
  const int64_t k = golden_->k;
  std::vector<uint8_t> q(type_->row_bytes);
  for (int r = 0; r < golden_->rows; ++r) {
    ASSERT_TRUE(kernels::quantize_row(type_->type, weights_row(r), q.data(), k));
    EXPECT_EQ(first_byte_mismatch(q.data(), type_->quant_row(r), q.size(),
                                  kernels::type_traits(type_->type).block_bytes),
              "")
        << "weight row " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(AllWeightTypes, RefGolden, ::testing::ValuesIn(golden_type_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace zeroidle::testing
