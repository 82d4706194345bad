// A client for AWS JSON-protocol APIs (DynamoDB, SQS): POST / with X-Amz-Target and
// application/x-amz-json-1.0, SigV4-signed, retried with full-jitter exponential backoff on throttling
// and 5xx responses only. Everything else (4xx, transport failures) is returned to the caller at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "runtime/http.h"
#include "runtime/sigv4.h"

namespace zeroidle::runtime {

struct AwsEndpoint {
  std::string url;           // e.g. https://dynamodb.us-east-1.amazonaws.com or http://127.0.0.1:5000
  std::string region;        // signing region
  std::string signing_name;  // "dynamodb", "sqs"
};

// The endpoint for a service: AWS_ENDPOINT_URL_<SERVICE_ID> (e.g. AWS_ENDPOINT_URL_DYNAMODB), then
// AWS_ENDPOINT_URL, then https://<signing_name>.<region>.amazonaws.com. Region: AWS_REGION, then
// AWS_DEFAULT_REGION, then `fallback_region`. Throws std::runtime_error naming what is missing.
AwsEndpoint resolve_endpoint(const std::string& service_env_id, const std::string& signing_name,
                             const std::string& fallback_region = {});

struct AwsError {
  long http_status = 0;  // 0: no HTTP response (transport failure)
  std::string code;      // the error shape name without namespace, e.g. "ConditionalCheckFailedException"
  std::string message;
  bool throttled = false;

  std::string describe() const;  // "ConditionalCheckFailedException (HTTP 400): The conditional..."
};

struct AwsResult {
  bool ok = false;
  nlohmann::json body;  // parsed response on success (an empty object when the body is empty)
  AwsError error;       // when !ok
  int attempts = 0;
};

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base{25};
  std::chrono::milliseconds cap{3000};
};

// True for the error codes AWS uses for throttling (ProvisionedThroughputExceededException,
// ThrottlingException, RequestLimitExceeded, ...).
bool is_throttling_error(const std::string& code);

class AwsJsonClient {
 public:
  using Clock = std::chrono::steady_clock;
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  AwsJsonClient(AwsEndpoint endpoint, Credentials credentials, std::unique_ptr<HttpTransport> transport,
                RetryPolicy retry = {});

  // Calls `target` (e.g. "DynamoDB_20120810.PutItem") with `request`. Retries throttling and 5xx,
  // never sleeping past `deadline`; each attempt's HTTP timeout is `timeout_ms`, cut to the time left
  // before `deadline` (at least 500 ms).
  AwsResult call(const std::string& target, const nlohmann::json& request,
                 Clock::time_point deadline = Clock::time_point::max(),
                 const std::atomic<bool>* abort_flag = nullptr, long timeout_ms = 30000);

  const AwsEndpoint& endpoint() const { return endpoint_; }
  void set_sleeper(Sleeper sleeper) { sleep_ = std::move(sleeper); }  // tests

 private:
  AwsEndpoint endpoint_;
  Credentials credentials_;
  std::unique_ptr<HttpTransport> transport_;
  RetryPolicy retry_;
  std::mt19937_64 rng_;
  Sleeper sleep_;
};

// Parses an AWS JSON error response ({"__type": "ns#Code", "message": ...}, or the X-Amzn-ErrorType
// header) into an AwsError.
AwsError parse_aws_error(const HttpResponse& response);

}  // namespace zeroidle::runtime
