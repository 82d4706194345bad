// Number and integer ranges, digit by digit: exhaustive over windows of values, checked against how the
// Python validator reads the emitted text (ints exactly, fractions as doubles).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "engine/json/matcher.h"

namespace zeroidle::engine::json {
namespace {

bool accepts(const Schema& s, const std::string& text) {
  Matcher m(s);
  return m.advance(text) && m.is_accepting();
}

struct Bounds {
  const char* keywords;  // JSON members to splice into {"type":...}
  double lo, hi;
  bool lo_excl, hi_excl;
};

bool in_bounds(double v, const Bounds& b) {
  return (b.lo_excl ? v > b.lo : v >= b.lo) && (b.hi_excl ? v < b.hi : v <= b.hi);
}

const Bounds kBounds[] = {
    {R"("minimum":-50,"maximum":50)", -50, 50, false, false},
    {R"("minimum":100,"maximum":200)", 100, 200, false, false},
    {R"("minimum":-1000,"maximum":-999)", -1000, -999, false, false},
    {R"("minimum":7,"maximum":7)", 7, 7, false, false},
    {R"("exclusiveMinimum":-5,"exclusiveMaximum":0)", -5, 0, true, true},
    {R"("minimum":1,"maximum":1000000)", 1, 1000000, false, false},
    {R"("minimum":-2.5,"maximum":2.25)", -2.5, 2.25, false, false},
    {R"("exclusiveMinimum":0,"maximum":1)", 0, 1, true, false},
    {R"("minimum":0.125,"exclusiveMaximum":0.75)", 0.125, 0.75, false, true},
    {R"("minimum":12.5)", 12.5, 1e300, false, false},
    {R"("exclusiveMaximum":-1.5)", -1e300, -1.5, false, true},
    {R"("minimum":0.1,"maximum":0.3)", 0.1, 0.3, false, false},
};

std::string schema_for(const char* type, const Bounds& b) {
  return std::string(R"({"type":")") + type + "\"," + b.keywords + "}";
}

// Integer bounds holding no integer are refused at compile time.
bool integer_schema(const Bounds& b, Schema* out) {
  try {
    *out = Schema::parse(schema_for("integer", b));
    return true;
  } catch (const SchemaError& e) {
    for (int x = -1100; x <= 1100; ++x) EXPECT_FALSE(in_bounds(x, b)) << e.what();
    return false;
  }
}

TEST(JsonNumber, IntegerRangesExhaustive) {
  for (const Bounds& b : kBounds) {
    Schema s = Schema::parse("true");
    if (!integer_schema(b, &s)) continue;
    for (int x = -1100; x <= 1100; ++x) {
      EXPECT_EQ(accepts(s, std::to_string(x)), in_bounds(x, b)) << b.keywords << " x=" << x;
    }
    EXPECT_EQ(accepts(s, "-999999"), in_bounds(-999999, b)) << b.keywords;
    EXPECT_EQ(accepts(s, "999999"), in_bounds(999999, b)) << b.keywords;
    EXPECT_EQ(accepts(s, "1000000"), in_bounds(1000000, b)) << b.keywords;
    EXPECT_EQ(accepts(s, "1000001"), in_bounds(1000001, b)) << b.keywords;
    EXPECT_FALSE(accepts(s, "-0"));
    EXPECT_FALSE(accepts(s, "1.0"));
  }
}

TEST(JsonNumber, NumberRangesOnAThousandthsGrid) {
  for (const Bounds& b : kBounds) {
    const Schema s = Schema::parse(schema_for("number", b));
    for (int m = -4000; m <= 4000; ++m) {
      const bool near_bound = std::abs(m - b.lo * 1000) <= 20 || std::abs(m - b.hi * 1000) <= 20;
      if (std::abs(m) > 800 && m % 9 != 0 && !near_bound) continue;  // every value near 0 and the bounds
      char text[32];
      std::snprintf(text, sizeof text, "%.3f", m / 1000.0);
      std::string t = text;
      if (t == "-0.000") continue;  // "-0..." is never emitted
      const double v = std::strtod(t.c_str(), nullptr);
      EXPECT_EQ(accepts(s, t), in_bounds(v, b)) << b.keywords << " " << t;
      while (t.back() == '0') t.pop_back();  // the same value with fewer fraction digits
      if (t.back() == '.') t.pop_back();
      if (t != "-0") {
        EXPECT_EQ(accepts(s, t), in_bounds(v, b)) << b.keywords << " " << t;
      }
    }
  }
}

TEST(JsonNumber, ExclusiveBoundsSurviveFloatRounding) {
  // 0.1 parses to the same double as the bound: it is not below it.
  const Schema below = Schema::parse(R"({"type":"number","exclusiveMaximum":0.1})");
  EXPECT_FALSE(accepts(below, "0.1"));
  EXPECT_TRUE(accepts(below, "0.099999"));
  EXPECT_TRUE(accepts(Schema::parse(R"({"type":"number","maximum":0.1})"), "0.1"));
  // Large magnitudes: anything accepted must pass the validator's float comparison.
  const Schema big =
      Schema::parse(R"({"type":"number","exclusiveMinimum":123456789012.5,"exclusiveMaximum":123456789013})");
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "12345678901%d.%06d", static_cast<int>(rng() % 4),
                  static_cast<int>(rng() % 1000000));
    const double v = std::strtod(text, nullptr);
    if (accepts(big, text)) {
      ++accepted;
      EXPECT_TRUE(v > 123456789012.5 && v < 123456789013.0) << text;
    }
  }
  EXPECT_GT(accepted, 100);
}

TEST(JsonNumber, DigitCapsAndShortestValues) {
  const Schema any_int = Schema::parse(R"({"type":"integer"})");
  EXPECT_TRUE(accepts(any_int, "123456789012345"));
  EXPECT_FALSE(accepts(any_int, "1234567890123456"));
  const Schema any_num = Schema::parse(R"({"type":"number"})");
  EXPECT_TRUE(accepts(any_num, "-123456789012345.123456"));
  EXPECT_FALSE(accepts(any_num, "1.1234567"));
  Limits wide;
  wide.max_integer_digits = 18;
  EXPECT_TRUE(accepts(Schema::parse(R"({"type":"integer"})", wide), "-999999999999999999"));

  EXPECT_EQ(Schema::parse(R"({"type":"integer","minimum":100,"maximum":200})").min_document_bytes(), 3u);
  EXPECT_EQ(Schema::parse(R"({"type":"integer","minimum":-1000,"maximum":-999})").min_document_bytes(), 4u);
  EXPECT_EQ(Schema::parse(R"({"type":"number","minimum":0.5,"maximum":0.7})").min_document_bytes(), 3u);
  EXPECT_EQ(Schema::parse(R"({"type":"number","exclusiveMinimum":0,"maximum":1})").min_document_bytes(), 1u);
  const Schema tight = Schema::parse(R"({"type":"number","minimum":0.000123,"maximum":0.000124})");
  Matcher m(tight);
  EXPECT_EQ(m.shortest_completion(), "0.000123");
}

TEST(JsonNumber, EveryViablePrefixCompletesInRange) {
  std::mt19937 rng(11);
  for (const Bounds& b : kBounds) {
    for (const char* type : {"integer", "number"}) {
      Schema s = Schema::parse(schema_for("number", b));
      if (std::string(type) == "integer" && !integer_schema(b, &s)) continue;
      for (int trial = 0; trial < 200; ++trial) {
        Matcher m(s);
        std::string text;
        for (int len = rng() % 8; len > 0; --len) {
          std::string options;
          for (const char* c = "-0123456789."; *c; ++c) {
            if (m.accepts(static_cast<uint8_t>(*c))) options += *c;
          }
          if (options.empty()) break;
          text += options[rng() % options.size()];
          m.advance(static_cast<uint8_t>(text.back()));
        }
        const std::string full = text + m.shortest_completion();
        ASSERT_TRUE(accepts(s, full)) << full;
        EXPECT_TRUE(in_bounds(std::strtod(full.c_str(), nullptr), b))
            << type << " " << b.keywords << " " << full;
      }
    }
  }
}

}  // namespace
}  // namespace zeroidle::engine::json
