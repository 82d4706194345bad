// Amazon SQS over its JSON protocol (X-Amz-Target: AmazonSQS.<Action>, application/x-amz-json-1.0),
// the calls the worker needs: ReceiveMessage (long poll), DeleteMessageBatch, ChangeMessageVisibility.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "runtime/aws_client.h"
#include "runtime/sqs_record.h"

namespace zeroidle::runtime {

class SqsClient {
 public:
  explicit SqsClient(std::unique_ptr<AwsJsonClient> client);

  struct Received {
    bool ok = false;
    std::vector<SqsRecord> records;
    std::string error;
  };
  // Long-polls for up to `max_messages` (1..10) for `wait_s` seconds; received messages stay hidden for
  // `visibility_s`. Aborts (ok=false) when `abort_flag` becomes true.
  Received receive(const std::string& queue_url, int max_messages, int wait_s, int visibility_s,
                   const std::atomic<bool>* abort_flag = nullptr);

  struct Deleted {
    int deleted = 0;
    std::vector<std::string> failed_message_ids;
    std::string error;  // first failure's reason
  };
  // DeleteMessageBatch in chunks of 10.
  Deleted delete_messages(const std::string& queue_url, const std::vector<const SqsRecord*>& records);

  // Hides a received message for another `visibility_s` seconds from now.
  AwsResult change_visibility(const std::string& queue_url, const std::string& receipt_handle,
                              int visibility_s);

 private:
  std::unique_ptr<AwsJsonClient> client_;
};

// Hex MD5 of `body`, as SQS reports it in MD5OfBody.
std::string md5_hex(std::string_view body);

// The region in an SQS queue URL (https://sqs.REGION.amazonaws.com/... or
// https://REGION.queue.amazonaws.com/...), empty when the host names none.
std::string region_from_queue_url(const std::string& queue_url);

}  // namespace zeroidle::runtime
