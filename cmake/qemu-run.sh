#!/bin/sh
# qemu-run.sh DEFAULT_CPU PROGRAM [ARGS...]: runs an AArch64 program under qemu-user.
# The CPU is $ZEROIDLE_QEMU_CPU when set (e.g. "neoverse-n1", "max,sve256=on"), else DEFAULT_CPU.
# The CPU name is exported to the program, so tests can check that dispatch saw that CPU
# (tests/kernels/arm_dispatch_test.cpp).
ZEROIDLE_QEMU_CPU=${ZEROIDLE_QEMU_CPU:-$1}
export ZEROIDLE_QEMU_CPU
shift
exec qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu "$ZEROIDLE_QEMU_CPU" "$@"
