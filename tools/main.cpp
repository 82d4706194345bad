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
    {"inspect", "print a GGUF file's header, metadata and tensor table (--json)", zeroidle::tools::cmd_inspect},
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
