"""Makes tf2onnx reference files for bpkit's ONNX import tests, with real TensorFlow and tf2onnx.

bpkit and its tests never run Python or TensorFlow: this script writes fixtures that the tests
compare with, into Fixtures/tf2onnx/. Rerun it to remake them (the weights come from a fixed seed).

Usage:  /path/to/venv/bin/python Scripts/tf2onnx_reference.py
Needs:  python3 -m venv VENV && VENV/bin/pip install tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnx h5py
        (tf2onnx.convert.from_keras does not read Keras 3 models, so each model is converted as the
        tf.function that calls it: tf2onnx.convert.from_function)

For each case NAME it writes
  NAME.onnx    tf2onnx.convert.from_function, opset 17, dynamic batch (and steps)
  NAME.ref.h5  x and TensorFlow's outputs y (float32), with the --layers spec of the network
               (attribute "layers") and the versions used
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import h5py
import numpy as np
import onnx
import tensorflow as tf
import tf2onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "tf2onnx")
SEED = 17


def cases():
    layers = tf.keras.layers
    yield ("mlp_every_activation", "6,8:relu,8:tanh,6:sigmoid,5:elu,4:softmax", (6,),
           [layers.Dense(8, activation="relu"), layers.Dense(8, activation="tanh"),
            layers.Dense(6, activation="sigmoid"), layers.Dense(5, activation="elu"),
            layers.Dense(4, activation="softmax")])
    yield ("mlp_linear_head", "4,7:tanh,3", (4,), [layers.Dense(7, activation="tanh"), layers.Dense(3)])
    # tf2onnx writes Keras 3's SimpleRNN as an ONNX Loop over a body graph, which bpkit reads as an Elman layer.
    yield ("rnn_simple_loop", "?x3,rnn5:tanh:seq,rnn4:tanh,2", (None, 3),
           [layers.SimpleRNN(5, return_sequences=True), layers.SimpleRNN(4), layers.Dense(2)])


def main():
    os.makedirs(OUT, exist_ok=True)
    tf.random.set_seed(SEED)
    rng = np.random.default_rng(SEED)
    for name, spec, shape, stack in cases():
        model = tf.keras.Sequential([tf.keras.Input(shape)] + stack)
        # Keras starts biases at zero, which tf2onnx folds away: give every weight a value.
        for weight in model.weights:
            weight.assign(rng.uniform(-0.6, 0.6, weight.shape).astype(np.float32))
        signature = (tf.TensorSpec((None, *shape), tf.float32, name="input"),)
        function = tf.function(lambda x, model=model: model(x), input_signature=signature)
        path = os.path.join(OUT, name + ".onnx")
        tf2onnx.convert.from_function(function, input_signature=signature, opset=17, output_path=path)
        steps = (6,) if len(shape) == 2 else ()
        x = rng.standard_normal((5, *steps, shape[-1])).astype(np.float32)
        y = np.asarray(model(x), dtype=np.float32)
        with h5py.File(os.path.join(OUT, name + ".ref.h5"), "w") as f:
            f["x"] = x
            f["y"] = y
            f.attrs["layers"] = spec
            f.attrs["versions"] = f"tensorflow {tf.__version__}, tf2onnx {tf2onnx.__version__}, onnx {onnx.__version__}"
        ops = sorted({node.op_type for node in onnx.load(path).graph.node})
        print(name, y.shape, "operators:", ", ".join(ops))
    return 0


if __name__ == "__main__":
    sys.exit(main())
