"""onnx and safetensors in Python on the files `bpkit bench convert --python` wrote, for comparison.

Usage: python Benchmarks/peer_convert.py FOLDER RUNS   (needs onnx, safetensors, numpy)
Prints one line per figure: NAME WALL CPU, the medians of RUNS runs of wall-clock
and processor seconds (time.process_time: every thread of the process), which
bpkit reports in GB/s.
"""
import os
import statistics
import sys
import time

import onnx
from safetensors.numpy import load_file, save_file

folder, runs = sys.argv[1], int(sys.argv[2])


def timed(body):
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        body()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return f"{statistics.median(walls)} {statistics.median(cpus)}"


model = onnx.load(os.path.join(folder, "bench.onnx"))
print("onnx.load", timed(lambda: onnx.load(os.path.join(folder, "bench.onnx"))))
print("onnx.save", timed(lambda: onnx.save(model, os.path.join(folder, "peer.onnx"))))
del model
tensors = load_file(os.path.join(folder, "bench.safetensors"))
print("safetensors load_file", timed(lambda: load_file(os.path.join(folder, "bench.safetensors"))))
print("safetensors save_file", timed(lambda: save_file(tensors, os.path.join(folder, "peer.safetensors"))))
