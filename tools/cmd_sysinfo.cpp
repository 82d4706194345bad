// zeroidle sysinfo [--json]: what this machine offers the kernels — CPU model, cores, detected
// features, the kernel set chosen (and which level computes each weight format), and a quick
// (~0.3 s) measured memory read bandwidth, the roofline of decode.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "kernels/bandwidth.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/formats.h"
#include "tools/commands.h"

namespace zeroidle::tools {
namespace {

using Json = nlohmann::ordered_json;
using kernels::QType;

constexpr const char* kUsage = "usage: zeroidle sysinfo [--json]";
constexpr QType kWeightTypes[] = {QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::Q8_0, QType::Q4_0,
                                  QType::Q5_0, QType::F16,  QType::BF16, QType::F32};

}  // namespace

int cmd_sysinfo(const Args& args) {
  bool json = false;
  for (const std::string& a : args) {
    if (a == "--json") {
      json = true;
    } else if (a == "-h" || a == "--help") {
      std::printf("%s\n", kUsage);
      return 0;
    } else {
      throw std::runtime_error("sysinfo: unknown argument '" + a + "' (" + kUsage + ")");
    }
  }

  const kernels::CpuFeatures& f = kernels::cpu_features();
  const kernels::KernelSet& active = kernels::active_kernels();  // throws on a bad ZEROIDLE_ISA
  const char* forced = std::getenv("ZEROIDLE_ISA");
  Json available = Json::array();
  for (const kernels::KernelSet* s : kernels::available_kernel_sets()) available.push_back(s->isa);
  Json per_format = Json::object();
  for (QType t : kWeightTypes) per_format[kernels::type_traits(t).name] = kernels::isa_for_type(active, t);
  const double bw1 = kernels::measure_read_bandwidth_gbs(1, 0.12, 256);
  const double bwn =
      f.logical_cores > 1 ? kernels::measure_read_bandwidth_gbs(f.logical_cores, 0.18, 256) : bw1;

  if (json) {
    Json j;
    j["cpu_model"] = f.model;
    j["arch"] = f.arch;
    j["logical_cores"] = f.logical_cores;
    j["features"] = f.names();
    if (f.sve) j["sve_vector_bits"] = f.sve_vector_bytes * 8;
    j["kernel_set"] = active.isa;
    j["forced_by_env"] = forced && *forced ? Json(forced) : Json(nullptr);
    j["available_kernel_sets"] = available;
    j["kernels_by_format"] = per_format;
    j["read_bandwidth_gbs"] = {{"1_thread", bw1}, {std::to_string(f.logical_cores) + "_threads", bwn}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::string features;
  for (const std::string& n : f.names()) features += (features.empty() ? "" : " ") + n;
  std::printf("cpu           %s (%s, %d logical cores)\n", f.model.c_str(), f.arch.c_str(), f.logical_cores);
  std::printf("features      %s\n", features.empty() ? "(none of interest)" : features.c_str());
  if (f.sve) std::printf("sve length    %d bits\n", f.sve_vector_bytes * 8);
  std::printf("kernel set    %s%s\n", active.isa,
              forced && *forced ? " (forced by ZEROIDLE_ISA)" : " (best available)");
  std::string avail;
  for (const auto& a : available) avail += (avail.empty() ? "" : " ") + a.get<std::string>();
  std::printf("available     %s\n", avail.c_str());
  std::printf("by format    ");
  for (const auto& [name, isa] : per_format.items())
    std::printf(" %s:%s", name.c_str(), isa.get<std::string>().c_str());
  std::printf("\nread bw       %.1f GB/s (1 thread), %.1f GB/s (%d threads)\n", bw1, bwn, f.logical_cores);
  return 0;
}

}  // namespace zeroidle::tools
