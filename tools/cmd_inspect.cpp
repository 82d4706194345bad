// zeroidle inspect MODEL.gguf [--json]: the header, every metadata key and the tensor table of a GGUF
// file, with totals. Long arrays and strings are summarized the same way in text and JSON.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

#include "gguf/gguf.h"
#include "tools/commands.h"

namespace zeroidle::tools {

namespace {

using gguf::Array;
using gguf::File;
using gguf::TensorInfo;
using gguf::Value;
using gguf::ValueType;
using Json = nlohmann::ordered_json;

constexpr const char* kUsage = "usage: zeroidle inspect MODEL.gguf [--json]";
constexpr size_t kMaxItemsShown = 8;         // array items printed before "... N more"
constexpr size_t kMaxStringBytesShown = 64;  // string bytes printed before "..."

struct InspectOptions {
  std::string path;
  bool json = false;
  bool help = false;
};

// Throws std::runtime_error with the usage line on anything but one path and --json.
InspectOptions parse_options(const Args& args) {
  InspectOptions opts;
  for (const std::string& a : args) {
    if (a == "--json") {
      opts.json = true;
    } else if (a == "-h" || a == "--help") {
      opts.help = true;
    } else if (a.size() > 1 && a[0] == '-') {
      throw std::runtime_error("unknown option '" + a + "' (" + kUsage + ")");
    } else if (opts.path.empty()) {
      opts.path = a;
    } else {
      throw std::runtime_error(std::string("more than one file given (") + kUsage + ")");
    }
  }
  if (opts.path.empty() && !opts.help)
    throw std::runtime_error(std::string("no file given (") + kUsage + ")");
  return opts;
}

// ---- strings -------------------------------------------------------------------------------------------

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

// At most `max_bytes` of `s`, cut at a UTF-8 character boundary.
std::string_view clip(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  return s.substr(0, end);
}

// `s` made safe for a terminal: valid UTF-8 kept, quotes and backslashes escaped, control
// characters and invalid bytes as \n, \t, \xNN.
std::string escape_for_terminal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (const size_t n = c >= 0x80 ? utf8_sequence_length(s, i) : 0; n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
    ++i;
  }
  return out;
}

std::string quote_for_terminal(std::string_view s) {
  return "\"" + escape_for_terminal(s) + "\"";
}

std::string string_text(const std::string& s) {
  const std::string_view shown = clip(s, kMaxStringBytesShown);
  if (shown.size() == s.size()) return quote_for_terminal(s);
  return quote_for_terminal(shown) + "... (" + std::to_string(s.size()) + " bytes)";
}

Json string_json(const std::string& s) {
  const std::string_view shown = clip(s, kMaxStringBytesShown);
  if (shown.size() == s.size()) return s;
  return Json{{"value", std::string(shown)}, {"length", s.size()}, {"truncated", true}};
}

// ---- values --------------------------------------------------------------------------------------------

// Integers in full; floats in their shortest exact form, fixed-point between 1e-4 and 1e15
// ("500000", "0.0625") and scientific outside ("1e-05").
template <class T>
std::string number_text(T x) {
  char buf[400];  // a fixed-point double below 1e15 with its shortest fraction fits easily
  std::to_chars_result result{};
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    const T magnitude = std::fabs(x);
    const bool fixed = magnitude == 0 || (magnitude >= T(1e-4) && magnitude < T(1e15));
    result = std::to_chars(buf, buf + sizeof buf, x,
                           fixed ? std::chars_format::fixed : std::chars_format::scientific);
  } else {
    result = std::to_chars(buf, buf + sizeof buf, x);
  }
  return std::string(buf, result.ptr);
}

// "string[512]", "array[3]", "uint32"
std::string type_text(const Value& v) {
  if (const auto* a = std::get_if<Array>(&v.v)) {
    return std::string(gguf::value_type_name(a->type)) + "[" + std::to_string(a->items.size()) + "]";
  }
  return gguf::value_type_name(v.type());
}

std::string value_text(const Value& v);

std::string array_text(const Array& a) {
  std::string out = "[";
  const size_t shown = std::min(a.items.size(), kMaxItemsShown);
  for (size_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    out += value_text(a.items[i]);
  }
  if (shown < a.items.size()) out += ", ... " + std::to_string(a.items.size() - shown) + " more";
  return out + "]";
}

std::string value_text(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return string_text(x);
        else if constexpr (std::is_same_v<T, Array>)
          return array_text(x);
        else if constexpr (std::is_same_v<T, bool>)
          return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>)
          return std::to_string(int{x});
        else
          return number_text(x);
      },
      v.v);
}

Json value_json(const Value& v);

// {"item_type", "length", "items" (the first kMaxItemsShown), "truncated"}
Json array_json(const Array& a) {
  Json items = Json::array();
  const size_t shown = std::min(a.items.size(), kMaxItemsShown);
  for (size_t i = 0; i < shown; ++i) items.push_back(value_json(a.items[i]));
  return Json{{"item_type", gguf::value_type_name(a.type)},
              {"length", a.items.size()},
              {"items", std::move(items)},
              {"truncated", shown < a.items.size()}};
}

Json value_json(const Value& v) {
  return std::visit(
      [](const auto& x) -> Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return string_json(x);
        else if constexpr (std::is_same_v<T, Array>)
          return array_json(x);
        else if constexpr (std::is_floating_point_v<T>)
          return std::isfinite(x) ? Json(x) : Json(number_text(x));
        else
          return Json(x);
      },
      v.v);
}

// ---- totals --------------------------------------------------------------------------------------------

struct TypeTotal {
  uint64_t tensors = 0;
  uint64_t parameters = 0;
  uint64_t bytes = 0;
};

struct Totals {
  uint64_t parameters = 0;
  uint64_t bytes = 0;
  std::map<uint32_t, TypeTotal> by_type;  // by ggml type id
};

// Sums cannot overflow: every tensor lies inside the file, so bytes <= file size and each tensor's
// element count <= 2^63-1 with at least one byte per 256 elements.
Totals compute_totals(const File& f) {
  Totals t;
  for (const TensorInfo& info : f.tensors()) {
    TypeTotal& tt = t.by_type[info.type];
    ++tt.tensors;
    tt.parameters += info.n_elements();
    tt.bytes += info.nbytes;
    t.parameters += info.n_elements();
    t.bytes += info.nbytes;
  }
  return t;
}

double bits_per_weight(uint64_t bytes, uint64_t parameters) {
  return parameters ? 8.0 * static_cast<double>(bytes) / static_cast<double>(parameters) : 0.0;
}

const char* type_name(uint32_t id) {
  return gguf::tensor_type_info(id)->name;
}  // ids were validated at load

std::string shape_text(const TensorInfo& t) {
  std::string s = "[";
  for (uint32_t d = 0; d < t.n_dims; ++d) s += (d ? ", " : "") + std::to_string(t.ne[d]);
  return s + "]";
}

// "1.13 MiB", "260.1K" style: value with one decimal and a binary (bytes) or decimal (counts) suffix.
std::string human(double x, double base, const char* const* suffixes) {
  int i = 0;
  while (x >= base && suffixes[i + 1]) {
    x /= base;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, i ? "%.2f%s" : "%.0f%s", x, suffixes[i]);
  return buf;
}
std::string human_bytes(uint64_t n) {
  static const char* const kSuffixes[] = {" bytes", " KiB", " MiB", " GiB", " TiB", nullptr};
  return human(static_cast<double>(n), 1024, kSuffixes);
}
std::string human_count(uint64_t n) {
  static const char* const kSuffixes[] = {"", "K", "M", "B", "T", nullptr};
  return human(static_cast<double>(n), 1000, kSuffixes);
}

// ---- output --------------------------------------------------------------------------------------------

void print_text(const File& f) {
  std::printf("file          %s\n", f.path().c_str());
  std::printf("file size     %llu (%s)\n", static_cast<unsigned long long>(f.file_size()),
              human_bytes(f.file_size()).c_str());
  std::printf("version       %u\n", f.version());
  std::printf("alignment     %llu\n", static_cast<unsigned long long>(f.alignment()));
  std::printf("data offset   %llu\n", static_cast<unsigned long long>(f.data_offset()));

  size_t key_width = 0;
  for (const gguf::KeyValue& kv : f.metadata()) key_width = std::max(key_width, kv.key.size());
  key_width = std::min<size_t>(key_width, 48);
  std::printf("\nmetadata (%zu keys)\n", f.metadata().size());
  for (const gguf::KeyValue& kv : f.metadata()) {
    const std::string key = escape_for_terminal(kv.key);  // keys are bytes from the file, too
    std::printf("  %-*s  %-14s %s\n", static_cast<int>(key_width), key.c_str(), type_text(kv.value).c_str(),
                value_text(kv.value).c_str());
  }

  size_t name_width = 4;
  for (const TensorInfo& t : f.tensors())
    name_width = std::max(name_width, escape_for_terminal(t.name).size());
  name_width = std::min<size_t>(name_width, 64);
  std::printf("\ntensors (%zu; offsets are file positions)\n", f.tensors().size());
  std::printf("  %-*s  %-7s %-26s %12s %12s\n", static_cast<int>(name_width), "name", "type", "shape",
              "bytes", "offset");
  for (const TensorInfo& t : f.tensors()) {
    std::printf("  %-*s  %-7s %-26s %12llu %12llu\n", static_cast<int>(name_width),
                escape_for_terminal(t.name).c_str(), type_name(t.type), shape_text(t).c_str(),
                static_cast<unsigned long long>(t.nbytes),
                static_cast<unsigned long long>(f.data_offset() + t.offset));
  }

  const Totals totals = compute_totals(f);
  std::printf("\ntotals\n");
  std::printf("  tensors          %zu\n", f.tensors().size());
  std::printf("  parameters       %llu (%s)\n", static_cast<unsigned long long>(totals.parameters),
              human_count(totals.parameters).c_str());
  std::printf("  tensor bytes     %llu (%s)\n", static_cast<unsigned long long>(totals.bytes),
              human_bytes(totals.bytes).c_str());
  std::printf("  bits per weight  %.2f\n", bits_per_weight(totals.bytes, totals.parameters));
  for (const auto& [id, tt] : totals.by_type) {
    std::printf("  %-7s %5llu tensors %14llu params %14llu bytes %6.2f bpw\n", type_name(id),
                static_cast<unsigned long long>(tt.tensors), static_cast<unsigned long long>(tt.parameters),
                static_cast<unsigned long long>(tt.bytes), bits_per_weight(tt.bytes, tt.parameters));
  }
}

Json tensor_json(const File& f, const TensorInfo& t) {
  return Json{{"name", t.name},
              {"type", type_name(t.type)},
              {"shape", std::vector<uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims)},
              {"n_elements", t.n_elements()},
              {"bytes", t.nbytes},
              {"offset", t.offset},
              {"file_offset", f.data_offset() + t.offset}};
}

void print_json(const File& f) {
  Json metadata = Json::array();
  for (const gguf::KeyValue& kv : f.metadata()) {
    Json entry{{"key", kv.key}, {"type", gguf::value_type_name(kv.value.type())}};
    if (const auto* a = std::get_if<Array>(&kv.value.v)) {
      entry.update(array_json(*a));
    } else {
      entry["value"] = value_json(kv.value);
    }
    metadata.push_back(std::move(entry));
  }
  Json tensors = Json::array();
  for (const TensorInfo& t : f.tensors()) tensors.push_back(tensor_json(f, t));

  const Totals totals = compute_totals(f);
  Json by_type = Json::object();
  for (const auto& [id, tt] : totals.by_type) {
    by_type[type_name(id)] = Json{{"tensors", tt.tensors},
                                  {"parameters", tt.parameters},
                                  {"bytes", tt.bytes},
                                  {"bits_per_weight", bits_per_weight(tt.bytes, tt.parameters)}};
  }
  const Json doc{{"file", f.path()},
                 {"file_size", f.file_size()},
                 {"version", f.version()},
                 {"alignment", f.alignment()},
                 {"data_offset", f.data_offset()},
                 {"metadata", std::move(metadata)},
                 {"tensors", std::move(tensors)},
                 {"totals",
                  {{"tensor_count", f.tensors().size()},
                   {"parameter_count", totals.parameters},
                   {"bytes", totals.bytes},
                   {"bits_per_weight", bits_per_weight(totals.bytes, totals.parameters)},
                   {"by_type", std::move(by_type)}}}};
  // Strings from the file may hold invalid UTF-8; it is replaced (U+FFFD) rather than refused.
  const std::string text = doc.dump(2, ' ', false, Json::error_handler_t::replace);
  std::printf("%s\n", text.c_str());
}

}  // namespace

int cmd_inspect(const Args& args) {
  const InspectOptions opts = parse_options(args);
  if (opts.help) {
    std::printf(
        "%s\n\nPrints a GGUF file's version, alignment, metadata (long arrays and strings summarized),\n"
        "tensor table and totals. --json prints the same as one JSON document.\n",
        kUsage);
    return 0;
  }
  const File f = File::open(opts.path);
  if (opts.json) {
    print_json(f);
  } else {
    print_text(f);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace zeroidle::tools
