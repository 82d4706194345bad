// Structured logs: one JSON object per line on stdout through spdlog, flushed per line (Lambda may
// freeze the process right after a response). Every line carries timestamp, level, message and the
// current thread's request_id / trace_id / message_id when set, plus the caller's fields.
// Never pass document text as a field: ids, sizes, counts, statuses and reasons only.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace zeroidle::runtime::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// Creates the stdout logger (idempotent) and sets its level ("trace".."error", "off").
void init(const std::string& level = "info");
void set_level(const std::string& level);

// Per-thread correlation ids, attached to every line this thread writes.
struct Context {
  std::string request_id;
  std::string trace_id;
  std::string message_id;
};
Context& context();

// Sets context().message_id for a scope and restores the previous value.
class ScopedMessageId {
 public:
  explicit ScopedMessageId(std::string message_id);
  ~ScopedMessageId();
  ScopedMessageId(const ScopedMessageId&) = delete;
  ScopedMessageId& operator=(const ScopedMessageId&) = delete;

 private:
  std::string previous_;
};

// The JSON line (without newline) for one event; pure, for tests.
// Fields keep the order they are given in (timestamp, level, message and the ids come first).
using Fields = nlohmann::ordered_json;

std::string format_line(Level level, std::string_view message, const Fields& fields, const Context& ctx,
                        std::chrono::system_clock::time_point now);

void write(Level level, std::string_view message, const Fields& fields = Fields::object());
inline void debug(std::string_view m, const Fields& f = Fields::object()) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, const Fields& f = Fields::object()) {
  write(Level::kInfo, m, f);
}
inline void warn(std::string_view m, const Fields& f = Fields::object()) {
  write(Level::kWarn, m, f);
}
inline void error(std::string_view m, const Fields& f = Fields::object()) {
  write(Level::kError, m, f);
}

// Writes a line as-is whatever the level (CloudWatch Embedded Metric Format records).
void write_raw(const std::string& line);

// ISO 8601 UTC with milliseconds: 2025-01-31T12:34:56.789Z
std::string iso8601(std::chrono::system_clock::time_point t);

// JSON text safe for any input: invalid UTF-8 is replaced, never thrown on.
std::string dump_json(const nlohmann::json& j);
std::string dump_json(const nlohmann::ordered_json& j);

}  // namespace zeroidle::runtime::log
