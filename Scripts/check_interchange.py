"""Checks the ONNX and safetensors files bpkit's tests wrote, with the Python tools people use.

`make test` runs it after the Swift tests, in the test venv (onnx, onnxruntime, safetensors, numpy).
Each folder under .build/interchange-outputs/ is one case the tests kept (see
Tests/_BPKitTestSupport/InterchangeOutputs.swift): model.onnx or model.safetensors, x.bin and
y.bin (float32), and case.json with their shapes and where y came from (bpkit's own
predictions, or Keras' or PyTorch's).

  model.onnx         onnx.checker.check_model(full_check=True) must pass, and onnxruntime's
                     output on x must be within 1e-5 of y.
  names              when case.json has them, the feature and class names that the file's
                     metadata (ONNX metadata_props, safetensors __metadata__) must hold as JSON
                     arrays under bpkit.feature_names and bpkit.class_names.
  model.safetensors  safetensors.numpy.load_file must read it; the tensors, named as
                     Schemas/PYTORCH.md says, are run as the PyTorch modules would run them
                     (nn.Linear: x W^T + b; nn.RNN: h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh);
                     nn.LSTM with gates i, f, g, o; nn.GRU with gates r, z, n) in numpy, and the result
                     must be within 1e-5 of y.
  float64            a case whose case.json says "dtype": "float64" (a float64 model) has x.bin and
                     y.bin of little-endian doubles: every tensor of the file must be float64 (ONNX
                     DOUBLE initializers, graph input and output typed DOUBLE; safetensors F64), x is
                     fed as float64, the output must come back float64, and it must be within the
                     case's "tolerance" of y.

Usage: python Scripts/check_interchange.py [FOLDER]
"""
import json
import math
import os
import sys

import numpy as np

TOLERANCE = 1e-5


def close(a, b, tolerance=TOLERANCE):
    # Within the tolerance (1e-5), relative to the magnitude for outputs above 1.
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tolerance * np.maximum(1.0, np.abs(b))))


def load(folder, name, shape, dtype="float32"):
    return np.fromfile(os.path.join(folder, name), dtype="<f8" if dtype == "float64" else "<f4").reshape(shape)


def check_onnx(path, x, dtype="float32"):
    import onnx
    import onnxruntime

    onnx.checker.check_model(path, full_check=True)
    if dtype == "float64":
        # A float64 model's graph: DOUBLE weights, input and output, nothing narrower.
        model = onnx.load(path)
        double = onnx.TensorProto.DOUBLE
        narrow = [i.name for i in model.graph.initializer
                  if i.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16)]
        if narrow:
            raise AssertionError(f"initializers not DOUBLE: {narrow}")
        for value in list(model.graph.input) + list(model.graph.output):
            if value.type.tensor_type.elem_type != double:
                raise AssertionError(f"graph {value.name} is not typed DOUBLE")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


ACTIVATIONS = {
    "linear": lambda z, a: z,
    "sigmoid": lambda z, a: 1 / (1 + np.exp(-z)),
    "tanh": lambda z, a: np.tanh(z),
    "relu": lambda z, a: np.maximum(z, 0),
    "leaky_relu": lambda z, a: np.where(z > 0, z, a * z),
    "elu": lambda z, a: np.where(z > 0, z, a * (np.exp(z) - 1)),
    "hard_sigmoid": lambda z, a: np.clip(z / 6 + 0.5, 0, 1),
    "softmax": lambda z, a: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True),
    # Keras 3's activations (format 1.4), as keras/src/activations/activations.py defines them.
    "gelu": lambda z, a: z / 2 * (1 + np.vectorize(math.erf)(z / math.sqrt(2))),
    "gelu_tanh": lambda z, a: z / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3))),
    "silu": lambda z, a: z / (1 + np.exp(-z)),
    "softplus": lambda z, a: np.logaddexp(z, 0),
    "softsign": lambda z, a: z / (1 + np.abs(z)),
    "selu": lambda z, a: 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(z)),
    "hard_silu": lambda z, a: z * np.clip(z / 6 + 0.5, 0, 1),
    "relu6": lambda z, a: np.clip(z, 0, 6),
    "exponential": lambda z, a: np.exp(z),
    "mish": lambda z, a: z * np.tanh(np.logaddexp(z, 0)),
    "log_softmax": lambda z, a: z - z.max(-1, keepdims=True) - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)),
}


def activation(spec):
    if isinstance(spec, str):
        return ACTIVATIONS[spec], None
    return ACTIVATIONS[spec["name"]], spec.get("alpha")


def check_safetensors(path, x, dtype="float32"):
    """Runs the file's tensors as the PyTorch modules of Schemas/PYTORCH.md, in float64."""
    from safetensors import safe_open
    from safetensors.numpy import load_file

    stored = load_file(path)
    wanted = np.float64 if dtype == "float64" else np.float32
    wrong = sorted(k for k, v in stored.items() if v.dtype != wanted)
    if wrong:
        raise AssertionError(f"tensors not {np.dtype(wanted).name}: {wrong}")
    tensors = {k: v.astype(np.float64) for k, v in stored.items()}
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata() or {}
    network = json.loads(metadata["bpkit.network"])
    h = x.astype(np.float64)
    used = set()
    module = 0  # nn.Sequential's numbering: a dense layer's activation module takes the next number
    for layer in network["layers"]:
        prefix = str(module)
        kind = layer["type"]
        spec = layer.get("activation", "linear" if kind == "dense" else "tanh")
        module += 2 if kind == "dense" and spec != "linear" else 1
        if kind == "dropout":  # nn.Dropout: no tensors, the identity in eval()
            continue
        if kind == "standardize":
            mean, std = tensors[prefix + ".mean"], tensors[prefix + ".std"]
            used |= {prefix + ".mean", prefix + ".std"}
            h = (h - mean) / std
            continue
        f, alpha = activation(spec)
        if kind == "dense":
            w = tensors[prefix + ".weight"]
            used.add(prefix + ".weight")
            z = h @ w.T
            if prefix + ".bias" in tensors:
                z = z + tensors[prefix + ".bias"]
                used.add(prefix + ".bias")
            h = f(z, alpha)
        else:
            names = [prefix + "." + n for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
            w_ih, w_hh = tensors[names[0]], tensors[names[1]]
            b_ih = tensors.get(names[2], 0)
            b_hh = tensors.get(names[3], 0)
            used |= {n for n in names if n in tensors}
            state = np.zeros((h.shape[0], w_hh.shape[1]))
            cell = np.zeros_like(state)
            s, beta = activation(layer.get("recurrent_activation", "sigmoid"))
            steps = []
            for t in range(h.shape[1]):
                if kind == "lstm":  # nn.LSTM: gates i, f, g, o
                    i, fg, g, o = np.split(h[:, t] @ w_ih.T + b_ih + state @ w_hh.T + b_hh, 4, axis=1)
                    cell = s(fg, beta) * cell + s(i, beta) * f(g, alpha)
                    state = s(o, beta) * f(cell, alpha)
                elif kind == "gru":  # nn.GRU: gates r, z, n, the reset gate after the recurrent product
                    ir, iz, i_n = np.split(h[:, t] @ w_ih.T + b_ih, 3, axis=1)
                    hr, hz, hn = np.split(state @ w_hh.T + b_hh, 3, axis=1)
                    r, z = s(ir + hr, beta), s(iz + hz, beta)
                    state = (1 - z) * f(i_n + r * hn, alpha) + z * state
                else:
                    state = f(h[:, t] @ w_ih.T + b_ih + state @ w_hh.T + b_hh, alpha)
                steps.append(state)
            h = np.stack(steps, axis=1) if layer.get("return_sequences", False) else state
    extra = set(tensors) - used
    if extra:
        raise AssertionError(f"tensors the PyTorch modules do not use: {sorted(extra)}")
    return h


def check_names(path, names):
    """The names kept in the file's metadata, as Python's onnx and safetensors read them."""
    if path.endswith(".onnx"):
        import onnx

        metadata = {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}
    else:
        from safetensors import safe_open

        with safe_open(path, framework="numpy") as f:
            metadata = f.metadata() or {}
    for key, expected in names.items():
        found = json.loads(metadata[key]) if key in metadata else None
        if found != expected:
            raise AssertionError(f"metadata {key} is {found}, expected {expected}")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else ".build/interchange-outputs"
    if not os.path.isdir(root):
        print(f"interchange: no files to check in {root}")
        return 1
    passed, failed = 0, 0
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        with open(os.path.join(folder, "case.json")) as f:
            case = json.load(f)
        dtype = case.get("dtype", "float32")
        x = load(folder, "x.bin", case["x_shape"], dtype)
        y = load(folder, "y.bin", case["y_shape"], dtype)
        path = os.path.join(folder, case["model"])
        try:
            if path.endswith(".onnx"):
                got = check_onnx(path, x, dtype)
            else:
                got = check_safetensors(path, x, dtype)
            check_names(path, case.get("names", {}))
            if dtype == "float64" and np.asarray(got).dtype != np.float64:
                raise AssertionError(f"the output is {np.asarray(got).dtype}, not float64")
            if not close(np.asarray(got, dtype=np.float64), y.astype(np.float64), case.get("tolerance", TOLERANCE)):
                difference = np.max(np.abs(np.asarray(got, dtype=np.float64) - y)) if np.shape(got) == y.shape else "shape"
                raise AssertionError(f"differs from {case['expected_from']}'s output by {difference}")
            passed += 1
        except Exception as error:  # noqa: BLE001 - every failure is reported by case
            failed += 1
            print(f"interchange: {name}: {type(error).__name__}: {error}")
    print(f"interchange: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
