// The GGUF value-type names and the table of ggml tensor types with their block geometry.
#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <variant>

#include "gguf/checked.h"
#include "gguf/gguf.h"

namespace zeroidle::gguf {

namespace {

constexpr uint32_t kQK = 32;    // values per block of the legacy quants
constexpr uint32_t kQKK = 256;  // values per super-block of the K-quants and i-quants

// Every ggml type a GGUF file may hold, in id order: {id, name, values per block, bytes per block}.
// Ids 4-5 (q4_2, q4_3), 31-33 (q4_0_4_4, q4_0_4_8, q4_0_8_8) and 36-38 (iq4_nl_4_4, ...) were removed
// from the format and are absent.
// clang-format off
constexpr std::array<TensorTypeInfo, 32> kTensorTypes = {{
    {0, "f32", 1, 4},
    {1, "f16", 1, 2},
    {2, "q4_0", kQK, 2 + kQK / 2},                             // d, 32 x 4-bit
    {3, "q4_1", kQK, 2 + 2 + kQK / 2},                         // d, m, 32 x 4-bit
    {6, "q5_0", kQK, 2 + 4 + kQK / 2},                         // d, qh, 32 x 4-bit low
    {7, "q5_1", kQK, 2 + 2 + 4 + kQK / 2},                     // d, m, qh, 32 x 4-bit low
    {8, "q8_0", kQK, 2 + kQK},                                 // d, 32 x int8
    {9, "q8_1", kQK, 2 + 2 + kQK},                             // d, s, 32 x int8
    {10, "q2_K", kQKK, 2 + 2 + kQKK / 16 + kQKK / 4},          // 84
    {11, "q3_K", kQKK, 2 + kQKK / 4 + kQKK / 8 + 12},          // 110
    {12, "q4_K", kQKK, 2 + 2 + 12 + kQKK / 2},                 // 144
    {13, "q5_K", kQKK, 2 + 2 + 12 + kQKK / 8 + kQKK / 2},      // 176
    {14, "q6_K", kQKK, 2 + kQKK / 2 + kQKK / 4 + kQKK / 16},   // 210
    {15, "q8_K", kQKK, 4 + kQKK + kQKK / 8},                   // 292: float d, 256 x int8, 16 x int16 sums
    {16, "iq2_xxs", kQKK, 2 + kQKK / 4},                       // 66
    {17, "iq2_xs", kQKK, 2 + kQKK / 4 + kQKK / 32},            // 74
    {18, "iq3_xxs", kQKK, 2 + kQKK / 4 + kQKK / 8},            // 98
    {19, "iq1_s", kQKK, 2 + kQKK / 8 + kQKK / 16},             // 50
    {20, "iq4_nl", kQK, 2 + kQK / 2},                          // 18
    {21, "iq3_s", kQKK, 2 + kQKK / 4 + kQKK / 8 + kQKK / 32 + 4}, // 110
    {22, "iq2_s", kQKK, 2 + kQKK / 4 + kQKK / 16},             // 82
    {23, "iq4_xs", kQKK, 2 + 2 + kQKK / 2 + kQKK / 64},        // 136
    {24, "i8", 1, 1},
    {25, "i16", 1, 2},
    {26, "i32", 1, 4},
    {27, "i64", 1, 8},
    {28, "f64", 1, 8},
    {29, "iq1_m", kQKK, kQKK / 8 + kQKK / 16 + kQKK / 32},     // 56
    {30, "bf16", 1, 2},
    {34, "tq1_0", kQKK, 2 + 4 * 13},                           // 54
    {35, "tq2_0", kQKK, 2 + kQKK / 4},                         // 66
    {39, "mxfp4", kQK, 1 + kQK / 2},                           // 17: shared exponent, 32 x 4-bit
}};
// clang-format on

static_assert(std::is_sorted(kTensorTypes.begin(), kTensorTypes.end(),
                             [](const TensorTypeInfo& a, const TensorTypeInfo& b) { return a.id < b.id; }));

// Lookup by id: index into kTensorTypes, or -1.
constexpr std::array<int8_t, 40> make_id_index() {
  std::array<int8_t, 40> index{};
  index.fill(-1);
  for (size_t i = 0; i < kTensorTypes.size(); ++i) index[kTensorTypes[i].id] = static_cast<int8_t>(i);
  return index;
}
constexpr std::array<int8_t, 40> kIdIndex = make_id_index();

}  // namespace

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::UINT8:
      return "uint8";
    case ValueType::INT8:
      return "int8";
    case ValueType::UINT16:
      return "uint16";
    case ValueType::INT16:
      return "int16";
    case ValueType::UINT32:
      return "uint32";
    case ValueType::INT32:
      return "int32";
    case ValueType::FLOAT32:
      return "float32";
    case ValueType::BOOL:
      return "bool";
    case ValueType::STRING:
      return "string";
    case ValueType::ARRAY:
      return "array";
    case ValueType::UINT64:
      return "uint64";
    case ValueType::INT64:
      return "int64";
    case ValueType::FLOAT64:
      return "float64";
  }
  return "unknown";
}

const TensorTypeInfo* tensor_type_info(uint32_t id) {
  if (id >= kIdIndex.size() || kIdIndex[id] < 0) return nullptr;
  return &kTensorTypes[static_cast<size_t>(kIdIndex[id])];
}

const TensorTypeInfo* tensor_type_info(std::string_view name) {
  for (const TensorTypeInfo& t : kTensorTypes) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

std::span<const TensorTypeInfo> tensor_types() {
  return kTensorTypes;
}

namespace detail {

std::string check_tensor_shape(const TensorTypeInfo& type, std::span<const uint64_t> ne, uint64_t* nbytes) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t elements = 1;
  for (size_t i = 0; i < ne.size(); ++i) {
    if (ne[i] == 0) return "dimension " + std::to_string(i) + " is 0 (every dimension must be at least 1)";
    if (ne[i] > kMax) {
      return "dimension " + std::to_string(i) + " is " + std::to_string(ne[i]) + ", above the limit 2^63-1";
    }
    if (mul_overflows(elements, ne[i], &elements) || elements > kMax) {
      return "shape " + format_shape(ne) + " has more than 2^63-1 elements";
    }
  }
  const uint64_t row = ne.empty() ? 1 : ne[0];
  if (row % type.block_size != 0) {
    return "row length ne[0]=" + std::to_string(row) + " is not a multiple of the " + type.name +
           " block size " + std::to_string(type.block_size);
  }
  // elements is a multiple of block_size because ne[0] is.
  uint64_t size = 0;
  if (mul_overflows(elements / type.block_size, type.block_bytes, &size) || size > kMax) {
    return "byte size of shape " + format_shape(ne) + " in " + type.name + " overflows 2^63-1";
  }
  *nbytes = size;
  return {};
}

std::optional<uint64_t> non_negative_integer(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::optional<uint64_t> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>) {
            if (x < 0) return std::nullopt;
          }
          return static_cast<uint64_t>(x);
        } else {
          return std::nullopt;
        }
      },
      v.v);
}

std::string format_shape(std::span<const uint64_t> ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(ne[i]);
  }
  return s + "]";
}

std::string quote(std::string_view s, size_t max_bytes) {
  std::string out = "'";
  const size_t n = std::min(s.size(), max_bytes);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (n < s.size()) out += "...";
  return out + "'";
}

std::string describe_unknown_tensor_type(uint32_t id) {
  std::string s = "unknown tensor type " + std::to_string(id);
  switch (id) {
    case 4:
      return s + " (q4_2, removed from ggml)";
    case 5:
      return s + " (q4_3, removed from ggml)";
    case 31:
    case 32:
    case 33:
      return s + " (q4_0_4_4/q4_0_4_8/q4_0_8_8, removed from GGUF; re-quantize as q4_0)";
    case 36:
    case 37:
    case 38:
      return s + " (iq4_nl_4_4/4_8/8_8, removed from GGUF; re-quantize as iq4_nl)";
    default:
      return s;
  }
}

}  // namespace detail
}  // namespace zeroidle::gguf
