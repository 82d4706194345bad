#include "engine/hparams.h"

#include <stdexcept>

#include "gguf/gguf.h"

namespace zeroidle::engine {
namespace {

[[noreturn]] void fail(const gguf::File& f, const std::string& what) {
  throw std::runtime_error(f.path() + ": " + what);
}

int64_t optional_uint(const gguf::File& f, const std::string& key, int64_t fallback) {
  return f.find(key) ? static_cast<int64_t>(f.get_uint(key)) : fallback;
}

void require_positive(const gguf::File& f, const std::string& key, int64_t v) {
  if (v <= 0 || v > (int64_t{1} << 31)) {
    fail(f, "metadata '" + key + "' = " + std::to_string(v) + " is out of range");
  }
}

int64_t vocab_size(const gguf::File& f, const std::string& arch) {
  if (f.find("tokenizer.ggml.tokens")) return static_cast<int64_t>(f.get_array("tokenizer.ggml.tokens").items.size());
  return optional_uint(f, arch + ".vocab_size", 0);
}

}  // namespace

Hparams read_hparams(const gguf::File& f) {
  Hparams h;
  h.arch = f.get_string("general.architecture");
  if (h.arch != "llama") {
    fail(f, "general.architecture is '" + h.arch + "'; zeroidle runs the Llama family ('llama': Llama 2/3/3.1/3.2, Mistral)");
  }
  h.name = f.find("general.name") ? f.get_string("general.name") : std::string("llama");
  const std::string p = h.arch + ".";
  h.dim = static_cast<int64_t>(f.get_uint(p + "embedding_length"));
  h.n_layer = static_cast<int64_t>(f.get_uint(p + "block_count"));
  h.n_ff = static_cast<int64_t>(f.get_uint(p + "feed_forward_length"));
  h.n_head = static_cast<int64_t>(f.get_uint(p + "attention.head_count"));
  h.n_ctx_train = optional_uint(f, p + "context_length", 2048);
  h.n_head_kv = optional_uint(f, p + "attention.head_count_kv", h.n_head);
  for (auto [key, v] : {std::pair{"embedding_length", h.dim}, {"block_count", h.n_layer},
                        {"feed_forward_length", h.n_ff}, {"attention.head_count", h.n_head},
                        {"attention.head_count_kv", h.n_head_kv}, {"context_length", h.n_ctx_train}}) {
    require_positive(f, p + key, v);
  }
  h.head_dim = optional_uint(f, p + "attention.key_length", h.dim / h.n_head);
  h.n_rot = optional_uint(f, p + "rope.dimension_count", h.head_dim);
  if (f.find(p + "attention.value_length") && f.get_uint(p + "attention.value_length") != uint64_t(h.head_dim)) {
    fail(f, "attention.value_length differs from key_length; zeroidle needs equal K and V head sizes");
  }
  if (h.n_head % h.n_head_kv != 0) {
    fail(f, "attention.head_count " + std::to_string(h.n_head) + " is not a multiple of head_count_kv " +
                std::to_string(h.n_head_kv));
  }
  if (h.head_dim <= 0 || h.head_dim % 2 != 0 || h.n_rot <= 0 || h.n_rot > h.head_dim || h.n_rot % 2 != 0) {
    fail(f, "head size " + std::to_string(h.head_dim) + " / rope.dimension_count " + std::to_string(h.n_rot) +
                " are inconsistent (need even sizes, rotation <= head size)");
  }
  if (f.find(p + "rope.freq_base")) h.rope_base = static_cast<float>(f.get_float(p + "rope.freq_base"));
  if (f.find(p + "attention.layer_norm_rms_epsilon")) {
    h.rms_eps = static_cast<float>(f.get_float(p + "attention.layer_norm_rms_epsilon"));
  }
  if (!(h.rope_base > 0) || !(h.rms_eps > 0)) fail(f, "rope.freq_base and layer_norm_rms_epsilon must be positive");
  h.n_vocab = vocab_size(f, h.arch);
  require_positive(f, "tokenizer.ggml.tokens (vocabulary size)", h.n_vocab);
  return h;
}

}  // namespace zeroidle::engine
