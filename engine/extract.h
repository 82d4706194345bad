// Document -> JSON extraction: the task's prompt through the model's chat template, then decoding under
// the task schema's token constraint, so every answer parses and conforms. Forced runs (keys,
// punctuation, the rest of an enum) are evaluated as one batched forward step; as max_tokens nears, the
// shortest valid completion is forced. The prompt prefix shared by consecutive documents stays cached.
//
// Thread-compatible: one DocumentExtractor per thread (it owns a Session).
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/json/schema.h"
#include "engine/json/token_constraint.h"
#include "engine/model.h"
#include "engine/sampler.h"
#include "engine/session.h"
#include "engine/tasks.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::engine {

struct ExtractOptions {
  int max_tokens = 512;              // generated tokens per document (the answer is closed validly at the limit)
  SamplerParams sampling{.temperature = 0.0f};  // greedy by default
  json::Limits limits;               // caps on strings, arrays, numbers in the answer
};

struct Extraction {
  std::string status = "ok";                 // ok | rejected (the input can never succeed) | failed
  nlohmann::ordered_json data;               // the answer, when ok
  nlohmann::ordered_json field_confidence;   // top-level field -> geometric mean of sampled-token probabilities
  std::string error;
  bool truncated = false;                    // max_tokens forced an early (still valid) close
  int tokens_in = 0;
  int tokens_out = 0;
  int tokens_forced = 0;                     // of tokens_out, appended without sampling
  int tokens_cached = 0;                     // of tokens_in, reused from the previous document's prompt
  double prefill_ms = 0;
  double decode_ms = 0;
  double mask_ms = 0;                        // of decode_ms, spent computing token masks
  int decode_evals = 0;                      // forward passes while decoding (a forced run takes one)
  int chunks = 1;
};

// The vocabulary as the JSON constraint sees it: each token's bytes, control tokens, end-of-turn ids
// (<|eot_id|> first where the model has it).
std::shared_ptr<const json::TokenTrie> make_token_trie(const tokenizer::Tokenizer& tok);

// A task ready to constrain decoding: its schema compiled and its token masks (shared, thread-safe).
struct CompiledTask {
  Task task;
  json::Schema schema;
  std::shared_ptr<json::MaskCache> masks;
};
// Throws json::SchemaError naming the keyword and JSON pointer the constraint cannot honour.
CompiledTask compile_task(Task task, const json::Limits& limits, std::shared_ptr<const json::TokenTrie> trie);

class DocumentExtractor {
 public:
  // Creates the session (KV cache for session_opts.n_ctx positions).
  DocumentExtractor(const Model& model, const tokenizer::Tokenizer& tok, const SessionOptions& session_opts);

  // Never throws for a bad document: a document too long for the context is `rejected` (or split, when
  // the task may chunk); a deadline reached mid-answer is `failed` with the reason.
  Extraction extract(const CompiledTask& task, std::string_view document, const ExtractOptions& opts,
                     std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

  // The prompt extract() evaluates: the task's system prompt and the document through the chat template.
  std::vector<int32_t> build_prompt(const Task& task, std::string_view document) const;
  int64_t prompt_tokens(const Task& task, std::string_view document) const;  // tokens the prompt takes
  int64_t n_ctx() const { return session_.n_ctx(); }

 private:
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;
  Extraction run_one(const CompiledTask& task, std::string_view document, const ExtractOptions& opts, Deadline deadline);
  Extraction run_chunked(const CompiledTask& task, std::string_view document, const ExtractOptions& opts,
                         Deadline deadline);
  const float* prefill(const std::vector<int32_t>& prompt, Extraction& out);
  void decode(const CompiledTask& task, const float* logits, const std::vector<int32_t>& prompt,
              const ExtractOptions& opts, Extraction& out, Deadline deadline);

  const Model& model_;
  const tokenizer::Tokenizer& tok_;
  tokenizer::ChatTemplate chat_;
  Session session_;
  std::vector<int32_t> cached_;  // the tokens whose K/V the session holds
  std::vector<float> logits_;    // [n_vocab] scratch: masked copy of the model's logits
};

}  // namespace zeroidle::engine
