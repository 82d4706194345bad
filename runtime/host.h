// The two long-running hosts of the batch handler, as CLI entry points. `zeroidle lambda` and
// `zeroidle worker` (tools/) call these with the engine's factory; tests call them with a fake one.
// Both return the process exit code.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/config.h"
#include "runtime/extractor.h"

namespace zeroidle::runtime {

// Builds the Extractor once per process (the init phase: load the model). Throws on failure; a
// ConfigError is reported as a configuration problem, anything else as a model load failure.
using ExtractorFactory = std::function<std::unique_ptr<Extractor>(const Config&)>;

// The Lambda custom-runtime bootstrap: reads the configuration, loads the model, then serves
// invocations from $AWS_LAMBDA_RUNTIME_API until the environment is torn down. An init failure is
// posted to /runtime/init/error and the process exits 1.
int lambda_main(const std::vector<std::string>& args, const ExtractorFactory& make_extractor);

// The SQS worker for EC2/ECS/Kubernetes fleets: long-polls the queue, processes each batch with the
// same semantics as Lambda, deletes what finished, leaves the rest to be redelivered, keeps received
// messages hidden with visibility heartbeats, and on SIGTERM/SIGINT exits 0 after finishing its batch.
int worker_main(const std::vector<std::string>& args, const ExtractorFactory& make_extractor);

}  // namespace zeroidle::runtime
