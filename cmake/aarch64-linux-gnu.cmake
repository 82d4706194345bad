# Cross-compiles zeroidle for 64-bit ARM Linux with Debian's aarch64-linux-gnu toolchain and runs the
# results (tests, gtest discovery) under qemu-user.
#
#   cmake -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         -DZEROIDLE_KERNELS_ONLY=ON -DZEROIDLE_BUILD_BENCH=OFF
#
# Needs: apt-get install g++-aarch64-linux-gnu qemu-user. The emulated CPU defaults to
# ZEROIDLE_QEMU_CPU (cache); the environment variable of the same name overrides it per run, so one
# build is tested on several CPUs: ZEROIDLE_QEMU_CPU=neoverse-n1 ctest --test-dir build-aarch64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# The cross toolchain's sysroot, and Debian's multiarch arm64 -dev packages (libcurl4-openssl-dev:arm64, ...)
# under /usr/lib/aarch64-linux-gnu for the full binary (deploy/build-lambda.sh).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config (FindCURL, FindOpenSSL) must read the arm64 .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# qemu-aarch64 CPU models: max,sve128=on | max,sve256=on | max,sve512=on | neoverse-n1 (no SVE/i8mm).
set(ZEROIDLE_QEMU_CPU "max,sve128=on" CACHE STRING "Default qemu-aarch64 -cpu for running AArch64 binaries")
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/qemu-run.sh;${ZEROIDLE_QEMU_CPU}")

# Header-only, architecture-independent packages come from the host (Debian has no arm64 copy to
# find in the target root): nlohmann_json.
if(EXISTS /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake)
  set(nlohmann_json_DIR /usr/share/cmake/nlohmann_json CACHE PATH "nlohmann_json (header-only) from the host")
endif()
