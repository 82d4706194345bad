// AWS Signature Version 4 over OpenSSL (SHA-256, HMAC-SHA256), for the JSON APIs of DynamoDB and SQS.
//
// Canonicalization follows the published algorithm as botocore implements it for every service but S3:
//   canonical URI     the wire path with dot segments and empty segments removed, then URI-encoded again
//                     (so "/a%20b" signs as "/a%2520b": non-S3 services double-encode)
//   canonical query   the wire query's key=value pairs sorted (as sent; build it with encode_query)
//   canonical headers every header except hop-by-hop ones, user-agent and x-amzn-trace-id; names
//                     lowercased and sorted, values trimmed with inner whitespace runs collapsed,
//                     repeated names joined by ','
//   payload hash      hex SHA-256 of the body, or the x-amz-content-sha256 header when present
// Tested against botocore's SigV4Auth on generated requests and AWS's get-vanilla vector.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/http.h"

namespace zeroidle::runtime {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys

  // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; nullopt when a key is missing.
  static std::optional<Credentials> from_env();
};

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hex_encode(std::string_view bytes);                        // lowercase

// RFC 3986 percent-encoding: A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX (uppercase);
// '/' stays too when keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash);

// key=value&... with both sides uri_encode()d, in the given order (the signer sorts).
std::string encode_query(const std::vector<std::pair<std::string, std::string>>& params);

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string amz_date(std::chrono::system_clock::time_point t);

std::string canonical_uri(std::string_view wire_path);
std::string canonical_query(std::string_view wire_query);

// Every intermediate of one signature, for tests and debug logs.
struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;
  std::string authorization;
};

// Signs `request` in place for `service` in `region` at time `now`: adds Host (when absent),
// X-Amz-Date, X-Amz-Security-Token (when the credentials carry one) and Authorization, replacing
// earlier copies of those. Throws std::invalid_argument when request.url is not an http(s) URL.
SigV4Signature sign_request(HttpRequest& request, const Credentials& credentials, std::string_view region,
                            std::string_view service, std::chrono::system_clock::time_point now);

}  // namespace zeroidle::runtime
