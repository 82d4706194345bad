#include "runtime/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <stdexcept>

namespace zeroidle::runtime {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Url::host_header() const {
  std::string h;
  if (host.find(':') != std::string::npos) {
    h.append("[").append(host).append("]");  // IPv6 literal
  } else {
    h = host;
  }
  const int default_port = scheme == "https" ? 443 : 80;
  if (port != 0 && port != default_port) h.append(":").append(std::to_string(port));
  return h;
}

std::string Url::origin() const {
  return scheme + "://" + host_header();
}

bool parse_url(std::string_view text, Url& out) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return false;
  out.scheme = to_lower(text.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") return false;
  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  if (authority.empty()) return false;

  std::string_view port_text;
  if (authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    out.host = to_lower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = to_lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return false;
  out.port = 0;
  if (!port_text.empty()) {
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), out.port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || out.port <= 0 ||
        out.port > 65535) {
      return false;
    }
  }

  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto q = rest.find('?');
  const std::string_view path = rest.substr(0, q);
  out.path.assign(path.empty() ? std::string_view("/") : path);
  out.query.assign(q == std::string_view::npos ? std::string_view() : rest.substr(q + 1));
  return true;
}

std::string HttpResponse::header(std::string_view name) const {
  const std::string lname = to_lower(name);
  for (const auto& [k, v] : headers) {
    if (k == lname) return v;
  }
  return {};
}

HttpTransport::~HttpTransport() = default;

namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  auto* headers = static_cast<HeaderList*>(user);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100-continue or a redirect) starts over
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    return s;
  };
  headers->emplace_back(to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* flag = static_cast<const std::atomic<bool>*>(user);
  return flag && flag->load() ? 1 : 0;  // non-zero aborts the transfer
}

}  // namespace

CurlTransport::CurlTransport() {
  global_init_once();
  curl_ = curl_easy_init();
  if (!curl_) throw std::runtime_error("curl_easy_init failed");
}

CurlTransport::~CurlTransport() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse CurlTransport::send(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // keeps the connection cache
  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_slist* header_list = nullptr;
  for (const auto& [k, v] : request.headers) {
    std::string line = k;
    line.append(v.empty() ? ";" : ": ").append(v);  // "Name;" sends an empty value
    header_list = curl_slist_append(header_list, line.c_str());
  }
  // libcurl would add "Expect: 100-continue" to large POSTs; an unsigned header the peer then waits on.
  header_list = curl_slist_append(header_list, "Expect:");

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // AWS and the Runtime API are reached directly
  if (request.abort_flag) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, request.abort_flag);
  }
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (request.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  if (rc != CURLE_OK) {
    response.status = 0;
    response.transport_error =
        std::string(curl_easy_strerror(rc)) + (error_buffer[0] ? ": " : "") + error_buffer;
    return response;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace zeroidle::runtime
