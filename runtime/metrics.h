// CloudWatch Embedded Metric Format: one JSON line per event on stdout, which CloudWatch Logs turns into
// metrics (namespace "zeroidle" unless ZEROIDLE_METRICS_NAMESPACE, dimension FunctionName).
//   init        ColdStartMs, ModelLoadMs                                    once per process
//   per record  PromptTokens, GeneratedTokens, PrefillTokensPerSecond,
//               DecodeTokensPerSecond, RecordMs                             each computed record
//   per batch   RecordsOk, RecordsRejected, RecordsRetried, RecordsSkipped,
//               InvocationMs                                                each invocation / worker batch
// Correlation ids (request_id, message_id, document_id) ride along as properties, not dimensions.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/extractor.h"

namespace zeroidle::runtime {

// Milliseconds elapsed on the steady clock since t0 (the durations the metrics report).
inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Metric {
  std::string name;
  double value;
  std::string unit;  // "Milliseconds", "Count", "Count/Second"
};

// One EMF record: {"_aws": {...}, "<dimension>": ..., "<metric>": value, ...properties}.
nlohmann::json emf_record(const std::string& metric_namespace, const std::string& dimension_name,
                          const std::string& dimension_value, const std::vector<Metric>& metrics,
                          const nlohmann::json& properties, std::chrono::system_clock::time_point now);

struct BatchCounts {
  int ok = 0;
  int rejected = 0;
  int retried = 0;  // reported in batchItemFailures / left on the queue
  int skipped = 0;  // already finished by an earlier copy
};

class Metrics {
 public:
  // FunctionName comes from AWS_LAMBDA_FUNCTION_NAME, else `default_function_name`.
  explicit Metrics(const std::string& default_function_name);

  void init(double cold_start_ms, double model_load_ms) const;
  void record(const ExtractionResult& result, double record_ms) const;
  void batch(const BatchCounts& counts, double invocation_ms) const;

 private:
  void emit(const std::vector<Metric>& metrics, const nlohmann::json& properties) const;

  std::string namespace_;
  std::string function_name_;
};

}  // namespace zeroidle::runtime
