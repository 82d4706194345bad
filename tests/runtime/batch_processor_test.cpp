// SQS batch semantics: permanent vs transient, idempotency, conditional writes, deadlines, FIFO order,
// batched extraction; and body validation.
#include <gtest/gtest.h>

#include "fake_extractor.h"
#include "memory_store.h"
#include "runtime/batch_processor.h"
#include "runtime/log.h"

namespace zeroidle::runtime {
namespace {

using testing::FakeExtractor;
using testing::MemoryStore;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

SqsRecord record(const std::string& id, const nlohmann::json& body, bool fifo = false) {
  SqsRecord r;
  r.message_id = id;
  r.receipt_handle = "rh-" + id;
  r.body = body.is_string() ? body.get<std::string>() : body.dump();
  r.attributes = {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1700000000000"}};
  if (fifo) r.attributes["MessageGroupId"] = "group-1";
  return r;
}

// prefix + number (spelled out with append: GCC 12 warns falsely on "literal" + std::string temporaries).
std::string numbered(const char* prefix, int i) {
  return std::string(prefix).append(std::to_string(i));
}

nlohmann::json doc(const std::string& id, const std::string& content = "hello world") {
  return {{"document_id", id}, {"document_content", content}};
}

Config small_config() {
  Config c;
  c.n_ctx = 256;
  c.max_tokens = 32;
  return c;
}

struct BatchFixture : ::testing::Test {
  void SetUp() override { log::init("off"); }
  BatchProcessor processor(milliseconds margin = milliseconds(0)) {
    return BatchProcessor(fake, store, metrics, margin);
  }
  FakeExtractor fake{small_config()};
  MemoryStore store;
  Metrics metrics{"test"};
};

TEST_F(BatchFixture, PermanentErrorsAreRecordedAndNotRetried) {
  const std::vector<SqsRecord> records = {
      record("m1", doc("d1")),
      record("m2", nlohmann::json("{not json")),
      record("m3", nlohmann::json{{"document_id", "d3"}, {"document_content", "x"}, {"task", "poetry"}}),
      record(
          "m4",
          nlohmann::json{{"document_id", "d4"}, {"document_content", "x"}, {"schema", {{"type", "array"}}}}),
      record("m5", doc("d5", std::string(2000, 'y'))),  // 501 tokens + 32 > 256
      record("m6", nlohmann::json{{"document_content", "no id"}}),
      record("m7", doc("d7", "#permanent")),
      record("m8", nlohmann::json{{"document_id", "d8"}, {"document_content", "x"}, {"extra", 1}}),
      record("m9", nlohmann::json{{"document_id", 42}, {"document_content", "x"}}),
  };
  const BatchOutcome out = processor().process(records, Clock::time_point::max());
  EXPECT_TRUE(out.failed_message_ids.empty());
  EXPECT_EQ(out.counts.ok, 1);
  EXPECT_EQ(out.counts.rejected, 8);
  EXPECT_EQ(store.items.at("d1").status, "ok");
  EXPECT_EQ(store.items.at("d1").message_id, "m1");
  EXPECT_EQ(store.items.at("d1").model, FakeExtractor::kModel);
  EXPECT_EQ(store.items.at("m2").status, "rejected");  // no usable document_id: under the messageId
  EXPECT_NE(store.items.at("m2").error.find("not valid JSON"), std::string::npos);
  EXPECT_NE(store.items.at("d3").error.find("unknown task"), std::string::npos);
  EXPECT_NE(store.items.at("d4").error.find("schema"), std::string::npos);
  EXPECT_NE(store.items.at("d5").error.find("too long"), std::string::npos);
  EXPECT_NE(store.items.at("m6").error.find("document_id is missing"), std::string::npos);
  EXPECT_NE(store.items.at("d7").error.find("fake permanent"), std::string::npos);
  EXPECT_NE(store.items.at("d8").error.find("unknown field 'extra'"), std::string::npos);
  EXPECT_NE(store.items.at("m9").error.find("document_id must be a string"), std::string::npos);
  for (const auto& [id, r] : store.items) EXPECT_TRUE(r.data.is_null() || r.status == "ok") << id;
}

TEST_F(BatchFixture, TransientErrorsAreRetried) {
  store.write_errors = {"d2"};
  store.lookup_errors = {"d3"};
  const std::vector<SqsRecord> records = {record("m1", doc("d1")),          record("m2", doc("d2")),
                                          record("m3", doc("d3")),          record("m4", doc("d4", "#throw")),
                                          record("m5", doc("d5", "#fail")), record("m6", doc("d6"))};
  const BatchOutcome out = processor().process(records, Clock::time_point::max());
  EXPECT_EQ(out.failed_message_ids, (std::vector<std::string>{"m2", "m3", "m4", "m5"}));
  EXPECT_EQ(out.counts.ok, 2);
  EXPECT_EQ(out.counts.retried, 4);
  EXPECT_EQ(store.items.at("d4").status, "failed");  // recorded for visibility, overwritable
  EXPECT_NE(store.items.at("d4").error.find("fake transient failure"), std::string::npos);
  EXPECT_EQ(store.items.at("d5").status, "failed");
}

TEST_F(BatchFixture, FinishedResultsAreSkippedFailedOnesRecomputed) {
  ExtractionResult done;
  done.document_id = "d1";
  done.status = kStatusOk;
  store.items["d1"] = done;
  done.document_id = "d2";
  done.status = kStatusRejected;
  store.items["d2"] = done;
  done.document_id = "d3";
  done.status = kStatusFailed;
  store.items["d3"] = done;
  const BatchOutcome out = processor().process(
      {record("m1", doc("d1")), record("m2", doc("d2")), record("m3", doc("d3")), record("m3b", doc("d3"))},
      Clock::time_point::max());
  EXPECT_TRUE(out.failed_message_ids.empty());
  EXPECT_EQ(out.counts.skipped, 3);  // d1, d2, and d3's duplicate message after d3 was recomputed
  EXPECT_EQ(out.counts.ok, 1);
  EXPECT_EQ(fake.calls.load(), 1);
  EXPECT_EQ(store.items.at("d3").status, "ok");
}

// The other copy finished between this copy's lookup and its write.
class RacingStore : public MemoryStore {
 public:
  WriteOutcome write(const ExtractionResult& result, Clock::time_point deadline) override {
    ExtractionResult other = result;
    other.message_id = "other-copy";
    MemoryStore::write(other, deadline);
    return MemoryStore::write(result, deadline);
  }
};

TEST_F(BatchFixture, LosingTheConditionalWriteMeansDone) {
  RacingStore racing;
  BatchProcessor p(fake, racing, metrics, milliseconds(0));
  const BatchOutcome out = p.process({record("m1", doc("d1"))}, Clock::time_point::max());
  EXPECT_TRUE(out.failed_message_ids.empty());
  EXPECT_EQ(out.counts.skipped, 1);
  EXPECT_EQ(racing.items.at("d1").message_id, "other-copy");
}

TEST_F(BatchFixture, RecordsThatWouldMissTheDeadlineAreRetried) {
  // Each record takes (and is estimated at) 200 ms; 500 ms remain after the margin.
  std::vector<SqsRecord> records;
  for (int i = 1; i <= 5; ++i)
    records.push_back(record(numbered("m", i), doc(numbered("d", i), "#sleep=200")));
  const auto deadline = Clock::now() + milliseconds(100) + milliseconds(500);
  const BatchOutcome out = processor(milliseconds(100)).process(records, deadline);
  EXPECT_EQ(out.failed_message_ids, (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_EQ(out.counts.ok, 2);
  EXPECT_EQ(fake.calls.load(), 2);
  EXPECT_FALSE(store.items.count("d3"));
}

TEST_F(BatchFixture, PassedDeadlineRetriesEverything) {
  const BatchOutcome out = processor(milliseconds(1000))
                               .process({record("m1", doc("d1")), record("m2", nlohmann::json("junk"))},
                                        Clock::now() + milliseconds(500));
  EXPECT_EQ(out.failed_message_ids, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(fake.calls.load(), 0);
  EXPECT_TRUE(store.items.empty());
}

TEST_F(BatchFixture, FifoStopsAtTheFirstFailure) {
  const std::vector<SqsRecord> records = {
      record("m1", doc("d1"), true), record("m2", nlohmann::json("junk"), true),  // rejected: not a failure
      record("m3", doc("d3", "#throw"), true), record("m4", doc("d4"), true), record("m5", doc("d5"), true)};
  const BatchOutcome out = processor().process(records, Clock::time_point::max());
  EXPECT_EQ(out.failed_message_ids, (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_EQ(fake.calls.load(), 2);  // d1 and d3; d4 and d5 never started
  EXPECT_FALSE(store.items.count("d4"));
  EXPECT_EQ(store.items.at("m2").status, "rejected");
}

TEST_F(BatchFixture, StandardQueuesContinuePastFailures) {
  const BatchOutcome out = processor().process(
      {record("m1", doc("d1", "#throw")), record("m2", doc("d2")), record("m3", doc("d3"))},
      Clock::time_point::max());
  EXPECT_EQ(out.failed_message_ids, (std::vector<std::string>{"m1"}));
  EXPECT_EQ(out.counts.ok, 2);
}

TEST_F(BatchFixture, CallbackReportsEveryRecordOnce) {
  std::map<std::string, bool> seen;
  processor().process(
      {record("m1", doc("d1")), record("m2", doc("d2", "#throw")), record("m3", nlohmann::json("x"))},
      Clock::time_point::max(), [&](const SqsRecord& r, bool done) {
        EXPECT_FALSE(seen.count(r.message_id));
        seen[r.message_id] = done;
      });
  EXPECT_EQ(seen, (std::map<std::string, bool>{{"m1", true}, {"m2", false}, {"m3", true}}));
}

// An engine that decodes several documents together.
class BatchingFake : public FakeExtractor {
 public:
  using FakeExtractor::FakeExtractor;
  int max_batch() const override { return 3; }
  std::vector<ExtractionResult> extract_batch(const std::vector<ExtractionRequest>& requests,
                                              Clock::time_point deadline) override {
    batch_sizes.push_back(static_cast<int>(requests.size()));
    return Extractor::extract_batch(requests, deadline);
  }
  std::vector<int> batch_sizes;
};

TEST_F(BatchFixture, BatchingExtractorsGetGroups) {
  BatchingFake batching(small_config());
  BatchProcessor p(batching, store, metrics, milliseconds(0));
  std::vector<SqsRecord> records;
  for (int i = 1; i <= 7; ++i) records.push_back(record(numbered("m", i), doc(numbered("d", i))));
  records[3] = record("m4", nlohmann::json("junk"));  // resolved without the extractor
  const BatchOutcome out = p.process(records, Clock::time_point::max());
  EXPECT_TRUE(out.failed_message_ids.empty());
  EXPECT_EQ(out.counts.ok, 6);
  EXPECT_EQ(batching.batch_sizes, (std::vector<int>{3, 3}));
  for (int i : {1, 2, 3, 5, 6, 7}) {
    EXPECT_EQ(store.items.at(numbered("d", i)).message_id, numbered("m", i));
  }
}

// An extractor that misbehaves must not corrupt the records.
class SloppyExtractor : public FakeExtractor {
 public:
  using FakeExtractor::FakeExtractor;
  ExtractionResult extract(const ExtractionRequest& req, Clock::time_point deadline) override {
    ExtractionResult r = FakeExtractor::extract(req, deadline);
    r.document_id = "renamed";
    r.model.clear();
    if (req.document_content == "weird") r.status = "maybe";
    return r;
  }
};

TEST_F(BatchFixture, ResultsAreNormalized) {
  SloppyExtractor sloppy(small_config());
  BatchProcessor p(sloppy, store, metrics, milliseconds(0));
  const BatchOutcome out =
      p.process({record("m1", doc("d1")), record("m2", doc("d2", "weird"))}, Clock::time_point::max());
  EXPECT_EQ(out.failed_message_ids, (std::vector<std::string>{"m2"}));
  EXPECT_EQ(store.items.at("d1").model, FakeExtractor::kModel);
  EXPECT_FALSE(store.items.count("renamed"));
  EXPECT_NE(store.items.at("d2").error.find("unknown status"), std::string::npos);
}

TEST_F(BatchFixture, DirectRequests) {
  ExtractionRequest req;
  req.document_id = "direct-1";
  req.document_content = "one two three";
  const ExtractionResult r = processor().process_direct(req, Clock::time_point::max());
  EXPECT_EQ(r.status, "ok");
  EXPECT_EQ(r.data["words"], 3);
  EXPECT_EQ(store.items.at("direct-1").status, "ok");
  req.document_content = "#throw";
  EXPECT_EQ(processor().process_direct(req, Clock::time_point::max()).status, "failed");
}

// ---- body validation ----------------------------------------------------------------------------

TEST(RequestBody, AcceptsTheContract) {
  const ParsedBody p = parse_request_body(
      R"({"document_id":"a","document_content":"text","schema":{"type":"object"},"task":"extract","max_tokens":9})",
      "mid");
  ASSERT_TRUE(p.request) << p.error;
  EXPECT_EQ(p.request->document_id, "a");
  EXPECT_EQ(p.request->message_id, "mid");
  EXPECT_EQ(*p.request->task, "extract");
  EXPECT_EQ(*p.request->max_tokens, 9);
  EXPECT_EQ((*p.request->schema)["type"], "object");
  const ParsedBody nulls =
      parse_request_body(R"({"document_id":"a","document_content":"t","schema":null})", "m");
  ASSERT_TRUE(nulls.request);
  EXPECT_FALSE(nulls.request->schema);
}

TEST(RequestBody, KeepsSchemaPropertyOrder) {
  // The engine answers fields in schema order: parsing must not sort them.
  const ParsedBody p = parse_request_body(
      R"({"document_id":"a","document_content":"t","schema":{"type":"object","properties":{"zeta":{},"alpha":{}}}})",
      "m");
  ASSERT_TRUE(p.request);
  EXPECT_EQ(p.request->schema->dump(), R"({"type":"object","properties":{"zeta":{},"alpha":{}}})");
}

TEST(RequestBody, RejectsEverythingElseWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not valid JSON"},
      {"[1]", "not an object"},
      {R"({"document_id":"","document_content":"t"})", "document_id is empty"},
      {R"({"document_id":"a"})", "document_content is missing"},
      {R"({"document_id":"a","document_content":5})", "document_content must be a string"},
      {R"({"document_id":"a","document_content":""})", "document_content is empty"},
      {R"({"document_id":"a","document_content":"t","schema":"x"})", "schema must be"},
      {R"({"document_id":"a","document_content":"t","task":""})", "task must be"},
      {R"({"document_id":"a","document_content":"t","max_tokens":0})", "max_tokens"},
      {R"({"document_id":"a","document_content":"t","max_tokens":1.5})", "max_tokens"},
  };
  for (const auto& [body, reason] : cases) {
    const ParsedBody p = parse_request_body(body, "m");
    EXPECT_FALSE(p.request) << body;
    EXPECT_NE(p.error.find(reason), std::string::npos) << body << " -> " << p.error;
  }
  // A usable document_id names the rejection even when the rest is wrong.
  EXPECT_EQ(parse_request_body(R"({"document_id":"a","document_content":7})", "m").document_id, "a");
  EXPECT_EQ(
      parse_request_body(
          std::string(R"({"document_id":")") + std::string(2000, 'x') + R"(","document_content":"t"})", "m")
          .document_id,
      "");
  // The error never quotes the body.
  EXPECT_EQ(parse_request_body("secret text that is not json", "m").error.find("secret"), std::string::npos);
}

TEST(SqsRecords, FromLambdaEventAndReceiveMessage) {
  const nlohmann::json event_record = {
      {"messageId", "059f36b4-87a3-44ab-83d2-661975830a7d"},
      {"receiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a"},
      {"body", "{}"},
      {"attributes",
       {{"ApproximateReceiveCount", "3"},
        {"SentTimestamp", "1545082649183"},
        {"SenderId", "AIDAIENQZJOLO23YVJ4VO"},
        {"ApproximateFirstReceiveTimestamp", "1545082649185"},
        {"MessageGroupId", "g"},
        {"MessageDeduplicationId", "d"},
        {"SequenceNumber", "1"}}},
      {"messageAttributes", {{"k", {{"stringValue", "v"}, {"dataType", "String"}}}}},
      {"md5OfBody", "99914b932bd37a50b983c5e7c90ae93b"},
      {"eventSource", "aws:sqs"},
      {"eventSourceARN", "arn:aws:sqs:us-east-2:123456789012:my-queue.fifo"},
      {"awsRegion", "us-east-2"}};
  const SqsRecord r = record_from_lambda_event(event_record);
  EXPECT_EQ(r.message_id, "059f36b4-87a3-44ab-83d2-661975830a7d");
  EXPECT_EQ(r.receive_count(), 3);
  EXPECT_TRUE(r.fifo());
  EXPECT_EQ(r.event_source_arn, "arn:aws:sqs:us-east-2:123456789012:my-queue.fifo");
  EXPECT_EQ(r.message_attributes["k"]["stringValue"], "v");
  EXPECT_THROW(record_from_lambda_event({{"body", "{}"}}), std::invalid_argument);
  EXPECT_THROW(record_from_lambda_event({{"messageId", "x"}, {"body", 5}}), std::invalid_argument);

  const SqsRecord m = record_from_receive_message({{"MessageId", "id"},
                                                   {"ReceiptHandle", "rh"},
                                                   {"MD5OfBody", "md5"},
                                                   {"Body", "{}"},
                                                   {"Attributes", {{"ApproximateReceiveCount", "1"}}}});
  EXPECT_EQ(m.message_id, "id");
  EXPECT_EQ(m.receipt_handle, "rh");
  EXPECT_EQ(m.receive_count(), 1);
  EXPECT_FALSE(m.fifo());
}

}  // namespace
}  // namespace zeroidle::runtime
