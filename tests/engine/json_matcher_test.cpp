// Matcher: a hand-written corpus of valid documents is accepted byte by byte, invalid ones are rejected
// at the first bad byte, and the shortest completion of every prefix closes the document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/json/matcher.h"

namespace zeroidle::engine::json {
namespace {

const char* kPerson = R"({"type":"object","properties":{
  "name":{"type":"string","minLength":1,"maxLength":10},
  "age":{"type":"integer","minimum":0,"maximum":150},
  "score":{"type":"number","exclusiveMinimum":0,"maximum":1},
  "tags":{"type":"array","items":{"type":"string","maxLength":5},"maxItems":3},
  "kind":{"enum":["a","b",null,1.5,{"x":[1]}]},
  "nick":{"type":["string","null"]},
  "addr":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string"}},"required":["city"]}},
 "required":["name","age"]})";

// Index of the first rejected byte, or -1 when every byte is accepted.
int first_rejection(const Matcher& start, const std::string& doc) {
  Matcher m(start);
  for (size_t i = 0; i < doc.size(); ++i) {
    if (!m.advance(static_cast<uint8_t>(doc[i]))) return static_cast<int>(i);
  }
  return -1;
}

bool accepts_document(const Schema& s, const std::string& doc) {
  Matcher m(s);
  return m.advance(doc) && m.is_accepting();
}

const std::vector<std::string> kValidPeople = {
    R"({"name":"Al","age":0})",
    "{\"name\":\"\xC3\x9Cn\xC3\xAF\x63\xC3\xB8\x64\xC3\xA9 "
    "\xE6\x97\xA5\xE6\x9C\xAC\",\"age\":150,\"score\":1}",
    R"({"name":"a\"b\\c\/d","age":7,"score":0.000001})",
    R"({"name":"\u00e9\n\t\b\f\r","age":42,"tags":[],"kind":null,"nick":null,"addr":{"city":"X"}})",
    "{\"name\":\"\xF0\x9F\x98\x80\",\"age\":3,\"tags\":[\"x\",\"yy\",\"zzzzz\"],\"kind\":1.5,\"nick\":\"n\","
    "\"addr\":{\"city\":\"\",\"zip\":\"9\"}}",
    R"({"name":"0123456789","age":99,"kind":{"x":[1]}})",
    R"({"name":"\uD7FF\uFFFF","age":1,"score":0.5,"kind":"b"})",
    "{\"name\":\"\xED\x9F\xBF\xF4\x8F\xBF\xBF\",\"age\":1}",
};

struct Bad {
  std::string doc;
  int at;  // index of the first byte that must be refused
};

const std::vector<Bad> kInvalidPeople = {
    {R"({"age":1})", 2},                         // missing required "name" (it comes first)
    {R"({"name":"","age":1})", 9},               // minLength 1
    {R"({"name":"Al","age":151})", 21},          // above maximum
    {R"({"name":"Al","age":-1})", 19},           // below minimum
    {R"({"name":"Al","age":1.5})", 20},          // not an integer
    {R"({"name":"Al","age":01})", 20},           // leading zero
    {R"({"name":"Al","age":1,"extra":1})", 22},  // extra property
    {R"({"name":"Al","age":1,"score":0})", 30},  // exclusiveMinimum 0
    {R"({"name":"Al","age":1,"score":1.01})", 32},
    {R"({"name":"Al","age":1,"tags":["a","b","c","d"]})", 40},  // maxItems 3
    {R"({"name":"Al","age":1,"tags":["abcdef"]})", 35},         // maxLength 5
    {R"({"name":"Al","age":1,"kind":"c"})", 29},
    {R"({"name":"Al","age":1,"kind":{"x":[2]}})", 34},
    {R"({"name":"Al","age":1,"addr":{}})", 29},  // missing required "city"
    {R"({"name":"Al","age":1 })", 20},           // no free whitespace
    {R"({ "name":"Al","age":1})", 1},
    {"{\"name\":\"a\x01\"}", 10},              // raw control character
    {R"({"name":"\uD800"})", 12},              // surrogate escape
    {R"({"name":"\x"})", 10},                  // unknown escape
    {"{\"name\":\"\xC0\x80\"}", 9},            // overlong encoding
    {"{\"name\":\"\xED\xA0\x80\"}", 10},       // UTF-8 encoded surrogate
    {"{\"name\":\"\xF4\x90\x80\x80\"}", 10},   // beyond U+10FFFF
    {"{\"name\":\"\xE6\x97\"}", 11},           // truncated sequence
    {R"({"name":"Al","age":1,"age":2})", 23},  // duplicate property ("a" could start "addr")
    {R"({"name":"Al","age":1,"addr":{"city":"x"},"score":0.5})",
     40},                                       // out of schema order: nothing may follow "addr"
    {R"({"name":"01234567890","age":1})", 19},  // 11 characters
    {R"({"name":"Al","age":1}x)", 21},          // after the end
    {R"({"name":"Al","age":1,})", 21},          // trailing comma
    {R"({"name":"Al","age":1,"nick":true})", 28},
};

TEST(JsonMatcher, AcceptsValidCorpusByteByByte) {
  const Schema s = Schema::parse(kPerson);
  for (const std::string& doc : kValidPeople) {
    Matcher m(s);
    EXPECT_EQ(first_rejection(m, doc), -1) << doc;
    EXPECT_TRUE(accepts_document(s, doc)) << doc;
    EXPECT_TRUE(nlohmann::json::accept(doc)) << doc;
  }
}

TEST(JsonMatcher, RejectsInvalidCorpusAtFirstBadByte) {
  const Schema s = Schema::parse(kPerson);
  for (const Bad& bad : kInvalidPeople) {
    Matcher m(s);
    EXPECT_EQ(first_rejection(m, bad.doc), bad.at) << bad.doc;
  }
}

TEST(JsonMatcher, RejectedByteLeavesStateUnchanged) {
  const Schema s = Schema::parse(kPerson);
  Matcher m(s);
  ASSERT_TRUE(m.advance(std::string_view(R"({"name":"A)")));
  EXPECT_FALSE(m.advance(static_cast<uint8_t>(0x01)));
  EXPECT_FALSE(m.advance(std::string_view("\",\"zzz")));
  EXPECT_TRUE(m.advance(std::string_view(R"(","age":5})")));
  EXPECT_TRUE(m.is_accepting());
  EXPECT_FALSE(m.can_continue());
}

TEST(JsonMatcher, ShortestCompletionClosesEveryPrefix) {
  const Schema s = Schema::parse(kPerson);
  for (const std::string& doc : kValidPeople) {
    Matcher m(s);
    for (size_t i = 0; i <= doc.size(); ++i) {
      const std::string completion = m.shortest_completion();
      EXPECT_EQ(static_cast<int>(completion.size()), m.min_bytes_to_close());
      const std::string closed = doc.substr(0, i) + completion;
      EXPECT_TRUE(accepts_document(s, closed)) << closed;
      EXPECT_TRUE(nlohmann::json::accept(closed)) << closed;
      if (i < doc.size()) {
        ASSERT_TRUE(m.advance(static_cast<uint8_t>(doc[i])));
      }
    }
  }
}

TEST(JsonMatcher, ForcedBytesFollowTheSchema) {
  const Schema s = Schema::parse(
      R"({"type":"object","properties":{"id":{"type":"integer"},"status":{"enum":["approved","approximate"]}},"required":["id","status"]})");
  Matcher m(s);
  EXPECT_EQ(m.forced_bytes(), R"({"id":)");
  ASSERT_TRUE(m.advance(std::string_view(R"({"id":7)")));
  EXPECT_FALSE(m.forced_byte().has_value());  // more digits or the comma
  ASSERT_TRUE(m.advance(static_cast<uint8_t>(',')));
  EXPECT_EQ(m.forced_bytes(), R"("status":"appro)");
  ASSERT_TRUE(m.advance(std::string_view(R"("status":"approv)")));
  EXPECT_EQ(m.forced_bytes(), R"(ed"})");
}

TEST(JsonMatcher, FieldIndexTracksTopLevelValues) {
  const Schema s = Schema::parse(kPerson);
  Matcher m(s);
  EXPECT_EQ(m.field_index(), -1);
  ASSERT_TRUE(m.advance(std::string_view(R"({"name":)")));
  EXPECT_EQ(m.field_path(), "/name");
  ASSERT_TRUE(m.advance(std::string_view(R"("x")")));
  EXPECT_EQ(m.field_index(), -1);  // between properties
  ASSERT_TRUE(m.advance(std::string_view(R"(,"age":4)")));
  EXPECT_EQ(m.field_path(), "/age");
  ASSERT_TRUE(m.advance(std::string_view(R"(,"addr":{"city":"Q)")));
  EXPECT_EQ(m.field_path(), "/addr");
  const Schema list = Schema::parse(R"({"type":"array","items":{"type":"string"}})");
  Matcher l(list);
  ASSERT_TRUE(l.advance(std::string_view(R"(["a","b)")));
  EXPECT_EQ(l.field_path(), "/1");
}

TEST(JsonMatcher, NonObjectDocumentsAndAnyValues) {
  EXPECT_TRUE(accepts_document(Schema::parse(R"({"type":"integer"})"), "-12"));
  EXPECT_TRUE(accepts_document(Schema::parse(R"({"type":"boolean"})"), "false"));
  EXPECT_TRUE(accepts_document(Schema::parse(R"({"type":"null"})"), "null"));
  EXPECT_TRUE(accepts_document(Schema::parse("true"), R"([1,"a",[null,{}],-0.5])"));
  EXPECT_TRUE(accepts_document(Schema::parse("{}"), R"("x")"));
  EXPECT_FALSE(accepts_document(Schema::parse("{}"), R"({"a":1})"));  // extra properties are never emitted
  EXPECT_TRUE(accepts_document(Schema::parse(R"({"properties":{"a":{"type":"string"}}})"), R"({"a":"b"})"));
  const Schema num = Schema::parse(R"({"type":"number"})");
  Matcher m(num);
  ASSERT_TRUE(m.advance(std::string_view("12")));
  EXPECT_TRUE(m.is_accepting());
  EXPECT_TRUE(m.can_continue());
  EXPECT_FALSE(accepts_document(num, "-0"));
  EXPECT_FALSE(accepts_document(num, "1e5"));
  EXPECT_FALSE(accepts_document(num, "1."));
  EXPECT_TRUE(accepts_document(num, "-0.25"));
}

TEST(JsonMatcher, AnyOfKeepsAlternativesAliveUntilTheyDiffer) {
  const Schema s = Schema::parse(R"({"anyOf":[
      {"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
      {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"}},"required":["a","b"]}]})");
  EXPECT_TRUE(accepts_document(s, R"({"a":"x"})"));
  EXPECT_TRUE(accepts_document(s, R"({"a":1,"b":true})"));
  EXPECT_FALSE(accepts_document(s, R"({"a":1})"));
  EXPECT_FALSE(accepts_document(s, R"({"a":"x","b":true})"));
  Matcher m(s);
  ASSERT_TRUE(m.advance(std::string_view(R"({"a":)")));
  EXPECT_EQ(m.shortest_completion(), R"("")"
                                     "}");
}

TEST(JsonMatcher, RecursiveRefsRespectMaxDepth) {
  Limits limits;
  limits.max_depth = 4;
  const Schema s = Schema::parse(R"({"$defs":{"node":{"type":"object","properties":{
      "name":{"type":"string"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name"]}},
      "$ref":"#/$defs/node"})",
                                 limits);
  EXPECT_TRUE(accepts_document(s, R"({"name":"a","kids":[{"name":"b","kids":[]}]})"));
  // Depth 5 would be the third object: its "kids" array may not open at level 5.
  EXPECT_EQ(
      first_rejection(Matcher(s), R"({"name":"a","kids":[{"name":"b","kids":[{"name":"c","kids":[]}]}]})"),
      40);
  Matcher m(s);
  ASSERT_TRUE(m.advance(std::string_view(R"({"name":"a","kids":[{"name":"b","kids":[)")));
  EXPECT_EQ(m.shortest_completion(), "]}]}");
}

}  // namespace
}  // namespace zeroidle::engine::json
