#!/usr/bin/env bash
# Builds the `zeroidle` binary that ships in the Lambda image: Release, tests and benchmarks off, the
# baseline ISA of every Lambda host of that architecture (faster kernels are chosen at run time by the
# kernels/ dispatch), libstdc++/libgcc linked statically so the image needs only glibc, libcurl, OpenSSL.
# The Dockerfile runs exactly this; CI runs it too (cross: pass -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake).
#
#   deploy/build-lambda.sh arm64|amd64 BUILD_DIR [extra cmake arguments...]
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 arm64|amd64 BUILD_DIR [cmake args...]" >&2
  exit 2
fi
arch=$1
build=$2
shift 2
case "$arch" in
  # Graviton2 (Neoverse N1) is the oldest arm64 Lambda host: ARMv8.2-A with the dot-product extension.
  arm64 | aarch64) baseline="-march=armv8.2-a+dotprod" ;;
  # x86-64-v3: AVX2, FMA, F16C, BMI2 - every current x86_64 Lambda host.
  amd64 | x86_64) baseline="-march=x86-64-v3" ;;
  *)
    echo "error: unknown architecture '$arch' (expected arm64 or amd64)" >&2
    exit 2
    ;;
esac
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
cmake -S "$source_dir" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DZEROIDLE_BUILD_TESTS=OFF -DZEROIDLE_BUILD_BENCH=OFF \
  -DCMAKE_C_FLAGS="$baseline" -DCMAKE_CXX_FLAGS="$baseline" \
  -DCMAKE_EXE_LINKER_FLAGS="-static-libstdc++ -static-libgcc" \
  "$@"
cmake --build "$build" --target zeroidle -j"$(nproc)"
echo "built $build/bin/zeroidle for $arch ($baseline)"
