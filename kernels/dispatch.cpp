// The kernel table: builds one KernelSet per level this architecture has, links each to its
// fallback, and picks the best one this CPU can run (or the one ZEROIDLE_ISA names).
#include "kernels/dispatch.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/cpu_features.h"

namespace zeroidle::kernels {
namespace {

constexpr int type_id(QType t) {
  return static_cast<int>(t);
}

struct Level {
  const char* name;
  KernelSet set;
  bool available = false;
};

// The levels of this architecture, best first. Fill functions only store pointers, so every level is
// built whatever the CPU; `available` says which may run.
struct Levels {
  std::vector<Level> all;

  Levels() {
    const CpuFeatures& f = cpu_features();
#if defined(__x86_64__)
    // avx2: Haswell (2013) and later Intel, Zen 1-3 AMD: every x86 Lambda host.
    // avx512: Skylake-SP/Cascade Lake/Ice Lake/Sapphire Rapids Xeons, Zen 4/5 (EC2 c5/c6i/c7i/m7a...).
    const bool avx2 = f.avx2 && f.fma && f.f16c;
    const bool avx512 = avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni;
    all.reserve(2);
    all.push_back({"avx512", {}, avx512});
    all.push_back({"avx2", {}, avx2});
    fill_avx512(all[0].set);
    fill_avx2(all[1].set);
    all[0].set.fallback = &all[1].set;  // types avx512 does not cover run the AVX2 kernels
#elif defined(__aarch64__)
    // neon: NEON + dotprod (Graviton2 = Neoverse N1: AWS Lambda arm64).
    // i8mm: + SMMLA (Graviton3 = Neoverse V1, Graviton4 = Neoverse V2). sve: any vector length.
    const bool neon = f.asimddp;
    all.reserve(3);
    all.push_back({"sve", {}, f.sve});
    all.push_back({"i8mm", {}, neon && f.i8mm});
    all.push_back({"neon", {}, neon});
    fill_sve(all[0].set);
    fill_i8mm(all[1].set);
    fill_neon(all[2].set);
    // sve -> i8mm (SMMLA GEMM for several tokens) when the CPU has it, else -> neon; i8mm -> neon.
    all[0].set.fallback = all[1].available ? &all[1].set : neon ? &all[2].set : nullptr;
    all[1].set.fallback = &all[2].set;
#else
    (void)f;
#endif
    for (Level& l : all) l.set.isa = l.name;
  }
};

const Levels& levels() {
  static const Levels l;
  return l;
}

const Level* find_level(std::string_view isa) {
  for (const Level& l : levels().all) {
    if (isa == l.name) return &l;
  }
  return nullptr;
}

}  // namespace

const KernelSet& kernels_for_env(const char* zeroidle_isa) {
  if (zeroidle_isa && *zeroidle_isa) return kernels_for_isa(zeroidle_isa);
  for (const Level& l : levels().all) {
    if (l.available) return l.set;
  }
  return scalar_kernels();
}

const KernelSet& active_kernels() {
  static const KernelSet& set = kernels_for_env(std::getenv("ZEROIDLE_ISA"));
  return set;
}

bool isa_available(std::string_view isa) {
  if (isa == "scalar") return true;
  const Level* l = find_level(isa);
  return l && l->available;
}

const KernelSet& kernels_for_isa(std::string_view isa) {
  if (isa == "scalar") return scalar_kernels();
  const Level* l = find_level(isa);
  const std::string name(isa);
  if (!l) {
    std::string known;
    for (const std::string& k : known_isas()) {
      if (!known.empty()) known += '|';
      known += k;
    }
    throw std::runtime_error("ZEROIDLE_ISA=" + name + ": not a kernel level of this build (" + known + ")");
  }
  if (!l->available) {
    std::string here;
    for (const KernelSet* s : available_kernel_sets()) {
      if (!here.empty()) here += '|';
      here += s->isa;
    }
    throw std::runtime_error("ZEROIDLE_ISA=" + name + ": this CPU (" + cpu_features().model +
                             ") cannot run the " + name + " kernels; unset ZEROIDLE_ISA or set one of " +
                             here);
  }
  return l->set;
}

std::vector<const KernelSet*> available_kernel_sets() {
  std::vector<const KernelSet*> out{&scalar_kernels()};
  const auto& all = levels().all;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->available) out.push_back(&it->set);
  }
  return out;
}

std::vector<std::string> known_isas() {
  std::vector<std::string> out;
  for (const Level& l : levels().all) out.emplace_back(l.name);
  out.emplace_back("scalar");
  return out;
}

const char* isa_for_type(const KernelSet& set, QType t) {
  for (const KernelSet* s = &set; s; s = s->fallback) {
    if (s->matmul[type_id(t)]) return s->isa;
  }
  return "scalar";
}

const char* run_matmul(const KernelSet& set, const MatmulArgs& args, int64_t r0, int64_t r1) {
  const int id = type_id(args.wtype);
  for (const KernelSet* s = &set; s; s = s->fallback) {
    if (s->matmul[id] && s->matmul[id](args, r0, r1)) return s->isa;
  }
  scalar_kernels().matmul[id](args, r0, r1);
  return "scalar";
}

void run_quantize(const KernelSet& set, QType act_type, const float* x, void* y, int64_t n) {
  const int id = type_id(act_type);
  for (const KernelSet* s = &set; s; s = s->fallback) {
    if (s->quantize[id]) return s->quantize[id](x, y, n);
  }
  scalar_kernels().quantize[id](x, y, n);
}

}  // namespace zeroidle::kernels
