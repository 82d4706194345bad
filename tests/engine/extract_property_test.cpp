// Extraction end to end with real models: whatever the model (random weights, a 260K-parameter toy) and
// whatever the sampling (greedy to temperature 1.5, several seeds, budgets that force an early close),
// every answer parses and conforms to its schema — checked by Python's jsonschema, not by us.
#include <gtest/gtest.h>

#include "common/shared_dir.h"
#include "engine/extract.h"
#include "json_python_check.h"
#include "json_test_schemas.h"

namespace zeroidle::engine {
namespace {

const char* kDocuments[] = {
    "Invoice 4471 from Acme Corp., dated 2024-03-05: 3 x \"Widget Pro\" at $1,250.00 each. Café Zoë, Zürich.",
    "Hi, the blender I ordered (order 55812) arrived cracked. Maria Lopez, maria.lopez@example.com, +1 217-555-0143.",
};

struct Loaded {
  std::unique_ptr<Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tok;
  std::shared_ptr<const json::TokenTrie> trie;
};

Loaded load(const std::filesystem::path& path) {
  Loaded l;
  l.model = Model::load(path.string());
  l.tok = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_gguf(l.model->file()));
  l.trie = make_token_trie(*l.tok);
  return l;
}

std::vector<Task> all_tasks() {
  std::vector<Task> tasks;
  for (const std::string& name : builtin_task_names()) {
    tasks.push_back(builtin_task(name, name == "classify" ? std::vector<std::string>{"spam", "ham", "urgent"}
                                                          : std::vector<std::string>{}));
  }
  for (const std::string& s : testing::test_schemas()) {
    tasks.push_back(custom_task(nlohmann::ordered_json::parse(s), ""));
  }
  return tasks;
}

struct Run {
  uint64_t seed;
  float temperature;
  int max_tokens;
};

void check_model(const std::string& model_file, const std::vector<Run>& runs) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/" + model_file);
  const Loaded l = load(path);
  DocumentExtractor ex(*l.model, *l.tok, {.n_threads = 2, .n_ctx = 1024, .n_batch = 256});
  const std::vector<Task> tasks = all_tasks();
  std::vector<std::string> schemas;
  std::vector<testing::GeneratedDoc> docs;
  int truncated = 0, forced = 0, out = 0, evals = 0;
  for (size_t ti = 0; ti < tasks.size(); ++ti) {
    const CompiledTask task = compile_task(tasks[ti], {.max_string_length = 24, .max_items = 4}, l.trie);
    schemas.push_back(tasks[ti].schema.dump());
    for (size_t ri = 0; ri < runs.size(); ++ri) {
      const Run& r = runs[ri];
      // The budget, or just above the shortest answer when the schema needs more (a smaller one is refused).
      const int budget = std::max(r.max_tokens, json::TokenConstraint(task.masks).min_tokens_to_close() + 3);
      ExtractOptions opts{.max_tokens = budget, .sampling = {.temperature = r.temperature, .top_k = 0,
                                                                   .top_p = 1.0f, .min_p = 0.0f, .seed = r.seed}};
      const Extraction e = ex.extract(task, kDocuments[(ti + ri) % 2], opts);
      ASSERT_EQ(e.status, "ok") << model_file << " task " << ti << ": " << e.error;
      EXPECT_LE(e.tokens_out, budget);
      // One forward pass per sampled token (but the last), a forced run riding on one pass.
      EXPECT_GE(e.decode_evals, e.tokens_out - e.tokens_forced - 1);
      EXPECT_LE(e.decode_evals, e.tokens_out);
      evals += e.decode_evals;
      truncated += e.truncated;
      forced += e.tokens_forced;
      out += e.tokens_out;
      docs.push_back({schemas.size() - 1, e.data.dump()});
    }
  }
  std::printf("%s: %zu answers, %d cut short by max_tokens, %d of %d tokens forced, %d forward passes\n",
              model_file.c_str(), docs.size(), truncated, forced, out, evals);
  EXPECT_GT(truncated, 0) << "the small budgets should force some early closes";
  EXPECT_GT(forced, out / 5) << "keys and punctuation should be forced, not sampled";
  testing::expect_valid_with_python(schemas, docs);
}

TEST(ExtractProperty, TinyLlama3RandomWeightsAlwaysValid) {
  check_model("tiny-llama3-q4_k_m.gguf", {{1, 0.0f, 96}, {2, 1.5f, 48}, {3, 1.0f, 24}});
}

TEST(ExtractProperty, Stories260KAlwaysValid) {
  check_model("stories260K.gguf", {{1, 0.0f, 96}, {2, 0.7f, 64}, {3, 1.5f, 48}, {4, 1.2f, 20}});
}

TEST(Extract, BudgetBelowTheShortestAnswerIsRejected) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/stories260K.gguf");
  const Loaded l = load(path);
  DocumentExtractor ex(*l.model, *l.tok, {.n_threads = 1, .n_ctx = 1024, .n_batch = 64});
  const CompiledTask task = compile_task(builtin_task("invoice"), {}, l.trie);
  const Extraction e = ex.extract(task, "Invoice 1", {.max_tokens = 8});
  EXPECT_EQ(e.status, "rejected");
  EXPECT_NE(e.error.find("cannot hold the shortest answer"), std::string::npos) << e.error;
}

TEST(Extract, TooLongDocumentIsRejectedWithReason) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/stories260K.gguf");
  const Loaded l = load(path);
  DocumentExtractor ex(*l.model, *l.tok, {.n_threads = 1, .n_ctx = 256, .n_batch = 64});
  const CompiledTask task = compile_task(builtin_task("invoice"), {}, l.trie);
  const Extraction e = ex.extract(task, std::string(4000, 'a') + " end", {.max_tokens = 64});
  EXPECT_EQ(e.status, "rejected");
  EXPECT_NE(e.error.find("document too long"), std::string::npos) << e.error;
  EXPECT_NE(e.error.find("does not split"), std::string::npos) << e.error;
}

TEST(Extract, PiiChunksLongDocumentsAndMergesLists) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/stories260K.gguf");
  const Loaded l = load(path);
  DocumentExtractor ex(*l.model, *l.tok, {.n_threads = 1, .n_ctx = 1024, .n_batch = 128});
  const CompiledTask task = compile_task(builtin_task("pii"), {.max_items = 2}, l.trie);
  std::string doc;
  for (int i = 0; i < 120; ++i) doc += "Call Anna on 555-01" + std::to_string(10 + i) + " today. ";
  const Extraction e = ex.extract(task, doc, {.max_tokens = 48});
  ASSERT_EQ(e.status, "ok") << e.error;
  EXPECT_GT(e.chunks, 1);
  EXPECT_TRUE(e.data["pii"].is_array());
}

TEST(Extract, SharedPromptPrefixIsReused) {
  ZEROIDLE_REQUIRE_SHARED(path, "models/stories260K.gguf");
  const Loaded l = load(path);
  DocumentExtractor ex(*l.model, *l.tok, {.n_threads = 1, .n_ctx = 1024, .n_batch = 128});
  const CompiledTask task = compile_task(builtin_task("sentiment"), {}, l.trie);
  const Extraction first = ex.extract(task, "I love it.", {.max_tokens = 32});
  const Extraction second = ex.extract(task, "I hate it.", {.max_tokens = 32});
  EXPECT_EQ(first.tokens_cached, 0);
  EXPECT_GT(second.tokens_cached, second.tokens_in / 2) << "instruction and schema come before the document";
  // The cache must not change the answer: the same document twice gives the same output.
  const Extraction again = ex.extract(task, "I love it.", {.max_tokens = 32});
  EXPECT_EQ(first.data, again.data);
}

}  // namespace
}  // namespace zeroidle::engine
