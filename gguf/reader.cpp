// The GGUF v2/v3 parser. Layout (all little-endian):
//
//   header       magic "GGUF" u32 | version u32 | tensor count u64 | metadata count u64
//   metadata     per key: key string | value type u32 | value
//                  string = length u64 | bytes;  array = item type u32 | count u64 | items
//   tensor infos per tensor: name string | n_dims u32 | ne u64[n_dims] | type u32 | offset u64
//   padding      to general.alignment (default 32)
//   data         each tensor at data start + offset
//
// Every read is checked against the bytes that remain before it happens, every count against the
// smallest size its items could have before anything is reserved, and every sum and product for
// overflow. Nothing in the file reaches an assert.
#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "gguf/checked.h"
#include "gguf/file_impl.h"

namespace zeroidle::gguf::detail {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

namespace {

constexpr uint32_t kValueTypeCount = 13;
constexpr uint64_t kMinKeyValueBytes = 8 + 4 + 1;        // empty key, type, one-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // empty name, n_dims 0, type, offset

// Smallest encoding of one value of type `t` (an array item of that type).
uint64_t min_value_bytes(ValueType t) {
  switch (t) {
    case ValueType::UINT8:
    case ValueType::INT8:
    case ValueType::BOOL:
      return 1;
    case ValueType::UINT16:
    case ValueType::INT16:
      return 2;
    case ValueType::UINT32:
    case ValueType::INT32:
    case ValueType::FLOAT32:
      return 4;
    case ValueType::UINT64:
    case ValueType::INT64:
    case ValueType::FLOAT64:
      return 8;
    case ValueType::STRING:
      return 8;  // length
    case ValueType::ARRAY:
      return 4 + 8;  // item type, count
  }
  return 1;
}

// Where a placed tensor's data lie in the file, for the overlap check.
struct Extent {
  uint64_t begin;
  uint64_t size;
  size_t tensor;
};

class Parser {
 public:
  explicit Parser(FileContents& out) : out_(out), bytes_(out.bytes) {}

  void run() {
    read_header();
    read_metadata();
    resolve_alignment();
    read_tensor_infos();
    place_tensors();
  }

 private:
  // ---- errors --------------------------------------------------------------------------------------

  // Throws "<file>: <where> at byte <at>: <what>"; `where` is the record being read (header, key,
  // tensor) plus the array item path when inside an array.
  [[noreturn]] void fail(uint64_t at, const std::string& what) const {
    std::string where = where_;
    for (uint32_t d = 0; d < array_depth_; ++d) where += " item " + std::to_string(item_path_[d]);
    throw Error(out_.path + ": " + where + " at byte " + std::to_string(at) + ": " + what);
  }

  // Throws "<file>: <what>" for defects that are not at one byte position.
  [[noreturn]] void fail_file(const std::string& what) const { throw Error(out_.path + ": " + what); }

  std::string past_end(uint64_t needed) const {
    return "needs " + std::to_string(needed) + " bytes but only " + std::to_string(remaining()) +
           " remain: runs past the end of the file (size " + std::to_string(bytes_.size()) + ")";
  }

  // ---- bounds-checked reads ------------------------------------------------------------------------

  uint64_t remaining() const { return bytes_.size() - pos_; }

  template <class T>
  T read(const char* field) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (sizeof(T) > remaining()) fail(pos_, std::string(field) + " " + past_end(sizeof(T)));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  // A length-prefixed string as a view into the file.
  std::string_view read_string(const char* field) {
    const uint64_t at = pos_;
    const auto length = read<uint64_t>(field);
    if (length > remaining()) {
      fail(at, std::string(field) + " " + std::to_string(length) + " runs past the end of the file (size " +
                   std::to_string(bytes_.size()) + ")");
    }
    std::string_view s(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
    pos_ += length;
    return s;
  }

  ValueType read_value_type(const char* field) {
    const uint64_t at = pos_;
    const auto t = read<uint32_t>(field);
    if (t >= kValueTypeCount) {
      fail(at, "unknown " + std::string(field) + " " + std::to_string(t) + " (expected 0.." +
                   std::to_string(kValueTypeCount - 1) + ")");
    }
    return static_cast<ValueType>(t);
  }

  // `count` items of at least `min_bytes` each must fit in what remains; checked before reserving.
  // `what()` names the count in the message and is only called on failure.
  template <class Describe>
  void check_count(uint64_t at, uint64_t count, uint64_t min_bytes, Describe&& what) {
    if (count <= remaining() / min_bytes) return;
    fail(at, std::string(what()) + " " + std::to_string(count) + " cannot fit in the " +
                 std::to_string(remaining()) + " bytes that remain (each needs at least " +
                 std::to_string(min_bytes) + (min_bytes == 1 ? " byte)" : " bytes)"));
  }

  // ---- header --------------------------------------------------------------------------------------

  void read_header() {
    where_ = "header";
    const auto magic = read<uint32_t>("magic");
    if (magic != kMagic) {
      std::string seen(reinterpret_cast<const char*>(bytes_.data()), 4);
      fail(0, "not a GGUF file: magic is " + quote(seen) + ", expected 'GGUF'");
    }
    const uint64_t version_at = pos_;
    out_.version = read<uint32_t>("version");
    check_version(version_at, out_.version);
    const uint64_t tensors_at = pos_;
    n_tensors_ = read<uint64_t>("tensor count");
    const uint64_t kv_at = pos_;
    n_kv_ = read<uint64_t>("metadata key count");
    check_count(kv_at, n_kv_, kMinKeyValueBytes, [] { return "metadata key count"; });
    check_count(tensors_at, n_tensors_, kMinTensorInfoBytes, [] { return "tensor count"; });
  }

  void check_version(uint64_t at, uint32_t version) {
    if (version == 2 || version == 3) return;
    if (version == 1) fail(at, "GGUF version 1 is obsolete and not supported; re-convert the model");
    if (const uint32_t swapped = __builtin_bswap32(version); swapped == 2 || swapped == 3) {
      fail(at, "version " + std::to_string(version) +
                   " looks big-endian; only little-endian files are supported");
    }
    fail(at, "unsupported GGUF version " + std::to_string(version) + " (supported: 2 and 3)");
  }

  // ---- metadata ------------------------------------------------------------------------------------

  void read_metadata() {
    out_.metadata.reserve(n_kv_);
    out_.key_index.reserve(n_kv_);
    for (uint64_t i = 0; i < n_kv_; ++i) read_key_value(i);
  }

  void read_key_value(uint64_t index) {
    const uint64_t at = pos_;
    where_ = "metadata key #" + std::to_string(index);
    const std::string_view key = read_string("key length");
    where_ = "key " + quote(key);
    const auto [it, inserted] = out_.key_index.emplace(key, out_.metadata.size());
    if (!inserted) {
      fail(at, "duplicate key (first defined at byte " +
                   std::to_string(out_.metadata[it->second].file_offset) + ")");
    }
    const ValueType type = read_value_type("value type");
    KeyValue& kv = out_.metadata.emplace_back();
    kv.key = std::string(key);
    kv.file_offset = at;
    read_value(type, kv.value);
  }

  // Reads one value of `type` into `out` (a default-constructed Value), in place.
  void read_value(ValueType type, Value& out) {
    switch (type) {
      case ValueType::UINT8:
        return read_scalar<0>(out, "uint8 value");
      case ValueType::INT8:
        return read_scalar<1>(out, "int8 value");
      case ValueType::UINT16:
        return read_scalar<2>(out, "uint16 value");
      case ValueType::INT16:
        return read_scalar<3>(out, "int16 value");
      case ValueType::UINT32:
        return read_scalar<4>(out, "uint32 value");
      case ValueType::INT32:
        return read_scalar<5>(out, "int32 value");
      case ValueType::FLOAT32:
        return read_scalar<6>(out, "float32 value");
      case ValueType::BOOL:
        return read_bool(out);
      case ValueType::STRING:
        out.v.emplace<std::string>(read_string("string length"));
        return;
      case ValueType::ARRAY:
        return read_array(out.v.emplace<Array>());
      case ValueType::UINT64:
        return read_scalar<10>(out, "uint64 value");
      case ValueType::INT64:
        return read_scalar<11>(out, "int64 value");
      case ValueType::FLOAT64:
        return read_scalar<12>(out, "float64 value");
    }
    fail(pos_, "unreachable value type");  // read_value_type refused anything else
  }

  template <size_t I>
  void read_scalar(Value& out, const char* field) {
    using T = std::variant_alternative_t<I, decltype(Value::v)>;
    out.v.template emplace<I>(read<T>(field));
  }

  void read_bool(Value& out) {
    const uint64_t at = pos_;
    const auto b = read<uint8_t>("bool value");
    if (b > 1) fail(at, "bool value " + std::to_string(b) + " is neither 0 nor 1");
    out.v.emplace<bool>(b != 0);
  }

  // Reads an array's item type, count and items into `array`; nested arrays recurse up to
  // kMaxArrayDepth levels.
  void read_array(Array& array) {
    if (array_depth_ >= kMaxArrayDepth) {
      fail(pos_, "arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
    }
    array.type = read_value_type("array item type");
    const uint64_t count_at = pos_;
    const auto count = read<uint64_t>("array count");
    check_count(count_at, count, min_value_bytes(array.type),
                [&] { return std::string("array of ") + value_type_name(array.type) + " items: count"; });
    array.items.resize(count);  // bounded by the bytes that remain, checked above
    const uint32_t depth = array_depth_++;
    for (uint64_t i = 0; i < count; ++i) {
      item_path_[depth] = i;
      read_value(array.type, array.items[i]);
    }
    --array_depth_;
  }

  // Applies general.alignment when present: any integer type, a non-zero power of two.
  void resolve_alignment() {
    const auto it = out_.key_index.find(kAlignmentKey);
    if (it == out_.key_index.end()) return;
    const KeyValue& kv = out_.metadata[it->second];
    where_ = "key " + quote(kv.key);
    const std::optional<uint64_t> value = non_negative_integer(kv.value);
    if (!value) {
      fail(kv.file_offset, std::string("alignment has type ") + value_type_name(kv.value.type()) +
                               ", expected a non-negative integer (uint32)");
    }
    if (!is_power_of_two(*value)) {
      fail(kv.file_offset, "alignment " + std::to_string(*value) + " is not a non-zero power of two");
    }
    out_.alignment = *value;
  }

  // ---- tensor infos --------------------------------------------------------------------------------

  void read_tensor_infos() {
    where_ = "tensor infos";
    check_count(pos_, n_tensors_, kMinTensorInfoBytes, [] { return "tensor count"; });
    out_.tensors.reserve(n_tensors_);
    out_.tensor_index.reserve(n_tensors_);
    offset_field_at_.reserve(n_tensors_);
    for (uint64_t i = 0; i < n_tensors_; ++i) read_tensor_info(i);
    where_ = "tensor data";
    if (align_up_overflows(pos_, out_.alignment, &out_.data_offset)) {
      fail(pos_, "data section start overflows 64 bits with alignment " + std::to_string(out_.alignment));
    }
  }

  void read_tensor_info(uint64_t index) {
    const uint64_t at = pos_;
    where_ = "tensor info #" + std::to_string(index);
    const std::string_view name = read_string("tensor name length");
    where_ = "tensor " + quote(name);
    const auto [it, inserted] = out_.tensor_index.emplace(name, out_.tensors.size());
    if (!inserted)
      fail(at, "duplicate tensor name (first at tensor info #" + std::to_string(it->second) + ")");

    TensorInfo& t = out_.tensors.emplace_back();
    t.name = std::string(name);
    const uint64_t dims_at = pos_;
    t.n_dims = read<uint32_t>("n_dims");
    if (t.n_dims > kMaxDims) {
      fail(dims_at,
           "n_dims " + std::to_string(t.n_dims) + " exceeds the maximum of " + std::to_string(kMaxDims));
    }
    for (uint32_t d = 0; d < t.n_dims; ++d) t.ne[d] = read<uint64_t>("dimension");
    const uint64_t type_at = pos_;
    t.type = read<uint32_t>("tensor type");
    const TensorTypeInfo* info = tensor_type_info(t.type);
    if (!info) fail(type_at, describe_unknown_tensor_type(t.type));
    offset_field_at_.push_back(pos_);
    t.offset = read<uint64_t>("data offset");
    const std::string why = check_tensor_shape(*info, std::span(t.ne.data(), t.n_dims), &t.nbytes);
    if (!why.empty()) fail(dims_at, why);
  }

  // ---- data placement ------------------------------------------------------------------------------

  // Every tensor's data: aligned, inside the file, disjoint from the others.
  void place_tensors() {
    std::vector<Extent> extents;
    extents.reserve(out_.tensors.size());
    for (size_t i = 0; i < out_.tensors.size(); ++i) extents.push_back(place_tensor(i));
    std::sort(extents.begin(), extents.end(),
              [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
    for (size_t i = 1; i < extents.size(); ++i) {
      const Extent& prev = extents[i - 1];
      const Extent& cur = extents[i];
      if (prev.begin + prev.size > cur.begin) {  // no overflow: both ends were checked against the file size
        fail_file("tensor " + quote(out_.tensors[cur.tensor].name) + " data " + describe_extent(cur) +
                  " overlaps tensor " + quote(out_.tensors[prev.tensor].name) + " data " +
                  describe_extent(prev));
      }
    }
  }

  Extent place_tensor(size_t i) {
    TensorInfo& t = out_.tensors[i];
    where_ = "tensor " + quote(t.name);
    if (t.offset % out_.alignment != 0) {
      fail(offset_field_at_[i], "data offset " + std::to_string(t.offset) +
                                    " is not a multiple of the alignment " + std::to_string(out_.alignment));
    }
    Extent e{0, t.nbytes, i};
    uint64_t end = 0;
    if (add_overflows(out_.data_offset, t.offset, &e.begin) || add_overflows(e.begin, t.nbytes, &end)) {
      fail(offset_field_at_[i], "data offset " + std::to_string(t.offset) + " + " + std::to_string(t.nbytes) +
                                    " bytes overflows 64 bits");
    }
    if (end > bytes_.size()) {
      fail_file("tensor " + quote(t.name) + " data " + describe_extent(e) +
                " runs past the end of the file (size " + std::to_string(bytes_.size()) + ")");
    }
    t.data = bytes_.data() + e.begin;
    return e;
  }

  static std::string describe_extent(const Extent& e) {
    return "[offset " + std::to_string(e.begin) + ", " + std::to_string(e.size) + " bytes]";
  }

  FileContents& out_;
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
  std::vector<uint64_t> offset_field_at_;  // per tensor: where its offset field is, for messages
  std::string where_;                      // the record being read, for messages
  uint32_t array_depth_ = 0;
  std::array<uint64_t, kMaxArrayDepth> item_path_{};  // item index at each array depth, for messages
};

}  // namespace

void parse_file(FileContents& contents) {
  Parser(contents).run();
}

}  // namespace zeroidle::gguf::detail
