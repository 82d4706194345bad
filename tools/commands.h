// The zeroidle subcommands. Each takes the arguments after its name and returns the exit code;
// errors a user can fix are printed as one line `error: …` on stderr.
#pragma once

#include <string>
#include <vector>

namespace zeroidle::tools {

using Args = std::vector<std::string>;

int cmd_inspect(const Args& args);
int cmd_sysinfo(const Args& args);
int cmd_tokenize(const Args& args);
int cmd_generate(const Args& args);
int cmd_bench(const Args& args);
int cmd_extract(const Args& args);
int cmd_synth(const Args& args);
int cmd_lambda(const Args& args);  // runtime/: the AWS Lambda bootstrap
int cmd_worker(const Args& args);  // runtime/: the SQS worker

}  // namespace zeroidle::tools
