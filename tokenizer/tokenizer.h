// Text <-> token ids for Llama-family GGUF vocabularies, with the same ids llama.cpp produces:
//   - byte-level BPE (tokenizer.ggml.model = "gpt2", pre = "llama-bpe": Llama 3),
//   - SentencePiece-style BPE (tokenizer.ggml.model = "llama": Llama 2, Mistral).
//
// Errors: from_gguf throws std::runtime_error naming the missing or inconsistent key and the file.
// encode accepts any bytes (it throws only std::length_error for a text of 4 GiB or more);
// token_to_piece/decode throw std::out_of_range for an id outside [0, n_vocab).
// Thread-safe: a Tokenizer is immutable; copies share the tables; encode/decode may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf.h"
#include "tokenizer/chat_template.h"

namespace zeroidle::tokenizer {

// tokenizer.ggml.token_type values.
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

enum class TokenizerModel : uint8_t {
  kByteLevelBpe,   // "gpt2" + "llama-bpe" pre-tokenizer
  kSentencePiece,  // "llama"
};

class Tokenizer {
 public:
  // Reads the tokenizer.* metadata of a model or vocab-only GGUF. Builds all tables (~100 ms for
  // Llama 3's 128256 tokens and 280147 merges).
  static Tokenizer from_gguf(const gguf::File& file);

  // Token ids for `text`. add_bos prepends bos() (pass add_bos_default() for the model's own rule).
  // parse_special: control tokens written in the text ("<|eot_id|>") become those tokens; otherwise they
  // are ordinary text. User-defined tokens are always matched whole, as llama.cpp does.
  // SentencePiece: a space is prefixed to the text and to the text after each special token
  // (tokenizer.ggml.add_space_prefix, default on), as llama.cpp does.
  // Invalid UTF-8: byte-level BPE reads each invalid byte as U+FFFD, as llama.cpp does (so it does not come
  // back from decode); SentencePiece keeps every byte (<0xXX> tokens).
  std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const;

  // The bytes token `id` stands for. Control and unknown tokens give "" unless `special`, then their
  // text; user-defined tokens give their text. Byte-level BPE: the GPT-2 byte mapping is reversed;
  // SentencePiece: "▁" becomes a space and <0xXX> that byte. A piece may be part of a UTF-8 character.
  std::string token_to_piece(int32_t id, bool special = false) const;

  // The concatenated pieces. For SentencePiece, the space that encode() prefixes is removed again: one
  // leading space of the first token (of the token after a BOS when !special, since that BOS renders as
  // nothing; with `special`, "<s>" is kept and so is the space after it, as llama.cpp does). So
  // decode(encode(t, bos, false)) == t for valid UTF-8 t without U+2581 "▁", with either vocabulary.
  std::string decode(std::span<const int32_t> ids, bool special = false) const;

  TokenizerModel model() const;
  int32_t n_vocab() const;
  int32_t bos() const;            // -1 when the vocabulary has none
  int32_t eos() const;            // -1 when none
  int32_t eot() const;            // end of turn (<|eot_id|>): metadata, else found by text; -1 when none
  int32_t eom() const;            // end of message (<|eom_id|>); -1 when none
  int32_t unk() const;            // -1 when none
  int32_t pad() const;            // -1 when none
  bool add_bos_default() const;   // tokenizer.ggml.add_bos_token, else the model's default (true for both)
  bool add_eos_default() const;   // tokenizer.ggml.add_eos_token, else false
  bool is_eog(int32_t id) const;  // ends generation: eos, eot, eom and llama.cpp's end-of-turn texts
  bool is_control(int32_t id) const;
  TokenType token_type(int32_t id) const;
  const std::string& token_text(int32_t id) const;  // as stored in the vocabulary
  int32_t find_token(std::string_view text) const;  // id of the token with exactly this stored text, or -1

  // The conversation format: from tokenizer.chat_template when recognized, else guessed from the
  // vocabulary (Llama 3 when it has <|start_header_id|>, else Llama 2).
  ChatTemplate chat_template() const;

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// The chat format for the model in `file`: tokenizer.chat_template when recognized, else Llama 3 when the
// vocabulary has <|start_header_id|>, else Llama 2. Equals tok.chat_template() for tok = from_gguf(file).
ChatTemplate detect_chat_template(const gguf::File& file, const Tokenizer& tok);

// Turns a stream of token ids into text that never splits a UTF-8 character: bytes of an incomplete
// character are held back until the token that completes it arrives. Concatenating every push() and the
// final flush() gives exactly the bytes of all pieces. Not thread-safe; one per generation stream.
class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder. `special` as in Tokenizer::token_to_piece.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool special = false);

  // The complete characters now available (possibly empty). Invalid UTF-8 is passed through as bytes as
  // soon as it is known to be invalid.
  std::string push(int32_t id);
  // Whatever is still held back (an unfinished character, as raw bytes); resets the decoder.
  std::string flush();

 private:
  const Tokenizer* tokenizer_;
  bool special_;
  std::string pending_;
};

}  // namespace zeroidle::tokenizer
