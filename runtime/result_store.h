// Where results go. A DynamoDB table keyed by document_id (conditional writes make concurrent copies of
// one SQS message safe), or, with no table configured, the logs.
//
// DynamoDB item (one per document_id):
//   document_id S (key) | status S ok|rejected|failed | model S | processed_at S (ISO 8601 UTC)
//   tokens_in N | tokens_out N | prefill_ms N | decode_ms N
//   data S             the extracted JSON as JSON text (exactly what the model produced: no loss of
//                      number precision, empty strings or nulls, which DynamoDB maps would alter)
//   field_confidence S JSON text, when computed
//   error S            when status != ok
//   message_id S       the SQS messageId, when from SQS
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "runtime/aws_client.h"
#include "runtime/config.h"
#include "runtime/extractor.h"

namespace zeroidle::runtime {

// DynamoDB's item size limit; results that would exceed it are stored as rejected with the reason.
inline constexpr size_t kDynamoDbMaxItemBytes = 400 * 1024;

struct Lookup {
  enum Status { kNotFinished, kFinished, kError } status = kNotFinished;
  std::string existing_status;  // the stored status when found
  std::string error;            // when kError
};

struct WriteOutcome {
  enum Status { kWritten, kAlreadyFinished, kError } status = kWritten;
  std::string error;  // when kError
};

class ResultStore {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~ResultStore();

  // Whether a finished (ok or rejected) result for `document_id` is stored.
  virtual Lookup lookup(const std::string& document_id, Clock::time_point deadline) = 0;
  // Stores `result` unless a finished result is already there (kAlreadyFinished: another copy won).
  virtual WriteOutcome write(const ExtractionResult& result, Clock::time_point deadline) = 0;
  virtual std::string describe() const = 0;
};

// No table: lookups find nothing, writes log the result record (status, data, error; never the document).
class LogResultStore final : public ResultStore {
 public:
  Lookup lookup(const std::string& document_id, Clock::time_point deadline) override;
  WriteOutcome write(const ExtractionResult& result, Clock::time_point deadline) override;
  std::string describe() const override { return "logs"; }
};

class DynamoDbResultStore final : public ResultStore {
 public:
  DynamoDbResultStore(std::string table, std::unique_ptr<AwsJsonClient> client);

  Lookup lookup(const std::string& document_id, Clock::time_point deadline) override;
  WriteOutcome write(const ExtractionResult& result, Clock::time_point deadline) override;
  std::string describe() const override { return "dynamodb:" + table_; }

 private:
  std::string table_;
  std::unique_ptr<AwsJsonClient> client_;
};

// The DynamoDB AttributeValue map for `result` (see the item layout above).
nlohmann::json to_dynamodb_item(const ExtractionResult& result, const std::string& processed_at);
// DynamoDB's size of an item: attribute name bytes + value bytes (numbers counted as their text).
size_t dynamodb_item_bytes(const nlohmann::json& item);
// The PutItem request: only when no item exists or the stored one has status "failed".
nlohmann::json put_item_request(const std::string& table, const nlohmann::json& item);

// The store for a configuration: DynamoDB (endpoint, region and credentials from the environment)
// when results_table is set, else the logs. Throws std::runtime_error naming a missing setting.
std::unique_ptr<ResultStore> make_result_store(const Config& config);

}  // namespace zeroidle::runtime
