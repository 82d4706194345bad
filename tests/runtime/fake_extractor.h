// A deterministic stand-in for the engine behind runtime::Extractor, for the runtime's tests only.
//
// Behaviour (driven by the request, so black-box tests can ask for each path):
//   task        "extract" | "classify" | "redact" (default: Config::task, else "extract"; "schema" when a
//               schema is given); anything else -> rejected "unknown task"
//   schema      must be {"type": "object", ...}; anything else -> rejected "unsupported schema"
//   length      tokens_in = bytes/4 + 1; tokens_in + max_tokens > n_ctx -> rejected "document too long"
//   directives  in document_content:
//     #sleep=MS   takes MS milliseconds (in 5 ms steps; returns "failed" at the deadline);
//                 estimate_ms() says MS, so deadline tests are exact
//     #throw      throws std::runtime_error (transient: retried)
//     #permanent  throws runtime::PermanentError (rejected)
//     #fail       returns status "failed"
//     #big=N      data carries a string of N bytes (response/item size limits)
// data never contains document text: {"task", "chars", "words", "trace_id" (from _X_AMZN_TRACE_ID)}.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/config.h"
#include "runtime/extractor.h"

namespace zeroidle::testing {

class FakeExtractor : public runtime::Extractor {
 public:
  explicit FakeExtractor(runtime::Config config = {}) : config_(std::move(config)) {}

  static constexpr const char* kModel = "fake-extractor";

  runtime::ExtractionResult extract(const runtime::ExtractionRequest& req,
                                    std::chrono::steady_clock::time_point deadline) override {
    ++calls;
    const std::string& text = req.document_content;
    if (text.find("#throw") != std::string::npos) throw std::runtime_error("fake transient failure");
    if (text.find("#permanent") != std::string::npos) throw runtime::PermanentError("fake permanent failure");
    if (text.find("#fail") != std::string::npos) return runtime::failed_result(req, "fake failure", kModel);

    std::string task = req.task.value_or(config_.task.empty() ? "extract" : config_.task);
    if (req.schema || (!req.task && config_.schema)) task = "schema";
    if (task != "extract" && task != "classify" && task != "redact" && task != "schema") {
      return runtime::rejected_result(req, "unknown task '" + task + "'", kModel);
    }
    const nlohmann::ordered_json* schema =
        req.schema ? &*req.schema : (config_.schema ? &*config_.schema : nullptr);
    if (task == "schema" && (!schema || !schema->contains("type") || (*schema)["type"] != "object")) {
      return runtime::rejected_result(req, "unsupported schema: the top level must be {\"type\": \"object\"}",
                                      kModel);
    }
    const int tokens_in = static_cast<int>(text.size() / 4 + 1);
    const int max_tokens = req.max_tokens.value_or(config_.max_tokens);
    if (tokens_in + max_tokens > config_.n_ctx) {
      return runtime::rejected_result(req,
                                      "document too long: " + std::to_string(tokens_in) + " tokens + " +
                                          std::to_string(max_tokens) + " new > context " +
                                          std::to_string(config_.n_ctx),
                                      kModel);
    }
    if (const long ms = directive(text, "#sleep="); ms > 0) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (std::chrono::steady_clock::now() < until) {
        if (std::chrono::steady_clock::now() >= deadline)
          return runtime::failed_result(req, "deadline reached", kModel);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }

    runtime::ExtractionResult r;
    r.document_id = req.document_id;
    r.message_id = req.message_id;
    r.status = runtime::kStatusOk;
    r.model = kModel;
    const char* trace = std::getenv("_X_AMZN_TRACE_ID");
    r.data = {{"task", task},
              {"chars", text.size()},
              {"words", count_words(text)},
              {"trace_id", trace ? trace : ""}};
    if (const long big = directive(text, "#big="); big > 0) r.data["padding"] = std::string(big, 'x');
    r.field_confidence = {{"chars", 1.0}};
    r.tokens_in = tokens_in;
    r.tokens_out = 7;
    r.prefill_ms = 2.0;
    r.decode_ms = 3.5;
    return r;
  }

  double estimate_ms(const runtime::ExtractionRequest& req) const override {
    const long ms = directive(req.document_content, "#sleep=");
    return ms > 0 ? static_cast<double>(ms) : 1.0;
  }

  std::string model_name() const override { return kModel; }

  std::atomic<int> calls{0};

 private:
  static long directive(const std::string& text, const char* name) {
    const auto at = text.find(name);
    return at == std::string::npos
               ? 0
               : std::strtol(text.c_str() + at + std::char_traits<char>::length(name), nullptr, 10);
  }
  static int count_words(const std::string& text) {
    int words = 0;
    bool in_word = false;
    for (char c : text) {
      const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
      if (!space && !in_word) ++words;
      in_word = !space;
    }
    return words;
  }

  runtime::Config config_;
};

}  // namespace zeroidle::testing
