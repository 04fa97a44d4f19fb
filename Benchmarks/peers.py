"""bpkit beside its peers, measured in one session on this machine.

Dev-time only: bpkit never runs or needs this. It times the workloads of
`bpkit bench` in PyTorch and onnxruntime (2 threads, or --threads) and numpy, runs
`bpkit bench --json` in the same session, alternating rounds so that a busy
machine slows all of them alike, and prints a Markdown table of medians and
ratios (see BENCHMARKS.md).

Set up once, outside the repository:
    python3 -m venv /work/.venv-peers
    /work/.venv-peers/bin/pip install torch onnxruntime onnx numpy h5py safetensors threadpoolctl
Without torch (PyPI's wheel brings the whole CUDA stack), the PyTorch figures
are left out; onnxruntime's model is then built with onnx's helpers.
Run from the repository root, after `swift build -c release --product bpkit`:
    /work/.venv-peers/bin/python Benchmarks/peers.py --bpkit .build/release/bpkit --rounds 3
Only the peers, as JSON:
    /work/.venv-peers/bin/python Benchmarks/peers.py --json [gemm] [train-mlp] [train-rnn] [train-lstm] [train-gru] [infer]

Each workload is a function registered in WORKLOADS; a new one (for example a
checkpoint write/read) is a function returning {figure name: value} and an
entry in FIGURES describing how to compare it.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

RUNS = 5
THREADS = 2


def median_time(f, runs=RUNS):
    """Median seconds of `runs` calls of f by the wall clock, and by the
    processor time of the whole process (every thread of every pool), which
    other processes taking turns on a busy machine's cores do not inflate."""
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return Timing(sorted(wall)[runs // 2], sorted(cpu)[runs // 2])


class Timing:
    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu

    def figures(self, name, value):
        """{name: value(wall seconds), name + " cpu": value(processor seconds)}."""
        return {name: value(self.wall), name + " cpu": value(self.cpu)}


def have_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def numpy_kernels():
    """numpy's BLAS and the kernels it chose, as threadpoolctl reports them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl)"
    np.ones((2, 2)) @ np.ones((2, 2))
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f'{i.get("internal_api")} {i.get("version")} {i.get("architecture")}' for i in blas) or "unknown"


def torch_threads():
    import torch

    torch.set_num_threads(THREADS)
    return torch


def gemm():
    a = np.random.rand(1024, 1024).astype(np.float32)
    b = np.random.rand(1024, 1024).astype(np.float32)
    a @ b
    return median_time(lambda: [a @ b for _ in range(10)]).figures("gemm numpy", lambda s: 2 * 1024**3 * 10 / s / 1e9)


def train_mlp():
    if not have_torch():
        return {}
    torch = torch_threads()
    n = 128 * 40
    x = torch.rand(n, 784)
    y = torch.randint(0, 10, (n,))
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss = torch.nn.CrossEntropyLoss()

    def epoch():
        for i in range(0, n, 128):
            opt.zero_grad()
            loss(net(x[i : i + 128]), y[i : i + 128]).backward()
            opt.step()

    epoch()
    return median_time(epoch).figures("train-mlp torch", lambda s: n / s)


def train_sequence(name, make_layer):
    """The sequence workload of `bpkit bench train-rnn/lstm/gru`: a recurrent layer of 64 units over
    32 steps of 16 inputs, its last step into nn.Linear(64, 1), MSE, SGD, batches of 32."""
    if not have_torch():
        return {}
    torch = torch_threads()
    n = 32 * 40
    x = torch.rand(n, 32, 16)
    y = torch.rand(n, 1)
    layer = make_layer(torch.nn)
    head = torch.nn.Linear(64, 1)
    opt = torch.optim.SGD(list(layer.parameters()) + list(head.parameters()), lr=0.01)

    def epoch():
        for i in range(0, n, 32):
            opt.zero_grad()
            h, _ = layer(x[i : i + 32])
            ((head(h[:, -1]) - y[i : i + 32]) ** 2).mean().backward()
            opt.step()

    epoch()
    return median_time(epoch).figures(f"{name} torch", lambda s: n / s)


def train_rnn():
    return train_sequence("train-rnn", lambda nn: nn.RNN(16, 64, batch_first=True, nonlinearity="tanh"))


def train_lstm():
    return train_sequence("train-lstm", lambda nn: nn.LSTM(16, 64, batch_first=True))


def train_gru():
    return train_sequence("train-gru", lambda nn: nn.GRU(16, 64, batch_first=True))


def mlp_onnx(path, weights):
    """The 784-256-128-10 relu/softmax MLP as an ONNX graph, built with onnx's helpers."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, x = [], [], "x"
    for i, (w, b) in enumerate(weights):
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [f"z{i}"]))
        x = f"z{i}"
        if i < len(weights) - 1:
            nodes.append(helper.make_node("Relu", [x], [f"h{i}"]))
            x = f"h{i}"
    nodes.append(helper.make_node("Softmax", [x], ["y"], axis=-1))
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 784])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 10])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def infer():
    out = {}
    calls = 2000
    rng = np.random.default_rng(1)
    a1 = rng.random((1, 784), dtype=np.float32)
    ab = rng.random((1024, 784), dtype=np.float32)
    sizes = [(784, 256), (256, 128), (128, 10)]
    weights = [(rng.standard_normal(s, dtype=np.float32) * 0.05, np.zeros(s[1], np.float32)) for s in sizes]
    if have_torch():
        torch = torch_threads()
        net = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 10), torch.nn.Softmax(-1),
        ).eval()
        x1, xb = torch.from_numpy(a1), torch.from_numpy(ab)
        with torch.no_grad():
            for _ in range(200):
                net(x1)
            out.update(median_time(lambda: [net(x1) for _ in range(calls)]).figures(
                "infer batch 1 torch", lambda s: s / calls * 1e6))
            net(xb)
            out.update(median_time(lambda: [net(xb) for _ in range(5)]).figures(
                "infer batch 1024 torch", lambda s: 1024 * 5 / s))
    import onnxruntime as ort

    path = os.path.join(tempfile.mkdtemp(), "mlp.onnx")
    mlp_onnx(path, weights)
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    for _ in range(200):
        session.run(None, {"x": a1})
    out.update(median_time(lambda: [session.run(None, {"x": a1}) for _ in range(calls)]).figures(
        "infer batch 1 onnxruntime", lambda s: s / calls * 1e6))
    session.run(None, {"x": ab})
    out.update(median_time(lambda: [session.run(None, {"x": ab}) for _ in range(5)]).figures(
        "infer batch 1024 onnxruntime", lambda s: 1024 * 5 / s))
    return out


WORKLOADS = {
    "gemm": gemm, "train-mlp": train_mlp, "train-rnn": train_rnn, "train-lstm": train_lstm, "train-gru": train_gru,
    "infer": infer,
}

# Table rows: bpkit's figure (its workload name in `bpkit bench --json`), the
# peers beside it, the unit, and whether more is better.
FIGURES = [
    ("gemm 1024^3", ["gemm numpy"], "GFLOP/s", True),
    ("train-mlp", ["train-mlp torch"], "samples/s", True),
    ("train-rnn", ["train-rnn torch"], "seq/s", True),
    ("train-lstm", ["train-lstm torch"], "seq/s", True),
    ("train-gru", ["train-gru torch"], "seq/s", True),
    ("infer batch 1", ["infer batch 1 torch", "infer batch 1 onnxruntime"], "µs", False),
    ("infer batch 1024", ["infer batch 1024 torch", "infer batch 1024 onnxruntime"], "samples/s", True),
]


def cap_threads(threads):
    """Every BLAS and OpenMP pool of the peers to `threads`, not only the ones
    torch.set_num_threads and onnxruntime's options govern: numpy's OpenBLAS
    (and one a peer bundles) otherwise starts a thread per CPU, and its work
    on those threads flatters the peer's figures. The variables reach pools
    loaded later (torch and onnxruntime are imported lazily); threadpoolctl
    resizes those already loaded (numpy's)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        sys.exit("peers.py needs threadpoolctl to cap the peers' BLAS threads: pip install threadpoolctl")
    return threadpool_limits(limits=threads)


def run_peers(names):
    out = {}
    # Entered per round, so that the pools loaded in earlier rounds are capped too.
    with cap_threads(THREADS):
        for name in names:
            out.update(WORKLOADS[name]())
    return out


def run_bpkit(binary, names, threads=0):
    out = {}
    for name in names:
        command = [binary, "bench", name, "--json"] + (["--threads", str(threads)] if threads else [])
        lines = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        for line in lines.splitlines():
            record = json.loads(line)
            if "workload" in record:
                out[record["workload"]] = record["median"]
                if "cpu_median" in record:
                    out[record["workload"] + " cpu"] = record["cpu_median"]
            else:
                out["kernels"] = record["kernels"]
    return out


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2


def table(rounds, clock=""):
    """The Markdown table of medians and ratios; clock " cpu" reads the
    figures by processor time instead of the wall clock."""
    merged = {}
    for figures in rounds:
        for key, value in figures.items():
            merged.setdefault(key, []).append(value)
    lines = [
        "| workload | bpkit | peer | peer figure | bpkit ÷ peer (>1: bpkit faster) |",
        "|---|---|---|---|---|",
    ]
    for ours, peers, unit, higher in FIGURES:
        if ours + clock not in merged:
            continue
        mine = median(merged[ours + clock])
        for peer in peers:
            if peer + clock not in merged:
                continue
            theirs = median(merged[peer + clock])
            ratio = mine / theirs if higher else theirs / mine
            lines.append(f"| {ours} | {mine:,.1f} {unit} | {peer.split(' ')[-1]} | {theirs:,.1f} {unit} | {ratio:.2f}× |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workloads", nargs="*", help="any of " + ", ".join(WORKLOADS) + " (default: all)")
    parser.add_argument("--bpkit", help="path of a release-built bpkit to measure beside the peers")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians over rounds")
    parser.add_argument("--json", action="store_true", help="print the raw figures of every round as JSON")
    parser.add_argument("--threads", type=int, default=2, help="threads for PyTorch and onnxruntime (default 2)")
    parser.add_argument("--bpkit-threads", type=int, default=0,
                        help="bpkit bench's --threads (default 0: bpkit's own choice per workload)")
    args = parser.parse_args()
    global THREADS
    THREADS = args.threads
    cap_threads(THREADS)
    names = args.workloads or list(WORKLOADS)
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {unknown[0]}; choose from {', '.join(WORKLOADS)}")
    rounds = []
    kernels = None
    for index in range(args.rounds):
        figures = {}
        if args.bpkit:
            figures.update(run_bpkit(args.bpkit, names, args.bpkit_threads))
            kernels = figures.pop("kernels", kernels)
        figures.update(run_peers(names))
        rounds.append(figures)
        print(f"round {index + 1}: " + json.dumps({k: round(v, 2) for k, v in figures.items()}), file=sys.stderr)
    if args.json:
        print(json.dumps(rounds, indent=1))
        return
    import onnxruntime

    torch_version = __import__("torch").__version__ if have_torch() else "absent"
    print(f"torch {torch_version}, onnxruntime {onnxruntime.__version__}, numpy {np.__version__} ({numpy_kernels()}), "
          f"{THREADS} peer threads" + (f", bpkit kernels {kernels}" if kernels else ""))
    print(f"medians over {args.rounds} rounds, each figure itself a median of {RUNS} runs\n")
    print("By the wall clock:\n")
    print(table(rounds))
    print("\nBy processor time (every thread of the process; a busy machine does not inflate it):\n")
    print(table(rounds, " cpu"))


if __name__ == "__main__":
    main()
