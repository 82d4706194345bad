#include "engine/json/number_range.h"

#include <algorithm>
#include <cmath>

namespace zeroidle::engine::json::detail {
namespace {

constexpr uint32_t kFar = UINT32_MAX / 4;

// Magnitudes allowed for one sign: [lo, hi] (empty when lo > hi). Negative values exclude 0 (no "-0").
struct MagRange {
  i128 lo, hi;
};

MagRange mag_range(const NumberSpec& spec, bool neg) {
  if (!neg) return {std::max<i128>(spec.lo, 0), spec.hi};
  return {std::max<i128>(-spec.hi, 1), -spec.lo};
}

bool hits(const MagRange& r, i128 a, i128 b) {
  return std::max(a, r.lo) <= std::min(b, r.hi);
}

// Whether [a, b] ∩ r holds a multiple of `step` (all values non-negative).
bool hits_multiple(const MagRange& r, i128 a, i128 b, i128 step) {
  const i128 lo = std::max(a, r.lo);
  const i128 hi = std::min(b, r.hi);
  if (lo > hi) return false;
  const i128 first = (lo + step - 1) / step * step;
  return first <= hi;
}

i128 unit(const NumberSpec& spec) {
  return pow10_i128(spec.frac_digits);
}

// Scaled magnitude of the digits seen so far (fraction digits padded to frac_digits).
i128 scaled_value(const NumberSpec& spec, const NumState& s) {
  return static_cast<i128>(s.ip) * unit(spec) +
         static_cast<i128>(s.fq) * pow10_i128(spec.frac_digits - s.frac_count);
}

bool viable(const NumberSpec& spec, const NumState& s) {
  const MagRange r = mag_range(spec, s.neg);
  const i128 u = unit(spec);
  switch (s.phase) {
    case NumPhase::kStart:
      return spec.lo <= spec.hi;
    case NumPhase::kNeg:
      return r.lo <= r.hi;
    case NumPhase::kInt:
      for (uint32_t j = 0; s.int_count + j <= spec.int_digits; ++j) {
        const i128 p = pow10_i128(j) * u;
        if (hits(r, static_cast<i128>(s.ip) * p, static_cast<i128>(s.ip + 1) * p - 1)) return true;
      }
      return false;
    case NumPhase::kZero:
      return hits(r, 0, u - 1);
    case NumPhase::kDot:
      return hits(r, static_cast<i128>(s.ip) * u, static_cast<i128>(s.ip) * u + u - 1);
    case NumPhase::kFrac: {
      const i128 w = pow10_i128(spec.frac_digits - s.frac_count);
      const i128 base = scaled_value(spec, s);
      return hits(r, base, base + w - 1);
    }
  }
  return false;
}

// Fewest bytes from the integer part `ip` (int_count digits) to an accepting state: j more integer
// digits, then optionally '.' and g fraction digits.
uint32_t min_extra_from_int(const NumberSpec& spec, const NumState& s, bool more_int_digits) {
  const MagRange r = mag_range(spec, s.neg);
  const i128 u = unit(spec);
  uint32_t best = kFar;
  const uint32_t max_j = more_int_digits ? spec.int_digits - s.int_count : 0;
  for (uint32_t j = 0; j <= max_j; ++j) {
    const i128 p = pow10_i128(j) * u;
    const i128 a = static_cast<i128>(s.ip) * p;
    const i128 b = static_cast<i128>(s.ip + 1) * p - 1;
    for (uint32_t g = 0; g <= spec.frac_digits; ++g) {
      const uint32_t cost = j + (g ? 1 + g : 0);
      if (cost == 0 || cost >= best) continue;
      if (hits_multiple(r, a, b, pow10_i128(spec.frac_digits - g))) best = cost;
    }
  }
  return best;
}

uint32_t min_extra_from_fraction(const NumberSpec& spec, const NumState& s) {
  const MagRange r = mag_range(spec, s.neg);
  const i128 w = pow10_i128(spec.frac_digits - s.frac_count);
  const i128 base = scaled_value(spec, s);
  for (uint32_t g = std::max<uint32_t>(s.frac_count, 1); g <= spec.frac_digits; ++g) {
    if (g == s.frac_count && s.phase == NumPhase::kFrac) continue;  // that is "accepting now"
    if (hits_multiple(r, base, base + w - 1, pow10_i128(spec.frac_digits - g))) return g - s.frac_count;
  }
  return kFar;
}

constexpr char kCandidates[] = "0123456789.-";

i128 floor_div(i128 a, i128 b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}  // b > 0
i128 ceil_div(i128 a, i128 b) {
  return -floor_div(-a, b);
}

std::vector<std::pair<int64_t, int64_t>> merged(std::vector<std::pair<i128, i128>> iv) {
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [lo, hi] : iv) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max<int64_t>(out.back().second, static_cast<int64_t>(hi));
    } else {
      out.emplace_back(static_cast<int64_t>(lo), static_cast<int64_t>(hi));
    }
  }
  return out;
}

}  // namespace

namespace {

struct Pow10Table {
  i128 p[39];
  Pow10Table() {
    p[0] = 1;
    for (int i = 1; i < 39; ++i) p[i] = p[i - 1] * 10;
  }
};

const Pow10Table kPow10;

}  // namespace

i128 pow10_i128(uint32_t e) {
  return kPow10.p[e];
}

i128 floor_scaled(double v, uint32_t scale) {
  const i128 sat = pow10_i128(30);
  if (v == 0.0) return 0;
  int exp = 0;
  const double fr = std::frexp(v, &exp);  // v = fr * 2^exp, 0.5 <= |fr| < 1
  const auto m = static_cast<int64_t>(std::ldexp(fr, 53));
  const int e = exp - 53;  // v = m * 2^e exactly
  const i128 t = static_cast<i128>(m) * pow10_i128(scale);
  if (e >= 0) {
    if (e > 40) return v < 0 ? -sat : sat;
    return std::clamp<i128>(t * (static_cast<i128>(1) << e), -sat, sat);
  }
  if (-e >= 120) return t < 0 ? -1 : 0;
  return std::clamp<i128>(t >> -e, -sat, sat);  // arithmetic shift: floor for negatives too
}

i128 ceil_scaled(double v, uint32_t scale) {
  return -floor_scaled(-v, scale);
}

bool num_accepting(const NumberSpec& spec, const NumState& s) {
  if (s.phase != NumPhase::kInt && s.phase != NumPhase::kZero && s.phase != NumPhase::kFrac) return false;
  const i128 v = scaled_value(spec, s);
  return hits(mag_range(spec, s.neg), v, v);
}

std::optional<NumState> num_step(const NumberSpec& spec, const NumState& s, uint8_t b) {
  const bool digit = b >= '0' && b <= '9';
  const int d = b - '0';
  const bool fraction_ok = !spec.integer && spec.frac_digits > 0;
  NumState n = s;
  switch (s.phase) {
    case NumPhase::kStart:
    case NumPhase::kNeg:
      if (b == '-' && s.phase == NumPhase::kStart) {
        n.phase = NumPhase::kNeg;
        n.neg = true;
      } else if (b == '0' && (s.phase == NumPhase::kStart || fraction_ok)) {
        n.phase = NumPhase::kZero;
        n.int_count = 1;
      } else if (digit && d > 0) {
        n.phase = NumPhase::kInt;
        n.int_count = 1;
        n.ip = d;
      } else {
        return std::nullopt;
      }
      break;
    case NumPhase::kInt:
    case NumPhase::kZero:
      if (digit && s.phase == NumPhase::kInt && s.int_count < spec.int_digits) {
        n.ip = s.ip * 10 + d;
        n.int_count++;
      } else if (b == '.' && fraction_ok) {
        n.phase = NumPhase::kDot;
      } else {
        return std::nullopt;
      }
      break;
    case NumPhase::kDot:
    case NumPhase::kFrac:
      if (!digit || s.frac_count >= spec.frac_digits) return std::nullopt;
      n.phase = NumPhase::kFrac;
      n.fq = s.fq * 10 + d;
      n.frac_count++;
      break;
  }
  if (!viable(spec, n)) return std::nullopt;
  return n;
}

uint32_t num_min_extra(const NumberSpec& spec, const NumState& s) {
  if (num_accepting(spec, s)) return 0;
  switch (s.phase) {
    case NumPhase::kStart:
    case NumPhase::kNeg: {
      uint32_t best = kFar;
      for (const char* c = kCandidates; *c; ++c) {
        if (auto n = num_step(spec, s, static_cast<uint8_t>(*c)))
          best = std::min(best, 1 + num_min_extra(spec, *n));
      }
      return best;
    }
    case NumPhase::kInt:
      return min_extra_from_int(spec, s, true);
    case NumPhase::kZero:
      return min_extra_from_int(spec, s, false);
    case NumPhase::kDot:
    case NumPhase::kFrac:
      return min_extra_from_fraction(spec, s);
  }
  return kFar;
}

std::vector<std::pair<int64_t, int64_t>> num_digit_intervals(const NumberSpec& spec, const NumState& s,
                                                             uint32_t len) {
  const MagRange r = mag_range(spec, s.neg);
  const i128 u = unit(spec);
  const i128 top = pow10_i128(len) - 1;
  std::vector<std::pair<i128, i128>> iv;
  if (r.lo > r.hi) return {};
  if (s.phase == NumPhase::kInt) {
    if (s.int_count + len > spec.int_digits) return {};
    // Prefix P = ip*10^len + d reaches [P*q, (P+1)*q - 1] with q = 10^j * u for each j more digits.
    const i128 base = static_cast<i128>(s.ip) * pow10_i128(len);
    for (uint32_t j = 0; s.int_count + len + j <= spec.int_digits; ++j) {
      const i128 q = pow10_i128(j) * u;
      const i128 lo = std::max<i128>(ceil_div(r.lo + 1, q) - 1 - base, 0);
      const i128 hi = std::min<i128>(floor_div(r.hi, q) - base, top);
      if (lo <= hi) iv.emplace_back(lo, hi);
    }
  } else if (s.phase == NumPhase::kDot || s.phase == NumPhase::kFrac) {
    if (s.frac_count + len > spec.frac_digits) return {};
    // The magnitude becomes ip*u + (fq*10^len + d)*w and can grow by up to w - 1.
    const i128 w = pow10_i128(spec.frac_digits - s.frac_count - len);
    const i128 off = static_cast<i128>(s.ip) * u;
    const i128 fbase = static_cast<i128>(s.fq) * pow10_i128(len);
    const i128 lo = std::max<i128>(ceil_div(r.lo - off - w + 1, w) - fbase, 0);
    const i128 hi = std::min<i128>(floor_div(r.hi - off, w) - fbase, top);
    if (lo <= hi) iv.emplace_back(lo, hi);
  }
  return merged(std::move(iv));
}

uint8_t num_best_byte(const NumberSpec& spec, const NumState& s) {
  uint32_t best = kFar;
  uint8_t byte = '0';
  for (const char* c = kCandidates; *c; ++c) {
    auto n = num_step(spec, s, static_cast<uint8_t>(*c));
    if (!n) continue;
    const uint32_t cost = num_min_extra(spec, *n);
    if (cost < best) {
      best = cost;
      byte = static_cast<uint8_t>(*c);
    }
  }
  return byte;
}

}  // namespace zeroidle::engine::json::detail
