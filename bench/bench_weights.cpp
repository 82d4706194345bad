#include "bench/bench_weights.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "kernels/ref.h"

namespace zeroidle::bench {
namespace {

uint64_t xorshift(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

// Random bytes, then every fp16 scale field set to a small finite value (speed does not depend on it).
void fill_matrix(kernels::QType type, uint8_t* p, size_t bytes, uint64_t seed) {
  using namespace kernels;
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    const uint64_t v = xorshift(s);
    std::memcpy(p + i, &v, 8);
  }
  for (; i < bytes; ++i) p[i] = static_cast<uint8_t>(xorshift(s));
  const uint16_t d = fp32_to_fp16(0.01f);
  const size_t bb = type_traits(type).block_bytes;
  switch (type) {
    case QType::Q4_K:
    case QType::Q5_K:  // d, dmin lead the block
      for (size_t o = 0; o + bb <= bytes; o += bb) {
        std::memcpy(p + o, &d, 2);
        std::memcpy(p + o + 2, &d, 2);
      }
      break;
    case QType::Q6_K:
      for (size_t o = 0; o + bb <= bytes; o += bb) std::memcpy(p + o + offsetof(BlockQ6K, d), &d, 2);
      break;
    case QType::Q4_0:
    case QType::Q5_0:
    case QType::Q8_0:
      for (size_t o = 0; o + bb <= bytes; o += bb) std::memcpy(p + o, &d, 2);
      break;
    case QType::F16:
      for (size_t o = 0; o + 2 <= bytes; o += 2) std::memcpy(p + o, &d, 2);
      break;
    case QType::F32: {
      const float f = 0.01f;
      for (size_t o = 0; o + 4 <= bytes; o += 4) std::memcpy(p + o, &f, 4);
      break;
    }
    default:
      break;
  }
}

}  // namespace

WeightSet make_weight_set(kernels::QType type, int64_t rows, int64_t k, size_t min_total_bytes) {
  WeightSet w;
  w.type = type;
  w.rows = rows;
  w.k = k;
  w.bytes_per_matrix = kernels::row_bytes(type, k) * static_cast<size_t>(rows);
  const size_t n = std::max<size_t>(1, (min_total_bytes + w.bytes_per_matrix - 1) / w.bytes_per_matrix);
  for (size_t i = 0; i < n; ++i) {
    w.copies.emplace_back(new uint8_t[w.bytes_per_matrix]);
    fill_matrix(type, w.copies.back().get(), w.bytes_per_matrix, i + 1);
  }
  return w;
}

std::vector<float> random_floats(size_t n, uint64_t seed) {
  std::vector<float> x(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 7;
  for (float& v : x) v = static_cast<float>(static_cast<double>(xorshift(s) >> 11) * 0x1.0p-53 * 2.0 - 1.0);
  return x;
}

}  // namespace zeroidle::bench
