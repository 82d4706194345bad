#include "runtime/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <stdexcept>

namespace zeroidle::runtime {

std::optional<Credentials> Credentials::from_env() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (!id || !*id || !secret || !*secret) return std::nullopt;
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  return Credentials{id, secret, token ? token : ""};
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(SHA-256) failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len)) {
    throw std::runtime_error("HMAC(SHA-256) failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string encode_query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(k, false) + "=" + uri_encode(v, false);
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string canonical_uri(std::string_view wire_path) {
  if (wire_path.empty()) return "/";
  // RFC 3986 5.2.4 dot-segment removal; AWS also drops empty segments ("//").
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= wire_path.size()) {
    size_t end = wire_path.find('/', start);
    if (end == std::string_view::npos) end = wire_path.size();
    std::string_view seg = wire_path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string path = wire_path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) path.push_back('/');
    path.append(segments[i]);
  }
  if (wire_path.back() == '/' && !segments.empty()) path.push_back('/');
  return uri_encode(path, /*keep_slash=*/true);
}

std::string canonical_query(std::string_view wire_query) {
  if (wire_query.empty()) return {};
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  size_t start = 0;
  while (start <= wire_query.size()) {
    size_t end = wire_query.find('&', start);
    if (end == std::string_view::npos) end = wire_query.size();
    std::string_view pair = wire_query.substr(start, end - start);
    const size_t eq = pair.find('=');
    pairs.emplace_back(pair.substr(0, eq),
                       eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(k).append("=").append(v);
  }
  return out;
}

namespace {

// Headers never signed: hop-by-hop ones a proxy may change, and ones clients rewrite.
bool is_unsigned_header(std::string_view lname) {
  static constexpr std::string_view kUnsigned[] = {
      "connection", "expect",  "keep-alive",        "proxy-authenticate", "proxy-authorization", "te",
      "trailer",    "upgrade", "transfer-encoding", "user-agent",         "x-amzn-trace-id",
  };
  return std::find(std::begin(kUnsigned), std::end(kUnsigned), lname) != std::end(kUnsigned);
}

bool is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

// Trims and collapses runs of whitespace to one space ("Trimall").
std::string trim_all(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

void erase_header(HeaderList& headers, std::string_view lname) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& h) { return to_lower(h.first) == lname; }),
                headers.end());
}

}  // namespace

SigV4Signature sign_request(HttpRequest& request, const Credentials& credentials, std::string_view region,
                            std::string_view service, std::chrono::system_clock::time_point now) {
  Url url;
  if (!parse_url(request.url, url)) throw std::invalid_argument("SigV4: not an http(s) URL: " + request.url);

  const std::string date = amz_date(now);
  const std::string day = date.substr(0, 8);
  erase_header(request.headers, "authorization");
  erase_header(request.headers, "x-amz-date");
  request.headers.emplace_back("X-Amz-Date", date);
  if (!credentials.session_token.empty()) {
    erase_header(request.headers, "x-amz-security-token");
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const bool has_host = std::any_of(request.headers.begin(), request.headers.end(),
                                    [](const auto& h) { return to_lower(h.first) == "host"; });
  if (!has_host) request.headers.emplace_back("Host", url.host_header());

  // name -> values in request order
  std::map<std::string, std::vector<std::string>> signed_values;
  std::string payload_hash;
  for (const auto& [name, value] : request.headers) {
    std::string lname = to_lower(name);
    if (lname == "x-amz-content-sha256") payload_hash = value;
    if (is_unsigned_header(lname)) continue;
    signed_values[lname].push_back(trim_all(value));
  }
  if (payload_hash.empty()) payload_hash = sha256_hex(request.body);

  SigV4Signature sig;
  std::string canonical_headers;
  for (const auto& [lname, values] : signed_values) {
    canonical_headers += lname + ":";
    for (size_t i = 0; i < values.size(); ++i) canonical_headers += (i ? "," : "") + values[i];
    canonical_headers += "\n";
    sig.signed_headers += (sig.signed_headers.empty() ? "" : ";") + lname;
  }

  std::string method = request.method;
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  sig.canonical_request = method + "\n" + canonical_uri(url.path) + "\n" + canonical_query(url.query) + "\n" +
                          canonical_headers + "\n" + sig.signed_headers + "\n" + payload_hash;

  const std::string scope = day + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + sha256_hex(sig.canonical_request);

  const std::string k_date = hmac_sha256("AWS4" + credentials.secret_access_key, day);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  const std::string k_signing = hmac_sha256(k_service, "aws4_request");
  sig.signature = hex_encode(hmac_sha256(k_signing, sig.string_to_sign));

  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + sig.signed_headers + ", Signature=" + sig.signature;
  request.headers.emplace_back("Authorization", sig.authorization);
  return sig;
}

}  // namespace zeroidle::runtime
