#!/usr/bin/env bash
# bpkit's main job, end to end, on the data bundled in Fixtures/.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "bpkit's version" "$bin" --version
step "A Keras model file, read through bpkit's HDF5 layer" "$bin" ls --attributes Fixtures/keras/mlp_tanh_softmax.h5
step "The bundled handwritten-digits data set" "$bin" ls Fixtures/datasets/digits.h5

# Training with checkpoints: a run stopped halfway and resumed must end
# exactly where the uninterrupted run ends; bpkit diff proves it.
digits=Fixtures/datasets/digits.h5
run=(--layers "64,64:relu,10:softmax" --data "$digits" --optimizer momentum --lr 0.1 --validation "$digits")
step "Train 30 epochs without a stop" "$bin" train "${run[@]}" --epochs 30 --checkpoint "$work/full.ckpt.h5" --quiet
step "Train the same run, stopping after 15 epochs" \
  "$bin" train "${run[@]}" --epochs 15 --checkpoint "$work/run.ckpt.h5" --quiet
step "Resume it to 30 epochs" \
  "$bin" train --resume "$work/run.ckpt.h5" --epochs 30 --quiet
step "The resumed run equals the uninterrupted one, bit for bit" "$bin" diff "$work/full.ckpt.h5" "$work/run.ckpt.h5"
step "Evaluate it on the test set" \
  "$bin" infer "$work/run.ckpt.h5" --input "$digits" --x /test/x --labels /test/y --metrics-only
step "The checkpoint is plain HDF5: network JSON, weights, optimizer slots, progress, history" \
  "$bin" ls "$work/run.ckpt.h5"
if command -v h5dump >/dev/null; then
  step "h5dump reads it without bpkit: the training loss per epoch" h5dump -d /history/train_loss "$work/run.ckpt.h5"
fi

# A sequence task: an LSTM learns the adding problem (Fixtures/datasets/adding.h5:
# 8 steps of (value, marker), the target the sum of the two marked values), and
# its run, stopped and resumed, ends where the uninterrupted one does.
adding=Fixtures/datasets/adding.h5
lstm=(--layers "8x2,lstm16,1" --data "$adding" --loss mse --optimizer adam --lr 0.01)
step "The bundled sequence task" "$bin" ls "$adding"
step "Train an LSTM 20 epochs without a stop" \
  "$bin" train "${lstm[@]}" --epochs 20 --checkpoint "$work/lstm-full.ckpt.h5" --quiet
step "Train the same LSTM, stopping after 10 epochs" \
  "$bin" train "${lstm[@]}" --epochs 10 --checkpoint "$work/lstm.ckpt.h5" --quiet
step "Resume it to 20 epochs" "$bin" train --resume "$work/lstm.ckpt.h5" --epochs 20 --quiet
step "The resumed LSTM equals the uninterrupted one, bit for bit" \
  "$bin" diff "$work/lstm-full.ckpt.h5" "$work/lstm.ckpt.h5"
step "It adds the marked numbers of the test sequences" \
  "$bin" infer "$work/lstm.ckpt.h5" --input "$adding" --x /test/x --labels /test/y --metrics-only
step "The LSTM as ONNX, its LSTM operator" "$bin" convert "$work/lstm.ckpt.h5" "$work/lstm.onnx"
step "bpkit runs the ONNX file directly, to the same figures" \
  "$bin" infer "$work/lstm.onnx" --input "$adding" --x /test/x --labels /test/y --metrics-only

# Interchange: the same run as bpkit JSON (described by the JSON Schema that
# `bpkit schema model|checkpoint` prints) and as a Keras 3 file.
step "The checkpoint as bpkit JSON, weights in base64" \
  "$bin" convert "$work/run.ckpt.h5" "$work/run.ckpt.json" --weights base64
step "Back to HDF5" "$bin" convert "$work/run.ckpt.json" "$work/roundtrip.ckpt.h5"
step "Nothing was lost on the way" "$bin" diff "$work/run.ckpt.h5" "$work/roundtrip.ckpt.h5"
step "The trained model alone as readable bpkit JSON" \
  "$bin" convert "$work/full.ckpt.h5" "$work/model.json" --model-only
step "The trained model as a Keras 3 .keras file (with its optimizer state)" \
  "$bin" convert "$work/run.ckpt.h5" "$work/digits.keras"
step "bpkit runs the .keras file directly" \
  "$bin" infer "$work/digits.keras" --input "$digits" --x /test/x --labels /test/y --metrics-only
# The run at a glance, last: what the checkpoint holds, and its curves.
step "What the checkpoint holds" "$bin" inspect "$work/run.ckpt.h5"
step "Its training curves, as SVG" "$bin" plot "$work/run.ckpt.h5" -o "$work/curves.svg"
printf '\nOpen %s in a browser to see the curves.\n' "$work/curves.svg"
