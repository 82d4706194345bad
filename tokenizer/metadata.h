// Checked reads of tokenizer.* GGUF metadata (internal to tokenizer/). Every error is a
// std::runtime_error "FILE: KEY WHAT", so a user sees which file and which key to fix.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gguf/gguf.h"

namespace zeroidle::tokenizer::detail {

std::runtime_error metadata_error(const gguf::File& file, std::string_view key, std::string_view what);

// The array at `key` with elements of `element_type`; throws when absent or of another type.
const gguf::Array& require_array(const gguf::File& file, std::string_view key, gguf::ValueType element_type);
// nullptr when absent; throws when not an array of exactly `expected_size` items.
const gguf::Array* optional_array(const gguf::File& file, std::string_view key, size_t expected_size);

std::optional<int64_t> integer_value(const gguf::Value& v);  // any integer type; nullopt otherwise
std::optional<std::string> optional_string(const gguf::File& file, std::string_view key);
std::optional<bool> optional_bool(const gguf::File& file, std::string_view key);
// A token id: nullopt when the key is absent, -1 when it holds -1 or 0xFFFFFFFF ("none", as converters
// write), the id when in [0, n_vocab); throws for any other value.
std::optional<int32_t> optional_token_id(const gguf::File& file, std::string_view key, int32_t n_vocab);

}  // namespace zeroidle::tokenizer::detail
