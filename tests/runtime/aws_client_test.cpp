// The AWS JSON client (retry policy, error parsing, endpoints) and the DynamoDB result store, against a
// scripted HTTP peer.
#include <gtest/gtest.h>

#include <cstdlib>

#include "runtime/aws_client.h"
#include "runtime/log.h"
#include "runtime/result_store.h"
#include "runtime/sqs_client.h"
#include "scripted_transport.h"

namespace zeroidle::runtime {
namespace {

using testing::ScriptedTransport;
using testing::TransportLog;

struct ClientFixture : ::testing::Test {
  void SetUp() override { log::init("off"); }

  std::unique_ptr<AwsJsonClient> client(RetryPolicy policy = {}) {
    auto c = std::make_unique<AwsJsonClient>(AwsEndpoint{"http://127.0.0.1:9/", "us-east-1", "dynamodb"},
                                             Credentials{"AKID", "secret", ""},
                                             std::make_unique<ScriptedTransport>(log), policy);
    c->set_sleeper([this](std::chrono::milliseconds d) { sleeps.push_back(d); });
    return c;
  }

  std::shared_ptr<TransportLog> log = std::make_shared<TransportLog>();
  std::vector<std::chrono::milliseconds> sleeps;
};

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (to_lower(k) == to_lower(name)) return v;
  }
  return {};
}

TEST_F(ClientFixture, SendsSignedJsonProtocolRequests) {
  log->responses.push_back(ScriptedTransport::ok("{\"x\":1}"));
  const AwsResult r = client()->call("DynamoDB_20120810.GetItem", {{"TableName", "t"}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body["x"], 1);
  ASSERT_EQ(log->requests.size(), 1u);
  const HttpRequest& req = log->requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(header(req, "X-Amz-Target"), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(header(req, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(header(req, "Host"), "127.0.0.1:9");
  EXPECT_NE(header(req, "Authorization").find("/us-east-1/dynamodb/aws4_request"), std::string::npos);
  EXPECT_NE(header(req, "Authorization").find("content-type;host;x-amz-date;x-amz-target"),
            std::string::npos);
}

TEST_F(ClientFixture, RetriesThrottlingAnd5xxWithJitteredBackoff) {
  log->responses.push_back(ScriptedTransport::aws_error(400, "ProvisionedThroughputExceededException"));
  log->responses.push_back(ScriptedTransport::aws_error(400, "ThrottlingException"));
  log->responses.push_back(ScriptedTransport::aws_error(400, "RequestLimitExceeded"));
  log->responses.push_back(ScriptedTransport::aws_error(500, "InternalServerError"));
  log->responses.push_back(ScriptedTransport::aws_error(503, "ServiceUnavailable"));
  log->responses.push_back(ScriptedTransport::ok("{}"));
  const RetryPolicy policy{8, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
  const AwsResult r = client(policy)->call("DynamoDB_20120810.PutItem", nlohmann::json::object());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.attempts, 6);
  ASSERT_EQ(sleeps.size(), 5u);
  for (size_t i = 0; i < sleeps.size(); ++i) {
    EXPECT_LE(sleeps[i].count(), std::min<long long>(50, 10LL << i)) << "attempt " << i;  // full jitter bound
  }
  // Each attempt is signed afresh.
  EXPECT_EQ(log->requests.size(), 6u);
}

TEST_F(ClientFixture, DoesNotRetryClientErrorsOrTransportFailures) {
  for (const char* code : {"ValidationException", "ConditionalCheckFailedException",
                           "ResourceNotFoundException", "AccessDeniedException"}) {
    log->requests.clear();
    log->responses = {ScriptedTransport::aws_error(400, code, "nope")};
    const AwsResult r = client()->call("DynamoDB_20120810.PutItem", nlohmann::json::object());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error.code, code);
    EXPECT_EQ(r.error.message, "nope");
    EXPECT_EQ(r.attempts, 1) << code;
  }
  log->responses = {ScriptedTransport::transport_failure()};
  const AwsResult r = client()->call("DynamoDB_20120810.PutItem", nlohmann::json::object());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, "TransportError");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(sleeps.empty());
}

TEST_F(ClientFixture, GivesUpAfterMaxAttemptsAndBeforeTheDeadline) {
  for (int i = 0; i < 10; ++i)
    log->responses.push_back(ScriptedTransport::aws_error(500, "InternalServerError"));
  const RetryPolicy policy{3, std::chrono::milliseconds(1), std::chrono::milliseconds(2)};
  EXPECT_EQ(client(policy)->call("T.X", nlohmann::json::object()).attempts, 3);

  log->requests.clear();
  const RetryPolicy slow{8, std::chrono::milliseconds(100000), std::chrono::milliseconds(100000)};
  const AwsResult r = client(slow)->call("T.X", nlohmann::json::object(),
                                         std::chrono::steady_clock::now() + std::chrono::milliseconds(1));
  EXPECT_FALSE(r.ok);
  EXPECT_LE(r.attempts, 2) << "a backoff that would pass the deadline is not taken";

  log->requests.clear();
  client()->call("T.X", nlohmann::json::object(), std::chrono::steady_clock::now() + std::chrono::seconds(2));
  ASSERT_FALSE(log->requests.empty());
  EXPECT_LE(log->requests[0].timeout_ms, 2000) << "an attempt's HTTP timeout ends at the deadline";
  EXPECT_GE(log->requests[0].timeout_ms, 500);
}

TEST_F(ClientFixture, ParsesSqsJsonErrorsAndThrottlingHeader) {
  HttpResponse resp;
  resp.status = 400;
  resp.body =
      "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not "
      "exist.\"}";
  resp.headers = {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}};
  AwsError e = parse_aws_error(resp);
  EXPECT_EQ(e.code, "QueueDoesNotExist");
  EXPECT_FALSE(e.throttled);
  resp.body = "{\"__type\":\"com.amazonaws.sqs#RequestThrottled\"}";
  resp.headers = {{"x-amzn-query-error", "AWS.SimpleQueueService.RequestThrottled;Sender"}};
  EXPECT_TRUE(parse_aws_error(resp).throttled);
  HttpResponse header_only;
  header_only.status = 400;
  header_only.headers = {{"x-amzn-errortype", "ValidationException:http://internal.amazon.com/"}};
  EXPECT_EQ(parse_aws_error(header_only).code, "ValidationException");
  HttpResponse xml;
  xml.status = 403;
  xml.body =
      "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not "
      "match</Message></Error></Errors></ErrorResponse>";
  EXPECT_EQ(parse_aws_error(xml).code, "SignatureDoesNotMatch");
  EXPECT_EQ(parse_aws_error(xml).message, "The request signature we calculated does not match");
}

TEST(Endpoints, EnvironmentPrecedence) {
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
  unsetenv("AWS_DEFAULT_REGION");
  setenv("AWS_REGION", "eu-west-3", 1);
  EXPECT_EQ(resolve_endpoint("DYNAMODB", "dynamodb").url, "https://dynamodb.eu-west-3.amazonaws.com/");
  setenv("AWS_ENDPOINT_URL", "http://localhost:4566", 1);
  EXPECT_EQ(resolve_endpoint("DYNAMODB", "dynamodb").url, "http://localhost:4566/");
  setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000/", 1);
  EXPECT_EQ(resolve_endpoint("DYNAMODB", "dynamodb").url, "http://127.0.0.1:8000/");
  EXPECT_EQ(resolve_endpoint("SQS", "sqs").url, "http://localhost:4566/");
  unsetenv("AWS_REGION");
  EXPECT_EQ(resolve_endpoint("SQS", "sqs", "ap-south-1").region, "ap-south-1");
  EXPECT_THROW(resolve_endpoint("SQS", "sqs"), std::runtime_error);
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
  EXPECT_EQ(region_from_queue_url("https://sqs.us-west-2.amazonaws.com/123/q"), "us-west-2");
  EXPECT_EQ(region_from_queue_url("https://eu-west-1.queue.amazonaws.com/123/q"), "eu-west-1");
  EXPECT_EQ(region_from_queue_url("http://127.0.0.1:5000/123/q"), "");
  EXPECT_EQ(md5_hex("{\"a\":1}"), "bb6cb5c68df4652941caf652a366f2d8");  // as moto/SQS report MD5OfBody
}

// ---- DynamoDB result store ----------------------------------------------------------------------

ExtractionResult sample_result() {
  ExtractionResult r;
  r.document_id = "doc-1";
  r.status = kStatusOk;
  r.data = {{"total", 12.5}, {"name", ""}, {"none", nullptr}, {"big", 123456789012345678LL}};
  r.model = "m";
  r.tokens_in = 10;
  r.tokens_out = 3;
  r.prefill_ms = 1.25;
  r.decode_ms = 2;
  r.message_id = "mid-1";
  return r;
}

TEST(DynamoDbItem, LayoutAndConditionalPut) {
  const nlohmann::json item = to_dynamodb_item(sample_result(), "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(item["document_id"]["S"], "doc-1");
  EXPECT_EQ(item["status"]["S"], "ok");
  // Lossless and in the model's field order.
  EXPECT_EQ(item["data"]["S"], R"({"total":12.5,"name":"","none":null,"big":123456789012345678})");
  EXPECT_EQ(item["tokens_in"]["N"], "10");
  EXPECT_EQ(item["prefill_ms"]["N"], "1.250");
  EXPECT_EQ(item["message_id"]["S"], "mid-1");
  EXPECT_EQ(item["processed_at"]["S"], "2025-01-01T00:00:00.000Z");
  EXPECT_FALSE(item.contains("error"));
  const nlohmann::json put = put_item_request("results", item);
  EXPECT_EQ(put["ConditionExpression"], "attribute_not_exists(document_id) OR #s = :failed");
  EXPECT_EQ(put["ExpressionAttributeNames"]["#s"], "status");
  EXPECT_EQ(put["ExpressionAttributeValues"][":failed"]["S"], "failed");
}

struct StoreFixture : ClientFixture {
  DynamoDbResultStore store() { return DynamoDbResultStore("results", client()); }
  nlohmann::json sent(size_t i) { return nlohmann::json::parse(log->requests.at(i).body); }
};

TEST_F(StoreFixture, LookupFindsOnlyFinishedResults) {
  log->responses = {ScriptedTransport::ok("{\"Item\":{\"status\":{\"S\":\"ok\"}}}"),
                    ScriptedTransport::ok("{\"Item\":{\"status\":{\"S\":\"rejected\"}}}"),
                    ScriptedTransport::ok("{\"Item\":{\"status\":{\"S\":\"failed\"}}}"),
                    ScriptedTransport::ok("{}"),
                    ScriptedTransport::aws_error(400, "ResourceNotFoundException")};
  auto s = store();
  const auto max = ResultStore::Clock::time_point::max();
  EXPECT_EQ(s.lookup("a", max).status, Lookup::kFinished);
  EXPECT_EQ(s.lookup("a", max).status, Lookup::kFinished);
  EXPECT_EQ(s.lookup("a", max).status, Lookup::kNotFinished);
  EXPECT_EQ(s.lookup("a", max).status, Lookup::kNotFinished);
  const Lookup err = s.lookup("a", max);
  EXPECT_EQ(err.status, Lookup::kError);
  EXPECT_NE(err.error.find("ResourceNotFoundException"), std::string::npos);
  EXPECT_EQ(header(log->requests[0], "X-Amz-Target"), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(sent(0)["ConsistentRead"], true);
  EXPECT_EQ(sent(0)["Key"]["document_id"]["S"], "a");
}

TEST_F(StoreFixture, WriteOutcomes) {
  log->responses = {ScriptedTransport::ok("{}"),
                    ScriptedTransport::aws_error(400, "ConditionalCheckFailedException"),
                    ScriptedTransport::aws_error(400, "ValidationException")};
  auto s = store();
  const auto max = ResultStore::Clock::time_point::max();
  EXPECT_EQ(s.write(sample_result(), max).status, WriteOutcome::kWritten);
  EXPECT_EQ(s.write(sample_result(), max).status, WriteOutcome::kAlreadyFinished);
  EXPECT_EQ(s.write(sample_result(), max).status, WriteOutcome::kError);
  EXPECT_EQ(header(log->requests[0], "X-Amz-Target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(sent(0)["TableName"], "results");
  EXPECT_EQ(sent(0)["Item"]["document_id"]["S"], "doc-1");
}

TEST_F(StoreFixture, OversizedResultIsStoredAsRejected) {
  ExtractionResult r = sample_result();
  r.data = {{"padding", std::string(500 * 1024, 'x')}};
  auto s = store();
  EXPECT_EQ(s.write(r, ResultStore::Clock::time_point::max()).status, WriteOutcome::kWritten);
  const nlohmann::json item = sent(0)["Item"];
  EXPECT_EQ(item["status"]["S"], "rejected");
  EXPECT_FALSE(item.contains("data"));
  EXPECT_NE(item["error"]["S"].get<std::string>().find("400 KB"), std::string::npos);
  EXPECT_LT(log->requests[0].body.size(), kDynamoDbMaxItemBytes);
}

TEST_F(StoreFixture, InvalidUtf8NeverThrows) {
  ExtractionResult r = sample_result();
  r.document_id = "bad\xff\xfe";
  r.error = "x\xc3";
  auto s = store();
  EXPECT_NO_THROW(s.write(r, ResultStore::Clock::time_point::max()));
}

}  // namespace
}  // namespace zeroidle::runtime
