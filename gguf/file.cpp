// gguf::File: opening (mmap) or wrapping bytes, and the lookups and typed getters.
#include <type_traits>
#include <utility>
#include <variant>

#include "gguf/checked.h"
#include "gguf/file_impl.h"

namespace zeroidle::gguf {

File::File(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
File::File(File&&) noexcept = default;
File& File::operator=(File&&) noexcept = default;
File::~File() = default;

File File::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->mapping = detail::MappedRegion::map_read_only(path);
  impl->bytes = impl->mapping.bytes();
  detail::parse_file(*impl);
  return File(std::move(impl));
}

File File::parse(std::span<const uint8_t> bytes, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  impl->path = name;
  impl->bytes = bytes;
  detail::parse_file(*impl);
  return File(std::move(impl));
}

const std::string& File::path() const {
  return impl_->path;
}
uint32_t File::version() const {
  return impl_->version;
}
uint64_t File::alignment() const {
  return impl_->alignment;
}
uint64_t File::data_offset() const {
  return impl_->data_offset;
}
uint64_t File::file_size() const {
  return impl_->bytes.size();
}
void File::prefetch_tensor_data() const {
  impl_->mapping.advise_willneed(impl_->data_offset);
}
const std::vector<KeyValue>& File::metadata() const {
  return impl_->metadata;
}
const std::vector<TensorInfo>& File::tensors() const {
  return impl_->tensors;
}

const Value* File::find(std::string_view key) const {
  const auto it = impl_->key_index.find(key);
  return it == impl_->key_index.end() ? nullptr : &impl_->metadata[it->second].value;
}

const TensorInfo* File::find_tensor(std::string_view name) const {
  const auto it = impl_->tensor_index.find(name);
  return it == impl_->tensor_index.end() ? nullptr : &impl_->tensors[it->second];
}

namespace {

// The value under `key`, or throws "<file>: key '<key>' is missing".
const Value& require(const File& f, std::string_view key) {
  const Value* v = f.find(key);
  if (!v) throw Error(f.path() + ": key " + detail::quote(key) + " is missing");
  return *v;
}

[[noreturn]] void wrong_type(const File& f, std::string_view key, const Value& v, const char* expected) {
  throw Error(f.path() + ": key " + detail::quote(key) + " has type " + value_type_name(v.type()) +
              ", expected " + expected);
}

}  // namespace

std::string File::get_string(std::string_view key) const {
  const Value& v = require(*this, key);
  if (const auto* s = std::get_if<std::string>(&v.v)) return *s;
  wrong_type(*this, key, v, "string");
}

uint64_t File::get_uint(std::string_view key) const {
  const Value& v = require(*this, key);
  return std::visit(
      [&](const auto& x) -> uint64_t {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>) {
            if (x < 0) {
              throw Error(path() + ": key " + detail::quote(key) + " is " + std::to_string(x) +
                          ", expected a non-negative integer");
            }
          }
          return static_cast<uint64_t>(x);
        } else {
          wrong_type(*this, key, v, "an unsigned or non-negative integer");
        }
      },
      v.v);
}

double File::get_float(std::string_view key) const {
  const Value& v = require(*this, key);
  if (const auto* f = std::get_if<float>(&v.v)) return *f;
  if (const auto* d = std::get_if<double>(&v.v)) return *d;
  wrong_type(*this, key, v, "float32 or float64");
}

bool File::get_bool(std::string_view key) const {
  const Value& v = require(*this, key);
  if (const auto* b = std::get_if<bool>(&v.v)) return *b;
  wrong_type(*this, key, v, "bool");
}

const Array& File::get_array(std::string_view key) const {
  const Value& v = require(*this, key);
  if (const auto* a = std::get_if<Array>(&v.v)) return *a;
  wrong_type(*this, key, v, "array");
}

}  // namespace zeroidle::gguf
