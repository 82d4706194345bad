// Shared helpers for the tokenizer tests: the reference vocabularies (loaded once per process) and
// llama.cpp's test-vector files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/shared_dir.h"
#include "gguf/gguf.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::tokenizer::testing {

inline const char* const kBpeVocab = "reference/tokenizer/ggml-vocab-llama-bpe.gguf";
inline const char* const kSpmVocab = "reference/tokenizer/ggml-vocab-llama-spm.gguf";

struct LoadedVocab {
  gguf::File file;
  Tokenizer tokenizer;
};

// The tokenizer of ../shared/<rel>, built once per process; nullptr when the file is absent.
inline const LoadedVocab* load_shared_vocab(const std::string& rel) {
  static std::map<std::string, std::unique_ptr<LoadedVocab>> cache;
  auto it = cache.find(rel);
  if (it != cache.end()) return it->second.get();
  const std::filesystem::path path = zeroidle::testing::shared_dir() / rel;
  std::unique_ptr<LoadedVocab> loaded;
  if (std::filesystem::exists(path)) {
    gguf::File file = gguf::File::open(path.string());
    Tokenizer tok = Tokenizer::from_gguf(file);
    loaded.reset(new LoadedVocab{std::move(file), std::move(tok)});
  }
  return cache.emplace(rel, std::move(loaded)).first->second.get();
}

// Skips the test (or fails under CI=true) when the vocabulary is missing.
#define ZEROIDLE_REQUIRE_VOCAB(var, rel)                            \
  ZEROIDLE_REQUIRE_SHARED(var##_path, rel);                         \
  const ::zeroidle::tokenizer::testing::LoadedVocab* var##_loaded = \
      ::zeroidle::tokenizer::testing::load_shared_vocab(rel);       \
  ASSERT_NE(var##_loaded, nullptr);                                 \
  const ::zeroidle::tokenizer::Tokenizer& var = var##_loaded->tokenizer

// UTF-8 encoding of one code point <= 0x10FFFF, written independently of the library under test.
inline void append_utf8(std::string& s, uint32_t c) {
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
}

struct VocabCase {
  std::string text;
  std::vector<int32_t> ids;
};

inline std::string read_text_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// llama.cpp's test-tokenizer-0 format: <vocab>.inp holds the texts, each followed by the line
// "__ggml_vocab_test__" (so a text is everything between "\n__ggml_vocab_test__\n" separators, and
// whatever follows the last separator is not a case); <vocab>.out holds one line of space-separated
// ids per text (an empty line for no ids), without BOS.
inline std::vector<VocabCase> read_vocab_cases(const std::filesystem::path& vocab_path) {
  const std::string inp = read_text_file(vocab_path.string() + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<VocabCase> cases;
  for (size_t pos = 0;;) {
    const size_t next = inp.find(sep, pos);
    if (next == std::string::npos) break;
    cases.push_back({inp.substr(pos, next - pos), {}});
    pos = next + sep.size();
  }
  std::istringstream out(read_text_file(vocab_path.string() + ".out"));
  std::string line;
  for (VocabCase& c : cases) {
    if (!std::getline(out, line))
      throw std::runtime_error(vocab_path.string() + ".out has fewer lines than cases");
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) c.ids.push_back(id);
  }
  return cases;
}

}  // namespace zeroidle::tokenizer::testing
