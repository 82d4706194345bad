// Test helpers for crafting GGUF files byte by byte, valid or deliberately corrupt.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf.h"

namespace zeroidle::gguf::testing {

// Appends little-endian GGUF fields; mark() records positions for tests that corrupt a field later.
class ByteBuilder {
 public:
  template <class T>
  ByteBuilder& put(T v) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
    return *this;
  }
  ByteBuilder& u8(uint8_t v) { return put(v); }
  ByteBuilder& u32(uint32_t v) { return put(v); }
  ByteBuilder& u64(uint64_t v) { return put(v); }
  ByteBuilder& i32(int32_t v) { return put(v); }
  ByteBuilder& str(std::string_view s) {
    u64(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  ByteBuilder& raw(std::span<const uint8_t> b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  ByteBuilder& zeros(size_t n) {
    bytes_.resize(bytes_.size() + n, 0);
    return *this;
  }
  // magic "GGUF", version, tensor count, metadata key count.
  ByteBuilder& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return u32(kMagic).u32(version).u64(n_tensors).u64(n_kv);
  }
  // A key record: key string, value type, then the caller appends the value.
  ByteBuilder& key(std::string_view k, ValueType t) { return str(k).u32(static_cast<uint32_t>(t)); }
  // A tensor info record.
  ByteBuilder& tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(ne.size()));
    for (uint64_t n : ne) u64(n);
    return u32(type).u64(offset);
  }
  ByteBuilder& pad_to(size_t alignment) {
    while (bytes_.size() % alignment) bytes_.push_back(0);
    return *this;
  }
  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Parses `bytes` as "test.gguf" and returns the error message; fails the test when it parses.
inline std::string refusal(std::span<const uint8_t> bytes) {
  try {
    File::parse(bytes, "test.gguf");
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "the file was accepted";
  return {};
}

// Deterministic pseudo-random bytes (for tensor data).
inline std::vector<uint8_t> test_bytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return out;
}

}  // namespace zeroidle::gguf::testing
