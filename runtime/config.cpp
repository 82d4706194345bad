#include "runtime/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace zeroidle::runtime {

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

namespace {

// One configurable setting: its environment variable (may be empty), its flag, the host modes that take
// it, and a one-line help. Values are collected as strings first and parsed/validated afterwards, so
// every error names where the value came from.
struct Setting {
  const char* key;   // internal name
  const char* env;   // "" when flag-only
  const char* flag;  // without the leading "--"
  bool worker_only;
  const char* help;
};

constexpr Setting kSettings[] = {
    {"model", "ZEROIDLE_MODEL", "model", false, "GGUF model file (required)"},
    {"task", "ZEROIDLE_TASK", "task", false, "built-in task name (or --schema, not both)"},
    {"schema", "ZEROIDLE_SCHEMA", "schema", false, "JSON Schema: inline JSON object or a file path"},
    {"instruction", "ZEROIDLE_INSTRUCTION", "instruction", false, "instruction that goes with --schema"},
    {"labels", "ZEROIDLE_LABELS", "labels", false, "comma-separated labels for the classify task"},
    {"table", "ZEROIDLE_RESULTS_TABLE", "table", false, "DynamoDB results table (unset: results in logs)"},
    {"max_tokens", "ZEROIDLE_MAX_TOKENS", "max-tokens", false, "generated tokens per document"},
    {"threads", "ZEROIDLE_THREADS", "threads", false, "compute threads (default: from Lambda memory)"},
    {"n_ctx", "ZEROIDLE_N_CTX", "n-ctx", false, "context length (default: from memory left)"},
    {"safety_margin_ms", "ZEROIDLE_SAFETY_MARGIN_MS", "safety-margin-ms", false,
     "milliseconds kept free before the Lambda deadline (default 2000)"},
    {"log_level", "ZEROIDLE_LOG_LEVEL", "log-level", false, "trace|debug|info|warn|error|off"},
    {"queue_url", "ZEROIDLE_QUEUE_URL", "queue-url", true, "SQS queue URL to long-poll (required)"},
    {"batch", "", "batch", true, "messages per ReceiveMessage, 1..10 (default 10)"},
    {"wait", "", "wait", true, "long-poll seconds, 0..20 (default 20)"},
    {"visibility_timeout", "", "visibility-timeout", true,
     "seconds a received message stays hidden; heartbeats renew it (default 300)"},
    {"max_empty_receives", "", "max-empty-receives", true,
     "exit after this many empty polls in a row, 0 = never (default 0)"},
};

struct Value {
  std::string text;
  std::string source;  // "ZEROIDLE_X" or "--x", for error messages
};

const Setting* find_flag(std::string_view flag, HostMode mode) {
  for (const Setting& s : kSettings) {
    if (flag == s.flag && (!s.worker_only || mode == HostMode::kWorker)) return &s;
  }
  return nullptr;
}

[[noreturn]] void fail(const std::string& message) {
  throw ConfigError(message);
}

int parse_int(const Value& v, int lo, int hi) {
  int out = 0;
  const char* first = v.text.data();
  const char* last = first + v.text.size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (v.text.empty() || ec != std::errc() || ptr != last) {
    fail(v.source + "='" + v.text + "' is not an integer (expected " + std::to_string(lo) + ".." +
         std::to_string(hi) + ")");
  }
  if (out < lo || out > hi) {
    fail(v.source + "=" + v.text + " is out of range (expected " + std::to_string(lo) + ".." +
         std::to_string(hi) + ")");
  }
  return out;
}

nlohmann::ordered_json parse_schema(const Value& v) {
  std::string text = v.text;
  std::string where = "inline JSON";
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) fail(v.source + " is empty (give a JSON Schema object or a file path)");
  if (text[first] != '{') {
    std::ifstream in(v.text, std::ios::binary);
    if (!in) fail(v.source + "='" + v.text + "' is neither inline JSON ('{...}') nor a readable file");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    where = "file " + v.text;
  }
  nlohmann::ordered_json schema = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) fail(v.source + ": " + where + " is not valid JSON");
  if (!schema.is_object()) fail(v.source + ": " + where + " is not a JSON object (a JSON Schema is one)");
  return schema;
}

}  // namespace

int default_threads(int memory_mb, unsigned hardware_threads) {
  const int hw = std::max(1, static_cast<int>(hardware_threads));
  if (memory_mb <= 0) return hw;
  const int vcpus = std::clamp(memory_mb / 1769, 1, 6);
  return std::min(vcpus, hw);
}

int default_n_ctx(int memory_mb, std::uint64_t model_bytes) {
  if (memory_mb <= 0) return 4096;
  constexpr std::int64_t kOverheadBytes = 512ll << 20;  // code, tokenizer, activations, buffers
  const std::int64_t left =
      (static_cast<std::int64_t>(memory_mb) << 20) - static_cast<std::int64_t>(model_bytes) - kOverheadBytes;
  std::int64_t n = left > 0 ? left / static_cast<std::int64_t>(kKvBytesPerToken) : 0;
  n = std::clamp<std::int64_t>(n, 512, 8192);
  return static_cast<int>(n / 256 * 256);
}

Config load_config(const std::vector<std::string>& args, HostMode mode, const EnvLookup& env) {
  std::map<std::string, Value> values;
  for (const Setting& s : kSettings) {
    if (!*s.env || (s.worker_only && mode != HostMode::kWorker)) continue;
    // An empty variable counts as unset (templates pass optional parameters through as "").
    if (auto v = env(s.env); v && !v->empty()) values[s.key] = Value{*v, s.env};
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) fail("unexpected argument '" + arg + "' (flags are --name value)");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Setting* s = find_flag(name, mode);
    if (!s) fail("unknown option '--" + name + "'\n" + config_usage(mode));
    if (!value) {
      if (i + 1 >= args.size()) fail("option '--" + name + "' needs a value");
      value = args[++i];
    }
    values[s->key] = Value{*value, "--" + name};
  }
  auto get = [&](const char* key) -> const Value* {
    auto it = values.find(key);
    return it == values.end() ? nullptr : &it->second;
  };

  Config c;
  if (auto mem = env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"); mem && !mem->empty()) {
    c.memory_mb = parse_int(Value{*mem, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"}, 128, 1 << 20);
  }

  const Value* model = get("model");
  if (!model || model->text.empty()) fail("ZEROIDLE_MODEL is not set (set it or --model to a GGUF file)");
  {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(model->text, ec);
    if (ec || !fs::exists(st)) fail(model->source + "='" + model->text + "' does not exist");
    if (!fs::is_regular_file(st)) fail(model->source + "='" + model->text + "' is not a regular file");
    std::ifstream probe(model->text, std::ios::binary);
    if (!probe) fail(model->source + "='" + model->text + "' is not readable");
    c.model_path = model->text;
    c.model_bytes = fs::file_size(model->text, ec);
  }

  if (const Value* v = get("task")) {
    if (v->text.empty()) fail(v->source + " is set but empty (unset it or name a task)");
    c.task = v->text;
  }
  if (const Value* v = get("schema")) c.schema = parse_schema(*v);
  if (!c.task.empty() && c.schema) {
    fail("both a task (" + get("task")->source + ") and a schema (" + get("schema")->source +
         ") are set: choose one");
  }
  if (const Value* v = get("instruction")) {
    if (!c.schema) fail(v->source + " is set without ZEROIDLE_SCHEMA/--schema (it instructs the schema)");
    c.instruction = v->text;
  }
  if (const Value* v = get("labels")) {
    if (c.task != "classify") fail(v->source + " is set but the task is not 'classify'");
    c.labels = split_labels(v->text);
  }
  if (c.task == "classify" && c.labels.empty()) fail("task 'classify' needs ZEROIDLE_LABELS/--labels (e.g. spam,ham)");
  if (const Value* v = get("table")) c.results_table = v->text;
  if (!c.results_table.empty()) {
    // DynamoDB table names: 3..255 of [a-zA-Z0-9_.-].
    const bool ok_chars = std::all_of(c.results_table.begin(), c.results_table.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
    });
    if (!ok_chars || c.results_table.size() < 3 || c.results_table.size() > 255) {
      fail(get("table")->source + "='" + c.results_table +
           "' is not a DynamoDB table name (3..255 of a-z A-Z 0-9 _ . -)");
    }
  }

  const Value* threads = get("threads");
  c.threads = threads ? parse_int(*threads, 1, 512)
                      : default_threads(c.memory_mb, std::thread::hardware_concurrency());
  const Value* n_ctx = get("n_ctx");
  c.n_ctx = n_ctx ? parse_int(*n_ctx, 128, 1 << 20) : default_n_ctx(c.memory_mb, c.model_bytes);
  if (const Value* v = get("max_tokens")) {
    c.max_tokens = parse_int(*v, 1, 1 << 20);
    if (c.max_tokens >= c.n_ctx) {
      fail(v->source + "=" + v->text + " leaves no room for the document in a context of " +
           std::to_string(c.n_ctx) + " tokens (lower it or raise ZEROIDLE_N_CTX)");
    }
  } else {
    c.max_tokens = std::min(c.max_tokens, c.n_ctx / 2);
  }
  if (const Value* v = get("safety_margin_ms")) c.safety_margin_ms = parse_int(*v, 0, 600000);
  if (const Value* v = get("log_level")) {
    static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find_if(std::begin(kLevels), std::end(kLevels), [&](const char* l) { return v->text == l; }) ==
        std::end(kLevels)) {
      fail(v->source + "='" + v->text + "' is not one of trace|debug|info|warn|error|off");
    }
    c.log_level = v->text;
  }

  if (mode == HostMode::kWorker) {
    const Value* q = get("queue_url");
    if (!q || q->text.empty()) fail("the worker needs --queue-url (or ZEROIDLE_QUEUE_URL)");
    if (q->text.rfind("https://", 0) != 0 && q->text.rfind("http://", 0) != 0) {
      fail(q->source + "='" + q->text +
           "' is not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)");
    }
    c.queue_url = q->text;
    if (const Value* v = get("batch")) c.batch = parse_int(*v, 1, 10);
    if (const Value* v = get("wait")) c.wait_s = parse_int(*v, 0, 20);
    if (const Value* v = get("visibility_timeout")) c.visibility_timeout_s = parse_int(*v, 1, 43200);
    if (const Value* v = get("max_empty_receives")) c.max_empty_receives = parse_int(*v, 0, 1 << 30);
  }
  return c;
}

std::vector<std::string> split_labels(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = std::min(list.find(','), list.size());
    if (comma > 0) out.emplace_back(list.substr(0, comma));
    list.remove_prefix(std::min(comma + 1, list.size()));
  }
  return out;
}

std::string config_usage(HostMode mode) {
  std::string out = "options (each also read from its environment variable):\n";
  for (const Setting& s : kSettings) {
    if (s.worker_only && mode != HostMode::kWorker) continue;
    std::string left = std::string("  --") + s.flag;
    if (*s.env) left += std::string(" (") + s.env + ")";
    left.resize(std::max<size_t>(left.size() + 1, 48), ' ');
    out += left + s.help + "\n";
  }
  return out;
}

}  // namespace zeroidle::runtime
