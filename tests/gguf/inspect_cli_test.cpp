// `zeroidle inspect` as a user runs it: on corrupt files it exits non-zero with exactly one line
// `error: <file>: ...` on stderr and nothing on stdout; on valid files it prints text or one JSON document.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/shared_dir.h"
#include "gguf/gguf.h"
#include "gguf_bytes.h"

namespace zeroidle::gguf {
namespace {

namespace fs = std::filesystem;
using testing::ByteBuilder;
using ::testing::HasSubstr;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class InspectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zeroidle_inspect_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return p;
  }

  // Runs `zeroidle inspect <args>` with stdout and stderr captured separately.
  RunResult inspect(const std::string& args) {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string cmd = std::string("'") + ZEROIDLE_BIN + "' inspect " + args + " >'" + out.string() +
                            "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  // The one-line refusal every corrupt file must get, with and without --json.
  void expect_refused(const fs::path& file, const std::string& what) {
    for (const char* flag : {"", " --json"}) {
      SCOPED_TRACE(file.filename().string() + flag);
      const RunResult r = inspect("'" + file.string() + "'" + flag);
      EXPECT_EQ(r.exit_code, 1);
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(r.err.rfind("error: " + file.string() + ": ", 0), 0u) << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
      EXPECT_EQ(r.err.back(), '\n');
      EXPECT_THAT(r.err, HasSubstr(what));
    }
  }

  fs::path dir_;
};

std::vector<uint8_t> valid_file() {
  Writer w;
  w.set("general.architecture", Value{std::string("llama")});
  w.set("general.name", Value{std::string("quote \" and newline \n and caf\xc3\xa9 and bad \xff")});
  w.set("long", Value{std::string(500, 'x')});
  Array tokens{ValueType::STRING, {}};
  for (int i = 0; i < 100; ++i) tokens.items.push_back(Value{"tok" + std::to_string(i)});
  w.set("tokenizer.ggml.tokens", Value{tokens});
  w.set("nan", Value{std::numeric_limits<float>::quiet_NaN()});
  w.set("nested", Value{Array{ValueType::ARRAY, {Value{Array{ValueType::INT8, {Value{int8_t{-3}}}}}}}});
  w.add_tensor("token_embd.weight", 0, {8, 4}, testing::test_bytes(128, 1));
  w.add_tensor("blk.0.attn_q.weight", 8, {64, 2}, testing::test_bytes(136, 2));  // q8_0
  return w.bytes();
}

TEST_F(InspectCli, PrintsTextForAValidFile) {
  const fs::path p = write("valid.gguf", valid_file());
  const RunResult r = inspect("'" + p.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("version       3\n"));
  EXPECT_THAT(r.out, HasSubstr("alignment     32\n"));
  EXPECT_THAT(r.out, HasSubstr("metadata (6 keys)"));
  EXPECT_THAT(r.out, HasSubstr("\"quote \\\" and newline \\n and caf\xc3\xa9 and bad \\xff\""));
  EXPECT_THAT(r.out, HasSubstr("\"" + std::string(64, 'x') + "\"... (500 bytes)"));
  EXPECT_THAT(
      r.out,
      HasSubstr("string[100]    [\"tok0\", \"tok1\", \"tok2\", \"tok3\", \"tok4\", \"tok5\", \"tok6\", "
                "\"tok7\", ... 92 more]"));
  EXPECT_THAT(r.out, HasSubstr("array[1]       [[-3]]"));
  EXPECT_THAT(r.out, HasSubstr("float32        nan"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("blk.0.attn_q.weight +q8_0 +\\[64, 2\\] +136 +"));
  EXPECT_THAT(r.out, HasSubstr("parameters       160 (160)"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("f32 +1 tensors +32 params +128 bytes +32.00 bpw"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("q8_0 +1 tensors +128 params +136 bytes +8.50 bpw"));
}

TEST_F(InspectCli, PrintsOneJsonDocument) {
  const fs::path p = write("valid.gguf", valid_file());
  const RunResult r = inspect("--json '" + p.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["version"], 3);
  EXPECT_EQ(doc["alignment"], 32);
  EXPECT_EQ(doc["file_size"], fs::file_size(p));
  ASSERT_EQ(doc["metadata"].size(), 6u);
  const auto& tokens = doc["metadata"][3];
  EXPECT_EQ(tokens["key"], "tokenizer.ggml.tokens");
  EXPECT_EQ(tokens["type"], "array");
  EXPECT_EQ(tokens["item_type"], "string");
  EXPECT_EQ(tokens["length"], 100);
  EXPECT_EQ(tokens["items"].size(), 8u);
  EXPECT_EQ(tokens["truncated"], true);
  EXPECT_EQ(doc["metadata"][2]["value"]["length"], 500);
  EXPECT_EQ(doc["metadata"][4]["value"], "nan");
  ASSERT_EQ(doc["tensors"].size(), 2u);
  EXPECT_EQ(doc["tensors"][1]["type"], "q8_0");
  EXPECT_EQ(doc["tensors"][1]["shape"], nlohmann::json::array({64, 2}));
  EXPECT_EQ(doc["totals"]["parameter_count"], 160);
  EXPECT_EQ(doc["totals"]["tensor_count"], 2);
  EXPECT_EQ(doc["totals"]["by_type"]["q8_0"]["bytes"], 136);
}

TEST_F(InspectCli, RefusesCorruptFilesWithOneLine) {
  const std::vector<uint8_t> good = valid_file();
  std::vector<uint8_t> bad_magic = good;
  bad_magic[0] = 'X';
  expect_refused(write("bad_magic.gguf", bad_magic), "not a GGUF file");

  std::vector<uint8_t> bad_version = good;
  bad_version[4] = 9;
  expect_refused(write("bad_version.gguf", bad_version), "unsupported GGUF version 9");

  expect_refused(write("empty.gguf", {}), "magic needs 4 bytes");
  expect_refused(write("truncated_header.gguf", std::vector<uint8_t>(good.begin(), good.begin() + 20)),
                 "metadata key count needs 8 bytes");
  expect_refused(write("truncated_metadata.gguf", std::vector<uint8_t>(good.begin(), good.begin() + 300)),
                 "key 'long' at byte 158: string length 500 runs past the end of the file (size 300)");
  expect_refused(write("truncated_data.gguf", std::vector<uint8_t>(good.begin(), good.end() - 40)),
                 "data [offset");

  ByteBuilder string_past_end;
  string_past_end.header(0, 1).key("general.name", ValueType::STRING).u64(999999999);
  expect_refused(
      write("string_past_end.gguf", string_past_end.bytes()),
      "key 'general.name' at byte 48: string length 999999999 runs past the end of the file (size 56)");

  ByteBuilder huge_array;
  huge_array.header(0, 1).key("a", ValueType::ARRAY).u32(8).u64(1ull << 62);
  expect_refused(write("huge_array.gguf", huge_array.bytes()), "cannot fit");

  ByteBuilder huge_counts;
  huge_counts.header(UINT64_MAX, UINT64_MAX);
  expect_refused(write("huge_counts.gguf", huge_counts.bytes()), "cannot fit");

  ByteBuilder unknown_type;
  unknown_type.header(1, 0).tensor("w", {32}, 77, 0).pad_to(32).zeros(128);
  expect_refused(write("unknown_tensor_type.gguf", unknown_type.bytes()), "unknown tensor type 77");

  ByteBuilder overlap;
  overlap.header(2, 0).tensor("a", {8}, 0, 0).tensor("b", {8}, 0, 0).pad_to(32).zeros(32);
  expect_refused(write("overlap.gguf", overlap.bytes()), "overlaps tensor");

  ByteBuilder outside;
  outside.header(1, 0).tensor("blk.3.attn_q.weight", {4}, 0, 1ull << 40).pad_to(32);
  expect_refused(
      write("outside.gguf", outside.bytes()),
      "tensor 'blk.3.attn_q.weight' data [offset 1099511627872, 16 bytes] runs past the end of the file");

  ByteBuilder deep;
  deep.header(0, 1).key("deep", ValueType::ARRAY);
  for (int level = 0; level < 100000; ++level) deep.u32(9).u64(1);
  expect_refused(write("deep.gguf", deep.bytes()), "nested deeper than 8 levels");
}

TEST_F(InspectCli, UsageErrorsAreOneLineToo) {
  for (const std::string& args :
       {std::string(""), std::string("--bogus x.gguf"), std::string("a.gguf b.gguf"),
        "'" + (dir_ / "missing.gguf").string() + "'", "'" + dir_.string() + "'"}) {
    SCOPED_TRACE(args);
    const RunResult r = inspect(args);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

// Every byte flipped in turn: whatever the file becomes, inspect either prints it or refuses it in one
// line; it never crashes.
TEST_F(InspectCli, SurvivesEveryByteOfTheHeaderCorrupted) {
  ByteBuilder small;
  small.header(1, 2).key("a", ValueType::STRING).str("xy").key("b", ValueType::ARRAY).u32(4).u64(1).u32(5);
  small.tensor("w", {8}, 0, 0).pad_to(32).zeros(32);
  const std::vector<uint8_t>& bytes = small.bytes();
  const size_t header_bytes = bytes.size() - 32;
  for (size_t i = 0; i < header_bytes; ++i) {
    std::vector<uint8_t> corrupt = bytes;
    corrupt[i] ^= 0xa5;
    const fs::path p = write("flip.gguf", corrupt);
    const RunResult r = inspect("'" + p.string() + "'");
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1)
        << "byte " << i << ": exit " << r.exit_code << " " << r.err;
    if (r.exit_code == 1) {
      ASSERT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "byte " << i << ": " << r.err;
    }
  }
}

TEST_F(InspectCli, InspectsEverySharedFile) {
  ZEROIDLE_REQUIRE_SHARED(models, "models");
  ZEROIDLE_REQUIRE_SHARED(vocabs, "reference/tokenizer");
  for (const fs::path& dir : {models, vocabs}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".gguf") continue;
      SCOPED_TRACE(entry.path().string());
      const RunResult r = inspect("--json '" + entry.path().string() + "'");
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const nlohmann::json doc = nlohmann::json::parse(r.out);
      const File f = File::open(entry.path().string());
      EXPECT_EQ(doc["metadata"].size(), f.metadata().size());
      EXPECT_EQ(doc["tensors"].size(), f.tensors().size());
      const RunResult text = inspect("'" + entry.path().string() + "'");
      EXPECT_EQ(text.exit_code, 0) << text.err;
    }
  }
}

}  // namespace
}  // namespace zeroidle::gguf
