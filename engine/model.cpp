#include "engine/model.h"

#include <stdexcept>

#include "kernels/formats.h"

namespace zeroidle::engine {
namespace {

std::string shape_str(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

// Finds `name` and checks its shape (ne[0] first, as GGUF lists it); throws naming the tensor.
const gguf::TensorInfo& find_shaped(const gguf::File& f, const std::string& name, const std::vector<int64_t>& ne) {
  const gguf::TensorInfo* t = f.find_tensor(name);
  if (!t) throw std::runtime_error(f.path() + ": tensor '" + name + "' is missing");
  std::vector<int64_t> got(t->ne.begin(), t->ne.begin() + t->n_dims);
  while (got.size() < ne.size()) got.push_back(1);
  if (got != ne) {
    throw std::runtime_error(f.path() + ": tensor '" + name + "' has shape " + shape_str(got) + ", expected " +
                             shape_str(ne) + " from the model's hyperparameters");
  }
  return *t;
}

kernels::WeightMatrix bind_matrix(const gguf::File& f, const std::string& name, int64_t rows, int64_t k) {
  const gguf::TensorInfo& t = find_shaped(f, name, {k, rows});
  const auto type = static_cast<kernels::QType>(t.type);
  if (!kernels::is_supported_qtype(t.type) || type == kernels::QType::Q8_K) {
    const gguf::TensorTypeInfo* info = gguf::tensor_type_info(t.type);
    throw std::runtime_error(f.path() + ": tensor '" + name + "' has type " + (info ? info->name : "?") +
                             ", which zeroidle cannot compute (supported: f32 f16 bf16 q4_0 q5_0 q8_0 q4_K q5_K q6_K)");
  }
  return {type, t.data, rows, k, kernels::row_bytes(type, k)};
}

const float* bind_f32(const gguf::File& f, const std::string& name, int64_t n) {
  const gguf::TensorInfo& t = find_shaped(f, name, {n});
  if (t.type != static_cast<uint32_t>(kernels::QType::F32)) {
    throw std::runtime_error(f.path() + ": tensor '" + name + "' must be f32");
  }
  return reinterpret_cast<const float*>(t.data);
}

uint64_t matrix_bytes(const kernels::WeightMatrix& w) { return static_cast<uint64_t>(w.rows) * w.row_stride; }

}  // namespace

Model::Model(gguf::File file) : file_(std::move(file)), hp_(read_hparams(file_)) {}

std::unique_ptr<Model> Model::load(const std::string& path) { return from_file(gguf::File::open(path)); }

std::unique_ptr<Model> Model::from_file(gguf::File file) {
  std::unique_ptr<Model> m(new Model(std::move(file)));
  m->bind();
  m->file_.prefetch_tensor_data();  // every weight is read by the first token anyway
  return m;
}

void Model::bind() {
  const gguf::File& f = file_;
  const Hparams& h = hp_;
  token_embd = bind_matrix(f, "token_embd.weight", h.n_vocab, h.dim);
  output_norm = bind_f32(f, "output_norm.weight", h.dim);
  output = f.find_tensor("output.weight") ? bind_matrix(f, "output.weight", h.n_vocab, h.dim) : token_embd;
  if (f.find_tensor("rope_freqs.weight")) rope_freqs = bind_f32(f, "rope_freqs.weight", h.n_rot / 2);
  weight_bytes_ = matrix_bytes(output);
  layers.resize(h.n_layer);
  for (int64_t i = 0; i < h.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    LayerWeights& l = layers[i];
    l.attn_norm = bind_f32(f, b + "attn_norm.weight", h.dim);
    l.wq = bind_matrix(f, b + "attn_q.weight", h.q_dim(), h.dim);
    l.wk = bind_matrix(f, b + "attn_k.weight", h.kv_dim(), h.dim);
    l.wv = bind_matrix(f, b + "attn_v.weight", h.kv_dim(), h.dim);
    l.wo = bind_matrix(f, b + "attn_output.weight", h.dim, h.q_dim());
    l.ffn_norm = bind_f32(f, b + "ffn_norm.weight", h.dim);
    l.w_gate = bind_matrix(f, b + "ffn_gate.weight", h.n_ff, h.dim);
    l.w_up = bind_matrix(f, b + "ffn_up.weight", h.n_ff, h.dim);
    l.w_down = bind_matrix(f, b + "ffn_down.weight", h.dim, h.n_ff);
    for (const auto* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) weight_bytes_ += matrix_bytes(*w);
  }
}

}  // namespace zeroidle::engine
