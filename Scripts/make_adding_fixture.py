"""Writes Fixtures/datasets/adding.h5, the adding problem (Hochreiter and Schmidhuber, 1997), short.

Each sequence has 8 steps of (value, marker): values uniform in [0, 1), two steps marked with 1, one
in the first half and one in the second; the target is the sum of the two marked values. An LSTM
must carry the first marked value across the steps between, which `make demo` trains it to do.
bpkit and its tests never run this script; it made the committed file, from a fixed seed.

Usage: .build/ci-venv/bin/python Scripts/make_adding_fixture.py   (numpy and h5py)
Layout: /train/x float32 [1024, 8, 2], /train/y float32 [1024], /test/x [256, 8, 2], /test/y [256].
"""
import os

import h5py
import numpy as np

STEPS = 8
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sequences(rng, count):
    x = np.zeros((count, STEPS, 2), dtype=np.float32)
    x[:, :, 0] = rng.random((count, STEPS), dtype=np.float32)
    first = rng.integers(0, STEPS // 2, count)
    second = rng.integers(STEPS // 2, STEPS, count)
    rows = np.arange(count)
    x[rows, first, 1] = 1
    x[rows, second, 1] = 1
    y = (x[rows, first, 0] + x[rows, second, 0]).astype(np.float32)
    return x, y


def main():
    rng = np.random.default_rng(19)
    path = os.path.join(ROOT, "Fixtures", "datasets", "adding.h5")
    with h5py.File(path, "w") as f:
        for split, count in (("train", 1024), ("test", 256)):
            x, y = sequences(rng, count)
            f[f"{split}/x"] = x
            f[f"{split}/y"] = y
        f.attrs["description"] = (
            "The adding problem: 8 steps of (value, marker); the target is the sum of the two marked values. "
            "Made by Scripts/make_adding_fixture.py.")
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
