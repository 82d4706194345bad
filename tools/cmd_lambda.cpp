// `zeroidle lambda`: the container image's ENTRYPOINT on AWS Lambda (see runtime/host.h).
#include "runtime/host.h"
#include "tools/commands.h"
#include "tools/extractor_factory.h"

namespace zeroidle::tools {

int cmd_lambda(const Args& args) {
  return runtime::lambda_main(args, make_extractor);
}

}  // namespace zeroidle::tools
