// The SQS batch semantics, shared by the Lambda host and the worker.
//
// Each record is processed on its own:
//   body malformed / unknown task / invalid schema / too long      permanent: a "rejected" result is
//       (runtime validation, or the Extractor says so)             recorded (under the messageId when the
//                                                                  body has no usable document_id); done
//   a finished (ok|rejected) result already stored                 skipped; done (SQS delivered twice)
//   the extraction estimate does not fit before the deadline       this record and every later one: retry
//   the Extractor fails or throws, a result read/write fails       transient: retry
//   the conditional write loses (ConditionalCheckFailed)           another copy finished it; done
// "retry" means the messageId goes into batchItemFailures (Lambda) or the message is left on the queue
// (worker). FIFO batches (MessageGroupId present) stop at the first retry: it and every later record
// are retried, so a group's order is kept. Every finished record is written before the next starts.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "runtime/extractor.h"
#include "runtime/metrics.h"
#include "runtime/result_store.h"
#include "runtime/sqs_record.h"

namespace zeroidle::runtime {

struct BatchOutcome {
  std::vector<std::string> failed_message_ids;  // in record order
  BatchCounts counts;
};

class BatchProcessor {
 public:
  using Clock = std::chrono::steady_clock;
  // Called once per record as soon as its fate is known (`done` false: it will be retried).
  using RecordCallback = std::function<void(const SqsRecord& record, bool done)>;

  // `safety_margin` is kept free before the deadline: extraction must end by deadline - margin.
  BatchProcessor(Extractor& extractor, ResultStore& store, const Metrics& metrics,
                 std::chrono::milliseconds safety_margin);

  // Processes `records` against `deadline` (Clock::time_point::max(): none, as in the worker).
  BatchOutcome process(const std::vector<SqsRecord>& records, Clock::time_point deadline,
                       const RecordCallback& on_record = {});

  // One direct (non-SQS) request: extracts and records the result when a table is configured.
  // Never throws for extractor failures: they come back as status "failed".
  ExtractionResult process_direct(const ExtractionRequest& request, Clock::time_point deadline);

 private:
  enum class Fate { kDone, kRetry };
  struct Pending {
    size_t index;
    ExtractionRequest request;
  };

  Fate record_rejection(const SqsRecord& record, const std::string& document_id, const std::string& reason,
                        Clock::time_point store_deadline, BatchCounts& counts);
  Fate finish(const ExtractionRequest& request, ExtractionResult result, double record_ms,
              Clock::time_point store_deadline, BatchCounts& counts);
  std::vector<ExtractionResult> run_extractor(const std::vector<ExtractionRequest>& requests,
                                              Clock::time_point deadline);
  ExtractionResult normalize(const ExtractionRequest& request, ExtractionResult result) const;

  Extractor& extractor_;
  ResultStore& store_;
  const Metrics& metrics_;
  std::chrono::milliseconds margin_;
};

}  // namespace zeroidle::runtime
