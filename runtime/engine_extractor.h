// The engine behind runtime::Extractor: one model, one session, the built-in tasks and caller schemas.
// Constructed once per process (the Lambda init phase); every host — `zeroidle lambda`, `zeroidle worker`
// and `zeroidle extract` — runs documents through it the same way.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/extract.h"
#include "engine/model.h"
#include "runtime/extractor.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::runtime {

struct EngineOptions {
  std::string model_path;
  std::string task;                       // default built-in task ...
  std::vector<std::string> labels;        // ... its labels (classify)
  std::optional<nlohmann::ordered_json> schema;  // ... or a default caller schema
  std::string instruction;                // with the schema
  int max_tokens = 512;
  int threads = 1;
  int n_ctx = 4096;
  engine::SamplerParams sampling{.temperature = 0.0f};
  engine::json::Limits limits;
};

class EngineExtractor : public Extractor {
 public:
  // Loads the model (mmap) and compiles the default task. Throws std::runtime_error naming the file,
  // task or schema keyword at fault.
  explicit EngineExtractor(const EngineOptions& opts);

  ExtractionResult extract(const ExtractionRequest& request, std::chrono::steady_clock::time_point deadline) override;
  double estimate_ms(const ExtractionRequest& request) const override;
  std::string model_name() const override;

  double load_ms() const { return load_ms_; }
  const engine::Model& model() const { return *model_; }

 private:
  const engine::CompiledTask& task_for(const ExtractionRequest& request);
  void learn_speed(const engine::Extraction& e);

  EngineOptions opts_;
  double load_ms_ = 0;
  std::unique_ptr<engine::Model> model_;
  std::unique_ptr<tokenizer::Tokenizer> tok_;
  std::shared_ptr<const engine::json::TokenTrie> trie_;
  std::unique_ptr<engine::DocumentExtractor> extractor_;
  std::map<std::string, engine::CompiledTask> tasks_;  // by "task:<name>" or "schema:<dump>"
  double prefill_tps_ = 0;  // measured tokens/s (exponential moving averages)
  double decode_tps_ = 0;
};

}  // namespace zeroidle::runtime
