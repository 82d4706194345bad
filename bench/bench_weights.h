// Synthetic weight matrices for the kernel benchmarks: random quants with finite fp16 scales,
// enough copies that a benchmark rotating over them never finds its weights in the last-level cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/formats.h"
#include "kernels/matmul.h"

namespace zeroidle::bench {

struct WeightSet {
  kernels::QType type = kernels::QType::F32;
  int64_t rows = 0;
  int64_t k = 0;
  size_t bytes_per_matrix = 0;
  std::vector<std::unique_ptr<uint8_t[]>> copies;

  kernels::WeightMatrix matrix(size_t i) const {
    return {type, copies[i % copies.size()].get(), rows, k, kernels::row_bytes(type, k)};
  }
};

// At least `min_total_bytes` in all (and at least one copy). Deterministic contents.
WeightSet make_weight_set(kernels::QType type, int64_t rows, int64_t k, size_t min_total_bytes);

// n floats uniform in [-1, 1].
std::vector<float> random_floats(size_t n, uint64_t seed);

}  // namespace zeroidle::bench
