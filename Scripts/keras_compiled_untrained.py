"""Makes Fixtures/keras/compiled_untrained.* with real Keras (development time only): a model
compiled with SGD(0.1, momentum=0.9) and saved before fit, so its optimizer holds an iteration
count (int32 on the JAX backend) and a learning rate but no slots.

Usage:  cd Fixtures/keras && ../../.build/ci-venv/bin/python ../../Scripts/keras_compiled_untrained.py
"""
import os
os.environ["KERAS_BACKEND"] = "jax"
import keras, numpy as np, h5py
from keras import layers as L
keras.utils.set_random_seed(5)
m = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="tanh", name="hidden"), L.Dense(3, activation="softmax", name="out")])
m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="categorical_crossentropy")
m.save("compiled_untrained.keras")
m.save("compiled_untrained.h5")
x = np.random.default_rng(5).standard_normal((8, 4)).astype("float32")
with h5py.File("compiled_untrained.ref.h5", "w") as f:
    f["x"] = x; f["y"] = m.predict(x, verbose=0)
    f.attrs["keras_version"] = keras.__version__; f.attrs["case"] = "compiled_untrained"
    f.attrs["note"] = "compile(SGD(0.1, momentum=0.9), categorical_crossentropy), saved before fit"
print(keras.__version__)
