#include "tokenizer/vocab.h"

#include <limits>
#include <optional>
#include <stdexcept>

#include "tokenizer/metadata.h"

namespace zeroidle::tokenizer::detail {
namespace {

constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";
constexpr const char* kScoresKey = "tokenizer.ggml.scores";

TokenType token_type_of(int64_t v) {
  return (v >= 0 && v <= static_cast<int64_t>(TokenType::kByte)) ? static_cast<TokenType>(v)
                                                                 : TokenType::kUndefined;
}

void read_texts(const gguf::File& file, Vocab& vocab) {
  const gguf::Array& tokens = require_array(file, kTokensKey, gguf::ValueType::STRING);
  if (tokens.items.empty()) throw metadata_error(file, kTokensKey, "is empty");
  if (tokens.items.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    throw metadata_error(file, kTokensKey, "has more than 2^31 - 1 tokens");
  }
  vocab.texts.reserve(tokens.items.size());
  for (const gguf::Value& v : tokens.items) vocab.texts.push_back(std::get<std::string>(v.v));
}

void read_types(const gguf::File& file, Vocab& vocab) {
  vocab.types.assign(vocab.texts.size(), TokenType::kNormal);
  const gguf::Array* types = optional_array(file, kTypesKey, vocab.texts.size());
  if (!types) return;
  for (size_t i = 0; i < types->items.size(); ++i) {
    const std::optional<int64_t> v = integer_value(types->items[i]);
    if (!v) throw metadata_error(file, kTypesKey, "holds non-integer values");
    vocab.types[i] = token_type_of(*v);
  }
}

void read_scores(const gguf::File& file, Vocab& vocab) {
  vocab.scores.assign(vocab.texts.size(), 0.0f);
  const gguf::Array* scores = optional_array(file, kScoresKey, vocab.texts.size());
  if (!scores) return;
  for (size_t i = 0; i < scores->items.size(); ++i) {
    const gguf::Value& v = scores->items[i];
    if (const auto* f = std::get_if<float>(&v.v)) {
      vocab.scores[i] = *f;
    } else if (const auto* d = std::get_if<double>(&v.v)) {
      vocab.scores[i] = static_cast<float>(*d);
    } else {
      throw metadata_error(file, kScoresKey, "holds non-float values");
    }
  }
}

void build_index(Vocab& vocab) {
  size_t n_bytes = 0;
  for (const std::string& t : vocab.texts) n_bytes += t.size();
  vocab.index.reserve(vocab.texts.size(), n_bytes);
  const std::vector<std::string_view> views(vocab.texts.begin(), vocab.texts.end());
  std::vector<int32_t> ids(views.size());
  vocab.index.intern_all(views, ids);
  vocab.index_token.assign(vocab.index.size(), -1);
  // A later duplicate wins, as in llama.cpp's token_to_id map.
  for (int32_t id = 0; id < vocab.n_tokens(); ++id) vocab.index_token[ids[id]] = id;
}

}  // namespace

Vocab read_vocab(const gguf::File& file) {
  Vocab vocab;
  read_texts(file, vocab);
  read_types(file, vocab);
  read_scores(file, vocab);
  build_index(vocab);
  return vocab;
}

}  // namespace zeroidle::tokenizer::detail
