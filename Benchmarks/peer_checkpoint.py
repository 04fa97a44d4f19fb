"""h5py and PyTorch writing and reading the tensors of `bpkit bench checkpoint`.

Dev-time only: `bpkit bench checkpoint --python PYTHON` runs this script with
that interpreter (which needs h5py, numpy and torch) to compare, in the same
run. The layout is bpkit's benchmark's: LAYERS layers of a [WIDTH, WIDTH]
kernel and a [WIDTH] bias, Float32; h5py writes contiguous datasets without
filters, torch a state dict. Prints one "name median-seconds" line per figure.

Usage: peer_checkpoint.py FOLDER LAYERS WIDTH RUNS
"""
import os, sys, time, statistics
import numpy as np, h5py, torch
folder, layers, width, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
tensors = {}
for i in range(layers):
    tensors[f"dense_{i}/kernel"] = rng.random((width, width), dtype=np.float32) - 0.5
    tensors[f"dense_{i}/bias"] = rng.random((width,), dtype=np.float32) - 0.5
def timed(f):
    start = time.perf_counter(); f(); return time.perf_counter() - start
h5 = os.path.join(folder, "peer.h5"); pt = os.path.join(folder, "peer.pt")
def h5_write():
    with h5py.File(h5, "w") as f:
        for k, v in tensors.items(): f.create_dataset(k, data=v)
def h5_read():
    with h5py.File(h5, "r") as f:
        out = {}
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset): out[name] = obj[()]
        f.visititems(visit)
state = {k.replace("/", "."): torch.from_numpy(v) for k, v in tensors.items()}
def torch_save(): torch.save(state, pt)
def torch_load(): torch.load(pt)
results = {"h5py_write": [], "h5py_read": [], "torch_save": [], "torch_load": []}
for _ in range(runs):
    results["h5py_write"].append(timed(h5_write)); results["h5py_read"].append(timed(h5_read))
    results["torch_save"].append(timed(torch_save)); results["torch_load"].append(timed(torch_load))
for k, v in results.items(): print(k, statistics.median(v))
os.remove(h5); os.remove(pt)
