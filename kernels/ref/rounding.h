// Rounding helpers shared by the scalar reference kernels (internal to kernels/ref).
#pragma once

#include <bit>
#include <cstdint>

namespace zeroidle::kernels::ref_detail {

// 1.5 * 2^23: adding it to |f| < 2^22 leaves round-to-nearest-even(f) in the low mantissa bits.
constexpr float kRoundingMagic = 12582912.0f;

// round(f), ties to even, through the float adder exactly as ggml's nearest_int does (so results
// match ggml bit for bit, independent of the current rounding mode's library functions).
// Precondition: |f| <= 2^22 - 1.
inline int nearest_int(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f + kRoundingMagic);
  return static_cast<int>(bits & 0x007FFFFFu) - 0x00400000;
}

}  // namespace zeroidle::kernels::ref_detail
