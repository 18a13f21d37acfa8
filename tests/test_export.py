"""Answers leave the notebook as data and come back for the judge; untrusted exports are refused."""

import json

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from train_steps import good_factory

from kerascourse import checks, export, neuron_checks, probes


def test_round_trip_of_every_kind(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = keras.callbacks.History()
    history.history = {"loss": [np.float32(1.5), 1.2]}
    namespace = {
        "model": model,
        "history": history,
        "head": layers.Dense(1, activation="sigmoid"),
        "heads": [layers.Dense(10), layers.Softmax()],
        "loss": keras.losses.BinaryCrossentropy(from_logits=True),
        "loss_fn": keras.losses.sparse_categorical_crossentropy,
        "name": "mse",
        "accuracy": np.float64(0.93),
        "epochs": 10,
        "array": np.arange(6).reshape(2, 3),
        "search": {0.0: np.float64(0.85), 0.5: 0.9, (1, "a"): 0.1},
        "shapes": {"conv1": (26, 26, 32), "flatten": (np.int64(1600),)},
        "augment": keras.Sequential([layers.RandomRotation(0.05), layers.RandomZoom(0.1)]),
        "step": good_factory,
        "weird": object(),
    }
    export.export(namespace, [*namespace, "absent"], {"step": "train_step"}, tmp_path)
    env = export.load(tmp_path)
    assert isinstance(env["model"], keras.Model) and checks.output_activation(env["model"]) == "softmax"
    assert float(env["model"].optimizer.learning_rate) == np.float32(0.05)
    assert env["history"].history == {"loss": [1.5, 1.2]}
    assert checks.describe_layer(env["head"]) == "Dense(1, sigmoid)"
    assert [type(layer).__name__ for layer in env["heads"]] == ["Dense", "Softmax"]
    assert checks.loss_identity(env["loss"]) == ("binary_crossentropy", True)
    assert checks.loss_identity(env["loss_fn"]) == ("sparse_categorical_crossentropy", False)
    assert (env["name"], env["epochs"]) == ("mse", 10) and abs(env["accuracy"] - 0.93) < 1e-12
    assert np.array_equal(env["array"], namespace["array"])
    assert env["search"] == {0.0: 0.85, 0.5: 0.9, (1, "a"): 0.1}
    assert env["shapes"] == {"conv1": [26, 26, 32], "flatten": [1600]}
    images = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    assert np.allclose(env["augment"](images, training=False), images), "an unbuilt augmentation model survives"
    assert [type(layer).__name__ for layer in env["augment"].layers] == ["RandomRotation", "RandomZoom"]
    assert "cannot be graded outside the notebook" in env["weird"].reason
    assert env["absent"].reason == "the notebook does not define it"
    checks.require_train_step_matches_reference(env["step"], "make_train_step", steps=3)
    checks.require_train_step_compiled(env["step"], "make_train_step")
    checks.require_train_step_training_mode(env["step"], "make_train_step")


def test_recorded_failures_replay_with_their_message(tmp_path):
    def eager(model, loss_fn, optimizer):
        return good_factory(model, loss_fn, optimizer).python_function

    export.export({"step": eager, "none": lambda *a: None}, ["step", "none"],
                  {"step": "train_step", "none": "train_step"}, tmp_path)
    env = export.load(tmp_path)
    try:
        checks.require_train_step_compiled(env["step"], "make_train_step")
        raise AssertionError("an eager step must fail the compiled check")
    except checks.CheckFailed as failure:
        assert "decorate it with @tf.function" in str(failure)
    try:
        checks.require_train_step_compiled(env["none"], "make_train_step")
        raise AssertionError("a factory returning None must fail")
    except checks.CheckFailed as failure:
        assert "returned a NoneType" in str(failure)


def test_variables_nested_arrays_and_recorded_function_calls(tmp_path):
    def relu(z):
        return tf.maximum(z, 0.0)

    dense = keras.layers.Dense(2, bias_initializer="ones")
    dense.build((None, 3))
    namespace = {
        "w": tf.Variable(2.0),
        "bias": dense.bias,  # a keras.Variable
        "weights": [dense.kernel, dense.bias],
        "dy_dw": None,
        "grads": [np.ones((2, 3), dtype=np.float32), tf.constant([0.5, -1.0])],
        "curves": {0.01: np.array([3.0, 2.5]), 1.1: [3.0, 9.0]},
        "relu": relu,
        "softmax": lambda z: z.no_such_method(),
    }
    probe_kinds = {"relu": "neuron_checks", "softmax": "neuron_checks"}
    export.export(namespace, list(namespace), probe_kinds, tmp_path)
    env = export.load(tmp_path)
    assert isinstance(env["w"], tf.Variable) and float(env["w"]) == 2.0
    assert np.array_equal(env["bias"].numpy(), [1.0, 1.0])
    assert np.allclose(env["weights"][0], dense.kernel.numpy()) and env["weights"][1] == [1.0, 1.0]
    assert env["dy_dw"] is None
    assert env["grads"] == [[[1.0] * 3] * 2, [0.5, -1.0]]
    assert env["curves"] == {0.01: [3.0, 2.5], 1.1: [3.0, 9.0]}
    neuron_checks.require_activation(env["relu"], "relu")  # replayed from the recording, not run again
    assert isinstance(env["relu"], probes.Recording)
    try:
        neuron_checks.require_activation(env["softmax"], "softmax")
        raise AssertionError("a function that raises must fail its check")
    except checks.CheckFailed as failure:
        assert "softmax(<float32 array of shape (3, 4)>) raised AttributeError" in str(failure)


def test_untrusted_manifests_are_refused(tmp_path):
    outside = tmp_path / "secret.npy"
    np.save(outside, np.ones(3))
    folder = tmp_path / "export"
    folder.mkdir()
    manifest = {
        "escape": {"kind": "array", "file": "../secret.npy"},
        "foreign": {"kind": "keras_object", "value": {"module": "os", "class_name": "system", "config": {}}},
        "nested": {"kind": "layers", "single": True, "value": [
            {"module": "keras.layers", "class_name": "Dense",
             "config": {"units": 1, "activation": {"module": "subprocess", "class_name": "Popen", "config": {}}}}]},
    }
    (folder / export.MANIFEST).write_text(json.dumps(manifest))
    env = export.load(folder)
    assert "is not a file of the export" in env["escape"].reason
    assert "only Keras objects are graded" in env["foreign"].reason
    assert "only Keras objects are graded" in env["nested"].reason
