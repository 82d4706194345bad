#!/usr/bin/env bash
# The Lambda image's build, as the Dockerfile runs it (deploy/build-lambda.sh), cross-compiled for arm64
# with Debian's multiarch -dev packages, then the arm64 binary run under qemu as Graviton2
# (-cpu neoverse-n1: NEON + dotprod, no SVE/i8mm): greedy generation must print llama.cpp's exact bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared="${ZEROIDLE_SHARED:-../shared}"
deploy/build-lambda.sh arm64 build-lambda-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake >/dev/null
bin=build-lambda-arm64/bin/zeroidle
run() { cmake/qemu-run.sh neoverse-n1 "$bin" "$@"; }  # the sysroot's whole glibc: see qemu-run.sh
run --help 2>&1 | grep lambda >/dev/null  # not grep -q: an early exit would SIGPIPE the producer under pipefail
# Two threads, so the pool's workers run too.
got=$(run generate -m "$shared/models/stories260K.gguf" -p "Once upon a time" -n 48 --temp 0 -t 2 2>/dev/null | od -An -tx1 | tr -d ' \n')
want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['generated_hex'] + '0a')" "$shared/reference/logits/stories260K.json")
if [ "$got" != "$want" ]; then
  echo "lambda-arm64: generation under neoverse-n1 differs from llama.cpp" >&2
  exit 1
fi
echo "lambda-arm64: 1 passed, 0 failed (arm64 Lambda build, neoverse-n1, output equals llama.cpp)"
