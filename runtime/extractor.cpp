#include "runtime/extractor.h"

#include <utility>

namespace zeroidle::runtime {

Extractor::~Extractor() = default;

std::vector<ExtractionResult> Extractor::extract_batch(const std::vector<ExtractionRequest>& requests,
                                                       std::chrono::steady_clock::time_point deadline) {
  std::vector<ExtractionResult> results;
  results.reserve(requests.size());
  for (const ExtractionRequest& request : requests) results.push_back(extract(request, deadline));
  return results;
}

namespace {

ExtractionResult outcome(const ExtractionRequest& request, const char* status, std::string reason,
                         std::string model) {
  ExtractionResult r;
  r.document_id = request.document_id;
  r.message_id = request.message_id;
  r.status = status;
  r.error = std::move(reason);
  r.model = std::move(model);
  return r;
}

}  // namespace

ExtractionResult rejected_result(const ExtractionRequest& request, std::string reason, std::string model) {
  return outcome(request, kStatusRejected, std::move(reason), std::move(model));
}

ExtractionResult failed_result(const ExtractionRequest& request, std::string reason, std::string model) {
  return outcome(request, kStatusFailed, std::move(reason), std::move(model));
}

nlohmann::ordered_json result_to_json(const ExtractionResult& r) {
  nlohmann::ordered_json j = {
      {"document_id", r.document_id},
      {"status", r.status},
      {"data", r.data},
      {"model", r.model},
      {"tokens_in", r.tokens_in},
      {"tokens_out", r.tokens_out},
      {"prefill_ms", r.prefill_ms},
      {"decode_ms", r.decode_ms},
  };
  if (!r.field_confidence.is_null()) j["field_confidence"] = r.field_confidence;
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.message_id.empty()) j["message_id"] = r.message_id;
  if (r.truncated) j["truncated"] = true;
  return j;
}

}  // namespace zeroidle::runtime
