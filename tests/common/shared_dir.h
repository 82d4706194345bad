// Locates ../shared (reference outputs and small models) for tests.
// Order: $ZEROIDLE_SHARED, then <source dir>/../shared. Where it is missing a test skips loudly,
// except under CI=true, where a missing ../shared is a failure.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace zeroidle::testing {

inline std::filesystem::path shared_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("ZEROIDLE_SHARED"); env && *env) return fs::path(env);
  if (const char* src = std::getenv("ZEROIDLE_SOURCE_DIR"); src && *src) {
    return fs::path(src).parent_path() / "shared";
  }
  return fs::path("../shared");
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

inline std::vector<uint8_t> read_file_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

}  // namespace zeroidle::testing

// Resolves `rel` under ../shared into `var`; skips (or fails under CI=true) when it is missing.
#define ZEROIDLE_REQUIRE_SHARED(var, rel)                                                        \
  const std::filesystem::path var = ::zeroidle::testing::shared_dir() / (rel);                   \
  if (!std::filesystem::exists(var)) {                                                           \
    if (::zeroidle::testing::running_in_ci()) FAIL() << "CI=true but missing " << var;           \
    GTEST_SKIP() << "SKIPPED LOUDLY: " << var << " not found (set ZEROIDLE_SHARED)";             \
  }
