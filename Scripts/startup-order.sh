#!/usr/bin/env bash
# Writes Scripts/startup-order.txt: the functions that one-row `bpkit infer`
# (on a bpkit .h5, a bpkit .json and a Keras 3 model) and `bpkit inspect`
# run, one mangled name a line. `make release` hands the file to the linker
# (lld's --symbol-ordering-file), which places the sections holding these
# functions first in the binary's code: the kernel maps code in 64 KiB
# windows around each page a process touches, so start-up code spread
# over the 24 MB of code made every run map 13 MB of it (BENCHMARKS.md,
# start-up).
#
# Usage: Scripts/startup-order.sh [BPKIT]
#   BPKIT  a release bpkit (default .build/release/bpkit, with bpkit-probe
#          beside it). Any build will do: the order only moves code, so a
#          stale list costs start-up time, never correctness.
#
# Needs valgrind (callgrind lists every function a run executes) and
# python3: development tools, never needed to build or run bpkit.
set -euo pipefail
bin=${1:-.build/release/bpkit}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/startup-order.txt
command -v valgrind >/dev/null || { echo "startup-order.sh needs valgrind: apt-get install valgrind" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bpkit-order.XXXXXX")
trap 'rm -rf "$work"' EXIT

# valgrind cannot read the DWARF of Swift's static runtime, so it runs a
# copy without debug information (the symbol table, which it needs, stays).
strip --strip-debug -o "$work/bpkit" "$bin"
cp "$(dirname "$bin")/bpkit-probe" "$work/bpkit-probe"

digits=$here/../Fixtures/datasets/digits.h5
"$bin" train --layers "64,32:tanh,10:softmax" --data "$digits" --epochs 3 --quiet --checkpoint "$work/run.ckpt.h5"
for format in h5 json keras; do
  "$bin" convert "$work/run.ckpt.h5" "$work/model.$format" --model-only >/dev/null
done
head -2 "$here/../Fixtures/datasets/digits_test.csv" > "$work/one.csv"

runs=(
  "infer $work/model.h5 --input $work/one.csv --ignore label --argmax"
  "infer $work/model.json --input $work/one.csv --ignore label --argmax"
  "infer $work/model.keras --input $work/one.csv --ignore label --argmax"
  "inspect $work/model.h5"
)
for index in "${!runs[@]}"; do
  # SWIFT_BACKTRACE: the runtime's crash handler is not wanted under
  # valgrind. Its own messages (it does not know pidfd_open, so the probe's
  # wait polls instead) go to a log.
  SWIFT_BACKTRACE=enable=no valgrind --tool=callgrind --demangle=no --log-file="$work/valgrind.log" \
    --callgrind-out-file="$work/run$index.callgrind" "$work/bpkit" ${runs[$index]} >/dev/null
done

# A callgrind file names each object (ob=) and function (fn=) once in full
# and then by number; the functions listed under bpkit's own object are
# the ones that ran in it. Recursion levels are marked name'2: dropped.
python3 - "$work/bpkit" "$work"/run*.callgrind > "$out" <<'EOF'
import re, sys
binary, names = sys.argv[1], set()
for path in sys.argv[2:]:
    objects, functions, current = {}, {}, None
    for line in open(path, errors="replace"):
        match = re.match(r"^(c?)(ob|fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        called, kind, number, name = match.groups()
        table = objects if kind == "ob" else functions
        if name:
            table[number] = name
        if called:
            continue
        if kind == "ob":
            current = objects.get(number)
        elif current == binary:
            names.add(re.sub(r"'\d+$", "", functions[number]))
print("\n".join(sorted(names)))
EOF
# SwiftPM does not relink when only this list changed.
echo "$(wc -l < "$out") functions written to $out; relink with: rm .build/release/bpkit && make release"
