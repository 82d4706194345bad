// `zeroidle worker`: the SQS long-poll loop for fleets, with a visibility heartbeat thread.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/batch_processor.h"
#include "runtime/host.h"
#include "runtime/log.h"
#include "runtime/metrics.h"
#include "runtime/result_store.h"
#include "runtime/sqs_client.h"

namespace zeroidle::runtime {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

std::unique_ptr<SqsClient> make_sqs_client(const std::string& queue_url, const Credentials& credentials) {
  AwsEndpoint endpoint = resolve_endpoint("SQS", "sqs", region_from_queue_url(queue_url));
  return std::make_unique<SqsClient>(
      std::make_unique<AwsJsonClient>(std::move(endpoint), credentials, std::make_unique<CurlTransport>()));
}

// Keeps the messages of the batch in progress hidden: every visibility/3 seconds it gives each
// unfinished message another full visibility timeout, so a long document is never redelivered to
// another worker while this one still works on it. Owns its own SQS client (one connection per thread).
class VisibilityHeartbeat {
 public:
  VisibilityHeartbeat(std::unique_ptr<SqsClient> sqs, std::string queue_url, int visibility_s)
      : sqs_(std::move(sqs)),
        queue_url_(std::move(queue_url)),
        visibility_s_(visibility_s),
        thread_([this] { run(); }) {}

  ~VisibilityHeartbeat() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void track(const std::vector<SqsRecord>& records) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const SqsRecord& r : records) receipts_[r.message_id] = r.receipt_handle;
  }
  void done(const std::string& message_id) {
    std::lock_guard<std::mutex> lock(mu_);
    receipts_.erase(message_id);
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    receipts_.clear();
  }

 private:
  void run() {
    const auto period = std::chrono::milliseconds(std::max(500, visibility_s_ * 1000 / 3));
    std::unique_lock<std::mutex> lock(mu_);
    while (!quit_) {
      cv_.wait_for(lock, period, [this] { return quit_; });
      if (quit_) break;
      const std::map<std::string, std::string> pending = receipts_;
      lock.unlock();
      for (const auto& [message_id, receipt] : pending) {
        const AwsResult r = sqs_->change_visibility(queue_url_, receipt, visibility_s_);
        log::ScopedMessageId mid(message_id);
        if (r.ok) {
          log::debug("visibility extended", {{"visibility_timeout_s", visibility_s_}});
        } else {
          log::warn("visibility heartbeat failed", {{"reason", r.error.describe()}});
        }
      }
      lock.lock();
    }
  }

  std::unique_ptr<SqsClient> sqs_;
  std::string queue_url_;
  int visibility_s_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> receipts_;  // message id -> receipt handle, unfinished only
  bool quit_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

int worker_main(const std::vector<std::string>& args, const ExtractorFactory& make_extractor) {
  const Clock::time_point process_start = Clock::now();
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::printf(
          "usage: zeroidle worker --queue-url URL [--table T] [--batch 10] [--wait 20] [options]\n\n"
          "Long-polls SQS and extracts each message, as the Lambda function does.\n\n%s",
          config_usage(HostMode::kWorker).c_str());
      return 0;
    }
  }
  log::init("info");
  Config config;
  std::unique_ptr<ResultStore> store;
  std::optional<Credentials> credentials;
  try {
    config = load_config(args, HostMode::kWorker);
    log::set_level(config.log_level);
    credentials = Credentials::from_env();
    if (!credentials)
      throw ConfigError("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set (the worker signs SQS calls)");
    store = make_result_store(config);
    make_sqs_client(config.queue_url, *credentials);  // validates region and endpoint now
  } catch (const std::exception& e) {
    log::error("init failed", {{"reason", e.what()}});
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }

  const Clock::time_point load_start = Clock::now();
  std::unique_ptr<Extractor> extractor;
  try {
    extractor = make_extractor(config);
    if (!extractor) throw std::runtime_error("the extractor factory returned nothing");
  } catch (const std::exception& e) {
    log::error("model load failed", {{"reason", e.what()}});
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  const Metrics metrics("zeroidle-worker");
  metrics.init(ms_since(process_start), ms_since(load_start));

  g_stop.store(false);
  install_signal_handlers();
  std::unique_ptr<SqsClient> sqs = make_sqs_client(config.queue_url, *credentials);
  VisibilityHeartbeat heartbeat(make_sqs_client(config.queue_url, *credentials), config.queue_url,
                                config.visibility_timeout_s);
  BatchProcessor processor(*extractor, *store, metrics,
                           std::chrono::milliseconds(static_cast<long long>(config.safety_margin_ms)));
  log::info("worker ready", {{"queue_url", config.queue_url},
                             {"model", extractor->model_name()},
                             {"batch", config.batch},
                             {"wait_s", config.wait_s},
                             {"visibility_timeout_s", config.visibility_timeout_s},
                             {"results", store->describe()}});

  int empty_receives = 0;
  int receive_failures = 0;
  while (!g_stop.load()) {
    SqsClient::Received received =
        sqs->receive(config.queue_url, config.batch, config.wait_s, config.visibility_timeout_s, &g_stop);
    if (g_stop.load() && received.records.empty()) break;
    if (!received.ok) {
      ++receive_failures;
      log::error("receive failed", {{"reason", received.error}, {"attempt", receive_failures}});
      const auto backoff = std::chrono::milliseconds(std::min(20000, 250 << std::min(receive_failures, 7)));
      for (auto waited = std::chrono::milliseconds(0); waited < backoff && !g_stop.load();
           waited += std::chrono::milliseconds(100)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    receive_failures = 0;
    if (received.records.empty()) {
      if (config.max_empty_receives > 0 && ++empty_receives >= config.max_empty_receives) {
        log::info("queue idle; exiting", {{"empty_receives", empty_receives}});
        break;
      }
      continue;
    }
    empty_receives = 0;

    // A body that does not match its MD5 was damaged in transit: leave it to be redelivered.
    std::vector<SqsRecord> records;
    for (SqsRecord& r : received.records) {
      if (!r.md5_of_body.empty() && md5_hex(r.body) != r.md5_of_body) {
        log::ScopedMessageId mid(r.message_id);
        log::error("MD5OfBody mismatch; message left for redelivery");
        continue;
      }
      records.push_back(std::move(r));
    }

    const Clock::time_point t0 = Clock::now();
    heartbeat.track(records);
    log::info("sqs batch", {{"records", records.size()}});
    const BatchOutcome outcome = processor.process(
        records, Clock::time_point::max(), [&](const SqsRecord& r, bool) { heartbeat.done(r.message_id); });
    heartbeat.clear();

    std::vector<const SqsRecord*> finished;
    for (const SqsRecord& r : records) {
      if (std::find(outcome.failed_message_ids.begin(), outcome.failed_message_ids.end(), r.message_id) ==
          outcome.failed_message_ids.end()) {
        finished.push_back(&r);
      }
    }
    const SqsClient::Deleted deleted = sqs->delete_messages(config.queue_url, finished);
    if (!deleted.failed_message_ids.empty()) {
      // Redelivered later and then skipped as already finished: nothing is lost, only a lookup repeated.
      log::warn("some finished messages could not be deleted",
                {{"failed", deleted.failed_message_ids.size()}, {"reason", deleted.error}});
    }
    metrics.batch(outcome.counts, ms_since(t0));
    log::info("sqs batch done", {{"ok", outcome.counts.ok},
                                 {"rejected", outcome.counts.rejected},
                                 {"retried", outcome.counts.retried},
                                 {"skipped", outcome.counts.skipped},
                                 {"deleted", deleted.deleted},
                                 {"batch_ms", ms_since(t0)}});
  }
  log::info("worker stopped", {{"signal", g_stop.load()}});
  return 0;
}

}  // namespace zeroidle::runtime
