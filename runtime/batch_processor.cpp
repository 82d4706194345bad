#include "runtime/batch_processor.h"

#include <algorithm>
#include <limits>

#include "runtime/log.h"

namespace zeroidle::runtime {

namespace {

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

BatchProcessor::BatchProcessor(Extractor& extractor, ResultStore& store, const Metrics& metrics,
                               std::chrono::milliseconds safety_margin)
    : extractor_(extractor), store_(store), metrics_(metrics), margin_(safety_margin) {}

ExtractionResult BatchProcessor::normalize(const ExtractionRequest& request, ExtractionResult r) const {
  r.document_id = request.document_id;
  r.message_id = request.message_id;
  if (r.model.empty()) r.model = extractor_.model_name();
  if (r.status != kStatusOk && r.status != kStatusRejected && r.status != kStatusFailed) {
    r.error = "extractor returned unknown status '" + r.status.substr(0, 32) + "'";
    r.status = kStatusFailed;
  }
  if (r.status != kStatusOk) {
    r.data = nullptr;
    if (r.error.empty()) r.error = r.status == kStatusRejected ? "rejected" : "failed";
  }
  return r;
}

std::vector<ExtractionResult> BatchProcessor::run_extractor(const std::vector<ExtractionRequest>& requests,
                                                            Clock::time_point deadline) {
  std::vector<ExtractionResult> results;
  auto all = [&](ExtractionResult (*make)(const ExtractionRequest&, std::string, std::string),
                 const std::string& reason) {
    results.clear();
    for (const ExtractionRequest& r : requests) results.push_back(make(r, reason, extractor_.model_name()));
  };
  try {
    if (requests.size() == 1) {
      results.push_back(extractor_.extract(requests.front(), deadline));
    } else {
      results = extractor_.extract_batch(requests, deadline);
    }
    if (results.size() != requests.size()) {
      all(failed_result, "extractor returned " + std::to_string(results.size()) + " results for " +
                             std::to_string(requests.size()) + " requests");
    }
  } catch (const PermanentError& e) {
    all(rejected_result, e.what());
  } catch (const std::exception& e) {
    all(failed_result, std::string("extractor error: ") + e.what());
  } catch (...) {
    all(failed_result, "extractor threw a non-standard exception");
  }
  return results;
}

BatchProcessor::Fate BatchProcessor::finish(const ExtractionRequest& request, ExtractionResult result,
                                            double record_ms, Clock::time_point store_deadline,
                                            BatchCounts& counts) {
  result = normalize(request, std::move(result));
  const log::Fields summary = {{"document_id", result.document_id},
                               {"status", result.status},
                               {"tokens_in", result.tokens_in},
                               {"tokens_out", result.tokens_out},
                               {"record_ms", record_ms}};
  metrics_.record(result, record_ms);
  if (result.status == kStatusFailed) {
    // Recorded so the table shows why; a later copy may overwrite a "failed" item.
    const WriteOutcome w = store_.write(result, store_deadline);
    log::warn("record failed; it will be retried",
              {{"document_id", result.document_id},
               {"reason", result.error},
               {"failed_result_stored", w.status == WriteOutcome::kWritten}});
    return Fate::kRetry;
  }
  const WriteOutcome w = store_.write(result, store_deadline);
  if (w.status == WriteOutcome::kError) {
    log::warn("result write failed; the record will be retried",
              {{"document_id", result.document_id}, {"reason", w.error}});
    return Fate::kRetry;
  }
  if (w.status == WriteOutcome::kAlreadyFinished) {
    ++counts.skipped;
    log::info("another copy already stored a finished result", summary);
    return Fate::kDone;
  }
  if (result.status == kStatusOk) {
    ++counts.ok;
    log::info("record done", summary);
  } else {
    ++counts.rejected;
    log::Fields fields = summary;
    fields["reason"] = result.error;
    log::info("record rejected", fields);
  }
  return Fate::kDone;
}

BatchProcessor::Fate BatchProcessor::record_rejection(const SqsRecord& record, const std::string& document_id,
                                                      const std::string& reason,
                                                      Clock::time_point store_deadline, BatchCounts& counts) {
  ExtractionRequest pseudo;
  pseudo.document_id = document_id;
  pseudo.message_id = record.message_id;
  return finish(pseudo, rejected_result(pseudo, reason, extractor_.model_name()), 0, store_deadline, counts);
}

BatchOutcome BatchProcessor::process(const std::vector<SqsRecord>& records, Clock::time_point deadline,
                                     const RecordCallback& on_record) {
  BatchOutcome out;
  const bool has_deadline = deadline != Clock::time_point::max();
  const Clock::time_point extract_deadline = has_deadline ? deadline - margin_ : deadline;
  const Clock::time_point store_deadline = has_deadline ? deadline - margin_ / 2 : deadline;
  const bool fifo = std::any_of(records.begin(), records.end(), [](const SqsRecord& r) { return r.fifo(); });
  // FIFO records go one at a time so the first failure stops the group in order.
  const size_t group = fifo ? 1 : static_cast<size_t>(std::max(1, extractor_.max_batch()));

  enum : int { kUnresolved = -1, kDone = 0, kRetry = 1 };
  std::vector<int> fate(records.size(), kUnresolved);
  bool stopped = false;  // a FIFO failure or the deadline: every unresolved record is retried
  std::vector<Pending> pending;

  auto settle = [&](size_t i, Fate f) {
    fate[i] = f == Fate::kDone ? kDone : kRetry;
    if (f == Fate::kRetry && fifo && !stopped) {
      stopped = true;
      log::warn("FIFO batch stops at its first failure; later records are retried",
                {{"failed_message_id", records[i].message_id}});
    }
    if (on_record) on_record(records[i], f == Fate::kDone);
  };
  auto stop_for_deadline = [&](double estimate_ms, double remaining_ms) {
    stopped = true;
    log::warn("deadline: this record and the rest of the batch are returned for retry",
              {{"estimate_ms", estimate_ms},
               {"remaining_ms", remaining_ms},
               {"safety_margin_ms", static_cast<double>(margin_.count())}});
  };

  auto flush = [&] {
    size_t start = 0;
    while (start < pending.size()) {
      if (stopped) {
        for (size_t k = start; k < pending.size(); ++k) settle(pending[k].index, Fate::kRetry);
        break;
      }
      const double remaining =
          has_deadline ? ms_between(Clock::now(), extract_deadline) : std::numeric_limits<double>::infinity();
      size_t take = 0;
      double total = 0;
      double first_estimate = 0;
      for (size_t k = start; k < pending.size() && take < group; ++k) {
        const double estimate = extractor_.estimate_ms(pending[k].request);
        if (k == start) first_estimate = estimate;
        if (total + estimate > remaining) break;
        total += estimate;
        ++take;
      }
      if (take == 0) {
        log::ScopedMessageId mid(records[pending[start].index].message_id);
        stop_for_deadline(first_estimate, remaining);
        continue;
      }
      std::vector<ExtractionRequest> requests;
      for (size_t k = start; k < start + take; ++k) requests.push_back(pending[k].request);
      const Clock::time_point t0 = Clock::now();
      std::vector<ExtractionResult> results = run_extractor(requests, extract_deadline);
      const double each_ms = ms_between(t0, Clock::now()) / static_cast<double>(take);
      for (size_t k = 0; k < take; ++k) {
        const Pending& p = pending[start + k];
        log::ScopedMessageId mid(records[p.index].message_id);
        if (stopped) {  // an earlier FIFO failure in this group
          settle(p.index, Fate::kRetry);
          continue;
        }
        settle(p.index, finish(p.request, std::move(results[k]), each_ms, store_deadline, out.counts));
      }
      start += take;
    }
    pending.clear();
  };

  for (size_t i = 0; i < records.size(); ++i) {
    const SqsRecord& record = records[i];
    log::ScopedMessageId mid(record.message_id);
    if (!stopped && has_deadline && Clock::now() >= extract_deadline) stop_for_deadline(0, 0);
    if (stopped) {
      settle(i, Fate::kRetry);
      continue;
    }
    log::debug("record received",
               {{"receive_count", record.receive_count()}, {"body_bytes", record.body.size()}});
    ParsedBody parsed = parse_request_body(record.body, record.message_id);
    if (!parsed.request) {
      const std::string& id = parsed.document_id.empty() ? record.message_id : parsed.document_id;
      settle(i, record_rejection(record, id, parsed.error, store_deadline, out.counts));
      continue;
    }
    const Lookup lookup = store_.lookup(parsed.request->document_id, store_deadline);
    if (lookup.status == Lookup::kError) {
      log::warn("result lookup failed; the record will be retried",
                {{"document_id", parsed.request->document_id}, {"reason", lookup.error}});
      settle(i, Fate::kRetry);
      continue;
    }
    if (lookup.status == Lookup::kFinished) {
      ++out.counts.skipped;
      log::info("already finished by an earlier delivery; skipped",
                {{"document_id", parsed.request->document_id}, {"stored_status", lookup.existing_status}});
      settle(i, Fate::kDone);
      continue;
    }
    pending.push_back({i, std::move(*parsed.request)});
    if (pending.size() >= group) flush();
  }
  flush();

  for (size_t i = 0; i < records.size(); ++i) {
    if (fate[i] != kDone) out.failed_message_ids.push_back(records[i].message_id);
  }
  out.counts.retried = static_cast<int>(out.failed_message_ids.size());
  return out;
}

ExtractionResult BatchProcessor::process_direct(const ExtractionRequest& request,
                                                Clock::time_point deadline) {
  const bool has_deadline = deadline != Clock::time_point::max();
  const Clock::time_point extract_deadline = has_deadline ? deadline - margin_ : deadline;
  const Clock::time_point store_deadline = has_deadline ? deadline - margin_ / 2 : deadline;
  const Clock::time_point t0 = Clock::now();
  ExtractionResult result = normalize(request, std::move(run_extractor({request}, extract_deadline).front()));
  const double record_ms = ms_between(t0, Clock::now());
  metrics_.record(result, record_ms);
  const WriteOutcome w = store_.write(result, store_deadline);
  log::info("direct request done", {{"document_id", result.document_id},
                                    {"status", result.status},
                                    {"record_ms", record_ms},
                                    {"stored", w.status == WriteOutcome::kWritten},
                                    {"store_error", w.error}});
  return result;
}

}  // namespace zeroidle::runtime
