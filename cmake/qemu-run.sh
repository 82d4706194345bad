#!/bin/sh
# qemu-run.sh DEFAULT_CPU PROGRAM [ARGS...]: runs an AArch64 program under qemu-user.
# The CPU is $ZEROIDLE_QEMU_CPU when set (e.g. "neoverse-n1", "max,sve256=on"), else DEFAULT_CPU.
# The CPU name is exported to the program, so tests can check that dispatch saw that CPU
# (tests/kernels/arm_dispatch_test.cpp).
#
# The whole glibc comes from the cross toolchain's sysroot. -L alone is not enough: it serves the
# loader (/lib/ld-linux-aarch64.so.1) from the sysroot, but redirects only paths that exist there,
# and the loader looks in /lib/aarch64-linux-gnu first, where Debian's multiarch arm64 packages
# (libc6:arm64, pulled in by the -dev packages of deploy/build-lambda.sh) put a libc.so.6 of another
# glibc build. The two share the private struct rtld_global, whose layout differs between builds
# (4512 bytes in 2.36-8cross1, 4520 in 2.36-9+deb12u14), so libc walked its stack lists at the
# wrong offset: pthread_create and fork looped forever. LD_LIBRARY_PATH puts the sysroot first.
ZEROIDLE_QEMU_CPU=${ZEROIDLE_QEMU_CPU:-$1}
export ZEROIDLE_QEMU_CPU
shift
sysroot=/usr/aarch64-linux-gnu
exec qemu-aarch64 -L "$sysroot" -E LD_LIBRARY_PATH="$sysroot/lib" -cpu "$ZEROIDLE_QEMU_CPU" "$@"
