#include "engine/extract.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "engine/json/mask_cache.h"
#include "engine/timing.h"

namespace zeroidle::engine {
namespace {

using Clock = std::chrono::steady_clock;

// log p(id) under softmax(logits): the model's own belief in a token, before any mask.
double log_probability(const float* logits, int64_t n, int32_t id) {
  const float max = *std::max_element(logits, logits + n);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i] - max));
  return static_cast<double>(logits[id] - max) - std::log(sum);
}

// Per-field running sum of log-probabilities of sampled tokens.
struct FieldConfidence {
  std::vector<std::pair<std::string, std::pair<double, int>>> fields;  // in first-seen order
  void add(const std::string& field, double logp) {
    if (field.empty()) return;  // keys and punctuation
    for (auto& [name, acc] : fields) {
      if (name == field) {
        acc.first += logp;
        ++acc.second;
        return;
      }
    }
    fields.push_back({field, {logp, 1}});
  }
  nlohmann::ordered_json to_json() const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [name, acc] : fields) j[name.empty() || name[0] != '/' ? name : name.substr(1)] = std::exp(acc.first / acc.second);
    return j;
  }
};

size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

std::shared_ptr<const json::TokenTrie> make_token_trie(const tokenizer::Tokenizer& tok) {
  auto v = std::make_shared<json::Vocab>();
  const int32_t n = tok.n_vocab();
  v->token_bytes.resize(n);
  v->is_special.resize(n);
  for (int32_t id = 0; id < n; ++id) {
    v->is_special[id] = tok.is_control(id);
    if (!v->is_special[id]) v->token_bytes[id] = tok.token_to_piece(id);
  }
  for (int32_t id : {tok.eot(), tok.eos(), tok.eom()}) {
    if (id >= 0 && std::find(v->eog_ids.begin(), v->eog_ids.end(), id) == v->eog_ids.end()) v->eog_ids.push_back(id);
  }
  if (v->eog_ids.empty()) throw std::runtime_error("the vocabulary has no end-of-generation token");
  return std::make_shared<const json::TokenTrie>(v);
}

CompiledTask compile_task(Task task, const json::Limits& limits, std::shared_ptr<const json::TokenTrie> trie) {
  json::Schema schema = json::Schema::compile(task.schema, limits);
  auto masks = json::TokenConstraint::make_masks(schema, std::move(trie));
  return {std::move(task), std::move(schema), std::move(masks)};
}

DocumentExtractor::DocumentExtractor(const Model& model, const tokenizer::Tokenizer& tok,
                                     const SessionOptions& session_opts)
    : model_(model),
      tok_(tok),
      chat_(tokenizer::detect_chat_template(model.file(), tok)),
      session_(model, session_opts),
      logits_(model.hparams().n_vocab) {}

std::vector<int32_t> DocumentExtractor::build_prompt(const Task& task, std::string_view document) const {
  const std::vector<tokenizer::ChatMessage> messages = {{"system", system_prompt(task)},
                                                        {"user", std::string(document)}};
  return tok_.encode(tokenizer::apply_chat_template(chat_, messages, true), false, true);
}

int64_t DocumentExtractor::prompt_tokens(const Task& task, std::string_view document) const {
  return static_cast<int64_t>(build_prompt(task, document).size());
}

Extraction DocumentExtractor::extract(const CompiledTask& task, std::string_view document, const ExtractOptions& opts,
                                      Deadline deadline) {
  if (opts.max_tokens < 1) throw std::invalid_argument("max_tokens must be at least 1");
  const int64_t need = prompt_tokens(task.task, document) + opts.max_tokens;
  if (need <= session_.n_ctx()) return run_one(task, document, opts, deadline);
  if (task.task.may_chunk) return run_chunked(task, document, opts, deadline);
  Extraction r;
  r.status = "rejected";
  r.tokens_in = static_cast<int>(need - opts.max_tokens);
  r.error = "document too long: its prompt takes " + std::to_string(r.tokens_in) + " tokens and the answer up to " +
            std::to_string(opts.max_tokens) + ", more than the context of " + std::to_string(session_.n_ctx()) +
            " tokens (task '" + task.task.name + "' does not split documents)";
  return r;
}

Extraction DocumentExtractor::run_one(const CompiledTask& task, std::string_view document, const ExtractOptions& opts,
                                      Deadline deadline) {
  Extraction r;
  try {
    const std::vector<int32_t> prompt = build_prompt(task.task, document);
    const float* logits = prefill(prompt, r);
    decode(task, logits, prompt, opts, r, deadline);
  } catch (const std::invalid_argument& e) {  // the request can never succeed as given
    r.status = "rejected";
    r.error = e.what();
  } catch (const std::exception& e) {  // deadline, resources: worth a retry
    r.status = "failed";
    r.error = e.what();
  }
  if (r.status != "ok") {
    cached_.clear();  // the session may hold a partial state
    session_.truncate(0);
  }
  return r;
}

// Evaluates what of the prompt is not cached yet (at least its last token, whose logits we need).
const float* DocumentExtractor::prefill(const std::vector<int32_t>& prompt, Extraction& out) {
  const auto t0 = Clock::now();
  const size_t keep = std::min(common_prefix(cached_, prompt), prompt.size() - 1);
  session_.truncate(static_cast<int64_t>(keep));
  cached_.assign(prompt.begin(), prompt.end());
  const float* logits = session_.eval(std::span(prompt).subspan(keep));
  out.tokens_in = static_cast<int>(prompt.size());
  out.tokens_cached = static_cast<int>(keep);
  out.prefill_ms = ms_since(t0);
  return logits;
}

void DocumentExtractor::decode(const CompiledTask& task, const float* logits, const std::vector<int32_t>& prompt,
                               const ExtractOptions& opts, Extraction& out, Deadline deadline) {
  const auto t0 = Clock::now();
  const int64_t n_vocab = model_.hparams().n_vocab;
  json::TokenConstraint c(task.masks);
  if (c.min_tokens_to_close() > opts.max_tokens) {
    throw std::invalid_argument("max_tokens " + std::to_string(opts.max_tokens) + " cannot hold the shortest answer the " +
                                "schema allows (" + std::to_string(c.min_tokens_to_close()) + " tokens)");
  }
  Sampler sampler(opts.sampling, n_vocab);
  std::vector<int32_t> history(prompt), answer;
  FieldConfidence conf;
  const auto append = [&](std::span<const int32_t> toks) {  // accepted tokens -> output and KV cache
    for (int32_t t : toks) {
      c.accept(t);  // throws if the constraint disagrees with itself: reported as failed, never emitted
      if (tok_.is_eog(t)) break;  // the end-of-turn token itself is never evaluated or printed
      answer.push_back(t);
      history.push_back(t);
      cached_.push_back(t);
      if (c.done()) break;
    }
  };
  // Tokens are evaluated only when logits are needed, so a sampled token and the forced run after it (or
  // forced runs back to back) take one forward pass.
  size_t evaluated = 0;  // answer tokens whose K/V the session holds
  const auto eval_pending = [&] {
    if (answer.size() <= evaluated) return;
    logits = session_.eval(std::span(answer).subspan(evaluated));
    evaluated = answer.size();
    ++out.decode_evals;
  };
  while (!c.done()) {
    if (deadline && Clock::now() >= *deadline) throw std::runtime_error("deadline reached while decoding");
    const int budget_left = opts.max_tokens - static_cast<int>(answer.size());
    const auto tm = Clock::now();
    std::vector<int32_t> forced = c.forced_tokens();
    out.mask_ms += ms_since(tm);
    const size_t before = answer.size();
    if (!forced.empty()) {
      if (static_cast<int>(forced.size()) > budget_left) forced = c.closing_tokens(), out.truncated = true;
      append(forced);
      out.tokens_forced += static_cast<int>(answer.size() - before);
      if (out.truncated) break;
      continue;
    }
    eval_pending();
    std::copy(logits, logits + n_vocab, logits_.begin());
    const auto tmask = Clock::now();
    c.apply(logits_.data());
    out.mask_ms += ms_since(tmask);
    const int32_t t = sampler.sample(logits_.data(), history);
    if (c.min_tokens_to_close_after(t) > budget_left - 1) {  // no room to finish after t: close now
      append(c.closing_tokens());
      out.tokens_forced += static_cast<int>(answer.size() - before);
      out.truncated = true;
      break;
    }
    append(std::span(&t, 1));
    conf.add(c.last_token_field(), log_probability(logits, n_vocab, t));
  }
  cached_.resize(prompt.size() + evaluated);  // what the session holds
  out.tokens_out = static_cast<int>(answer.size());
  out.decode_ms = ms_since(t0);
  const std::string text = tok_.decode(answer);
  out.data = nlohmann::ordered_json::parse(text);  // the constraint guarantees this; a throw is a bug, reported as failed
  out.field_confidence = conf.to_json();
}

// Splits a document too long for one prompt into pieces that fit, extracts each, and concatenates the
// arrays of the answers (chunkable tasks answer {"<name>": [...]}).
Extraction DocumentExtractor::run_chunked(const CompiledTask& task, std::string_view document,
                                          const ExtractOptions& opts, Deadline deadline) {
  const int64_t overhead = prompt_tokens(task.task, "");
  const int64_t room = session_.n_ctx() - opts.max_tokens - overhead;
  if (room < 64) {
    Extraction r;
    r.status = "rejected";
    r.error = "context of " + std::to_string(session_.n_ctx()) + " tokens leaves no room for a document chunk";
    return r;
  }
  // Bytes per chunk from the document's own token density, with 10% slack, cut at whitespace.
  const double bytes_per_token = static_cast<double>(document.size()) / std::max<int64_t>(1, prompt_tokens(task.task, document) - overhead);
  const size_t chunk_bytes = std::max<size_t>(64, static_cast<size_t>(room * bytes_per_token * 0.9));
  Extraction total;
  total.chunks = 0;
  total.data = nlohmann::ordered_json::object();
  for (size_t at = 0; at < document.size();) {
    size_t end = std::min(document.size(), at + chunk_bytes);
    if (end < document.size()) {
      const size_t space = document.rfind(' ', end);
      if (space != std::string_view::npos && space > at) end = space;
    }
    Extraction part = run_one(task, document.substr(at, end - at), opts, deadline);
    if (part.status != "ok") return part;
    ++total.chunks;
    for (auto& [key, value] : part.data.items()) {
      if (value.is_array()) {
        nlohmann::ordered_json& merged = total.data[key];
        if (!merged.is_array()) merged = nlohmann::ordered_json::array();
        for (auto& v : value) merged.push_back(v);
      } else if (!total.data.contains(key)) {
        total.data[key] = value;
      }
    }
    total.field_confidence = part.field_confidence;
    total.tokens_in += part.tokens_in;
    total.tokens_out += part.tokens_out;
    total.tokens_forced += part.tokens_forced;
    total.prefill_ms += part.prefill_ms;
    total.decode_ms += part.decode_ms;
    total.mask_ms += part.mask_ms;
    total.decode_evals += part.decode_evals;
    total.truncated |= part.truncated;
    at = end;
  }
  return total;
}

}  // namespace zeroidle::engine
