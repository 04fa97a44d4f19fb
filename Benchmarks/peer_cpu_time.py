"""CPU time (time.thread_time) of the peers' 784-256-128-10 inference on 1 thread, the model peers.py builds.

Dev-time only, beside Benchmarks/forward_cpu_time.c, which times bpkit's kernels the same way: on a shared
machine the wall clock mostly measures the other processes. Run from the repository root:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/.venv-peers/bin/python Benchmarks/peer_cpu_time.py
"""
import os, sys, time, tempfile

# Every BLAS and OpenMP pool on the calling thread, so that its CPU clock counts all the work.
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers
peers.THREADS = 1
def med(f, calls, runs=9):
    c, w = [], []
    for _ in range(runs):
        t0, w0 = time.thread_time(), time.perf_counter()
        for _ in range(calls): f()
        c.append((time.thread_time() - t0) / calls); w.append((time.perf_counter() - w0) / calls)
    return sorted(c)[runs // 2], sorted(w)[runs // 2]
rng = np.random.default_rng(1)
a1 = rng.random((1, 784), dtype=np.float32); ab = rng.random((1024, 784), dtype=np.float32)
sizes = [(784, 256), (256, 128), (128, 10)]
weights = [(rng.standard_normal(s, dtype=np.float32) * 0.05, np.zeros(s[1], np.float32)) for s in sizes]
import onnxruntime as ort
path = os.path.join(tempfile.mkdtemp(), "mlp.onnx"); peers.mlp_onnx(path, weights)
o = ort.SessionOptions(); o.intra_op_num_threads = 1; o.inter_op_num_threads = 1
s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
for _ in range(200): s.run(None, {"x": a1})
c, w = med(lambda: s.run(None, {"x": a1}), 2000); print(f"onnxruntime batch 1: {c*1e6:.2f} us CPU, {w*1e6:.2f} us wall")
s.run(None, {"x": ab}); c, w = med(lambda: s.run(None, {"x": ab}), 5); print(f"onnxruntime batch 1024: {1024/c:.0f} samples/s CPU, {1024/w:.0f} wall")
import torch
torch.set_num_threads(1)
net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10), torch.nn.Softmax(-1)).eval()
x1, xb = torch.from_numpy(a1), torch.from_numpy(ab)
with torch.no_grad():
    for _ in range(200): net(x1)
    c, w = med(lambda: net(x1), 2000); print(f"torch batch 1: {c*1e6:.2f} us CPU, {w*1e6:.2f} us wall")
    net(xb); c, w = med(lambda: net(xb), 5); print(f"torch batch 1024: {1024/c:.0f} samples/s CPU, {1024/w:.0f} wall")
