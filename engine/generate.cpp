#include "engine/generate.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "engine/timing.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::engine {
namespace {

// Length of the longest incomplete UTF-8 sequence at the end of s (0 if s ends on a whole character).
size_t incomplete_utf8_tail(std::string_view s) {
  for (size_t back = 1; back <= std::min<size_t>(3, s.size()); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) != 0x80) {  // a lead byte (or ASCII): how long should its sequence be?
      const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      return need > back ? back : 0;
    }
  }
  return 0;
}

}  // namespace

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::kEndOfGeneration: return "eog";
    case StopReason::kMaxTokens: return "max_tokens";
    case StopReason::kStopString: return "stop_string";
    case StopReason::kDeadline: return "deadline";
    case StopReason::kContextFull: return "context_full";
  }
  return "?";
}

// The longest suffix of pending_ that is a proper prefix of some stop string, or an unfinished character.
size_t StopStringFilter::held_back() const {
  size_t hold = incomplete_utf8_tail(pending_);
  for (const std::string& s : stop_) {
    for (size_t len = std::min(s.size() - 1, pending_.size()); len > hold; --len) {
      if (pending_.compare(pending_.size() - len, len, s, 0, len) == 0) {
        hold = len;
        break;
      }
    }
  }
  return hold;
}

std::string StopStringFilter::push(std::string_view bytes) {
  if (stopped_) return {};
  pending_.append(bytes);
  size_t cut = std::string::npos;
  for (const std::string& s : stop_) {
    if (!s.empty()) cut = std::min(cut, pending_.find(s));
  }
  if (cut != std::string::npos) {
    stopped_ = true;
    std::string out = pending_.substr(0, cut);
    pending_.clear();
    return out;
  }
  const size_t keep = held_back();
  std::string out = pending_.substr(0, pending_.size() - keep);
  pending_.erase(0, pending_.size() - keep);
  return out;
}

std::string StopStringFilter::flush() {
  if (stopped_) return {};
  return std::exchange(pending_, {});
}

GenerateResult generate(Session& session, const tokenizer::Tokenizer& tok, std::span<const int32_t> prompt,
                        const GenerateOptions& opts, const std::function<void(std::string_view)>& on_text) {
  GenerateResult r;
  r.n_prompt = static_cast<int64_t>(prompt.size());
  if (session.n_past() + r.n_prompt >= session.n_ctx()) {
    throw std::runtime_error("the prompt (" + std::to_string(r.n_prompt) + " tokens) does not fit the context of " +
                             std::to_string(session.n_ctx()) + " tokens");
  }
  const int64_t n_vocab = session.model().hparams().n_vocab;
  Sampler sampler(opts.sampling, n_vocab);
  StopStringFilter filter(opts.stop);
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  std::vector<float> logits(n_vocab);
  std::vector<int32_t> banned;  // with ignore_eog: the end-of-generation ids, masked before sampling
  for (int32_t id = 0; opts.ignore_eog && id < n_vocab; ++id) {
    if (tok.is_eog(id)) banned.push_back(id);
  }

  const auto t0 = std::chrono::steady_clock::now();
  const float* out = session.eval(prompt);
  r.prefill_ms = ms_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const auto emit = [&](const std::string& s) {
    r.text += s;
    if (on_text && !s.empty()) on_text(s);
  };
  for (;;) {
    if (static_cast<int>(r.tokens.size()) >= opts.max_tokens) { r.reason = StopReason::kMaxTokens; break; }
    if (opts.deadline && std::chrono::steady_clock::now() >= *opts.deadline) { r.reason = StopReason::kDeadline; break; }
    std::copy(out, out + n_vocab, logits.begin());
    for (int32_t b : banned) logits[b] = -std::numeric_limits<float>::infinity();
    const int32_t id = sampler.sample(logits.data(), history);
    if (tok.is_eog(id)) { r.reason = StopReason::kEndOfGeneration; break; }
    r.tokens.push_back(id);
    history.push_back(id);
    emit(filter.push(tok.token_to_piece(id)));
    if (filter.stopped()) { r.reason = StopReason::kStopString; break; }
    if (static_cast<int>(r.tokens.size()) >= opts.max_tokens) { r.reason = StopReason::kMaxTokens; break; }
    if (session.n_past() >= session.n_ctx()) { r.reason = StopReason::kContextFull; break; }
    out = session.eval(std::span(&id, 1));
  }
  emit(filter.flush());
  r.decode_ms = ms_since(t1);
  return r;
}

}  // namespace zeroidle::engine
