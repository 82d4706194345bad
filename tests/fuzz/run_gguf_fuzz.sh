#!/bin/sh
# run_gguf_fuzz.sh BUILD_DIR [SECONDS] [extra libFuzzer flags...]
# Generates a seed corpus in a temporary directory, then runs gguf_fuzz for SECONDS (default 60).
# Exit status is libFuzzer's: 0 when it ran clean. Findings land in BUILD_DIR/fuzz-findings.
set -eu
build=${1:?usage: run_gguf_fuzz.sh BUILD_DIR [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(mktemp -d "${TMPDIR:-/tmp}/gguf_fuzz_corpus.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
mkdir -p "$build/fuzz-findings"
"$build/bin/gguf_fuzz_seeds" "$corpus/seeds" >/dev/null
mkdir -p "$corpus/work"
# -malloc_limit_mb: any single allocation above it is a finding (the reader never allocates in
# proportion to an unchecked count). -timeout: a hang is a finding.
exec "$build/bin/gguf_fuzz" "$corpus/work" "$corpus/seeds" \
  -dict="$here/gguf.dict" -max_total_time="$seconds" -max_len=65536 \
  -malloc_limit_mb=256 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-findings/" "$@"
