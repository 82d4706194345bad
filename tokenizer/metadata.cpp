#include "tokenizer/metadata.h"

#include <type_traits>

namespace zeroidle::tokenizer::detail {

std::runtime_error metadata_error(const gguf::File& file, std::string_view key, std::string_view what) {
  return std::runtime_error(file.path() + ": " + std::string(key) + " " + std::string(what));
}

const gguf::Array& require_array(const gguf::File& file, std::string_view key, gguf::ValueType element_type) {
  const gguf::Value* v = file.find(key);
  if (!v) throw metadata_error(file, key, "is missing (the file has no tokenizer vocabulary)");
  const auto* array = std::get_if<gguf::Array>(&v->v);
  if (!array || array->type != element_type) {
    throw metadata_error(file, key,
                         std::string("must be an array of ") + gguf::value_type_name(element_type));
  }
  return *array;
}

const gguf::Array* optional_array(const gguf::File& file, std::string_view key, size_t expected_size) {
  const gguf::Value* v = file.find(key);
  if (!v) return nullptr;
  const auto* array = std::get_if<gguf::Array>(&v->v);
  if (!array) throw metadata_error(file, key, "must be an array");
  if (array->items.size() != expected_size) {
    throw metadata_error(file, key,
                         "has " + std::to_string(array->items.size()) + " entries, expected " +
                             std::to_string(expected_size) + " (one per token)");
  }
  return array;
}

std::optional<int64_t> integer_value(const gguf::Value& v) {
  return std::visit(
      [](const auto& x) -> std::optional<int64_t> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_same_v<T, uint64_t>) {
            if (x > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
          }
          return static_cast<int64_t>(x);
        } else {
          return std::nullopt;
        }
      },
      v.v);
}

std::optional<std::string> optional_string(const gguf::File& file, std::string_view key) {
  const gguf::Value* v = file.find(key);
  if (!v) return std::nullopt;
  const auto* s = std::get_if<std::string>(&v->v);
  if (!s) throw metadata_error(file, key, "must be a string");
  return *s;
}

std::optional<bool> optional_bool(const gguf::File& file, std::string_view key) {
  const gguf::Value* v = file.find(key);
  if (!v) return std::nullopt;
  const auto* b = std::get_if<bool>(&v->v);
  if (!b) throw metadata_error(file, key, "must be a bool");
  return *b;
}

std::optional<int32_t> optional_token_id(const gguf::File& file, std::string_view key, int32_t n_vocab) {
  const gguf::Value* v = file.find(key);
  if (!v) return std::nullopt;
  const std::optional<int64_t> id = integer_value(*v);
  if (!id) throw metadata_error(file, key, "must be an integer token id");
  if (*id == -1 || *id == 0xFFFFFFFF) return -1;
  if (*id < 0 || *id >= n_vocab) {
    throw metadata_error(file, key,
                         "= " + std::to_string(*id) + " is not a token id (the vocabulary has " +
                             std::to_string(n_vocab) + " tokens)");
  }
  return static_cast<int32_t>(*id);
}

}  // namespace zeroidle::tokenizer::detail
