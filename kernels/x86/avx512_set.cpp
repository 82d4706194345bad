// fill_avx512: the AVX-512 F/BW/VL/DQ + VNNI kernel set — Cascade Lake, Ice Lake, Sapphire Rapids
// Xeons and AMD Zen 4/5 (EC2 c5/c6i/c7i/m7a...). Formats it leaves empty fall back to the AVX2 set.
// Only stores pointers; compiled without AVX-512 flags.
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {

void fill_avx512(KernelSet& set) {
  set.matmul[static_cast<int>(QType::Q4_K)] = gemm_q4k_q8k_avx512;
  set.matmul[static_cast<int>(QType::Q6_K)] = gemm_q6k_q8k_avx512;
  set.matmul[static_cast<int>(QType::Q4_0)] = gemm_q4_0_q8_0_avx512;
  set.matmul[static_cast<int>(QType::Q5_0)] = gemm_q5_0_q8_0_avx512;
  set.matmul[static_cast<int>(QType::Q8_0)] = gemm_q8_0_q8_0_avx512;
  set.matmul[static_cast<int>(QType::F16)] = gemm_f16_f16_avx512;
  set.matmul[static_cast<int>(QType::F32)] = gemm_f32_f32_avx512;
}

}  // namespace zeroidle::kernels
