// Configuration: environment, flags on top, validation errors that name the setting.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "runtime/config.h"

namespace zeroidle::runtime {
namespace {

struct ConfigFixture : ::testing::Test {
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("zeroidle-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    model = (dir / "model.gguf").string();
    std::ofstream(model) << std::string(1000, 'g');
    env["ZEROIDLE_MODEL"] = model;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  Config load(const std::vector<std::string>& args = {}, HostMode mode = HostMode::kLambda) {
    return load_config(args, mode, [this](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      if (it == env.end()) return std::nullopt;
      return it->second;
    });
  }
  // The ConfigError message, or "" when loading succeeded.
  std::string error_of(const std::vector<std::string>& args = {}, HostMode mode = HostMode::kLambda) {
    try {
      load(args, mode);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path dir;
  std::string model;
  std::map<std::string, std::string> env;
};

TEST_F(ConfigFixture, EnvironmentAndDefaults) {
  env["ZEROIDLE_TASK"] = "classify";
  env["ZEROIDLE_LABELS"] = "spam,ham,,urgent";
  env["ZEROIDLE_RESULTS_TABLE"] = "results-table";
  env["ZEROIDLE_MAX_TOKENS"] = "256";
  env["ZEROIDLE_THREADS"] = "3";
  env["ZEROIDLE_N_CTX"] = "2048";
  const Config c = load();
  EXPECT_EQ(c.model_path, model);
  EXPECT_EQ(c.model_bytes, 1000u);
  EXPECT_EQ(c.task, "classify");
  EXPECT_EQ(c.labels, (std::vector<std::string>{"spam", "ham", "urgent"}));
  EXPECT_EQ(c.results_table, "results-table");
  EXPECT_EQ(c.max_tokens, 256);
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.n_ctx, 2048);
}

TEST_F(ConfigFixture, ClassifyNeedsLabelsAndOnlyClassifyTakesThem) {
  env["ZEROIDLE_TASK"] = "classify";
  EXPECT_THROW(load(), ConfigError);
  env["ZEROIDLE_TASK"] = "invoice";
  env["ZEROIDLE_LABELS"] = "a,b";
  EXPECT_THROW(load(), ConfigError);
}

TEST_F(ConfigFixture, FlagsOverrideEnvironment) {
  env["ZEROIDLE_MAX_TOKENS"] = "256";
  env["ZEROIDLE_TASK"] = "classify";
  const Config c = load({"--max-tokens", "64", "--task=redact", "--table", "other_table"});
  EXPECT_EQ(c.max_tokens, 64);
  EXPECT_EQ(c.task, "redact");
  EXPECT_EQ(c.results_table, "other_table");
}

TEST_F(ConfigFixture, ThreadsAndContextFollowLambdaMemory) {
  EXPECT_EQ(default_threads(1769, 64), 1);
  EXPECT_EQ(default_threads(3538, 64), 2);
  EXPECT_EQ(default_threads(10240, 64), 5);  // 10240 / 1769 = 5.8: whole vCPUs only
  EXPECT_EQ(default_threads(10240, 2), 2);   // never more than the host has
  EXPECT_EQ(default_threads(128, 64), 1);
  EXPECT_EQ(default_threads(0, 8), 8);
  // 8B Q4_K_M (4.9 GB) at 10 GB: capped at 8192; at 6 GB: (6144 MiB - 4.9 GB - 512 MiB) / 128 KiB = 7672,
  // rounded down to a multiple of 256.
  EXPECT_EQ(default_n_ctx(10240, 4900000000ULL), 8192);
  EXPECT_EQ(default_n_ctx(6144, 4900000000ULL), 7424);
  EXPECT_EQ(default_n_ctx(1024, 4900000000ULL), 512);
  EXPECT_EQ(default_n_ctx(0, 1), 4096);
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "3538";
  const Config c = load();
  EXPECT_EQ(c.memory_mb, 3538);
  EXPECT_LE(c.threads, 2);
  EXPECT_EQ(c.n_ctx % 256, 0);
  EXPECT_LT(c.max_tokens, c.n_ctx);
}

TEST_F(ConfigFixture, SchemaInlineOrFile) {
  env["ZEROIDLE_SCHEMA"] = R"({"type":"object","properties":{"total":{"type":"number"}}})";
  env["ZEROIDLE_INSTRUCTION"] = "Extract the invoice total.";
  Config c = load();
  ASSERT_TRUE(c.schema);
  EXPECT_EQ((*c.schema)["type"], "object");
  EXPECT_EQ(c.instruction, "Extract the invoice total.");
  const std::string file = (dir / "schema.json").string();
  std::ofstream(file) << R"({"type":"object"})";
  c = load({"--schema", file});
  ASSERT_TRUE(c.schema);
}

TEST_F(ConfigFixture, WrongSettingsNameThemselves) {
  auto expect_names = [&](const std::string& message, const std::string& name) {
    EXPECT_NE(message.find(name), std::string::npos) << "'" << message << "' should name " << name;
  };
  env.erase("ZEROIDLE_MODEL");
  expect_names(error_of(), "ZEROIDLE_MODEL");
  env["ZEROIDLE_MODEL"] = (dir / "missing.gguf").string();
  expect_names(error_of(), "ZEROIDLE_MODEL");
  expect_names(error_of({"--model", dir.string()}), "--model");  // a directory
  env["ZEROIDLE_MODEL"] = model;

  for (const char* var : {"ZEROIDLE_MAX_TOKENS", "ZEROIDLE_THREADS", "ZEROIDLE_N_CTX",
                          "ZEROIDLE_SAFETY_MARGIN_MS", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"}) {
    env[var] = "12abc";
    expect_names(error_of(), var);
    env[var] = "-5";
    expect_names(error_of(), var);
    env.erase(var);
  }
  expect_names(error_of({"--threads", "0"}), "--threads");
  env["ZEROIDLE_N_CTX"] = "1024";
  env["ZEROIDLE_MAX_TOKENS"] = "1024";
  expect_names(error_of(), "ZEROIDLE_MAX_TOKENS");
  env.erase("ZEROIDLE_N_CTX");
  env.erase("ZEROIDLE_MAX_TOKENS");

  env["ZEROIDLE_SCHEMA"] = "{not json";
  expect_names(error_of(), "ZEROIDLE_SCHEMA");
  env["ZEROIDLE_SCHEMA"] = "[1,2]";  // not '{': taken as a path that does not exist
  expect_names(error_of(), "ZEROIDLE_SCHEMA");
  env["ZEROIDLE_SCHEMA"] = R"({"type":"object"})";
  env["ZEROIDLE_TASK"] = "extract";
  expect_names(error_of(), "ZEROIDLE_TASK");
  env.erase("ZEROIDLE_SCHEMA");
  env.erase("ZEROIDLE_TASK");
  env["ZEROIDLE_INSTRUCTION"] = "x";
  expect_names(error_of(), "ZEROIDLE_INSTRUCTION");
  env.erase("ZEROIDLE_INSTRUCTION");

  env["ZEROIDLE_RESULTS_TABLE"] = "no spaces allowed";
  expect_names(error_of(), "ZEROIDLE_RESULTS_TABLE");
  env.erase("ZEROIDLE_RESULTS_TABLE");
  env["ZEROIDLE_LOG_LEVEL"] = "loud";
  expect_names(error_of(), "ZEROIDLE_LOG_LEVEL");
  env.erase("ZEROIDLE_LOG_LEVEL");

  env["ZEROIDLE_TASK"] = "";  // empty = unset
  env["ZEROIDLE_SCHEMA"] = "";
  EXPECT_EQ(error_of(), "");
  expect_names(error_of({"--task", ""}), "--task");
  env.erase("ZEROIDLE_TASK");
  env.erase("ZEROIDLE_SCHEMA");

  expect_names(error_of({"--bogus", "1"}), "--bogus");
  expect_names(error_of({"--threads"}), "--threads");
  expect_names(error_of({"--queue-url", "x"}), "--queue-url");  // a worker flag
  EXPECT_EQ(error_of(), "");
}

TEST_F(ConfigFixture, WorkerSettings) {
  EXPECT_NE(error_of({}, HostMode::kWorker).find("--queue-url"), std::string::npos);
  EXPECT_NE(error_of({"--queue-url", "sqs-name"}, HostMode::kWorker).find("--queue-url"), std::string::npos);
  const std::string url = "https://sqs.us-east-1.amazonaws.com/123456789012/docs";
  EXPECT_NE(error_of({"--queue-url", url, "--batch", "11"}, HostMode::kWorker).find("--batch"),
            std::string::npos);
  EXPECT_NE(error_of({"--queue-url", url, "--wait", "21"}, HostMode::kWorker).find("--wait"),
            std::string::npos);
  const Config c = load({"--queue-url", url, "--batch", "4", "--wait", "0", "--visibility-timeout", "60"},
                        HostMode::kWorker);
  EXPECT_EQ(c.queue_url, url);
  EXPECT_EQ(c.batch, 4);
  EXPECT_EQ(c.wait_s, 0);
  EXPECT_EQ(c.visibility_timeout_s, 60);
  env["ZEROIDLE_QUEUE_URL"] = url;
  EXPECT_EQ(load({}, HostMode::kWorker).queue_url, url);
}

TEST(ConfigUsage, ListsEveryFlagOfTheHost) {
  const std::string lambda = config_usage(HostMode::kLambda);
  const std::string worker = config_usage(HostMode::kWorker);
  for (const char* flag :
       {"--model", "--task", "--schema", "--table", "--max-tokens", "--threads", "--n-ctx"}) {
    EXPECT_NE(lambda.find(flag), std::string::npos) << flag;
    EXPECT_NE(worker.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(lambda.find("--queue-url"), std::string::npos);
  EXPECT_NE(worker.find("--queue-url"), std::string::npos);
}

TEST(SplitLabels, KeepsItemsAsWrittenAndDropsEmptyOnes) {
  using Labels = std::vector<std::string>;
  EXPECT_EQ(split_labels("spam,ham,,urgent,"), (Labels{"spam", "ham", "urgent"}));
  EXPECT_EQ(split_labels(",only"), (Labels{"only"}));
  EXPECT_EQ(split_labels(" a , b"), (Labels{" a ", " b"}));
  EXPECT_EQ(split_labels(""), Labels{});
  EXPECT_EQ(split_labels(",,"), Labels{});
}

}  // namespace
}  // namespace zeroidle::runtime
