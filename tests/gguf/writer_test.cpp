// The writer: exact round trips of every value and tensor type, layout, and refused input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "gguf/gguf.h"
#include "gguf_bytes.h"

namespace zeroidle::gguf {
namespace {

using ::testing::HasSubstr;

Value array_of(ValueType type, std::vector<Value> items) {
  return Value{Array{type, std::move(items)}};
}

// A writer holding every value type, arrays of every item type (strings, nested, empty) and one
// tensor of every known tensor type (or, with `few_tensors`, of f32, q8_0 and q4_K), of shape [2 blocks,
// rows].
Writer every_type_writer(uint64_t alignment, uint64_t rows = 3, bool few_tensors = false) {
  Writer w(alignment);
  w.set("general.architecture", Value{std::string("llama")});
  w.set("u8", Value{uint8_t{255}});
  w.set("i8", Value{int8_t{-128}});
  w.set("u16", Value{uint16_t{65535}});
  w.set("i16", Value{int16_t{-32768}});
  w.set("u32", Value{uint32_t{4294967295u}});
  w.set("i32", Value{int32_t{std::numeric_limits<int32_t>::min()}});
  w.set("f32", Value{-0.0f});
  w.set("inf", Value{std::numeric_limits<float>::infinity()});
  w.set("bool", Value{false});
  w.set("u64", Value{uint64_t{std::numeric_limits<uint64_t>::max()}});
  w.set("i64", Value{int64_t{std::numeric_limits<int64_t>::min()}});
  w.set("f64", Value{1e300});
  w.set("empty string", Value{std::string()});
  w.set("binary string", Value{std::string("\0\xff\n", 3)});
  w.set("arr.u8", array_of(ValueType::UINT8, {{uint8_t{1}}, {uint8_t{2}}}));
  w.set("arr.i8", array_of(ValueType::INT8, {{int8_t{-1}}}));
  w.set("arr.u16", array_of(ValueType::UINT16, {{uint16_t{3}}}));
  w.set("arr.i16", array_of(ValueType::INT16, {{int16_t{-3}}}));
  w.set("arr.u32", array_of(ValueType::UINT32, {{uint32_t{5}}, {uint32_t{6}}}));
  w.set("arr.i32", array_of(ValueType::INT32, {{int32_t{-5}}}));
  w.set("arr.f32", array_of(ValueType::FLOAT32, {{0.5f}, {-2.0f}}));
  w.set("arr.bool", array_of(ValueType::BOOL, {{true}, {false}, {true}}));
  w.set("arr.str",
        array_of(ValueType::STRING, {{std::string("a")}, {std::string()}, {std::string(300, 'z')}}));
  w.set("arr.u64", array_of(ValueType::UINT64, {{uint64_t{7}}}));
  w.set("arr.i64", array_of(ValueType::INT64, {{int64_t{-7}}}));
  w.set("arr.f64", array_of(ValueType::FLOAT64, {{0.25}}));
  w.set("arr.empty", array_of(ValueType::STRING, {}));
  w.set("arr.nested",
        array_of(ValueType::ARRAY, {array_of(ValueType::UINT8, {{uint8_t{9}}}),
                                    array_of(ValueType::ARRAY, {array_of(ValueType::STRING, {})}),
                                    array_of(ValueType::FLOAT64, {})}));
  uint32_t seed = 1;
  for (const TensorTypeInfo& t : tensor_types()) {
    if (few_tensors && t.id != 0 && t.id != 8 && t.id != 12) continue;
    const std::vector<uint64_t> ne = {t.block_size * 2, rows};
    const std::vector<uint8_t> data = testing::test_bytes(t.block_bytes * 2 * rows, seed++);
    w.add_tensor(std::string("tensor.") + t.name, t.id, ne, data);
  }
  w.add_tensor("scalar", 0, {}, testing::test_bytes(4, 99));
  w.add_tensor("four.dims", 30, {2, 3, 4, 5}, testing::test_bytes(2 * 3 * 4 * 5 * 2, 98));
  return w;
}

TEST(GgufWriter, RoundTripsEveryValueAndTensorTypeExactly) {
  for (uint64_t alignment : {32ull, 1ull, 8ull, 64ull, 4096ull}) {
    SCOPED_TRACE("alignment " + std::to_string(alignment));
    const Writer original = every_type_writer(alignment);
    const std::vector<uint8_t> first = original.bytes();
    const File f = File::parse(first, "written.gguf");
    EXPECT_EQ(f.version(), kWriteVersion);
    EXPECT_EQ(f.alignment(), alignment);
    EXPECT_EQ(f.file_size() % alignment, 0u);
    const std::vector<uint8_t> second = Writer::from(f).bytes();
    EXPECT_EQ(first, second) << "write -> read -> write changed the bytes";

    // Values compare equal item by item, nested arrays included.
    const Value* nested = f.find("arr.nested");
    ASSERT_NE(nested, nullptr);
    EXPECT_EQ(*nested,
              array_of(ValueType::ARRAY, {array_of(ValueType::UINT8, {{uint8_t{9}}}),
                                          array_of(ValueType::ARRAY, {array_of(ValueType::STRING, {})}),
                                          array_of(ValueType::FLOAT64, {})}));
    EXPECT_EQ(f.get_string("binary string"), std::string("\0\xff\n", 3));
    EXPECT_TRUE(std::signbit(f.get_float("f32")));
    EXPECT_EQ(f.get_uint("u64"), std::numeric_limits<uint64_t>::max());

    // Every tensor type, its shape and its data.
    uint32_t seed = 1;
    for (const TensorTypeInfo& t : tensor_types()) {
      const TensorInfo* info = f.find_tensor(std::string("tensor.") + t.name);
      ASSERT_NE(info, nullptr) << t.name;
      EXPECT_EQ(info->type, t.id);
      EXPECT_EQ(info->n_dims, 2u);
      EXPECT_EQ(info->ne[0], t.block_size * 2);
      EXPECT_EQ(info->nbytes, uint64_t{t.block_bytes} * 6);
      EXPECT_EQ(info->offset % alignment, 0u);
      const std::vector<uint8_t> expected = testing::test_bytes(t.block_bytes * 6, seed++);
      EXPECT_TRUE(std::equal(expected.begin(), expected.end(), info->data)) << t.name;
    }
    EXPECT_EQ(f.find_tensor("scalar")->n_dims, 0u);
    EXPECT_EQ(f.find_tensor("four.dims")->ne, (std::array<uint64_t, 4>{2, 3, 4, 5}));
  }
}

TEST(GgufWriter, AlignmentKeyIsAppendedOnlyWhenNotDefault) {
  {
    const File f = File::parse(Writer(32).bytes(), "a.gguf");
    EXPECT_EQ(f.find(kAlignmentKey), nullptr);
  }
  {
    Writer w(64);
    w.set("first", Value{uint8_t{1}});
    const std::vector<uint8_t> bytes = w.bytes();
    const File f = File::parse(bytes, "a.gguf");
    ASSERT_EQ(f.metadata().size(), 2u);
    EXPECT_EQ(f.metadata()[1].key, kAlignmentKey);
    EXPECT_EQ(*f.find(kAlignmentKey), Value{uint32_t{64}});
  }
  {
    // A key set explicitly keeps its place and type, and decides the layout.
    Writer w;
    w.set(kAlignmentKey, Value{uint64_t{128}});
    w.set("after", Value{uint8_t{1}});
    w.add_tensor("t", 0, {4}, testing::test_bytes(16, 1));
    const std::vector<uint8_t> bytes = w.bytes();
    const File f = File::parse(bytes, "a.gguf");
    EXPECT_EQ(f.alignment(), 128u);
    EXPECT_EQ(f.data_offset() % 128, 0u);
    EXPECT_EQ(f.metadata()[0].key, kAlignmentKey);
    EXPECT_EQ(f.metadata()[0].value, Value{uint64_t{128}});
  }
}

TEST(GgufWriter, LayoutPadsTheDataStartAndEveryTensor) {
  Writer w;
  w.add_tensor("a", 0, {3}, testing::test_bytes(12, 1));
  w.add_tensor("b", 0, {5}, testing::test_bytes(20, 2));
  const std::vector<uint8_t> bytes = w.bytes();
  const File f = File::parse(bytes, "a.gguf");
  EXPECT_EQ(f.data_offset() % 32, 0u);
  EXPECT_EQ(f.find_tensor("a")->offset, 0u);
  EXPECT_EQ(f.find_tensor("b")->offset, 32u);
  EXPECT_EQ(bytes.size(), f.data_offset() + 64);
  for (uint64_t i = 12; i < 32; ++i) EXPECT_EQ(bytes[f.data_offset() + i], 0) << "padding byte " << i;
}

TEST(GgufWriter, SetReplacesInPlace) {
  Writer w;
  w.set("a", Value{uint8_t{1}});
  w.set("b", Value{uint8_t{2}});
  w.set("a", Value{std::string("x")});
  const std::vector<uint8_t> bytes = w.bytes();
  const File f = File::parse(bytes, "a.gguf");
  ASSERT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.metadata()[0].key, "a");
  EXPECT_EQ(f.get_string("a"), "x");
}

TEST(GgufWriter, WritesAFileThatOpens) {
  const auto path =
      std::filesystem::temp_directory_path() / ("gguf_writer_" + std::to_string(::getpid()) + ".gguf");
  const Writer w = every_type_writer(32);
  w.write(path.string());
  {
    const File f = File::open(path.string());
    EXPECT_EQ(Writer::from(f).bytes(), w.bytes());
  }
  std::filesystem::remove(path);
  try {
    w.write("/nonexistent-dir/x.gguf");
    FAIL() << "wrote into a missing directory";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent-dir/x.gguf: cannot create: No such file or directory");
  }
}

// Runs `call`, expecting a gguf::Error, and returns its message.
template <class F>
std::string writer_refusal(F&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "the writer accepted it";
  return {};
}

TEST(GgufWriter, RefusesWhatTheReaderWouldRefuse) {
  Writer w;
  const auto data = testing::test_bytes(4096, 1);
  EXPECT_THAT(writer_refusal([] { Writer bad(48); }),
              HasSubstr("alignment 48 is not a non-zero power of two"));
  EXPECT_THAT(writer_refusal([] { Writer bad(0); }), HasSubstr("alignment 0"));
  EXPECT_THAT(writer_refusal([&] { w.set(kAlignmentKey, Value{uint32_t{3}}); }), HasSubstr("alignment 3"));
  EXPECT_THAT(writer_refusal([&] { w.set(kAlignmentKey, Value{std::string("32")}); }),
              HasSubstr("general.alignment must be a non-negative integer, got a string value"));
  EXPECT_THAT(writer_refusal([&] { w.set(kAlignmentKey, Value{int32_t{-32}}); }),
              HasSubstr("general.alignment must be a non-negative integer, got a int32 value"));
  EXPECT_THAT(writer_refusal([&] {
                w.set("mixed", array_of(ValueType::UINT8, {{uint8_t{1}}, {int8_t{1}}}));
              }),
              HasSubstr("key 'mixed': array of uint8 holds a int8"));
  Value deep{uint8_t{1}};
  for (uint32_t level = 0; level <= kMaxArrayDepth; ++level) deep = array_of(deep.type(), {deep});
  EXPECT_THAT(writer_refusal([&] { w.set("deep", deep); }), HasSubstr("nested deeper than 8 levels"));
  EXPECT_THAT(writer_refusal([&] { w.add_tensor("t", 4, {32}, std::span(data.data(), 20)); }),
              HasSubstr("tensor 't': unknown tensor type 4"));
  EXPECT_THAT(writer_refusal([&] {
                w.add_tensor("t", 0, {1, 1, 1, 1, 1}, std::span(data.data(), 4));
              }),
              HasSubstr("5 dims, at most 4"));
  EXPECT_THAT(writer_refusal([&] { w.add_tensor("t", 2, {33}, std::span(data.data(), 18)); }),
              HasSubstr("row length ne[0]=33 is not a multiple of the q4_0 block size 32"));
  EXPECT_THAT(writer_refusal([&] { w.add_tensor("t", 0, {0}, {}); }), HasSubstr("dimension 0 is 0"));
  EXPECT_THAT(writer_refusal([&] { w.add_tensor("t", 0, {4}, std::span(data.data(), 15)); }),
              HasSubstr("15 data bytes given, shape [4] in f32 needs 16"));
  w.add_tensor("t", 0, {4}, std::span(data.data(), 16));
  EXPECT_THAT(writer_refusal([&] { w.add_tensor("t", 0, {4}, std::span(data.data(), 16)); }),
              HasSubstr("tensor 't': duplicate tensor name"));
}

// Every truncation of a writer-made file holding every value type is refused cleanly.
TEST(GgufWriter, EveryTruncationOfAWrittenFileIsRefused) {
  Writer w = every_type_writer(32, 1, true);
  const std::vector<uint8_t> full = w.bytes();
  const File f = File::parse(full, "full.gguf");
  // The trailing padding after the last tensor carries nothing; cut the file where the data end.
  uint64_t data_end = 0;
  for (const TensorInfo& t : f.tensors())
    data_end = std::max(data_end, f.data_offset() + t.offset + t.nbytes);
  for (size_t length = 0; length < data_end; ++length) {
    const std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(length));
    try {
      File::parse(prefix, "cut.gguf");
      ADD_FAILURE() << "accepted a file truncated to " << length << " of " << data_end << " bytes";
    } catch (const Error& e) {
      ASSERT_EQ(std::string(e.what()).rfind("cut.gguf: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace zeroidle::gguf
