// Llama-family hyperparameters read from GGUF metadata (`llama.*` keys), validated for consistency.
#pragma once

#include <cstdint>
#include <string>

namespace zeroidle::gguf {
class File;
}

namespace zeroidle::engine {

struct Hparams {
  std::string arch;          // general.architecture ("llama")
  std::string name;          // general.name, for logs and results
  int64_t n_vocab = 0;       // from tokenizer.ggml.tokens (or llama.vocab_size)
  int64_t n_ctx_train = 0;   // llama.context_length
  int64_t dim = 0;           // llama.embedding_length
  int64_t n_layer = 0;       // llama.block_count
  int64_t n_ff = 0;          // llama.feed_forward_length
  int64_t n_head = 0;        // llama.attention.head_count
  int64_t n_head_kv = 0;     // llama.attention.head_count_kv (defaults to n_head)
  int64_t head_dim = 0;      // llama.attention.key_length (defaults to dim / n_head)
  int64_t n_rot = 0;         // llama.rope.dimension_count (defaults to head_dim)
  float rope_base = 10000.f; // llama.rope.freq_base
  float rms_eps = 1e-5f;     // llama.attention.layer_norm_rms_epsilon

  int64_t kv_dim() const { return n_head_kv * head_dim; }  // width of one K or V row
  int64_t q_dim() const { return n_head * head_dim; }
};

// Throws std::runtime_error naming the file and the key when a value is missing or inconsistent.
Hparams read_hparams(const gguf::File& file);

}  // namespace zeroidle::engine
