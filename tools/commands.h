// The zeroidle subcommands. Each takes the arguments after its name and returns the exit code;
// errors a user can fix are printed as one line `error: …` on stderr.
#pragma once

#include <string>
#include <vector>

namespace zeroidle::tools {

using Args = std::vector<std::string>;

int cmd_inspect(const Args& args);

}  // namespace zeroidle::tools
