#include "tokenizer/chat_template.h"

#include <stdexcept>

namespace zeroidle::tokenizer {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

enum class Role { kSystem, kUser, kAssistant };

Role role_of(const ChatMessage& m) {
  if (m.role == "system") return Role::kSystem;
  if (m.role == "user") return Role::kUser;
  if (m.role == "assistant") return Role::kAssistant;
  throw std::invalid_argument("chat message role \"" + m.role + "\" is not one of system, user, assistant");
}

std::string llama3_prompt(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out = "<|begin_of_text|>";
  for (const ChatMessage& m : messages) {
    role_of(m);
    out += "<|start_header_id|>";
    out += m.role;
    out += "<|end_header_id|>\n\n";
    out += trim(m.content);
    out += "<|eot_id|>";
  }
  if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

// A user turn's text with the pending system message in front (inside <<SYS>> for Llama 2).
std::string user_text(std::string_view user, const std::string& system, bool llama2) {
  std::string out;
  if (!system.empty()) {
    out += llama2 ? "<<SYS>>\n" : "";
    out += system;
    out += llama2 ? "\n<</SYS>>\n\n" : "\n\n";
  }
  out += user;
  return out;
}

// Llama 2 and Mistral: [INST] user turns, assistant turns closed by </s>. A system message is held until
// the next user turn.
std::string inst_prompt(std::span<const ChatMessage> messages, bool llama2) {
  std::string out;
  std::string system;
  bool first_turn = true;
  for (const ChatMessage& m : messages) {
    const std::string_view text = trim(m.content);
    switch (role_of(m)) {
      case Role::kSystem:
        system = text;
        break;
      case Role::kUser:
        out += (first_turn || llama2) ? "<s>[INST] " : "[INST] ";
        out += user_text(text, system, llama2);
        out += " [/INST]";
        system.clear();
        first_turn = false;
        break;
      case Role::kAssistant:
        out += llama2 ? " " : "";
        out += text;
        out += llama2 ? " </s>" : "</s>";
        break;
    }
  }
  return out;
}

}  // namespace

const char* chat_template_name(ChatTemplate t) {
  switch (t) {
    case ChatTemplate::kLlama3:
      return "llama3";
    case ChatTemplate::kLlama2:
      return "llama2";
    case ChatTemplate::kMistral:
      return "mistral";
  }
  return "unknown";
}

std::optional<ChatTemplate> detect_chat_template(std::string_view jinja) {
  if (jinja.find("<|start_header_id|>") != std::string_view::npos) return ChatTemplate::kLlama3;
  if (jinja.find("[INST]") != std::string_view::npos) {
    return jinja.find("<<SYS>>") != std::string_view::npos ? ChatTemplate::kLlama2 : ChatTemplate::kMistral;
  }
  return std::nullopt;
}

std::string apply_chat_template(ChatTemplate tmpl, std::span<const ChatMessage> messages,
                                bool add_generation_prompt) {
  switch (tmpl) {
    case ChatTemplate::kLlama3:
      return llama3_prompt(messages, add_generation_prompt);
    case ChatTemplate::kLlama2:
      return inst_prompt(messages, /*llama2=*/true);
    case ChatTemplate::kMistral:
      return inst_prompt(messages, /*llama2=*/false);
  }
  throw std::invalid_argument("unknown chat template");
}

}  // namespace zeroidle::tokenizer
