// Wall-clock timing for what the engine reports (prefill_ms, decode_ms, mask_ms): the steady clock, in
// milliseconds as a double.
#pragma once

#include <chrono>

namespace zeroidle::engine {

// Milliseconds elapsed on the steady clock since t0.
inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace zeroidle::engine
