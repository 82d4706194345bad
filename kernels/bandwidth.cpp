#include "kernels/bandwidth.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace zeroidle::kernels {
namespace {

// Sum of 64-bit words with four independent accumulators, so loads, not adds, are the limit.
uint64_t sum_words(const uint64_t* p, size_t n) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (size_t i = 0; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  return a ^ b ^ c ^ d;
}

}  // namespace

double measure_read_bandwidth_gbs(int n_threads, double seconds, int buffer_mib) {
  n_threads = std::max(1, n_threads);
  const size_t words = static_cast<size_t>(buffer_mib) * (1 << 20) / sizeof(uint64_t);
  std::vector<uint64_t> buf(words);
  std::memset(buf.data(), 1, words * sizeof(uint64_t));  // touch every page before timing
  const size_t per_thread = words / n_threads;
  std::vector<uint64_t> sink(n_threads);
  double best = 0;
  const auto start = std::chrono::steady_clock::now();
  do {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < n_threads; ++t) {
      threads.emplace_back([&, t] { sink[t] += sum_words(buf.data() + t * per_thread, per_thread); });
    }
    for (std::thread& th : threads) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(per_thread * n_threads * sizeof(uint64_t)) / s / 1e9);
  } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds);
  volatile uint64_t keep = 0;
  for (uint64_t s : sink) keep = keep ^ s;
  (void)keep;
  return best;
}

}  // namespace zeroidle::kernels
