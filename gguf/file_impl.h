// File's private state and the parser that fills it. Private to gguf/.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/gguf.h"
#include "gguf/mapped_region.h"

namespace zeroidle::gguf {

namespace detail {

// Everything a validated file holds.
struct FileContents {
  std::string path;                // as given; the prefix of every error message
  std::span<const uint8_t> bytes;  // the whole file
  uint32_t version = 0;
  uint64_t alignment = kDefaultAlignment;
  uint64_t data_offset = 0;
  std::vector<KeyValue> metadata;
  std::vector<TensorInfo> tensors;
  // Views into `bytes` (stable for the File's life), mapping a name to its index.
  std::unordered_map<std::string_view, size_t> key_index;
  std::unordered_map<std::string_view, size_t> tensor_index;
};

// Validates contents.bytes as a GGUF file and fills every other field but `path`.
// Throws gguf::Error "<path>: <where>: <what>" on the first defect.
void parse_file(FileContents& contents);

}  // namespace detail

struct File::Impl : detail::FileContents {
  detail::MappedRegion mapping;  // empty when the caller owns the bytes (File::parse)
};

}  // namespace zeroidle::gguf
