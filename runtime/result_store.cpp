#include "runtime/result_store.h"

#include <cstdio>

#include "runtime/log.h"

namespace zeroidle::runtime {

ResultStore::~ResultStore() = default;

Lookup LogResultStore::lookup(const std::string&, Clock::time_point) {
  return {};
}

WriteOutcome LogResultStore::write(const ExtractionResult& result, Clock::time_point) {
  log::info("result", {{"result", result_to_json(result)}});
  return {};
}

namespace {

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

nlohmann::json to_dynamodb_item(const ExtractionResult& r, const std::string& processed_at) {
  nlohmann::json item = {
      {"document_id", {{"S", r.document_id}}},
      {"status", {{"S", r.status}}},
      {"model", {{"S", r.model.empty() ? std::string("unknown") : r.model}}},
      {"processed_at", {{"S", processed_at}}},
      {"tokens_in", {{"N", std::to_string(r.tokens_in)}}},
      {"tokens_out", {{"N", std::to_string(r.tokens_out)}}},
      {"prefill_ms", {{"N", number_text(r.prefill_ms)}}},
      {"decode_ms", {{"N", number_text(r.decode_ms)}}},
  };
  if (!r.data.is_null()) item["data"] = {{"S", log::dump_json(r.data)}};
  if (!r.field_confidence.is_null()) item["field_confidence"] = {{"S", log::dump_json(r.field_confidence)}};
  if (!r.error.empty()) item["error"] = {{"S", r.error}};
  if (!r.message_id.empty()) item["message_id"] = {{"S", r.message_id}};
  return item;
}

size_t dynamodb_item_bytes(const nlohmann::json& item) {
  size_t bytes = 0;
  for (auto it = item.begin(); it != item.end(); ++it) {
    bytes += it.key().size();
    for (auto v = it.value().begin(); v != it.value().end(); ++v) {
      bytes += v.value().is_string() ? v.value().get_ref<const std::string&>().size()
                                     : log::dump_json(v.value()).size();
    }
  }
  return bytes;
}

nlohmann::json put_item_request(const std::string& table, const nlohmann::json& item) {
  return {
      {"TableName", table},
      {"Item", item},
      // "status" is a DynamoDB reserved word, hence #s.
      {"ConditionExpression", "attribute_not_exists(document_id) OR #s = :failed"},
      {"ExpressionAttributeNames", {{"#s", "status"}}},
      {"ExpressionAttributeValues", {{":failed", {{"S", kStatusFailed}}}}},
  };
}

DynamoDbResultStore::DynamoDbResultStore(std::string table, std::unique_ptr<AwsJsonClient> client)
    : table_(std::move(table)), client_(std::move(client)) {}

Lookup DynamoDbResultStore::lookup(const std::string& document_id, Clock::time_point deadline) {
  const nlohmann::json request = {
      {"TableName", table_},
      {"Key", {{"document_id", {{"S", document_id}}}}},
      {"ConsistentRead", true},
      {"ProjectionExpression", "#s"},
      {"ExpressionAttributeNames", {{"#s", "status"}}},
  };
  const AwsResult r = client_->call("DynamoDB_20120810.GetItem", request, deadline);
  Lookup out;
  if (!r.ok) {
    out.status = Lookup::kError;
    out.error = "GetItem on " + table_ + ": " + r.error.describe();
    return out;
  }
  const nlohmann::json* status = nullptr;
  if (auto item = r.body.find("Item"); item != r.body.end() && item->is_object()) {
    if (auto s = item->find("status"); s != item->end() && s->is_object() && s->contains("S"))
      status = &(*s)["S"];
  }
  if (status && status->is_string()) {
    out.existing_status = status->get<std::string>();
    if (out.existing_status == kStatusOk || out.existing_status == kStatusRejected)
      out.status = Lookup::kFinished;
  }
  return out;
}

WriteOutcome DynamoDbResultStore::write(const ExtractionResult& result, Clock::time_point deadline) {
  const std::string now = log::iso8601(std::chrono::system_clock::now());
  nlohmann::json item = to_dynamodb_item(result, now);
  if (const size_t bytes = dynamodb_item_bytes(item); bytes > kDynamoDbMaxItemBytes - 1024) {
    // Deterministic generation would produce the same result again: a permanent problem.
    ExtractionResult too_big = result;
    too_big.status = kStatusRejected;
    too_big.data = nullptr;
    too_big.field_confidence = nullptr;
    too_big.error = "result of " + std::to_string(bytes) + " bytes exceeds DynamoDB's 400 KB item limit" +
                    (result.error.empty() ? "" : " (" + result.error.substr(0, 1000) + ")");
    log::warn("result too large for a DynamoDB item; stored as rejected",
              {{"document_id", result.document_id}, {"item_bytes", bytes}});
    item = to_dynamodb_item(too_big, now);
  }
  const AwsResult r = client_->call("DynamoDB_20120810.PutItem", put_item_request(table_, item), deadline);
  if (r.ok) return {};
  if (r.error.code == "ConditionalCheckFailedException") return {WriteOutcome::kAlreadyFinished, {}};
  return {WriteOutcome::kError, "PutItem on " + table_ + ": " + r.error.describe()};
}

std::unique_ptr<ResultStore> make_result_store(const Config& config) {
  if (config.results_table.empty()) return std::make_unique<LogResultStore>();
  auto credentials = Credentials::from_env();
  if (!credentials) {
    throw std::runtime_error(
        "ZEROIDLE_RESULTS_TABLE is set but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not");
  }
  AwsEndpoint endpoint = resolve_endpoint("DYNAMODB", "dynamodb");
  auto client =
      std::make_unique<AwsJsonClient>(std::move(endpoint), *credentials, std::make_unique<CurlTransport>());
  return std::make_unique<DynamoDbResultStore>(config.results_table, std::move(client));
}

}  // namespace zeroidle::runtime
