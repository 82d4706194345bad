#!/usr/bin/env bash
# AArch64 kernels cross-built and tested under qemu-user on four CPUs (see .ci/aarch64.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/aarch64.sh
