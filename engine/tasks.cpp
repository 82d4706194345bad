#include "engine/tasks.h"

#include <stdexcept>

namespace zeroidle::engine {
namespace {

using ojson = nlohmann::ordered_json;

ojson str(const char* description) { return {{"type", "string"}, {"description", description}}; }

Task entities_task() {
  ojson entity = {{"type", "object"},
                  {"properties",
                   {{"entity", str("the entity exactly as written in the document")},
                    {"category", str("person, organization, location, date, product, amount or other")},
                    {"confidence", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}},
                  {"required", {"entity", "category", "confidence"}}};
  return {"entities", "Extract the named entities mentioned in the document.",
          {{"type", "object"},
           {"properties", {{"entities", {{"type", "array"}, {"items", entity}}}}},
           {"required", {"entities"}}},
          true};
}

Task invoice_task() {
  ojson item = {{"type", "object"},
                {"properties",
                 {{"description", {{"type", "string"}, {"maxLength", 120}}},
                  {"quantity", {{"type", "number"}, {"minimum", 0}}},
                  {"unit_price", {{"type", {"number", "null"}}}},
                  {"amount", {{"type", {"number", "null"}}}}}},
                {"required", {"description", "quantity", "unit_price", "amount"}}};
  ojson props = {{"vendor", {{"type", {"string", "null"}}, {"maxLength", 120}}},
                 {"invoice_number", {{"type", {"string", "null"}}, {"maxLength", 40}}},
                 {"date", {{"type", {"string", "null"}}, {"maxLength", 10}, {"description", "YYYY-MM-DD"}}},
                 {"currency", {{"type", {"string", "null"}}, {"maxLength", 3}, {"description", "ISO 4217 code"}}},
                 {"total", {{"type", {"number", "null"}}}},
                 {"line_items", {{"type", "array"}, {"items", item}, {"maxItems", 50}}}};
  return {"invoice", "Extract the invoice's fields. Use null for a field the document does not state.",
          {{"type", "object"}, {"properties", props},
           {"required", {"vendor", "invoice_number", "date", "currency", "total", "line_items"}}},
          false};
}

Task sentiment_task() {
  return {"sentiment", "Classify the overall sentiment of the document and say why in one sentence.",
          {{"type", "object"},
           {"properties",
            {{"label", {{"type", "string"}, {"enum", {"positive", "negative", "neutral", "mixed"}}}},
             {"rationale", {{"type", "string"}, {"maxLength", 200}}}}},
           {"required", {"label", "rationale"}}},
          false};
}

Task pii_task() {
  ojson span = {{"type", "object"},
                {"properties",
                 {{"type", {{"type", "string"},
                            {"enum", {"name", "email", "phone", "address", "national_id", "credit_card", "iban",
                                      "date_of_birth", "ip_address", "other"}}}},
                  {"text", str("the personal data exactly as written in the document")}}},
                {"required", {"type", "text"}}};
  return {"pii", "List every piece of personal data (PII) in the document.",
          {{"type", "object"},
           {"properties", {{"pii", {{"type", "array"}, {"items", span}}}}},
           {"required", {"pii"}}},
          true};
}

Task classify_task(const std::vector<std::string>& labels) {
  if (labels.empty()) throw std::invalid_argument("task 'classify' needs labels (e.g. --labels spam,ham)");
  return {"classify", "Classify the document into exactly one of the allowed labels.",
          {{"type", "object"}, {"properties", {{"label", {{"type", "string"}, {"enum", labels}}}}}, {"required", {"label"}}},
          false};
}

}  // namespace

std::vector<std::string> builtin_task_names() { return {"entities", "invoice", "sentiment", "pii", "classify"}; }

Task builtin_task(const std::string& name, const std::vector<std::string>& labels) {
  if (name != "classify" && !labels.empty()) throw std::invalid_argument("labels are only for task 'classify'");
  if (name == "entities") return entities_task();
  if (name == "invoice") return invoice_task();
  if (name == "sentiment") return sentiment_task();
  if (name == "pii") return pii_task();
  if (name == "classify") return classify_task(labels);
  throw std::invalid_argument("unknown task '" + name + "' (entities, invoice, sentiment, pii, classify)");
}

Task custom_task(nlohmann::ordered_json schema, std::string instruction) {
  if (instruction.empty()) instruction = "Extract the information the schema asks for from the document.";
  return {"custom", std::move(instruction), std::move(schema), false};
}

std::string system_prompt(const Task& task) {
  return task.instruction + "\nAnswer with a single JSON object that matches this JSON Schema:\n" + task.schema.dump();
}

}  // namespace zeroidle::engine
