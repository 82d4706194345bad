// Digit-by-digit automaton for JSON numbers within a range.
//
// A number is -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most `int_digits` integer digits and `frac_digits`
// fraction digits (0 for integers), no exponent, never "-0" as a value. Values are handled exactly as
// integers scaled by 10^frac_digits (an __int128: 18 + 9 digits fit). A state is "viable" when some
// extension of it is an accepted number in [lo, hi]; the automaton only ever enters viable states, so
// it has no dead ends.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace zeroidle::engine::json::detail {

using i128 = __int128;

struct NumberSpec {
  bool integer = false;      // no fraction part allowed
  uint32_t int_digits = 15;  // cap on integer-part digits
  uint32_t frac_digits = 0;  // cap on fraction digits (0 for integers)
  bool has_range = false;    // false: [lo, hi] is just the digit cap
  i128 lo = 0, hi = 0;       // inclusive, scaled by 10^frac_digits
};

enum class NumPhase : uint8_t { kStart, kNeg, kInt, kZero, kDot, kFrac };

struct NumState {
  NumPhase phase = NumPhase::kStart;
  bool neg = false;
  uint32_t int_count = 0;   // integer digits seen
  uint32_t frac_count = 0;  // fraction digits seen
  int64_t ip = 0;           // integer part magnitude
  int64_t fq = 0;           // fraction digits as an integer
};

i128 pow10_i128(uint32_t e);
// Exact floor/ceil of v * 10^scale for a finite double, saturated to +-10^30.
i128 floor_scaled(double v, uint32_t scale);
i128 ceil_scaled(double v, uint32_t scale);

// Bytes that belong to a number; any other byte ends it (if it may end there).
inline bool is_number_byte(uint8_t b) {
  return (b >= '0' && b <= '9') || b == '-' || b == '.';
}

bool num_accepting(const NumberSpec& spec, const NumState& s);
// The state after `b`, or nullopt when `b` would leave every in-range number behind.
std::optional<NumState> num_step(const NumberSpec& spec, const NumState& s, uint8_t b);
// Fewest further bytes that reach an accepting state (0 when accepting).
uint32_t num_min_extra(const NumberSpec& spec, const NumState& s);
// For a state with digits (kInt, kDot, kFrac): the values d in [0, 10^len) whose len digits (zero-padded)
// may be appended, as ascending disjoint [lo, hi] intervals. Lets a mask take every digit-only token in
// one range lookup instead of one automaton step per digit.
std::vector<std::pair<int64_t, int64_t>> num_digit_intervals(const NumberSpec& spec, const NumState& s,
                                                             uint32_t len);
// The next byte on a shortest path to acceptance; only for non-accepting states.
uint8_t num_best_byte(const NumberSpec& spec, const NumState& s);

}  // namespace zeroidle::engine::json::detail
