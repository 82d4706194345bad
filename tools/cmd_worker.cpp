// `zeroidle worker --queue-url URL [--table T] [--batch 10] [--wait 20]`: the SQS long-poll worker for
// EC2 / ECS / Kubernetes fleets (see runtime/host.h).
#include "runtime/host.h"
#include "tools/commands.h"
#include "tools/extractor_factory.h"

namespace zeroidle::tools {

int cmd_worker(const Args& args) {
  return runtime::worker_main(args, make_extractor);
}

}  // namespace zeroidle::tools
