#!/usr/bin/env bash
# zeroidle bench and llama.cpp's llama-bench on the same GGUF files, same thread count, in the same run,
# alternating (zeroidle, llama.cpp, zeroidle, llama.cpp, ...) so that a noisy neighbour hits both alike.
#
#   bench/sidebyside.sh LLAMA_BENCH ZEROIDLE MODEL.gguf [MODEL.gguf ...]
#   env: THREADS (2), ROUNDS (2), PP (512), TG (128), REPS (3)
#
# llama-bench is not part of this repo: build it from llama.cpp's source (for example the git bundle in
# the node-llama-cpp npm package) and pass its path. Output: each tool's own table rows, round by round.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
llama_bench=$1 zeroidle=$2
shift 2
threads=${THREADS:-2} rounds=${ROUNDS:-2} pp=${PP:-512} tg=${TG:-128} reps=${REPS:-3}
llama_dir=$(dirname "$llama_bench")
echo "# $(date -u +%FT%TZ) $(nproc) cores; -p $pp -n $tg -t $threads -r $reps; $rounds rounds"
for model in "$@"; do
  for ((round = 1; round <= rounds; round++)); do
    echo "## $(basename "$model") round $round"
    "$zeroidle" bench -m "$model" -p "$pp" -n "$tg" -t "$threads" -r "$reps" 2>/dev/null |
      grep -E "\| (pp|tg)[0-9]+ " | sed 's/^/zeroidle  /'
    LD_LIBRARY_PATH="$llama_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      "$llama_bench" -m "$model" -p "$pp" -n "$tg" -t "$threads" -r "$reps" 2>/dev/null |
      grep -E "\| +(pp|tg)[0-9]+ " | sed 's/^/llama.cpp /'
  done
done
