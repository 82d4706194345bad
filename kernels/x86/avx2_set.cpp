// fill_avx2: the AVX2 (+FMA, F16C) kernel set — Haswell and later Intel, every AMD Zen, and every
// x86 AWS Lambda host. Only stores pointers; compiled without AVX2 flags.
#include "kernels/x86/x86_kernels.h"

namespace zeroidle::kernels {

void fill_avx2(KernelSet& set) {
  set.matmul[static_cast<int>(QType::Q4_K)] = gemm_q4k_q8k_avx2;
  set.matmul[static_cast<int>(QType::Q5_K)] = gemm_q5k_q8k_avx2;
  set.matmul[static_cast<int>(QType::Q6_K)] = gemm_q6k_q8k_avx2;
  set.matmul[static_cast<int>(QType::Q4_0)] = gemm_q4_0_q8_0_avx2;
  set.matmul[static_cast<int>(QType::Q5_0)] = gemm_q5_0_q8_0_avx2;
  set.matmul[static_cast<int>(QType::Q8_0)] = gemm_q8_0_q8_0_avx2;
  set.matmul[static_cast<int>(QType::F16)] = gemm_f16_f16_avx2;
  set.matmul[static_cast<int>(QType::BF16)] = gemm_bf16_bf16_avx2;
  set.matmul[static_cast<int>(QType::F32)] = gemm_f32_f32_avx2;
  set.quantize[static_cast<int>(QType::Q8_K)] = quantize_q8_k_avx2;
  set.quantize[static_cast<int>(QType::Q8_0)] = quantize_q8_0_avx2;
  set.quantize[static_cast<int>(QType::F16)] = quantize_f16_avx2;
}

}  // namespace zeroidle::kernels
