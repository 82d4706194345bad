// The AWS Lambda Runtime API (version 2018-06-01), over HTTP at $AWS_LAMBDA_RUNTIME_API:
//   GET  /runtime/invocation/next          blocks until an event (no timeout: the process may be frozen)
//   POST /runtime/invocation/{id}/response the handler's answer (Lambda refuses bodies over 6 MB)
//   POST /runtime/invocation/{id}/error    {"errorMessage","errorType","stackTrace"} with the
//                                          Lambda-Runtime-Function-Error-Type header
//   POST /runtime/init/error               the same, when initialization failed; then the process exits
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/http.h"

namespace zeroidle::runtime {

// Lambda's limit on a synchronous response payload.
inline constexpr size_t kMaxLambdaResponseBytes = 6 * 1024 * 1024;

struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms;  // Lambda-Runtime-Deadline-Ms: Unix epoch milliseconds
  std::string trace_id;      // Lambda-Runtime-Trace-Id (X-Ray), may be empty
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string payload;
};

struct ErrorReport {
  std::string error_type;  // "Function.Xxx" for invocations, "Runtime.Xxx" for init
  std::string message;
  std::vector<std::string> stack_trace;

  std::string to_json() const;  // {"errorMessage","errorType","stackTrace"}
};

struct ApiResult {
  bool ok = false;
  long http_status = 0;
  std::string error;  // transport error or the response body when !ok
};

class RuntimeApiClient {
 public:
  // `endpoint` is host:port as in AWS_LAMBDA_RUNTIME_API.
  RuntimeApiClient(std::string endpoint, std::unique_ptr<HttpTransport> transport);

  // Blocks until the next event. nullopt (and `error` set) when the API failed or answered without a
  // request id.
  std::optional<Invocation> next(std::string& error);
  ApiResult post_response(const std::string& request_id, const std::string& body);
  ApiResult post_error(const std::string& request_id, const ErrorReport& report);
  ApiResult post_init_error(const ErrorReport& report);

 private:
  ApiResult post(const std::string& path, const std::string& body, const std::string& error_type);

  std::string base_;  // http://host:port/2018-06-01
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace zeroidle::runtime
