// Runtime configuration: environment variables (as the SAM template sets them), overridden by flags of
// `zeroidle lambda` / `zeroidle worker`. load_config() validates everything up front and throws
// ConfigError naming the setting and the fix, so a wrong setting is an init error, never a late surprise.
//
//   env                              flag                   meaning
//   ZEROIDLE_MODEL                   --model PATH           GGUF file (required)
//   ZEROIDLE_TASK                    --task NAME            built-in task (or a schema, not both)
//   ZEROIDLE_SCHEMA                  --schema JSON|PATH     JSON Schema, inline ('{...}') or a file
//   ZEROIDLE_INSTRUCTION             --instruction TEXT     instruction that goes with the schema
//   ZEROIDLE_LABELS                  --labels A,B,C         labels of the classify task
//   ZEROIDLE_RESULTS_TABLE           --table NAME           DynamoDB table (unset: results in logs only)
//   ZEROIDLE_MAX_TOKENS              --max-tokens N         generated-token budget per document
//   ZEROIDLE_THREADS                 --threads N            default: 1 vCPU per 1769 MB of Lambda memory
//   ZEROIDLE_N_CTX                   --n-ctx N              default: sized from memory left after the model
//   ZEROIDLE_SAFETY_MARGIN_MS        --safety-margin-ms N   time kept free before the Lambda deadline
//   ZEROIDLE_LOG_LEVEL               --log-level L          trace|debug|info|warn|error|off
//   worker only:
//   ZEROIDLE_QUEUE_URL               --queue-url URL        SQS queue to long-poll (required)
//                                    --batch N              messages per ReceiveMessage (1..10)
//                                    --wait S               long-poll seconds (0..20)
//                                    --visibility-timeout S visibility given on receive, kept by heartbeats
//                                    --max-empty-receives N exit after N empty polls in a row (0: never)
// An empty environment variable counts as unset. Read-only input from Lambda:
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zeroidle::runtime {

enum class HostMode { kLambda, kWorker };

struct Config {
  // Extraction (handed to make_extractor).
  std::string model_path;
  std::uint64_t model_bytes = 0;  // size of model_path, for memory planning
  std::string task;
  std::optional<nlohmann::ordered_json> schema;  // property order kept
  std::string instruction;
  std::vector<std::string> labels;  // for task classify
  int max_tokens = 512;
  int threads = 1;
  int n_ctx = 4096;
  int memory_mb = 0;  // AWS_LAMBDA_FUNCTION_MEMORY_SIZE; 0 outside Lambda

  // Results and timing.
  std::string results_table;  // empty: no DynamoDB, results go to the logs
  double safety_margin_ms = 2000;
  std::string log_level = "info";

  // Worker.
  std::string queue_url;
  int batch = 10;
  int wait_s = 20;
  int visibility_timeout_s = 300;
  int max_empty_receives = 0;
};

// A setting that is missing or wrong. what() names the variable/flag, the value seen and the fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns the value of an environment variable, nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> process_env(const std::string& name);

// Environment first, then `args` (`--flag value` or `--flag=value`) on top; validates; fills defaults
// (threads and n_ctx from the Lambda memory size). Throws ConfigError.
Config load_config(const std::vector<std::string>& args, HostMode mode, const EnvLookup& env = process_env);

// The flags table above as help text for one host.
std::string config_usage(HostMode mode);

// The labels of a comma-separated list (ZEROIDLE_LABELS, --labels of every command), in order, exactly
// as written between the commas; empty items are dropped ("spam,,ham," -> {"spam", "ham"}).
std::vector<std::string> split_labels(std::string_view list);

// Lambda gives one vCPU per 1769 MB (up to 6 at 10240 MB). Never more than the host's cores.
int default_threads(int memory_mb, unsigned hardware_threads);

// Context length that fits in the memory left after the model and a fixed overhead, assuming the
// KV cache costs kKvBytesPerToken per position (Llama 3 8B at F16: 32 layers x 8 KV heads x 128 x 2 x 2 B;
// smaller models cost less, so this is conservative). Clamped to [512, 8192], multiple of 256.
inline constexpr std::uint64_t kKvBytesPerToken = 131072;
int default_n_ctx(int memory_mb, std::uint64_t model_bytes);

}  // namespace zeroidle::runtime
