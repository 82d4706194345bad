#include "tools/model_flags.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <thread>

namespace zeroidle::tools {

std::vector<OptionSpec> model_option_specs() {
  return {{"model", "m"}, {"threads", "t"}, {"ctx-size", "c"}};
}

std::vector<OptionSpec> sampling_option_specs() {
  return {{"temp", ""}, {"top-k", ""}, {"top-p", ""}, {"min-p", ""}, {"repeat-penalty", ""}, {"seed", ""}};
}

LoadedModel load_model(const ParsedArgs& a) {
  LoadedModel m;
  m.model = engine::Model::load(a.required("model"));
  m.tokenizer = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_gguf(m.model->file()));
  return m;
}

engine::SessionOptions session_options(const ParsedArgs& a, size_t needed) {
  engine::SessionOptions o;
  const long long threads = a.integer("threads", std::max(1u, std::thread::hardware_concurrency()));
  if (threads < 1 || threads > 256) throw std::runtime_error("--threads must be between 1 and 256");
  o.n_threads = static_cast<int>(threads);
  o.n_ctx = a.integer("ctx-size", std::max<long long>(512, static_cast<long long>(needed)));
  if (o.n_ctx < 1) throw std::runtime_error("--ctx-size must be positive");
  return o;
}

engine::SamplerParams sampling_params(const ParsedArgs& a) {
  engine::SamplerParams p;
  p.temperature = static_cast<float>(a.number("temp", 0.8));
  p.top_k = static_cast<int>(a.integer("top-k", 40));
  p.top_p = static_cast<float>(a.number("top-p", 0.95));
  p.min_p = static_cast<float>(a.number("min-p", 0.05));
  p.repeat_penalty = static_cast<float>(a.number("repeat-penalty", 1.0));
  p.seed = a.has("seed") ? static_cast<uint64_t>(a.integer("seed", 0)) : std::random_device{}();
  if (p.top_p <= 0 || p.top_p > 1) throw std::runtime_error("--top-p must be in (0, 1]");
  if (p.min_p < 0 || p.min_p >= 1) throw std::runtime_error("--min-p must be in [0, 1)");
  if (p.repeat_penalty <= 0) throw std::runtime_error("--repeat-penalty must be positive");
  return p;
}

}  // namespace zeroidle::tools
