#include "runtime/lambda_handler.h"

#include <chrono>

#include "runtime/log.h"
#include "runtime/sqs_record.h"

namespace zeroidle::runtime {

namespace {

using Clock = std::chrono::steady_clock;

Reply error_reply(std::string type, std::string message) {
  Reply r;
  r.is_error = true;
  r.error.error_type = std::move(type);
  r.error.message = std::move(message);
  return r;
}

Reply ok_reply(const nlohmann::ordered_json& body) {
  Reply r;
  r.body = log::dump_json(body);
  return r;
}

// The invocation's Unix-epoch deadline as a steady-clock time point (immune to wall-clock steps).
Clock::time_point steady_deadline(std::int64_t deadline_epoch_ms) {
  if (deadline_epoch_ms <= 0) return Clock::time_point::max();
  const auto now_epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  return Clock::now() + std::chrono::milliseconds(deadline_epoch_ms - now_epoch_ms);
}

}  // namespace

Reply direct_reply(const ExtractionResult& result, size_t limit) {
  if (result.status == kStatusFailed) {
    return error_reply("Function.ExtractionFailed", "document " + result.document_id + ": " + result.error);
  }
  nlohmann::ordered_json body = result_to_json(result);
  std::string text = log::dump_json(body);
  if (text.size() <= limit) return ok_reply(body);

  const size_t full = text.size();
  body["data"] = nullptr;
  body.erase("field_confidence");
  body["truncated"] = true;
  body["error"] = "the result is " + std::to_string(full) + " bytes, over Lambda's " + std::to_string(limit) +
                  "-byte response limit: data left out (read it from the results table, or use SQS)";
  text = log::dump_json(body);
  if (text.size() <= limit) {
    log::warn("response over the Lambda limit; data left out", {{"response_bytes", full}});
    Reply r;
    r.body = std::move(text);
    return r;
  }
  return error_reply("Function.ResponseTooLarge", "the result is " + std::to_string(full) +
                                                      " bytes, over Lambda's response limit of " +
                                                      std::to_string(limit) + " bytes");
}

LambdaHandler::LambdaHandler(BatchProcessor& processor, const Metrics& metrics, std::string model_name)
    : processor_(processor), metrics_(metrics), model_name_(std::move(model_name)) {}

Reply LambdaHandler::handle_sqs(const nlohmann::ordered_json& records_json, const Invocation& invocation) {
  std::vector<SqsRecord> records;
  records.reserve(records_json.size());
  try {
    for (const nlohmann::ordered_json& r : records_json) records.push_back(record_from_lambda_event(r));
  } catch (const std::invalid_argument& e) {
    // Without a messageId a record cannot be reported alone: fail the invocation, SQS retries the batch.
    return error_reply("Function.InvalidEvent", e.what());
  }
  const Clock::time_point t0 = Clock::now();
  log::info("sqs batch", {{"records", records.size()},
                          {"fifo", !records.empty() && records.front().fifo()},
                          {"event_source_arn", records.empty() ? "" : records.front().event_source_arn}});
  const BatchOutcome outcome = processor_.process(records, steady_deadline(invocation.deadline_ms));
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  metrics_.batch(outcome.counts, ms);

  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const std::string& id : outcome.failed_message_ids) failures.push_back({{"itemIdentifier", id}});
  log::info("sqs batch done", {{"ok", outcome.counts.ok},
                               {"rejected", outcome.counts.rejected},
                               {"retried", outcome.counts.retried},
                               {"skipped", outcome.counts.skipped},
                               {"batch_ms", ms}});
  return ok_reply({{"batchItemFailures", failures}});
}

Reply LambdaHandler::handle(const Invocation& invocation) {
  ++invocations_;
  // Order-preserving: a direct request's schema keeps its property order.
  const nlohmann::ordered_json event = nlohmann::ordered_json::parse(invocation.payload, nullptr, false);
  if (event.is_discarded()) {
    return error_reply("Function.InvalidEvent",
                       "the event is not JSON (" + std::to_string(invocation.payload.size()) + " bytes)");
  }
  if (!event.is_object()) {
    return error_reply("Function.UnsupportedEvent",
                       std::string("the event is a JSON ") + event.type_name() + ", expected an object");
  }

  if (auto records = event.find("Records"); records != event.end()) {
    if (!records->is_array()) return error_reply("Function.InvalidEvent", "Records is not an array");
    for (const nlohmann::ordered_json& r : *records) {
      const std::string source = r.is_object() && r.contains("eventSource") && r["eventSource"].is_string()
                                     ? r["eventSource"].get<std::string>()
                                     : std::string("(none)");
      if (source != "aws:sqs") {
        return error_reply("Function.UnsupportedEvent", "records from event source '" + source.substr(0, 64) +
                                                            "' are not supported (only aws:sqs)");
      }
    }
    return handle_sqs(*records, invocation);
  }

  if (auto source = event.find("source"); source != event.end() && *source == "aws.events") {
    const auto detail = event.find("detail-type");
    log::info("warm-up ping",
              {{"detail_type",
                detail != event.end() && detail->is_string() ? detail->get<std::string>() : std::string()}});
    return ok_reply({{"warm", true}, {"model", model_name_}, {"invocations", invocations_}});
  }

  if (event.contains("document_content") || event.contains("document_id")) {
    ParsedBody parsed =
        parse_request_object(event, /*message_id=*/"", /*fallback_document_id=*/invocation.request_id);
    if (!parsed.request) {
      ExtractionRequest pseudo;
      pseudo.document_id = parsed.document_id.empty() ? invocation.request_id : parsed.document_id;
      log::info("direct request rejected", {{"document_id", pseudo.document_id}, {"reason", parsed.error}});
      return direct_reply(rejected_result(pseudo, parsed.error, model_name_));
    }
    return direct_reply(processor_.process_direct(*parsed.request, steady_deadline(invocation.deadline_ms)));
  }

  return error_reply("Function.UnsupportedEvent",
                     "expected an SQS event (Records[].eventSource aws:sqs), a scheduled warm-up (source "
                     "aws.events) or a direct request {\"document_content\": ...}");
}

}  // namespace zeroidle::runtime
