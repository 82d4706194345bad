// The AArch64 kernel sets: fill_neon, fill_i8mm and fill_sve of kernels/dispatch.h. Built with the
// library's base flags; it only stores function pointers, it never runs a kernel. dispatch.cpp
// decides which sets this CPU may run and links each to its fallback.
#include "kernels/arm/arm_kernels.h"
#include "kernels/dispatch.h"

namespace zeroidle::kernels {
namespace {

constexpr int id(QType t) {
  return static_cast<int>(t);
}

}  // namespace

// Graviton2 / Neoverse N1 and every later core: all the formats with SDOT (floats with FMLA), and
// the Q8_0 / Q8_K activation quantizers.
// Q5_K stays on the scalar reference.
void fill_neon(KernelSet& set) {
  set.matmul[id(QType::F32)] = arm::matmul_f32_f32_neon;
  set.matmul[id(QType::F16)] = arm::matmul_f16_f16_neon;
  set.matmul[id(QType::BF16)] = arm::matmul_bf16_bf16_neon;
  set.matmul[id(QType::Q4_0)] = arm::matmul_q4_0_q8_0_neon;
  set.matmul[id(QType::Q5_0)] = arm::matmul_q5_0_q8_0_neon;
  set.matmul[id(QType::Q8_0)] = arm::matmul_q8_0_q8_0_neon;
  set.matmul[id(QType::Q4_K)] = arm::matmul_q4k_q8k_neon;
  set.matmul[id(QType::Q6_K)] = arm::matmul_q6k_q8k_neon;
  set.quantize[id(QType::Q8_0)] = arm::quantize_row_q8_0_neon;
  set.quantize[id(QType::Q8_K)] = arm::quantize_row_q8_k_neon;
}

// Graviton3/4 (Neoverse V1/V2), any core with FEAT_I8MM: SMMLA does twice the int8 multiplies of
// SDOT per instruction, so prompts and batches (n_tokens >= 2) run 2 x 2 SMMLA tiles. One token
// is declined (memory-bound: the NEON GEMV is as fast), as is every type not listed here.
void fill_i8mm(KernelSet& set) {
  set.matmul[id(QType::Q4_0)] = arm::matmul_q4_0_q8_0_i8mm;
  set.matmul[id(QType::Q5_0)] = arm::matmul_q5_0_q8_0_i8mm;
  set.matmul[id(QType::Q8_0)] = arm::matmul_q8_0_q8_0_i8mm;
  set.matmul[id(QType::Q4_K)] = arm::matmul_q4k_q8k_i8mm;
  set.matmul[id(QType::Q6_K)] = arm::matmul_q6k_q8k_i8mm;
}

// Cores with SVE (Graviton3: 256-bit, Graviton4: 128-bit): vector-length-agnostic GEMV for one
// token of the two formats decode spends its time in. Several tokens are declined, to be taken by
// the SMMLA tiles (i8mm) or the NEON rows down the fallback chain.
void fill_sve(KernelSet& set) {
  set.matmul[id(QType::Q8_0)] = arm::gemv_q8_0_q8_0_sve;
  set.matmul[id(QType::Q4_K)] = arm::gemv_q4k_q8k_sve;
}

}  // namespace zeroidle::kernels
