#!/usr/bin/env bash
# Installs the Debian packages zeroidle builds and tests with. Idempotent: does nothing when all are there.
set -euo pipefail
packages=(
  cmake g++ make ccache git python3
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and microbenchmarks
  libsimde-dev                                 # runs the AVX-512 kernels emulated where the CPU lacks AVX-512
  libeigen3-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libssl-dev              # AWS: HTTP and SigV4
  clang libclang-rt-14-dev                     # libFuzzer harness
  g++-aarch64-linux-gnu qemu-user              # AArch64 kernels, tested under qemu
  libcurl4-openssl-dev:arm64 libssl-dev:arm64 libspdlog-dev:arm64 libfmt-dev:arm64  # the arm64 Lambda binary
)
# The arm64 -dev packages come from Debian's multiarch: enable the architecture once.
if [[ "$(dpkg --print-foreign-architectures)" != *arm64* ]]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd dpkg --add-architecture arm64
fi
missing=()
for p in "${packages[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *"install ok installed"* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
