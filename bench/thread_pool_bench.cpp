// The thread-pool choice for decode: MatmulContext's own spin-then-sleep pool against libgomp's
// `omp parallel for`, on (a) an empty fork/join and (b) one decode token of a Llama-3.2-1B-shaped
// model (28 layers x 7 Q4_K matmuls = 196 matmuls, ~960 MB of weights) where each matmul is one
// fork/join. Both run the same row split and the same kernels (run_matmul on the active set).
// Run each pool in its own process so one pool's spinning workers never steal the other's core:
//   thread_pool_bench --benchmark_filter=pool --benchmark_repetitions=5
//   thread_pool_bench --benchmark_filter=openmp --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <vector>

#include "bench/bench_weights.h"
#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/ref.h"

namespace zeroidle::bench {
namespace {

using kernels::QType;

constexpr int kThreads = 2;
constexpr int kLayers = 28;
constexpr int64_t kDim = 2048, kKv = 512, kFf = 8192;

struct Model {
  std::vector<WeightSet> layers;  // per layer: q, k, v, o, gate, up, down
};

const Model& model() {
  static const Model m = [] {
    Model m;
    const int64_t shapes[7][2] = {{kDim, kDim}, {kKv, kDim}, {kKv, kDim}, {kDim, kDim},
                                  {kFf, kDim},  {kFf, kDim}, {kDim, kFf}};
    for (int l = 0; l < kLayers; ++l) {
      for (const auto& s : shapes) m.layers.push_back(make_weight_set(QType::Q4_K, s[0], s[1], 0));
    }
    return m;
  }();
  return m;
}

// Rows per work item, as matmul() does.
int64_t rows_per_item(int64_t rows, int n_threads) {
  const int64_t items = int64_t{n_threads} * 4;
  const int64_t per = (rows + items - 1) / items;
  return std::max<int64_t>(16, (per + 15) / 16 * 16);
}

// matmul() with the fork/join done by OpenMP instead of the pool.
void matmul_openmp(const kernels::WeightMatrix& w, const float* x, float* y, std::vector<uint8_t>& act) {
  const kernels::KernelSet& ks = kernels::active_kernels();
  kernels::run_quantize(ks, QType::Q8_K, x, act.data(), w.k);
  kernels::MatmulArgs a;
  a.wtype = w.type;
  a.w = w.data;
  a.w_stride = w.row_stride;
  a.k = w.k;
  a.x = act.data();
  a.x_stride = kernels::row_bytes(QType::Q8_K, w.k);
  a.n_tokens = 1;
  a.y = y;
  a.y_stride = w.rows;
  const int64_t per = rows_per_item(w.rows, kThreads);
  const int64_t items = (w.rows + per - 1) / per;
#pragma omp parallel for schedule(dynamic, 1) num_threads(kThreads)
  for (int64_t i = 0; i < items; ++i) kernels::run_matmul(ks, a, i * per, std::min(w.rows, (i + 1) * per));
}

// us per matmul and weight GB/s of one decode token, from wall time.
void set_decode_counters(benchmark::State& state, std::chrono::steady_clock::time_point t0, const Model& m) {
  const double per_token = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                           static_cast<double>(state.iterations());
  double bytes = 0;
  for (const WeightSet& w : m.layers) bytes += static_cast<double>(w.bytes_per_matrix);
  state.counters["us/matmul"] = per_token * 1e6 / static_cast<double>(m.layers.size());
  state.counters["GB/s"] = bytes / 1e9 / per_token;
}

void bm_forkjoin_pool(benchmark::State& state) {
  kernels::MatmulContext ctx(kThreads, 256, 1);
  std::vector<int64_t> sink(64);
  for (auto _ : state) ctx.parallel_for(kThreads, [&](int64_t i) { sink[i * 8] += 1; });
  benchmark::DoNotOptimize(sink.data());
}

void bm_forkjoin_openmp(benchmark::State& state) {
  std::vector<int64_t> sink(64);
  for (auto _ : state) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(kThreads)
    for (int i = 0; i < kThreads; ++i) sink[i * 8] += 1;
  }
  benchmark::DoNotOptimize(sink.data());
}

void bm_decode_token_pool(benchmark::State& state) {
  const Model& m = model();
  kernels::MatmulContext ctx(kThreads, kFf, 1);
  const std::vector<float> x = random_floats(kFf, 1);
  std::vector<float> y(kFf);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const WeightSet& w : m.layers) kernels::matmul(ctx, w.matrix(0), x.data(), 1, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  set_decode_counters(state, t0, m);
}

void bm_decode_token_openmp(benchmark::State& state) {
  const Model& m = model();
  const std::vector<float> x = random_floats(kFf, 1);
  std::vector<float> y(kFf);
  std::vector<uint8_t> act(kernels::row_bytes(QType::Q8_K, kFf));
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const WeightSet& w : m.layers) matmul_openmp(w.matrix(0), x.data(), y.data(), act);
    benchmark::DoNotOptimize(y.data());
  }
  set_decode_counters(state, t0, m);
}

BENCHMARK(bm_forkjoin_pool)->Name("forkjoin/pool")->UseRealTime();
BENCHMARK(bm_forkjoin_openmp)->Name("forkjoin/openmp")->UseRealTime();
BENCHMARK(bm_decode_token_pool)
    ->Name("decode_token_1b_q4k/pool")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(bm_decode_token_openmp)
    ->Name("decode_token_1b_q4k/openmp")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zeroidle::bench

BENCHMARK_MAIN();
