"""CPU time of the sequence-training workloads (`bpkit bench train-rnn | train-lstm | train-gru`) in bpkit and PyTorch.

Dev-time only. On a shared machine the wall clock mostly measures the other processes; CPU time is
what the work itself costs. Per workload and thread count, alternating bpkit and PyTorch:
  bpkit    the CPU time (user + system, getrusage of the child) of `bpkit bench NAME --threads N
           --runs 1+R` minus that of `--runs 1`: R epochs, without start-up, data and warm-up epoch
  PyTorch  time.process_time() of each epoch of peers.py's train_sequence (the same network, data
           sizes, loss and optimizer), with torch and every BLAS pool at N threads
and prints sequences per CPU-second (1,280 sequences an epoch), medians over the rounds. With 2
threads this counts the work on both threads, so it measures efficiency, not the speed-up.

Run from the repository root, after `swift build -c release --product bpkit`:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/.venv-peers-debian/bin/python \\
        Benchmarks/sequence_cpu_time.py --bpkit .build/release/bpkit --rounds 5 train-lstm train-gru
"""
import argparse
import os
import resource
import subprocess
import sys
import time

SEQUENCES = 32 * 40


def bpkit_cpu(binary, name, threads, epochs):
    def child_cpu(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([binary, "bench", name, "--threads", str(threads), "--runs", str(runs), "--json"],
                       check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    return SEQUENCES * epochs / (child_cpu(1 + epochs) - child_cpu(1))


def torch_cpu(name, threads, epochs):
    import torch

    torch.set_num_threads(threads)
    make = {"train-rnn": lambda nn: nn.RNN(16, 64, batch_first=True, nonlinearity="tanh"),
            "train-lstm": lambda nn: nn.LSTM(16, 64, batch_first=True),
            "train-gru": lambda nn: nn.GRU(16, 64, batch_first=True)}[name]
    x, y = torch.rand(SEQUENCES, 32, 16), torch.rand(SEQUENCES, 1)
    layer, head = make(torch.nn), torch.nn.Linear(64, 1)
    opt = torch.optim.SGD(list(layer.parameters()) + list(head.parameters()), lr=0.01)

    def epoch():
        for i in range(0, SEQUENCES, 32):
            opt.zero_grad()
            h, _ = layer(x[i : i + 32])
            ((head(h[:, -1]) - y[i : i + 32]) ** 2).mean().backward()
            opt.step()

    epoch()
    start = time.process_time()
    for _ in range(epochs):
        epoch()
    return SEQUENCES * epochs / (time.process_time() - start)


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workloads", nargs="*", default=["train-lstm"])
    parser.add_argument("--bpkit", required=True, help="a release-built bpkit")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed per round and figure")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = []
    for threads in args.threads:
        for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]:
            os.environ[name] = str(threads)
        for workload in args.workloads:
            ours, theirs = [], []
            for index in range(args.rounds):
                ours.append(bpkit_cpu(args.bpkit, workload, threads, args.epochs))
                theirs.append(torch_cpu(workload, threads, args.epochs))
                print(f"{workload} {threads} thread(s) round {index + 1}: bpkit {ours[-1]:,.0f}, "
                      f"PyTorch {theirs[-1]:,.0f} seq per CPU-second, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
            rows.append((workload, threads, ours, theirs))
    import torch

    print(f"torch {torch.__version__}; sequences per CPU-second, medians of {args.rounds} alternating rounds "
          f"of {args.epochs} epochs\n")
    print("| workload | threads | bpkit | PyTorch | bpkit ÷ PyTorch | bpkit rounds | PyTorch rounds |")
    print("|---|---|---|---|---|---|---|")
    for workload, threads, ours, theirs in rows:
        print(f"| {workload} | {threads} | {median(ours):,.0f} | {median(theirs):,.0f} | "
              f"{median(ours) / median(theirs):.2f}× | {', '.join(f'{v:,.0f}' for v in ours)} | "
              f"{', '.join(f'{v:,.0f}' for v in theirs)} |")


if __name__ == "__main__":
    main()
