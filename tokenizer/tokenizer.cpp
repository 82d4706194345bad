#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

#include "tokenizer/bpe.h"
#include "tokenizer/metadata.h"
#include "tokenizer/special.h"
#include "tokenizer/spm.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

namespace zeroidle::tokenizer {
namespace detail {

// Everything a Tokenizer holds; immutable once from_gguf returns.
struct TokenizerState {
  TokenizerModel model = TokenizerModel::kByteLevelBpe;
  Vocab vocab;
  std::optional<BpeModel> bpe;  // set for kByteLevelBpe
  std::optional<SpmModel> spm;  // set for kSentencePiece
  SpecialMatcher special;
  std::string pieces;                 // token_to_piece(id, special=true) of every token, back to back
  std::vector<uint32_t> piece_begin;  // [n_vocab + 1]
  std::vector<uint8_t> eog;           // [n_vocab] 1 when the token ends generation
  int32_t bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, pad = -1;
  bool add_bos = true;
  bool add_eos = false;
  bool add_space_prefix = false;
  ChatTemplate chat = ChatTemplate::kLlama3;

  std::string_view piece(int32_t id) const {
    return {pieces.data() + piece_begin[id], piece_begin[id + 1] - piece_begin[id]};
  }
  void check_id(int32_t id) const {
    if (id < 0 || id >= vocab.n_tokens()) {
      throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                              std::to_string(vocab.n_tokens()) + ")");
    }
  }
};

}  // namespace detail

struct Tokenizer::Impl : detail::TokenizerState {};

namespace {

using detail::metadata_error;
using State = detail::TokenizerState;

constexpr const char* kModelKey = "tokenizer.ggml.model";
constexpr const char* kPreKey = "tokenizer.ggml.pre";
constexpr std::array<std::string_view, 3> kLlama3PreNames = {"llama-bpe", "llama3", "llama-v3"};
// Token texts llama.cpp takes for end of turn (when tokenizer.ggml.eot_token_id is absent) and for end of
// generation. kDeepSeekEnd is "<｜end▁of▁sentence｜>".
constexpr std::string_view kDeepSeekEnd = "<\uFF5Cend\u2581of\u2581sentence\uFF5C>";
constexpr std::array<std::string_view, 8> kEotTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "_<EOT>", kDeepSeekEnd};
constexpr std::array<std::string_view, 8> kEogTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>"};

TokenizerModel read_model(const gguf::File& file) {
  const std::optional<std::string> model = detail::optional_string(file, kModelKey);
  if (!model) throw metadata_error(file, kModelKey, "is missing (the file has no tokenizer)");
  if (*model == "llama") return TokenizerModel::kSentencePiece;
  if (*model != "gpt2") {
    const std::string what = "= \"" + *model + "\" is not supported (supported: gpt2 with llama-bpe, llama)";
    throw metadata_error(file, kModelKey, what);
  }
  const std::optional<std::string> pre = detail::optional_string(file, kPreKey);
  if (!pre || std::find(kLlama3PreNames.begin(), kLlama3PreNames.end(), *pre) == kLlama3PreNames.end()) {
    throw metadata_error(file, kPreKey,
                         (pre ? "= \"" + *pre + "\" is" : std::string("is missing, which is")) +
                             " not supported for gpt2 vocabularies (supported: llama-bpe); "
                             "re-convert the model with a current llama.cpp convert_hf_to_gguf.py");
  }
  return TokenizerModel::kByteLevelBpe;
}

int32_t token_id_or(const gguf::File& file, const char* key, int32_t n_vocab, int32_t fallback) {
  return detail::optional_token_id(file, key, n_vocab).value_or(fallback < n_vocab ? fallback : -1);
}

int32_t find_first_text(const detail::Vocab& vocab, std::span<const std::string_view> texts) {
  for (std::string_view t : texts) {
    if (const int32_t id = vocab.find(t); id >= 0) return id;
  }
  return -1;
}

void read_special_ids(const gguf::File& file, State& t) {
  const int32_t n = t.vocab.n_tokens();
  const bool spm = t.model == TokenizerModel::kSentencePiece;
  // llama.cpp's defaults for SentencePiece vocabularies: <unk> 0, <s> 1, </s> 2.
  t.bos = token_id_or(file, "tokenizer.ggml.bos_token_id", n, spm ? 1 : -1);
  t.eos = token_id_or(file, "tokenizer.ggml.eos_token_id", n, spm ? 2 : -1);
  t.unk = token_id_or(file, "tokenizer.ggml.unknown_token_id", n, spm ? 0 : -1);
  t.pad = token_id_or(file, "tokenizer.ggml.padding_token_id", n, -1);
  t.eot = token_id_or(file, "tokenizer.ggml.eot_token_id", n, find_first_text(t.vocab, kEotTexts));
  const std::array<std::string_view, 1> eom_text = {"<|eom_id|>"};
  t.eom = token_id_or(file, "tokenizer.ggml.eom_token_id", n, find_first_text(t.vocab, eom_text));
  t.eog.assign(n, 0);
  for (std::string_view text : kEogTexts) {
    if (const int32_t id = t.vocab.find(text); id >= 0) t.eog[id] = 1;
  }
  for (int32_t id : {t.eos, t.eot, t.eom}) {
    if (id >= 0) t.eog[id] = 1;
  }
}

ChatTemplate chat_template_of(const gguf::File& file, bool has_header_token) {
  const std::optional<std::string> jinja = detail::optional_string(file, "tokenizer.chat_template");
  const std::optional<ChatTemplate> detected = jinja ? detect_chat_template(*jinja) : std::nullopt;
  return detected.value_or(has_header_token ? ChatTemplate::kLlama3 : ChatTemplate::kLlama2);
}

void read_flags(const gguf::File& file, State& t) {
  t.add_bos = detail::optional_bool(file, "tokenizer.ggml.add_bos_token").value_or(true);
  t.add_eos = detail::optional_bool(file, "tokenizer.ggml.add_eos_token").value_or(false);
  const bool spm = t.model == TokenizerModel::kSentencePiece;
  t.add_space_prefix = spm && detail::optional_bool(file, "tokenizer.ggml.add_space_prefix").value_or(true);
  t.chat = chat_template_of(file, t.vocab.find("<|start_header_id|>") >= 0);
}

// "<0x0A>" -> 0x0A; -1 when the text is not of that form.
int parse_byte_token(std::string_view text) {
  auto hex = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
  };
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return -1;
  const int hi = hex(text[3]);
  const int lo = hex(text[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

void append_spm_piece(std::string_view text, TokenType type, std::string& out) {
  if (type == TokenType::kByte) {
    const int byte = parse_byte_token(text);
    if (byte >= 0) {
      out.push_back(static_cast<char>(byte));
      return;
    }
  }
  for (size_t i = 0; i < text.size();) {  // "▁" -> " "
    if (text.substr(i, 3) == "\xE2\x96\x81") {
      out.push_back(' ');
      i += 3;
    } else {
      out.push_back(text[i++]);
    }
  }
}

// The piece of each token with special tokens rendered (token_to_piece(id, special=true)).
void build_pieces(State& t) {
  const detail::Vocab& v = t.vocab;
  t.piece_begin.assign(1, 0);
  t.pieces.reserve(v.texts.size() * 6);
  for (int32_t id = 0; id < v.n_tokens(); ++id) {
    const TokenType type = v.types[id];
    const std::string& text = v.texts[id];
    if (type == TokenType::kControl || type == TokenType::kUnknown || type == TokenType::kUserDefined) {
      t.pieces += text;
    } else if (type == TokenType::kUnused || type == TokenType::kUndefined) {
      // renders as nothing, as in llama.cpp
    } else if (t.model == TokenizerModel::kSentencePiece) {
      append_spm_piece(text, type, t.pieces);
    } else {
      const size_t size = t.pieces.size();
      if (!detail::byte_level_decode(text, t.pieces)) {  // not byte-level text: keep it as written
        t.pieces.resize(size);
        t.pieces += text;
      }
    }
    t.piece_begin.push_back(static_cast<uint32_t>(t.pieces.size()));
  }
}

bool renders_empty_unless_special(TokenType type) {
  return type == TokenType::kControl || type == TokenType::kUnknown;
}

}  // namespace

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Tokenizer Tokenizer::from_gguf(const gguf::File& file) {
  auto t = std::make_shared<Impl>();
  t->model = read_model(file);
  t->vocab = detail::read_vocab(file);
  read_special_ids(file, *t);
  read_flags(file, *t);
  if (t->model == TokenizerModel::kByteLevelBpe) {
    t->bpe = detail::BpeModel::build(t->vocab, file);
  } else {
    t->spm = detail::SpmModel::build(t->vocab, t->unk);
  }
  t->special = detail::SpecialMatcher::build(t->vocab);
  build_pieces(*t);
  return Tokenizer(std::move(t));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
  if (text.size() > UINT32_MAX) throw std::length_error("Tokenizer::encode: text larger than 4 GiB");
  const Impl& t = *impl_;
  std::vector<int32_t> out;
  out.reserve(text.size() / 2 + 2);  // an upper bound for most text; pages never written cost nothing
  if (add_bos && t.bos >= 0) out.push_back(t.bos);

  detail::SpecialScratch special_scratch;
  std::vector<detail::Fragment> fragments;
  t.special.partition(text, parse_special, fragments, special_scratch);

  detail::BpeScratch bpe_scratch;
  detail::SpmScratch spm_scratch;
  bool after_special = true;  // SentencePiece: the text at the start or after a special token gets a space
  for (const detail::Fragment& f : fragments) {
    if (f.token >= 0) {
      out.push_back(f.token);
      after_special = true;
      continue;
    }
    const std::string_view raw = text.substr(f.begin, f.size);
    if (t.bpe) {
      t.bpe->encode(raw, out, bpe_scratch);
    } else {
      spm_scratch.escaped.clear();
      if (t.add_space_prefix && after_special) spm_scratch.escaped = "\xE2\x96\x81";
      detail::escape_whitespace(raw, spm_scratch.escaped);
      t.spm->encode(t.vocab, spm_scratch.escaped, out, spm_scratch);
    }
    after_special = false;
  }
  return out;
}

std::string Tokenizer::token_to_piece(int32_t id, bool special) const {
  impl_->check_id(id);
  if (!special && renders_empty_unless_special(impl_->vocab.types[id])) return {};
  return std::string(impl_->piece(id));
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool special) const {
  const Impl& t = *impl_;
  std::string out;
  // The space encode() prefixed sits on the first token, or on the one after a BOS that renders as nothing.
  const size_t first_text = (!special && !ids.empty() && ids[0] == t.bos && t.bos >= 0) ? 1 : 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    t.check_id(ids[i]);
    if (!special && renders_empty_unless_special(t.vocab.types[ids[i]])) continue;
    std::string_view piece = t.piece(ids[i]);
    if (i == first_text && t.add_space_prefix && !piece.empty() && piece[0] == ' ') piece.remove_prefix(1);
    out += piece;
  }
  return out;
}

TokenizerModel Tokenizer::model() const {
  return impl_->model;
}
int32_t Tokenizer::n_vocab() const {
  return impl_->vocab.n_tokens();
}
int32_t Tokenizer::bos() const {
  return impl_->bos;
}
int32_t Tokenizer::eos() const {
  return impl_->eos;
}
int32_t Tokenizer::eot() const {
  return impl_->eot;
}
int32_t Tokenizer::eom() const {
  return impl_->eom;
}
int32_t Tokenizer::unk() const {
  return impl_->unk;
}
int32_t Tokenizer::pad() const {
  return impl_->pad;
}
bool Tokenizer::add_bos_default() const {
  return impl_->add_bos;
}
bool Tokenizer::add_eos_default() const {
  return impl_->add_eos;
}
ChatTemplate Tokenizer::chat_template() const {
  return impl_->chat;
}

bool Tokenizer::is_eog(int32_t id) const {
  return id >= 0 && id < n_vocab() && impl_->eog[id];
}

bool Tokenizer::is_control(int32_t id) const {
  return id >= 0 && id < n_vocab() && impl_->vocab.types[id] == TokenType::kControl;
}

TokenType Tokenizer::token_type(int32_t id) const {
  impl_->check_id(id);
  return impl_->vocab.types[id];
}

const std::string& Tokenizer::token_text(int32_t id) const {
  impl_->check_id(id);
  return impl_->vocab.texts[id];
}

int32_t Tokenizer::find_token(std::string_view text) const {
  return impl_->vocab.find(text);
}

ChatTemplate detect_chat_template(const gguf::File& file, const Tokenizer& tok) {
  return chat_template_of(file, tok.find_token("<|start_header_id|>") >= 0);
}

}  // namespace zeroidle::tokenizer
