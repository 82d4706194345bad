// Test/bench helper: a model's vocabulary as json::Vocab, read straight from GGUF metadata (no tokenizer
// library): GPT-2 byte-level token strings are mapped back to bytes with the inverse of bytes_to_unicode;
// SentencePiece pieces map "▁" to a space and "<0xXX>" to that byte.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/json/token_trie.h"
#include "gguf/gguf.h"

namespace zeroidle::testing {

// GGUF token_type values.
inline constexpr int32_t kTokenNormal = 1;
inline constexpr int32_t kTokenControl = 3;
inline constexpr int32_t kTokenByte = 6;

// GPT-2's bytes_to_unicode, inverted: code point -> byte (-1 where no byte maps).
inline std::vector<int> gpt2_unicode_to_byte() {
  std::vector<int> inv(512, -1);
  std::array<bool, 256> direct{};
  for (int b = '!'; b <= '~'; ++b) direct[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
  int next = 256;
  for (int b = 0; b < 256; ++b) inv[direct[b] ? b : next++] = b;
  return inv;
}

// Decodes UTF-8 into code points (the GGUF strings are valid UTF-8).
inline std::vector<uint32_t> code_points(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = cp << 6 | (static_cast<uint8_t>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

inline std::string gpt2_token_bytes(std::string_view piece, const std::vector<int>& inv) {
  std::string out;
  for (uint32_t cp : code_points(piece)) {
    if (cp >= inv.size() || inv[cp] < 0)
      throw std::runtime_error("not a GPT-2 byte-level piece: " + std::string(piece));
    out.push_back(static_cast<char>(inv[cp]));
  }
  return out;
}

inline std::string spm_token_bytes(std::string_view piece, int32_t type) {
  if (type == kTokenByte && piece.size() == 6 && piece.substr(0, 3) == "<0x") {
    return std::string(1, static_cast<char>(std::stoi(std::string(piece.substr(3, 2)), nullptr, 16)));
  }
  std::string out;
  for (size_t i = 0; i < piece.size(); ++i) {
    if (piece.compare(i, 3, "\xE2\x96\x81") == 0) {
      out.push_back(' ');
      i += 2;
    } else {
      out.push_back(piece[i]);
    }
  }
  return out;
}

inline int64_t value_as_int(const gguf::Value& v) {
  return std::visit(
      [](const auto& x) -> int64_t {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_integral_v<T>) {
          return static_cast<int64_t>(x);
        } else {
          throw std::runtime_error("token_type entry is not an integer");
        }
      },
      v.v);
}

// Reads tokenizer.ggml.{model,tokens,token_type,eos_token_id}; end-of-generation ids are the eos id
// plus <|eot_id|>/<|eom_id|>/<|end_of_text|> where present.
inline std::shared_ptr<engine::json::Vocab> load_vocab(const std::string& path) {
  const gguf::File file = gguf::File::open(path);
  const bool gpt2 = file.get_string("tokenizer.ggml.model") == "gpt2";
  const gguf::Array& tokens = file.get_array("tokenizer.ggml.tokens");
  const gguf::Array& types = file.get_array("tokenizer.ggml.token_type");
  const std::vector<int> inv = gpt2_unicode_to_byte();
  auto vocab = std::make_shared<engine::json::Vocab>();
  for (size_t i = 0; i < tokens.items.size(); ++i) {
    const std::string& piece = std::get<std::string>(tokens.items[i].v);
    const int32_t type = static_cast<int32_t>(value_as_int(types.items[i]));
    const bool special = type != kTokenNormal && type != kTokenByte;
    vocab->is_special.push_back(special);
    if (special) {
      vocab->token_bytes.push_back(piece);
    } else {
      vocab->token_bytes.push_back(gpt2 ? gpt2_token_bytes(piece, inv) : spm_token_bytes(piece, type));
    }
    if (piece == "<|eot_id|>" || piece == "<|eom_id|>" || piece == "<|end_of_text|>") {
      vocab->eog_ids.push_back(static_cast<int32_t>(i));
    }
  }
  const auto eos = static_cast<int32_t>(file.get_uint("tokenizer.ggml.eos_token_id"));
  if (std::find(vocab->eog_ids.begin(), vocab->eog_ids.end(), eos) == vocab->eog_ids.end()) {
    vocab->eog_ids.insert(vocab->eog_ids.begin(), eos);
  }
  return vocab;
}

}  // namespace zeroidle::testing

namespace zeroidle::testing {

// One trie per model file for the whole test binary (building it is the slow part).
inline std::shared_ptr<const engine::json::TokenTrie> cached_trie(const std::string& path) {
  static std::map<std::string, std::shared_ptr<const engine::json::TokenTrie>> tries;
  auto& t = tries[path];
  if (!t) t = std::make_shared<const engine::json::TokenTrie>(load_vocab(path));
  return t;
}

}  // namespace zeroidle::testing
