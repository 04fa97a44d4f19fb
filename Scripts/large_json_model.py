"""Writes a 100M-parameter bpkit JSON model (one 10000x10000 dense layer, base64
weights, 533 MB) for measuring `bpkit convert` on large models.

Usage:  python3 Scripts/large_json_model.py OUT.json     (needs numpy; development time only)
"""
import base64, json, sys
import numpy as np

n = 10000
rng = np.random.default_rng(1)
kernel = rng.standard_normal((n, n), dtype=np.float32) * 0.01
bias = rng.standard_normal((n,), dtype=np.float32)


def tensor(values):
    return {"dtype": "float32", "shape": list(values.shape), "encoding": "base64",
            "data": base64.b64encode(values.astype("<f4").tobytes()).decode()}


document = {"kind": "bpkit-model", "format_version": 1, "input": {"features": n},
            "layers": [{"name": "big", "type": "dense", "units": n, "activation": "tanh", "use_bias": True}],
            "weights": {"big": {"kernel": tensor(kernel), "bias": tensor(bias)}}}
with open(sys.argv[1], "w") as f:
    json.dump(document, f)
