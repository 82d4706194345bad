// `zeroidle generate` end to end: for every model in ../shared/reference/logits, greedy generation prints
// exactly the bytes llama.cpp generated (generated_hex), run as a user would run it.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/shared_dir.h"

namespace {

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a command, returns its stdout and sets `status`.
std::string run(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  status = pclose(p);
  return out;
}

class CliGenerate : public ::testing::TestWithParam<std::string> {};

TEST_P(CliGenerate, GreedyOutputEqualsLlamaCpp) {
  ZEROIDLE_REQUIRE_SHARED(model, "models/" + GetParam() + ".gguf");
  ZEROIDLE_REQUIRE_SHARED(ref_path, "reference/logits/" + GetParam() + ".json");
  const nlohmann::json ref = nlohmann::json::parse(std::ifstream(ref_path));
  const int n = ref["n_generated"];
  // The reference prompt is raw text with special tokens, BOS as recorded.
  std::string cmd = std::string(ZEROIDLE_BIN) + " generate -m " + shell_quote(model.string()) + " -p " +
                    shell_quote(ref["prompt"]) + " -n " + std::to_string(n) + " --temp 0 -t 2 --special";
  if (!ref["add_bos"].get<bool>()) cmd += " --no-bos";
  int status = 0;
  const std::string out = run(cmd + " 2>/dev/null", status);
  ASSERT_EQ(status, 0) << cmd;
  EXPECT_EQ(out, hex_to_bytes(ref["generated_hex"]) + "\n") << cmd;
}

INSTANTIATE_TEST_SUITE_P(Models, CliGenerate,
                         ::testing::Values("stories260K", "stories260K-q8_0", "stories260K-q4_k_m",
                                           "tiny-llama3-q4_k_m"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return s;
                         });

TEST(CliGenerate, BadModelIsOneLineError) {
  int status = 0;
  const std::string out = run(std::string(ZEROIDLE_BIN) + " generate -m /nonexistent.gguf -p hi 2>&1", status);
  EXPECT_NE(status, 0);
  EXPECT_EQ(out.rfind("error: ", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

}  // namespace
