// Tests of the scalar F16 / BF16 conversions against independent oracles: the IEEE-754 definition
// of each half value, and a brute-force "nearest representable, ties to even" search in double.
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/ref.h"

namespace zeroidle::kernels {
namespace {

constexpr uint16_t kF16Sign = 0x8000;
constexpr uint16_t kF16Inf = 0x7C00;
constexpr uint16_t kF16MaxFinite = 0x7BFF;  // 65504
constexpr uint16_t kF16QuietNaN = 0x7E00;
constexpr double kF16OverflowValue = 65536;  // where the next half would be, were the range unbounded
constexpr uint32_t kRandomSamples = 1u << 20;

bool f16_is_nan(uint16_t h) {
  return (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
}

// The value of a finite half from the IEEE-754 binary16 definition.
double f16_value(uint16_t h) {
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  const double mag = exp == 0 ? std::ldexp(mant, -24) : std::ldexp(1024 + mant, exp - 25);
  return (h & kF16Sign) ? -mag : mag;
}

// Magnitude of positive half code c, with the infinity code standing for 2^16 (overflow rounding).
double f16_magnitude_for_rounding(uint16_t c) {
  return c == kF16Inf ? kF16OverflowValue : f16_value(c);
}

// Nearest half to finite f, ties to the even code: binary search over the (monotone) positive codes.
uint16_t nearest_f16_oracle(float f) {
  const double a = std::fabs(static_cast<double>(f));
  uint16_t lo = 0, hi = kF16Inf;  // invariant: value(lo) <= a < value(hi)
  if (a >= kF16OverflowValue) return (std::signbit(f) ? kF16Sign : 0) | kF16Inf;
  while (hi - lo > 1) {
    const uint16_t mid = static_cast<uint16_t>((lo + hi) / 2);
    (f16_magnitude_for_rounding(mid) <= a ? lo : hi) = mid;
  }
  const double below = a - f16_magnitude_for_rounding(lo);
  const double above = f16_magnitude_for_rounding(hi) - a;
  const uint16_t code = below < above ? lo : above < below ? hi : ((lo & 1) == 0 ? lo : hi);
  return (std::signbit(f) ? kF16Sign : 0) | code;
}

// Nearest bf16 to finite f, ties to even: the two candidates are f truncated and one code above.
uint16_t nearest_bf16_oracle(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t lo = static_cast<uint16_t>(bits >> 16);
  if (std::isinf(f)) return lo;
  const uint16_t hi = static_cast<uint16_t>(lo + 1);
  const double a = std::fabs(static_cast<double>(f));
  const double lo_mag = std::fabs(static_cast<double>(bf16_to_fp32(lo)));
  const double hi_mag =
      (hi & 0x7FFF) == 0x7F80 ? std::ldexp(1.0, 128) : std::fabs(static_cast<double>(bf16_to_fp32(hi)));
  const double below = a - lo_mag, above = hi_mag - a;
  return below < above ? lo : above < below ? hi : ((lo & 1) == 0 ? lo : hi);
}

float random_float(std::mt19937& rng) {
  for (;;) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    if (!std::isnan(f)) return f;
  }
}

TEST(RefFp16, DecodesEveryHalfAsIeeeDefines) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const uint16_t code = static_cast<uint16_t>(h);
    const float f = fp16_to_fp32(code);
    if (f16_is_nan(code)) {
      EXPECT_TRUE(std::isnan(f)) << std::hex << h;
      continue;
    }
    if ((code & 0x7FFF) == kF16Inf) {
      EXPECT_TRUE(std::isinf(f) && std::signbit(f) == ((code & kF16Sign) != 0)) << std::hex << h;
      continue;
    }
    EXPECT_EQ(static_cast<double>(f), f16_value(code)) << std::hex << h;
    EXPECT_EQ(std::signbit(f), (code & kF16Sign) != 0) << std::hex << h;
  }
}

TEST(RefFp16, EncodingRoundTripsEveryHalf) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const uint16_t code = static_cast<uint16_t>(h);
    const uint16_t expected =
        f16_is_nan(code) ? static_cast<uint16_t>((code & kF16Sign) | kF16QuietNaN) : code;
    EXPECT_EQ(fp32_to_fp16(fp16_to_fp32(code)), expected) << std::hex << h;
  }
}

// Every midpoint between adjacent halves (exact in float: 12 significant bits) goes to the even
// code; one float ulp either side goes to the nearer half. Covers subnormals and overflow to inf.
TEST(RefFp16, RoundsEveryMidpointToEven) {
  for (uint16_t c = 0; c <= kF16MaxFinite; ++c) {
    const uint16_t next = static_cast<uint16_t>(c + 1);
    const float mid =
        static_cast<float>((f16_magnitude_for_rounding(c) + f16_magnitude_for_rounding(next)) / 2);
    const uint16_t even = (c & 1) == 0 ? c : next;
    for (const uint16_t sign : {uint16_t{0}, kF16Sign}) {
      const float s = sign ? -1.0f : 1.0f;
      EXPECT_EQ(fp32_to_fp16(s * mid), sign | even) << "midpoint above code " << c;
      EXPECT_EQ(fp32_to_fp16(s * std::nextafter(mid, INFINITY)), sign | next) << "above midpoint " << c;
      EXPECT_EQ(fp32_to_fp16(s * std::nextafter(mid, 0.0f)), sign | c) << "below midpoint " << c;
    }
  }
}

TEST(RefFp16, MatchesNearestOracleOnRandomFloats) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> log_mag(-30.0f, 18.0f);  // around half's whole range
  for (uint32_t i = 0; i < kRandomSamples; ++i) {
    const float any = random_float(rng);
    ASSERT_EQ(fp32_to_fp16(any), nearest_f16_oracle(any)) << std::hexfloat << any;
    const float in_range = std::exp2(log_mag(rng)) * (rng() & 1 ? 1.0f : -1.0f);
    ASSERT_EQ(fp32_to_fp16(in_range), nearest_f16_oracle(in_range)) << std::hexfloat << in_range;
  }
}

TEST(RefFp16, SpecialValues) {
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(INFINITY), 0x7C00);
  EXPECT_EQ(fp32_to_fp16(-INFINITY), 0xFC00);
  EXPECT_EQ(fp32_to_fp16(std::nanf("")), 0x7E00);                       // quiet, as ggml
  EXPECT_EQ(fp32_to_fp16(-std::bit_cast<float>(0x7F800001u)), 0xFE00);  // signalling -> quiet
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(std::nextafter(65520.0f, 0.0f)), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);  // tie goes to even: inf
  EXPECT_EQ(fp32_to_fp16(0x1p-24f), 0x0001);  // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);  // tie to even zero
  EXPECT_EQ(fp32_to_fp16(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(FLT_MIN), 0x0000);
  EXPECT_EQ(fp32_to_fp16(std::bit_cast<float>(0x00000001u)), 0x0000);  // float subnormal
  EXPECT_EQ(fp32_to_fp16(std::nextafter(0x1p-14f, 0.0f)), 0x0400);     // rounds up to min normal
}

TEST(RefBf16, DecodesEveryCodeAsTheTopHalfOfAFloat) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    EXPECT_EQ(std::bit_cast<uint32_t>(bf16_to_fp32(static_cast<uint16_t>(h))), h << 16) << std::hex << h;
  }
}

// For every finite bf16 code b: b's float + a tie goes to the even one of (b, b + 1), one bit
// less stays at b, one bit more goes to b + 1 (including the carry into the exponent and to inf).
TEST(RefBf16, RoundsEveryTieToEven) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    if ((h & 0x7F80) == 0x7F80) continue;  // inf / NaN codes
    const uint16_t b = static_cast<uint16_t>(h);
    const uint16_t up = static_cast<uint16_t>(b + 1);
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>((h << 16) | 0x8000u)), (b & 1) ? up : b) << std::hex << h;
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>((h << 16) | 0x7FFFu)), b) << std::hex << h;
    EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>((h << 16) | 0x8001u)), up) << std::hex << h;
  }
}

TEST(RefBf16, MatchesNearestOracleOnRandomFloats) {
  std::mt19937 rng(3);
  for (uint32_t i = 0; i < kRandomSamples; ++i) {
    const float f = random_float(rng);
    ASSERT_EQ(fp32_to_bf16(f), nearest_bf16_oracle(f)) << std::hexfloat << f;
  }
}

TEST(RefBf16, NanIsQuietedAndSubnormalsAreKept) {
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x7F800001u)), 0x7FC0);  // signalling -> quiet
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0xFF810000u)), 0xFFC1);  // payload top bits kept
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x7FC00000u)), 0x7FC0);
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x00010000u)), 0x0001);  // subnormal, not flushed
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x00008000u)), 0x0000);  // tie to even zero
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x00018000u)), 0x0002);  // tie to even up
  EXPECT_EQ(fp32_to_bf16(FLT_MAX), 0x7F80);                            // rounds to inf
  EXPECT_EQ(fp32_to_bf16(-INFINITY), 0xFF80);
}

TEST(RefFloatRows, RowConversionsApplyTheScalarOnes) {
  std::mt19937 rng(4);
  std::vector<float> x(257);
  for (float& v : x) v = random_float(rng);
  std::vector<uint16_t> h(x.size()), b(x.size());
  std::vector<float> hy(x.size()), by(x.size());
  const int64_t n = static_cast<int64_t>(x.size());
  quantize_row_f16(x.data(), h.data(), n);
  quantize_row_bf16(x.data(), b.data(), n);
  dequantize_row_f16(h.data(), hy.data(), n);
  dequantize_row_bf16(b.data(), by.data(), n);
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(h[i], fp32_to_fp16(x[i]));
    ASSERT_EQ(b[i], fp32_to_bf16(x[i]));
    ASSERT_EQ(std::bit_cast<uint32_t>(hy[i]), std::bit_cast<uint32_t>(fp16_to_fp32(h[i])));
    ASSERT_EQ(std::bit_cast<uint32_t>(by[i]), std::bit_cast<uint32_t>(bf16_to_fp32(b[i])));
  }
}

}  // namespace
}  // namespace zeroidle::kernels
