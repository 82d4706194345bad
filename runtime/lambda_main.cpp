// `zeroidle lambda`: the Lambda bootstrap loop (init once, then next -> handle -> respond).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "runtime/batch_processor.h"
#include "runtime/host.h"
#include "runtime/lambda_api.h"
#include "runtime/lambda_handler.h"
#include "runtime/log.h"
#include "runtime/metrics.h"
#include "runtime/result_store.h"

namespace zeroidle::runtime {

namespace {

using Clock = std::chrono::steady_clock;

bool wants_help(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

// Posts an init error and returns the exit code for it.
int init_failed(RuntimeApiClient& api, const std::string& type, const std::string& message) {
  log::error("init failed", {{"error_type", type}, {"reason", message}});
  const ApiResult r = api.post_init_error(ErrorReport{type, message, {}});
  if (!r.ok) log::error("could not report the init error", {{"reason", r.error}});
  return 1;
}

void send_reply(RuntimeApiClient& api, const Invocation& inv, Reply reply) {
  if (!reply.is_error && reply.body.size() > kMaxLambdaResponseBytes) {  // the handler keeps under; be sure
    reply.is_error = true;
    reply.error = ErrorReport{"Function.ResponseTooLarge",
                              "response of " + std::to_string(reply.body.size()) + " bytes is over 6 MB",
                              {}};
  }
  if (reply.is_error) {
    log::warn("invocation error", {{"error_type", reply.error.error_type}, {"reason", reply.error.message}});
    const ApiResult r = api.post_error(inv.request_id, reply.error);
    if (!r.ok) log::error("posting the invocation error failed", {{"reason", r.error}});
    return;
  }
  const ApiResult r = api.post_response(inv.request_id, reply.body);
  if (r.ok) return;
  log::error("posting the response failed", {{"reason", r.error}, {"response_bytes", reply.body.size()}});
  if (r.http_status == 413) {
    api.post_error(inv.request_id,
                   ErrorReport{"Function.ResponseTooLarge",
                               "Lambda refused a response of " + std::to_string(reply.body.size()) + " bytes",
                               {}});
  }
}

}  // namespace

int lambda_main(const std::vector<std::string>& args, const ExtractorFactory& make_extractor) {
  const Clock::time_point process_start = Clock::now();
  if (wants_help(args)) {
    std::printf("usage: zeroidle lambda [options]\n\nThe AWS Lambda bootstrap (container ENTRYPOINT).\n\n%s",
                config_usage(HostMode::kLambda).c_str());
    return 0;
  }
  log::init("info");
  const char* api_endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api_endpoint || !*api_endpoint) {
    std::fprintf(
        stderr,
        "error: AWS_LAMBDA_RUNTIME_API is not set: `zeroidle lambda` runs inside AWS Lambda or the "
        "Runtime Interface Emulator (for local files use `zeroidle extract`, for SQS fleets `zeroidle "
        "worker`)\n");
    return 2;
  }
  RuntimeApiClient api(api_endpoint, std::make_unique<CurlTransport>());

  Config config;
  try {
    config = load_config(args, HostMode::kLambda);
  } catch (const ConfigError& e) {
    return init_failed(api, "Runtime.ConfigInvalid", e.what());
  }
  log::set_level(config.log_level);
  log::info("init",
            {{"model", config.model_path},
             {"model_bytes", config.model_bytes},
             {"threads", config.threads},
             {"n_ctx", config.n_ctx},
             {"max_tokens", config.max_tokens},
             {"memory_mb", config.memory_mb},
             {"results", config.results_table.empty() ? "logs" : "dynamodb:" + config.results_table}});

  std::unique_ptr<ResultStore> store;
  try {
    store = make_result_store(config);
  } catch (const std::exception& e) {
    return init_failed(api, "Runtime.ConfigInvalid", e.what());
  }

  const Clock::time_point load_start = Clock::now();
  std::unique_ptr<Extractor> extractor;
  try {
    extractor = make_extractor(config);
    if (!extractor) throw std::runtime_error("the extractor factory returned nothing");
  } catch (const ConfigError& e) {
    return init_failed(api, "Runtime.ConfigInvalid", e.what());
  } catch (const std::exception& e) {
    return init_failed(api, "Runtime.ModelLoadFailed", e.what());
  }
  const double model_load_ms = ms_since(load_start);
  const Metrics metrics("zeroidle");
  metrics.init(ms_since(process_start), model_load_ms);
  log::info("ready", {{"model", extractor->model_name()}, {"model_load_ms", model_load_ms}});

  BatchProcessor processor(*extractor, *store, metrics,
                           std::chrono::milliseconds(static_cast<long long>(config.safety_margin_ms)));
  LambdaHandler handler(processor, metrics, extractor->model_name());

  int next_failures = 0;
  for (;;) {
    std::string error;
    std::optional<Invocation> inv = api.next(error);
    if (!inv) {
      // The Runtime API only fails when the environment is going away: retry briefly, then give up.
      log::error("runtime API: next invocation failed", {{"reason", error}, {"attempt", next_failures + 1}});
      if (++next_failures >= 5) return 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * next_failures));
      continue;
    }
    next_failures = 0;
    log::context().request_id = inv->request_id;
    log::context().trace_id = inv->trace_id;
    if (!inv->trace_id.empty()) {
      setenv("_X_AMZN_TRACE_ID", inv->trace_id.c_str(), 1);
    } else {
      unsetenv("_X_AMZN_TRACE_ID");
    }
    Reply reply;
    try {
      reply = handler.handle(*inv);
    } catch (const std::exception& e) {
      reply.is_error = true;
      reply.error = ErrorReport{"Function.UnhandledException", e.what(), {}};
    }
    send_reply(api, *inv, std::move(reply));
    log::context() = log::Context{};
  }
}

}  // namespace zeroidle::runtime
