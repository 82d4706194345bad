# AArch64-only kernel tests (included from tests/kernels/CMakeLists.txt). .ci/aarch64.sh runs them
# under four qemu CPUs; see tests/kernels/arm_dispatch_test.cpp.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  zeroidle_test(kernels_arm_dispatch_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/arm_dispatch_test.cpp
    LIBS kernels_test_support kernels)
endif()
