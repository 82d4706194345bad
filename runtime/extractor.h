// The seam between the runtime (Lambda loop, SQS batches, result sinks) and the engine.
//
// The runtime never sees tokens, weights or prompts: it hands an Extractor one validated request at a
// time (or a few, through extract_batch) and records what comes back. The engine side implements this
// interface; the `zeroidle` binary constructs it through `make_extractor(const runtime::Config&)`
// (tools/extractor_factory.h), called once per process in the init phase.
//
// Error convention (what the runtime does with each outcome):
//   status "ok"        the result is recorded; the SQS record is done.
//   status "rejected"  a permanent problem with this request (unknown task, invalid schema, document
//                      too long for the context, ...): recorded with `error` saying why, never retried.
//                      Throwing PermanentError is equivalent (the runtime turns it into "rejected").
//   status "failed"    a transient problem (deadline reached, out of memory, ...): recorded as
//                      "failed" (a later copy may overwrite it) and the SQS record is retried.
//                      Throwing any other exception is equivalent.
// JSON values are nlohmann::ordered_json: a schema's property order is the answer's field order, and the
// runtime keeps both as given (bodies are parsed order-preserving, results stored as written).
// Thread-compatible: the runtime calls one Extractor from one thread at a time.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zeroidle::runtime {

inline constexpr const char* kStatusOk = "ok";
inline constexpr const char* kStatusRejected = "rejected";
inline constexpr const char* kStatusFailed = "failed";

// One document to extract from. The runtime has already checked the shape of the SQS body
// (document_id/document_content strings, schema an object, max_tokens a positive integer);
// the meaning (task known, schema supported, document fits the context) is the Extractor's to check.
// When neither `schema` nor `task` is given, the Extractor applies the configured default
// (Config::task, or Config::schema with Config::instruction).
struct ExtractionRequest {
  std::string document_id;
  std::string document_content;
  std::optional<nlohmann::ordered_json> schema;  // a JSON Schema object
  std::optional<std::string> task;               // a built-in task name
  std::optional<int> max_tokens;                 // > 0 when set
  std::string message_id;                        // SQS messageId, empty for direct invocations
};

struct ExtractionResult {
  std::string document_id;
  std::string status;                       // kStatusOk | kStatusRejected | kStatusFailed
  nlohmann::ordered_json data;              // the extracted JSON (null unless ok)
  nlohmann::ordered_json field_confidence;  // optional per-field confidences (null when not computed)
  std::string error;                        // why, for rejected and failed
  bool truncated = false;                   // max_tokens ran out: the answer was closed early (still valid)
  int tokens_in = 0;
  int tokens_out = 0;
  double prefill_ms = 0;
  double decode_ms = 0;
  std::string model;
  std::string message_id;
};

// Thrown by an Extractor (or the runtime's own validation) for a request that can never succeed.
class PermanentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Named constructors for the two non-ok outcomes; they copy document_id and message_id from the request.
ExtractionResult rejected_result(const ExtractionRequest& request, std::string reason,
                                 std::string model = {});
ExtractionResult failed_result(const ExtractionRequest& request, std::string reason, std::string model = {});

// The result as one JSON object: the direct-invocation response and the shape of a JSONL line.
// Omits `error`/`message_id` when empty and `field_confidence` when null.
nlohmann::ordered_json result_to_json(const ExtractionResult& result);

class Extractor {
 public:
  virtual ~Extractor();

  // Extracts from one document. Must return (or throw) by `deadline`: when it cannot finish in time it
  // returns status "failed" (the record is retried). See the error convention above.
  virtual ExtractionResult extract(const ExtractionRequest& request,
                                   std::chrono::steady_clock::time_point deadline) = 0;

  // Expected wall time of extract() in milliseconds, from measured prompt/generation speeds (tokens in
  // the prompt / prefill tokens/s + expected new tokens / decode tokens/s, where the expected count errs
  // high and never exceeds max_tokens). The runtime only starts a record when the estimate fits before
  // the invocation deadline. Cheap: no model work.
  virtual double estimate_ms(const ExtractionRequest& request) const = 0;

  // Several documents decoded together. The default calls extract() in order. Results are in request
  // order, one per request. An engine that batches overrides this and max_batch().
  virtual std::vector<ExtractionResult> extract_batch(const std::vector<ExtractionRequest>& requests,
                                                      std::chrono::steady_clock::time_point deadline);

  // How many requests extract_batch() takes at once (1: no batching).
  virtual int max_batch() const { return 1; }

  // The model's name as recorded in every result (e.g. the GGUF general.name or file stem).
  virtual std::string model_name() const = 0;
};

}  // namespace zeroidle::runtime
