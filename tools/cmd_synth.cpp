// zeroidle synth: a synthetic Llama 3 model of real shapes with random Q4_K_M-layout weights and the
// Llama 3 vocabulary copied from a GGUF given with --vocab. For benchmarks: outputs are gibberish.
#include <cstdio>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "gguf/gguf.h"
#include "kernels/formats.h"
#include "kernels/ref.h"
#include "tools/args.h"

namespace zeroidle::tools {
namespace {

using kernels::QType;

struct Shape {
  const char* name;
  uint32_t dim, n_layer, n_head, n_head_kv, n_ff;
  bool tied_output;  // Llama 3.2 1B ties output to token_embd
};

constexpr Shape kShapes[] = {
    {"llama3-8b", 4096, 32, 32, 8, 14336, false},
    {"llama3-1b", 2048, 16, 32, 8, 8192, true},
    {"tiny", 256, 2, 4, 2, 768, false},
};

const Shape& find_shape(const std::string& name) {
  for (const Shape& s : kShapes) {
    if (name == s.name) return s;
  }
  throw std::runtime_error("unknown --shape '" + name + "' (llama3-8b, llama3-1b, tiny)");
}

// llama.cpp's Q4_K_M rule for attn_v / ffn_down: Q6_K in the first and last eighth of the layers and
// every third layer between, Q4_K elsewhere.
bool use_more_bits(uint32_t layer, uint32_t n_layer) {
  return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

// splitmix64: fast, seedable, good enough for random weights.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// Random quant bytes with small, finite fp16 scales, so activations stay in a realistic range.
void fill_random_blocks(QType type, std::span<uint8_t> out, Rng& rng) {
  for (size_t i = 0; i + 8 <= out.size(); i += 8) {
    const uint64_t r = rng.next();
    std::memcpy(&out[i], &r, 8);
  }
  const kernels::TypeTraits tr = kernels::type_traits(type);
  const size_t n_blocks = out.size() / tr.block_bytes;
  for (size_t b = 0; b < n_blocks; ++b) {
    uint8_t* blk = &out[b * tr.block_bytes];
    const float jitter = 0.5f + static_cast<float>(rng.next() % 1000) / 1000.f;
    if (type == QType::Q4_K) {
      auto* q = reinterpret_cast<kernels::BlockQ4K*>(blk);
      q->d = kernels::fp32_to_fp16(4e-4f * jitter);
      q->dmin = kernels::fp32_to_fp16(3e-3f * jitter);  // ~7.5 d: centres weights on zero
    } else if (type == QType::Q6_K) {
      auto* q = reinterpret_cast<kernels::BlockQ6K*>(blk);
      for (int8_t& s : q->scales) s = static_cast<int8_t>(s & 0x3F);
      q->d = kernels::fp32_to_fp16(2e-5f * jitter);
    }
  }
}

void add_random(gguf::Writer& w, const std::string& name, QType type, std::vector<uint64_t> ne, uint64_t seed) {
  w.add_tensor_filled(name, static_cast<uint32_t>(type), std::move(ne), [type, seed](std::span<uint8_t> out) {
    Rng rng{seed};
    fill_random_blocks(type, out, rng);
  });
}

void add_ones(gguf::Writer& w, const std::string& name, uint64_t n) {
  std::vector<float> ones(n, 1.0f);
  w.add_tensor(name, 0, {n}, std::span(reinterpret_cast<const uint8_t*>(ones.data()), n * 4));
}

// Llama 3.1 rope frequency factors (factor 8, low 1, high 4, original context 8192).
void add_rope_freqs(gguf::Writer& w, uint32_t head_dim, float base) {
  std::vector<float> f(head_dim / 2);
  const double pi = 3.14159265358979323846, low_wavelen = 8192 / 1.0, high_wavelen = 8192 / 4.0;
  for (size_t i = 0; i < f.size(); ++i) {
    const double wavelen = 2 * pi / std::pow(base, 2.0 * i / head_dim);
    if (wavelen < high_wavelen) f[i] = 1.0f;
    else if (wavelen > low_wavelen) f[i] = 8.0f;
    else {
      const double smooth = (8192 / wavelen - 1.0) / (4.0 - 1.0);
      f[i] = static_cast<float>(1.0 / ((1 - smooth) / 8.0 + smooth));
    }
  }
  w.add_tensor("rope_freqs.weight", 0, {f.size()}, std::span(reinterpret_cast<const uint8_t*>(f.data()), f.size() * 4));
}

void copy_vocab(gguf::Writer& w, const gguf::File& vocab) {
  bool any = false;
  for (const gguf::KeyValue& kv : vocab.metadata()) {
    if (kv.key.rfind("tokenizer.", 0) == 0) {
      w.set(kv.key, kv.value);
      any = true;
    }
  }
  if (!any) throw std::runtime_error(vocab.path() + " has no tokenizer.* metadata to copy");
}

}  // namespace

int cmd_synth(const Args& args) {
  const ParsedArgs a(args, "synth", {{"shape", ""}, {"vocab", ""}, {"seed", ""}});
  if (a.positionals().size() != 1) throw std::runtime_error("'zeroidle synth' takes one OUT.gguf");
  const Shape& s = find_shape(a.required("shape"));
  const gguf::File vocab = gguf::File::open(a.required("vocab"));
  const uint64_t n_vocab = vocab.get_array("tokenizer.ggml.tokens").items.size();
  const uint64_t seed = static_cast<uint64_t>(a.integer("seed", 1));
  const uint32_t head_dim = s.dim / s.n_head, kv_dim = s.n_head_kv * head_dim;
  const float rope_base = 500000.f;

  gguf::Writer w;
  w.set("general.architecture", {std::string("llama")});
  w.set("general.name", {std::string("synthetic-") + s.name});
  w.set("general.file_type", {uint32_t{15}});  // MOSTLY_Q4_K_M
  w.set("llama.context_length", {uint32_t{8192}});
  w.set("llama.embedding_length", {s.dim});
  w.set("llama.block_count", {s.n_layer});
  w.set("llama.feed_forward_length", {s.n_ff});
  w.set("llama.attention.head_count", {s.n_head});
  w.set("llama.attention.head_count_kv", {s.n_head_kv});
  w.set("llama.rope.freq_base", {rope_base});
  w.set("llama.rope.dimension_count", {head_dim});
  w.set("llama.attention.layer_norm_rms_epsilon", {1e-5f});
  w.set("llama.vocab_size", {static_cast<uint32_t>(n_vocab)});
  copy_vocab(w, vocab);

  uint64_t tensor_seed = seed * 1000003;
  const auto rnd = [&](const std::string& name, QType t, uint64_t k, uint64_t rows) {
    add_random(w, name, t, {k, rows}, ++tensor_seed);
  };
  rnd("token_embd.weight", s.tied_output ? QType::Q6_K : QType::Q4_K, s.dim, n_vocab);
  if (!s.tied_output) rnd("output.weight", QType::Q6_K, s.dim, n_vocab);
  add_ones(w, "output_norm.weight", s.dim);
  add_rope_freqs(w, head_dim, rope_base);
  for (uint32_t l = 0; l < s.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    const QType more = use_more_bits(l, s.n_layer) ? QType::Q6_K : QType::Q4_K;
    add_ones(w, b + "attn_norm.weight", s.dim);
    rnd(b + "attn_q.weight", QType::Q4_K, s.dim, s.dim);
    rnd(b + "attn_k.weight", QType::Q4_K, s.dim, kv_dim);
    rnd(b + "attn_v.weight", more, s.dim, kv_dim);
    rnd(b + "attn_output.weight", QType::Q4_K, s.dim, s.dim);
    add_ones(w, b + "ffn_norm.weight", s.dim);
    rnd(b + "ffn_gate.weight", QType::Q4_K, s.dim, s.n_ff);
    rnd(b + "ffn_up.weight", QType::Q4_K, s.dim, s.n_ff);
    rnd(b + "ffn_down.weight", more, s.n_ff, s.dim);
  }
  w.write(a.positionals()[0]);
  std::printf("wrote %s: %s shape, %llu-token vocabulary from %s\n", a.positionals()[0].c_str(), s.name,
              static_cast<unsigned long long>(n_vocab), vocab.path().c_str());
  return 0;
}

}  // namespace zeroidle::tools
