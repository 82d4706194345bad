// The AVX-512 kernels, compiled against SIMDe's portable AVX-512 (see simde_avx512_shim.h), against
// the scalar reference on every CPU: this proves their logic where the hardware is missing; the real
// instructions are proven by simd_matmul_test on an AVX-512 host. Random bytes in the K-quant blocks
// reach every bit pattern (Q6_K scale -128, Q8_0 quant -128, 6-bit scales 63).
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <ostream>
#include <random>
#include <vector>

#include "dot_error_bound.h"
#include "kernels/ref.h"
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {
namespace {

struct Kernel {
  QType type;
  MatmulFn fn;
};

void PrintTo(const Kernel& k, std::ostream* os) {
  *os << type_traits(k.type).name;
}

class Avx512Emulated : public ::testing::TestWithParam<Kernel> {};

TEST_P(Avx512Emulated, MatchesScalarReference) {
  const Kernel kf = GetParam();
  const QType at = type_traits(kf.type).vec_dot_type;
  const int bs = type_traits(kf.type).block_size;
  std::mt19937 rng(5 + static_cast<int>(kf.type));
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (int64_t k : {256, 512, 1536}) {
    const int64_t kk = bs == kQK0 ? k + 32 : bs == 1 ? k + 7 : k;  // odd block counts, float tails
    for (int64_t rows : {1, 5, 9}) {
      for (int64_t nt : {1, 2, 5, 7}) {
        const size_t wr = row_bytes(kf.type, kk), xr = row_bytes(at, kk);
        std::vector<float> f(kk);
        std::vector<uint8_t> w(wr * rows), x(xr * nt);
        for (int64_t r = 0; r < rows; ++r) {
          for (float& v : f) v = unit(rng);
          ASSERT_TRUE(quantize_row(kf.type, f.data(), w.data() + r * wr, kk));
          for (int64_t b = 0; b < kk / kQKK && (kf.type == QType::Q4_K || kf.type == QType::Q6_K); ++b) {
            uint8_t* blk = w.data() + r * wr + b * type_traits(kf.type).block_bytes;
            if (kf.type == QType::Q4_K)
              for (size_t i = 4; i < sizeof(BlockQ4K); ++i) blk[i] = byte(rng);
            if (kf.type == QType::Q6_K)
              for (size_t i = 0; i < offsetof(BlockQ6K, d); ++i) blk[i] = byte(rng);
          }
        }
        for (int64_t t = 0; t < nt; ++t) {
          for (float& v : f) v = unit(rng);
          ASSERT_TRUE(quantize_row(at, f.data(), x.data() + t * xr, kk));
        }
        std::vector<float> y(rows * nt, std::nanf(""));
        MatmulArgs a;
        a.wtype = kf.type;
        a.w = w.data();
        a.w_stride = wr;
        a.k = kk;
        a.x = x.data();
        a.x_stride = xr;
        a.n_tokens = nt;
        a.y = y.data();
        a.y_stride = rows;
        ASSERT_TRUE(kf.fn(a, 0, rows));
        for (int64_t r = 0; r < rows; ++r) {
          for (int64_t t = 0; t < nt; ++t) {
            const float want = dot_row(kf.type, kk, w.data() + r * wr, x.data() + t * xr);
            // Q6_K's kernel also rounds the -32 offset sum: allow the bound of |q| + 32 <= 64 x |q - 32|.
            const double scale = kf.type == QType::Q6_K ? 64.0 : 1.0;
            const double bound =
                2 * scale * testing::dot_error_bound(kf.type, kk, w.data() + r * wr, x.data() + t * xr);
            EXPECT_LE(std::fabs(static_cast<double>(y[t * rows + r]) - want), bound)
                << type_traits(kf.type).name << " k=" << kk << " rows=" << rows << " tokens=" << nt
                << " r=" << r << " t=" << t;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllAvx512Kernels, Avx512Emulated,
    ::testing::Values(Kernel{QType::Q4_K, gemm_q4k_q8k_avx512}, Kernel{QType::Q6_K, gemm_q6k_q8k_avx512},
                      Kernel{QType::Q4_0, gemm_q4_0_q8_0_avx512}, Kernel{QType::Q5_0, gemm_q5_0_q8_0_avx512},
                      Kernel{QType::Q8_0, gemm_q8_0_q8_0_avx512}, Kernel{QType::F16, gemm_f16_f16_avx512},
                      Kernel{QType::F32, gemm_f32_f32_avx512}),
    [](const ::testing::TestParamInfo<Kernel>& i) { return std::string(type_traits(i.param.type).name); });

}  // namespace
}  // namespace zeroidle::kernels
