#include "runtime/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <mutex>

namespace zeroidle::runtime::log {

namespace {

constexpr const char* kLoggerName = "zeroidle";

std::shared_ptr<spdlog::logger> logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> instance;
  std::call_once(once, [] {
    instance = spdlog::get(kLoggerName);
    if (!instance) instance = spdlog::stdout_logger_mt(kLoggerName);
    instance->set_pattern("%v");  // the line is already a complete JSON object
    instance->flush_on(spdlog::level::trace);
    instance->set_level(spdlog::level::info);
  });
  return instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void init(const std::string& level) {
  set_level(level);
}

void set_level(const std::string& level) {
  logger()->set_level(level == "off" ? spdlog::level::off : spdlog::level::from_str(level));
}

Context& context() {
  thread_local Context ctx;
  return ctx;
}

ScopedMessageId::ScopedMessageId(std::string message_id) : previous_(std::move(context().message_id)) {
  context().message_id = std::move(message_id);
}

ScopedMessageId::~ScopedMessageId() {
  context().message_id = std::move(previous_);
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string format_line(Level level, std::string_view message, const Fields& fields, const Context& ctx,
                        std::chrono::system_clock::time_point now) {
  Fields line = {{"timestamp", iso8601(now)}, {"level", level_name(level)}, {"message", message}};
  if (!ctx.request_id.empty()) line["request_id"] = ctx.request_id;
  if (!ctx.trace_id.empty()) line["trace_id"] = ctx.trace_id;
  if (!ctx.message_id.empty()) line["message_id"] = ctx.message_id;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (!line.contains(it.key())) line[it.key()] = it.value();
    }
  }
  return dump_json(line);
}

void write(Level level, std::string_view message, const Fields& fields) {
  auto lg = logger();
  const auto lvl = to_spdlog(level);
  if (!lg->should_log(lvl)) return;
  lg->log(lvl, "{}", format_line(level, message, fields, context(), std::chrono::system_clock::now()));
}

void write_raw(const std::string& line) {
  auto lg = logger();
  // Metrics are written even when logs are quiet; only "off" silences them.
  if (lg->level() == spdlog::level::off) return;
  lg->log(spdlog::source_loc{}, spdlog::level::critical, "{}", line);
}

}  // namespace zeroidle::runtime::log
