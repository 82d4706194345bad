// The generation loop: prefill a prompt in one batched pass, then decode one token at a time with the
// sampler until an end-of-generation token, a stop string, max_tokens, a deadline or a full context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sampler.h"
#include "engine/session.h"

namespace zeroidle::tokenizer {
class Tokenizer;
}

namespace zeroidle::engine {

struct GenerateOptions {
  int max_tokens = 128;
  std::vector<std::string> stop;  // generation ends before the first occurrence of any of these
  SamplerParams sampling;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool ignore_eog = false;  // end-of-generation tokens are never sampled (benchmarks: exactly max_tokens)
};

enum class StopReason { kEndOfGeneration, kMaxTokens, kStopString, kDeadline, kContextFull };
const char* stop_reason_name(StopReason r);

struct GenerateResult {
  std::string text;               // generated text, stop string excluded
  std::vector<int32_t> tokens;    // generated tokens
  int64_t n_prompt = 0;
  StopReason reason = StopReason::kMaxTokens;
  double prefill_ms = 0;
  double decode_ms = 0;
};

// Text that is final: complete UTF-8 characters that cannot still turn into a stop string. Feeding it
// the bytes of each token as they come, it releases what may be shown and finds the first stop string.
class StopStringFilter {
 public:
  explicit StopStringFilter(std::vector<std::string> stop) : stop_(std::move(stop)) {}
  // Appends bytes; returns the newly final text. After a stop string is seen, stopped() is true and
  // nothing past it is ever released.
  std::string push(std::string_view bytes);
  // Releases whatever is held back (at the end of generation, when no stop string followed).
  std::string flush();
  bool stopped() const { return stopped_; }

 private:
  size_t held_back() const;
  std::vector<std::string> stop_;
  std::string pending_;
  bool stopped_ = false;
};

// Runs the loop on `session` (which may already hold a cached prefix). `on_text` receives final text as
// it is produced (may be empty). Throws std::runtime_error if the prompt does not fit the context.
GenerateResult generate(Session& session, const tokenizer::Tokenizer& tok, std::span<const int32_t> prompt,
                        const GenerateOptions& opts, const std::function<void(std::string_view)>& on_text);

}  // namespace zeroidle::engine
