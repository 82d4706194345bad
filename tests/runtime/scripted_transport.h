// An HttpTransport that answers from a script and remembers every request, for client unit tests.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "runtime/http.h"

namespace zeroidle::testing {

struct TransportLog {
  std::vector<runtime::HttpRequest> requests;
  std::deque<runtime::HttpResponse> responses;  // popped in order; empty -> 200 "{}"
};

class ScriptedTransport : public runtime::HttpTransport {
 public:
  explicit ScriptedTransport(std::shared_ptr<TransportLog> log) : log_(std::move(log)) {}

  runtime::HttpResponse send(const runtime::HttpRequest& request) override {
    log_->requests.push_back(request);
    if (log_->responses.empty()) return ok("{}");
    runtime::HttpResponse r = log_->responses.front();
    log_->responses.pop_front();
    return r;
  }

  static runtime::HttpResponse ok(std::string body) {
    runtime::HttpResponse r;
    r.status = 200;
    r.body = std::move(body);
    return r;
  }
  static runtime::HttpResponse aws_error(long status, const std::string& type,
                                         const std::string& message = "m") {
    runtime::HttpResponse r;
    r.status = status;
    r.body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + type + "\",\"message\":\"" + message + "\"}";
    return r;
  }
  static runtime::HttpResponse transport_failure() {
    runtime::HttpResponse r;
    r.transport_error = "Couldn't connect to server";
    return r;
  }

 private:
  std::shared_ptr<TransportLog> log_;
};

}  // namespace zeroidle::testing
