// json_mask_bench: token-mask time per decoding step for a JSON-Schema constraint over a real vocabulary
// (default: the 128k Llama 3 vocabulary of ../shared/models/tiny-llama3-q4_k_m.gguf) and the invoice
// schema, following realistic invoice outputs. Forced runs (keys, punctuation, enum tails) are appended
// without a mask, as the generator does; every other step computes the full mask.
//
//   json_mask_bench [MODEL.gguf] [--docs N]
//
// Prints a table (cold = first document with empty caches, warm = later documents sharing the masks)
// and one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "engine/json/mask_cache.h"
#include "engine/json/token_constraint.h"
#include "tests/engine/json_test_schemas.h"
#include "tests/engine/json_vocab.h"

namespace {

using namespace zeroidle::engine::json;
using Clock = std::chrono::steady_clock;

const char* kInvoices[] = {
    R"J({"vendor":"Acme Industrial Supply Co.","invoice_number":"INV-2024-00871","date":"2024-03-15","currency":"USD","total":1249.5,"paid":false,"line_items":[{"description":"Hydraulic pump, 2 HP","quantity":2,"unit_price":499.75},{"description":"Installation labour (hours)","quantity":5,"unit_price":50}]})J",
    R"J({"vendor":"Müller & Söhne GmbH","invoice_number":"RE-88213","date":"2023-11-02","currency":"EUR","total":86.9,"line_items":[{"description":"Büromaterial \"Premium\" Paket","quantity":1,"unit_price":86.9}]})J",
    R"J({"vendor":"Blue Harbor Consulting LLC","invoice_number":"BH/7731","date":"2024-07-31","currency":"USD","total":15600,"paid":true,"line_items":[{"description":"Strategy workshop, two days on site","quantity":2,"unit_price":6000},{"description":"Follow-up report and recommendations","quantity":1,"unit_price":3600}]})J",
    R"J({"vendor":"Tokyo Denki K.K.","invoice_number":"TD-0042","date":"2024-01-20","currency":"JPY","total":330000,"line_items":[{"description":"Server rack 42U","quantity":1,"unit_price":250000},{"description":"Cable set","quantity":4,"unit_price":20000}]})J",
    R"J({"vendor":"Northwind Traders","invoice_number":"NW-55-1093","date":"2024-05-05","currency":"GBP","total":412.37,"paid":false,"line_items":[{"description":"Chai tea, 24 boxes","quantity":3,"unit_price":54.29},{"description":"Chef Anton's Cajun Seasoning","quantity":10,"unit_price":22},{"description":"Delivery","quantity":1,"unit_price":29.5}]})J",
};

const char* kKindNames[] = {"root", "object", "array", "string", "number", "literal", "union", "sentinel"};

struct Stats {
  std::vector<double> mask_us;
  std::vector<double> step_us;  // a sampled step as the decoder pays it: forced_tokens() + apply(logits)
  std::vector<double> by_kind[8];  // by the top frame's kind
  size_t tokens = 0, forced = 0;
};

// Replays one document: forced tokens are appended, otherwise the mask is timed and the longest allowed
// token that continues the document is taken.
void replay(const std::shared_ptr<MaskCache>& masks, const std::string& doc, Stats& st) {
  const TokenTrie& trie = masks->trie();
  TokenConstraint c(masks);
  std::vector<uint32_t> mask;
  std::vector<float> logits(trie.n_vocab(), 0.0f);
  size_t pos = 0;
  while (!c.done()) {
    const auto tf = Clock::now();
    const std::vector<int32_t> forced = c.forced_tokens();
    const double forced_us = std::chrono::duration<double, std::micro>(Clock::now() - tf).count();
    if (!forced.empty()) {
      for (int32_t t : forced) {
        c.accept(t);
        ++st.tokens;
        ++st.forced;
        if (trie.is_eog(t)) return;
        pos += trie.vocab().token_bytes[t].size();
      }
      continue;
    }
    const auto t0 = Clock::now();
    c.allowed(mask);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    st.mask_us.push_back(us);
    const auto ta = Clock::now();
    c.apply(logits.data());  // computes the mask again and writes -inf over the banned logits
    st.step_us.push_back(forced_us + std::chrono::duration<double, std::micro>(Clock::now() - ta).count());
    st.by_kind[static_cast<int>(c.matcher().threads().front()->f.kind)].push_back(us);
    int32_t next = trie.vocab().eog_ids.front();
    size_t best = 0;
    uint32_t node = 0;
    for (size_t i = pos; i < doc.size(); ++i) {
      node = trie.child(node, static_cast<uint8_t>(doc[i]));
      if (node == UINT32_MAX) break;
      for (int32_t t : trie.tokens_at(node)) {
        if ((mask[t >> 5] >> (t & 31) & 1) && i + 1 - pos > best) {
          best = i + 1 - pos;
          next = t;
        }
      }
    }
    if (best == 0 && pos < doc.size()) {
      std::fprintf(stderr, "document does not fit the schema at byte %zu\n", pos);
      std::exit(1);
    }
    c.accept(next);
    ++st.tokens;
    pos += best;
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "../shared/models/tiny-llama3-q4_k_m.gguf";
  int rounds = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--docs" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      model = a;
    }
  }
  const auto t0 = Clock::now();
  const auto trie = std::make_shared<const TokenTrie>(zeroidle::testing::load_vocab(model));
  const double trie_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const auto masks = TokenConstraint::make_masks(Schema::parse(zeroidle::testing::kInvoiceSchema), trie);

  Stats cold, warm;
  replay(masks, kInvoices[0], cold);
  for (int r = 0; r < rounds; ++r) {
    for (const char* doc : kInvoices) replay(masks, doc, warm);
  }

  std::printf("json_mask_bench: vocab %zu tokens (%u trie nodes, built in %.0f ms), invoice schema, CPU %s\n",
              trie->n_vocab(), trie->n_nodes(), trie_ms, cpu_model().c_str());
  std::printf("%-28s %8s %10s %10s %10s %10s\n", "", "steps", "mean_us", "median_us", "p99_us", "max_us");
  auto row = [](const char* name, const Stats& s) {
    std::printf("%-28s %8zu %10.1f %10.1f %10.1f %10.1f\n", name, s.mask_us.size(), mean(s.mask_us),
                percentile(s.mask_us, 0.5), percentile(s.mask_us, 0.99), percentile(s.mask_us, 1.0));
  };
  row("cold (first document)", cold);
  row("warm (shared masks)", warm);
  std::printf("%-28s %8zu %10.1f %10.1f %10.1f %10.1f\n", "warm, whole step (+apply)", warm.step_us.size(),
              mean(warm.step_us), percentile(warm.step_us, 0.5), percentile(warm.step_us, 0.99),
              percentile(warm.step_us, 1.0));
  for (int k = 0; k < 8; ++k) {
    if (warm.by_kind[k].empty()) continue;
    std::printf("  warm, top frame %-10s %8zu %10.1f %10.1f %10.1f %10.1f\n", kKindNames[k],
                warm.by_kind[k].size(), mean(warm.by_kind[k]), percentile(warm.by_kind[k], 0.5),
                percentile(warm.by_kind[k], 0.99), percentile(warm.by_kind[k], 1.0));
  }
  std::printf("forced tokens: cold %zu of %zu (%.0f%%), warm %zu of %zu (%.0f%%)\n", cold.forced, cold.tokens,
              100.0 * static_cast<double>(cold.forced) / static_cast<double>(cold.tokens), warm.forced,
              warm.tokens, 100.0 * static_cast<double>(warm.forced) / static_cast<double>(warm.tokens));
  std::printf(
      "{\"bench\":\"json_mask\",\"vocab\":%zu,\"cold_mean_us\":%.1f,\"cold_median_us\":%.1f,\"cold_p99_us\":%"
      ".1f,"
      "\"warm_mean_us\":%.1f,\"warm_median_us\":%.1f,\"warm_p99_us\":%.1f,\"forced_fraction\":%.3f,"
      "\"warm_step_mean_us\":%.1f,\"warm_step_p99_us\":%.1f,\"trie_build_ms\":%.0f}\n",
      trie->n_vocab(), mean(cold.mask_us), percentile(cold.mask_us, 0.5), percentile(cold.mask_us, 0.99),
      mean(warm.mask_us), percentile(warm.mask_us, 0.5), percentile(warm.mask_us, 0.99),
      static_cast<double>(warm.forced) / static_cast<double>(warm.tokens), mean(warm.step_us),
      percentile(warm.step_us, 0.99), trie_ms);
  return 0;
}
