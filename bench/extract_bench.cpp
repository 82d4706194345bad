// extract_bench: decode tokens/s of constrained extraction against unconstrained greedy decoding of the
// same prompts for the same number of output tokens, on a real model. The question it answers: with
// forced runs (keys, punctuation, enum tails) evaluated as one batch, does constrained decoding keep up?
//
//   extract_bench -m MODEL.gguf [--in examples/documents.jsonl] [--task invoice] [-t 2] [-c 4096]
//                 [--max-tokens 512] [-r 3]
//
// Per repetition and document, one right after the other:
//   constrained    DocumentExtractor::extract() with the task compiled as `zeroidle extract` compiles it
//                  (same session options, greedy): tokens_out, tokens_forced, decode_evals (forward passes),
//                  decode_ms, mask_ms.
//   unconstrained  engine::generate() from the same prompt tokens (DocumentExtractor::build_prompt), greedy,
//                  end-of-generation banned, for exactly tokens_out tokens, on a second session of the same
//                  size. Its prefix cache is kept as the extractor keeps its own: the previous document's
//                  prompt and output stay in the KV cache and only what differs is evaluated, so both sides
//                  decode at the same positions after a prefill of the same length.
// Decode tokens/s = output tokens / decode seconds on both sides (prefill excluded). Each document's
// numbers are the median over the repetitions; the total row is the median of the per-repetition totals.
// Then the cost of one forward pass of 1..8 tokens (what a forced run costs against a single-token step).
// Prints a table and one JSON line. Lines that `zeroidle extract` would reject are listed and left out.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/extract.h"
#include "engine/generate.h"
#include "engine/model.h"
#include "engine/tasks.h"
#include "engine/timing.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "runtime/sqs_record.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace zeroidle;

struct Options {
  std::string model;
  std::string in = "examples/documents.jsonl";
  std::string task = "invoice";
  int threads = 2;
  int n_ctx = 4096;  // `zeroidle extract`'s default
  int max_tokens = 512;
  int reps = 3;
};

constexpr const char* kUsage =
    "usage: extract_bench -m MODEL.gguf [--in FILE.jsonl] [--task NAME] [-t THREADS] [-c N_CTX] "
    "[--max-tokens N] [-r REPS]\n";

int positive(const std::string& flag, const char* value) {
  char* end = nullptr;
  const long v = std::strtol(value, &end, 10);
  if (*end != '\0' || v < 1 || v > 1 << 20)
    throw std::invalid_argument(flag + " needs a positive integer, got '" + value + "'");
  return static_cast<int>(v);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("'" + a + "' needs a value (or is unknown)");
    const char* v = argv[++i];
    if (a == "-m" || a == "--model")
      o.model = v;
    else if (a == "--in")
      o.in = v;
    else if (a == "--task")
      o.task = v;
    else if (a == "-t" || a == "--threads")
      o.threads = positive(a, v);
    else if (a == "-c" || a == "--ctx-size")
      o.n_ctx = positive(a, v);
    else if (a == "--max-tokens")
      o.max_tokens = positive(a, v);
    else if (a == "-r" || a == "--reps")
      o.reps = positive(a, v);
    else
      throw std::invalid_argument("unknown option '" + a + "'");
  }
  if (o.model.empty()) throw std::invalid_argument("-m MODEL.gguf is required");
  return o;
}

struct Document {
  std::string id;
  std::string content;
};

// The input lines `zeroidle extract` would accept (same parser); the others are listed and left out.
std::vector<Document> read_documents(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read --in file '" + path + "'");
  std::vector<Document> docs;
  int line_no = 0;
  for (std::string line; std::getline(f, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const runtime::ParsedBody body = runtime::parse_request_body(line, "");
    if (!body.request) {
      std::printf("# line %d left out: %s\n", line_no, body.error.c_str());
      continue;
    }
    docs.push_back({body.request->document_id, body.request->document_content});
  }
  return docs;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double per_s(double count, double ms) {
  return ms > 0 ? count / (ms / 1000) : 0;
}

// One document in one repetition.
struct Run {
  int tokens_in = 0, tokens_out = 0, tokens_forced = 0, evals = 0;
  double c_decode_ms = 0, mask_ms = 0;  // constrained
  double u_decode_ms = 0;               // unconstrained
  int sampled() const { return tokens_out - tokens_forced; }
};

// engine::generate() on `session`, whose K/V hold `cached`: evaluates only what of `prompt` differs (at
// least its last token, whose logits start decoding), as DocumentExtractor does with its own session.
engine::GenerateResult generate_cached(engine::Session& session, std::vector<int32_t>& cached,
                                       const tokenizer::Tokenizer& tok, const std::vector<int32_t>& prompt,
                                       const engine::GenerateOptions& opts) {
  size_t keep = 0;
  while (keep < cached.size() && keep + 1 < prompt.size() && cached[keep] == prompt[keep]) ++keep;
  session.truncate(static_cast<int64_t>(keep));
  engine::GenerateResult r = engine::generate(session, tok, std::span(prompt).subspan(keep), opts, nullptr);
  cached = prompt;
  cached.insert(cached.end(), r.tokens.begin(), r.tokens.end());
  cached.resize(static_cast<size_t>(session.n_past()));  // the last token is sampled, never evaluated
  return r;
}

// "61" when every repetition gave the same count, else "61-65".
std::string range(const std::vector<double>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const std::string a = std::to_string(static_cast<long>(*lo));
  return *lo == *hi ? a : a + "-" + std::to_string(static_cast<long>(*hi));
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one, five, fifteen;
  f >> one >> five >> fifteen;
  return one.empty() ? "unknown" : one + " " + five + " " + fifteen;
}

// Median time of a forward pass of n = 1, 2, 3, 4, 6, 8 tokens appended at position `at` (what one decode
// step costs against a forced run of n tokens), on a session that holds at least `at` positions.
std::vector<std::pair<int, double>> pass_cost(engine::Session& s, int64_t at,
                                              const std::vector<int32_t>& ids) {
  std::vector<std::pair<int, double>> out;
  for (int n : {1, 2, 3, 4, 6, 8}) {
    if (static_cast<size_t>(n) > ids.size()) break;
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
      s.truncate(at);
      const auto t0 = std::chrono::steady_clock::now();
      s.eval(std::span(ids).first(n));
      ms.push_back(engine::ms_since(t0));
    }
    out.push_back({n, median(ms)});
  }
  return out;
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

int run(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
    std::printf("%s", kUsage);
    return 0;
  }
  const Options o = parse_args(argc, argv);
  const std::vector<Document> docs = read_documents(o.in);
  if (docs.empty()) throw std::runtime_error("no usable documents in '" + o.in + "'");

  const auto t0 = std::chrono::steady_clock::now();
  const std::unique_ptr<engine::Model> model = engine::Model::load(o.model);
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_gguf(model->file());
  const engine::SessionOptions session_opts{.n_threads = o.threads, .n_ctx = o.n_ctx, .n_batch = 512};
  engine::DocumentExtractor extractor(*model, tok, session_opts);
  const engine::CompiledTask task =
      engine::compile_task(engine::builtin_task(o.task), {}, engine::make_token_trie(tok));
  engine::Session plain(*model, session_opts);  // the unconstrained side
  std::vector<int32_t> plain_cached;
  const double load_ms = engine::ms_since(t0);

  std::printf("# %s\n", command_line(argc, argv).c_str());
  std::printf(
      "# model %s (%.2f GiB, loaded in %.0f ms); task %s; %zu documents; %d threads; n_ctx %d; "
      "max_tokens %d; %d reps\n# CPU %s; kernels %s; greedy on both sides\n",
      model->hparams().name.c_str(), model->file().file_size() / 1073741824.0, load_ms, o.task.c_str(),
      docs.size(), o.threads, o.n_ctx, o.max_tokens, o.reps, kernels::cpu_features().model.c_str(),
      kernels::active_kernels().isa);
  std::fflush(stdout);
  const std::string load_before = load_average();

  engine::ExtractOptions eo;  // as `zeroidle extract` builds them: greedy, default limits
  eo.max_tokens = o.max_tokens;
  std::vector<std::vector<Run>> runs(o.reps, std::vector<Run>(docs.size()));
  std::vector<std::string> skipped(docs.size());
  for (int rep = 0; rep < o.reps; ++rep) {
    for (size_t d = 0; d < docs.size(); ++d) {
      Run& r = runs[rep][d];
      const engine::Extraction e = extractor.extract(task, docs[d].content, eo);
      if (e.status != "ok" || e.chunks != 1) {
        skipped[d] = e.status != "ok" ? e.status + ": " + e.error : "split into chunks";
        continue;
      }
      r.tokens_in = e.tokens_in;
      r.tokens_out = e.tokens_out;
      r.tokens_forced = e.tokens_forced;
      r.c_decode_ms = e.decode_ms;
      r.mask_ms = e.mask_ms;
      r.evals = e.decode_evals;
      engine::GenerateOptions go;
      go.max_tokens = e.tokens_out;
      go.sampling = eo.sampling;
      go.ignore_eog = true;
      const engine::GenerateResult g =
          generate_cached(plain, plain_cached, tok, extractor.build_prompt(task.task, docs[d].content), go);
      if (static_cast<int>(g.tokens.size()) != e.tokens_out) {
        throw std::runtime_error("unconstrained decoding of '" + docs[d].id + "' stopped after " +
                                 std::to_string(g.tokens.size()) + " of " + std::to_string(e.tokens_out) +
                                 " tokens (" + engine::stop_reason_name(g.reason) + ")");
      }
      r.u_decode_ms = g.decode_ms;
      std::fprintf(
          stderr,
          "rep %d/%d %-16s out %4d forced %4d evals %4d | constrained %7.0f ms | unconstrained %7.0f ms\n",
          rep + 1, o.reps, docs[d].id.c_str(), r.tokens_out, r.tokens_forced, r.evals, r.c_decode_ms,
          r.u_decode_ms);
    }
  }

  std::printf("# load average before: %s; after: %s\n", load_before.c_str(), load_average().c_str());
  std::printf(
      "\n| document | tokens in | out | forced | forward passes C / U | constrained tok/s | unconstrained "
      "tok/s "
      "| ratio | mask us/sampled |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (size_t d = 0; d < docs.size(); ++d) {
    if (!skipped[d].empty()) {
      std::printf("| %s | left out: %s | | | | | | | |\n", docs[d].id.c_str(), skipped[d].c_str());
      continue;
    }
    std::vector<double> in, out, forced, c_evals, u_evals, c, u, ratio, mask;
    for (const std::vector<Run>& rep : runs) {
      const Run& r = rep[d];
      in.push_back(r.tokens_in), out.push_back(r.tokens_out), forced.push_back(r.tokens_forced);
      c_evals.push_back(r.evals), u_evals.push_back(r.tokens_out - 1);
      c.push_back(per_s(r.tokens_out, r.c_decode_ms));
      u.push_back(per_s(r.tokens_out, r.u_decode_ms));
      ratio.push_back(r.u_decode_ms / r.c_decode_ms);
      mask.push_back(1000 * r.mask_ms / std::max(1, r.sampled()));
    }
    std::printf("| %s | %.0f | %s | %.0f%% | %s / %s | %.2f | %.2f | %.2fx | %.0f |\n", docs[d].id.c_str(),
                median(in), range(out).c_str(), 100 * median(forced) / median(out), range(c_evals).c_str(),
                range(u_evals).c_str(), median(c), median(u), median(ratio), median(mask));
  }
  // Totals per repetition (output tokens over decode time of every document), then their median.
  std::vector<double> out, forced, c_evals, tc, tu, tratio, tmask, tmask_share;
  int n_docs = 0;
  for (const std::vector<Run>& rep : runs) {
    double n_out = 0, n_forced = 0, n_sampled = 0, n_evals = 0, c_ms = 0, u_ms = 0, mask_ms = 0;
    n_docs = 0;
    for (size_t d = 0; d < docs.size(); ++d) {
      if (!skipped[d].empty()) continue;
      const Run& r = rep[d];
      n_out += r.tokens_out, n_forced += r.tokens_forced, n_sampled += r.sampled(), n_evals += r.evals;
      c_ms += r.c_decode_ms, u_ms += r.u_decode_ms, mask_ms += r.mask_ms;
      ++n_docs;
    }
    out.push_back(n_out), forced.push_back(n_forced), c_evals.push_back(n_evals);
    tc.push_back(per_s(n_out, c_ms));
    tu.push_back(per_s(n_out, u_ms));
    tratio.push_back(u_ms / c_ms);
    tmask.push_back(n_sampled > 0 ? 1000 * mask_ms / n_sampled : 0);
    tmask_share.push_back(c_ms > 0 ? mask_ms / c_ms : 0);
  }
  const double forced_fraction = median(out) > 0 ? median(forced) / median(out) : 0;
  std::printf(
      "| **%d documents** | | **%.0f** | **%.0f%%** | **%.0f / %.0f** | **%.2f** | **%.2f** | **%.2fx** | "
      "**%.0f** |\n",
      n_docs, median(out), 100 * forced_fraction, median(c_evals), median(out) - n_docs, median(tc),
      median(tu), median(tratio), median(tmask));
  std::printf(
      "\nforward passes: decode steps of the constrained run (a forced run is one) and of the unconstrained "
      "run "
      "(one per token after the first). ratio = constrained / unconstrained tokens/s (> 1: constrained is "
      "faster). "
      "mask us/sampled: time in forced_tokens() and apply() per sampled token, %.1f%% of constrained decode "
      "(json_mask_bench times the mask alone). A range a-b: the repetitions differed (see "
      "bench/README.md).\n",
      100 * median(tmask_share));

  // The session holds the last document's prompt and output: time passes right after its prompt.
  const int64_t at = static_cast<int64_t>(extractor.build_prompt(task.task, docs.back().content).size());
  const std::vector<std::pair<int, double>> cost = pass_cost(plain, at, plain_cached);
  std::printf("\nforward pass of n tokens at position %lld, median of 5:", static_cast<long long>(at));
  for (const auto& [n, ms] : cost) std::printf(" %d: %.1f ms (%.2fx);", n, ms, ms / cost.front().second);
  std::printf("\n");

  const nlohmann::json j = {{"bench", "extract"},
                            {"model", model->hparams().name},
                            {"task", o.task},
                            {"threads", o.threads},
                            {"isa", kernels::active_kernels().isa},
                            {"reps", o.reps},
                            {"documents", n_docs},
                            {"tokens_out", median(out)},
                            {"forced_fraction", forced_fraction},
                            {"constrained_forward_passes", median(c_evals)},
                            {"constrained_tps", median(tc)},
                            {"unconstrained_tps", median(tu)},
                            {"ratio", median(tratio)},
                            {"mask_us_per_sampled", median(tmask)},
                            {"mask_share_of_decode", median(tmask_share)},
                            {"pass_ms_by_tokens", cost}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "extract_bench: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "extract_bench: %s\n", e.what());
    return 1;
  }
}
