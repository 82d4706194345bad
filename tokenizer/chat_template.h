// Conversation prompts for instruction-tuned Llama-family models.
//
// The result contains special-token texts (<|begin_of_text|>, <s>, ...) including the leading BOS:
// tokenize it with encode(prompt, /*add_bos=*/false, /*parse_special=*/true).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace zeroidle::tokenizer {

enum class ChatTemplate : uint8_t {
  kLlama3,   // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
  kLlama2,   // <s>[INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST]
  kMistral,  // <s>[INST] ... [/INST] (no system block: the system text starts the first user turn)
};

const char* chat_template_name(ChatTemplate t);  // "llama3", "llama2", "mistral"

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

// Recognizes a tokenizer.chat_template (Jinja) by its markers: "<|start_header_id|>" -> Llama 3; "[INST]"
// with "<<SYS>>" -> Llama 2, without -> Mistral. nullopt for anything else.
std::optional<ChatTemplate> detect_chat_template(std::string_view jinja);

// The prompt for `messages`, ending with the assistant's turn header when add_generation_prompt (Llama 3;
// the [INST] formats always end ready for the assistant). Message text is trimmed of surrounding
// whitespace, as the models' own templates do. Throws std::invalid_argument for an unknown role.
//   Llama 3:  <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>
//             <|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|>
//             <|start_header_id|>assistant<|end_header_id|>\n\n
//   Llama 2:  <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s>
//             <s>[INST] {user} [/INST]
//   Mistral:  <s>[INST] {system}\n\n{user} [/INST]{assistant}</s>[INST] {user} [/INST]
std::string apply_chat_template(ChatTemplate tmpl, std::span<const ChatMessage> messages,
                                bool add_generation_prompt);

}  // namespace zeroidle::tokenizer
