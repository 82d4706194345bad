// runtime_test_host: `lambda` and `worker` exactly as `zeroidle lambda|worker` run them (the same
// runtime::lambda_main / worker_main), with the FakeExtractor instead of the engine. The end-to-end tests
// drive it through the Runtime API emulator and moto. Test-only switch: ZEROIDLE_FAKE_LOAD_FAIL=1 makes
// the factory throw, as a model that cannot load would.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "fake_extractor.h"
#include "runtime/host.h"

int main(int argc, char** argv) {
  using namespace zeroidle;
  if (argc < 2 || (std::strcmp(argv[1], "lambda") != 0 && std::strcmp(argv[1], "worker") != 0)) {
    std::fprintf(stderr, "usage: runtime_test_host lambda|worker [options]\n");
    return 2;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  auto factory = [](const runtime::Config& config) -> std::unique_ptr<runtime::Extractor> {
    const char* fail = std::getenv("ZEROIDLE_FAKE_LOAD_FAIL");
    if (fail && std::strcmp(fail, "1") == 0) throw std::runtime_error("fake model load failure");
    return std::make_unique<testing::FakeExtractor>(config);
  };
  try {
    return std::strcmp(argv[1], "lambda") == 0 ? runtime::lambda_main(args, factory)
                                               : runtime::worker_main(args, factory);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
