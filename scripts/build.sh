#!/usr/bin/env bash
# Configures and builds the shipped Release binary into build/bin/zeroidle (no -march=native).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
