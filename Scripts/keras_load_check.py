"""Loads every Keras file bpkit's tests exported in real Keras, compiled, and trains it one step (`make test`).

Usage:  VENV/bin/python Scripts/keras_load_check.py FOLDER
Needs:  keras, a backend (jax[cpu]) and numpy; `make test-deps` installs them into .build/ci-venv.

Each FOLDER/NAME.keras or NAME.keras.h5 has NAME....expect.json beside it, written by
Tests/BPKitTests/Format/Keras/KerasExportCompileTests.swift: the optimizer's class name and
hyperparameters and the loss that Keras must find. The file must load with
keras.models.load_model(compile=True), hold that optimizer and loss, and train one step on
a batch with a finite loss, its iteration count going up by one. A file with NAME.keras.continue.h5
beside it (Tests/bpkitTests/KerasSettingsTests.swift: a bpkit run of 2 epochs with one optimizer
setting, exported) is instead continued one epoch, fit(x, y, epochs=1, batch_size=8,
shuffle=False), from the optimizer state it carries, and Keras' predictions must end within 1e-4
of `continued`, bpkit's own continuation; with the continuation's attribute `class_weight` (JSON, class
index to weight) or dataset `sample_weight`, fit weighs the loss with it as bpkit's run did. Keras 3's legacy HDF5
loader restores no optimizer slots, so legacy files train their step with a new optimizer
made from the configuration Keras read. A loss object (CategoricalCrossentropy(from_logits=True), say)
must wrap the expected loss function, with `from_logits` as the expectation's (false when absent).
An expectation with "dtype": "float64" (a bpkit float64 run, Tests/bpkitTests/KerasFloat64Tests.swift)
needs every weight of the loaded model to be float64 and is checked in a second process with JAX's
x64 on (JAX computes in float32 otherwise, whatever dtype Keras asks for); its continuation must end
within the `tolerance` attribute of NAME.keras.continue.h5 (1e-4 when absent).
"""
import glob, json, math, os, subprocess, sys

# `--float64 FILE...`: the float64 files, in a process of their own with x64 on.
FLOAT64 = len(sys.argv) > 1 and sys.argv[1] == "--float64"
if FLOAT64:
    os.environ["JAX_ENABLE_X64"] = "1"

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import logging
import numpy as np
import keras

# Keras warns that a compiled model loaded from a file has no metrics built yet.
logging.getLogger("absl").setLevel(logging.ERROR)



def expected_dtype(path):
    with open(path + ".expect.json") as f:
        return json.load(f).get("dtype", "float32")


if FLOAT64:
    files = sys.argv[2:]
else:
    folder = sys.argv[1]
    files = sorted(glob.glob(os.path.join(folder, "*.keras")) + glob.glob(os.path.join(folder, "*.keras.h5")))
    if not files:
        sys.exit(f"no exported Keras files in {folder}: run the Swift tests first")
    wide = [path for path in files if os.path.exists(path + ".expect.json") and expected_dtype(path) == "float64"]
    files = [path for path in files if path not in wide]
    float64_status = subprocess.call([sys.executable, __file__, "--float64"] + wide) if wide else 0
rng = np.random.default_rng(7)
failures = []
for path in files:
    name = os.path.basename(path)
    try:
        with open(path + ".expect.json") as f:
            expect = json.load(f)
        model = keras.models.load_model(path, compile=True)
        if expect.get("dtype") == "float64":
            narrow = [v.path for v in model.weights if v.dtype != "float64"]
            if narrow:
                raise AssertionError(f"weights not float64: {narrow}")
        optimizer = model.optimizer
        if type(optimizer).__name__ != expect["optimizer"]:
            raise AssertionError(f"optimizer {type(optimizer).__name__}, expected {expect['optimizer']}")
        config = optimizer.get_config()
        for key, value in expect["hyperparameters"].items():
            if not math.isclose(float(config[key]), value, rel_tol=1e-6, abs_tol=1e-12):
                raise AssertionError(f"{key} {config[key]}, expected {value}")
        if "schedule" in expect:
            # A learning-rate schedule: Keras' serialized keras.optimizers.schedules object.
            schedule = config["learning_rate"]
            if not isinstance(schedule, dict) or schedule.get("class_name") != expect["schedule"]["class_name"]:
                raise AssertionError(f"learning_rate {schedule!r}, expected a {expect['schedule']['class_name']}")
            for key, value in expect["schedule"]["config"].items():
                found = schedule["config"].get(key)
                if isinstance(value, (list, bool)) or value is None:
                    same = found == value
                else:
                    same = found is not None and math.isclose(float(found), value, rel_tol=1e-6, abs_tol=1e-12)
                if not same:
                    raise AssertionError(f"schedule {key} {found!r}, expected {value!r}")
        for layer_name, settings in expect.get("regularizers", {}).items():
            # Each layer's regularizers, rebuilt by Keras as the classes and factors bpkit wrote.
            layer = model.get_layer(layer_name)
            for setting, wanted in settings.items():
                found = getattr(layer, setting, None)
                if found is None and hasattr(layer, "cell"):
                    found = getattr(layer.cell, setting, None)
                if found is None or type(found).__name__ != wanted["class_name"]:
                    raise AssertionError(f"{layer_name} {setting} {found!r}, expected a {wanted['class_name']}")
                for key, value in wanted["config"].items():
                    if not math.isclose(float(found.get_config()[key]), value, rel_tol=1e-6, abs_tol=1e-12):
                        raise AssertionError(f"{layer_name} {setting} {key} {found.get_config()[key]}, expected {value}")
        loss = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
        # A loss function, or a loss object (CategoricalCrossentropy(from_logits=True), say) wrapping one.
        def function_name(value):
            return getattr(value, "__name__", None) or getattr(getattr(value, "fn", None), "__name__", None)
        if function_name(loss) != keras.losses.get(expect["loss"]).__name__:
            raise AssertionError(f"loss {model.loss!r}, expected {expect['loss']}")
        if bool(getattr(loss, "from_logits", False)) != expect.get("from_logits", False):
            raise AssertionError(f"loss {model.loss!r}, expected from_logits={expect.get('from_logits', False)}")
        shape = [4] + [s if s is not None else 5 for s in model.input_shape[1:]]
        x = rng.standard_normal(shape).astype(expect.get("dtype", "float32"))
        y = np.asarray(model.predict(x, verbose=0))
        if expect["loss"] == "categorical_crossentropy":
            y = np.eye(y.shape[-1], dtype="float32")[rng.integers(0, y.shape[-1], y.shape[:-1])]
        elif expect["loss"] == "sparse_categorical_crossentropy":
            y = rng.integers(0, y.shape[-1], y.shape[:-1]).astype("int32")
        elif expect["loss"] == "binary_crossentropy":
            y = rng.integers(0, 2, y.shape).astype("float32")
        else:
            y = y + rng.standard_normal(y.shape).astype("float32")
        continuation = path + ".continue.h5"
        if os.path.exists(continuation):
            import h5py
            with h5py.File(continuation, "r") as f:
                cx, cy, expected = f["x"][()], f["y"][()], f["continued"][()]
                tolerance = float(f.attrs.get("tolerance", 1e-4))
                weighing = {}
                if "class_weight" in f.attrs:
                    weighing["class_weight"] = {int(c): w for c, w in json.loads(f.attrs["class_weight"]).items()}
                if "sample_weight" in f:
                    weighing["sample_weight"] = f["sample_weight"][()]
            before = int(optimizer.iterations.numpy())
            model.fit(cx, cy, epochs=1, batch_size=8, shuffle=False, verbose=0, **weighing)
            worst = float(np.max(np.abs(model.predict(cx, verbose=0) - expected)))
            if not worst <= tolerance:
                raise AssertionError(f"continued one epoch in Keras, predictions differ from bpkit's by {worst:.3g} "
                                     f"(allowed {tolerance:.3g})")
            print(f"ok   {name}: {expect['optimizer']} continued one epoch from iteration {before}, "
                  f"within {worst:.2g} of bpkit's continuation")
            continue
        legacy = path.endswith(".h5")
        if legacy:
            # Keras 3's legacy HDF5 loader builds the optimizer without its slot
            # variables, so no legacy file, Keras' own included, continues
            # training (Fixtures/keras/mlp_sigmoid_nobias.h5 fails the same way):
            # train one step with a new optimizer from the file's configuration.
            model.compile(optimizer=keras.optimizers.deserialize(keras.optimizers.serialize(optimizer)),
                          loss=model.loss)
            optimizer = model.optimizer
        before = int(optimizer.iterations.numpy())
        value = model.train_on_batch(x, y)
        value = float(value[0] if isinstance(value, (list, tuple)) else value)
        after = int(optimizer.iterations.numpy())
        if not math.isfinite(value) or after != before + 1:
            raise AssertionError(f"one training step gave loss {value}, iterations {before} -> {after}")
        how = "a new optimizer from its configuration" if legacy else "its optimizer state"
        print(f"ok   {name}: {expect['optimizer']} {expect['loss']}, one step with {how}, loss {value:.4g}")
    except Exception as error:  # every file is reported, then the run fails
        message = " ".join(str(error).split())[:300]
        failures.append(name)
        print(f"FAIL {name}: {type(error).__name__}: {message}")
kind = "float64 exported files (x64 on)" if FLOAT64 else "exported files"
print(f"Keras: {len(files) - len(failures)} of {len(files)} {kind} load compiled and train one step "
      f"(Keras {keras.__version__}, {keras.backend.backend()} backend)")
sys.exit(1 if failures or (not FLOAT64 and float64_status != 0) else 0)
