// Tokenizer speed: encodes ~1 MB of generated mixed text (English, code, numbers, CJK, emoji) with a
// vocabulary (default: the Llama 3 one in ../shared) and prints the median MB/s of 5 runs, the time to
// build the tokenizer from the GGUF, and a hash of the ids (so speed and output are read together).
//
//   tokenizer_bench [VOCAB.gguf] [--runs N] [--special]       (run from the repository root)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "tokenizer/tokenizer.h"

namespace zeroidle::tokenizer {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// This thread's CPU time: unlike wall time, it does not count time the machine gave to other processes.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

class Rng {  // splitmix64: deterministic across platforms
 public:
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }

 private:
  uint64_t state_ = 42;
};

void append_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

void append_english(std::string& out, Rng& rng) {
  static const char* const kWords[] = {
      "the",        "of",         "and",       "to",       "in",      "is",       "that",      "for",
      "it",         "as",         "was",       "with",     "be",      "by",       "on",        "not",
      "he",         "this",       "are",       "or",       "his",     "from",     "at",        "which",
      "but",        "have",       "an",        "had",      "they",    "you",      "were",      "their",
      "one",        "all",        "we",        "can",      "her",     "has",      "there",     "been",
      "if",         "more",       "when",      "will",     "would",   "who",      "so",        "no",
      "document",   "extraction", "invoice",   "customer", "payment", "schedule", "agreement", "quarterly",
      "revenue",    "inference",  "tokenizer", "language", "model",   "batch",    "queue",     "Lambda",
      "serverless", "throughput", "latency",   "it's",     "don't",   "we'll",    "they're",   "I've",
      "can't"};
  const size_t n_sentences = 3 + rng.below(5);
  for (size_t s = 0; s < n_sentences; ++s) {
    const size_t n_words = 5 + rng.below(15);
    for (size_t w = 0; w < n_words; ++w) {
      std::string word = kWords[rng.below(sizeof(kWords) / sizeof(kWords[0]))];
      if (w == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
      out += word;
      out += (w + 1 == n_words) ? (rng.below(4) == 0 ? "? " : ". ") : (rng.below(8) == 0 ? ", " : " ");
    }
  }
  out += "\n\n";
}

void append_code(std::string& out, Rng& rng) {
  static const char* const kLines[] = {
      "for (size_t i = 0; i < n; ++i) {\n",
      "    sum += weights[i] * inputs[i];\n",
      "}\n",
      "def parse_record(body: dict) -> Result:\n",
      "    if 'document_id' not in body:\n",
      "        raise ValueError(f\"missing field: {name!r}\")\n",
      "    return Result(ok=True, data=body)\n",
      "const auto it = std::find_if(v.begin(), v.end(), [&](int x) { return x > 42; });\n",
      "\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"read %s: %w\", path, err)\n\t}\n",
      "SELECT id, name, total FROM orders WHERE created_at >= '2024-01-01' ORDER BY total DESC;\n",
      "{\"status\": \"ok\", \"items\": [1, 2, 3], \"nested\": {\"key\": null}}\n",
      "// TODO: handle the edge case\n"};
  const size_t n_lines = 4 + rng.below(10);
  for (size_t i = 0; i < n_lines; ++i) out += kLines[rng.below(sizeof(kLines) / sizeof(kLines[0]))];
  out += "\n";
}

// Each random number is drawn in its own statement, so the text is the same with every compiler.
void append_numbers(std::string& out, Rng& rng) {
  const size_t n = 5 + rng.below(20);
  for (size_t i = 0; i < n; ++i) {
    const size_t kind = rng.below(4);
    const size_t a = rng.below(kind == 0 ? 1000000 : kind == 1 ? 10000 : kind == 2 ? 12 : 100000);
    const size_t b = rng.below(kind == 1 ? 100 : 28);
    switch (kind) {
      case 0:
        out += std::to_string(a);
        break;
      case 1:
        out += std::to_string(a);
        out += '.';
        out += std::to_string(b);
        break;
      case 2:
        out += "2024-";
        out += std::to_string(1 + a);
        out += '-';
        out += std::to_string(1 + b);
        break;
      default:
        out += '$';
        out += std::to_string(a);
        out += ",00";
        break;
    }
    out += rng.below(3) == 0 ? "\n" : " ";
  }
  out += "\n";
}

void append_cjk(std::string& out, Rng& rng) {
  const size_t n = 20 + rng.below(80);
  for (size_t i = 0; i < n; ++i) {
    const size_t kind = rng.below(10);
    if (kind < 6) {
      append_utf8(out, 0x4E00 + static_cast<uint32_t>(rng.below(0x5000)));  // CJK ideographs
    } else if (kind < 8) {
      append_utf8(out, 0x3041 + static_cast<uint32_t>(rng.below(0x56)));  // hiragana
    } else if (kind < 9) {
      append_utf8(out, 0xAC00 + static_cast<uint32_t>(rng.below(0x2BA4)));  // hangul
    } else {
      append_utf8(out, rng.below(2) ? 0x3002 : 0xFF0C);  // 。，
    }
  }
  out += "\n";
}

void append_emoji(std::string& out, Rng& rng) {
  static const char* const kEmoji[] = {"\U0001F680",   "\U0001F600",           "\U0001F44D\U0001F3FD",
                                       "\u2705",       "\U0001F525",           "\U0001F469\u200D\U0001F4BB",
                                       "\u2764\uFE0F", "\U0001F1E9\U0001F1EA", "\U0001F999",
                                       "\U0001F914"};
  const size_t n = 3 + rng.below(10);
  for (size_t i = 0; i < n; ++i) {
    out += kEmoji[rng.below(sizeof(kEmoji) / sizeof(kEmoji[0]))];
    if (rng.below(2)) out += " ";
  }
  out += "\n";
}

std::string mixed_text(size_t target_bytes) {
  Rng rng;
  std::string out;
  while (out.size() < target_bytes) {
    const size_t kind = rng.below(10);
    if (kind < 4) {
      append_english(out, rng);
    } else if (kind < 6) {
      append_code(out, rng);
    } else if (kind < 7) {
      append_numbers(out, rng);
    } else if (kind < 9) {
      append_cjk(out, rng);
    } else {
      append_emoji(out, rng);
    }
  }
  return out;
}

uint64_t fnv1a(const std::vector<int32_t>& ids) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (int32_t id : ids) {
    for (int i = 0; i < 4; ++i) h = (h ^ ((static_cast<uint32_t>(id) >> (8 * i)) & 0xFF)) * 0x100000001B3ull;
  }
  return h;
}

// ../shared as the tests find it: $ZEROIDLE_SHARED, else ../shared from the working directory.
std::string default_vocab_path() {
  const char* shared = std::getenv("ZEROIDLE_SHARED");
  return std::string(shared && *shared ? shared : "../shared") +
         "/reference/tokenizer/ggml-vocab-llama-bpe.gguf";
}

int run(int argc, char** argv) {
  std::string path = default_vocab_path();
  int runs = 5;
  bool special = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--special") == 0) {
      special = true;
    } else {
      path = argv[i];
    }
  }
  auto t0 = Clock::now();
  const gguf::File file = gguf::File::open(path);
  const double open_ms = ms_since(t0);
  std::vector<double> build_ms;
  std::vector<double> build_cpu_ms;
  for (int r = 0; r < runs; ++r) {
    t0 = Clock::now();
    const double c0 = thread_cpu_ms();
    const Tokenizer tok = Tokenizer::from_gguf(file);
    build_cpu_ms.push_back(thread_cpu_ms() - c0);
    build_ms.push_back(ms_since(t0));
  }
  const Tokenizer tok = Tokenizer::from_gguf(file);

  const std::string text = mixed_text(1 << 20);
  std::vector<double> mb_per_s;
  std::vector<double> cpu_mb_per_s;
  std::vector<int32_t> ids;
  for (int r = 0; r < runs; ++r) {
    t0 = Clock::now();
    const double c0 = thread_cpu_ms();
    ids = tok.encode(text, true, special);
    const double mb = static_cast<double>(text.size()) / 1e6;
    cpu_mb_per_s.push_back(mb / ((thread_cpu_ms() - c0) / 1e3));
    mb_per_s.push_back(mb / (ms_since(t0) / 1e3));
  }
  const double wall = median(mb_per_s);
  const double cpu = median(cpu_mb_per_s);
  const double build = median(build_ms);
  const bool round_trip = tok.decode(ids) == text;

  std::printf("vocab          %s (%d tokens)\n", path.c_str(), tok.n_vocab());
  std::printf("gguf open      %.1f ms\n", open_ms);
  std::printf("from_gguf      %.1f ms wall, %.1f ms CPU (medians of %d)\n", build, median(build_cpu_ms),
              runs);
  std::printf("text           %zu bytes of mixed English/code/numbers/CJK/emoji -> %zu tokens\n", text.size(),
              ids.size());
  std::printf(
      "encode         %.1f MB/s wall, %.1f MB/s per CPU second (medians of %d; wall min %.1f, max %.1f)\n",
      wall, cpu, runs, *std::min_element(mb_per_s.begin(), mb_per_s.end()),
      *std::max_element(mb_per_s.begin(), mb_per_s.end()));
  std::printf("ids hash       %016llx, decode round trip %s\n", static_cast<unsigned long long>(fnv1a(ids)),
              round_trip ? "exact" : "DIFFERS");
  std::printf(
      "{\"bench\":\"tokenizer_encode\",\"vocab\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"mb_per_s\":%.2f,"
      "\"cpu_mb_per_s\":%.2f,\"from_gguf_ms\":%.1f,\"runs\":%d,\"ids_fnv1a\":\"%016llx\",\"round_trip\":%s}"
      "\n",
      path.c_str(), text.size(), ids.size(), wall, cpu, build, runs,
      static_cast<unsigned long long>(fnv1a(ids)), round_trip ? "true" : "false");
  return round_trip ? 0 : 1;
}

}  // namespace
}  // namespace zeroidle::tokenizer

int main(int argc, char** argv) {
  try {
    return zeroidle::tokenizer::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", e.what());
    return 1;
  }
}
