// Turns one Lambda invocation into one reply, whatever invoked the function:
//   SQS batch        Records[].eventSource == "aws:sqs" -> {"batchItemFailures":[{"itemIdentifier":id},...]}
//   warm-up ping     source == "aws.events" (EventBridge schedule) -> {"warm":true,...}, no work
//   direct request   {"document_id"?, "document_content", "schema"?, "task"?, "max_tokens"?}
//                    -> the result record (document_id defaults to the request id); a "failed"
//                    extraction is a Function.ExtractionFailed error so async retries apply
//   anything else    a Function.UnsupportedEvent / Function.InvalidEvent error
// No reply is ever larger than Lambda's 6 MB limit: an oversized result loses its data (with an error
// saying so); if even that does not fit, the reply is a Function.ResponseTooLarge error.
#pragma once

#include <string>

#include "runtime/batch_processor.h"
#include "runtime/lambda_api.h"
#include "runtime/metrics.h"

namespace zeroidle::runtime {

struct Reply {
  bool is_error = false;
  std::string body;   // the response when !is_error
  ErrorReport error;  // when is_error
};

// The reply for a direct request's result, kept under `limit` bytes (see above).
Reply direct_reply(const ExtractionResult& result, size_t limit = kMaxLambdaResponseBytes);

class LambdaHandler {
 public:
  LambdaHandler(BatchProcessor& processor, const Metrics& metrics, std::string model_name);

  Reply handle(const Invocation& invocation);

 private:
  Reply handle_sqs(const nlohmann::ordered_json& records, const Invocation& invocation);

  BatchProcessor& processor_;
  const Metrics& metrics_;
  std::string model_name_;
  int invocations_ = 0;
};

}  // namespace zeroidle::runtime
