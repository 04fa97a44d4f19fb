"""Makes Keras reference files for bpkit's tests, with real Keras (development time only).

bpkit and its tests never run Python: this script writes fixtures that the tests compare with.

Usage:  /path/to/venv/bin/python Scripts/keras_reference.py import|export|parity|settings|gated [--bpkit BIN]
Needs:  python3 -m venv /work/.venv-keras && /work/.venv-keras/bin/pip install keras tensorflow-cpu h5py numpy

  import   more Keras-made models for bpkit's import tests, into Fixtures/keras/
           (NAME.h5, NAME.keras, NAME.ref.h5 with x and Keras' predictions y, as
           Fixtures/keras/generate.py does), covering every layer and activation bpkit
           imports, RMSprop and Nesterov optimizer state, and a model with layers
           bpkit cannot import (unsupported_layers.*, no .ref.h5).
  export   writes bpkit models (NAME.json) and inputs (NAME.input.h5) into
           Fixtures/keras-export/, has `bpkit convert` (--bpkit BIN) export each as
           NAME.keras and NAME.keras.h5, loads both with keras.models.load_model and
           stores Keras' predictions next to them (NAME.keras.pred.h5,
           NAME.keras.h5.pred.h5, with x and y), which bpkit's tests compare with bpkit's.
  parity   training-parity references in Fixtures/keras-parity/ (see the README there).
  settings one Keras run per optimizer setting (Adagrad, Nadam, AdamW, amsgrad, centred RMSprop,
           RMSprop with momentum, weight_decay, clipnorm, clipvalue, global_clipnorm) in
           Fixtures/keras-settings/ (see the README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py settings
  schedules the learning-rate schedule cases of `settings` alone (ExponentialDecay, PiecewiseConstantDecay,
           InverseTimeDecay, PolynomialDecay, CosineDecay with warmup), into the same folder
  callbacks reduce-on-plateau and early stopping: a compiled, never-trained Keras model trained with
           keras.callbacks.ReduceLROnPlateau and/or EarlyStopping, into Fixtures/keras-callbacks/ (see the
           README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py callbacks
  frozen   frozen layers (trainable=False): Keras runs continued 1 epoch, and runs from a compiled,
           never-trained model, into Fixtures/keras-frozen/ (see the README there); made with the JAX
           backend: KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py frozen
  activations Keras 3's activations (gelu, silu/swish, softplus, softsign, selu, hard_silu/hard_swish,
           relu6, exponential, mish, log_softmax, and activation layers after a linear Dense) in
           Fixtures/keras-activations/ (see the README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py activations
  losses   the losses mae and huber (by name and as loss objects) in Fixtures/keras-losses/ (see the README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py losses
  logits   the cross-entropies from logits (CategoricalCrossentropy, SparseCategoricalCrossentropy and
           BinaryCrossentropy with from_logits=True) and sparse_categorical_crossentropy (by name and as an
           object, with integer targets), plus a saturating softmax run that measures Keras' probability
           clipping: Keras runs continued 1 epoch, and runs from a compiled, never-trained model, into
           Fixtures/keras-logits/ (see the README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py logits
  weights  class and sample weights (fit(class_weight=...), given and scikit-learn's "balanced";
           fit(sample_weight=...), with a validation split too): Keras runs continued
           1 epoch, and runs from a compiled, never-trained model, into Fixtures/keras-weights/ (see the
           README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py weights
  dropout  Dropout layers: runs at rate 0 after Dense and on sequences (continued 1 epoch, comparable with
           bpkit's continuation) and a run at rates 0.2 and 0.5 (its predictions only), into
           Fixtures/keras-dropout/ (see the README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py dropout
  regularizers L1, L2 and L1L2 kernel, recurrent and bias regularizers (a frozen layer's included): Keras
           runs continued 1 epoch, and runs from a compiled, never-trained model, into Fixtures/keras-regularizers/
           (see the README there); made with the JAX backend:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py regularizers
  float64  float64 dtype policies (keras.config.set_floatx("float64"), and dtype="float64" on every layer):
           Keras runs continued 1 epoch, and runs from a compiled, never-trained model, into
           Fixtures/keras-float64/ (see the README there); made with the JAX backend, x64 on:
           KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py float64
  gated    LSTM and GRU: import cases (lstm_*, gru_*) and unsupported_layers.* into Fixtures/keras/, and
           training-parity references (lstm_OPT, gru_OPT) into Fixtures/keras-parity/; made with the
           JAX backend: KERAS_BACKEND=jax .build/ci-venv/bin/python Scripts/keras_reference.py gated
"""
import argparse, json, os, subprocess, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import h5py
if "float64" in sys.argv:
    # JAX computes in float32 unless x64 is on, whatever dtype Keras asks for.
    os.environ["JAX_ENABLE_X64"] = "1"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("what", choices=["import", "export", "parity", "settings", "schedules", "tf2", "gated", "callbacks",
                                     "frozen", "activations", "losses", "weights", "dropout",
                                     "regularizers", "logits", "float64"])
ap.add_argument("--seed", type=int, default=11)
ap.add_argument("--bpkit", help="the bpkit binary that exports the models (export only)")
a = ap.parse_args()

import keras
from keras import layers as L

keras.utils.set_random_seed(a.seed)
rng = np.random.default_rng(a.seed)


def write_ref(path, x, y, case, note):
    with h5py.File(path, "w") as f:
        f["x"] = x
        f["y"] = y
        f.attrs["keras_version"] = keras.__version__
        f.attrs["case"] = case
        f.attrs["note"] = note


def targets(loss, shape, n):
    if loss == "categorical_crossentropy":
        return np.eye(shape[-1], dtype=np.float32)[rng.integers(0, shape[-1], (n, *shape[:-1]))]
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n, *shape)).astype(np.float32)
    return rng.standard_normal((n, *shape)).astype(np.float32)


def import_cases():
    norm = L.Normalization(name="scale")
    norm.adapt(rng.standard_normal((256, 5)).astype(np.float32) * 3 + 1)
    yield ("mlp_layers_folded",
           "Normalization, Dense+LeakyReLU, Dropout, Dense+Activation(elu), Dense leaky_relu, Dense+Softmax; SGD Nesterov",
           keras.Sequential([keras.Input((5,)), norm, L.Dense(8, name="d1"), L.LeakyReLU(negative_slope=0.1),
                             L.Dropout(0.3), L.Dense(6, name="d2"), L.Activation("elu"),
                             L.Dense(4, activation="leaky_relu", name="d3"), L.Dense(3, name="d4"), L.Softmax()]),
           keras.optimizers.SGD(0.05, momentum=0.8, nesterov=True), "categorical_crossentropy", (5,))
    yield ("rnn_stack_sequences",
           "SimpleRNN relu (sequences) -> SimpleRNN sigmoid (sequences) -> Dense linear per step; RMSprop with momentum",
           keras.Sequential([keras.Input((6, 2)), L.SimpleRNN(5, activation="relu", return_sequences=True, name="r1"),
                             L.SimpleRNN(4, activation="sigmoid", return_sequences=True, name="r2"),
                             L.Dense(2, name="per_step")]),
           keras.optimizers.RMSprop(0.005, momentum=0.5), "mse", (6, 2))
    yield ("mlp_sigmoid_nobias",
           "Dense sigmoid without bias -> Dense sigmoid; binary cross-entropy; plain RMSprop",
           keras.Sequential([keras.Input((3,)), L.Dense(4, activation="sigmoid", use_bias=False, name="hidden"),
                             L.Dense(1, activation="sigmoid", name="out")]),
           keras.optimizers.RMSprop(0.01), "binary_crossentropy", (3,))
    yield ("rnn_variable_length",
           "SimpleRNN linear over sequences of any length, last state -> Dense elu; plain SGD",
           keras.Sequential([keras.Input((None, 3)), L.SimpleRNN(4, activation="linear", name="rnn"),
                             L.Dense(2, activation="elu", name="head")]),
           keras.optimizers.SGD(0.02), "mse", (7, 3))


def gated_import_cases():
    """LSTM and GRU in every form bpkit imports: last step and sequences, stacked, both GRU forms,
    hard_sigmoid gates, no bias, sequences of any length."""
    yield ("lstm_last",
           "LSTM 6 (last state) -> Dense 2; Adam",
           keras.Sequential([keras.Input((7, 3)), L.LSTM(6, name="lstm"), L.Dense(2, name="head")]),
           keras.optimizers.Adam(0.01), "mse", (7, 3))
    yield ("lstm_stack_sequences",
           "LSTM 5 (sequences) -> LSTM 4 hard_sigmoid gates, no bias (sequences) -> Dense 2 per step; SGD momentum",
           keras.Sequential([keras.Input((6, 2)), L.LSTM(5, return_sequences=True, name="l1"),
                             L.LSTM(4, recurrent_activation="hard_sigmoid", use_bias=False, return_sequences=True,
                                    name="l2"),
                             L.Dense(2, name="per_step")]),
           keras.optimizers.SGD(0.05, momentum=0.9), "mse", (6, 2))
    yield ("gru_stack_last",
           "GRU 5 reset_after (sequences) -> GRU 4 reset_after=False (last state) -> Dense 3 softmax; RMSprop",
           keras.Sequential([keras.Input((6, 3)), L.GRU(5, return_sequences=True, name="g1"),
                             L.GRU(4, reset_after=False, name="g2"), L.Dense(3, activation="softmax", name="head")]),
           keras.optimizers.RMSprop(0.005), "categorical_crossentropy", (6, 3))
    yield ("gru_reset_before_sequences",
           "GRU 4 reset_after=False, relu, hard_sigmoid gates (sequences) -> Dense 2 per step; Adam",
           keras.Sequential([keras.Input((5, 2)), L.GRU(4, reset_after=False, activation="relu",
                                                        recurrent_activation="hard_sigmoid", return_sequences=True,
                                                        name="g"),
                             L.Dense(2, name="per_step")]),
           keras.optimizers.Adam(0.01), "mse", (5, 2))
    yield ("gru_variable_length",
           "GRU 4 reset_after over sequences of any length -> LSTM 3 (last) -> Dense 1; SGD",
           keras.Sequential([keras.Input((None, 2)), L.GRU(4, return_sequences=True, name="g"),
                             L.LSTM(3, name="l"), L.Dense(1, name="head")]),
           keras.optimizers.SGD(0.02), "mse", (8, 2))


def make_gated():
    make_import(gated_import_cases(), unsupported=True)
    make_parity(
        {"lstm": (lambda: keras.Sequential([keras.Input((5, 2)), L.LSTM(4, name="lstm"), L.Dense(1, name="head")]),
                  "mse", (5, 2), (1,)),
         "gru": (lambda: keras.Sequential([keras.Input((5, 2)), L.GRU(4, return_sequences=True, name="g1"),
                                           L.GRU(3, reset_after=False, name="g2"), L.Dense(1, name="head")]),
                 "mse", (5, 2), (1,))},
        ["sgd_momentum", "adam"])


def make_import(cases=None, unsupported=True):
    out = os.path.join(ROOT, "Fixtures", "keras")
    for name, note, model, opt, loss, inshape in (cases or import_cases()):
        model.compile(optimizer=opt, loss=loss)
        n = 48
        x = rng.standard_normal((n, *inshape)).astype(np.float32)
        y = targets(loss, model.output_shape[1:] if None not in model.output_shape[1:] else (model.output_shape[-1],), n)
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        pred = model.predict(x, verbose=0).astype(np.float32)
        base = os.path.join(out, name)
        model.save(base + ".keras")
        model.save(base + ".h5")
        write_ref(base + ".ref.h5", x, pred, name, note)
        print(name, pred.shape)
    if not unsupported:
        return
    # Layers and settings bpkit does not have: import must fail naming each one.
    bad = keras.Sequential([keras.Input((8, 4)), L.Conv1D(3, 2, name="conv"),
                            L.LSTM(4, go_backwards=True, name="memory"), L.Dense(2, name="head")])
    bad.compile(optimizer="adam", loss="mse")
    bad.save(os.path.join(out, "unsupported_layers.keras"))
    bad.save(os.path.join(out, "unsupported_layers.h5"))
    print("unsupported_layers")


def export_cases():
    """bpkit models covering every layer and activation bpkit writes for Keras."""
    def dense(name, units, activation, use_bias=True):
        return {"name": name, "type": "dense", "units": units, "activation": activation, "use_bias": use_bias}
    def elman(name, units, activation, seq):
        return {"name": name, "type": "elman", "units": units, "activation": activation, "use_bias": True,
                "return_sequences": seq}
    yield "dense_every_activation", {"features": 6}, [
        {"name": "scale", "type": "standardize"}, dense("relu", 8, "relu"), dense("leaky", 8, "leaky_relu"),
        dense("leaky_03", 8, {"name": "leaky_relu", "alpha": 0.3}), dense("elu", 7, "elu"),
        dense("elu_05", 7, {"name": "elu", "alpha": 0.5}), dense("sigmoid", 6, "sigmoid"), dense("tanh", 6, "tanh"),
        dense("linear_nobias", 5, "linear", False), dense("softmax", 4, "softmax")], (32, 6)
    yield "elman_stack", {"features": 3, "sequence": True, "steps": 5}, [
        elman("rnn_relu", 6, "relu", True), elman("rnn_tanh", 4, "tanh", False), dense("head", 2, "sigmoid")], (32, 5, 3)
    yield "elman_per_step", {"features": 2, "sequence": True, "steps": None}, [
        elman("rnn", 5, "leaky_relu", True), dense("per_step", 3, "softmax")], (32, 4, 2)


def export_model(name, input_shape, layers, x_shape, folder):
    """Writes NAME.json (a bpkit model with random weights) and NAME.input.h5."""
    def spec_shapes():
        width = input_shape["features"]
        for layer in layers:
            if layer["type"] == "standardize":
                yield layer["name"], "mean", (width,)
                yield layer["name"], "std", (width,)
                continue
            units = layer["units"]
            yield layer["name"], "kernel", (width, units)
            if layer["type"] == "elman":
                yield layer["name"], "recurrent_kernel", (units, units)
            if layer["use_bias"]:
                yield layer["name"], "bias", (units,)
            width = units
    weights = {}
    for layer, weight, shape in spec_shapes():
        values = rng.standard_normal(shape).astype(np.float32) * (0.6 if weight != "std" else 0.3)
        if weight == "std":
            values = np.abs(values) + 0.5
        weights.setdefault(layer, {})[weight] = {
            "dtype": "float32", "shape": list(shape), "data": [float(v) for v in values.ravel()]}
    document = {"kind": "bpkit-model", "format_version": 1, "input": input_shape, "layers": layers,
                "weights": weights}
    with open(os.path.join(folder, name + ".json"), "w") as f:
        json.dump(document, f, indent=1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    with h5py.File(os.path.join(folder, name + ".input.h5"), "w") as f:
        f["x"] = x
    return x


def make_export():
    if not a.bpkit:
        sys.exit("export needs --bpkit BIN, the bpkit that converts the models for Keras")
    folder = os.path.join(ROOT, "Fixtures", "keras-export")
    os.makedirs(folder, exist_ok=True)
    for name, input_shape, layers, x_shape in export_cases():
        x = export_model(name, input_shape, layers, x_shape, folder)
        base = os.path.join(folder, name)
        for target, extra in [(base + ".keras", []), (base + ".keras.h5", ["--to", "keras-h5"])]:
            subprocess.run([a.bpkit, "convert", base + ".json", target] + extra, check=True)
            model = keras.models.load_model(target)
            y = model.predict(x, verbose=0).astype(np.float32)
            write_ref(target + ".pred.h5", x, y, name,
                      "Keras' predictions on the model bpkit exported, loaded with keras.models.load_model")
            print(os.path.basename(target), "loaded by Keras", keras.__version__, "->", y.shape,
                  [layer.__class__.__name__ for layer in model.layers])


def make_parity(nets=None, optimizer_names=None):
    folder = os.path.join(ROOT, "Fixtures", "keras-parity")
    os.makedirs(folder, exist_ok=True)
    optimizers = {
        "sgd_momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
        "adam": lambda: keras.optimizers.Adam(0.01),
        "rmsprop": lambda: keras.optimizers.RMSprop(0.005),
    }
    if optimizer_names:
        optimizers = {k: v for k, v in optimizers.items() if k in optimizer_names}
    nets = nets or {
        "dense": (lambda: keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"),
                                            L.Dense(3, activation="softmax", name="out")]),
                  "categorical_crossentropy", (4,), (3,)),
        "rnn": (lambda: keras.Sequential([keras.Input((5, 2)), L.SimpleRNN(4, name="rnn"),
                                          L.Dense(1, name="head")]),
                "mse", (5, 2), (1,)),
    }
    for net, (build, loss, inshape, outshape) in nets.items():
        n = 40
        x = rng.standard_normal((n, *inshape)).astype(np.float32)
        y = targets(loss, outshape, n)
        for oname, make_opt in optimizers.items():
            keras.utils.set_random_seed(a.seed)
            model = build()
            model.compile(optimizer=make_opt(), loss=loss)
            base = os.path.join(folder, f"{net}_{oname}")
            # The starting point: compiled, with the optimizer's variables built
            # (zeros, iteration 0): Keras' legacy saver writes no training_config
            # for an unbuilt optimizer, and drops the optimizer from the model's
            # compile config as it saves (legacy/saving/saving_utils.py), which
            # is put back so that the .keras files keep it.
            model.optimizer.build(model.trainable_variables)
            model.save(base + ".start.keras")
            compile_config = dict(model._compile_config.config)
            model.save(base + ".start.h5")
            model._compile_config.config.update(compile_config)
            history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
            with h5py.File(base + ".after.h5", "w") as f:
                f["x"] = x
                f["y"] = y
                for layer in model.layers:
                    for w in layer.weights:
                        f[f"weights/{layer.name}/{w.name}"] = w.numpy()
                f.attrs["loss_history"] = np.array(history.history["loss"], dtype=np.float64)
                f.attrs["keras_version"] = keras.__version__
                f.attrs["epochs"] = 2
                f.attrs["batch_size"] = 8
                f.attrs["shuffle"] = False
                f.attrs["optimizer"] = json.dumps(keras.optimizers.serialize(model.optimizer))
                f.attrs["loss"] = loss
            model.save(base + ".after.keras")
            # One more epoch from there, as a run continued from the .after.keras
            # file (optimizer state included) must reach.
            model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
            with h5py.File(base + ".after.h5", "a") as f:
                for layer in model.layers:
                    for w in layer.weights:
                        f[f"continued/weights/{layer.name}/{w.name}"] = w.numpy()
            print(net, oname, history.history["loss"])


SETTINGS = {
    "adagrad": lambda: keras.optimizers.Adagrad(0.05),
    "adagrad_accumulator": lambda: keras.optimizers.Adagrad(0.05, initial_accumulator_value=0.5, epsilon=1e-5),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
    "adamw": lambda: keras.optimizers.AdamW(0.01, weight_decay=0.05),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "adamw_amsgrad": lambda: keras.optimizers.AdamW(0.01, weight_decay=0.02, amsgrad=True),
    "rmsprop_centered": lambda: keras.optimizers.RMSprop(0.005, centered=True),
    "rmsprop_momentum": lambda: keras.optimizers.RMSprop(0.005, momentum=0.5),
    "rmsprop_momentum_centered": lambda: keras.optimizers.RMSprop(0.005, momentum=0.5, centered=True),
    "sgd_weight_decay": lambda: keras.optimizers.SGD(0.05, momentum=0.9, weight_decay=0.01),
    "adagrad_weight_decay": lambda: keras.optimizers.Adagrad(0.05, weight_decay=0.1),
    "adam_clipnorm": lambda: keras.optimizers.Adam(0.01, clipnorm=0.05),
    "sgd_clipvalue": lambda: keras.optimizers.SGD(0.2, clipvalue=0.02),
    "rmsprop_global_clipnorm": lambda: keras.optimizers.RMSprop(0.005, global_clipnorm=0.05),
    "nadam_clipnorm_weight_decay": lambda: keras.optimizers.Nadam(0.01, clipnorm=0.05, weight_decay=0.02),
}

# Learning-rate schedules (keras.optimizers.schedules). A run has 10 updates before
# it is saved and 5 after, so every schedule changes the rate within the continuation.
S = keras.optimizers.schedules
SCHEDULES = {
    "sgd_exponential_decay": lambda: keras.optimizers.SGD(S.ExponentialDecay(0.2, 5, 0.8), momentum=0.9),
    "sgd_exponential_decay_staircase": lambda: keras.optimizers.SGD(
        S.ExponentialDecay(0.3, 4, 0.5, staircase=True)),
    "adam_piecewise_constant_decay": lambda: keras.optimizers.Adam(
        S.PiecewiseConstantDecay([6, 12], [0.02, 0.01, 0.004])),
    "rmsprop_inverse_time_decay": lambda: keras.optimizers.RMSprop(S.InverseTimeDecay(0.01, 2, 0.5)),
    "adagrad_inverse_time_decay_staircase": lambda: keras.optimizers.Adagrad(
        S.InverseTimeDecay(0.1, 3, 0.7, staircase=True)),
    "adam_polynomial_decay": lambda: keras.optimizers.Adam(S.PolynomialDecay(0.02, 14, 0.001, power=2.0)),
    "sgd_polynomial_decay_cycle": lambda: keras.optimizers.SGD(S.PolynomialDecay(0.3, 4, 0.01, power=0.5, cycle=True)),
    "nadam_cosine_decay": lambda: keras.optimizers.Nadam(S.CosineDecay(0.02, 20)),
    "adamw_cosine_decay_warmup": lambda: keras.optimizers.AdamW(
        S.CosineDecay(0.001, 8, alpha=0.1, warmup_target=0.02, warmup_steps=4), weight_decay=0.01),
}


def make_settings(cases=None):
    """Per setting: 2 epochs of fit, saved as NAME.keras and NAME.h5, then 1 more epoch in Keras."""
    cases = cases or {**SETTINGS, **SCHEDULES}
    folder = os.path.join(ROOT, "Fixtures", "keras-settings")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = targets("categorical_crossentropy", (3,), n)
    for name, make_opt in cases.items():
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"),
                                  L.Dense(3, activation="softmax", name="out")])
        model.compile(optimizer=make_opt(), loss="categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        base = os.path.join(folder, name)
        model.save(base + ".keras")
        # Keras' legacy saver drops the optimizer from the compile config as it
        # saves (legacy/saving/saving_utils.py); it is put back for the rest of the run.
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        variables = [v.path for v in model.optimizer.variables]
        model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["continued"] = model.predict(x, verbose=0).astype(np.float32)
            for layer in model.layers:
                for w in layer.weights:
                    f[f"continued_weights/{layer.name}/{w.name}"] = w.numpy()
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["optimizer"] = json.dumps(keras.optimizers.serialize(model.optimizer))
            f.attrs["optimizer_variables"] = json.dumps(variables)
            f.attrs["iterations"] = int(model.optimizer.iterations.numpy())
            f.attrs["note"] = ("fit(x, y, epochs=2, batch_size=8, shuffle=False), saved, then one more epoch; "
                               "continued holds the predictions on x after it")
        print(name, variables[:4], "...", len(variables), "variables")
    if cases is not SCHEDULES:
        tf_keras2_layouts(folder)


# tf.keras 2 (optimizer_v2) slot names for Keras 3's, and its class names.
TF_KERAS2_SLOTS = {"momentum": "m", "velocity": "v", "velocity_hat": "vhat", "accumulator": "accumulator"}
TF_KERAS2_RMSPROP_SLOTS = {"velocity": "rms", "momentum": "momentum", "average_gradient": "mg"}


def tf_keras2_layouts(folder):
    """tf2_NAME.h5: NAME.h5 with its optimizer variables laid out as tf.keras 2 wrote them.

    tf.keras 2's `optimizer_weights` list `OPT/iter:0` (int64), then each slot for every
    variable in turn, named `OPT/LAYER/WEIGHT/SLOT:0` (m, v, vhat; rms, momentum, mg), with no
    learning rate variable and Nadam's scalar `OPT/momentum_cache:0` after the slots. No
    tf.keras 2 runs beside Keras 3, so the files are rewritten from Keras 3's with h5py.
    """
    import shutil
    for name, cls in [("adam_amsgrad", "Adam"), ("rmsprop_momentum_centered", "RMSprop"), ("nadam", "Nadam"),
                      ("adagrad", "Adagrad")]:
        target = os.path.join(folder, f"tf2_{name}.h5")
        shutil.copyfile(os.path.join(folder, name + ".h5"), target)
        with h5py.File(target, "a") as f:
            group = f["optimizer_weights"]
            names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
            values = {n: group[n][()] for n in names}
            iteration = int(values[names[0]])
            del f["optimizer_weights"]
            group = f.create_group("optimizer_weights")
            new_names = [f"{cls}/iter:0"]
            group[new_names[0]] = np.int64(iteration)
            table = TF_KERAS2_RMSPROP_SLOTS if cls == "RMSprop" else TF_KERAS2_SLOTS
            slots = []
            for n in names[2:]:
                last = n.split("/")[-1]
                for slot in table:
                    if last.endswith("_" + slot):
                        _, layer, weight = last[: -len(slot) - 1].rsplit("_", 2)
                        slots.append((list(table).index(slot), f"{cls}/{layer}/{weight}/{table[slot]}:0", values[n]))
                        break
                else:
                    scalar = (f"{cls}/momentum_cache:0", values[n])  # Nadam's u_product
            for _, new, value in sorted(slots, key=lambda item: item[0]):
                group[new] = value
                new_names.append(new)
            if cls == "Nadam":
                group[scalar[0]] = scalar[1]
                new_names.append(scalar[0])
            group.attrs["weight_names"] = [n.encode() for n in new_names]
        print("tf2_" + name, new_names[:3], "...")


# MARK: callbacks (reduce-on-plateau and early stopping)
#
# Keras keeps no callback in its files, so these are runs from a compiled,
# never-trained model: bpkit trains the .start file with the same settings as
# run options and must end where Keras ended, having reduced the rate and
# stopped at the same epochs.
CALLBACK_CASES = {
    # name: (optimizer, validation_split, epochs, callbacks)
    "plateau_loss": (lambda: keras.optimizers.SGD(0.3), 0.0, 8, lambda: [
        keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.02, cooldown=1,
                                          min_lr=0.05)]),
    "early_stopping_restore": (lambda: keras.optimizers.Adam(0.05), 0.25, 30, lambda: [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)]),
    "plateau_and_early_stopping": (lambda: keras.optimizers.RMSprop(0.02), 0.25, 25, lambda: [
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=2),
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=3, start_from_epoch=2)]),
}


def make_callbacks():
    """Per case: NAME.start.keras and NAME.start.h5 (compiled, optimizer built), and NAME.ref.h5 with the
    data, the rate of each epoch, the epochs run and the weights and predictions where fit ended."""
    folder = os.path.join(ROOT, "Fixtures", "keras-callbacks")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 10
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = targets("categorical_crossentropy", (3,), n)
    for name, (make_opt, split, epochs, make_callbacks) in CALLBACK_CASES.items():
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"),
                                  L.Dense(3, activation="softmax", name="out")])
        model.compile(optimizer=make_opt(), loss="categorical_crossentropy", metrics=["accuracy"])
        model.optimizer.build(model.trainable_variables)
        base = os.path.join(folder, name)
        model.save(base + ".start.keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".start.h5")
        model._compile_config.config.update(compile_config)
        rates = []
        # First in the list: the rate the epoch trained with, before a reduction at its end.
        record = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: rates.append(float(np.float32(model.optimizer.learning_rate))))
        history = model.fit(x, y, epochs=epochs, batch_size=batch, shuffle=False, verbose=0,
                            validation_split=split, callbacks=[record] + make_callbacks())
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["predicted"] = model.predict(x, verbose=0).astype(np.float32)
            for layer in model.layers:
                for w in layer.weights:
                    f[f"weights/{layer.name}/{w.name}"] = w.numpy()
            f.attrs["learning_rates"] = np.array(rates, dtype=np.float64)
            f.attrs["epochs_run"] = len(history.history["loss"])
            for key, values in history.history.items():
                f.attrs[f"history_{key}"] = np.array(values, dtype=np.float64)
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["note"] = (f"fit(x, y, epochs={epochs}, batch_size={batch}, shuffle=False, "
                               f"validation_split={split}) from NAME.start.keras with the callbacks of "
                               f"CALLBACK_CASES['{name}'] in Scripts/keras_reference.py")
        print(name, len(rates), "epochs, rates", rates)
        for key, values in history.history.items():
            print("  ", key, np.round(values, 5).tolist())


# MARK: frozen layers (trainable=False)
FROZEN_CASES = {
    # name: (optimizer, the layers frozen)
    "adam_frozen_hidden": (lambda: keras.optimizers.Adam(0.01), ["hidden"]),
    "sgd_momentum_frozen_out": (lambda: keras.optimizers.SGD(0.05, momentum=0.9), ["out"]),
    "rmsprop_frozen_first": (lambda: keras.optimizers.RMSprop(0.005), ["first"]),
}


def make_frozen():
    """Per case: NAME.start.keras/.h5 (compiled, never trained), NAME.keras/.h5 (after 2 epochs), and
    NAME.ref.h5 with the data, Keras' predictions after those 2 epochs (`trained`) and after a third
    (`continued`)."""
    folder = os.path.join(ROOT, "Fixtures", "keras-frozen")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = targets("categorical_crossentropy", (3,), n)
    for name, (make_opt, frozen) in FROZEN_CASES.items():
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu", name="first"),
                                  L.Dense(6, activation="tanh", name="hidden"),
                                  L.Dense(3, activation="softmax", name="out")])
        for layer in model.layers:
            layer.trainable = layer.name not in frozen
        model.compile(optimizer=make_opt(), loss="categorical_crossentropy")
        model.optimizer.build(model.trainable_variables)
        base = os.path.join(folder, name)
        model.save(base + ".start.keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".start.h5")
        model._compile_config.config.update(compile_config)
        model.fit(x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        trained = model.predict(x, verbose=0).astype(np.float32)
        model.save(base + ".keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["trained"] = trained
            f["continued"] = model.predict(x, verbose=0).astype(np.float32)
            f.attrs["frozen"] = json.dumps(frozen)
            f.attrs["optimizer_variables"] = json.dumps([v.path for v in model.optimizer.variables])
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["note"] = ("4 -> Dense 5 relu (first) -> Dense 6 tanh (hidden) -> Dense 3 softmax (out), the "
                               "frozen layers trainable=False; fit(x, y, epochs=2, batch_size=8, shuffle=False) "
                               "from NAME.start.*, saved as NAME.*, then one more epoch")
        print(name, "frozen", frozen, len(model.optimizer.variables), "optimizer variables")


# MARK: regularizers (kernel_regularizer, recurrent_regularizer, bias_regularizer)
R = keras.regularizers
# JAX differentiates |w| at w = 0 as 1 where TensorFlow, PyTorch and bpkit take sign(0) = 0: a weight under L1
# starts off 0 (a bias would start at 0), so that the fixtures do not depend on the backend's choice there.
OFF_ZERO = keras.initializers.RandomNormal(stddev=0.1, seed=3)
REGULARIZER_CASES = {
    # name: (optimizer, loss, input shape, layers, the layers frozen)
    "adam_l2": (lambda: keras.optimizers.Adam(0.01), "categorical_crossentropy", (4,), lambda: [
        L.Dense(5, activation="relu", name="first", kernel_regularizer=R.L2(0.01)),
        L.Dense(6, activation="tanh", name="hidden", bias_regularizer=R.L2(0.02)),
        L.Dense(3, activation="softmax", name="out", kernel_regularizer=R.L2(0.005))], []),
    "sgd_momentum_l1_l1l2": (lambda: keras.optimizers.SGD(0.05, momentum=0.9), "categorical_crossentropy", (4,),
                             lambda: [
        L.Dense(5, activation="relu", name="first", kernel_regularizer=R.L1(0.01)),
        L.Dense(6, activation="tanh", name="hidden", kernel_regularizer=R.L1L2(l1=0.002, l2=0.01),
                bias_regularizer=R.L1(0.005), bias_initializer=OFF_ZERO),
        L.Dense(3, activation="softmax", name="out")], []),
    "rmsprop_frozen_regularized": (lambda: keras.optimizers.RMSprop(0.005), "categorical_crossentropy", (4,),
                                   lambda: [
        L.Dense(5, activation="relu", name="first", kernel_regularizer=R.L2(0.5), bias_regularizer=R.L1(0.5)),
        L.Dense(6, activation="tanh", name="hidden", kernel_regularizer=R.L2(0.01)),
        L.Dense(3, activation="softmax", name="out")], ["first"]),
    "adam_recurrent": (lambda: keras.optimizers.Adam(0.01), "mse", (5, 3), lambda: [
        L.SimpleRNN(4, return_sequences=True, name="rnn", kernel_regularizer=R.L2(0.01),
                    recurrent_regularizer=R.L1(0.005)),
        L.LSTM(4, return_sequences=True, name="lstm", recurrent_regularizer=R.L2(0.02), bias_regularizer=R.L1(0.01),
               bias_initializer=OFF_ZERO),
        L.GRU(3, name="gru", kernel_regularizer=R.L1L2(l1=0.001, l2=0.01), recurrent_regularizer=R.L2(0.01),
              bias_regularizer=R.L2(0.01)),
        L.Dense(2, name="out")], []),
}


def make_regularizers():
    """Per case: NAME.start.keras/.h5 (compiled, never trained), NAME.keras/.h5 (after 2 epochs), and
    NAME.ref.h5 with the data, Keras' predictions after those 2 epochs (`trained`) and after a third
    (`continued`), and the losses Keras reported for those epochs (attributes `trained_losses` and
    `continued_loss`: the data loss plus the regularizers' penalty, averaged over the batches)."""
    folder = os.path.join(ROOT, "Fixtures", "keras-regularizers")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    for name, (make_opt, loss, shape, make_layers, frozen) in REGULARIZER_CASES.items():
        keras.utils.set_random_seed(a.seed)
        x = rng.standard_normal((n, *shape)).astype(np.float32)
        layers = make_layers()
        y = targets(loss, (layers[-1].units,), n)
        model = keras.Sequential([keras.Input(shape)] + layers)
        for layer in model.layers:
            layer.trainable = layer.name not in frozen
        model.compile(optimizer=make_opt(), loss=loss)
        model.optimizer.build(model.trainable_variables)
        base = os.path.join(folder, name)
        model.save(base + ".start.keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".start.h5")
        model._compile_config.config.update(compile_config)
        trained_history = model.fit(x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        trained = model.predict(x, verbose=0).astype(np.float32)
        model.save(base + ".keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        continued_history = model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["trained"] = trained
            f["continued"] = model.predict(x, verbose=0).astype(np.float32)
            f.attrs["trained_losses"] = json.dumps([float(v) for v in trained_history.history["loss"]])
            f.attrs["continued_loss"] = float(continued_history.history["loss"][0])
            f.attrs["frozen"] = json.dumps(frozen)
            f.attrs["regularizers"] = json.dumps({
                layer.name: {key: keras.regularizers.serialize(getattr(layer, attr))
                             for key, attr in [("kernel_regularizer", "kernel_regularizer"),
                                               ("recurrent_regularizer", "recurrent_regularizer"),
                                               ("bias_regularizer", "bias_regularizer")]
                             if getattr(getattr(layer, "cell", layer), attr, None) is not None}
                for layer in model.layers})
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["note"] = ("fit(x, y, epochs=2, batch_size=8, shuffle=False) from NAME.start.*, saved as NAME.*, "
                               "then one more epoch; the regularizers are in the layers' configurations")
        print(name, loss, "losses", [round(v, 5) for v in trained_history.history["loss"]],
              round(float(continued_history.history["loss"][0]), 5))


# Keras 3's activations (keras.activations), as a Dense layer's activation and as a layer
# after a linear Dense, which bpkit folds into the Dense. Inputs are scaled by 2 so that
# relu6's cap and hard_silu's and hard_sigmoid's corners at ±3 are reached; by 0.5 for the
# exponential, whose outputs would otherwise drive the softmax below Keras' clipping of
# probabilities at 1e-7 in categorical_crossentropy (bpkit's fused gradient has no clipping).
ACTIVATION_NAMES = ["gelu", "silu", "swish", "softplus", "softsign", "selu", "hard_silu", "hard_swish", "relu6",
                    "exponential", "mish", "log_softmax"]
ACTIVATION_LAYERS = {
    "layer_gelu": lambda: L.Activation("gelu", name="act"),
    "layer_mish": lambda: L.Activation("mish", name="act"),
    "layer_relu6": lambda: L.ReLU(max_value=6.0, name="act"),
}


def make_activations():
    """Per activation: 2 epochs of fit with Adam, saved as NAME.keras and NAME.h5, then 1 more epoch."""
    folder = os.path.join(ROOT, "Fixtures", "keras-activations")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = targets("categorical_crossentropy", (3,), n)
    cases = {f"dense_{name}": (lambda name=name: [L.Dense(6, activation=name, name="hidden")])
             for name in ACTIVATION_NAMES}
    cases.update({name: (lambda make=make: [L.Dense(6, name="hidden"), make()])
                  for name, make in ACTIVATION_LAYERS.items()})
    for name, hidden in cases.items():
        x_case = x * (0.5 if name == "dense_exponential" else 2)
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,))] + hidden() + [L.Dense(3, activation="softmax", name="out")])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
        model.fit(x_case, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        predicted = model.predict(x_case, verbose=0).astype(np.float32)
        base = os.path.join(folder, name)
        model.save(base + ".keras")
        # Keras' legacy saver drops the optimizer from the compile config as it
        # saves (legacy/saving/saving_utils.py); it is put back for the rest of the run.
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(x_case, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x_case
            f["y"] = y
            f["predicted"] = predicted
            f["continued"] = model.predict(x_case, verbose=0).astype(np.float32)
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["layers"] = json.dumps([layer.get_config() for layer in model.layers], default=str)
            f.attrs["note"] = ("fit(x, y, epochs=2, batch_size=8, shuffle=False) with Adam(0.01); predicted holds the "
                               "predictions on x then; saved, then one more epoch; continued holds them after it")
        print(name, float(np.abs(predicted).max()))


# Regression losses beyond mse (keras.losses): a 4 → Dense 6 tanh → Dense 2 model on targets
# spread over ±3, so that Huber's errors fall on both sides of delta.
LOSSES = {
    "mae": lambda: "mae",
    "mean_absolute_error_object": lambda: keras.losses.MeanAbsoluteError(),
    "huber": lambda: "huber",
    "huber_object": lambda: keras.losses.Huber(),
}


def make_losses():
    """Per loss: 2 epochs of fit with Adam, saved as NAME.keras and NAME.h5, then 1 more epoch."""
    folder = os.path.join(ROOT, "Fixtures", "keras-losses")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = (rng.standard_normal((n, 2)) * 1.5).astype(np.float32)
    def build(loss):
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"),
                                  L.Dense(2, name="out")])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
        return model
    for name, loss in LOSSES.items():
        model = build(loss())
        model.fit(x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        predicted = model.predict(x, verbose=0).astype(np.float32)
        base = os.path.join(folder, name)
        model.save(base + ".keras")
        # Keras' legacy saver drops the optimizer from the compile config as it
        # saves (legacy/saving/saving_utils.py); it is put back for the rest of the run.
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["predicted"] = predicted
            f["continued"] = model.predict(x, verbose=0).astype(np.float32)
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["loss"] = json.dumps(keras.losses.serialize(model.loss) if not isinstance(model.loss, str)
                                         else model.loss)
            f.attrs["note"] = ("fit(x, y, epochs=2, batch_size=8, shuffle=False) with Adam(0.01); predicted holds the "
                               "predictions on x then; saved, then one more epoch; continued holds them after it")
        print(name, float(np.abs(predicted - y).mean()))


# Class weights (fit(class_weight=...)): Keras turns them into per-sample weights and divides the
# weighted sum by the batch size. Targets are drawn unevenly over the classes, so that the
# "balanced" weights differ from 1. Each case: (output units, activation, loss, the weights
# given to fit, or "balanced" for n/(k·n_c) over the training targets as scikit-learn computes it).
WEIGHT_CASES = {
    "class_weight_softmax": (3, "softmax", "categorical_crossentropy", {0: 1.0, 1: 5.0, 2: 0.5}),
    "class_weight_balanced": (3, "softmax", "categorical_crossentropy", "balanced"),
    "class_weight_sigmoid": (1, "sigmoid", "binary_crossentropy", {0: 2.0, 1: 0.5}),
    # Sample weights (fit(sample_weight=...)), drawn from [0, 3): "sample" for the whole run,
    # "sample_validation" with validation_split=0.25 too (Keras weighs the held-out samples' loss).
    "sample_weight_softmax": (3, "softmax", "categorical_crossentropy", "sample"),
    "sample_weight_mse": (2, None, "mse", "sample"),
    "sample_weight_validation": (3, "softmax", "categorical_crossentropy", "sample_validation"),
}


def make_weights():
    """Per case: NAME.start.keras/.h5 (compiled, never trained), NAME.keras/.h5 (after 2 epochs of fit with
    the weights), and NAME.ref.h5 with the data, Keras' predictions after those 2 epochs (`trained`) and
    after a third (`continued`), and the weights as an attribute in --class-weight's form."""
    folder = os.path.join(ROOT, "Fixtures", "keras-weights")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    x = rng.standard_normal((n, 4)).astype(np.float32)
    classes3 = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    classes2 = rng.choice(2, size=n, p=[0.7, 0.3])
    sample_weight = rng.uniform(0, 3, n).astype(np.float32)
    values = (rng.standard_normal((n, 2)) * 1.5).astype(np.float32)
    for name, (units, activation, loss, given) in WEIGHT_CASES.items():
        fit_weights = {}
        split = {}
        if loss == "mse":
            y = values
        elif units == 1:
            y = classes2.reshape(n, 1).astype(np.float32)
            found = classes2
        else:
            y = np.eye(units, dtype=np.float32)[classes3]
            found = classes3
        if isinstance(given, str) and given.startswith("sample"):
            weights = None
            flag = ""
            fit_weights = {"sample_weight": sample_weight}
            if given == "sample_validation":
                split = {"validation_split": 0.25}
        elif given == "balanced":
            counts = np.bincount(found, minlength=max(units, 2))
            present = np.count_nonzero(counts)
            weights = {c: float(n / (present * counts[c])) for c in range(len(counts)) if counts[c] > 0}
            flag = "auto"
        else:
            weights = given
            flag = ",".join(f"{c}:{w}" for c, w in sorted(given.items()))
        if weights is not None:
            fit_weights = {"class_weight": weights}
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"),
                                  L.Dense(units, activation=activation, name="out")])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
        model.optimizer.build(model.trainable_variables)
        base = os.path.join(folder, name)
        model.save(base + ".start.keras")
        # Keras' legacy saver drops the optimizer from the compile config as it
        # saves (legacy/saving/saving_utils.py); it is put back for the rest of the run.
        compile_config = dict(model._compile_config.config)
        model.save(base + ".start.h5")
        model._compile_config.config.update(compile_config)
        history = model.fit(x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0, **fit_weights, **split)
        trained = model.predict(x, verbose=0).astype(np.float32)
        model.save(base + ".keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0, **fit_weights, **split)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["trained"] = trained
            f["continued"] = model.predict(x, verbose=0).astype(np.float32)
            if weights is not None:
                f.attrs["class_weight"] = flag
                f.attrs["class_weight_dict"] = json.dumps({str(c): w for c, w in weights.items()})
            else:
                f["sample_weight"] = sample_weight
            f["loss_history"] = np.array(history.history["loss"], dtype=np.float64)
            if split:
                f.attrs["validation_split"] = split["validation_split"]
                f["val_loss_history"] = np.array(history.history["val_loss"], dtype=np.float64)
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["note"] = (f"4 -> Dense 6 tanh -> Dense {units} {activation or 'linear'}, {loss}, Adam(0.01); "
                               f"fit(x, y, epochs=2, batch_size=8, shuffle=False, {', '.join(fit_weights)}"
                               f"{', validation_split=0.25' if split else ''}) from NAME.start.*, saved as NAME.*, "
                               "then one more epoch")
        print(name, weights if weights is not None else "sample weights", history.history)


# Dropout layers (keras.layers.Dropout). Keras draws its masks from its own generator and bpkit
# from its counter-based one, so a run with dropout continues alike only at rate 0 (Keras' Dropout
# is then the identity in training too); at rate 0.5 only the predictions, where dropout does
# nothing, are comparable.
DROPOUT = {
    "rate0_dense": ((4,), "categorical_crossentropy", (3,),
                    lambda: [L.Dense(6, activation="tanh", name="hidden"), L.Dropout(0.0, name="drop"),
                             L.Dense(3, activation="softmax", name="out")]),
    "rate0_sequence": ((5, 3), "mse", (2,),
                       lambda: [L.LSTM(5, return_sequences=True, name="lstm"), L.Dropout(0.0, name="drop"),
                                L.GRU(4, name="gru"), L.Dropout(0.0, name="drop_last"), L.Dense(2, name="out")]),
    "rate_half_dense": ((4,), "categorical_crossentropy", (3,),
                        lambda: [L.Dropout(0.2, name="in_drop"), L.Dense(6, activation="relu", name="hidden"),
                                 L.Dropout(0.5, name="drop"), L.Dense(3, activation="softmax", name="out")]),
}


def make_dropout():
    """Per case: 2 epochs of fit with Adam, saved as NAME.keras and NAME.h5, then 1 more epoch."""
    folder = os.path.join(ROOT, "Fixtures", "keras-dropout")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    for name, (shape, loss, out, layers) in DROPOUT.items():
        x = rng.standard_normal((n, *shape)).astype(np.float32)
        y = targets(loss, out, n)
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input(shape)] + layers())
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
        model.fit(x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        predicted = model.predict(x, verbose=0).astype(np.float32)
        base = os.path.join(folder, name)
        model.save(base + ".keras")
        # Keras' legacy saver drops the optimizer from the compile config as it
        # saves (legacy/saving/saving_utils.py); it is put back for the rest of the run.
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["predicted"] = predicted
            f["continued"] = model.predict(x, verbose=0).astype(np.float32)
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["layers"] = json.dumps([layer.get_config() for layer in model.layers], default=str)
            f.attrs["note"] = ("fit(x, y, epochs=2, batch_size=8, shuffle=False) with Adam(0.01); predicted holds the "
                               "predictions on x then; saved, then one more epoch; continued holds them after it "
                               "(with Keras' own dropout masks)")
        print(name, float(np.abs(predicted).max()))

# Cross-entropies from logits and the sparse cross-entropy (keras.losses): 4 -> Dense 6 tanh -> Dense UNITS
# (linear for the logits losses) on 40 samples of 3 classes drawn unevenly. Each case: (output units, output
# activation, the loss, the targets: "onehot" rows, "sparse" integer labels (a 1-D int32 dataset), or
# "binary" 0/1 values, the learning rate). "saturated" starts a softmax output from a kernel drawn with a
# standard deviation of 6, so that its logits are far apart: after 2 epochs 11 of the 40 true-class
# probabilities lie below Keras' epsilon of 1e-7 (where Keras clips them, and its gradient through the clip
# is 0) and 4 above 1 - 1e-7.
LOGITS = {
    "categorical_logits": (3, None, lambda: keras.losses.CategoricalCrossentropy(from_logits=True), "onehot", 0.01),
    "sparse": (3, "softmax", lambda: "sparse_categorical_crossentropy", "sparse", 0.01),
    "sparse_object": (3, "softmax", lambda: keras.losses.SparseCategoricalCrossentropy(), "sparse", 0.01),
    "sparse_logits": (3, None, lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True), "sparse", 0.01),
    "binary_logits": (1, None, lambda: keras.losses.BinaryCrossentropy(from_logits=True), "binary", 0.01),
    "saturated": (3, "softmax", lambda: "categorical_crossentropy", "onehot", 0.01),
}


def make_logits():
    """Per case: NAME.start.keras/.h5 (compiled, never trained), NAME.keras/.h5 (after 2 epochs of fit), and
    NAME.ref.h5 with the data, Keras' predictions after those 2 epochs (`trained`) and after a third
    (`continued`), and the loss as compiled."""
    folder = os.path.join(ROOT, "Fixtures", "keras-logits")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    x = rng.standard_normal((n, 4)).astype(np.float32)
    classes = rng.choice(3, size=n, p=[0.5, 0.3, 0.2]).astype(np.int32)
    for name, (units, activation, loss, form, rate) in LOGITS.items():
        if form == "sparse":
            y = classes
        elif form == "binary":
            y = (classes == 0).astype(np.float32).reshape(n, 1)
        else:
            y = np.eye(units, dtype=np.float32)[classes]
        fit_x = x
        start = keras.initializers.RandomNormal(stddev=6.0, seed=3) if name == "saturated" else "glorot_uniform"
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"),
                                  L.Dense(units, activation=activation, kernel_initializer=start, name="out")])
        model.compile(optimizer=keras.optimizers.Adam(rate), loss=loss())
        model.optimizer.build(model.trainable_variables)
        base = os.path.join(folder, name)
        model.save(base + ".start.keras")
        # Keras' legacy saver drops the optimizer from the compile config as it
        # saves (legacy/saving/saving_utils.py); it is put back for the rest of the run.
        compile_config = dict(model._compile_config.config)
        model.save(base + ".start.h5")
        model._compile_config.config.update(compile_config)
        history = model.fit(fit_x, y, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        trained = model.predict(fit_x, verbose=0).astype(np.float32)
        model.save(base + ".keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(fit_x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        continued = model.predict(fit_x, verbose=0).astype(np.float32)
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = fit_x
            f["y"] = y
            f["trained"] = trained
            f["continued"] = continued
            f["loss_history"] = np.array(history.history["loss"], dtype=np.float64)
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["loss"] = json.dumps(keras.losses.serialize(model.loss) if not isinstance(model.loss, str)
                                         else model.loss)
            f.attrs["note"] = (f"4 -> Dense 6 tanh -> Dense {units} {activation or 'linear'}, Adam({rate}); "
                               "fit(x, y, epochs=2, batch_size=8, shuffle=False) from NAME.start.*, saved as NAME.*, "
                               "then one more epoch")
        if activation == "softmax":
            truth = trained[np.arange(n), classes]
            print(name, "true-class probabilities below 1e-7:", int((truth < 1e-7).sum()), "above 1 - 1e-7:",
                  int((truth > 1 - 1e-7).sum()), history.history["loss"])
        else:
            print(name, history.history["loss"])



# MARK: float64 dtype policies
FLOAT64_CASES = {
    # keras.config.set_floatx("float64") before the model is built: every layer's policy is float64.
    "adam_floatx_float64": (lambda: keras.optimizers.Adam(0.01), "floatx"),
    # dtype="float64" on every layer, floatx left at float32.
    "sgd_momentum_layers_float64": (lambda: keras.optimizers.SGD(0.05, momentum=0.9), "layers"),
}


def make_float64():
    """Per case: NAME.start.keras/.h5 (compiled, never trained), NAME.keras/.h5 (after 2 epochs), and
    NAME.ref.h5 with the data, Keras' float64 predictions after those 2 epochs (`trained`) and after a
    third (`continued`)."""
    folder = os.path.join(ROOT, "Fixtures", "keras-float64")
    os.makedirs(folder, exist_ok=True)
    n, batch = 40, 8
    # bpkit reads data as float32 and widens it exactly: the inputs are float32 values.
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = targets("categorical_crossentropy", (3,), n)
    for name, (make_opt, how) in FLOAT64_CASES.items():
        keras.config.set_floatx("float64" if how == "floatx" else "float32")
        keras.config.set_dtype_policy("float64" if how == "floatx" else "float32")
        dtype = "float64" if how == "layers" else None
        keras.utils.set_random_seed(a.seed)
        model = keras.Sequential([keras.Input((4,), dtype="float64"),
                                  L.Dense(5, activation="relu", name="hidden", dtype=dtype),
                                  L.Dense(3, activation="softmax", name="out", dtype=dtype)])
        model.compile(optimizer=make_opt(), loss="categorical_crossentropy")
        model.optimizer.build(model.trainable_variables)
        assert all(v.dtype == "float64" for v in model.weights), [v.dtype for v in model.weights]
        base = os.path.join(folder, name)
        model.save(base + ".start.keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".start.h5")
        model._compile_config.config.update(compile_config)
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        model.fit(x64, y64, epochs=2, batch_size=batch, shuffle=False, verbose=0)
        trained = model.predict(x64, verbose=0)
        model.save(base + ".keras")
        compile_config = dict(model._compile_config.config)
        model.save(base + ".h5")
        model._compile_config.config.update(compile_config)
        model.fit(x64, y64, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        continued = model.predict(x64, verbose=0)
        assert trained.dtype == np.float64 and continued.dtype == np.float64
        with h5py.File(base + ".ref.h5", "w") as f:
            f["x"] = x
            f["y"] = y
            f["trained"] = trained
            f["continued"] = continued
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = keras.backend.backend()
            f.attrs["note"] = ("4 -> Dense 5 relu (hidden) -> Dense 3 softmax (out), float64 dtype policy ("
                               + how + "); fit(x, y, epochs=2, batch_size=8, shuffle=False) from NAME.start.*, "
                               "saved as NAME.*, then one more epoch; trained and continued are float64")
        print(name, how, [str(v.dtype) for v in model.optimizer.variables[:3]])
    # Mixed policies, which bpkit refuses by name: a float64 layer before a float32 one.
    keras.config.set_floatx("float32")
    keras.config.set_dtype_policy("float32")
    model = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="tanh", name="hidden", dtype="float64"),
                              L.Dense(3, activation="softmax", name="out", dtype="float32")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    model.save(os.path.join(folder, "mixed_policies.keras"))
    model.save(os.path.join(folder, "mixed_policies.h5"))
    # float64 weights under a configuration that says float32 (a hand-edited file): bpkit refuses to
    # round them, naming the archive and its member.
    import zipfile
    with zipfile.ZipFile(os.path.join(folder, "adam_floatx_float64.keras")) as src, \
            zipfile.ZipFile(os.path.join(folder, "float64_weights_float32_config.keras"), "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "config.json":
                data = data.replace(b'"float64"', b'"float32"')
            out.writestr(item, data)


{"import": make_import, "export": make_export, "parity": make_parity, "settings": make_settings,
 "schedules": lambda: make_settings(SCHEDULES),
 "tf2": lambda: tf_keras2_layouts(os.path.join(ROOT, "Fixtures", "keras-settings")), "gated": make_gated,
 "callbacks": make_callbacks, "frozen": make_frozen, "activations": make_activations, "losses": make_losses,
 "weights": make_weights, "dropout": make_dropout,
 "regularizers": make_regularizers, "logits": make_logits, "float64": make_float64}[a.what]()
