#include "runtime/sqs_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace zeroidle::runtime {

std::string md5_hex(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(body.data(), body.size(), digest, &len, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(MD5) failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string region_from_queue_url(const std::string& queue_url) {
  Url url;
  if (!parse_url(queue_url, url)) return {};
  const std::string& h = url.host;
  auto ends_with = [&](std::string_view s) {
    return h.size() >= s.size() && h.compare(h.size() - s.size(), s.size(), s) == 0;
  };
  if (h.rfind("sqs.", 0) == 0 && (ends_with(".amazonaws.com") || ends_with(".amazonaws.com.cn"))) {
    const size_t start = 4;
    return h.substr(start, h.find('.', start) - start);
  }
  if (ends_with(".queue.amazonaws.com")) return h.substr(0, h.find('.'));
  return {};
}

SqsClient::SqsClient(std::unique_ptr<AwsJsonClient> client) : client_(std::move(client)) {}

SqsClient::Received SqsClient::receive(const std::string& queue_url, int max_messages, int wait_s,
                                       int visibility_s, const std::atomic<bool>* abort_flag) {
  const nlohmann::json request = {
      {"QueueUrl", queue_url},
      {"MaxNumberOfMessages", max_messages},
      {"WaitTimeSeconds", wait_s},
      {"VisibilityTimeout", visibility_s},
      {"AttributeNames", {"All"}},
      {"MessageSystemAttributeNames", {"All"}},
      {"MessageAttributeNames", {"All"}},
  };
  Received out;
  const AwsResult r =
      client_->call("AmazonSQS.ReceiveMessage", request, AwsJsonClient::Clock::time_point::max(), abort_flag,
                    static_cast<long>(wait_s) * 1000 + 15000);
  if (!r.ok) {
    out.error = "ReceiveMessage: " + r.error.describe();
    return out;
  }
  out.ok = true;
  if (auto messages = r.body.find("Messages"); messages != r.body.end() && messages->is_array()) {
    for (const nlohmann::json& m : *messages) out.records.push_back(record_from_receive_message(m));
  }
  return out;
}

SqsClient::Deleted SqsClient::delete_messages(const std::string& queue_url,
                                              const std::vector<const SqsRecord*>& records) {
  Deleted out;
  for (size_t start = 0; start < records.size(); start += 10) {
    const size_t end = std::min(records.size(), start + 10);
    nlohmann::json entries = nlohmann::json::array();
    for (size_t i = start; i < end; ++i) {
      entries.push_back({{"Id", std::string("m").append(std::to_string(i))},
                         {"ReceiptHandle", records[i]->receipt_handle}});
    }
    const AwsResult r =
        client_->call("AmazonSQS.DeleteMessageBatch", {{"QueueUrl", queue_url}, {"Entries", entries}});
    if (!r.ok) {
      for (size_t i = start; i < end; ++i) out.failed_message_ids.push_back(records[i]->message_id);
      if (out.error.empty()) out.error = "DeleteMessageBatch: " + r.error.describe();
      continue;
    }
    if (auto ok = r.body.find("Successful"); ok != r.body.end() && ok->is_array()) {
      out.deleted += static_cast<int>(ok->size());
    }
    if (auto failed = r.body.find("Failed"); failed != r.body.end() && failed->is_array()) {
      for (const nlohmann::json& f : *failed) {
        auto text = [&](const char* key) {
          return f.is_object() && f.contains(key) && f[key].is_string() ? f[key].get<std::string>()
                                                                        : std::string();
        };
        const std::string id = text("Id");  // "m<index>" as sent
        size_t index = records.size();
        if (id.size() > 1) std::from_chars(id.data() + 1, id.data() + id.size(), index);
        if (index < records.size()) out.failed_message_ids.push_back(records[index]->message_id);
        if (out.error.empty())
          out.error = "DeleteMessageBatch entry failed: " + text("Code") + ": " + text("Message");
      }
    }
  }
  return out;
}

AwsResult SqsClient::change_visibility(const std::string& queue_url, const std::string& receipt_handle,
                                       int visibility_s) {
  return client_->call(
      "AmazonSQS.ChangeMessageVisibility",
      {{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}, {"VisibilityTimeout", visibility_s}},
      AwsJsonClient::Clock::time_point::max(), nullptr, 10000);
}

}  // namespace zeroidle::runtime
