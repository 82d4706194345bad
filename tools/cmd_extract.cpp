// zeroidle extract: JSONL documents in ({"document_id", "document_content"} — an SQS record body), one
// JSONL result per line out, in input order. A bad line gets its own `rejected` result; the run goes on.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "runtime/config.h"
#include "runtime/engine_extractor.h"
#include "runtime/sqs_record.h"
#include "tools/args.h"
#include "tools/model_flags.h"

namespace zeroidle::tools {
namespace {

using Clock = std::chrono::steady_clock;

runtime::EngineOptions engine_options(const ParsedArgs& a) {
  runtime::EngineOptions o;
  o.model_path = a.required("model");
  if (a.has("task") == a.has("schema")) throw std::runtime_error("'zeroidle extract' needs exactly one of --task or --schema");
  o.task = a.str("task");
  o.labels = runtime::split_labels(a.str("labels"));
  if (a.has("schema")) {
    std::ifstream f(a.str("schema"));
    if (!f) throw std::runtime_error("cannot read --schema file '" + a.str("schema") + "'");
    try {
      o.schema = nlohmann::ordered_json::parse(f);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("--schema file '" + a.str("schema") + "' is not JSON: " + e.what());
    }
  }
  o.instruction = a.str("instruction");
  o.max_tokens = static_cast<int>(a.integer("max-tokens", 512));
  const engine::SessionOptions s = session_options(a, 4096);
  o.threads = s.n_threads;
  o.n_ctx = static_cast<int>(s.n_ctx);
  o.sampling = sampling_params(a);
  if (!a.has("temp")) o.sampling.temperature = 0.0f;  // extraction defaults to greedy
  if (o.max_tokens < 1) throw std::runtime_error("--max-tokens must be at least 1");
  return o;
}

// A result line: the record's fields in a fixed order, `error` null when there is none.
nlohmann::ordered_json result_line(const runtime::ExtractionResult& r) {
  nlohmann::ordered_json j;
  j["document_id"] = r.document_id;
  j["status"] = r.status;
  j["data"] = r.data;
  j["field_confidence"] = r.field_confidence;
  j["error"] = r.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.error);
  j["tokens_in"] = r.tokens_in;
  j["tokens_out"] = r.tokens_out;
  j["prefill_ms"] = std::round(r.prefill_ms * 10) / 10;
  j["decode_ms"] = std::round(r.decode_ms * 10) / 10;
  if (r.truncated) j["truncated"] = true;
  return j;
}

struct Progress {
  bool tty = isatty(STDERR_FILENO);
  size_t total = 0;  // 0 when unknown (stdin)
  Clock::time_point start = Clock::now();
  void show(size_t done) const {
    if (!tty) return;
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    const double rate = done / std::max(s, 1e-9);
    if (total) {
      const int width = 30, fill = static_cast<int>(width * done / total);
      std::fprintf(stderr, "\r[%s%s] %zu/%zu  %.2f docs/s  ETA %.0f s ", std::string(fill, '#').c_str(),
                   std::string(width - fill, ' ').c_str(), done, total, rate, rate > 0 ? (total - done) / rate : 0.0);
    } else {
      std::fprintf(stderr, "\r%zu documents  %.2f docs/s ", done, rate);
    }
    std::fflush(stderr);
  }
};

struct Summary {
  size_t ok = 0, rejected = 0, failed = 0;
  long tokens_in = 0, tokens_out = 0;
  double prefill_ms = 0, decode_ms = 0;
  void add(const runtime::ExtractionResult& r) {
    (r.status == "ok" ? ok : r.status == "rejected" ? rejected : failed)++;
    tokens_in += r.tokens_in;
    tokens_out += r.tokens_out;
    prefill_ms += r.prefill_ms;
    decode_ms += r.decode_ms;
  }
};

std::vector<std::string> read_lines(std::istream& in) {
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

}  // namespace

int cmd_extract(const Args& args) {
  std::vector<OptionSpec> specs = model_option_specs();
  for (OptionSpec s : std::initializer_list<OptionSpec>{{"task", ""}, {"schema", ""}, {"instruction", ""}, {"labels", ""},
                                                       {"in", ""}, {"out", ""}, {"max-tokens", ""}}) {
    specs.push_back(s);
  }
  for (const OptionSpec& s : sampling_option_specs()) specs.push_back(s);
  const ParsedArgs a(args, "extract", specs);
  const runtime::EngineOptions opts = engine_options(a);

  const std::string in_path = a.str("in", "-"), out_path = a.str("out", "-");
  std::ifstream in_file;
  if (in_path != "-" && !(in_file.open(in_path), in_file)) throw std::runtime_error("cannot read --in file '" + in_path + "'");
  const std::vector<std::string> lines = read_lines(in_path == "-" ? std::cin : in_file);
  std::ofstream out_file;
  if (out_path != "-" && !(out_file.open(out_path), out_file)) throw std::runtime_error("cannot write --out file '" + out_path + "'");
  std::ostream& out = out_path == "-" ? std::cout : out_file;

  runtime::EngineExtractor extractor(opts);
  std::fprintf(stderr, "extract: model %s loaded in %.0f ms; %zu documents; task %s\n", extractor.model_name().c_str(),
               extractor.load_ms(), lines.size(), opts.schema ? "custom schema" : opts.task.c_str());
  Progress progress{.total = lines.size()};
  Summary sum;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string line_id = "line " + std::to_string(i + 1);
    const runtime::ParsedBody body = runtime::parse_request_body(lines[i], "");
    runtime::ExtractionResult r;
    if (!body.request) {
      r.document_id = body.document_id.empty() ? line_id : body.document_id;
      r.status = runtime::kStatusRejected;
      r.error = line_id + ": " + body.error;
    } else {
      r = extractor.extract(*body.request, Clock::time_point::max());
    }
    sum.add(r);
    out << result_line(r).dump() << "\n" << std::flush;
    progress.show(i + 1);
  }
  if (progress.tty) std::fprintf(stderr, "\n");
  const double secs = std::chrono::duration<double>(Clock::now() - progress.start).count();
  std::fprintf(stderr,
               "extract: %zu documents in %.1f s (%.2f docs/s): %zu ok, %zu rejected, %zu failed; tokens in %ld, "
               "out %ld; prefill %.1f tokens/s, decode %.1f tokens/s\n",
               lines.size(), secs, lines.size() / std::max(secs, 1e-9), sum.ok, sum.rejected, sum.failed, sum.tokens_in,
               sum.tokens_out, sum.tokens_in / std::max(sum.prefill_ms / 1000, 1e-9),
               sum.tokens_out / std::max(sum.decode_ms / 1000, 1e-9));
  return 0;
}

}  // namespace zeroidle::tools
