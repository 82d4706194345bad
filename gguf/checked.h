// Private helpers shared by the reader and writer: overflow-checked arithmetic, tensor shape
// validation and message formatting. Not part of the public API.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gguf/gguf.h"

namespace zeroidle::gguf::detail {

// a + b and a * b into *out; true when the exact result does not fit in 64 bits.
inline bool add_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_add_overflow(a, b, out);
}
inline bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

// `x` rounded up to a multiple of `alignment` (a power of two) into *out; true on overflow.
inline bool align_up_overflows(uint64_t x, uint64_t alignment, uint64_t* out) {
  uint64_t sum = 0;
  if (add_overflows(x, alignment - 1, &sum)) return true;
  *out = sum & ~(alignment - 1);
  return false;
}

inline bool is_power_of_two(uint64_t x) {
  return x != 0 && (x & (x - 1)) == 0;
}

// The value of an integer-typed `v` (any width or signedness) when it is >= 0; nullopt for a negative
// integer or any other type.
std::optional<uint64_t> non_negative_integer(const Value& v);

// Why `ne` (ne[0] first, at most kMaxDims entries) is not a valid shape for `type`, or "" when it is.
// On success *nbytes holds the tensor's size in bytes. Rules: every dim >= 1, the element count fits
// in int64 (as ggml counts), ne[0] is a multiple of the block size, the byte size fits in int64.
std::string check_tensor_shape(const TensorTypeInfo& type, std::span<const uint64_t> ne, uint64_t* nbytes);

// "[64, 512]"
std::string format_shape(std::span<const uint64_t> ne);

// `s` quoted for a message: printable ASCII kept, quotes, backslashes, control and non-ASCII bytes
// escaped, cut to `max_bytes` with "..." appended.
std::string quote(std::string_view s, size_t max_bytes = 96);

// Why `id` is not a tensor type this reader knows, e.g. "unknown tensor type 4 (q4_2, removed from ggml)".
std::string describe_unknown_tensor_type(uint32_t id);

}  // namespace zeroidle::gguf::detail
