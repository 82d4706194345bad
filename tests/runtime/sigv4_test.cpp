// SigV4: AWS's published get-vanilla vector, the crypto primitives' published vectors, and agreement
// with botocore's signer on generated requests with unusual paths, queries, headers and bodies.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/shared_dir.h"
#include "runtime/sigv4.h"

namespace zeroidle::runtime {
namespace {

using std::chrono::system_clock;

system_clock::time_point utc(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return system_clock::from_time_t(timegm(&tm));
}

// AWS Signature Version 4 test suite, "get-vanilla" (an external spec vector: inputs and outputs as
// published by AWS).
TEST(SigV4, GetVanillaVector) {
  HttpRequest req;
  req.method = "GET";
  req.url = "https://example.amazonaws.com/";
  req.headers = {{"Host", "example.amazonaws.com"}};
  const Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const SigV4Signature sig = sign_request(req, creds, "us-east-1", "service", utc(2015, 8, 30, 12, 36, 0));

  EXPECT_EQ(sig.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(sig.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(sig.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  // The headers that go on the wire.
  int dates = 0, auths = 0;
  for (const auto& [k, v] : req.headers) {
    dates += k == "X-Amz-Date" && v == "20150830T123600Z";
    auths += k == "Authorization" && v == sig.authorization;
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(auths, 1);
}

TEST(SigV4, CryptoPrimitivesMatchPublishedVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4, Canonicalization) {
  EXPECT_EQ(uri_encode("a b/ü~*", false), "a%20b%2F%C3%BC~%2A");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/a%20b"), "/a%2520b");  // non-S3 services double-encode
  EXPECT_EQ(canonical_uri("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(canonical_uri("/$:@"), "/%24%3A%40");
  EXPECT_EQ(canonical_query(""), "");
  EXPECT_EQ(canonical_query("b=2&a=1&A=0&a=0"), "A=0&a=0&a=1&b=2");
  EXPECT_EQ(canonical_query("flag&x="), "flag=&x=");
  EXPECT_EQ(encode_query({{"k y", "v&w=z"}, {"ü", "+"}}), "k%20y=v%26w%3Dz&%C3%BC=%2B");
  EXPECT_EQ(amz_date(utc(2030, 1, 2, 3, 4, 5)), "20300102T030405Z");
}

TEST(SigV4, SessionTokenIsSignedAndSent) {
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:4566/";
  req.body = "{}";
  const Credentials creds{"ASIAEXAMPLE", "secret", "token/with+chars="};
  const SigV4Signature sig = sign_request(req, creds, "eu-west-1", "dynamodb", utc(2024, 2, 29, 23, 59, 59));
  EXPECT_NE(sig.signed_headers.find("x-amz-security-token"), std::string::npos);
  EXPECT_NE(sig.canonical_request.find("host:127.0.0.1:4566\n"), std::string::npos);
  bool sent = false;
  for (const auto& [k, v] : req.headers) sent |= k == "X-Amz-Security-Token" && v == creds.session_token;
  EXPECT_TRUE(sent);
}

// ---- agreement with botocore -------------------------------------------------------------------

struct Case {
  HttpRequest request;  // before signing
  Credentials credentials;
  std::string region, service;
  system_clock::time_point when;
};

std::vector<Case> generate_cases(int n, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](const auto& pool) { return pool[rng() % std::size(pool)]; };
  static const char* kHosts[] = {"https://example.amazonaws.com",
                                 "http://127.0.0.1:4566",
                                 "https://sqs.eu-west-1.amazonaws.com",
                                 "http://localhost:8000",
                                 "https://dynamodb.ap-southeast-2.amazonaws.com:443",
                                 "http://EXAMPLE.com:80",
                                 "https://[::1]:9443"};
  static const char* kSegments[] = {"a",
                                    "a b",
                                    "\xC3\xBC"
                                    "ber",
                                    "\xE6\x97\xA5\xE6\x9C\xAC",
                                    "x+y",
                                    "a=b",
                                    "~tilde",
                                    "..",
                                    ".",
                                    "",
                                    "%",
                                    "100%25",
                                    "queue-name_1.fifo",
                                    "123456789012",
                                    "q?x#"};
  static const char* kRawReserved[] = {"$", ":", "@", "!", "*", "'", "(", ")", ",", ";", "="};
  static const char* kQueryText[] = {"",    "v",    "a b", "\xC3\xA9t\xC3\xA9", "x=y", "a&b", "+", "/path",
                                     "%41", "~._-", "*",   "\xF0\x9F\x98\x80"};
  static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "get"};
  static const char* kRegions[] = {"us-east-1", "eu-central-1", "ap-northeast-3", "us-gov-west-1",
                                   "cn-north-1"};
  static const char* kServices[] = {"dynamodb", "sqs", "execute-api", "lambda", "service"};
  static const std::string kBodies[] = {
      "", "{}", "{\"TableName\":\"t\",\"Key\":{\"document_id\":{\"S\":\"\xC3\xA9\"}}}",
      "Action=ReceiveMessage&Version=2012-11-05", std::string("\x00\x01\xFF binary\n", 11)};

  std::vector<Case> cases;
  for (int i = 0; i < n; ++i) {
    Case c;
    c.request.method = pick(kMethods);
    std::string path;
    const int depth = static_cast<int>(rng() % 4);
    for (int d = 0; d < depth; ++d) {
      path += "/";
      if (rng() % 5 == 0) {
        path += pick(kRawReserved);  // legal unencoded in a path; the canonical form encodes it
      } else {
        path += uri_encode(pick(kSegments), false);
      }
    }
    if (depth == 0 || rng() % 4 == 0) path += "/";
    std::vector<std::pair<std::string, std::string>> params;
    const int nparams = static_cast<int>(rng() % 4);
    for (int p = 0; p < nparams; ++p) params.emplace_back(pick(kQueryText), pick(kQueryText));
    if (rng() % 8 == 0 && !params.empty()) params.push_back(params.front());  // a repeated pair
    std::string query = encode_query(params);
    if (rng() % 6 == 0) query += std::string(query.empty() ? "" : "&") + "flag";  // a bare key
    c.request.url = std::string(pick(kHosts)) + path + (query.empty() ? "" : "?" + query);

    if (rng() % 2) c.request.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
    if (rng() % 2) c.request.headers.emplace_back("X-Amz-Target", "DynamoDB_20120810.PutItem");
    if (rng() % 3 == 0) c.request.headers.emplace_back("X-Custom-Header", "  spaced   out\tvalue  ");
    if (rng() % 4 == 0) c.request.headers.emplace_back("My-Header1", "a   b   c");
    if (rng() % 4 == 0) {
      c.request.headers.emplace_back("X-Dup", "first");
      c.request.headers.emplace_back("x-dup", " second ");
    }
    if (rng() % 4 == 0) c.request.headers.emplace_back("User-Agent", "zeroidle/0.1");     // never signed
    if (rng() % 5 == 0) c.request.headers.emplace_back("X-Amzn-Trace-Id", "Root=1-abc");  // never signed
    if (rng() % 6 == 0) c.request.headers.emplace_back("X-Empty", "");
    c.request.body = pick(kBodies);

    c.credentials.access_key_id = "AKID" + std::to_string(rng() % 100000);
    c.credentials.secret_access_key = "secret/" + std::to_string(rng()) + "+Key=";
    if (rng() % 2) c.credentials.session_token = "IQoJb3JpZ2luX2VjE/" + std::to_string(rng()) + "+token==";
    c.region = pick(kRegions);
    c.service = pick(kServices);
    c.when = system_clock::from_time_t(1420070400 + static_cast<std::time_t>(rng() % 500000000));
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (const size_t rest = in.size() - i; rest) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

TEST(SigV4, AgreesWithBotocoreOnGeneratedRequests) {
  namespace fs = std::filesystem;
  const char* src = std::getenv("ZEROIDLE_SOURCE_DIR");
  const fs::path script = fs::path(src ? src : ".") / "tests/runtime/botocore_sign.py";
  ASSERT_TRUE(fs::exists(script)) << script;

  const std::vector<Case> cases = generate_cases(400, 20240229);
  const fs::path dir = fs::temp_directory_path() / ("zeroidle-sigv4-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path in = dir / "cases.jsonl", out = dir / "signed.jsonl";
  {
    std::ofstream f(in);
    for (const Case& c : cases) {
      nlohmann::json headers = nlohmann::json::array();
      for (const auto& [k, v] : c.request.headers) headers.push_back({k, v});
      f << nlohmann::json{{"method", c.request.method},
                          {"url", c.request.url},
                          {"headers", headers},
                          {"body_b64", base64(c.request.body)},
                          {"access_key", c.credentials.access_key_id},
                          {"secret_key", c.credentials.secret_access_key},
                          {"token", c.credentials.session_token},
                          {"region", c.region},
                          {"service", c.service},
                          {"amz_date", amz_date(c.when)}}
               .dump()
        << "\n";
    }
  }
  const std::string cmd = "python3 '" + script.string() + "' '" + in.string() + "' '" + out.string() + "'";
  const int rc = std::system(cmd.c_str());
  const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  if (code == 77 || code == 127) {
    fs::remove_all(dir);
    if (testing::running_in_ci()) FAIL() << "CI=true but python3/botocore is missing";
    GTEST_SKIP() << "SKIPPED LOUDLY: python3 with botocore is needed to check SigV4 against botocore";
  }
  ASSERT_EQ(code, 0) << cmd;

  std::ifstream f(out);
  std::string line;
  size_t i = 0;
  for (; std::getline(f, line) && i < cases.size(); ++i) {
    const nlohmann::json expected = nlohmann::json::parse(line);
    HttpRequest req = cases[i].request;
    const SigV4Signature sig =
        sign_request(req, cases[i].credentials, cases[i].region, cases[i].service, cases[i].when);
    EXPECT_EQ(sig.canonical_request, expected["canonical_request"].get<std::string>())
        << "case " << i << ": " << cases[i].request.method << " " << cases[i].request.url;
    EXPECT_EQ(sig.authorization, expected["authorization"].get<std::string>()) << "case " << i;
  }
  EXPECT_EQ(i, cases.size()) << "botocore signed fewer cases than were generated";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace zeroidle::runtime
