// zeroidle: one binary, many subcommands.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "tools/commands.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const zeroidle::tools::Args&);
};

constexpr Command kCommands[] = {
    {"extract", "JSONL documents in, schema-valid JSON results out (--task or --schema)", zeroidle::tools::cmd_extract},
    {"inspect", "print a GGUF file's header, metadata and tensor table (--json)", zeroidle::tools::cmd_inspect},
    {"sysinfo", "CPU model, features, chosen kernels per format, memory bandwidth (--json)", zeroidle::tools::cmd_sysinfo},
    {"tokenize", "print a text's token ids as a JSON array", zeroidle::tools::cmd_tokenize},
    {"generate", "stream a model's continuation of a prompt", zeroidle::tools::cmd_generate},
    {"bench", "prompt and generation tokens/s against the memory roofline", zeroidle::tools::cmd_bench},
    {"synth", "write a synthetic Llama 3 model (random Q4_K_M weights) for benchmarks", zeroidle::tools::cmd_synth},
    {"lambda", "serve AWS Lambda invocations (SQS batches, direct requests); the image's ENTRYPOINT", zeroidle::tools::cmd_lambda},
    {"worker", "long-poll an SQS queue and extract each message (--queue-url URL)", zeroidle::tools::cmd_worker},
};

void print_usage() {
  std::fprintf(stderr, "usage: zeroidle <command> [args]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(stderr, "  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help")) {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(zeroidle::tools::Args(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "error: unknown command '%s'\n", argv[1]);
  print_usage();
  return 2;
}
