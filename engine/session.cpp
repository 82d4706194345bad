#include "engine/session.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace zeroidle::engine {

Session::Session(const Model& model, const SessionOptions& opts)
    : model_(model),
      hp_(model.hparams()),
      opts_(opts),
      mm_(opts.n_threads, std::max(hp_.n_ff, std::max(hp_.dim, hp_.q_dim())), std::max<int64_t>(1, opts.n_batch)) {
  if (opts_.n_ctx < 1 || opts_.n_ctx > (int64_t{1} << 20)) {
    throw std::runtime_error("context size " + std::to_string(opts_.n_ctx) + " is out of range (1 .. 1048576)");
  }
  if (opts_.n_batch < 1) throw std::runtime_error("batch size must be at least 1");
  const int64_t nb = opts_.n_batch;
  const size_t cache = static_cast<size_t>(hp_.n_layer * opts_.n_ctx * hp_.kv_dim());
  k_cache_.assign(cache, 0.f);
  v_cache_.assign(cache, 0.f);
  x_.resize(nb * hp_.dim);
  xn_.resize(nb * hp_.dim);
  xb_.resize(nb * hp_.dim);
  q_.resize(nb * hp_.q_dim());
  att_.resize(nb * hp_.q_dim());
  scores_.resize(hp_.n_head * kQueryChunk * opts_.n_ctx);
  v_new_.resize(nb * hp_.kv_dim());
  gate_.resize(nb * hp_.n_ff);
  up_.resize(nb * hp_.n_ff);
  logits_.resize((opts_.logits_all ? nb : 1) * hp_.n_vocab);
}

const float* Session::eval(std::span<const int32_t> tokens) {
  if (tokens.empty()) throw std::runtime_error("eval needs at least one token");
  if (opts_.logits_all && static_cast<int64_t>(tokens.size()) > opts_.n_batch) {
    throw std::runtime_error("with logits_all, eval at most n_batch tokens at once");
  }
  if (n_past_ + static_cast<int64_t>(tokens.size()) > opts_.n_ctx) {
    throw std::runtime_error("context overflow: " + std::to_string(n_past_) + " + " + std::to_string(tokens.size()) +
                             " tokens exceed n_ctx " + std::to_string(opts_.n_ctx));
  }
  for (int32_t t : tokens) {
    if (t < 0 || t >= hp_.n_vocab) {
      throw std::runtime_error("token id " + std::to_string(t) + " is outside the vocabulary (" +
                               std::to_string(hp_.n_vocab) + ")");
    }
  }
  for (size_t done = 0; done < tokens.size();) {
    const int64_t n = std::min<int64_t>(opts_.n_batch, static_cast<int64_t>(tokens.size() - done));
    forward(tokens.data() + done, n, done + n == tokens.size());
    done += n;
  }
  n_last_eval_ = static_cast<int64_t>(tokens.size());
  return opts_.logits_all ? logits_at(n_last_eval_ - 1) : logits_.data();
}

const float* Session::logits_at(int64_t i) const {
  if (!opts_.logits_all || i < 0 || i >= n_last_eval_) throw std::out_of_range("logits_at: position not kept");
  return &logits_[i * hp_.n_vocab];
}

void Session::truncate(int64_t n) { n_past_ = std::clamp<int64_t>(n, 0, n_past_); }

}  // namespace zeroidle::engine
