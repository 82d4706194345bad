// The flags every model-running subcommand shares (-m, -t, -c, sampling) and what they build.
#pragma once

#include <memory>
#include <vector>

#include "engine/model.h"
#include "engine/sampler.h"
#include "engine/session.h"
#include "tokenizer/tokenizer.h"
#include "tools/args.h"

namespace zeroidle::tools {

struct LoadedModel {
  std::unique_ptr<engine::Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
};

std::vector<OptionSpec> model_option_specs();     // -m/--model, -t/--threads, -c/--ctx-size
std::vector<OptionSpec> sampling_option_specs();  // --temp --top-k --top-p --min-p --repeat-penalty --seed

LoadedModel load_model(const ParsedArgs& a);      // throws naming the file on any defect
// Threads from -t (default: all cores); n_ctx from -c (default: what `needed` tokens take, at least 512).
engine::SessionOptions session_options(const ParsedArgs& a, size_t needed);
// llama.cpp's defaults (temp 0.8, top-k 40, top-p 0.95, min-p 0.05); a random seed unless --seed.
engine::SamplerParams sampling_params(const ParsedArgs& a);

}  // namespace zeroidle::tools
