// gguf::Writer: lays out a GGUF v3 file in memory exactly as File reads it back.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <variant>

#include "gguf/checked.h"
#include "gguf/gguf.h"

namespace zeroidle::gguf {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw Error("gguf writer: " + what);
}

// Appends little-endian fields to a byte vector.
class ByteSink {
 public:
  explicit ByteSink(std::vector<uint8_t>& out) : out_(out) {}

  template <class T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &v, sizeof(T));
  }
  void put_string(std::string_view s) {
    put<uint64_t>(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void put_bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void pad_to(uint64_t alignment) {
    uint64_t end = 0;
    detail::align_up_overflows(out_.size(), alignment, &end);
    out_.resize(end, 0);
  }

 private:
  std::vector<uint8_t>& out_;
};

// Refuses values the reader would refuse: arrays whose items differ from the declared item type,
// or nested deeper than kMaxArrayDepth. `depth` counts the arrays enclosing `v`.
void check_value(const Value& v, uint32_t depth, const std::string& key) {
  const auto* array = std::get_if<Array>(&v.v);
  if (!array) return;
  if (depth + 1 > kMaxArrayDepth) {
    fail("key " + detail::quote(key) + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth) +
         " levels");
  }
  for (const Value& item : array->items) {
    if (item.type() != array->type) {
      fail("key " + detail::quote(key) + ": array of " + value_type_name(array->type) + " holds a " +
           value_type_name(item.type()));
    }
    check_value(item, depth + 1, key);
  }
}

void write_value(ByteSink& sink, const Value& value) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          sink.put_string(x);
        } else if constexpr (std::is_same_v<T, Array>) {
          sink.put<uint32_t>(static_cast<uint32_t>(x.type));
          sink.put<uint64_t>(x.items.size());
          for (const Value& item : x.items) write_value(sink, item);
        } else if constexpr (std::is_same_v<T, bool>) {
          sink.put<uint8_t>(x ? 1 : 0);
        } else {
          sink.put<T>(x);
        }
      },
      value.v);
}

// The non-negative power of two in `v` as an alignment, or throws.
uint64_t alignment_from(const Value& v) {
  const std::optional<uint64_t> value = detail::non_negative_integer(v);
  if (!value) {
    fail(std::string(kAlignmentKey) + " must be a non-negative integer, got a " + value_type_name(v.type()) +
         " value");
  }
  if (!detail::is_power_of_two(*value)) {
    fail("alignment " + std::to_string(*value) + " is not a non-zero power of two");
  }
  return *value;
}

}  // namespace

Writer::Writer(uint64_t alignment) : alignment_(alignment) {
  if (!detail::is_power_of_two(alignment) || alignment > std::numeric_limits<uint32_t>::max()) {
    fail("alignment " + std::to_string(alignment) + " is not a non-zero power of two that fits in uint32");
  }
}

Writer Writer::from(const File& file) {
  Writer w;
  for (const KeyValue& kv : file.metadata()) w.set(kv.key, kv.value);
  for (const TensorInfo& t : file.tensors()) {
    w.add_tensor(t.name, t.type, std::vector<uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims),
                 std::span(t.data, t.nbytes));
  }
  return w;
}

void Writer::set(std::string key, Value value) {
  check_value(value, 0, key);
  if (key == kAlignmentKey) alignment_ = alignment_from(value);
  for (KeyValue& kv : kv_) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  kv_.push_back(KeyValue{std::move(key), std::move(value), 0});
}

uint64_t Writer::checked_nbytes(const std::string& name, uint32_t type, const std::vector<uint64_t>& ne) const {
  const std::string where = "tensor " + detail::quote(name) + ": ";
  const TensorTypeInfo* info = tensor_type_info(type);
  if (!info) fail(where + detail::describe_unknown_tensor_type(type));
  if (ne.size() > kMaxDims) fail(where + std::to_string(ne.size()) + " dims, at most " + std::to_string(kMaxDims));
  uint64_t nbytes = 0;
  if (const std::string why = detail::check_tensor_shape(*info, ne, &nbytes); !why.empty()) fail(where + why);
  for (const PendingTensor& t : tensors_) {
    if (t.name == name) fail(where + "duplicate tensor name");
  }
  return nbytes;
}

void Writer::add_tensor(std::string name, uint32_t type, std::vector<uint64_t> ne, std::span<const uint8_t> data) {
  const uint64_t nbytes = checked_nbytes(name, type, ne);
  if (data.size() != nbytes) {
    fail("tensor " + detail::quote(name) + ": " + std::to_string(data.size()) + " data bytes given, shape " +
         detail::format_shape(ne) + " in " + tensor_type_info(type)->name + " needs " + std::to_string(nbytes));
  }
  auto copy = std::make_shared<const std::vector<uint8_t>>(data.begin(), data.end());
  tensors_.push_back(PendingTensor{std::move(name), type, std::move(ne), nbytes,
                                   [copy](std::span<uint8_t> out) { std::memcpy(out.data(), copy->data(), out.size()); }});
}

void Writer::add_tensor_filled(std::string name, uint32_t type, std::vector<uint64_t> ne, Filler fill) {
  const uint64_t nbytes = checked_nbytes(name, type, ne);
  tensors_.push_back(PendingTensor{std::move(name), type, std::move(ne), nbytes, std::move(fill)});
}

std::vector<uint8_t> Writer::header() const {
  bool has_alignment_key = false;
  for (const KeyValue& kv : kv_) has_alignment_key |= kv.key == kAlignmentKey;
  const bool append_alignment = !has_alignment_key && alignment_ != kDefaultAlignment;

  std::vector<uint8_t> out;
  ByteSink sink(out);
  sink.put<uint32_t>(kMagic);
  sink.put<uint32_t>(kWriteVersion);
  sink.put<uint64_t>(tensors_.size());
  sink.put<uint64_t>(kv_.size() + (append_alignment ? 1 : 0));
  for (const KeyValue& kv : kv_) {
    sink.put_string(kv.key);
    sink.put<uint32_t>(static_cast<uint32_t>(kv.value.type()));
    write_value(sink, kv.value);
  }
  if (append_alignment) {
    sink.put_string(kAlignmentKey);
    sink.put<uint32_t>(static_cast<uint32_t>(ValueType::UINT32));
    sink.put<uint32_t>(static_cast<uint32_t>(alignment_));
  }

  // Each tensor's data start padded to the alignment, relative to the data section.
  uint64_t offset = 0;
  for (const PendingTensor& t : tensors_) {
    sink.put_string(t.name);
    sink.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
    for (uint64_t n : t.ne) sink.put<uint64_t>(n);
    sink.put<uint32_t>(t.type);
    sink.put<uint64_t>(offset);
    detail::align_up_overflows(offset + t.nbytes, alignment_, &offset);
  }
  if (!tensors_.empty()) sink.pad_to(alignment_);  // no data section, so no padding either
  return out;
}

std::vector<uint8_t> Writer::bytes() const {
  std::vector<uint8_t> out = header();
  ByteSink sink(out);
  for (const PendingTensor& t : tensors_) {
    const size_t at = out.size();
    out.resize(at + t.nbytes, 0);
    t.fill(std::span(out.data() + at, t.nbytes));
    sink.pad_to(alignment_);
  }
  return out;
}

void Writer::write(const std::string& path) const {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw Error(path + ": cannot create: " + std::strerror(errno));
  bool ok = true;
  const auto put = [&](const uint8_t* p, size_t n) { ok = ok && std::fwrite(p, 1, n, f) == n; };
  const std::vector<uint8_t> head = header();
  put(head.data(), head.size());
  std::vector<uint8_t> buf;
  for (const PendingTensor& t : tensors_) {
    uint64_t padded = 0;
    detail::align_up_overflows(t.nbytes, alignment_, &padded);
    buf.assign(padded, 0);
    t.fill(std::span(buf.data(), t.nbytes));
    put(buf.data(), buf.size());
  }
  const int write_errno = errno;
  if (std::fclose(f) != 0 || !ok) throw Error(path + ": cannot write: " + std::strerror(ok ? errno : write_errno));
}

}  // namespace zeroidle::gguf
