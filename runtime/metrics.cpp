#include "runtime/metrics.h"

#include <cstdlib>

#include "runtime/log.h"

namespace zeroidle::runtime {

nlohmann::json emf_record(const std::string& metric_namespace, const std::string& dimension_name,
                          const std::string& dimension_value, const std::vector<Metric>& metrics,
                          const nlohmann::json& properties, std::chrono::system_clock::time_point now) {
  nlohmann::json definitions = nlohmann::json::array();
  nlohmann::json record = properties.is_object() ? properties : nlohmann::json::object();
  for (const Metric& m : metrics) {
    definitions.push_back({{"Name", m.name}, {"Unit", m.unit}});
    record[m.name] = m.value;
  }
  record[dimension_name] = dimension_value;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  record["_aws"] = {
      {"Timestamp", ms},
      {"CloudWatchMetrics",
       {{{"Namespace", metric_namespace}, {"Dimensions", {{dimension_name}}}, {"Metrics", definitions}}}},
  };
  return record;
}

Metrics::Metrics(const std::string& default_function_name) {
  const char* ns = std::getenv("ZEROIDLE_METRICS_NAMESPACE");
  namespace_ = ns && *ns ? ns : "zeroidle";
  const char* fn = std::getenv("AWS_LAMBDA_FUNCTION_NAME");
  function_name_ = fn && *fn ? fn : default_function_name;
}

void Metrics::emit(const std::vector<Metric>& metrics, const nlohmann::json& properties) const {
  nlohmann::json props = properties;
  const log::Context& ctx = log::context();
  if (!ctx.request_id.empty()) props["request_id"] = ctx.request_id;
  if (!ctx.trace_id.empty()) props["trace_id"] = ctx.trace_id;
  if (!ctx.message_id.empty()) props["message_id"] = ctx.message_id;
  log::write_raw(log::dump_json(emf_record(namespace_, "FunctionName", function_name_, metrics, props,
                                           std::chrono::system_clock::now())));
}

void Metrics::init(double cold_start_ms, double model_load_ms) const {
  emit({{"ColdStartMs", cold_start_ms, "Milliseconds"}, {"ModelLoadMs", model_load_ms, "Milliseconds"}},
       {{"event", "init"}});
}

void Metrics::record(const ExtractionResult& r, double record_ms) const {
  std::vector<Metric> m = {
      {"PromptTokens", static_cast<double>(r.tokens_in), "Count"},
      {"GeneratedTokens", static_cast<double>(r.tokens_out), "Count"},
      {"RecordMs", record_ms, "Milliseconds"},
  };
  if (r.prefill_ms > 0)
    m.push_back({"PrefillTokensPerSecond", r.tokens_in * 1000.0 / r.prefill_ms, "Count/Second"});
  if (r.decode_ms > 0)
    m.push_back({"DecodeTokensPerSecond", r.tokens_out * 1000.0 / r.decode_ms, "Count/Second"});
  emit(m, {{"event", "record"}, {"status", r.status}, {"document_id", r.document_id}, {"model", r.model}});
}

void Metrics::batch(const BatchCounts& c, double invocation_ms) const {
  emit({{"RecordsOk", static_cast<double>(c.ok), "Count"},
        {"RecordsRejected", static_cast<double>(c.rejected), "Count"},
        {"RecordsRetried", static_cast<double>(c.retried), "Count"},
        {"RecordsSkipped", static_cast<double>(c.skipped), "Count"},
        {"InvocationMs", invocation_ms, "Milliseconds"}},
       {{"event", "batch"}});
}

}  // namespace zeroidle::runtime
