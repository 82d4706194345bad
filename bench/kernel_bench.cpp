// GEMV / GEMM microbenchmarks at Llama 3 8B shapes for Q4_K and Q6_K, 1 and 2 threads, through the
// real entry point matmul() (activation conversion included), rotating over enough weight copies
// (>= 4x the last-level cache) that weights always stream from DRAM. Counters:
//   GB/s   weight bytes streamed per second (the GEMV figure of merit)
//   bw%    that as a share of the read bandwidth with the same thread count (GEMV: measured right before
//          and after the benchmark, the higher taken; others: at start-up)
//   GOPS   2 * rows * K * tokens / s (int8 multiply-adds for the quantized formats)
// Also BM_ReadBandwidth: the streaming-sum roofline itself.
//
//   build-x86/bin/kernel_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_weights.h"
#include "kernels/bandwidth.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/matmul.h"

namespace zeroidle::bench {
namespace {

using kernels::QType;

constexpr size_t kMinWeightBytes = size_t{128} << 20;  // 4x a 32 MiB L3

struct Shape {
  int64_t rows, k;
  const char* what;
};
// Llama 3 8B: wq/wo, wk/wv, w1/w3 (gate/up), w2 (down), output.
constexpr Shape kShapes[] = {
    {4096, 4096, "attn_q/o"},  {1024, 4096, "attn_k/v"}, {14336, 4096, "ffn_gate/up"},
    {4096, 14336, "ffn_down"}, {128256, 4096, "output"},
};

std::map<int, double>& read_bandwidth() {  // GB/s by thread count, measured once
  static std::map<int, double> bw;
  return bw;
}

// One weight set alive at a time (benchmarks of one shape are registered together). min_bytes 0: one copy.
const WeightSet& weights(QType t, int64_t rows, int64_t k, size_t min_bytes) {
  static WeightSet current;
  static size_t current_min = 0;
  if (current.type != t || current.rows != rows || current.k != k || current_min != min_bytes ||
      current.copies.empty()) {
    current = WeightSet{};
    current = make_weight_set(t, rows, k, min_bytes);
    current_min = min_bytes;
  }
  return current;
}

void bm_matmul(benchmark::State& state, QType t, int64_t rows, int64_t k, int64_t tokens, int threads,
               size_t min_bytes) {
  const WeightSet& w = weights(t, rows, k, min_bytes);
  kernels::MatmulContext ctx(threads, k, tokens);
  const std::vector<float> x = random_floats(static_cast<size_t>(tokens * k), 42);
  std::vector<float> y(static_cast<size_t>(rows * tokens));
  size_t i = 0;
  // GEMV (weights from DRAM): the roofline is measured right before and right after the timed loop and
  // the higher value taken, so a neighbour that steals bandwidth for a while cannot flatter bw%.
  const bool roofline = tokens == 1 && min_bytes > 0;
  double bw = roofline ? kernels::measure_read_bandwidth_gbs(threads, 0.3, 512) : read_bandwidth()[threads];
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    kernels::matmul(ctx, w.matrix(i++), x.data(), tokens, y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  // Plain values from wall time (rate counters would print as ".../s" and cannot express bw%).
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double per_call = seconds / static_cast<double>(state.iterations());
  const double gbs = static_cast<double>(w.bytes_per_matrix) / 1e9 / per_call;
  state.counters["GB/s"] = gbs;
  state.counters["GOPS"] =
      2.0 * static_cast<double>(rows) * static_cast<double>(k) * static_cast<double>(tokens) / 1e9 / per_call;
  if (roofline) {
    bw = std::max(bw, kernels::measure_read_bandwidth_gbs(threads, 0.3, 512));
    state.counters["roofGB/s"] = bw;
  }
  if (bw > 0) state.counters["bw%"] = 100.0 * gbs / bw;
  state.SetLabel(std::string(kernels::isa_for_type(kernels::active_kernels(), t)));
}

void bm_read_bandwidth(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  double gbs = 0;
  for (auto _ : state) gbs = kernels::measure_read_bandwidth_gbs(threads, 0.5, 1024);
  state.counters["GB/s"] = gbs;
}

void register_all() {
  benchmark::RegisterBenchmark("read_bandwidth_1GiB", bm_read_bandwidth)
      ->Arg(1)
      ->Arg(2)
      ->ArgName("threads")
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  for (QType t : {QType::Q4_K, QType::Q6_K}) {
    for (const Shape& s : kShapes) {
      for (int64_t tokens : {1, 5, 64, 512}) {
        for (int threads : {1, 2}) {
          const std::string name = std::string("matmul/") + kernels::type_traits(t).name + "/" +
                                   std::to_string(s.rows) + "x" + std::to_string(s.k) +
                                   "/tokens:" + std::to_string(tokens) +
                                   "/threads:" + std::to_string(threads);
          benchmark::RegisterBenchmark(name.c_str(), bm_matmul, t, s.rows, s.k, tokens, threads,
                                       kMinWeightBytes)
              ->UseRealTime()
              ->Unit(tokens == 1 ? benchmark::kMicrosecond : benchmark::kMillisecond);
        }
      }
    }
    // The kernel's own speed, weights resident in L2 (one copy of 128 rows, ~300 KB of Q4_K): what the
    // GEMV could stream per core if memory were free. Below the DRAM share per core, it is compute-bound.
    // With 8 tokens (one GEMM tile, 64 rows, ~150 KB of Q4_K) the same for the GEMM: its compute ceiling.
    for (auto [rows, tokens] : {std::pair<int64_t, int64_t>{128, 1}, {64, 8}}) {
      const std::string name = std::string("matmul_l2/") + kernels::type_traits(t).name + "/" +
                               std::to_string(rows) + "x4096/tokens:" + std::to_string(tokens) + "/threads:1";
      benchmark::RegisterBenchmark(name.c_str(), bm_matmul, t, rows, 4096, tokens, 1, size_t{0})
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  // GEMV of the other weight formats (Q4_0/Q8_0 models, F16 tensors), at two shapes.
  for (QType t : {QType::Q4_0, QType::Q5_0, QType::Q8_0, QType::F16}) {
    for (int64_t rows : {int64_t{4096}, int64_t{14336}}) {
      for (int threads : {1, 2}) {
        const std::string name = std::string("matmul/") + kernels::type_traits(t).name + "/" +
                                 std::to_string(rows) + "x4096/tokens:1/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), bm_matmul, t, rows, 4096, 1, threads, kMinWeightBytes)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace
}  // namespace zeroidle::bench

int main(int argc, char** argv) {
  using namespace zeroidle;
  const kernels::CpuFeatures& f = kernels::cpu_features();
  benchmark::AddCustomContext("cpu_model", f.model);
  benchmark::AddCustomContext("kernel_set", kernels::active_kernels().isa);
  for (int threads : {1, 2}) {
    const double bw = kernels::measure_read_bandwidth_gbs(threads, 0.3, 512);
    bench::read_bandwidth()[threads] = bw;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", bw);
    benchmark::AddCustomContext("read_bw_gbs_" + std::to_string(threads) + "t", buf);
  }
  bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
