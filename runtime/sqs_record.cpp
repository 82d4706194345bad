#include "runtime/sqs_record.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace zeroidle::runtime {

bool SqsRecord::fifo() const {
  return attributes.is_object() && attributes.contains("MessageGroupId");
}

int SqsRecord::receive_count() const {
  if (!attributes.is_object()) return 0;
  auto it = attributes.find("ApproximateReceiveCount");
  if (it == attributes.end() || !it->is_string()) return 0;
  const std::string& s = it->get_ref<const std::string&>();
  int n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

namespace {

template <typename Json>
std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->template get<std::string>() : std::string();
}

}  // namespace

SqsRecord record_from_lambda_event(const nlohmann::ordered_json& record) {
  if (!record.is_object()) throw std::invalid_argument("an SQS event record is not an object");
  auto id = record.find("messageId");
  auto body = record.find("body");
  if (id == record.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    throw std::invalid_argument("an SQS event record has no messageId");
  }
  if (body == record.end() || !body->is_string()) {
    throw std::invalid_argument("SQS event record " + id->get<std::string>() + " has no string body");
  }
  SqsRecord r;
  r.message_id = *id;
  r.body = *body;
  r.receipt_handle = string_field(record, "receiptHandle");
  r.md5_of_body = string_field(record, "md5OfBody");
  r.event_source_arn = string_field(record, "eventSourceARN");
  r.aws_region = string_field(record, "awsRegion");
  if (auto a = record.find("attributes"); a != record.end() && a->is_object()) r.attributes = *a;
  if (auto a = record.find("messageAttributes"); a != record.end() && a->is_object())
    r.message_attributes = *a;
  return r;
}

SqsRecord record_from_receive_message(const nlohmann::json& message) {
  SqsRecord r;
  if (!message.is_object()) return r;
  r.message_id = string_field(message, "MessageId");
  r.receipt_handle = string_field(message, "ReceiptHandle");
  r.body = string_field(message, "Body");
  r.md5_of_body = string_field(message, "MD5OfBody");
  if (auto a = message.find("Attributes"); a != message.end() && a->is_object()) {
    r.attributes = nlohmann::ordered_json(*a);
  }
  if (auto a = message.find("MessageAttributes"); a != message.end() && a->is_object()) {
    r.message_attributes = nlohmann::ordered_json(*a);
  }
  return r;
}

ParsedBody parse_request_object(const nlohmann::ordered_json& object, const std::string& message_id,
                                const std::string& fallback_document_id) {
  ParsedBody out;
  if (!object.is_object()) {
    out.error = std::string("body is JSON but not an object (it is ") + object.type_name() + ")";
    return out;
  }
  // document_id first: a usable one names the rejection record even when the rest is wrong.
  std::string document_id;
  std::string id_error;
  if (auto it = object.find("document_id"); it != object.end()) {
    if (!it->is_string()) {
      id_error = std::string("document_id must be a string (it is ") + it->type_name() + ")";
    } else if (it->get_ref<const std::string&>().empty()) {
      id_error = "document_id is empty";
    } else if (it->get_ref<const std::string&>().size() > kMaxDocumentIdBytes) {
      id_error = "document_id is longer than " + std::to_string(kMaxDocumentIdBytes) + " bytes";
    } else {
      document_id = *it;
    }
  } else if (!fallback_document_id.empty()) {
    document_id = fallback_document_id;
  } else {
    id_error = "document_id is missing";
  }
  out.document_id = document_id;
  if (!id_error.empty()) {
    out.error = id_error;
    return out;
  }

  static const char* kAllowed[] = {"document_id", "document_content", "schema", "task", "max_tokens"};
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find_if(std::begin(kAllowed), std::end(kAllowed),
                     [&](const char* k) { return it.key() == k; }) == std::end(kAllowed)) {
      out.error = "unknown field '" + it.key().substr(0, 64) +
                  "' (allowed: document_id, document_content, schema, task, max_tokens)";
      return out;
    }
  }

  ExtractionRequest req;
  req.document_id = document_id;
  req.message_id = message_id;
  auto content = object.find("document_content");
  if (content == object.end()) {
    out.error = "document_content is missing";
    return out;
  }
  if (!content->is_string()) {
    out.error = std::string("document_content must be a string (it is ") + content->type_name() + ")";
    return out;
  }
  if (content->get_ref<const std::string&>().empty()) {
    out.error = "document_content is empty";
    return out;
  }
  req.document_content = *content;

  if (auto it = object.find("schema"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) {
      out.error = std::string("schema must be a JSON Schema object (it is ") + it->type_name() + ")";
      return out;
    }
    req.schema = *it;
  }
  if (auto it = object.find("task"); it != object.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      out.error = "task must be a non-empty string";
      return out;
    }
    req.task = it->get<std::string>();
  }
  if (auto it = object.find("max_tokens"); it != object.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<long long>() <= 0 || it->get<long long>() > (1 << 20)) {
      out.error = "max_tokens must be a positive integer";
      return out;
    }
    req.max_tokens = it->get<int>();
  }
  out.request = std::move(req);
  return out;
}

ParsedBody parse_request_body(std::string_view body, const std::string& message_id) {
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    ParsedBody out;
    // nlohmann's message would quote the input: keep the document text out of the error.
    out.error = "body is not valid JSON (" + std::to_string(body.size()) + " bytes)";
    return out;
  }
  return parse_request_object(parsed, message_id);
}

}  // namespace zeroidle::runtime
