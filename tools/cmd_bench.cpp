// zeroidle bench: prompt-processing and generation tokens/s, mean ± sd over repetitions (like llama-bench),
// with generation's fraction of the memory-bandwidth roofline.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/model.h"
#include "engine/session.h"
#include "kernels/bandwidth.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "tools/args.h"

namespace zeroidle::tools {
namespace {

struct Series {
  std::string test;       // "pp512" / "tg128"
  std::vector<double> tps;
  double mean() const {
    double s = 0;
    for (double v : tps) s += v;
    return s / tps.size();
  }
  double sd() const {
    if (tps.size() < 2) return 0;
    double m = mean(), s = 0;
    for (double v : tps) s += (v - m) * (v - m);
    return std::sqrt(s / (tps.size() - 1));
  }
};

std::vector<int32_t> random_tokens(int64_t n, int64_t n_vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(n_vocab - 1));
  std::vector<int32_t> t(n);
  for (auto& x : t) x = pick(rng);
  return t;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Prompt processing: n_prompt random tokens in one batched pass on an empty cache.
double run_prompt(const engine::Model& m, int threads, int64_t n_prompt, uint64_t seed) {
  engine::Session s(m, {.n_threads = threads, .n_ctx = n_prompt, .n_batch = n_prompt});
  const std::vector<int32_t> toks = random_tokens(n_prompt, m.hparams().n_vocab, seed);
  const auto t0 = std::chrono::steady_clock::now();
  s.eval(toks);
  return n_prompt / seconds_since(t0);
}

// Generation: n_gen tokens decoded one at a time from an empty cache (llama-bench's tg test).
double run_generation(const engine::Model& m, int threads, int64_t n_gen, uint64_t seed) {
  engine::Session s(m, {.n_threads = threads, .n_ctx = n_gen, .n_batch = 1});
  const std::vector<int32_t> toks = random_tokens(n_gen, m.hparams().n_vocab, seed);
  const auto t0 = std::chrono::steady_clock::now();
  for (int32_t t : toks) s.eval(std::span(&t, 1));
  return n_gen / seconds_since(t0);
}

uint64_t parameter_count(const engine::Model& m) {
  uint64_t n = 0;
  for (const auto& t : m.file().tensors()) n += t.n_elements();
  return n;
}

}  // namespace

int cmd_bench(const Args& args) {
  const ParsedArgs a(args, "bench",
                     {{"model", "m"}, {"n-prompt", "p"}, {"n-gen", "n"}, {"threads", "t"}, {"repetitions", "r"},
                      {"json", "", false}});
  const int64_t n_prompt = a.integer("n-prompt", 512), n_gen = a.integer("n-gen", 128);
  const int threads = static_cast<int>(a.integer("threads", 2)), reps = static_cast<int>(a.integer("repetitions", 3));
  if (n_prompt < 0 || n_gen < 0 || threads < 1 || reps < 1) throw std::runtime_error("bench: -p/-n >= 0, -t/-r >= 1");
  const auto model = engine::Model::load(a.required("model"));

  std::vector<Series> series;
  if (n_prompt > 0) series.push_back({"pp" + std::to_string(n_prompt), {}});
  if (n_gen > 0) series.push_back({"tg" + std::to_string(n_gen), {}});
  for (Series& s : series) {
    const bool pp = s.test[0] == 'p';
    (pp ? run_prompt(*model, threads, std::min<int64_t>(n_prompt, 16), 0) : run_generation(*model, threads, 4, 0));  // warm-up
    for (int r = 0; r < reps; ++r) {
      s.tps.push_back(pp ? run_prompt(*model, threads, n_prompt, r + 1) : run_generation(*model, threads, n_gen, r + 1));
    }
  }
  const double bw = kernels::measure_read_bandwidth_gbs(threads);
  const double gb_per_token = model->weight_bytes() / 1e9;
  const std::string isa = kernels::active_kernels().isa;
  const std::string name = model->hparams().name;
  const double size_gib = model->file().file_size() / double(1 << 30);
  const double params_b = parameter_count(*model) / 1e9;

  if (a.has("json")) {
    nlohmann::json j = {{"model", name}, {"file", a.str("model")}, {"size_bytes", model->file().file_size()},
                        {"params", parameter_count(*model)}, {"isa", isa}, {"threads", threads},
                        {"cpu", kernels::cpu_features().model}, {"read_bandwidth_gbs", bw}, {"results", nlohmann::json::array()}};
    for (const Series& s : series) {
      nlohmann::json r = {{"test", s.test}, {"tokens_per_s", s.tps}, {"mean", s.mean()}, {"sd", s.sd()}};
      if (s.test[0] == 't') r["roofline_fraction"] = s.mean() * gb_per_token / bw;
      j["results"].push_back(r);
    }
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("| model | size | params | isa | threads | test | t/s | roofline |\n");
  std::printf("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |\n");
  for (const Series& s : series) {
    const std::string roof = s.test[0] == 't' ? std::to_string(int(std::lround(100 * s.mean() * gb_per_token / bw))) + "%" : "";
    std::printf("| %s | %.2f GiB | %.2f B | %s | %d | %s | %.2f ± %.2f | %s |\n", name.c_str(), size_gib, params_b,
                isa.c_str(), threads, s.test.c_str(), s.mean(), s.sd(), roof.c_str());
  }
  std::printf("\nweights streamed per generated token: %.3f GB; measured read bandwidth (%d threads): %.1f GB/s; "
              "roofline = t/s x GB/token / bandwidth\n", gb_per_token, threads, bw);
  return 0;
}

}  // namespace zeroidle::tools
