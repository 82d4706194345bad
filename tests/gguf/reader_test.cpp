// The reader on crafted files: what valid files hold, and one refused file per validation branch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "gguf/gguf.h"
#include "gguf_bytes.h"

namespace zeroidle::gguf {
namespace {

using testing::ByteBuilder;
using ::testing::HasSubstr;
using testing::refusal;

constexpr uint32_t kF32 = 0;
constexpr uint32_t kF16 = 1;
constexpr uint32_t kQ4_0 = 2;
constexpr uint32_t kF64 = 28;

// ---- valid files ---------------------------------------------------------------------------------------

// One key of every scalar type, a string, and arrays of every item type including strings and a
// nested array, written field by field.
ByteBuilder every_value_type_file(uint32_t version) {
  ByteBuilder b;
  b.header(0, 16, version);
  b.key("u8", ValueType::UINT8).u8(200);
  b.key("i8", ValueType::INT8).put<int8_t>(-100);
  b.key("u16", ValueType::UINT16).put<uint16_t>(60000);
  b.key("i16", ValueType::INT16).put<int16_t>(-30000);
  b.key("u32", ValueType::UINT32).u32(4000000000u);
  b.key("i32", ValueType::INT32).i32(-2000000000);
  b.key("f32", ValueType::FLOAT32).put<float>(1.5f);
  b.key("bool", ValueType::BOOL).u8(1);
  b.key("str", ValueType::STRING).str("hello");
  b.key("u64", ValueType::UINT64).u64(1ull << 60);
  b.key("i64", ValueType::INT64).put<int64_t>(-(1ll << 60));
  b.key("f64", ValueType::FLOAT64).put<double>(-2.25);
  b.key("arr.i16", ValueType::ARRAY).u32(3).u64(2).put<int16_t>(-1).put<int16_t>(2);
  b.key("arr.str", ValueType::ARRAY).u32(8).u64(3).str("a").str("").str("ccc");
  b.key("arr.nested", ValueType::ARRAY).u32(9).u64(2);
  b.u32(4).u64(1).u32(7);       // [uint32 7]
  b.u32(7).u64(2).u8(0).u8(1);  // [bool false, bool true]
  b.key("arr.empty", ValueType::ARRAY).u32(12).u64(0);
  return b;
}

TEST(GgufReader, ReadsEveryValueType) {
  for (uint32_t version : {2u, 3u}) {
    const ByteBuilder b = every_value_type_file(version);
    const File f = File::parse(b.bytes(), "test.gguf");
    EXPECT_EQ(f.version(), version);
    ASSERT_EQ(f.metadata().size(), 16u);
    EXPECT_EQ(std::get<uint8_t>(f.find("u8")->v), 200);
    EXPECT_EQ(std::get<int8_t>(f.find("i8")->v), -100);
    EXPECT_EQ(std::get<uint16_t>(f.find("u16")->v), 60000);
    EXPECT_EQ(std::get<int16_t>(f.find("i16")->v), -30000);
    EXPECT_EQ(std::get<uint32_t>(f.find("u32")->v), 4000000000u);
    EXPECT_EQ(std::get<int32_t>(f.find("i32")->v), -2000000000);
    EXPECT_EQ(std::get<float>(f.find("f32")->v), 1.5f);
    EXPECT_EQ(std::get<bool>(f.find("bool")->v), true);
    EXPECT_EQ(f.get_string("str"), "hello");
    EXPECT_EQ(f.get_uint("u64"), 1ull << 60);
    EXPECT_EQ(std::get<int64_t>(f.find("i64")->v), -(1ll << 60));
    EXPECT_EQ(f.get_float("f64"), -2.25);
    EXPECT_EQ(f.get_float("f32"), 1.5);

    const Array& i16 = f.get_array("arr.i16");
    EXPECT_EQ(i16.type, ValueType::INT16);
    EXPECT_EQ(i16.items, (std::vector<Value>{{int16_t{-1}}, {int16_t{2}}}));
    const Array& strs = f.get_array("arr.str");
    EXPECT_EQ(strs.items, (std::vector<Value>{{std::string("a")}, {std::string()}, {std::string("ccc")}}));
    const Array& nested = f.get_array("arr.nested");
    ASSERT_EQ(nested.type, ValueType::ARRAY);
    ASSERT_EQ(nested.items.size(), 2u);
    EXPECT_EQ(std::get<Array>(nested.items[0].v), (Array{ValueType::UINT32, {{uint32_t{7}}}}));
    EXPECT_EQ(std::get<Array>(nested.items[1].v), (Array{ValueType::BOOL, {{false}, {true}}}));
    EXPECT_EQ(f.get_array("arr.empty"), (Array{ValueType::FLOAT64, {}}));

    EXPECT_EQ(f.metadata()[0].key, "u8");
    EXPECT_EQ(f.metadata()[0].file_offset, 24u);
    EXPECT_EQ(f.alignment(), kDefaultAlignment);
    EXPECT_TRUE(f.tensors().empty());
  }
}

TEST(GgufReader, TypedGettersNameTheKeyOnMismatch) {
  const ByteBuilder b = every_value_type_file(3);
  const File f = File::parse(b.bytes(), "test.gguf");
  EXPECT_EQ(f.get_uint("u8"), 200u);
  EXPECT_EQ(f.get_uint("u32"), 4000000000u);
  EXPECT_TRUE(f.get_bool("bool"));
  EXPECT_EQ(f.find("missing"), nullptr);
  const auto message = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message([&] { f.get_string("missing"); }), "test.gguf: key 'missing' is missing");
  EXPECT_EQ(message([&] { f.get_uint("str"); }),
            "test.gguf: key 'str' has type string, expected an unsigned or non-negative integer");
  EXPECT_EQ(message([&] { f.get_uint("i8"); }),
            "test.gguf: key 'i8' is -100, expected a non-negative integer");
  EXPECT_EQ(message([&] { f.get_float("u8"); }),
            "test.gguf: key 'u8' has type uint8, expected float32 or float64");
  EXPECT_EQ(message([&] { f.get_bool("u8"); }), "test.gguf: key 'u8' has type uint8, expected bool");
  EXPECT_EQ(message([&] { f.get_array("str"); }), "test.gguf: key 'str' has type string, expected array");
  EXPECT_EQ(message([&] { f.get_string("u8"); }), "test.gguf: key 'u8' has type uint8, expected string");
}

TEST(GgufReader, TensorsAreViewsIntoTheBytes) {
  ByteBuilder b;
  b.header(3, 1).key(kAlignmentKey, ValueType::UINT32).u32(64);
  b.tensor("a", {16}, kF32, 0);        // 64 bytes
  b.tensor("b", {32, 2}, kQ4_0, 128);  // 36 bytes, after a gap
  b.tensor("scalar", {}, kF32, 64);    // n_dims 0: one value
  b.pad_to(64);
  const size_t data_at = b.size();
  b.raw(testing::test_bytes(128 + 64, 1));
  const File f = File::parse(b.bytes(), "test.gguf");
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset(), data_at);
  EXPECT_EQ(f.file_size(), b.size());
  ASSERT_EQ(f.tensors().size(), 3u);
  const TensorInfo* a = f.find_tensor("a");
  const TensorInfo* q = f.find_tensor("b");
  const TensorInfo* s = f.find_tensor("scalar");
  ASSERT_TRUE(a && q && s);
  EXPECT_EQ(f.find_tensor("c"), nullptr);
  EXPECT_EQ(a->nbytes, 64u);
  EXPECT_EQ(a->data, b.bytes().data() + data_at);
  EXPECT_EQ(q->n_dims, 2u);
  EXPECT_EQ(q->ne, (std::array<uint64_t, 4>{32, 2, 1, 1}));
  EXPECT_EQ(q->n_elements(), 64u);
  EXPECT_EQ(q->nbytes, 36u);
  EXPECT_EQ(q->data, b.bytes().data() + data_at + 128);
  EXPECT_EQ(s->n_dims, 0u);
  EXPECT_EQ(s->n_elements(), 1u);
  EXPECT_EQ(s->nbytes, 4u);
}

TEST(GgufReader, VocabOnlyFileMayEndBeforeTheAlignedDataStart) {
  ByteBuilder b;
  b.header(0, 1).key("general.name", ValueType::STRING).str("x");
  ASSERT_NE(b.size() % 32, 0u);
  const File f = File::parse(b.bytes(), "test.gguf");
  EXPECT_GT(f.data_offset(), f.file_size());
}

TEST(GgufReader, AcceptsArraysNestedToTheLimit) {
  ByteBuilder b;
  b.header(0, 1).key("deep", ValueType::ARRAY);
  for (uint32_t level = 1; level < kMaxArrayDepth; ++level) b.u32(9).u64(1);
  b.u32(0).u64(1).u8(42);
  const File f = File::parse(b.bytes(), "test.gguf");
  const Value* v = f.find("deep");
  for (uint32_t level = 0; level < kMaxArrayDepth; ++level) v = &std::get<Array>(v->v).items.at(0);
  EXPECT_EQ(std::get<uint8_t>(v->v), 42);
}

TEST(GgufReader, OpensAndMapsAFile) {
  ByteBuilder b;
  b.header(1, 0).tensor("t", {4}, kF32, 0).pad_to(32).raw(testing::test_bytes(16, 3)).pad_to(32);
  const auto path =
      std::filesystem::temp_directory_path() / ("gguf_open_" + std::to_string(::getpid()) + ".gguf");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.bytes().data()), b.size());
  {
    const File f = File::open(path.string());
    EXPECT_EQ(f.path(), path.string());
    EXPECT_EQ(f.file_size(), b.size());
    ASSERT_EQ(f.tensors().size(), 1u);
    EXPECT_EQ(0, std::memcmp(f.tensors()[0].data, b.bytes().data() + f.data_offset(), 16));
    File moved = std::move(const_cast<File&>(f));
    EXPECT_EQ(moved.tensors()[0].nbytes, 16u);
  }
  std::filesystem::remove(path);
}

// ---- refused files: header -----------------------------------------------------------------------------

TEST(GgufRefused, MissingOrUnreadableFile) {
  try {
    File::open("/nonexistent/model.gguf");
    FAIL() << "opened a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/model.gguf: cannot open: No such file or directory");
  }
  const std::string dir = std::filesystem::temp_directory_path().string();
  try {
    File::open(dir);
    FAIL() << "opened a directory";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": cannot open: not a regular file");
  }
}

TEST(GgufRefused, EmptyFile) {
  EXPECT_EQ(refusal({}),
            "test.gguf: header at byte 0: magic needs 4 bytes but only 0 remain: runs past the end "
            "of the file (size 0)");
}

TEST(GgufRefused, BadMagic) {
  ByteBuilder b;
  b.header(0, 0);
  std::vector<uint8_t> bytes = b.bytes();
  std::memcpy(bytes.data(), "GGML", 4);
  EXPECT_EQ(refusal(bytes), "test.gguf: header at byte 0: not a GGUF file: magic is 'GGML', expected 'GGUF'");
  bytes[0] = 0;
  bytes[1] = 0xff;
  EXPECT_EQ(refusal(bytes),
            "test.gguf: header at byte 0: not a GGUF file: magic is '\\x00\\xffML', expected 'GGUF'");
}

TEST(GgufRefused, UnsupportedVersion) {
  for (uint32_t version : {0u, 4u, 5u, 1000u, 0xffffffffu}) {
    ByteBuilder b;
    b.header(0, 0, version);
    EXPECT_EQ(refusal(b.bytes()), "test.gguf: header at byte 4: unsupported GGUF version " +
                                      std::to_string(version) + " (supported: 2 and 3)");
  }
  ByteBuilder v1;
  v1.header(0, 0, 1);
  EXPECT_THAT(refusal(v1.bytes()), HasSubstr("GGUF version 1 is obsolete"));
  ByteBuilder big_endian;
  big_endian.header(0, 0, 0x03000000);
  EXPECT_THAT(refusal(big_endian.bytes()), HasSubstr("looks big-endian"));
}

TEST(GgufRefused, AbsurdKeyCount) {
  ByteBuilder b;
  b.header(0, 1ull << 60).key("a", ValueType::UINT8).u8(1);
  EXPECT_THAT(refusal(b.bytes()),
              HasSubstr("test.gguf: header at byte 16: metadata key count 1152921504606846976 "
                        "cannot fit in the 14 bytes that remain"));
  ByteBuilder max;
  max.header(0, UINT64_MAX);
  EXPECT_THAT(refusal(max.bytes()), HasSubstr("metadata key count 18446744073709551615 cannot fit"));
}

TEST(GgufRefused, AbsurdTensorCount) {
  ByteBuilder b;
  b.header(1ull << 61, 0).tensor("t", {4}, kF32, 0);
  EXPECT_THAT(refusal(b.bytes()),
              HasSubstr("test.gguf: header at byte 8: tensor count 2305843009213693952 cannot fit"));
  ByteBuilder max;
  max.header(UINT64_MAX, 0);
  EXPECT_THAT(refusal(max.bytes()), HasSubstr("tensor count 18446744073709551615 cannot fit"));
}

// ---- refused files: metadata ---------------------------------------------------------------------------

TEST(GgufRefused, StringLengthPastTheEnd) {
  ByteBuilder value;
  value.header(0, 1).key("general.name", ValueType::STRING).u64(999999999);
  EXPECT_EQ(refusal(value.bytes()),
            "test.gguf: key 'general.name' at byte 48: string length 999999999 runs past "
            "the end of the file (size 56)");
  ByteBuilder key;
  key.header(0, 1).u64(UINT64_MAX).u32(0).u8(0);
  EXPECT_EQ(refusal(key.bytes()),
            "test.gguf: metadata key #0 at byte 24: key length 18446744073709551615 runs past "
            "the end of the file (size 37)");
  ByteBuilder item;
  item.header(0, 1).key("tokens", ValueType::ARRAY).u32(8).u64(2).str("a").u64(100).zeros(10);
  EXPECT_EQ(refusal(item.bytes()),
            "test.gguf: key 'tokens' item 1 at byte 63: string length 100 runs past the end "
            "of the file (size 81)");
}

TEST(GgufRefused, AbsurdArrayCounts) {
  // Every item type, including strings and arrays, whose smallest encodings are 8 and 12 bytes.
  for (uint32_t t = 0; t <= 12; ++t) {
    for (uint64_t count : {uint64_t{1} << 60, uint64_t{UINT64_MAX}, uint64_t{1000}}) {
      ByteBuilder b;
      b.header(0, 1).key("arr", ValueType::ARRAY).u32(t).u64(count).zeros(7);
      const std::string why = refusal(b.bytes());
      EXPECT_THAT(why, HasSubstr("test.gguf: key 'arr' at byte 43: array of "));
      EXPECT_THAT(
          why, HasSubstr("items: count " + std::to_string(count) + " cannot fit in the 7 bytes that remain"));
    }
  }
}

TEST(GgufRefused, UnknownValueType) {
  for (uint32_t t : {13u, 255u, 0xffffffffu}) {
    ByteBuilder b;
    b.header(0, 1).str("k").u32(t).u64(0);
    EXPECT_EQ(refusal(b.bytes()),
              "test.gguf: key 'k' at byte 33: unknown value type " + std::to_string(t) + " (expected 0..12)");
    ByteBuilder array;
    array.header(0, 1).key("k", ValueType::ARRAY).u32(t).u64(0);
    EXPECT_EQ(refusal(array.bytes()), "test.gguf: key 'k' at byte 37: unknown array item type " +
                                          std::to_string(t) + " (expected 0..12)");
  }
}

TEST(GgufRefused, BoolOtherThanZeroOrOne) {
  ByteBuilder b;
  b.header(0, 1).key("flag", ValueType::BOOL).u8(2);
  EXPECT_EQ(refusal(b.bytes()), "test.gguf: key 'flag' at byte 40: bool value 2 is neither 0 nor 1");
}

TEST(GgufRefused, ArraysNestedTooDeep) {
  ByteBuilder b;
  b.header(0, 1).key("deep", ValueType::ARRAY);
  for (uint32_t level = 0; level < kMaxArrayDepth; ++level) b.u32(9).u64(1);
  b.u32(0).u64(1).u8(42);
  EXPECT_THAT(refusal(b.bytes()),
              HasSubstr("test.gguf: key 'deep' item 0 item 0 item 0 item 0 item 0 item 0 item 0 "
                        "item 0 at byte 136: arrays nested deeper than 8 levels"));
  // Deep enough to exhaust the stack if the depth were not limited.
  ByteBuilder abyss;
  abyss.header(0, 1).key("deep", ValueType::ARRAY);
  for (int level = 0; level < 1'000'000; ++level) abyss.u32(9).u64(1);
  EXPECT_THAT(refusal(abyss.bytes()), HasSubstr("arrays nested deeper than 8 levels"));
}

TEST(GgufRefused, DuplicateKey) {
  ByteBuilder b;
  b.header(0, 2).key("general.name", ValueType::STRING).str("a").key("general.name", ValueType::UINT8).u8(1);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: key 'general.name' at byte 57: duplicate key (first defined at byte 24)");
}

TEST(GgufRefused, BadAlignment) {
  for (uint32_t alignment : {0u, 3u, 48u, 0xffffffffu}) {
    ByteBuilder b;
    b.header(0, 1).key(kAlignmentKey, ValueType::UINT32).u32(alignment);
    EXPECT_EQ(refusal(b.bytes()), "test.gguf: key 'general.alignment' at byte 24: alignment " +
                                      std::to_string(alignment) + " is not a non-zero power of two");
  }
  ByteBuilder negative;
  negative.header(0, 1).key(kAlignmentKey, ValueType::INT32).i32(-32);
  EXPECT_THAT(refusal(negative.bytes()),
              HasSubstr("alignment has type int32, expected a non-negative integer"));
  ByteBuilder text;
  text.header(0, 1).key(kAlignmentKey, ValueType::STRING).str("32");
  EXPECT_THAT(refusal(text.bytes()), HasSubstr("alignment has type string, expected a non-negative integer"));
}

TEST(GgufRefused, AlignmentLargerThanTheFile) {
  ByteBuilder b;
  b.header(1, 1).key(kAlignmentKey, ValueType::UINT64).u64(1ull << 63).tensor("t", {4}, kF32, 0);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: tensor 't' data [offset 9223372036854775808, 16 bytes] runs past the end "
            "of the file (size 94)");
}

// ---- refused files: tensor infos -----------------------------------------------------------------------

TEST(GgufRefused, TensorNameLengthPastTheEnd) {
  ByteBuilder b;
  b.header(1, 0).u64(1ull << 40).zeros(20);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: tensor info #0 at byte 24: tensor name length 1099511627776 runs past "
            "the end of the file (size 52)");
}

TEST(GgufRefused, UnknownTensorType) {
  for (uint32_t t : {4u, 5u, 31u, 32u, 33u, 36u, 40u, 1000u, 0xffffffffu}) {
    ByteBuilder b;
    b.header(1, 0).tensor("blk.0.attn_q.weight", {32}, t, 0).pad_to(32).zeros(128);
    EXPECT_THAT(refusal(b.bytes()),
                HasSubstr("test.gguf: tensor 'blk.0.attn_q.weight' at byte 63: unknown tensor "
                          "type " +
                          std::to_string(t)));
  }
  ByteBuilder removed;
  removed.header(1, 0).tensor("w", {32}, 31, 0);
  EXPECT_THAT(refusal(removed.bytes()), HasSubstr("removed from GGUF"));
}

TEST(GgufRefused, TooManyDims) {
  ByteBuilder b;
  b.header(1, 0).tensor("w", {1, 1, 1, 1, 1}, kF32, 0).pad_to(32).zeros(32);
  EXPECT_EQ(refusal(b.bytes()), "test.gguf: tensor 'w' at byte 33: n_dims 5 exceeds the maximum of 4");
  ByteBuilder huge;
  huge.header(1, 0).str("w").u32(0xffffffff).zeros(32);
  EXPECT_THAT(refusal(huge.bytes()), HasSubstr("n_dims 4294967295 exceeds the maximum of 4"));
}

TEST(GgufRefused, ZeroDim) {
  ByteBuilder b;
  b.header(1, 0).tensor("w", {4, 0}, kF32, 0).pad_to(32).zeros(32);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: tensor 'w' at byte 33: dimension 1 is 0 (every dimension must be at least 1)");
}

TEST(GgufRefused, OverflowingDims) {
  struct Case {
    std::vector<uint64_t> ne;
    uint32_t type;
    const char* why;
  };
  const Case cases[] = {
      {{1ull << 32, 1ull << 32}, kF32, "shape [4294967296, 4294967296] has more than 2^63-1 elements"},
      {{UINT64_MAX}, kF32, "dimension 0 is 18446744073709551615, above the limit 2^63-1"},
      {{2, 1ull << 62}, kF32, "shape [2, 4611686018427387904] has more than 2^63-1 elements"},
      {{3, 3, 3, 1ull << 61}, kF32, "shape [3, 3, 3, 2305843009213693952] has more than 2^63-1 elements"},
      {{1ull << 62}, kF64, "byte size of shape [4611686018427387904] in f64 overflows 2^63-1"},
      {{1ull << 61, 2}, kF32, "byte size of shape [2305843009213693952, 2] in f32 overflows 2^63-1"},
  };
  for (const Case& c : cases) {
    ByteBuilder b;
    b.header(1, 0).tensor("w", c.ne, c.type, 0).pad_to(32).zeros(64);
    EXPECT_THAT(refusal(b.bytes()), HasSubstr("test.gguf: tensor 'w' at byte 33: " + std::string(c.why)));
  }
}

TEST(GgufRefused, RowLengthNotAMultipleOfTheBlockSize) {
  ByteBuilder b;
  b.header(1, 0).tensor("blk.0.ffn_up.weight", {33, 2}, kQ4_0, 0).pad_to(32).zeros(128);
  EXPECT_THAT(refusal(b.bytes()),
              HasSubstr("tensor 'blk.0.ffn_up.weight' at byte 51: row length ne[0]=33 is not a "
                        "multiple of the q4_0 block size 32"));
}

TEST(GgufRefused, DuplicateTensorName) {
  ByteBuilder b;
  b.header(2, 0).tensor("w", {8}, kF32, 0).tensor("w", {8}, kF32, 32).pad_to(32).zeros(64);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: tensor 'w' at byte 57: duplicate tensor name (first at tensor info #0)");
}

// ---- refused files: tensor data ------------------------------------------------------------------------

TEST(GgufRefused, MisalignedDataOffset) {
  ByteBuilder b;
  b.header(1, 0).tensor("w", {4}, kF32, 4).pad_to(32).zeros(64);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: tensor 'w' at byte 49: data offset 4 is not a multiple of the alignment 32");
  ByteBuilder custom;
  custom.header(1, 1)
      .key(kAlignmentKey, ValueType::UINT32)
      .u32(64)
      .tensor("w", {4}, kF32, 32)
      .pad_to(64)
      .zeros(128);
  EXPECT_THAT(refusal(custom.bytes()), HasSubstr("data offset 32 is not a multiple of the alignment 64"));
}

TEST(GgufRefused, TensorDataOutsideTheFile) {
  ByteBuilder b;
  b.header(1, 0).tensor("blk.3.attn_q.weight", {4}, kF32, 1024).pad_to(32).zeros(64);
  EXPECT_EQ(refusal(b.bytes()),
            "test.gguf: tensor 'blk.3.attn_q.weight' data [offset 1120, 16 bytes] runs past the "
            "end of the file (size 160)");
  ByteBuilder straddle;  // starts inside, ends outside
  straddle.header(1, 0).tensor("w", {64}, kF32, 0).pad_to(32).zeros(255);
  EXPECT_EQ(refusal(straddle.bytes()),
            "test.gguf: tensor 'w' data [offset 64, 256 bytes] runs past the end of the file (size 319)");
  ByteBuilder wrap;  // offset + size wraps around 2^64
  wrap.header(1, 0).tensor("w", {1ull << 60}, kF32, UINT64_MAX - 31).pad_to(32).zeros(64);
  EXPECT_THAT(refusal(wrap.bytes()), HasSubstr("tensor 'w' at byte 49: data offset 18446744073709551584 + "
                                               "4611686018427387904 bytes overflows 64 bits"));
}

TEST(GgufRefused, OverlappingTensors) {
  ByteBuilder same;
  same.header(2, 0).tensor("a", {8}, kF32, 0).tensor("b", {8}, kF32, 0).pad_to(32).zeros(64);
  EXPECT_THAT(refusal(same.bytes()), HasSubstr("data [offset 96, 32 bytes] overlaps tensor"));
  ByteBuilder partial;  // a covers [0, 64), b starts at 32; listed in reverse order
  partial.header(2, 0).tensor("b", {8}, kF32, 32).tensor("a", {16}, kF32, 0).pad_to(32).zeros(96);
  EXPECT_EQ(refusal(partial.bytes()),
            "test.gguf: tensor 'b' data [offset 128, 32 bytes] overlaps tensor 'a' data "
            "[offset 96, 64 bytes]");
  ByteBuilder touching;  // adjacent is fine
  touching.header(2, 0).tensor("a", {8}, kF32, 0).tensor("b", {8}, kF32, 32).pad_to(32).zeros(64);
  EXPECT_NO_THROW(File::parse(touching.bytes(), "test.gguf"));
}

// ---- truncation ----------------------------------------------------------------------------------------

// A small valid file whose last tensor ends exactly at the end (no trailing padding), with the end of
// each section recorded.
struct SectionedFile {
  ByteBuilder b;
  size_t header_end, metadata_end, infos_end, data_start;
};

SectionedFile sectioned_file() {
  SectionedFile s;
  ByteBuilder& b = s.b;
  b.header(2, 4);
  s.header_end = b.size();
  b.key("general.architecture", ValueType::STRING).str("llama");
  b.key("n", ValueType::UINT32).u32(7);
  b.key("tokens", ValueType::ARRAY).u32(8).u64(2).str("x").str("yz");
  b.key("nested", ValueType::ARRAY).u32(9).u64(2).u32(0).u64(1).u8(5).u32(0).u64(0);
  s.metadata_end = b.size();
  b.tensor("t0", {8}, kF32, 0).tensor("t1", {16}, kF16, 32);
  s.infos_end = b.size();
  b.pad_to(32);
  s.data_start = b.size();
  b.raw(testing::test_bytes(64, 9));
  return s;
}

TEST(GgufRefused, TruncationAtEveryLength) {
  const SectionedFile s = sectioned_file();
  const std::vector<uint8_t>& full = s.b.bytes();
  ASSERT_NO_THROW(File::parse(full, "test.gguf"));
  for (size_t length = 0; length < full.size(); ++length) {
    SCOPED_TRACE("truncated to " + std::to_string(length) + " bytes");
    // A copy of exactly `length` bytes, so ASan sees any read past the end.
    const std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(length));
    const std::string why = refusal(prefix);
    EXPECT_EQ(why.rfind("test.gguf: ", 0), 0u) << why;
    // Where few bytes remain, the up-front count checks in the header may refuse the file first.
    if (length < s.header_end) {
      EXPECT_THAT(why, HasSubstr("header at byte"));
    } else if (length < s.metadata_end) {
      EXPECT_THAT(
          why, ::testing::ContainsRegex("(metadata key #[0-9]|key '[a-z.]+'( item [0-9])*|header) at byte"));
    } else if (length < s.infos_end) {
      EXPECT_THAT(why, ::testing::ContainsRegex("(tensor (info #[0-9]|'t[01]'|infos)|header) at byte"));
    } else {
      EXPECT_THAT(why, HasSubstr("runs past the end of the file (size " + std::to_string(length) + ")"));
    }
  }
}

// ---- error messages ------------------------------------------------------------------------------------

TEST(GgufRefused, KeysWithUnprintableBytesAreEscapedInMessages) {
  ByteBuilder b;
  b.header(0, 1).key(std::string("bad\nkey\x01'", 9), ValueType::STRING).u64(1000);
  EXPECT_THAT(refusal(b.bytes()), HasSubstr("key 'bad\\x0akey\\x01\\'' at byte"));
}

}  // namespace
}  // namespace zeroidle::gguf
