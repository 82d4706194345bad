#include "runtime/engine_extractor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace zeroidle::runtime {
namespace {

constexpr size_t kMaxCachedSchemas = 16;  // caller schemas kept compiled (each holds token masks)

engine::Task task_from(const std::optional<std::string>& name, const std::vector<std::string>& labels,
                       const std::optional<nlohmann::ordered_json>& schema, const std::string& instruction) {
  if (schema) return engine::custom_task(*schema, instruction);
  return engine::builtin_task(*name, name == "classify" ? labels : std::vector<std::string>{});
}

}  // namespace

EngineExtractor::EngineExtractor(const EngineOptions& opts) : opts_(opts) {
  const auto t0 = std::chrono::steady_clock::now();
  model_ = engine::Model::load(opts.model_path);
  tok_ = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_gguf(model_->file()));
  trie_ = engine::make_token_trie(*tok_);
  extractor_ = std::make_unique<engine::DocumentExtractor>(
      *model_, *tok_, engine::SessionOptions{.n_threads = opts.threads, .n_ctx = opts.n_ctx, .n_batch = 512});
  if (opts.task.empty() && !opts.schema) throw std::runtime_error("no default task: set a task or a schema");
  ExtractionRequest defaults;
  task_for(defaults);  // compile the default task now, in the init phase
  load_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Until documents are measured: generation streams every weight once per token (~10 GB/s on one
  // Lambda vCPU), prefill is several times faster per token.
  decode_tps_ = 10e9 / static_cast<double>(model_->weight_bytes()) * opts.threads;
  prefill_tps_ = 8 * decode_tps_;
}

std::string EngineExtractor::model_name() const {
  const std::string& name = model_->hparams().name;
  return name.empty() ? std::filesystem::path(opts_.model_path).stem().string() : name;
}

const engine::CompiledTask& EngineExtractor::task_for(const ExtractionRequest& r) {
  const bool own_schema = r.schema.has_value();
  const std::optional<std::string> name = r.task ? r.task : (opts_.task.empty() ? std::nullopt : std::optional(opts_.task));
  const std::optional<nlohmann::ordered_json> schema = own_schema ? r.schema : (name ? std::nullopt : opts_.schema);
  const std::string key = schema ? "schema:" + schema->dump() : "task:" + *name;
  if (auto it = tasks_.find(key); it != tasks_.end()) return it->second;
  if (tasks_.size() >= kMaxCachedSchemas) tasks_.clear();
  try {
    engine::Task task = task_from(name, opts_.labels, schema, opts_.instruction);
    return tasks_.emplace(key, engine::compile_task(std::move(task), opts_.limits, trie_)).first->second;
  } catch (const std::exception& e) {
    throw PermanentError(e.what());  // unknown task, unsupported schema keyword: never retried
  }
}

ExtractionResult EngineExtractor::extract(const ExtractionRequest& request,
                                          std::chrono::steady_clock::time_point deadline) {
  const engine::CompiledTask* task = nullptr;
  try {
    task = &task_for(request);
  } catch (const PermanentError& e) {
    return rejected_result(request, e.what(), model_name());
  }
  engine::ExtractOptions eo{.max_tokens = request.max_tokens.value_or(opts_.max_tokens), .sampling = opts_.sampling,
                            .limits = opts_.limits};
  const engine::Extraction e = extractor_->extract(*task, request.document_content, eo, deadline);
  ExtractionResult r;
  r.document_id = request.document_id;
  r.message_id = request.message_id;
  r.model = model_name();
  r.status = e.status;
  r.error = e.error;
  r.truncated = e.truncated;
  if (e.status == "ok") {
    r.data = e.data;
    r.field_confidence = e.field_confidence;
    learn_speed(e);
    tokens_out_.add(e.tokens_out);
  }
  r.tokens_in = e.tokens_in;
  r.tokens_out = e.tokens_out;
  r.prefill_ms = e.prefill_ms;
  r.decode_ms = e.decode_ms;
  return r;
}

void EngineExtractor::learn_speed(const engine::Extraction& e) {
  constexpr double kAlpha = 0.3;  // weight of the newest measurement
  const int evaluated = e.tokens_in - e.tokens_cached;
  if (evaluated > 0 && e.prefill_ms > 0) prefill_tps_ += kAlpha * (evaluated / (e.prefill_ms / 1000) - prefill_tps_);
  if (e.tokens_out > 0 && e.decode_ms > 0) decode_tps_ += kAlpha * (e.tokens_out / (e.decode_ms / 1000) - decode_tps_);
}

double EngineExtractor::tokens_out_for(const ExtractionRequest& request) const {
  return tokens_out_.tokens(request.max_tokens.value_or(opts_.max_tokens));
}

double EngineExtractor::estimate_ms(const ExtractionRequest& request) const {
  // ~4 bytes per token for prose; the prompt's fixed part (instruction + schema) is mostly cached.
  const double prompt_tokens = static_cast<double>(request.document_content.size()) / 4.0 + 64;
  return 1000.0 * (prompt_tokens / prefill_tps_ + tokens_out_for(request) / decode_tps_);
}

void TokensOutEstimate::add(int tokens_out) {
  ++n_;
  // Welford's update with weight 1/n (exact mean and population variance), then a fixed kAlpha.
  const double a = std::max(1.0 / n_, kAlpha);
  const double diff = tokens_out - mean_;
  mean_ += a * diff;
  variance_ = (1 - a) * (variance_ + a * diff * diff);
}

double TokensOutEstimate::tokens(int max_tokens) const {
  const double budget = max_tokens;
  if (n_ < kMinSamples) return budget;
  return std::min(budget, std::max(kFloorTokens, mean_ + kStdDevs * std::sqrt(variance_)));
}

}  // namespace zeroidle::runtime
