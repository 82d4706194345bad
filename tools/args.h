// A small command-line parser shared by the subcommands: declared options (with or without a value,
// short and long names), repeated options, positionals. Every mistake is a std::runtime_error that names
// the option and the command.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace zeroidle::tools {

struct OptionSpec {
  std::string name;        // canonical long name without dashes, e.g. "threads"
  std::string short_name;  // e.g. "t", or empty
  bool takes_value = true;
};

class ParsedArgs {
 public:
  ParsedArgs(const Args& args, const std::string& command, const std::vector<OptionSpec>& specs);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string str(const std::string& name, const std::string& fallback = "") const;
  std::string required(const std::string& name) const;  // throws naming the missing option
  long long integer(const std::string& name, long long fallback) const;
  double number(const std::string& name, double fallback) const;
  std::vector<std::string> all(const std::string& name) const;  // every occurrence, in order
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::string command_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace zeroidle::tools
