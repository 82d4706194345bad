// A Llama-family model: hyperparameters plus every weight bound by name, shape and type before the first
// token. Weights are views into the mapped GGUF file (zero copy); the Model owns the mapping.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/hparams.h"
#include "gguf/gguf.h"
#include "kernels/matmul.h"

namespace zeroidle::engine {

struct LayerWeights {
  const float* attn_norm = nullptr;  // [dim]
  kernels::WeightMatrix wq;          // [q_dim rows][dim]
  kernels::WeightMatrix wk;          // [kv_dim][dim]
  kernels::WeightMatrix wv;          // [kv_dim][dim]
  kernels::WeightMatrix wo;          // [dim][q_dim]
  const float* ffn_norm = nullptr;   // [dim]
  kernels::WeightMatrix w_gate;      // [n_ff][dim]
  kernels::WeightMatrix w_up;        // [n_ff][dim]
  kernels::WeightMatrix w_down;      // [dim][n_ff]
};

class Model {
 public:
  // Maps and validates the file, reads the hyperparameters and binds every tensor. Throws
  // std::runtime_error (gguf::Error for a corrupt file) naming the file and the tensor or key at fault.
  static std::unique_ptr<Model> load(const std::string& path);
  // The same for an already-open file (tests, synthetic models).
  static std::unique_ptr<Model> from_file(gguf::File file);

  const gguf::File& file() const { return file_; }
  const Hparams& hparams() const { return hp_; }
  uint64_t weight_bytes() const { return weight_bytes_; }  // bytes one decode step streams

  kernels::WeightMatrix token_embd;          // [n_vocab][dim]
  const float* output_norm = nullptr;        // [dim]
  kernels::WeightMatrix output;              // [n_vocab][dim]; token_embd when tied
  const float* rope_freqs = nullptr;         // [n_rot / 2] Llama 3.1 frequency factors, or nullptr
  std::vector<LayerWeights> layers;          // [n_layer]

 private:
  explicit Model(gguf::File file);
  void bind();
  gguf::File file_;
  Hparams hp_;
  uint64_t weight_bytes_ = 0;
};

}  // namespace zeroidle::engine
