// The one place the binary connects the runtime (runtime/extractor.h) to the engine: `zeroidle lambda`
// and `zeroidle worker` call make_extractor() once per process, in the init phase (model load).
#pragma once

#include <memory>

#include "runtime/config.h"
#include "runtime/extractor.h"

namespace zeroidle::tools {

// Loads the model named by config.model_path with config.threads / n_ctx and returns the engine's
// Extractor. Throws runtime::ConfigError for a wrong setting (a bad ZEROIDLE_TASK / ZEROIDLE_SCHEMA),
// anything else when the model cannot load; the caller reports either as an init error.
std::unique_ptr<runtime::Extractor> make_extractor(const runtime::Config& config);

}  // namespace zeroidle::tools
