#!/usr/bin/env bash
# AArch64 under qemu-user: cross-compiles the kernel layers (gguf/, kernels/) and their tests into
# build-aarch64 with cmake/aarch64-linux-gnu.cmake, then runs every test binary once per emulated
# CPU:
#   max,sve128=on  max,sve256=on  max,sve512=on   SVE at 128/256/512 bits + i8mm: picks "sve"
#   neoverse-n1                                    Graviton2: NEON + dotprod only, picks "neon";
#                                                  qemu raises SIGILL on any SVE/i8mm instruction,
#                                                  so passing here proves dispatch never runs one.
# cmake/qemu-run.sh reads the CPU from ZEROIDLE_QEMU_CPU at run time, so one build serves all four.
# Each binary runs as one process (a qemu start per test case, as ctest does, costs minutes); for
# one test at a time: ZEROIDLE_QEMU_CPU=neoverse-n1 ctest --test-dir build-aarch64 -R NAME
# Usage: .ci/aarch64.sh [CPU...]   (default: the four above)
set -euo pipefail
cd "$(dirname "$0")/.."

# The cross toolchain, the emulator and the sources GoogleTest is built from for the target.
need=()
command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
[ -f /usr/src/googletest/CMakeLists.txt ] || need+=(googletest)
[ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "aarch64: missing ${need[*]}; install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "aarch64: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

build=build-aarch64
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DZEROIDLE_KERNELS_ONLY=ON -DZEROIDLE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2

# Static proof to go with the neoverse-n1 run: in every linked binary, SVE and SMMLA instructions
# sit only in functions named *_sve / *_i8mm (no shared inline helper or template compiled with
# +sve / +i8mm leaked into code that runs on any CPU).
leaks=$(for bin in "$build"/bin/*; do
  aarch64-linux-gnu-objdump -d --no-show-raw-insn "$bin" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2; next }
    /[ ,{](z[0-9]+\.[bhsdq]|p[0-9]+[.\/])|\t(smmla|ummla|usmmla|cnt[bhwd]|rdvl|addvl|addpl)\t/ { print fn }'
done | sort -u | c++filt | grep -Ev '_(sve|i8mm)\(' || true)
if [ -n "$leaks" ]; then
  echo "aarch64: SVE/i8mm instructions outside *_sve/*_i8mm functions:" >&2
  echo "$leaks" >&2
  exit 1
fi
echo "aarch64: SVE/i8mm instructions only in *_sve/*_i8mm functions"

cpus=("$@")
[ ${#cpus[@]} -gt 0 ] || cpus=("max,sve128=on" "max,sve256=on" "max,sve512=on" "neoverse-n1")
export ZEROIDLE_SOURCE_DIR="$PWD"  # what ctest gives the tests: they find ../shared from it
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 failures=()
for cpu in "${cpus[@]}"; do
  for bin in "$build"/bin/*; do
    name="$(basename "$bin")"
    start=$SECONDS
    # A time limit guards every binary against a hang.
    ZEROIDLE_QEMU_CPU="$cpu" timeout 300 cmake/qemu-run.sh "$cpu" "$bin" --gtest_brief=1 \
      >"$log" 2>&1 && rc=0 || rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\.$/\1/p' "$log" | tail -1)
    f=$(grep -cE '^\[  FAILED  \] [A-Za-z_].* \([0-9]+ ms\)$' "$log" || true)
    p=${p:-0} f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # crashed (e.g. SIGILL) before its summary
    passed=$((passed + p)) failed=$((failed + f))
    printf '%-16s %-28s %4d passed, %d failed  (%ds)\n' "$cpu" "$name" "$p" "$f" $((SECONDS - start))
    if [ "$rc" -ne 0 ]; then
      failures+=("$cpu $name")
      grep -E -A8 'Failure$|uncaught target signal' "$log" | head -60 || true
    fi
  done
done
if [ ${#failures[@]} -gt 0 ]; then
  printf 'aarch64: failed: %s\n' "${failures[@]}" >&2
fi
echo "aarch64: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
