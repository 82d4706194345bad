// The SIMD test matrix: every weight format x every kernel level of this architecture x edge-case
// shapes, each output compared with the scalar reference dot_row. Levels the CPU lacks are skipped
// with a message naming them. Also: matmul() end to end with 1 and 2 threads, the thread pool, and
// ZEROIDLE_ISA forcing (in re-executed child processes, since the choice is made once per process).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/shared_dir.h"
#include "dot_error_bound.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/formats.h"
#include "kernels/matmul.h"
#include "kernels/ref.h"
#include "quant_golden.h"

namespace zeroidle::kernels {
namespace {

// ---- data ----

enum class Fill { kRandom, kZero, kOutlier };

// One weight row of `t`: random bytes for the quants (every bit pattern, including Q8_0's -128 and
// Q6_K's scale -128), finite fp16 scales; kZero is all zero bytes; kOutlier has scales ~500x larger.
std::vector<uint8_t> make_weight_row(QType t, int64_t k, Fill fill, std::mt19937& rng) {
  std::vector<uint8_t> row(row_bytes(t, k));
  if (fill == Fill::kZero) return row;
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  const float big = fill == Fill::kOutlier ? 500.0f : 1.0f;
  auto scale = [&](float mag) { return fp32_to_fp16(mag * big * (0.25f + std::fabs(unit(rng)))); };
  for (uint8_t& b : row) b = static_cast<uint8_t>(byte(rng));
  const int64_t nb = k / type_traits(t).block_size;
  switch (t) {
    case QType::F32: {
      auto* f = reinterpret_cast<float*>(row.data());
      for (int64_t i = 0; i < k; ++i) f[i] = unit(rng) * big;
      break;
    }
    case QType::F16:
    case QType::BF16: {
      auto* h = reinterpret_cast<uint16_t*>(row.data());
      for (int64_t i = 0; i < k; ++i)
        h[i] = t == QType::F16 ? fp32_to_fp16(unit(rng) * big) : fp32_to_bf16(unit(rng) * big);
      break;
    }
    case QType::Q4_0:
      for (int64_t b = 0; b < nb; ++b) reinterpret_cast<BlockQ4_0*>(row.data())[b].d = scale(0.05f);
      break;
    case QType::Q5_0:
      for (int64_t b = 0; b < nb; ++b) reinterpret_cast<BlockQ5_0*>(row.data())[b].d = scale(0.03f);
      break;
    case QType::Q8_0:
      for (int64_t b = 0; b < nb; ++b) reinterpret_cast<BlockQ8_0*>(row.data())[b].d = scale(0.01f);
      break;
    case QType::Q4_K:
      for (int64_t b = 0; b < nb; ++b) {
        auto& blk = reinterpret_cast<BlockQ4K*>(row.data())[b];
        blk.d = scale(0.002f);
        blk.dmin = scale(0.002f);
      }
      break;
    case QType::Q5_K:
      for (int64_t b = 0; b < nb; ++b) {
        auto& blk = reinterpret_cast<BlockQ5K*>(row.data())[b];
        blk.d = scale(0.002f);
        blk.dmin = scale(0.002f);
      }
      break;
    case QType::Q6_K:
      for (int64_t b = 0; b < nb; ++b) reinterpret_cast<BlockQ6K*>(row.data())[b].d = scale(0.0005f);
      break;
    case QType::Q8_K:
      break;
  }
  return row;
}

// Float activations: uniform, all zero, or small values with one huge outlier.
std::vector<float> make_activation(int64_t k, Fill fill, std::mt19937& rng) {
  std::vector<float> x(k, 0.0f);
  if (fill == Fill::kZero) return x;
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (float& v : x) v = unit(rng) * (fill == Fill::kOutlier ? 0.01f : 1.0f);
  if (fill == Fill::kOutlier) x[std::uniform_int_distribution<int64_t>(0, k - 1)(rng)] = 3.0e4f;
  return x;
}

// ---- tolerance ----
//
// Every kernel computes sum_i w_i * a_i as exact integer (or exactly widened) partial sums, each
// rounded once to float, scaled by rounded products of the block scales and summed in some order.
// Any such evaluation differs from the exact sum by at most (depth + c) * u * S, u = 2^-24, where S
// is the sum of the magnitudes of all terms (for Q4_K/Q5_K both the scale and the min term) and the
// depth is the number of blocks summed one after another (at most K / block_size), c covering the
// few roundings per block and the final horizontal sums. SIMD and reference each carry such an
// error, so |simd - ref| <= (2 * K / block_size + kExtraRoundings) * u * S.
constexpr double kUnitRoundoff = 1.0 / (1 << 24);
constexpr double kExtraRoundings = 16;

// |magnitude| of each weight's terms: |d*sc*q| + |dmin*m| for Q4_K/Q5_K (a dequantize with one
// of the two scales zeroed), |d*sc| * 64 >= |d*sc| * (|q - 32| + 32) for Q6_K (its kernels
// subtract the 32 offset as a separate exact sum), |w| otherwise.
std::vector<double> weight_magnitudes(QType t, const uint8_t* row, int64_t k) {
  std::vector<float> tmp(k);
  std::vector<double> mag(k);
  if (t == QType::Q4_K || t == QType::Q5_K) {
    std::vector<uint8_t> copy(row, row + row_bytes(t, k));
    const size_t bb = type_traits(t).block_bytes;
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t off = 0; off < copy.size(); off += bb) {
        uint16_t* d = reinterpret_cast<uint16_t*>(copy.data() + off);  // d, dmin lead both layouts
        std::memcpy(d, row + off, 4);
        d[pass == 0 ? 1 : 0] = 0;
      }
      dequantize_row(t, copy.data(), tmp.data(), k);
      for (int64_t i = 0; i < k; ++i) mag[i] += std::fabs(tmp[i]);
    }
    return mag;
  }
  if (t == QType::Q6_K) {
    const auto* b = reinterpret_cast<const BlockQ6K*>(row);
    for (int64_t i = 0; i < k; ++i) {
      const BlockQ6K& blk = b[i / kQKK];
      mag[i] = std::fabs(fp16_to_fp32(blk.d) * blk.scales[(i % kQKK) / 16]) * 64.0;
    }
    return mag;
  }
  dequantize_row(t, row, tmp.data(), k);
  for (int64_t i = 0; i < k; ++i) mag[i] = std::fabs(tmp[i]);
  return mag;
}

// ---- the matrix ----

struct Shape {
  int64_t rows, tokens, k;
};

// K values to try for a format: one block, two blocks, a few sizes up to Llama 3 8B's FFN width.
std::vector<Shape> shapes_for(QType t) {
  const int bs = type_traits(t).block_size;
  std::vector<int64_t> ks;
  if (bs == kQKK) ks = {256, 512, 4096, 14336};
  if (bs == kQK0) ks = {32, 256, 512, 4096, 14336};
  if (bs == 1) ks = {1, 8, 33, 256, 4096, 14336};
  std::vector<Shape> out;
  for (int64_t k : ks) {
    for (int64_t rows : {1, 3, 17, 33}) {
      for (int64_t tokens : {1, 2, 3, 5, 7, 13, 64}) {
        if (k > 512 && tokens > 13) continue;  // many tokens only at small K: runtime
        if (k > 4096 && tokens > 3) continue;
        if (k > 4096 && rows > 17) continue;
        out.push_back({rows, tokens, k});
      }
    }
  }
  return out;
}

struct Case {
  QType type;
  std::string isa;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << type_traits(c.type).name << " on " << c.isa;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = std::string(type_traits(info.param.type).name) + "_" + info.param.isa;
  return n;
}

class SimdMatrix : public ::testing::TestWithParam<Case> {};

TEST_P(SimdMatrix, MatchesScalarReference) {
  const Case c = GetParam();
  if (!isa_available(c.isa)) {
    std::cout << "[ SKIPPED LOUDLY ] " << c.isa << " kernels not tested: this CPU (" << cpu_features().model
              << ") lacks them\n";
    GTEST_SKIP() << "SKIPPED LOUDLY: CPU lacks " << c.isa;
  }
  const KernelSet& set = kernels_for_isa(c.isa);
  const QType act_type = type_traits(c.type).vec_dot_type;
  std::mt19937 rng(1234 + static_cast<int>(c.type));
  double worst_ratio = 0.0;
  int checked = 0;

  for (const Shape& s : shapes_for(c.type)) {
    const size_t wrow = row_bytes(c.type, s.k);
    const size_t xrow = row_bytes(act_type, s.k);
    // Row 0 all zero and row 1 outlier when there are enough rows; the last token zero, the one
    // before an outlier, when there are enough tokens.
    std::vector<uint8_t> w(wrow * s.rows);
    for (int64_t r = 0; r < s.rows; ++r) {
      const Fill f = s.rows >= 3 && r == 0   ? Fill::kZero
                     : s.rows >= 3 && r == 1 ? Fill::kOutlier
                                             : Fill::kRandom;
      const std::vector<uint8_t> row = make_weight_row(c.type, s.k, f, rng);
      std::memcpy(w.data() + r * wrow, row.data(), wrow);
    }
    std::vector<uint8_t> x(xrow * s.tokens);
    std::vector<std::vector<float>> xf(s.tokens);
    for (int64_t t = 0; t < s.tokens; ++t) {
      const Fill f = s.tokens >= 3 && t == s.tokens - 1   ? Fill::kZero
                     : s.tokens >= 3 && t == s.tokens - 2 ? Fill::kOutlier
                                                          : Fill::kRandom;
      const std::vector<float> xs = make_activation(s.k, f, rng);
      ASSERT_TRUE(quantize_row(act_type, xs.data(), x.data() + t * xrow, s.k));
      xf[t].resize(s.k);
      dequantize_row(act_type, x.data() + t * xrow, xf[t].data(), s.k);
    }

    MatmulArgs a;
    a.wtype = c.type;
    a.w = w.data();
    a.w_stride = wrow;
    a.k = s.k;
    a.x = x.data();
    a.x_stride = xrow;
    a.n_tokens = s.tokens;
    std::vector<float> y(s.rows * s.tokens, std::nanf(""));
    a.y = y.data();
    a.y_stride = s.rows;
    // Two calls, split at an odd row, so row offsets that are not tile multiples are exercised.
    const int64_t split = s.rows / 2 | 1;
    run_matmul(set, a, 0, std::min(split, s.rows));
    if (split < s.rows) run_matmul(set, a, split, s.rows);

    const double depth = 2.0 * static_cast<double>(s.k) / type_traits(c.type).block_size + kExtraRoundings;
    for (int64_t r = 0; r < s.rows; ++r) {
      const std::vector<double> mag = weight_magnitudes(c.type, w.data() + r * wrow, s.k);
      for (int64_t t = 0; t < s.tokens; ++t) {
        const float want = dot_row(c.type, s.k, w.data() + r * wrow, x.data() + t * xrow);
        const float got = y[t * s.rows + r];
        double sum_mag = 0.0;
        for (int64_t i = 0; i < s.k; ++i) sum_mag += mag[i] * std::fabs(xf[t][i]);
        const double tol = depth * kUnitRoundoff * sum_mag;
        const double err = std::fabs(static_cast<double>(got) - want);
        ASSERT_TRUE(std::isfinite(got)) << c.isa << " " << type_traits(c.type).name << " rows=" << s.rows
                                        << " tokens=" << s.tokens << " k=" << s.k << " r=" << r << " t=" << t;
        ASSERT_LE(err, tol) << c.isa << " " << type_traits(c.type).name << " rows=" << s.rows
                            << " tokens=" << s.tokens << " k=" << s.k << " r=" << r << " t=" << t
                            << " got=" << got << " want=" << want;
        if (tol > 0) worst_ratio = std::max(worst_ratio, err / tol);
        ++checked;
      }
    }
  }
  std::cout << "  " << c.isa << " " << type_traits(c.type).name << " (computed by "
            << isa_for_type(set, c.type) << "): " << checked << " outputs, worst error = " << worst_ratio
            << " of the bound\n";
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (QType t : {QType::Q4_K, QType::Q6_K, QType::Q5_K, QType::Q8_0, QType::Q4_0, QType::Q5_0, QType::F16,
                  QType::BF16, QType::F32}) {
    for (const std::string& isa : known_isas()) out.push_back({t, isa});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllFormatsAllIsas, SimdMatrix, ::testing::ValuesIn(all_cases()), case_name);

// Against ggml's own dot products (../shared/reference/quants), every level this CPU runs, within
// twice the summation-order bound of dot_error_bound.h (ggml's and ours may each be that far off).
TEST(SimdGolden, EveryLevelMatchesGgml) {
  ZEROIDLE_REQUIRE_SHARED(dir, "reference/quants");
  const testing::GoldenSet g = testing::load_quant_golden(dir);
  for (const KernelSet* set : available_kernel_sets()) {
    for (const testing::GoldenType& gt : g.types) {
      if (gt.type == QType::Q8_K) continue;  // activation-only format
      std::vector<float> y(static_cast<size_t>(g.rows) * g.acts, std::nanf(""));
      MatmulArgs a;
      a.wtype = gt.type;
      a.w = gt.quant.data();
      a.w_stride = gt.row_bytes;
      a.k = g.k;
      a.x = gt.acts_quant.data();
      a.x_stride = gt.act_row_bytes;
      a.n_tokens = g.acts;
      a.y = y.data();
      a.y_stride = g.rows;
      run_matmul(*set, a, 0, g.rows);
      for (int r = 0; r < g.rows; ++r) {
        for (int t = 0; t < g.acts; ++t) {
          const double bound = 2 * testing::dot_error_bound(gt.type, g.k, gt.quant_row(r), gt.acts_row(t));
          const float got = y[static_cast<size_t>(t) * g.rows + r];
          const float want = gt.dot[static_cast<size_t>(r) * g.acts + t];
          EXPECT_LE(std::fabs(static_cast<double>(got) - want), bound)
              << set->isa << " " << gt.name << " row " << r << " act " << t << ": ours " << got << ", ggml "
              << want;
        }
      }
    }
  }
}

// Every level's activation converters give the reference's bytes exactly (so all levels multiply
// the same integers): random rows, an all-zero block, ties at .5 after scaling, a negative maximum,
// equal +max and -max (the first wins), huge and subnormal values.
TEST(SimdQuantize, ConvertersAreBitExact) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  const int64_t n = 4096;
  std::vector<std::vector<float>> rows;
  for (int i = 0; i < 4; ++i) {
    std::vector<float> x(n);
    for (float& v : x) v = unit(rng) * std::pow(10.0f, static_cast<float>(i * 3 - 4));
    rows.push_back(x);
  }
  std::vector<float> edge(n, 0.0f);  // block 0 stays all zero
  for (int64_t i = 256; i < n; ++i) edge[i] = static_cast<float>(static_cast<int>(i % 255) - 127) * 0.5f;
  edge[300] = -200.0f;  // negative maximum
  edge[600] = 300.0f;   // +max then -max in one block: the first decides the sign
  edge[601] = -300.0f;
  edge[1000] = 1e-40f;  // subnormal
  edge[2000] = 6.0e4f;
  rows.push_back(edge);
  for (const KernelSet* set : available_kernel_sets()) {
    for (QType t : {QType::Q8_K, QType::Q8_0, QType::F16}) {
      for (const std::vector<float>& x : rows) {
        std::vector<uint8_t> want(row_bytes(t, n)), got(row_bytes(t, n), 0xAB);
        ASSERT_TRUE(quantize_row(t, x.data(), want.data(), n));
        run_quantize(*set, t, x.data(), got.data(), n);
        EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size()), 0)
            << set->isa << " " << type_traits(t).name;
      }
    }
  }
}

// The x86 levels really compute their formats themselves (not silently through a fallback).
// (The AArch64 levels' coverage is checked by arm_dispatch_test.)
TEST(SimdDispatch, X86LevelsOwnTheirFormats) {
  if (cpu_features().arch != "x86_64") GTEST_SKIP() << "x86-64 only";
  const std::vector<QType> avx512 = {QType::Q4_K, QType::Q6_K, QType::Q8_0, QType::Q4_0,
                                     QType::Q5_0, QType::F16,  QType::F32};
  std::vector<QType> avx2 = avx512;
  avx2.push_back(QType::Q5_K);
  avx2.push_back(QType::BF16);
  for (const KernelSet* set : available_kernel_sets()) {
    const std::string isa = set->isa;
    for (QType t : isa == "avx2" ? avx2 : isa == "avx512" ? avx512 : std::vector<QType>{}) {
      EXPECT_EQ(isa_for_type(*set, t), isa) << type_traits(t).name;
    }
  }
}

// ---- matmul() end to end, threads ----

TEST(SimdMatmul, ThreadedMatmulMatchesReference) {
  std::mt19937 rng(7);
  for (QType t : {QType::Q4_K, QType::Q6_K, QType::Q8_0, QType::F32}) {
    const int64_t k = 512, rows = 301, max_tokens = 9;
    std::vector<uint8_t> w;
    for (int64_t r = 0; r < rows; ++r) {
      const std::vector<uint8_t> row = make_weight_row(t, k, Fill::kRandom, rng);
      w.insert(w.end(), row.begin(), row.end());
    }
    const WeightMatrix wm{t, w.data(), rows, k, row_bytes(t, k)};
    const QType act = type_traits(t).vec_dot_type;
    for (int threads : {1, 2, 3}) {
      MatmulContext ctx(threads, 4096, max_tokens);
      ASSERT_EQ(ctx.n_threads(), threads);
      for (int64_t n : {int64_t{1}, max_tokens}) {
        std::vector<float> x(k * n);
        for (int64_t i = 0; i < n; ++i) {
          const std::vector<float> xs = make_activation(k, Fill::kRandom, rng);
          std::copy(xs.begin(), xs.end(), x.begin() + i * k);
        }
        std::vector<float> y(rows * n, std::nanf(""));
        matmul(ctx, wm, x.data(), n, y.data());
        std::vector<uint8_t> xq(row_bytes(act, k));
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_TRUE(quantize_row(act, x.data() + i * k, xq.data(), k));
          for (int64_t r = 0; r < rows; ++r) {
            const float want = dot_row(t, k, w.data() + r * wm.row_stride, xq.data());
            EXPECT_NEAR(y[i * rows + r], want, 1e-4 * (1 + std::fabs(want)))
                << type_traits(t).name << " threads=" << threads << " tokens=" << n << " r=" << r;
          }
        }
      }
    }
  }
}

TEST(SimdMatmul, ParallelForRunsEveryIndexOnce) {
  for (int threads : {1, 2, 4}) {
    MatmulContext ctx(threads, 256, 1);
    for (int64_t n : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> hits(n);
      for (int round = 0; round < 50; ++round) {
        ctx.parallel_for(n, [&](int64_t i) { hits[i].fetch_add(1); });
      }
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 50) << "threads=" << threads << " n=" << n;
    }
  }
}

// ---- ZEROIDLE_ISA ----
// The choice itself is kernels_for_env(value), which active_kernels() calls once with the variable:
// tested directly here (no subprocess, so it also runs under qemu-user), and end to end by
// ActiveSetFollowsTheEnvironment in the CI runs with ZEROIDLE_ISA=avx2 / scalar / unset.

TEST(IsaForcing, EveryLevelIsChosenOrRefusedByName) {
  for (const std::string& isa : known_isas()) {
    if (isa_available(isa)) {
      EXPECT_EQ(kernels_for_env(isa.c_str()).isa, isa);
    } else {
      std::cout << "  " << isa << " unavailable here: checking that forcing it throws\n";
      try {
        kernels_for_env(isa.c_str());
        ADD_FAILURE() << "forcing unavailable " << isa << " did not throw";
      } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("ZEROIDLE_ISA=" + isa + ": this CPU"), std::string::npos)
            << e.what();
      }
    }
  }
}

TEST(IsaForcing, UnknownLevelThrows) {
  try {
    kernels_for_env("sse9");
    ADD_FAILURE() << "an unknown level did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("ZEROIDLE_ISA=sse9: not a kernel level"), std::string::npos)
        << e.what();
  }
  // A level of the other architecture is unknown here, not silently ignored.
  EXPECT_THROW(kernels_for_env(cpu_features().arch == "x86_64" ? "neon" : "avx2"), std::runtime_error);
}

TEST(IsaForcing, UnsetPicksTheBestAvailable) {
  EXPECT_EQ(&kernels_for_env(nullptr), available_kernel_sets().back());
  EXPECT_EQ(&kernels_for_env(""), available_kernel_sets().back());
}

TEST(IsaForcing, ActiveSetFollowsTheEnvironment) {
  const char* env = std::getenv("ZEROIDLE_ISA");
  const std::string want = env && *env ? env : available_kernel_sets().back()->isa;
  std::cout << "  ZEROIDLE_ISA=" << (env ? env : "(unset)") << " -> active set " << active_kernels().isa
            << "\n";
  EXPECT_EQ(active_kernels().isa, want);
}

TEST(CpuFeatures, ReportsSomethingConsistent) {
  const CpuFeatures& f = cpu_features();
  EXPECT_FALSE(f.model.empty());
  EXPECT_GE(f.logical_cores, 1);
  std::string names;
  for (const std::string& n : f.names()) names += n + " ";
  std::cout << "  cpu: " << f.model << " (" << f.arch << ", " << f.logical_cores << " threads): " << names
            << "\n";
  EXPECT_TRUE(!f.avx512vnni || f.avx512f);
  EXPECT_TRUE(!(f.i8mm || f.sve) || f.arch == "aarch64");
  EXPECT_TRUE(!f.sve || f.sve_vector_bytes > 0);
}

}  // namespace
}  // namespace zeroidle::kernels
