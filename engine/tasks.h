// Built-in extraction tasks: a system instruction plus a JSON Schema each. A caller-given schema and
// instruction make a task the same way.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zeroidle::engine {

struct Task {
  std::string name;
  std::string instruction;        // what the model is asked to do
  nlohmann::ordered_json schema;  // what it must return (property order is output order)
  // A document longer than the context may be split and the chunks' top-level arrays concatenated
  // (so those arrays carry no maxItems: each chunk's answer is capped by json::Limits::max_items).
  bool may_chunk = false;
};

// The names of the built-in tasks: entities, invoice, sentiment, pii, classify.
std::vector<std::string> builtin_task_names();
// A built-in task; `labels` is required by (and only by) "classify". Throws std::invalid_argument naming
// the unknown task or the missing labels.
Task builtin_task(const std::string& name, const std::vector<std::string>& labels = {});
// A task from a caller's schema; a default instruction when `instruction` is empty.
Task custom_task(nlohmann::ordered_json schema, std::string instruction);

// The system prompt: the instruction, then the schema (descriptions included) the answer must match.
std::string system_prompt(const Task& task);

}  // namespace zeroidle::engine
