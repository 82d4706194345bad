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

// How many tokens an answer takes, learnt from the answers measured so far, for deadline packing: an
// estimate that errs high. Until kMinSamples answers are measured it is the whole budget (max_tokens);
// then the mean plus kStdDevs standard deviations, at least kFloorTokens, never more than max_tokens.
// Mean and variance are plain over the first 1/kAlpha answers and exponentially weighted after, so a
// change of workload is learnt within a few dozen documents.
class TokensOutEstimate {
 public:
  static constexpr int kMinSamples = 4;       // fewer answers say little about the spread
  static constexpr double kStdDevs = 2;       // ~98% of normally spread answers fit
  static constexpr double kFloorTokens = 16;  // a run of very short answers does not promise the next one
  static constexpr double kAlpha = 1.0 / 32;  // weight of the newest answer once 32 are measured

  void add(int tokens_out);
  // Tokens to plan for an answer with this budget; in [min(kFloorTokens, max_tokens), max_tokens].
  double tokens(int max_tokens) const;
  int samples() const { return n_; }

 private:
  int n_ = 0;
  double mean_ = 0;
  double variance_ = 0;
};

class EngineExtractor : public Extractor {
 public:
  // Loads the model (mmap) and compiles the default task. Throws std::runtime_error naming the file,
  // task or schema keyword at fault.
  explicit EngineExtractor(const EngineOptions& opts);

  ExtractionResult extract(const ExtractionRequest& request, std::chrono::steady_clock::time_point deadline) override;
  // Prompt tokens / measured prefill speed + tokens_out_for(request) / measured decode speed.
  double estimate_ms(const ExtractionRequest& request) const override;
  std::string model_name() const override;

  // The generated tokens estimate_ms() plans for: TokensOutEstimate over the ok answers so far.
  double tokens_out_for(const ExtractionRequest& request) const;

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
  TokensOutEstimate tokens_out_;
};

}  // namespace zeroidle::runtime
