// Event dispatch and replies (without HTTP), the 6 MB response rule, log lines and EMF records.
#include <gtest/gtest.h>

#include "fake_extractor.h"
#include "memory_store.h"
#include "runtime/lambda_handler.h"
#include "runtime/log.h"

namespace zeroidle::runtime {
namespace {

using testing::FakeExtractor;
using testing::MemoryStore;

struct HandlerFixture : ::testing::Test {
  void SetUp() override { log::init("off"); }

  Reply invoke(const nlohmann::json& event) {
    Invocation inv;
    inv.request_id = "req-1";
    inv.deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      60000;
    inv.payload = event.is_string() ? event.get<std::string>() : event.dump();
    return handler.handle(inv);
  }

  FakeExtractor fake{[] {
    Config c;
    c.n_ctx = 4096;
    c.max_tokens = 64;
    return c;
  }()};
  MemoryStore store;
  Metrics metrics{"test"};
  BatchProcessor processor{fake, store, metrics, std::chrono::milliseconds(100)};
  LambdaHandler handler{processor, metrics, FakeExtractor::kModel};
};

nlohmann::json sqs_record(const std::string& id, const nlohmann::json& body) {
  return {{"messageId", id},
          {"receiptHandle", "rh"},
          {"body", body.dump()},
          {"attributes", {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1"}}},
          {"messageAttributes", nlohmann::json::object()},
          {"md5OfBody", "x"},
          {"eventSource", "aws:sqs"},
          {"eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:q"},
          {"awsRegion", "us-east-1"}};
}

TEST_F(HandlerFixture, SqsBatchAnswersBatchItemFailures) {
  const Reply r = invoke({{"Records",
                           {sqs_record("m1", {{"document_id", "d1"}, {"document_content", "a"}}),
                            sqs_record("m2", {{"document_id", "d2"}, {"document_content", "#throw"}}),
                            sqs_record("m3", {{"document_content", "no id"}})}}});
  ASSERT_FALSE(r.is_error) << r.error.message;
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"batchItemFailures":[{"itemIdentifier":"m2"}]})"));
  EXPECT_EQ(store.items.at("m3").status, "rejected");
  EXPECT_EQ(nlohmann::json::parse(invoke({{"Records", nlohmann::json::array()}}).body),
            nlohmann::json::parse(R"({"batchItemFailures":[]})"));
}

TEST_F(HandlerFixture, WarmUpDoesNoWork) {
  const Reply r = invoke({{"version", "0"},
                          {"id", "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa"},
                          {"detail-type", "Scheduled Event"},
                          {"source", "aws.events"},
                          {"account", "123456789012"},
                          {"time", "2015-10-08T16:53:06Z"},
                          {"region", "us-east-1"},
                          {"resources", {"arn:aws:events:us-east-1:123456789012:rule/warm"}},
                          {"detail", nlohmann::json::object()}});
  ASSERT_FALSE(r.is_error);
  EXPECT_EQ(nlohmann::json::parse(r.body)["warm"], true);
  EXPECT_EQ(fake.calls.load(), 0);
  EXPECT_EQ(store.writes, 0);
}

TEST_F(HandlerFixture, DirectInvocationReturnsTheRecord) {
  Reply r = invoke({{"document_id", "inv-7"}, {"document_content", "one two"}, {"task", "classify"}});
  ASSERT_FALSE(r.is_error) << r.error.message;
  nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["document_id"], "inv-7");
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["data"]["task"], "classify");
  EXPECT_EQ(body["model"], FakeExtractor::kModel);

  r = invoke({{"document_content", "no id given"}});
  body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["document_id"], "req-1");  // the request id stands in

  r = invoke({{"document_content", "x"}, {"task", "poetry"}});
  ASSERT_FALSE(r.is_error);
  body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["status"], "rejected");
  EXPECT_NE(body["error"].get<std::string>().find("unknown task"), std::string::npos);

  r = invoke({{"document_id", "d"}, {"document_content", 5}});
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "rejected");

  r = invoke({{"document_content", "#fail"}});
  ASSERT_TRUE(r.is_error);
  EXPECT_EQ(r.error.error_type, "Function.ExtractionFailed");
}

TEST_F(HandlerFixture, OtherEventsAreErrors) {
  Reply r = invoke(nlohmann::json("not json at all"));
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error.error_type, "Function.InvalidEvent");
  r = invoke({{"hello", "world"}});
  EXPECT_EQ(r.error.error_type, "Function.UnsupportedEvent");
  r = invoke(nlohmann::json::array({1, 2}));
  EXPECT_EQ(r.error.error_type, "Function.UnsupportedEvent");
  r = invoke({{"Records", {{{"eventSource", "aws:s3"}}}}});
  EXPECT_EQ(r.error.error_type, "Function.UnsupportedEvent");
  EXPECT_NE(r.error.message.find("aws:s3"), std::string::npos);
  r = invoke({{"Records", {{{"eventSource", "aws:sqs"}, {"body", "{}"}}}}});
  EXPECT_EQ(r.error.error_type, "Function.InvalidEvent");  // no messageId: the batch is retried whole
  const std::string json = r.error.to_json();
  const nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_TRUE(parsed.contains("errorMessage"));
  EXPECT_EQ(parsed["errorType"], "Function.InvalidEvent");
  EXPECT_TRUE(parsed["stackTrace"].is_array());
}

TEST(DirectReply, NeverOverTheLimit) {
  ExtractionResult r;
  r.document_id = "d";
  r.status = kStatusOk;
  r.data = {{"padding", std::string(5000, 'x')}};
  Reply reply = direct_reply(r, 100000);
  EXPECT_FALSE(reply.is_error);
  EXPECT_GT(reply.body.size(), 5000u);

  reply = direct_reply(r, 1000);
  ASSERT_FALSE(reply.is_error);
  EXPECT_LE(reply.body.size(), 1000u);
  const nlohmann::json body = nlohmann::json::parse(reply.body);
  EXPECT_TRUE(body["data"].is_null());
  EXPECT_EQ(body["truncated"], true);
  EXPECT_NE(body["error"].get<std::string>().find("response limit"), std::string::npos);

  reply = direct_reply(r, 20);
  ASSERT_TRUE(reply.is_error);
  EXPECT_EQ(reply.error.error_type, "Function.ResponseTooLarge");
  EXPECT_EQ(kMaxLambdaResponseBytes, 6u * 1024 * 1024);
}

TEST(LogLines, OneJsonObjectWithCorrelationIds) {
  log::Context ctx{"req-9", "Root=1-abc;Parent=def;Sampled=1", "msg-3"};
  const std::string line =
      log::format_line(log::Level::kWarn, "record failed", {{"document_id", "d\xff"}}, ctx,
                       std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123)));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["timestamp"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["message"], "record failed");
  EXPECT_EQ(j["request_id"], "req-9");
  EXPECT_EQ(j["trace_id"], "Root=1-abc;Parent=def;Sampled=1");
  EXPECT_EQ(j["message_id"], "msg-3");
  EXPECT_EQ(j["document_id"], "d\xEF\xBF\xBD");  // invalid UTF-8 replaced, never thrown on
}

TEST(Emf, RecordShape) {
  const nlohmann::json r =
      emf_record("zeroidle", "FunctionName", "fn",
                 {{"PromptTokens", 12, "Count"}, {"RecordMs", 3.5, "Milliseconds"}}, {{"request_id", "req"}},
                 std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123)));
  EXPECT_EQ(r["_aws"]["Timestamp"], 1700000000123);
  const nlohmann::json& directive = r["_aws"]["CloudWatchMetrics"].at(0);
  EXPECT_EQ(directive["Namespace"], "zeroidle");
  EXPECT_EQ(directive["Dimensions"], nlohmann::json::parse(R"([["FunctionName"]])"));
  EXPECT_EQ(directive["Metrics"],
            nlohmann::json::parse(
                R"([{"Name":"PromptTokens","Unit":"Count"},{"Name":"RecordMs","Unit":"Milliseconds"}])"));
  EXPECT_EQ(r["FunctionName"], "fn");
  EXPECT_EQ(r["PromptTokens"], 12);
  EXPECT_EQ(r["RecordMs"], 3.5);
  EXPECT_EQ(r["request_id"], "req");
}

}  // namespace
}  // namespace zeroidle::runtime
