#include "tools/args.h"

#include <cstdlib>
#include <stdexcept>

namespace zeroidle::tools {
namespace {

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, const std::string& arg) {
  for (const OptionSpec& s : specs) {
    if (arg == "--" + s.name || (!s.short_name.empty() && arg == "-" + s.short_name)) return &s;
  }
  return nullptr;
}

}  // namespace

ParsedArgs::ParsedArgs(const Args& args, const std::string& command, const std::vector<OptionSpec>& specs)
    : command_(command) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {  // "-" alone is a positional (stdin)
      positionals_.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (const size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const OptionSpec* spec = find_spec(specs, name);
    if (!spec) throw std::runtime_error("unknown option '" + name + "' for 'zeroidle " + command + "'");
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) throw std::runtime_error("option '" + name + "' of 'zeroidle " + command + "' needs a value");
      value = args[++i];
    }
    values_[spec->name].push_back(value);
  }
}

std::string ParsedArgs::str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::string ParsedArgs::required(const std::string& name) const {
  if (!has(name)) throw std::runtime_error("'zeroidle " + command_ + "' needs --" + name);
  return str(name);
}

long long ParsedArgs::integer(const std::string& name, long long fallback) const {
  if (!has(name)) return fallback;
  const std::string v = str(name);
  char* end = nullptr;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end) throw std::runtime_error("--" + name + " expects an integer, got '" + v + "'");
  return x;
}

double ParsedArgs::number(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string v = str(name);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end) throw std::runtime_error("--" + name + " expects a number, got '" + v + "'");
  return x;
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace zeroidle::tools
