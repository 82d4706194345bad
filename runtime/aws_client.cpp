#include "runtime/aws_client.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace zeroidle::runtime {

namespace {

std::string env_or_empty(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> "ConditionalCheckFailedException";
// also strips a ":http://..." suffix the REST-JSON header form may carry.
std::string short_error_code(std::string code) {
  if (auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  if (auto colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  return code;
}

}  // namespace

AwsEndpoint resolve_endpoint(const std::string& service_env_id, const std::string& signing_name,
                             const std::string& fallback_region) {
  AwsEndpoint ep;
  ep.signing_name = signing_name;
  ep.region = env_or_empty("AWS_REGION");
  if (ep.region.empty()) ep.region = env_or_empty("AWS_DEFAULT_REGION");
  if (ep.region.empty()) ep.region = fallback_region;
  if (ep.region.empty())
    throw std::runtime_error("AWS_REGION is not set (needed to sign " + signing_name + " calls)");
  ep.url = env_or_empty("AWS_ENDPOINT_URL_" + service_env_id);
  if (ep.url.empty()) ep.url = env_or_empty("AWS_ENDPOINT_URL");
  if (ep.url.empty()) ep.url = "https://" + signing_name + "." + ep.region + ".amazonaws.com";
  Url parsed;
  if (!parse_url(ep.url, parsed)) throw std::runtime_error("endpoint '" + ep.url + "' is not an http(s) URL");
  ep.url = parsed.origin() + (parsed.path == "/" ? "" : parsed.path);
  if (ep.url.back() != '/') ep.url += "/";
  return ep;
}

std::string AwsError::describe() const {
  std::string s = code.empty() ? "error" : code;
  s += http_status ? " (HTTP " + std::to_string(http_status) + ")" : " (no response)";
  if (!message.empty()) s += ": " + message;
  return s;
}

bool is_throttling_error(const std::string& code) {
  static const char* kThrottling[] = {
      "ProvisionedThroughputExceededException",
      "ThrottlingException",
      "RequestLimitExceeded",
      "Throttling",
      "ThrottledException",
      "RequestThrottled",
      "RequestThrottledException",
      "TooManyRequestsException",
      "AWS.SimpleQueueService.RequestThrottled",
  };
  return std::any_of(std::begin(kThrottling), std::end(kThrottling),
                     [&](const char* c) { return code == c; });
}

AwsError parse_aws_error(const HttpResponse& response) {
  AwsError e;
  e.http_status = response.status;
  if (!response.transport_ok()) {
    e.code = "TransportError";
    e.message = response.transport_error;
    return e;
  }
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    if (auto it = body.find("__type"); it != body.end() && it->is_string()) e.code = short_error_code(*it);
    for (const char* key : {"message", "Message"}) {
      if (auto it = body.find(key); it != body.end() && it->is_string()) e.message = *it;
    }
  }
  if (e.code.empty()) e.code = short_error_code(response.header("x-amzn-errortype"));
  if (e.code.empty() && !body.is_object()) {  // an XML error document (query protocol, or a proxy)
    auto element = [&](const std::string& tag) -> std::string {
      const auto open = response.body.find("<" + tag + ">");
      if (open == std::string::npos) return {};
      const auto start = open + tag.size() + 2;
      const auto close = response.body.find("</" + tag + ">", start);
      return close == std::string::npos ? std::string()
                                        : response.body.substr(start, std::min<size_t>(close - start, 500));
    };
    e.code = element("Code");
    if (!e.code.empty()) e.message = element("Message");
  }
  if (e.code.empty()) e.code = "HTTP" + std::to_string(response.status);
  // SQS's JSON protocol names the legacy query-protocol code in a header; prefer its throttling verdict.
  const std::string query_error = response.header("x-amzn-query-error");
  e.throttled = is_throttling_error(e.code) || response.status == 429 ||
                is_throttling_error(query_error.substr(0, query_error.find(';')));
  if (e.message.empty() && !body.is_object()) e.message = response.body.substr(0, 200);
  return e;
}

AwsJsonClient::AwsJsonClient(AwsEndpoint endpoint, Credentials credentials,
                             std::unique_ptr<HttpTransport> transport, RetryPolicy retry)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      transport_(std::move(transport)),
      retry_(retry),
      rng_(std::random_device{}()),
      sleep_([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {}

AwsResult AwsJsonClient::call(const std::string& target, const nlohmann::json& request,
                              Clock::time_point deadline, const std::atomic<bool>* abort_flag,
                              long timeout_ms) {
  // Untrusted text (document ids, error messages) may hold invalid UTF-8: replace, never throw.
  const std::string body = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  AwsResult result;
  for (int attempt = 0; attempt < retry_.max_attempts; ++attempt) {
    HttpRequest http;
    http.method = "POST";
    http.url = endpoint_.url;
    http.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", target}};
    http.body = body;
    http.timeout_ms = timeout_ms;
    if (deadline != Clock::time_point::max()) {  // one slow attempt must not run past the caller's deadline
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      http.timeout_ms = std::clamp<long>(static_cast<long>(left), 500, timeout_ms);
    }
    http.abort_flag = abort_flag;
    sign_request(http, credentials_, endpoint_.region, endpoint_.signing_name,
                 std::chrono::system_clock::now());

    const HttpResponse response = transport_->send(http);
    result.attempts = attempt + 1;
    if (response.transport_ok() && response.status >= 200 && response.status < 300) {
      result.ok = true;
      result.body = response.body.empty() ? nlohmann::json::object()
                                          : nlohmann::json::parse(response.body, nullptr, false);
      if (result.body.is_discarded()) {
        result.ok = false;
        result.error = AwsError{response.status, "InvalidResponse", "response body is not JSON", false};
      }
      return result;
    }
    result.error = parse_aws_error(response);
    const bool retryable = response.transport_ok() && (result.error.throttled || response.status >= 500);
    if (!retryable || attempt + 1 == retry_.max_attempts) break;
    if (abort_flag && abort_flag->load()) break;

    // Full jitter: uniform in [0, min(cap, base * 2^attempt)].
    const auto ceiling =
        std::min<long long>(retry_.cap.count(), retry_.base.count() << std::min(attempt, 20));
    std::uniform_int_distribution<long long> pick(0, std::max<long long>(ceiling, 1));
    const std::chrono::milliseconds delay(pick(rng_));
    if (deadline != Clock::time_point::max() && Clock::now() + delay >= deadline) break;
    sleep_(delay);
  }
  return result;
}

}  // namespace zeroidle::runtime
