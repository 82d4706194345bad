// The ggml tensor type table.
#include <gtest/gtest.h>

#include <set>

#include "gguf/gguf.h"

namespace zeroidle::gguf {
namespace {

TEST(GgufTypes, BlockGeometryOfEveryType) {
  struct Expected {
    uint32_t id;
    const char* name;
    uint32_t block_size, block_bytes;
  };
  // clang-format off
  const Expected expected[] = {
      {0, "f32", 1, 4},          {1, "f16", 1, 2},          {2, "q4_0", 32, 18},      {3, "q4_1", 32, 20},
      {6, "q5_0", 32, 22},       {7, "q5_1", 32, 24},       {8, "q8_0", 32, 34},      {9, "q8_1", 32, 36},
      {10, "q2_K", 256, 84},     {11, "q3_K", 256, 110},    {12, "q4_K", 256, 144},   {13, "q5_K", 256, 176},
      {14, "q6_K", 256, 210},    {15, "q8_K", 256, 292},    {16, "iq2_xxs", 256, 66}, {17, "iq2_xs", 256, 74},
      {18, "iq3_xxs", 256, 98},  {19, "iq1_s", 256, 50},    {20, "iq4_nl", 32, 18},   {21, "iq3_s", 256, 110},
      {22, "iq2_s", 256, 82},    {23, "iq4_xs", 256, 136},  {24, "i8", 1, 1},         {25, "i16", 1, 2},
      {26, "i32", 1, 4},         {27, "i64", 1, 8},         {28, "f64", 1, 8},        {29, "iq1_m", 256, 56},
      {30, "bf16", 1, 2},        {34, "tq1_0", 256, 54},    {35, "tq2_0", 256, 66},   {39, "mxfp4", 32, 17},
  };
  // clang-format on
  ASSERT_EQ(tensor_types().size(), std::size(expected));
  for (const Expected& e : expected) {
    const TensorTypeInfo* t = tensor_type_info(e.id);
    ASSERT_NE(t, nullptr) << e.name;
    EXPECT_EQ(t->id, e.id);
    EXPECT_STREQ(t->name, e.name);
    EXPECT_EQ(t->block_size, e.block_size) << e.name;
    EXPECT_EQ(t->block_bytes, e.block_bytes) << e.name;
    EXPECT_EQ(tensor_type_info(std::string_view(e.name)), t);
  }
}

TEST(GgufTypes, RemovedAndUnknownIdsAreAbsent) {
  for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 40u, 41u, 1000u, 0xffffffffu}) {
    EXPECT_EQ(tensor_type_info(id), nullptr) << id;
  }
  EXPECT_EQ(tensor_type_info(std::string_view("q4_0_4_4")), nullptr);
  std::set<uint32_t> ids;
  for (const TensorTypeInfo& t : tensor_types())
    EXPECT_TRUE(ids.insert(t.id).second) << "duplicate id " << t.id;
}

TEST(GgufTypes, ValueTypeNames) {
  EXPECT_STREQ(value_type_name(ValueType::UINT8), "uint8");
  EXPECT_STREQ(value_type_name(ValueType::STRING), "string");
  EXPECT_STREQ(value_type_name(ValueType::ARRAY), "array");
  EXPECT_STREQ(value_type_name(ValueType::FLOAT64), "float64");
  EXPECT_STREQ(value_type_name(static_cast<ValueType>(13)), "unknown");
}

}  // namespace
}  // namespace zeroidle::gguf
