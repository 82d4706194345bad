// CPU feature detection, done once per process: CPUID with the XGETBV OS-support check on x86-64,
// getauxval(AT_HWCAP/AT_HWCAP2) and the SVE vector length on AArch64.
//
// A feature is reported only when the CPU has it *and* the OS saves its register state, so a
// kernel set chosen from these flags never faults. Thread-safe.
#pragma once

#include <string>
#include <vector>

namespace zeroidle::kernels {

struct CpuFeatures {
  std::string arch;       // "x86_64", "aarch64" or "other"
  std::string model;      // CPUID brand string, or /proc/cpuinfo's model / CPU part
  int logical_cores = 1;  // std::thread::hardware_concurrency(), at least 1

  // x86-64 (each includes the XGETBV check that the OS enabled the YMM / ZMM state)
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512vnni = false;

  // AArch64
  bool asimd = false;    // NEON
  bool asimddp = false;  // SDOT/UDOT (ARMv8.2 dotprod): Graviton2 and later
  bool i8mm = false;     // SMMLA (ARMv8.6 int8 matrix multiply): Graviton3/4
  bool sve = false;
  bool sve2 = false;
  int sve_vector_bytes = 0;  // 0 without SVE; 16 (Graviton4), 32 (Graviton3), ...

  // The names of the features present, e.g. {"avx2", "fma", "f16c"}, for logs and sysinfo.
  std::vector<std::string> names() const;
};

// Detected on first call.
const CpuFeatures& cpu_features();

}  // namespace zeroidle::kernels
