#include "runtime/lambda_api.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "runtime/log.h"

namespace zeroidle::runtime {

std::string ErrorReport::to_json() const {
  return log::dump_json(nlohmann::ordered_json{
      {"errorMessage", message}, {"errorType", error_type}, {"stackTrace", stack_trace}});
}

RuntimeApiClient::RuntimeApiClient(std::string endpoint, std::unique_ptr<HttpTransport> transport)
    : base_("http://" + std::move(endpoint) + "/2018-06-01"), transport_(std::move(transport)) {}

std::optional<Invocation> RuntimeApiClient::next(std::string& error) {
  HttpRequest request;
  request.method = "GET";
  request.url = base_ + "/runtime/invocation/next";
  request.timeout_ms = 0;  // no limit: the environment may be frozen while waiting
  const HttpResponse response = transport_->send(request);
  if (!response.transport_ok()) {
    error = "GET /runtime/invocation/next: " + response.transport_error;
    return std::nullopt;
  }
  if (response.status != 200) {
    error = "GET /runtime/invocation/next: HTTP " + std::to_string(response.status) + ": " +
            response.body.substr(0, 500);
    return std::nullopt;
  }
  Invocation inv;
  inv.request_id = response.header("lambda-runtime-aws-request-id");
  if (inv.request_id.empty()) {
    error = "GET /runtime/invocation/next: no Lambda-Runtime-Aws-Request-Id header";
    return std::nullopt;
  }
  const std::string deadline = response.header("lambda-runtime-deadline-ms");
  inv.deadline_ms = 0;
  auto [ptr, ec] = std::from_chars(deadline.data(), deadline.data() + deadline.size(), inv.deadline_ms);
  if (deadline.empty() || ec != std::errc() || ptr != deadline.data() + deadline.size()) inv.deadline_ms = 0;
  inv.trace_id = response.header("lambda-runtime-trace-id");
  inv.function_arn = response.header("lambda-runtime-invoked-function-arn");
  inv.payload = response.body;
  return inv;
}

ApiResult RuntimeApiClient::post(const std::string& path, const std::string& body,
                                 const std::string& error_type) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_ + path;
  request.body = body;
  request.timeout_ms = 60000;
  request.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) request.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
  const HttpResponse response = transport_->send(request);
  ApiResult result;
  result.http_status = response.status;
  if (!response.transport_ok()) {
    result.error = response.transport_error;
  } else if (response.status >= 200 && response.status < 300) {
    result.ok = true;
  } else {
    result.error = "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 500);
  }
  return result;
}

ApiResult RuntimeApiClient::post_response(const std::string& request_id, const std::string& body) {
  return post("/runtime/invocation/" + request_id + "/response", body, "");
}

ApiResult RuntimeApiClient::post_error(const std::string& request_id, const ErrorReport& report) {
  return post("/runtime/invocation/" + request_id + "/error", report.to_json(), report.error_type);
}

ApiResult RuntimeApiClient::post_init_error(const ErrorReport& report) {
  return post("/runtime/init/error", report.to_json(), report.error_type);
}

}  // namespace zeroidle::runtime
