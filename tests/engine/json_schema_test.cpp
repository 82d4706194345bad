// Schema::compile: refused keywords name keyword and pointer; contradictory or unprovable schemas are
// refused; accepted ones carry their annotations.
#include <gtest/gtest.h>

#include <string>

#include "engine/json/schema.h"

namespace zeroidle::engine::json {
namespace {

std::string error_of(const std::string& schema) {
  try {
    Schema::parse(schema);
  } catch (const SchemaError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(JsonSchema, RefusedKeywordsNameKeywordAndPointer) {
  EXPECT_EQ(error_of(R"({"type":"object","properties":{"email":{"type":"string","pattern":"@"}}})"),
            "unsupported keyword 'pattern' at /properties/email");
  EXPECT_EQ(error_of(R"({"type":"string","format":"date"})"), "unsupported keyword 'format' at (root)");
  EXPECT_EQ(error_of(R"({"if":{"type":"string"}})"), "unsupported keyword 'if' at (root)");
  EXPECT_EQ(error_of(R"({"type":"array","items":{"type":"number","multipleOf":2}})"),
            "unsupported keyword 'multipleOf' at /items");
  EXPECT_EQ(error_of(R"({"$defs":{"a":{"type":"object","patternProperties":{}}},"$ref":"#/$defs/a"})"),
            "unsupported keyword 'patternProperties' at /$defs/a");
  EXPECT_EQ(error_of(R"({"properties":{"a/b~c":{"allOf":[]}}})"),
            "unsupported keyword 'allOf' at /properties/a~1b~0c");
  EXPECT_EQ(error_of(R"({"anyOf":[{"type":"null"},{"type":"string","uniqueItems":true}]})"),
            "unsupported keyword 'uniqueItems' at /anyOf/1");
}

TEST(JsonSchema, UnusedDefinitionsAreNotCompiled) {
  EXPECT_EQ(error_of(R"({"type":"string","$defs":{"unused":{"pattern":"x"}}})"), "(accepted)");
}

TEST(JsonSchema, RefusesWhatItCannotHonour) {
  EXPECT_NE(
      error_of(R"({"type":"string","minLength":5,"maxLength":3})").find("minLength > maxLength at (root)"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"type":"integer","minimum":5,"maximum":4})").find("holds no integer"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"number","minimum":0.0000001,"maximum":0.0000002})").find("fraction digits"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"integer","exclusiveMinimum":true})").find("draft 4"), std::string::npos);
  EXPECT_NE(
      error_of(R"({"type":"object","properties":{},"required":["a"]})").find("not listed in 'properties'"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"type":"array","items":[{"type":"string"}]})").find("tuple-form"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"$ref":"http://example.com/s.json"})").find("not local"), std::string::npos);
  EXPECT_NE(error_of(R"({"$ref":"#/$defs/missing"})").find("does not resolve"), std::string::npos);
  EXPECT_NE(error_of(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})")
                .find("cycle"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"enum":[1,2],"type":"string"})").find("leaves no value"), std::string::npos);
  EXPECT_NE(error_of(R"({"enum":["a"],"maxLength":3})").find("keyword 'maxLength' next to 'enum'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"$ref":"#/$defs/a","type":"string","$defs":{"a":{}}})").find("next to '$ref'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"strin"})").find("unknown type"), std::string::npos);
  EXPECT_NE(error_of(R"({"type":"string","maxLength":-1})").find("non-negative integer"), std::string::npos);
  // Required recursion never ends: no finite document.
  EXPECT_NE(
      error_of(
          R"({"$defs":{"n":{"type":"object","properties":{"n":{"$ref":"#/$defs/n"}},"required":["n"]}},"$ref":"#/$defs/n"})")
          .find("no document within the limits"),
      std::string::npos);
  EXPECT_NE(error_of("{not json"), "(accepted)");
}

TEST(JsonSchema, OneOfNeedsProvablyExclusiveAlternatives) {
  EXPECT_EQ(error_of(R"({"oneOf":[{"type":"string"},{"type":"null"}]})"), "(accepted)");
  EXPECT_EQ(error_of(R"({"oneOf":[{"enum":["a","b"]},{"const":"c"}]})"), "(accepted)");
  EXPECT_EQ(error_of(R"({"oneOf":[
      {"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number"}},"required":["kind","r"]},
      {"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number"}},"required":["kind","side"]}]})"),
            "(accepted)");
  EXPECT_EQ(
      error_of(R"({"$defs":{"s":{"type":"string"}},"oneOf":[{"$ref":"#/$defs/s"},{"type":"integer"}]})"),
      "(accepted)");
  EXPECT_NE(error_of(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})").find("use anyOf"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"oneOf":[{"type":"string"},{"maxLength":3}]})").find("use anyOf"),
            std::string::npos);
  // Without "type" the second alternative accepts any object: not exclusive.
  EXPECT_NE(error_of(R"({"oneOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
                                   {"properties":{"b":{"type":"string"}}}]})")
                .find("use anyOf"),
            std::string::npos);
}

TEST(JsonSchema, CollectsAnnotations) {
  const Schema s = Schema::parse(R"({"title":"Invoice","type":"object","properties":{
      "total":{"type":"number","description":"Grand total incl. tax"}}})");
  ASSERT_EQ(s.annotations().size(), 2u);
  EXPECT_EQ(s.annotations()[0].pointer, "");
  EXPECT_EQ(s.annotations()[0].title, "Invoice");
  EXPECT_EQ(s.annotations()[1].pointer, "/properties/total");
  EXPECT_EQ(s.annotations()[1].description, "Grand total incl. tax");
}

TEST(JsonSchema, LimitsAreValidated) {
  Limits l;
  l.max_integer_digits = 19;
  EXPECT_THROW(Schema::parse(R"({"type":"integer"})", l), SchemaError);
  l = Limits{};
  l.max_depth = 2;
  EXPECT_THROW(
      Schema::parse(
          R"({"type":"array","minItems":1,"items":{"type":"array","minItems":1,"items":{"type":"array"}}})",
          l),
      SchemaError);
  EXPECT_NO_THROW(Schema::parse(R"({"type":"array","items":{"type":"array","items":{"type":"array"}}})", l));
}

TEST(JsonSchema, OverloadsAgreeAndKeepOrderWhereTheyCan) {
  const char* text =
      R"({"type":"object","properties":{"b":{"const":1},"a":{"const":2}},"required":["b","a"]})";
  EXPECT_EQ(Schema::parse(text).min_document_bytes(), std::string(R"({"b":1,"a":2})").size());
  EXPECT_EQ(Schema::compile(nlohmann::ordered_json::parse(text)).min_document_bytes(), 13u);
  EXPECT_EQ(Schema::compile(nlohmann::json::parse(text)).min_document_bytes(), 13u);
}

}  // namespace
}  // namespace zeroidle::engine::json
