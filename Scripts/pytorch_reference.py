"""Makes PyTorch reference files for bpkit's ONNX and safetensors tests, with real PyTorch.

bpkit and its tests never run Python or PyTorch: this script writes fixtures that the tests
compare with, into Fixtures/pytorch/. Rerun it to remake them (the weights come from a fixed seed).

Usage:  /path/to/venv/bin/python Scripts/pytorch_reference.py --bpkit .build/debug/bpkit
Needs:  python3 -m venv VENV && VENV/bin/pip install torch onnx onnxscript safetensors h5py numpy keras
        (the plain PyPI wheels; Keras runs on its PyTorch backend here, so TensorFlow is not needed)

For each case NAME it writes
  NAME.torchscript.onnx  torch.onnx.export(dynamo=False), opset 17, dynamic batch (and steps)
  NAME.dynamo.onnx       torch.onnx.export(dynamo=True), opset 18 (nn.RNN unrolled over the steps of x)
  NAME.safetensors       safetensors.torch.save_file(model.state_dict()): a plain state_dict
  NAME.ref.h5            x and PyTorch's outputs y (float32), with the --layers spec bpkit
                         needs for the plain state_dict (attribute "layers")
  NAME.keras, NAME.keras.pred.h5
                         the round trip PyTorch -> ONNX -> bpkit -> Keras: `bpkit convert
                         NAME.torchscript.onnx NAME.keras`, loaded by keras.models.load_model,
                         with Keras' predictions on x
and NAME.bpkit.safetensors, bpkit's safetensors export of the same network, which the snippet of
Schemas/PYTORCH.md loads into the module it builds; its predictions must be PyTorch's within 1e-5
(snippet-check.txt records them).
"""
import argparse
import os
import subprocess
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import h5py
import numpy as np
import torch
from torch import nn
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "pytorch")
ap = argparse.ArgumentParser()
ap.add_argument("--bpkit", required=True, help="the bpkit binary for the Keras round trip")
ap.add_argument("--seed", type=int, default=17)
a = ap.parse_args()
torch.manual_seed(a.seed)
rng = np.random.default_rng(a.seed)


class LastStep(nn.Module):
    """nn.RNN (batch_first) followed by an nn.Linear on the last step."""

    def __init__(self, features, hidden, layers, nonlinearity, outputs):
        super().__init__()
        self.rnn = nn.RNN(features, hidden, num_layers=layers, nonlinearity=nonlinearity, batch_first=True)
        self.fc = nn.Linear(hidden, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


class EveryStep(nn.Module):
    """nn.RNN (batch_first) followed by an nn.Linear on every step."""

    def __init__(self, features, hidden, nonlinearity, outputs):
        super().__init__()
        self.rnn = nn.RNN(features, hidden, nonlinearity=nonlinearity, batch_first=True)
        self.fc = nn.Linear(hidden, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out)


def cases():
    yield ("mlp_every_activation", "6," + ",".join([
        "8:relu", "8:tanh", "6:sigmoid", "6:leaky_relu(0.1)", "5:elu(0.5)", "4:softmax"]),
        nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 6), nn.Sigmoid(),
                      nn.Linear(6, 6), nn.LeakyReLU(0.1), nn.Linear(6, 5), nn.ELU(0.5), nn.Linear(5, 4),
                      nn.Softmax(dim=-1)), (6,), None)
    yield ("mlp_linear_head", "4,7:tanh,3",
           nn.Sequential(nn.Linear(4, 7), nn.Tanh(), nn.Linear(7, 3)), (4,), None)
    yield ("rnn_tanh_stacked_last", "?x3,rnn5:tanh:seq,rnn5:tanh,2",
           LastStep(3, 5, 2, "tanh", 2), (6, 3), "steps")
    yield ("rnn_relu_every_step", "?x2,rnn4:relu:seq,3",
           EveryStep(2, 4, "relu", 3), (5, 2), "steps")


def export(model, x, path, dynamo, steps):
    axes = {0: "batch"}
    if steps:
        axes[1] = "steps"
    if dynamo:
        shapes = {0: torch.export.Dim("batch")}
        if steps:
            shapes[1] = torch.export.Dim("steps", min=2)
        torch.onnx.export(model, (x,), path, dynamo=True, input_names=["input"], output_names=["output"],
                          dynamic_shapes=(shapes,), opset_version=18, external_data=False)
    else:
        torch.onnx.export(model, (x,), path, dynamo=False, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": axes, "output": {0: "batch"}}, opset_version=17)


def write_ref(path, x, y, layers, note):
    with h5py.File(path, "w") as f:
        f["x"] = x
        f["y"] = y
        f.attrs["torch_version"] = str(torch.__version__)
        f.attrs["layers"] = layers
        f.attrs["note"] = note


def main():
    import keras

    os.makedirs(OUT, exist_ok=True)
    for name, layers, model, shape, steps in cases():
        model.eval()
        x = torch.tensor(rng.standard_normal((5, *shape)).astype(np.float32))
        with torch.no_grad():
            y = model(x).numpy().astype(np.float32)
        base = os.path.join(OUT, name)
        export(model, x, base + ".torchscript.onnx", False, steps)
        # The dynamo exporter unrolls nn.RNN into per-step MatMul, Add and activation for the
        # number of steps traced (the model's input then has that fixed length).
        export(model, x, base + ".dynamo.onnx", True, steps)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, base + ".safetensors")
        write_ref(base + ".ref.h5", x.numpy(), y, layers, type(model).__name__)
        # PyTorch -> ONNX -> bpkit -> Keras.
        subprocess.run([a.bpkit, "convert", base + ".torchscript.onnx", base + ".keras"], check=True)
        keras_model = keras.models.load_model(base + ".keras")
        with h5py.File(base + ".keras.pred.h5", "w") as f:
            f["x"] = x.numpy()
            f["y"] = np.asarray(keras_model.predict(x.numpy(), verbose=0), dtype=np.float32)
            f.attrs["keras_version"] = keras.__version__
        print(name, y.shape, "keras max difference", float(np.max(np.abs(f_y(base) - y))))
    check_snippet()
    return 0


def check_snippet():
    """Runs the snippet of Schemas/PYTORCH.md on bpkit's safetensors export of each case."""
    text = open(os.path.join(ROOT, "Schemas", "PYTORCH.md")).read()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(code, "Schemas/PYTORCH.md", "exec"), scope)
    lines = [f"Schemas/PYTORCH.md's load_bpkit on bpkit's export of each case, torch {torch.__version__}"]
    for name, *_ in cases():
        base = os.path.join(OUT, name)
        subprocess.run([a.bpkit, "convert", base + ".torchscript.onnx", base + ".bpkit.safetensors"], check=True)
        with h5py.File(base + ".ref.h5") as f:
            x, y = f["x"][()], f["y"][()]
        with torch.no_grad():
            got = scope["load_bpkit"](base + ".bpkit.safetensors")(torch.tensor(x)).numpy()
        difference = float(np.max(np.abs(got - y)))
        if not difference <= 1e-5:
            raise SystemExit(f"{name}: the snippet's model differs from PyTorch's by {difference}")
        lines.append(f"{name}: largest difference from PyTorch's outputs {difference:.3g}")
    with open(os.path.join(OUT, "snippet-check.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def f_y(base):
    with h5py.File(base + ".keras.pred.h5") as f:
        return f["y"][()]


if __name__ == "__main__":
    sys.exit(main())
