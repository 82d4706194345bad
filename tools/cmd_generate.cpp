// zeroidle generate: stream a model's continuation of a prompt to stdout; timings to stderr.
#include <chrono>
#include <cstdio>
#include <random>

#include "engine/generate.h"
#include "engine/model.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "tools/args.h"
#include "tools/model_flags.h"

namespace zeroidle::tools {
namespace {

std::vector<int32_t> prompt_tokens(const ParsedArgs& a, const tokenizer::Tokenizer& tok, const gguf::File& file) {
  const std::string prompt = a.required("prompt");
  if (!a.has("chat")) {
    const bool bos = !a.has("no-bos") && tok.add_bos_default();
    return tok.encode(prompt, bos, a.has("special"));
  }
  std::vector<tokenizer::ChatMessage> messages;
  if (a.has("system")) messages.push_back({"system", a.str("system")});
  messages.push_back({"user", prompt});
  const std::string text = tokenizer::apply_chat_template(tokenizer::detect_chat_template(file, tok), messages, true);
  return tok.encode(text, false, true);
}

}  // namespace

int cmd_generate(const Args& args) {
  std::vector<OptionSpec> specs = model_option_specs();
  for (OptionSpec s : std::initializer_list<OptionSpec>{{"prompt", "p"}, {"n-predict", "n"}, {"special", "", false},
                                                       {"no-bos", "", false}, {"chat", "", false}, {"system", ""},
                                                       {"stop", ""}}) {
    specs.push_back(s);
  }
  for (const OptionSpec& s : sampling_option_specs()) specs.push_back(s);
  const ParsedArgs a(args, "generate", specs);

  const auto t0 = std::chrono::steady_clock::now();
  LoadedModel m = load_model(a);
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  const std::vector<int32_t> prompt = prompt_tokens(a, *m.tokenizer, m.model->file());
  engine::GenerateOptions opts;
  opts.max_tokens = static_cast<int>(a.integer("n-predict", 128));
  opts.stop = a.all("stop");
  opts.sampling = sampling_params(a);
  engine::Session session(*m.model, session_options(a, prompt.size() + opts.max_tokens));
  const engine::GenerateResult r = engine::generate(session, *m.tokenizer, prompt, opts, [](std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  });
  std::printf("\n");
  std::fprintf(stderr,
               "load %.0f ms | prompt %lld tokens, %.1f tokens/s | generation %zu tokens, %.1f tokens/s | stop: %s | "
               "seed %llu\n",
               load_ms, static_cast<long long>(r.n_prompt), r.n_prompt / (r.prefill_ms / 1000.0), r.tokens.size(),
               r.tokens.size() / (r.decode_ms / 1000.0), engine::stop_reason_name(r.reason),
               static_cast<unsigned long long>(opts.sampling.seed));
  return 0;
}

}  // namespace zeroidle::tools
