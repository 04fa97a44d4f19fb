#!/usr/bin/env bash
# Checkpoint every epoch: digits, 30 epochs, a durable checkpoint after every
# epoch against one at the end, as whole processes (issue 18: at most 2x).
#
# Usage: Benchmarks/checkpoint_every.sh [BPKIT] [RUNS]
#   BPKIT  the binary to measure (default .build/release/bpkit, from `make release`)
#   RUNS   runs of each setting, alternated (default 15)
#
# Prints, for `--checkpoint-every 1` and `--checkpoint-every 30`, the median
# wall-clock time (bash's own clock) and the median processor time (user +
# system of the whole process, every thread: `perf stat` task-clock when perf
# is installed, otherwise the kernel's accounting through /usr/bin/time), the
# ratio of the medians, and the processor time each extra checkpoint costs.
# The load average is printed too: on a shared machine wall time is mostly
# waiting for a CPU and for the disk, so read the processor time.
set -euo pipefail
bin=${1:-.build/release/bpkit}
runs=${2:-15}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bpkit-checkpoint-every.XXXXXX")
trap 'rm -rf "$work"' EXIT

train() {
  "$bin" train --layers "64,32:tanh,10:softmax" --data "$here/../Fixtures/datasets/digits.h5" --epochs 30 \
    --quiet --checkpoint "$work/e$1.ckpt.h5" --checkpoint-every "$1" --overwrite
}

# Processor time of one run, in microseconds.
cpu_of() {
  if command -v perf >/dev/null; then
    perf stat -x, -e task-clock "$bin" train --layers "64,32:tanh,10:softmax" \
      --data "$here/../Fixtures/datasets/digits.h5" --epochs 30 --quiet --checkpoint "$work/e$1.ckpt.h5" \
      --checkpoint-every "$1" --overwrite 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%d", $1 * 1000 }'
  else
    /usr/bin/time -f "%U %S" "$bin" train --layers "64,32:tanh,10:softmax" \
      --data "$here/../Fixtures/datasets/digits.h5" --epochs 30 --quiet --checkpoint "$work/e$1.ckpt.h5" \
      --checkpoint-every "$1" --overwrite 2>&1 >/dev/null | awk '{ printf "%d", ($1 + $2) * 1e6 }'
  fi
}

train 1 && train 30  # warm the page cache and leave a checkpoint to replace
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((run = 0; run < runs; run++)); do
  for every in 1 30; do
    start=${EPOCHREALTIME/./}
    train "$every"
    end=${EPOCHREALTIME/./}
    echo "$every wall $((end - start))" >> "$work/figures"
    echo "$every cpu $(cpu_of "$every")" >> "$work/figures"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
figure() { grep "^$1 $2 " "$work/figures" | cut -d' ' -f3 | median; }
w1=$(figure 1 wall) w30=$(figure 30 wall) c1=$(figure 1 cpu) c30=$(figure 30 cpu)
echo "checkpoint every epoch: digits 64-32-10, 30 epochs, $runs runs each, medians;" \
  "load average $load_before before, $load_after after"
awk -v w1="$w1" -v w30="$w30" -v c1="$c1" -v c30="$c30" 'BEGIN {
  printf "%-24s %12s %12s\n", "", "wall", "CPU"
  printf "%-24s %9.1f ms %9.1f ms\n", "--checkpoint-every 1", w1 / 1000, c1 / 1000
  printf "%-24s %9.1f ms %9.1f ms\n", "--checkpoint-every 30", w30 / 1000, c30 / 1000
  printf "%-24s %11.2fx %11.2fx   (target <= 2x)\n", "ratio", w1 / w30, c1 / c30
  printf "%-24s %9.2f ms %9.2f ms\n", "per extra checkpoint", (w1 - w30) / 29000, (c1 - c30) / 29000
}'
