// Chat templates: exact prompt strings, detection from tokenizer.chat_template, and the tokens of a Llama 3
// prompt.
#include <gtest/gtest.h>

#include "tokenizer/chat_template.h"
#include "tokenizer_test_util.h"

namespace zeroidle::tokenizer {
namespace {

const std::vector<ChatMessage> kSystemAndUser = {{"system", "You are terse."}, {"user", "  Hi there\n"}};

TEST(ChatTemplate, Llama3) {
  EXPECT_EQ(apply_chat_template(ChatTemplate::kLlama3, kSystemAndUser, true),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(apply_chat_template(ChatTemplate::kLlama3, std::vector<ChatMessage>{{"user", "Hi"}}, false),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
}

TEST(ChatTemplate, Llama2) {
  EXPECT_EQ(apply_chat_template(ChatTemplate::kLlama2, kSystemAndUser, true),
            "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST]");
  const std::vector<ChatMessage> turns = {{"user", "A"}, {"assistant", "B"}, {"user", "C"}};
  EXPECT_EQ(apply_chat_template(ChatTemplate::kLlama2, turns, true),
            "<s>[INST] A [/INST] B </s><s>[INST] C [/INST]");
}

TEST(ChatTemplate, Mistral) {
  EXPECT_EQ(apply_chat_template(ChatTemplate::kMistral, kSystemAndUser, true),
            "<s>[INST] You are terse.\n\nHi there [/INST]");
  const std::vector<ChatMessage> turns = {{"user", "A"}, {"assistant", "B"}, {"user", "C"}};
  EXPECT_EQ(apply_chat_template(ChatTemplate::kMistral, turns, true),
            "<s>[INST] A [/INST]B</s>[INST] C [/INST]");
}

TEST(ChatTemplate, UnknownRoleIsRefused) {
  const std::vector<ChatMessage> bad = {{"tool", "x"}};
  EXPECT_THROW(apply_chat_template(ChatTemplate::kLlama3, bad, true), std::invalid_argument);
  EXPECT_THROW(apply_chat_template(ChatTemplate::kMistral, bad, true), std::invalid_argument);
}

TEST(ChatTemplate, DetectedFromJinja) {
  // Abbreviated from the models' tokenizer_config.json templates.
  EXPECT_EQ(detect_chat_template(
                "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' %}"),
            ChatTemplate::kLlama3);
  EXPECT_EQ(detect_chat_template(
                "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' "
                "+ system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{{ bos_token + "
                "'[INST] ' + content.strip() + ' [/INST]' }}"),
            ChatTemplate::kLlama2);
  EXPECT_EQ(
      detect_chat_template("{{ bos_token }}{% for message in messages %}{{ '[INST] ' + message['content'] + "
                           "' [/INST]' }}"),
      ChatTemplate::kMistral);
  EXPECT_EQ(detect_chat_template("{% for m in messages %}<|im_start|>{{ m.role }}"), std::nullopt);
  EXPECT_STREQ(chat_template_name(ChatTemplate::kMistral), "mistral");
}

TEST(ChatTemplate, Llama3PromptTokenizesToItsSpecialTokens) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kBpeVocab);
  const std::vector<ChatMessage> user = {{"user", "Hello"}};
  const std::vector<int32_t> ids =
      tok.encode(apply_chat_template(tok.chat_template(), user, true), false, true);
  // <|begin_of_text|> <|start_header_id|> user <|end_header_id|> \n\n Hello <|eot_id|> <|start_header_id|>
  // assistant <|end_header_id|> \n\n
  EXPECT_EQ(ids, (std::vector<int32_t>{128000, 128006, 882, 128007, 271, 9906, 128009, 128006, 78191, 128007,
                                       271}));
}

TEST(ChatTemplate, Llama2PromptTokenizesWithBos) {
  ZEROIDLE_REQUIRE_VOCAB(tok, testing::kSpmVocab);
  const std::vector<ChatMessage> user = {{"user", "Hello"}};
  const std::vector<int32_t> ids =
      tok.encode(apply_chat_template(tok.chat_template(), user, true), false, true);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1), 1) << "exactly one BOS";
  EXPECT_EQ(tok.decode(ids), "[INST] Hello [/INST]");
}

}  // namespace
}  // namespace zeroidle::tokenizer
