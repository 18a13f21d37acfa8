"""Public tests that students downloaded before the library was split still run: their
``from kerascourse import neuron_checks`` and ``cnn_checks`` imports reach the modules' new homes."""

from pathlib import Path

import keras
import tensorflow as tf
from otter.test_files.exception_test import ExceptionTestFile

LEGACY = Path(__file__).parent / "legacy"  # copied unchanged from exercises/ at the last flat-layout release


def run(test_file, env):
    test = ExceptionTestFile.from_file(str(LEGACY / test_file))
    test.run(env)
    return test


def test_an_old_activation_test_passes_right_answers_and_fails_wrong_ones():
    right = {"relu": lambda z: tf.maximum(z, 0.0), "sigmoid": lambda z: 1 / (1 + tf.exp(-z)), "tanh": tf.tanh}
    assert run("02_neurons_q2.py", right).passed_all
    wrong = {**right, "sigmoid": lambda z: 1 / (1 + tf.exp(z))}
    test = run("02_neurons_q2.py", wrong)
    assert not test.passed_all and "sigmoid decreases where it should increase" in repr(test)


def test_an_old_cnn_test_passes_a_convolutional_network():
    cnn = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    test = run("05_cnn_q2.py", {"cnn": cnn})
    assert test.passed_all, repr(test)


def test_every_old_import_path_resolves_to_the_module_that_now_holds_it():
    import importlib

    import kerascourse

    for old, new in kerascourse.MOVED.items():
        assert importlib.import_module(f"kerascourse.{old}") is importlib.import_module(new)
        assert importlib.import_module(new).__spec__.name == new
