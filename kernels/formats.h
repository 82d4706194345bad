// Weight and activation block formats, bit-compatible with ggml (and so with GGUF files).
//
// Every format stores a row of K values as K / block_size consecutive blocks. The type ids are
// ggml's, the numbers GGUF tensor infos carry. Half-precision scales are raw IEEE-754 binary16 bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zeroidle::kernels {

// The formats the kernels compute with. Values are ggml's type ids.
enum class QType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q5_0 = 6,
  Q8_0 = 8,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,  // activations only
  BF16 = 30,
};

constexpr int kQK0 = 32;   // values per legacy-quant block (Q4_0, Q5_0, Q8_0)
constexpr int kQKK = 256;  // values per K-quant super-block (Q4_K, Q5_K, Q6_K, Q8_K)

// Q4_0 — 4.5 bits/weight. w[i] = d * (q[i] - 8), q in [0, 15].
// qs[j] holds q[j] in its low nibble and q[j + 16] in its high nibble.
struct BlockQ4_0 {
  uint16_t d;       // fp16 scale
  uint8_t qs[16];   // 32 x 4-bit quants
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block is 2 + 16 bytes");

// Q5_0 — 5.5 bits/weight. w[i] = d * (q[i] - 16), q in [0, 31].
// Low 4 bits as in Q4_0; bit 4 of q[i] is bit i of qh (read as a little-endian uint32).
struct BlockQ5_0 {
  uint16_t d;       // fp16 scale
  uint8_t qh[4];    // 5th bit of each of the 32 quants
  uint8_t qs[16];   // low 4 bits, packed as Q4_0
};
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0 block is 2 + 4 + 16 bytes");

// Q8_0 — 8.5 bits/weight, and the activation partner of the legacy quants. w[i] = d * q[i].
struct BlockQ8_0 {
  uint16_t d;       // fp16 scale
  int8_t qs[32];    // quants
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block is 2 + 32 bytes");

// Q4_K — 4.5 bits/weight. 8 sub-blocks of 32; sub-block j: w = d * sc[j] * q - dmin * m[j],
// q in [0, 15], sc/m 6-bit (packed in scales[12], see unpack_scale_min_k4).
// qs holds 4 chunks of 64 values, 32 bytes each: low nibbles are values 0..31 of the chunk,
// high nibbles values 32..63.
struct BlockQ4K {
  uint16_t d;           // fp16 super-block scale for the sub-block scales
  uint16_t dmin;        // fp16 super-block scale for the sub-block mins
  uint8_t scales[12];   // 8 x (6-bit scale, 6-bit min)
  uint8_t qs[128];      // 256 x 4-bit quants
};
static_assert(sizeof(BlockQ4K) == 144, "Q4_K block is 4 + 12 + 128 bytes");

// Q5_K — 5.5 bits/weight. As Q4_K with a 5th bit: bit (2c) / (2c+1) of qh[l] is the high bit of
// value l / l + 32 in chunk c (c = 0..3, l = 0..31).
struct BlockQ5K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[32];       // high bits
  uint8_t qs[128];      // low 4 bits
};
static_assert(sizeof(BlockQ5K) == 176, "Q5_K block is 4 + 12 + 32 + 128 bytes");

// Q6_K — 6.5625 bits/weight. 16 sub-blocks of 16; w = d * scales[j] * (q - 32), q in [0, 63].
// Two halves of 128 values; in half h, value l + 32*s (s = 0..3, l = 0..31) has its low nibble in
// ql[64h + l + 32*(s&1)] (low nibble for s < 2, high for s >= 2) and its top 2 bits in
// qh[32h + l] bits 2s..2s+1.
struct BlockQ6K {
  uint8_t ql[128];      // low 4 bits
  uint8_t qh[64];       // high 2 bits
  int8_t scales[16];    // 8-bit sub-block scales
  uint16_t d;           // fp16 super-block scale
};
static_assert(sizeof(BlockQ6K) == 210, "Q6_K block is 128 + 64 + 16 + 2 bytes");

// Q8_K — activations for the K-quants. x[i] ~= d * qs[i]; bsums[j] = sum of qs[16j .. 16j+15].
struct BlockQ8K {
  float d;
  int8_t qs[256];
  int16_t bsums[16];
};
static_assert(sizeof(BlockQ8K) == 292, "Q8_K block is 4 + 256 + 32 bytes");

// The one helper for the packed 6-bit (scale, min) pairs of Q4_K and Q5_K sub-block j (0..7).
inline void unpack_scale_min_k4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

struct TypeTraits {
  const char* name;      // ggml's name, e.g. "q4_K"
  int block_size;        // values per block
  size_t block_bytes;    // bytes per block
  QType vec_dot_type;    // the format activations are converted to for dot products
};

constexpr TypeTraits type_traits(QType t) {
  switch (t) {
    case QType::F32: return {"f32", 1, 4, QType::F32};
    case QType::F16: return {"f16", 1, 2, QType::F16};
    case QType::BF16: return {"bf16", 1, 2, QType::BF16};
    case QType::Q4_0: return {"q4_0", kQK0, sizeof(BlockQ4_0), QType::Q8_0};
    case QType::Q5_0: return {"q5_0", kQK0, sizeof(BlockQ5_0), QType::Q8_0};
    case QType::Q8_0: return {"q8_0", kQK0, sizeof(BlockQ8_0), QType::Q8_0};
    case QType::Q4_K: return {"q4_K", kQKK, sizeof(BlockQ4K), QType::Q8_K};
    case QType::Q5_K: return {"q5_K", kQKK, sizeof(BlockQ5K), QType::Q8_K};
    case QType::Q6_K: return {"q6_K", kQKK, sizeof(BlockQ6K), QType::Q8_K};
    case QType::Q8_K: return {"q8_K", kQKK, sizeof(BlockQ8K), QType::Q8_K};
  }
  return {"?", 0, 0, QType::F32};
}

// True for the type ids above; anything else in a file is a format the kernels cannot compute.
constexpr bool is_supported_qtype(uint32_t id) {
  switch (static_cast<QType>(id)) {
    case QType::F32: case QType::F16: case QType::BF16: case QType::Q4_0: case QType::Q5_0:
    case QType::Q8_0: case QType::Q4_K: case QType::Q5_K: case QType::Q6_K: case QType::Q8_K:
      return true;
  }
  return false;
}

// Bytes of a row of n values (n must be a multiple of the block size).
constexpr size_t row_bytes(QType t, int64_t n) {
  const TypeTraits tr = type_traits(t);
  return static_cast<size_t>(n / tr.block_size) * tr.block_bytes;
}

}  // namespace zeroidle::kernels
