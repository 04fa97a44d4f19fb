"""Makes PyTorch reference files of nn.LSTM and nn.GRU networks for bpkit's ONNX and safetensors tests.

bpkit and its tests never run Python or PyTorch: this script writes fixtures that the tests compare
with, into Fixtures/pytorch/, beside those of Scripts/pytorch_reference.py. Rerun it to remake them
(the weights come from a fixed seed).

Usage:  VENV/bin/python Scripts/pytorch_gated_reference.py [--bpkit .build/debug/bpkit]
Needs:  torch (Debian 12's python3-torch 1.13 does: `apt-get install python3-torch`, then
        `/usr/bin/python3 -m venv --system-site-packages VENV`), and in VENV
        `pip install h5py safetensors onnx "numpy<2"`. The TorchScript exporter
        (torch.onnx.export, dynamo=False) writes nn.LSTM and nn.GRU as ONNX's LSTM and GRU operators.

For each case NAME it writes
  NAME.torchscript.onnx  torch.onnx.export, opset 17, dynamic batch and steps
  NAME.safetensors       safetensors.torch.save_file(model.state_dict()): a plain state_dict
  NAME.ref.h5            x and PyTorch's outputs y (float32), with the --layers spec bpkit
                         needs for the plain state_dict (attribute "layers")
With --bpkit, also NAME.bpkit.safetensors, bpkit's safetensors export of the ONNX import, which the
snippet of Schemas/PYTORCH.md loads into the module it builds; its predictions must be PyTorch's
within 1e-5 (gated-snippet-check.txt records them).
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "pytorch")


class LastStep(nn.Module):
    """Recurrent modules (batch_first) in a row, then an nn.Linear on the last step."""

    def __init__(self, recurrent, hidden, outputs):
        super().__init__()
        self.recurrent = nn.ModuleList(recurrent)
        self.fc = nn.Linear(hidden, outputs)

    def forward(self, x):
        for module in self.recurrent:
            x, _ = module(x)
        return self.fc(x[:, -1, :])


class EveryStep(nn.Module):
    """One recurrent module (batch_first), then an nn.Linear on every step."""

    def __init__(self, recurrent, hidden, outputs):
        super().__init__()
        self.rnn = recurrent
        self.fc = nn.Linear(hidden, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out)


def cases():
    yield ("lstm_stacked_last", "?x3,lstm5:seq,lstm5,2",
           LastStep([nn.LSTM(3, 5, num_layers=2, batch_first=True)], 5, 2), (6, 3))
    yield ("gru_every_step", "?x2,gru4:seq,3",
           EveryStep(nn.GRU(2, 4, batch_first=True), 4, 3), (5, 2))
    yield ("lstm_gru_last", "?x3,lstm4:seq,gru5,2",
           LastStep([nn.LSTM(3, 4, batch_first=True), nn.GRU(4, 5, batch_first=True)], 5, 2), (7, 3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpkit", help="the bpkit binary, to check Schemas/PYTORCH.md's snippet on its exports")
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(OUT, exist_ok=True)
    for name, layers, model, shape in cases():
        model.eval()
        x = torch.tensor(rng.standard_normal((4, *shape)).astype(np.float32))
        with torch.no_grad():
            y = model(x).numpy().astype(np.float32)
        base = os.path.join(OUT, name)
        torch.onnx.export(model, (x,), base + ".torchscript.onnx", input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch", 1: "steps"}, "output": {0: "batch"}},
                          opset_version=17)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, base + ".safetensors")
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x.numpy()
            f["y"] = y
            f.attrs["torch_version"] = str(torch.__version__)
            f.attrs["layers"] = layers
            f.attrs["note"] = type(model).__name__
        print(name, tuple(y.shape))
    if a.bpkit:
        check_snippet(a.bpkit)
    return 0


def check_snippet(bpkit):
    """Runs the snippet of Schemas/PYTORCH.md on bpkit's safetensors export of each case."""
    text = open(os.path.join(ROOT, "Schemas", "PYTORCH.md")).read()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(code, "Schemas/PYTORCH.md", "exec"), scope)
    lines = [f"Schemas/PYTORCH.md's load_bpkit on bpkit's export of each case, torch {torch.__version__}"]
    for name, *_ in cases():
        base = os.path.join(OUT, name)
        subprocess.run([bpkit, "convert", base + ".torchscript.onnx", base + ".bpkit.safetensors"],
                       check=True)
        with h5py.File(base + ".ref.h5") as f:
            x, y = f["x"][()], f["y"][()]
        with torch.no_grad():
            got = scope["load_bpkit"](base + ".bpkit.safetensors")(torch.tensor(x)).numpy()
        difference = float(np.max(np.abs(got - y)))
        if not difference <= 1e-5:
            raise SystemExit(f"{name}: the snippet's model differs from PyTorch's by {difference}")
        lines.append(f"{name}: largest difference from PyTorch's outputs {difference:.3g}")
    with open(os.path.join(OUT, "gated-snippet-check.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
