#!/usr/bin/env bash
# Start-up: one row through a small model, as a whole process, beside the
# limit a C program shows that opens the same bpkit HDF5 file with the same
# libhdf5.a and does the same arithmetic (Benchmarks/startup_limit.c).
#
# Usage: Benchmarks/startup.sh [BPKIT] [RUNS]
#   BPKIT  the binary to measure (default .build/release/bpkit, from `make release`)
#   RUNS   runs of each command, alternated (default 21); medians are printed
#
# Prints, for bpkit on the model as bpkit HDF5, bpkit JSON and Keras 3, and
# for the C program on the HDF5 file: the median wall-clock time, the mean
# processor time (user + system, children included), the median peak
# resident size, and bpkit's figures over the C program's.
set -euo pipefail
bin=${1:-.build/release/bpkit}
runs=${2:-21}
here=$(cd "$(dirname "$0")" && pwd)
lib=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
work=$(mktemp -d "${TMPDIR:-/tmp}/bpkit-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT

cc -O2 -I/usr/include/hdf5/serial "$here/startup_limit.c" "$lib/hdf5/serial/libhdf5.a" "$lib/libsz.a" \
  "$lib/libaec.a" -lz -ldl -lm -o "$work/limit"

digits=$here/../Fixtures/datasets/digits.h5
"$bin" train --layers "64,32:tanh,10:softmax" --data "$digits" --epochs 3 --quiet --checkpoint "$work/run.ckpt.h5"
"$bin" convert "$work/run.ckpt.h5" "$work/model.h5" --model-only >/dev/null
"$bin" convert "$work/run.ckpt.h5" "$work/model.json" --model-only >/dev/null
"$bin" convert "$work/run.ckpt.h5" "$work/model.keras" --model-only >/dev/null
head -2 "$here/../Fixtures/datasets/digits_test.csv" > "$work/one.csv"

commands=(
  "bpkit .h5|$bin infer $work/model.h5 --input $work/one.csv --ignore label --argmax"
  "bpkit .json|$bin infer $work/model.json --input $work/one.csv --ignore label --argmax"
  "bpkit .keras|$bin infer $work/model.keras --input $work/one.csv --ignore label --argmax"
  "C, libhdf5.a, .h5|$work/limit $work/model.h5 $work/one.csv tanh softmax"
)

# The same prediction from every command, or the comparison means nothing.
answers=$(for entry in "${commands[@]}"; do eval "${entry#*|}" | tail -1 | tr -dc '0-9'; echo; done | sort -u)
if [ "$(printf '%s\n' "$answers" | wc -l)" != 1 ]; then
  echo "the commands predict different classes: $answers" >&2
  exit 1
fi

for ((run = 0; run < runs; run++)); do
  for index in "${!commands[@]}"; do
    command=${commands[$index]#*|}
    # bash's own clock, in microseconds: no process is started to read it.
    start=${EPOCHREALTIME/./}
    $command >/dev/null
    end=${EPOCHREALTIME/./}
    echo "$index time $((end - start))" >> "$work/figures"
    /usr/bin/time -f "$index rss %M" -a -o "$work/figures" $command >/dev/null
  done
done

# Processor time (user + system, the command and its children such as the
# HDF5 probe), which a busy machine's time-slicing does not inflate: the
# mean over RUNS runs, by `perf stat` (task-clock, exact) when perf is
# installed, otherwise from bash's `times` for a subshell's children (the
# kernel's tick-sampled accounting, coarser).
for index in "${!commands[@]}"; do
  command=${commands[$index]#*|}
  if command -v perf >/dev/null; then
    cpu=$(perf stat -x, -e task-clock -r "$runs" $command 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%d", $1 * 1000 }')
  else
    cpu=$( (for ((run = 0; run < runs; run++)); do $command >/dev/null; done; times) | tail -1 |
      awk -v runs="$runs" '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1e6 / runs }')
  fi
  echo "$index cpu $cpu" >> "$work/figures"
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
limit_index=$(( ${#commands[@]} - 1 ))
limit_time=$(grep "^$limit_index time" "$work/figures" | cut -d' ' -f3 | median)
limit_rss=$(grep "^$limit_index rss" "$work/figures" | cut -d' ' -f3 | median)
limit_cpu=$(grep "^$limit_index cpu" "$work/figures" | cut -d' ' -f3)
echo "start-up: one row through 64-32-10 (tanh, softmax), $runs runs each, medians (CPU: means); $(uptime | sed 's/.*load/load/')"
printf '%-20s %10s %8s %10s %8s %12s %8s\n' "" "time" "÷ C" "CPU" "÷ C" "peak RSS" "÷ C"
for index in "${!commands[@]}"; do
  time_us=$(grep "^$index time" "$work/figures" | cut -d' ' -f3 | median)
  rss_kb=$(grep "^$index rss" "$work/figures" | cut -d' ' -f3 | median)
  cpu_us=$(grep "^$index cpu" "$work/figures" | cut -d' ' -f3)
  awk -v name="${commands[$index]%%|*}" -v t="$time_us" -v r="$rss_kb" -v c="$cpu_us" -v lt="$limit_time" \
    -v lr="$limit_rss" -v lc="$limit_cpu" \
    'BEGIN { printf "%-20s %7.1f ms %7.2fx %7.1f ms %7.2fx %9.1f MB %7.2fx\n", name, t / 1000, t / lt, c / 1000, c / lc, r / 1024, r / lr }'
done
