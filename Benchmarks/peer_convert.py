"""onnx and safetensors in Python on the files `bpkit bench convert --python` wrote, for comparison.

Usage: python Benchmarks/peer_convert.py FOLDER RUNS   (needs onnx, safetensors, numpy)
Prints one line per figure: NAME SECONDS (the median of RUNS runs), which bpkit reports in GB/s.
"""
import os
import statistics
import sys
import time

import onnx
from safetensors.numpy import load_file, save_file

folder, runs = sys.argv[1], int(sys.argv[2])


def timed(body):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


model = onnx.load(os.path.join(folder, "bench.onnx"))
print("onnx.load", timed(lambda: onnx.load(os.path.join(folder, "bench.onnx"))))
print("onnx.save", timed(lambda: onnx.save(model, os.path.join(folder, "peer.onnx"))))
del model
tensors = load_file(os.path.join(folder, "bench.safetensors"))
print("safetensors load_file", timed(lambda: load_file(os.path.join(folder, "bench.safetensors"))))
print("safetensors save_file", timed(lambda: save_file(tensors, os.path.join(folder, "peer.safetensors"))))
