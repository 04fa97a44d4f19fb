#!/usr/bin/env python3
"""Builds the hostile files in Fixtures/hostile and the sealed libhdf5
crashers in Fixtures/fuzz-corpus/libhdf5-crashers, from the committed
fixtures. A development tool (bpkit never needs Python):

    python3 -m venv .build/fixture-venv && .build/fixture-venv/bin/pip install h5py numpy
    .build/fixture-venv/bin/python Scripts/make_hostile_fixtures.py

The files that reach outside themselves name relative paths (leak-target.bin,
leak-source.h5): the tests copy them into a scratch folder beside a marker
file and run bpkit there, so nothing on the machine is ever read.
See Fixtures/hostile/README.md for what each file is.
"""
import io
import os
import shutil
import tempfile
import zipfile
import zlib

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Fixtures")
OUT = os.path.join(FIXTURES, "hostile")
CRASHERS = os.path.join(FIXTURES, "fuzz-corpus", "libhdf5-crashers")
KERAS_H5 = os.path.join(FIXTURES, "keras", "mlp_tanh_softmax.h5")
KERAS_ARCHIVE = os.path.join(FIXTURES, "keras", "mlp_tanh_softmax.keras")
BPKIT_MODEL = os.path.join(FIXTURES, "fuzz-corpus", "model", "xor.model.h5")
BPKIT_CHECKPOINT = os.path.join(FIXTURES, "fuzz-corpus", "model", "xor.ckpt.h5")
USER_BLOCK = 512


def seal(path):
    """Writes bpkit's whole-file checksum line into the 512-byte user block (FORMAT.md)."""
    with open(path, "r+b") as f:
        data = f.read()
        crc = zlib.crc32(data[USER_BLOCK:]) & 0xFFFFFFFF
        line = b"bpkit-file-checksum 1 crc32 %08x bytes %016d\n" % (crc, len(data))
        f.seek(0)
        f.write(line + b"\0" * (USER_BLOCK - len(line)))


def replace_external(f, name, target, offset=0):
    """Replaces dataset `name` with one of the same type and shape whose raw data is in `target`."""
    old = f[name]
    shape, dtype = old.shape, old.dtype
    del f[name]
    size = int(np.prod(shape)) * dtype.itemsize
    f.create_dataset(name, shape=shape, dtype=dtype, external=[(target, offset, size)])


def replace_virtual(f, name, source_file, source_path):
    old = f[name]
    shape, dtype = old.shape, old.dtype
    del f[name]
    layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
    layout[...] = h5py.VirtualSource(source_file, source_path, shape=shape)
    f.create_virtual_dataset(name, layout)


def copy(source, name):
    path = os.path.join(OUT, name)
    shutil.copyfile(source, path)
    return path


def legacy_keras():
    kernel = "model_weights/hidden/sequential/hidden/kernel"
    with h5py.File(copy(KERAS_H5, "keras-external-kernel.h5"), "r+") as f:
        replace_external(f, kernel, "leak-target.bin")
    with h5py.File(copy(KERAS_H5, "keras-external-slot.h5"), "r+") as f:
        replace_external(f, "optimizer_weights/sgd/sequential_hidden_kernel_momentum", "leak-target.bin")
    with h5py.File(copy(KERAS_H5, "keras-virtual-kernel.h5"), "r+", libver=("v110", "latest")) as f:
        replace_virtual(f, kernel, "leak-source.h5", "/secret")
    # A kernel whose declared shape is huge, chunked and compressed, with no
    # chunk written: reading it before checking its shape allocates 40 GB.
    with h5py.File(copy(KERAS_H5, "keras-shape-bomb.h5"), "r+") as f:
        del f[kernel]
        f.create_dataset(kernel, shape=(100_000, 100_000), dtype="f4", chunks=(1000, 1000), compression="gzip")
    with h5py.File(copy(KERAS_H5, "keras-nan-kernel.h5"), "r+") as f:
        data = f[kernel][...]
        data[0, 0] = np.nan
        f[kernel][...] = data
    with h5py.File(os.path.join(OUT, "leak-source.h5"), "w") as f:
        f["secret"] = np.frombuffer(b"LEAKED-SECRET-MARKER-0123456789-" * 4, dtype="<f4").reshape(4, 8)


def archive_with(name, members):
    """A zip archive with `members` [(name, bytes)], duplicates allowed."""
    path = os.path.join(OUT, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member, data in members:
            out.writestr(zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return path


def keras_archives():
    with zipfile.ZipFile(KERAS_ARCHIVE) as source:
        members = {name: source.read(name) for name in source.namelist()}
    with tempfile.TemporaryDirectory() as scratch:
        weights = os.path.join(scratch, "model.weights.h5")
        with open(weights, "wb") as f:
            f.write(members["model.weights.h5"])
        with h5py.File(weights, "r+") as f:
            kernel = [n for n in ("layers/dense/vars/0", "layers/hidden/vars/0") if n in f]
            if not kernel:
                names = []
                f.visit(lambda n: names.append(n) if n.endswith("vars/0") and isinstance(f[n], h5py.Dataset) else None)
                kernel = names[:1]
            replace_external(f, kernel[0], "leak-target.bin")
        with open(weights, "rb") as f:
            external = f.read()
    archive_with("keras-external-kernel.keras", [
        ("metadata.json", members["metadata.json"]), ("config.json", members["config.json"]),
        ("model.weights.h5", external)])
    # Two config.json members: Python's zipfile (Keras) reads the last, a
    # reader that stops at the first match reads another model.
    other = members["config.json"].replace(b'"tanh"', b'"relu"')
    assert other != members["config.json"]
    archive_with("keras-duplicate-config.keras", [
        ("metadata.json", members["metadata.json"]), ("config.json", members["config.json"]),
        ("config.json", other), ("model.weights.h5", members["model.weights.h5"])])
    # config.json padded with 20 MiB of spaces: 20 KB compressed.
    archive_with("keras-config-bomb.keras", [
        ("metadata.json", members["metadata.json"]), ("config.json", b" " * (20 << 20) + members["config.json"]),
        ("model.weights.h5", members["model.weights.h5"])])


def bpkit_link_cycle():
    """A sealed bpkit model whose layer group holds a hard link to itself."""
    path = copy(BPKIT_MODEL, "model-link-cycle.h5")
    with h5py.File(path, "r+") as f:
        layer = sorted(f["weights"].keys())[0]
        f[f"weights/{layer}/loop"] = f[f"weights/{layer}"]
    seal(path)


def note_text_bombs():
    """Sealed bpkit checkpoints whose /history/note_text declares far more
    strings than the file holds: 1e9 with no chunk written (bpkit 0.1 tried
    8 GB and aborted), and 2^22 compressed references that all name one
    string of the global heap, so each chunk is written and deflates about
    1000:1, within the compressed allowance of numbers but not of strings,
    where every element is one allocation of its own."""
    path = copy(BPKIT_CHECKPOINT, "checkpoint-note-text-bomb.h5")
    with h5py.File(path, "r+") as f:
        history = f["history"]
        del history["note_text"]
        texts = history.create_dataset(
            "note_text", shape=(10**9,), dtype=h5py.string_dtype(), chunks=(1 << 16,), compression="gzip")
        texts.attrs["crc32"] = np.uint32(0)
    seal(path)

    path = copy(BPKIT_CHECKPOINT, "checkpoint-note-text-shared.h5")
    count, chunk = 1 << 22, 1 << 18
    with h5py.File(path, "r+") as f:
        history = f["history"]
        del history["note_text"]
        texts = history.create_dataset(
            "note_text", shape=(count,), dtype=h5py.string_dtype(), chunks=(chunk,), compression="gzip")
        texts[0] = "x"
        # The 16-byte reference of element 0 (length, heap collection, index).
        _, raw = texts.id.read_direct_chunk((0,))
        reference = zlib.decompress(raw)[:16]
        data = zlib.compress(reference * chunk, 9)
        for start in range(0, count, chunk):
            texts.id.write_direct_chunk((start,), data)
        texts.attrs["crc32"] = np.uint32(0)
    seal(path)


def order_bomb():
    """A sealed bpkit checkpoint whose /progress/order declares 2^28 samples
    (2 GiB of int64), as /data@sample_count says, compressed: every chunk is
    written, each the same 8 MiB of zeros deflated about 1000:1, so each
    dataset is within deflate's ratio of the bytes it holds (a 2 MB file).
    bpkit 0.1 allocated the whole order (and more) before looking at it."""
    path = copy(BPKIT_CHECKPOINT, "checkpoint-order-bomb.h5")
    count, chunk = 1 << 28, 1 << 20
    with h5py.File(path, "r+") as f:
        progress = f["progress"]
        del progress["order"]
        order = progress.create_dataset("order", shape=(count,), dtype="<i8", chunks=(chunk,), compression="gzip")
        data = zlib.compress(bytes(8 * chunk), 9)
        for start in range(0, count, chunk):
            order.id.write_direct_chunk((start,), data)
        order.attrs["crc32"] = np.uint32(0)
        f["data"].attrs["sample_count"] = np.int64(count)
    seal(path)


def sealed_crashers():
    """Three crashers, moved behind a user block where they had none, and
    sealed: the checksum is correct, and libhdf5 still crashes on them."""
    for name in ("segv-byte-1063-xor-d8", "segv-byte-2110-xor-af", "segv-fuzz-global-heap-read"):
        with open(os.path.join(CRASHERS, name + ".h5"), "rb") as f:
            data = f.read()
        if data.startswith(b"\x89HDF"):
            data = b"\0" * USER_BLOCK + data
        path = os.path.join(CRASHERS, "sealed-" + name + ".h5")
        with open(path, "wb") as f:
            f.write(data)
        seal(path)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    legacy_keras()
    keras_archives()
    bpkit_link_cycle()
    note_text_bombs()
    order_bomb()
    sealed_crashers()
    print("wrote", sorted(os.listdir(OUT)))
