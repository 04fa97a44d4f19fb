"""Keras' own evaluation of the Fixtures/keras-logits models, for bpkit infer --labels to match.

Run at development time from the test venv of `make test-deps`:

    KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_evaluate.py

For each model after 2 epochs (NAME.keras), `model.evaluate(x, y)` on the samples of
NAME.ref.h5 gives the loss the file was compiled with; the accuracy is counted from
`model.predict(x)` as the loss reads the outputs (the largest output, or a logit above 0
for a single output trained from logits), since Keras' "accuracy" metric thresholds a
single output at 0.5 whatever it is. Writes Fixtures/keras-evaluate/evaluate.json.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

NAMES = ["categorical_logits", "sparse_logits", "binary_logits", "sparse"]


def main(source="Fixtures/keras-logits", destination="Fixtures/keras-evaluate/evaluate.json"):
    results = {}
    for name in NAMES:
        with h5py.File(f"{source}/{name}.ref.h5") as f:
            x, y = f["x"][()], f["y"][()]
        model = keras.models.load_model(f"{source}/{name}.keras", compile=True)
        loss = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)["loss"]
        outputs = model.predict(x, batch_size=len(x), verbose=0)
        if outputs.shape[1] == 1:
            predicted = (outputs[:, 0] > 0).astype(int)
            truth = y.reshape(-1).astype(int)
        else:
            predicted = outputs.argmax(axis=1)
            truth = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1).astype(int)
        results[name] = {
            "loss": float(loss),
            "accuracy": float(np.mean(predicted == truth)),
            "keras_version": keras.__version__,
            "backend": keras.backend.backend(),
        }
    with open(destination, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
