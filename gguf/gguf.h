// GGUF v2/v3 reader and writer.
//
// The reader maps the file read-only and trusts nothing in it: every count, length, offset and size is
// checked against the bytes that remain and for overflow before it is used. A refused file throws
// gguf::Error whose message names the file, what is wrong and where (byte offset, key or tensor name).
// Tensor data are views into the mapping: zero copy, valid while the File lives.
//
// Thread-compatible: a File may be read from many threads once opened.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace zeroidle::gguf {

inline constexpr uint32_t kMagic = 0x46554747;      // "GGUF" read as a little-endian uint32
inline constexpr uint32_t kWriteVersion = 3;        // the version Writer produces
inline constexpr uint64_t kDefaultAlignment = 32;   // when general.alignment is absent
inline constexpr uint32_t kMaxDims = 4;             // tensor n_dims limit (ggml's GGML_MAX_DIMS)
inline constexpr uint32_t kMaxArrayDepth = 8;       // nesting limit for arrays of arrays
inline constexpr const char* kAlignmentKey = "general.alignment";

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// GGUF metadata value types, numbered as in the file.
enum class ValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};
// "uint8", "string", "array", ...; "unknown" for a number outside the enum.
const char* value_type_name(ValueType t);

struct Value;
struct Array {
  ValueType type = ValueType::UINT8;  // element type (ARRAY for nested arrays)
  std::vector<Value> items;
  bool operator==(const Array&) const = default;
};

// One metadata value. The variant index equals the ValueType number.
struct Value {
  std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool, std::string, Array,
               uint64_t, int64_t, double>
      v;
  ValueType type() const { return static_cast<ValueType>(v.index()); }
  bool operator==(const Value&) const = default;  // same type and value (NaN != NaN, as for floats)
};

struct KeyValue {
  std::string key;
  Value value;
  uint64_t file_offset = 0;  // where the key's record starts in the file
};

// ggml tensor types known to the file format (all of ggml's, whether or not zeroidle computes them).
struct TensorTypeInfo {
  uint32_t id;
  const char* name;       // ggml's name: "f32", "q4_K", ...
  uint32_t block_size;    // values per block
  uint32_t block_bytes;   // bytes per block
};
// nullptr for an id that no ggml version defines (or that was removed from the format).
const TensorTypeInfo* tensor_type_info(uint32_t id);
// The info whose name matches exactly ("q4_K"), or nullptr.
const TensorTypeInfo* tensor_type_info(std::string_view name);
// Every known type, in id order.
std::span<const TensorTypeInfo> tensor_types();

struct TensorInfo {
  std::string name;
  uint32_t n_dims = 0;
  std::array<uint64_t, 4> ne = {1, 1, 1, 1};  // ne[0] is the row length (fastest-varying)
  uint32_t type = 0;                          // ggml type id, see tensor_type_info
  uint64_t offset = 0;                        // relative to the start of the data section
  uint64_t nbytes = 0;                        // computed from type and shape
  const uint8_t* data = nullptr;              // view into the mapped file
  uint64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
};

class File {
 public:
  // Maps and validates `path`. Throws gguf::Error naming the file on any defect.
  static File open(const std::string& path);
  // Validates a buffer the caller keeps alive (tests, fuzzing). `name` appears in error messages.
  static File parse(std::span<const uint8_t> bytes, const std::string& name);

  // What the checks guarantee once open/parse returns: every tensor has a known type, 0..4 dims each
  // >= 1, ne[0] a multiple of its block size, nbytes without overflow, data offset a multiple of
  // alignment(), and [data, data + nbytes) inside the file and disjoint from every other tensor.

  File(File&&) noexcept;
  File& operator=(File&&) noexcept;
  ~File();

  const std::string& path() const;
  uint32_t version() const;
  uint64_t alignment() const;          // general.alignment, default 32
  uint64_t data_offset() const;        // start of the tensor data section in the file: the end of the
                                       // tensor infos aligned up; past file_size() in a vocab-only file
  uint64_t file_size() const;
  // Starts reading the tensor data into the page cache in the background (no copy, returns at once), so
  // a cold start overlaps the disk with everything else it does before the first matmul. No-op for parse().
  void prefetch_tensor_data() const;

  const std::vector<KeyValue>& metadata() const;   // in file order
  const Value* find(std::string_view key) const;   // nullptr if absent
  const std::vector<TensorInfo>& tensors() const;  // in file order
  const TensorInfo* find_tensor(std::string_view name) const;

  // Typed getters: throw gguf::Error naming the key when absent or of another type.
  // get_uint accepts any unsigned or non-negative signed integer type.
  std::string get_string(std::string_view key) const;
  uint64_t get_uint(std::string_view key) const;
  double get_float(std::string_view key) const;  // FLOAT32 or FLOAT64
  bool get_bool(std::string_view key) const;
  const Array& get_array(std::string_view key) const;

 private:
  struct Impl;
  explicit File(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Builds a GGUF v3 file. Round-trips everything File reads: Writer::from(File::parse(w.bytes()))
// .bytes() == w.bytes(). Layout: header, metadata in insertion order, tensor infos in insertion order,
// zero padding to the alignment, then each tensor's data padded with zeros to the alignment.
// Invalid input (bad alignment, mixed-type arrays, nesting deeper than kMaxArrayDepth, unknown tensor
// type, bad shape, wrong data size, duplicate tensor name) throws gguf::Error at the call that adds it.
class Writer {
 public:
  explicit Writer(uint64_t alignment = kDefaultAlignment);
  // Everything `file` holds: its alignment, metadata and tensors (data copied), in file order.
  static Writer from(const File& file);

  // Appends, or replaces an existing key in place. Setting general.alignment (any integer type, a
  // non-zero power of two) also sets the alignment used for layout. When alignment != 32 and the key
  // was never set, bytes() appends general.alignment as a uint32 after the other keys.
  void set(std::string key, Value value);
  // `ne` has 0..4 dims (ne[0] first); `data` must hold exactly the bytes the type and shape imply; it is copied.
  void add_tensor(std::string name, uint32_t type, std::vector<uint64_t> ne, std::span<const uint8_t> data);
  // The same, with the data produced at write time by `fill` (handed exactly the tensor's bytes, zeroed),
  // so a multi-gigabyte file is streamed one tensor at a time instead of held in memory.
  using Filler = std::function<void(std::span<uint8_t>)>;
  void add_tensor_filled(std::string name, uint32_t type, std::vector<uint64_t> ne, Filler fill);
  std::vector<uint8_t> bytes() const;
  void write(const std::string& path) const;  // streams; throws gguf::Error on I/O failure

 private:
  uint64_t alignment_;
  std::vector<KeyValue> kv_;
  struct PendingTensor {
    std::string name;
    uint32_t type;
    std::vector<uint64_t> ne;
    uint64_t nbytes;
    Filler fill;
  };
  uint64_t checked_nbytes(const std::string& name, uint32_t type, const std::vector<uint64_t>& ne) const;
  std::vector<uint8_t> header() const;  // everything before the first tensor's data, padded
  std::vector<PendingTensor> tensors_;
};

}  // namespace zeroidle::gguf
