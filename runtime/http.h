// The HTTP edge: a request/response pair, a transport interface (so the AWS clients can be tested
// with a scripted peer) and its libcurl implementation. Transport failures (connection refused,
// timeout, aborted) are reported in HttpResponse::transport_error, never thrown.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zeroidle::runtime {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An absolute http(s) URL split into the parts SigV4 and the Host header need.
// `path` and `query` stay exactly as they will go on the wire (already percent-encoded).
struct Url {
  std::string scheme;  // "http" | "https"
  std::string host;    // lowercase, without brackets for IPv6
  int port = 0;        // 0: the scheme's default
  std::string path;    // "/" when empty
  std::string query;   // without '?'

  // "host" or "host:port" when the port is not the scheme's default (as botocore signs it).
  std::string host_header() const;
  // scheme://host[:port] (no path).
  std::string origin() const;
};

// Parses `text`; returns false (and leaves `out` unspecified) when it is not an absolute http(s) URL.
bool parse_url(std::string_view text, Url& out);

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
  long timeout_ms = 30000;  // whole transfer; 0: no limit (the Lambda /next call)
  long connect_timeout_ms = 5000;
  // When set and it becomes true, the transfer is aborted (used to stop a long poll on SIGTERM).
  const std::atomic<bool>* abort_flag = nullptr;
};

struct HttpResponse {
  long status = 0;     // 0 when the transfer failed
  HeaderList headers;  // names lowercased
  std::string body;
  std::string transport_error;  // non-empty when no HTTP response arrived

  bool transport_ok() const { return transport_error.empty(); }
  // First header with this name (case-insensitive), or empty.
  std::string header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport();
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

// libcurl, one easy handle kept for connection reuse. Thread-compatible: one per thread.
class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request) override;

 private:
  void* curl_;  // CURL*
};

// ASCII lowercase.
std::string to_lower(std::string_view s);

}  // namespace zeroidle::runtime
