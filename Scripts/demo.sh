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
