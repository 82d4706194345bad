// MatmulContext: a spin-then-sleep thread pool and the preallocated activation buffer; matmul():
// convert the activations once, then split the output rows into blocks across the workers.
//
// Why an own pool rather than OpenMP: a decode step issues ~200 small matmuls back to back, so the
// cost that matters is the fork/join latency of one parallel_for. On the 2-vCPU Zen3 dev VM
// (bench/thread_pool_bench.cpp): empty fork/join 0.44 us vs 1.5-2.7 us (libgomp, spinning) and 9 us
// (OMP_WAIT_POLICY=passive); a Llama-3.2-1B-shaped Q4_K decode token 66 ms with both cores free vs
// 1.5 s for libgomp's default spin-wait (pathological on that VM). With another process holding one
// core, sleeping quickly wins, hence the short default spin below. Numbers: bench/README.md.
#include "kernels/matmul.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "kernels/dispatch.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace zeroidle::kernels {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

// Workers spin this long after a job before they sleep on the condition variable: long enough to
// cover the gap between two matmuls of one token (norms, attention, sampling), short enough not to
// burn a core (or a Lambda's CPU quota) while the process waits for work.
// ZEROIDLE_POOL_SPIN_US overrides it (0 = sleep at once), for tuning on a new host.
constexpr int64_t kDefaultSpinMicros = 50;

std::chrono::microseconds spin_time() {
  const char* env = std::getenv("ZEROIDLE_POOL_SPIN_US");
  if (env && *env) return std::chrono::microseconds(std::max<int64_t>(0, std::atoll(env)));
  return std::chrono::microseconds(kDefaultSpinMicros);
}
// The caller spins this many times waiting for the last worker before it starts yielding its core.
constexpr int kJoinSpins = 1 << 12;

// Runs jobs of `n` independent items on the caller plus n_threads - 1 workers. Items are claimed
// one at a time from a shared counter, so a descheduled worker delays only the item it holds.
class ThreadPool {
 public:
  explicit ThreadPool(int n_threads) : spin_time_(spin_time()) {
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_seq_cst);
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int64_t n, const std::function<void(int64_t)>& fn) {
    if (workers_.empty() || n <= 1) {
      for (int64_t i = 0; i < n; ++i) fn(i);
      return;
    }
    fn_ = &fn;
    n_ = n;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_seq_cst);  // publishes fn_, n_, next_, pending_
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      { std::lock_guard<std::mutex> lock(mu_); }
      cv_.notify_all();
    }
    work();
    // Join: spin, then yield so an oversubscribed machine can run the worker we wait for.
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins < kJoinSpins) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
  }

 private:
  void work() {
    for (int64_t i = next_.fetch_add(1, std::memory_order_relaxed); i < n_;
         i = next_.fetch_add(1, std::memory_order_relaxed)) {
      (*fn_)(i);
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      uint64_t g = generation_.load(std::memory_order_acquire);
      if (g == seen) {
        const auto deadline = std::chrono::steady_clock::now() + spin_time_;
        for (int spins = 0; g == seen; ++spins) {
          cpu_relax();
          g = generation_.load(std::memory_order_acquire);
          if ((spins & 255) == 255 && std::chrono::steady_clock::now() > deadline) break;
        }
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_) return;
      work();
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  const std::chrono::microseconds spin_time_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // written under mu_ before the last generation bump
  alignas(64) std::atomic<uint64_t> generation_{0};
  std::atomic<int> sleepers_{0};
  alignas(64) std::atomic<int64_t> next_{0};
  alignas(64) std::atomic<int> pending_{0};
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
};

// 64-byte aligned bytes (the activation buffer).
struct AlignedFree {
  void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
};
using AlignedBytes = std::unique_ptr<uint8_t[], AlignedFree>;

AlignedBytes alloc_aligned(size_t n) {
  return AlignedBytes(static_cast<uint8_t*>(::operator new[](std::max<size_t>(n, 64), std::align_val_t{64})));
}

// Rows per work item: about 4 items per thread so a slow worker can be balanced, a multiple of 16
// (every kernel's row tile divides it), and at least 16 rows so tiny matrices are not split finer.
int64_t rows_per_item(int64_t rows, int n_threads) {
  if (n_threads <= 1) return rows;
  const int64_t items = static_cast<int64_t>(n_threads) * 4;
  const int64_t per = (rows + items - 1) / items;
  return std::max<int64_t>(16, (per + 15) / 16 * 16);
}

}  // namespace

struct MatmulContext::Impl {
  Impl(int n_threads, int64_t max_k, int64_t max_tokens)
      : max_k(max_k), max_tokens(max_tokens), kernels(&active_kernels()), pool(std::max(1, n_threads)) {
    // The widest activation row is F16/BF16 at 2 bytes per value (Q8_K is 292/256, Q8_0 34/32;
    // F32 activations are used in place).
    act_bytes = static_cast<size_t>(max_tokens) * (static_cast<size_t>(max_k) * 2 + 64);
    act = alloc_aligned(act_bytes);
  }

  int64_t max_k;
  int64_t max_tokens;
  const KernelSet* kernels;
  ThreadPool pool;
  size_t act_bytes = 0;
  AlignedBytes act;
};

MatmulContext::MatmulContext(int n_threads, int64_t max_k, int64_t max_tokens)
    : impl_(std::make_unique<Impl>(n_threads, max_k, max_tokens)) {}

MatmulContext::~MatmulContext() = default;

int MatmulContext::n_threads() const {
  return impl_->pool.size();
}

void MatmulContext::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
  impl_->pool.run(n, fn);
}

void matmul(MatmulContext& ctx, const WeightMatrix& w, const float* x, int64_t n_tokens, float* y) {
  MatmulContext::Impl& c = *ctx.impl_;
  assert(n_tokens <= c.max_tokens && w.k <= c.max_k);
  if (n_tokens <= 0 || w.rows <= 0) return;
  const QType act_type = type_traits(w.type).vec_dot_type;

  MatmulArgs a;
  a.wtype = w.type;
  a.w = w.data;
  a.w_stride = w.row_stride;
  a.k = w.k;
  a.n_tokens = n_tokens;
  a.y = y;
  a.y_stride = w.rows;
  if (act_type == QType::F32) {
    a.x = reinterpret_cast<const uint8_t*>(x);
    a.x_stride = static_cast<size_t>(w.k) * sizeof(float);
  } else {
    // Activations: converted once, shared by every weight row.
    a.x = c.act.get();
    a.x_stride = row_bytes(act_type, w.k);
    const KernelSet& ks = *c.kernels;
    ctx.parallel_for(n_tokens, [&](int64_t t) {
      run_quantize(ks, act_type, x + t * w.k, c.act.get() + static_cast<size_t>(t) * a.x_stride, w.k);
    });
  }

  const int64_t per = rows_per_item(w.rows, c.pool.size());
  const int64_t items = (w.rows + per - 1) / per;
  const KernelSet& ks = *c.kernels;
  ctx.parallel_for(items, [&](int64_t i) {
    const int64_t r0 = i * per;
    run_matmul(ks, a, r0, std::min(w.rows, r0 + per));
  });
}

}  // namespace zeroidle::kernels
