// CPU feature detection. One detect_arch() per architecture, chosen at file level.
#include "kernels/cpu_features.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#include <sys/prctl.h>
#endif

namespace zeroidle::kernels {
namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

// The value of the first "key : value" line of /proc/cpuinfo whose key is `key`, or "".
std::string cpuinfo_field(const char* key) {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    const auto colon = line.find(':');
    if (colon != std::string::npos && trim(line.substr(0, colon)) == key) {
      return trim(line.substr(colon + 1));
    }
  }
  return {};
}

#if defined(__x86_64__)

struct Regs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(uint32_t leaf, uint32_t subleaf) {
  Regs r;
  if (!__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx)) return Regs{};
  return r;
}

// XCR0: which register states the OS saves on context switch (inline asm: no -mxsave needed).
uint64_t xgetbv0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

void detect_arch(CpuFeatures& f) {
  f.arch = "x86_64";
  const Regs max = cpuid(0, 0);
  const Regs l1 = cpuid(1, 0);
  const bool osxsave = (l1.ecx >> 27) & 1;
  const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool os_ymm = (xcr0 & 0x6) == 0x6;    // XMM | YMM state
  const bool os_zmm = (xcr0 & 0xE6) == 0xE6;  // + opmask, ZMM_Hi256, Hi16_ZMM
  const Regs l7 = max.eax >= 7 ? cpuid(7, 0) : Regs{};

  f.fma = os_ymm && ((l1.ecx >> 12) & 1);
  f.f16c = os_ymm && ((l1.ecx >> 29) & 1);
  f.avx2 = os_ymm && ((l1.ecx >> 28) & 1) && ((l7.ebx >> 5) & 1);
  f.avx512f = os_zmm && ((l7.ebx >> 16) & 1);
  f.avx512dq = f.avx512f && ((l7.ebx >> 17) & 1);
  f.avx512bw = f.avx512f && ((l7.ebx >> 30) & 1);
  f.avx512vl = f.avx512f && ((l7.ebx >> 31) & 1);
  f.avx512vnni = f.avx512f && ((l7.ecx >> 11) & 1);

  char brand[49] = {};
  if (cpuid(0x80000000u, 0).eax >= 0x80000004u) {
    for (uint32_t i = 0; i < 3; ++i) {
      const Regs r = cpuid(0x80000002u + i, 0);
      std::memcpy(brand + 16 * i, &r, 16);
    }
  }
  f.model = trim(brand);
}

#elif defined(__aarch64__)

// Bits from the kernel's uapi asm/hwcap.h, spelled out so older headers still build.
constexpr unsigned long kHwcapAsimd = 1ul << 1;
constexpr unsigned long kHwcapAsimddp = 1ul << 20;
constexpr unsigned long kHwcapSve = 1ul << 22;
constexpr unsigned long kHwcap2Sve2 = 1ul << 1;
constexpr unsigned long kHwcap2I8mm = 1ul << 13;
constexpr int kPrSveGetVl = 51;          // PR_SVE_GET_VL
constexpr int kPrSveVlLenMask = 0xffff;  // PR_SVE_VL_LEN_MASK

void detect_arch(CpuFeatures& f) {
  f.arch = "aarch64";
  const unsigned long hw = getauxval(AT_HWCAP);
  const unsigned long hw2 = getauxval(AT_HWCAP2);
  f.asimd = hw & kHwcapAsimd;
  f.asimddp = hw & kHwcapAsimddp;
  f.sve = hw & kHwcapSve;
  f.sve2 = hw2 & kHwcap2Sve2;
  f.i8mm = hw2 & kHwcap2I8mm;
  if (f.sve) {
    const int vl = prctl(kPrSveGetVl, 0, 0, 0, 0);
    f.sve_vector_bytes = vl > 0 ? (vl & kPrSveVlLenMask) : 0;
  }
  f.model = cpuinfo_field("model name");
  if (f.model.empty()) {
    const std::string part = cpuinfo_field("CPU part");
    f.model = part.empty() ? "aarch64" : "ARM CPU part " + part;
  }
}

#else

void detect_arch(CpuFeatures& f) {
  f.arch = "other";
  f.model = cpuinfo_field("model name");
}

#endif

CpuFeatures detect() {
  CpuFeatures f;
  detect_arch(f);
  if (f.model.empty()) f.model = cpuinfo_field("model name");
  if (f.model.empty()) f.model = "unknown";
  const unsigned n = std::thread::hardware_concurrency();
  f.logical_cores = n > 0 ? static_cast<int>(n) : 1;
  return f;
}

}  // namespace

std::vector<std::string> CpuFeatures::names() const {
  std::vector<std::string> out;
  const std::pair<bool, const char*> all[] = {
      {avx2, "avx2"},         {fma, "fma"},           {f16c, "f16c"},         {avx512f, "avx512f"},
      {avx512bw, "avx512bw"}, {avx512vl, "avx512vl"}, {avx512dq, "avx512dq"}, {avx512vnni, "avx512vnni"},
      {asimd, "asimd"},       {asimddp, "asimddp"},   {i8mm, "i8mm"},         {sve, "sve"},
      {sve2, "sve2"},
  };
  for (const auto& [present, name] : all) {
    if (present) out.emplace_back(name);
  }
  return out;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace zeroidle::kernels
