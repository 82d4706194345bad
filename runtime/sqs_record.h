// One SQS message as the batch processor sees it, whether it came in a Lambda event
// (Records[] with camelCase fields) or from ReceiveMessage (PascalCase), and the validation of its body.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/extractor.h"

namespace zeroidle::runtime {

struct SqsRecord {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  std::string event_source_arn;
  std::string aws_region;
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();  // ApproximateReceiveCount, ...
  nlohmann::ordered_json message_attributes = nlohmann::ordered_json::object();  // user attributes

  // A FIFO queue's message: the MessageGroupId attribute is present.
  bool fifo() const;
  // ApproximateReceiveCount, 0 when absent or malformed.
  int receive_count() const;
};

// From one element of a Lambda SQS event's Records. Throws std::invalid_argument when the record has
// no string messageId or body (Lambda never sends one; without a messageId it cannot be reported).
SqsRecord record_from_lambda_event(const nlohmann::ordered_json& record);

// From one element of a ReceiveMessage response's Messages.
SqsRecord record_from_receive_message(const nlohmann::json& message);

// A body checked against the record contract (parsed order-preserving, so a schema keeps its order):
//   {"document_id": non-empty string (<= 1024 bytes), "document_content": non-empty string,
//    "schema"?: object, "task"?: non-empty string, "max_tokens"?: positive integer}
// and nothing else. On failure `request` is empty, `error` says why, and `document_id` holds the
// body's document_id when that part was usable (else empty: the caller records under the messageId).
struct ParsedBody {
  std::optional<ExtractionRequest> request;
  std::string document_id;
  std::string error;
};

ParsedBody parse_request_body(std::string_view body, const std::string& message_id);

// The same checks on an already-parsed object. When `fallback_document_id` is non-empty a missing
// document_id takes that value (direct invocations use the request id).
ParsedBody parse_request_object(const nlohmann::ordered_json& object, const std::string& message_id,
                                const std::string& fallback_document_id = {});

inline constexpr size_t kMaxDocumentIdBytes = 1024;

}  // namespace zeroidle::runtime
