// Connects the runtime to the engine: the engine-backed Extractor, configured from runtime::Config.
#include "tools/extractor_factory.h"

#include <stdexcept>

#include "engine/tasks.h"
#include "runtime/engine_extractor.h"

namespace zeroidle::tools {

std::unique_ptr<runtime::Extractor> make_extractor(const runtime::Config& config) {
  if (!config.task.empty()) {
    try {
      engine::builtin_task(config.task, config.labels);  // a wrong ZEROIDLE_TASK is a setting, not a model error
    } catch (const std::invalid_argument& e) {
      throw runtime::ConfigError(std::string("ZEROIDLE_TASK/--task: ") + e.what());
    }
  }
  runtime::EngineOptions o;
  o.model_path = config.model_path;
  o.task = config.task;
  o.labels = config.labels;
  o.schema = config.schema;
  o.instruction = config.instruction;
  o.max_tokens = config.max_tokens;
  o.threads = config.threads;
  o.n_ctx = config.n_ctx;
  try {
    return std::make_unique<runtime::EngineExtractor>(o);
  } catch (const runtime::PermanentError& e) {  // the default schema cannot be compiled
    throw runtime::ConfigError(std::string("ZEROIDLE_SCHEMA/--schema: ") + e.what());
  }
}

}  // namespace zeroidle::tools
