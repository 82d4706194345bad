// AArch64 kernel dispatch, proven on the CPUs qemu-user emulates (.ci/aarch64.sh runs this binary
// under -cpu neoverse-n1, max,sve128=on, max,sve256=on and max,sve512=on):
//  - the level picked is the one the CPU calls for (neon on Neoverse N1 = Graviton2; sve where SVE
//    exists), with the SVE vector length qemu was given;
//  - a level the CPU lacks is reported unavailable, and forcing it with ZEROIDLE_ISA throws;
//  - one token and several tokens reach the intended level (SVE GEMV, SMMLA GEMM, NEON), and every
//    ARM level agrees with the scalar reference on a few shapes that hit each kernel's edges
//    (odd rows and tokens for the 2 × 2 SMMLA tiles, K tails for floats).
// The CPU is read from ZEROIDLE_QEMU_CPU, which cmake/qemu-run.sh exports; elsewhere (a native ARM
// machine, x86) the CPU-specific checks skip and say so.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "dot_error_bound.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/formats.h"
#include "kernels/ref.h"

namespace zeroidle::kernels {
namespace {

// What a qemu -cpu string promises. neoverse-n1: ARMv8.2 + dotprod, no SVE, no i8mm.
// max: every feature qemu knows (SVE, SVE2, i8mm, ...), "sveN=on" sets the vector length to N bits.
struct QemuCpu {
  bool known = false;
  std::string name;
  bool sve = false;
  bool i8mm = false;
  int sve_bytes = 0;  // 0 = not given on the command line
  std::string best_isa;
};

QemuCpu qemu_cpu() {
  QemuCpu c;
  const char* env = std::getenv("ZEROIDLE_QEMU_CPU");
  if (!env || !*env) return c;
  c.name = env;
  if (c.name == "neoverse-n1") {
    c.known = true;
    c.best_isa = "neon";
  } else if (c.name.rfind("max", 0) == 0) {
    c.known = c.sve = c.i8mm = true;
    c.best_isa = "sve";
    const size_t at = c.name.find("sve");
    if (at != std::string::npos && at + 3 < c.name.size() && std::isdigit(c.name[at + 3])) {
      c.sve_bytes = std::atoi(c.name.c_str() + at + 3) / 8;
    }
  }
  return c;
}

#define SKIP_UNLESS_QEMU(cpu)                                                                       \
  if (!(cpu).known)                                                                                 \
  GTEST_SKIP() << "not under cmake/qemu-run.sh with a known -cpu (ZEROIDLE_QEMU_CPU=" << (cpu).name \
               << "): nothing to compare the detected CPU with"

TEST(ArmDispatch, DetectsTheEmulatedCpu) {
  const QemuCpu cpu = qemu_cpu();
  SKIP_UNLESS_QEMU(cpu);
  const CpuFeatures& f = cpu_features();
  EXPECT_EQ(f.arch, "aarch64");
  EXPECT_TRUE(f.asimd);
  EXPECT_TRUE(f.asimddp) << "every qemu CPU we test has dotprod";
  EXPECT_EQ(f.sve, cpu.sve) << cpu.name;
  EXPECT_EQ(f.i8mm, cpu.i8mm) << cpu.name;
  if (cpu.sve_bytes) {
    EXPECT_EQ(f.sve_vector_bytes, cpu.sve_bytes) << cpu.name;
  }
  if (!cpu.sve) {
    EXPECT_EQ(f.sve_vector_bytes, 0) << cpu.name;
  }
}

// Priority sve > i8mm > neon: an SVE core (Graviton3/4) runs one token with the SVE GEMV, and its
// SVE set falls back to the SMMLA GEMM for several tokens, so it loses nothing to the i8mm level.
TEST(ArmDispatch, PicksTheBestLevelOfTheEmulatedCpu) {
  const QemuCpu cpu = qemu_cpu();
  SKIP_UNLESS_QEMU(cpu);
  if (const char* forced = std::getenv("ZEROIDLE_ISA"); forced && *forced) {
    GTEST_SKIP() << "ZEROIDLE_ISA=" << forced << " overrides the choice";
  }
  EXPECT_EQ(std::string(active_kernels().isa), cpu.best_isa) << cpu.name;
  EXPECT_TRUE(isa_available("neon"));
  EXPECT_EQ(isa_available("i8mm"), cpu.i8mm) << cpu.name;
  EXPECT_EQ(isa_available("sve"), cpu.sve) << cpu.name;
}

TEST(ArmDispatch, UnavailableLevelsThrowWhenAskedFor) {
  const QemuCpu cpu = qemu_cpu();
  SKIP_UNLESS_QEMU(cpu);
  int checked = 0;
  for (const std::string& isa : known_isas()) {
    if (isa_available(isa)) {
      EXPECT_NO_THROW(kernels_for_isa(isa)) << isa;
    } else {
      EXPECT_THROW(kernels_for_isa(isa), std::runtime_error) << isa << " on " << cpu.name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, cpu.sve ? 0 : 2) << "neoverse-n1 lacks exactly sve and i8mm";
  EXPECT_THROW(kernels_for_isa("avx2"), std::runtime_error) << "an x86 level on an ARM build";
}

// ZEROIDLE_ISA naming a level this CPU lacks makes the first active_kernels() throw: run in a
// forked child (gtest's "fast" death tests: qemu-user cannot re-exec the binary), so this
// process's choice is untouched; gtest runs *DeathTest suites first, before any test has chosen.
TEST(ArmDispatchDeathTest, ForcingAnUnavailableLevelThrows) {
  const QemuCpu cpu = qemu_cpu();
  SKIP_UNLESS_QEMU(cpu);
  const std::string isa = cpu.sve ? "avx512" : "sve";  // max has every ARM level: use a foreign one
  EXPECT_EXIT(
      {
        setenv("ZEROIDLE_ISA", isa.c_str(), 1);
        try {
          active_kernels();
        } catch (const std::runtime_error& e) {
          std::fprintf(stderr, "threw: %s\n", e.what());
          std::_Exit(3);
        }
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(3), "threw: ZEROIDLE_ISA=" + isa);
}

// ---- which level answers, and does it agree with the scalar reference ----

constexpr QType kTypes[] = {QType::F32,  QType::F16,  QType::BF16, QType::Q4_0,
                            QType::Q5_0, QType::Q8_0, QType::Q4_K, QType::Q6_K};

// A weight matrix and activations of one type, quantized by the reference, with the scalar result.
struct Problem {
  QType type;
  int64_t rows, k, tokens;
  std::vector<uint8_t> w, x;
  size_t w_stride, x_stride;
  std::vector<float> y_ref;

  Problem(QType t, int64_t rows_, int64_t k_, int64_t tokens_, uint32_t seed)
      : type(t), rows(rows_), k(k_), tokens(tokens_) {
    const QType act = type_traits(t).vec_dot_type;
    w_stride = row_bytes(t, k);
    x_stride = row_bytes(act, k);
    w.resize(w_stride * rows);
    x.resize(x_stride * tokens);
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> row(k);
    for (int64_t r = 0; r < rows; ++r) {
      for (float& v : row) v = normal(rng);
      if (r == 1) row[k / 3] = 40.0f;  // an outlier, so one block has a large scale
      if (!quantize_row(t, row.data(), w.data() + r * w_stride, k)) throw std::logic_error("no quantizer");
    }
    for (int64_t i = 0; i < tokens; ++i) {
      for (float& v : row) v = normal(rng);
      if (!quantize_row(act, row.data(), x.data() + i * x_stride, k)) throw std::logic_error("no quantizer");
    }
    y_ref.resize(rows * tokens);
    run(scalar_kernels(), y_ref);
  }

  const char* run(const KernelSet& set, std::vector<float>& y) const {
    MatmulArgs a;
    a.wtype = type;
    a.w = w.data();
    a.w_stride = w_stride;
    a.k = k;
    a.x = x.data();
    a.x_stride = x_stride;
    a.n_tokens = tokens;
    a.y = y.data();
    a.y_stride = rows;
    return run_matmul(set, a, 0, rows);
  }

  double bound(int64_t r, int64_t t) const {
    return 2 * testing::dot_error_bound(type, k, w.data() + r * w_stride, x.data() + t * x_stride);
  }
};

// The level that should answer `type` with `tokens` tokens when `isa` is the chosen set.
std::string expected_level(const std::string& isa, QType type, int64_t tokens) {
  const bool smmla = type == QType::Q4_0 || type == QType::Q5_0 || type == QType::Q8_0 ||
                     type == QType::Q4_K || type == QType::Q6_K;
  const bool sve_gemv = type == QType::Q8_0 || type == QType::Q4_K;
  if (isa == "sve" && tokens == 1 && sve_gemv) return "sve";
  if ((isa == "sve" || isa == "i8mm") && tokens >= 2 && smmla && isa_available("i8mm")) return "i8mm";
  return "neon";
}

TEST(ArmDispatch, EachShapeReachesItsLevel) {
  if (cpu_features().arch != "aarch64" || !isa_available("neon")) GTEST_SKIP() << "no ARM level here";
  for (const KernelSet* set : available_kernel_sets()) {
    const std::string isa = set->isa;
    if (isa == "scalar") continue;
    for (QType t : kTypes) {
      for (int64_t tokens : {1, 2, 3}) {
        const Problem p(t, 3, type_traits(t).block_size == 1 ? 64 : 256, tokens, 1);
        std::vector<float> y(p.rows * p.tokens);
        EXPECT_EQ(std::string(p.run(*set, y)), expected_level(isa, t, tokens))
            << "set " << isa << ", " << type_traits(t).name << ", " << tokens << " tokens";
      }
    }
  }
}

// (rows, tokens): GEMV, a lone 2 x 2 tile, odd last token and row, and row/token counts past the
// kernels' cache blocks (16 rows, 32 tokens).
constexpr int64_t kShapes[][2] = {{1, 1}, {1, 2}, {5, 1}, {5, 2}, {5, 3}, {5, 5}, {19, 37}};

TEST(ArmDispatch, EveryArmLevelMatchesTheScalarReference) {
  if (cpu_features().arch != "aarch64" || !isa_available("neon")) GTEST_SKIP() << "no ARM level here";
  for (QType t : kTypes) {
    const int block = type_traits(t).block_size;  // K: float tails; an odd number of blocks
    for (int64_t k : block == 1 ? std::vector<int64_t>{7, 67} : std::vector<int64_t>{3 * block, 512}) {
      for (const auto& [rows, tokens] : kShapes) {
        const Problem p(t, rows, k, tokens, static_cast<uint32_t>(rows * 100 + tokens));
        for (const KernelSet* set : available_kernel_sets()) {
          if (std::string(set->isa) == "scalar") continue;
          std::vector<float> y(rows * tokens, NAN);
          p.run(*set, y);
          for (int64_t i = 0; i < tokens; ++i) {
            for (int64_t r = 0; r < rows; ++r) {
              const float got = y[i * rows + r], want = p.y_ref[i * rows + r];
              ASSERT_LE(std::fabs(double(got) - want), p.bound(r, i))
                  << "set " << set->isa << ", " << type_traits(t).name << ", k " << k << ", rows " << rows
                  << ", tokens " << tokens << ", at row " << r << " token " << i;
            }
          }
        }
      }
    }
  }
}

// The NEON activation quantizers must give the reference's bytes exactly (the dot products of every
// level are then computed on the same integers): random rows, exact ties (x.5 after scaling), an
// all-zero block, a block of subnormals (1 / d overflows), +-max of equal magnitude.
TEST(ArmQuantize, BitExactWithTheReference) {
  if (cpu_features().arch != "aarch64" || !isa_available("neon")) GTEST_SKIP() << "no ARM level here";
  const int64_t n = 4 * kQKK;
  std::vector<float> x(n);
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (float& v : x) v = normal(rng);
  for (int i = 0; i < 32; ++i) x[i] = (i - 16) * 0.5f;                 // ties for Q8_0: max 8
  for (int i = 32; i < 64; ++i) x[i] = 0.0f;                           // all-zero Q8_0 block
  for (int i = kQKK; i < kQKK + 64; ++i) x[i] = (i % 7 - 3) * 1e-41f;  // subnormals
  x[2 * kQKK + 5] = -9.0f, x[2 * kQKK + 9] = 9.0f;                     // equal |max|, first wins
  for (int i = 3 * kQKK; i < 4 * kQKK; ++i) x[i] = 0.0f;               // all-zero Q8_K block
  for (QType act : {QType::Q8_0, QType::Q8_K}) {
    std::vector<uint8_t> want(row_bytes(act, n)), got(row_bytes(act, n));
    ASSERT_TRUE(quantize_row(act, x.data(), want.data(), n));
    for (const KernelSet* set : available_kernel_sets()) {
      std::fill(got.begin(), got.end(), 0xAB);
      run_quantize(*set, act, x.data(), got.data(), n);
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i], want[i]) << type_traits(act).name << " set " << set->isa << " byte " << i
                                   << " (block " << i / type_traits(act).block_bytes << ")";
      }
    }
  }
}

}  // namespace
}  // namespace zeroidle::kernels
