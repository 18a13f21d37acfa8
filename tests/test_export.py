"""Answers leave the notebook as data and come back for the judge; untrusted and oversized exports are refused."""

import json
import os
import time
import tracemalloc
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch
from keras import layers
from train_steps import good_factory

from kerascourse import checks
from kerascourse.checks import neurons as neuron_checks
from kerascourse.checks import probes
from kerascourse.grader import exporter, loader


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
        "make_train_step": good_factory,
        "weird": object(),
    }
    exporter.export(namespace, [*namespace, "absent"], {"make_train_step": "kerascourse.checks"}, tmp_path)
    env = loader.load(tmp_path).env
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
    checks.require_train_step_matches_reference(env["make_train_step"], "make_train_step", steps=3)
    checks.require_train_step_compiled(env["make_train_step"], "make_train_step")
    checks.require_train_step_training_mode(env["make_train_step"], "make_train_step")


def recorded_train_step(factory, folder):
    probes = {"make_train_step": "kerascourse.checks"}
    exporter.export({"make_train_step": factory}, ["make_train_step"], probes, folder)
    return loader.load(folder).env["make_train_step"]


def test_recorded_failures_replay_with_their_message(tmp_path):
    def eager(model, loss_fn, optimizer):
        return good_factory(model, loss_fn, optimizer).python_function

    eager_step = recorded_train_step(eager, tmp_path / "eager")
    none_step = recorded_train_step(lambda *a: None, tmp_path / "none")
    try:
        checks.require_train_step_compiled(eager_step, "make_train_step")
        raise AssertionError("an eager step must fail the compiled check")
    except checks.CheckFailed as failure:
        assert "decorate it with @tf.function" in str(failure)
    try:
        checks.require_train_step_compiled(none_step, "make_train_step")
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
    probe_kinds = {"relu": "kerascourse.checks.neurons", "softmax": "kerascourse.checks.neurons"}
    exporter.export(namespace, list(namespace), probe_kinds, tmp_path)
    env = loader.load(tmp_path).env
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
        assert "softmax(<float32 array of shape (3, 4)>) failed: AttributeError" in str(failure)


def test_pytorch_answers_leave_as_arrays_and_module_trees(tmp_path):
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    namespace = {
        "pixels": torch.arange(6, dtype=torch.float32).reshape(2, 3).requires_grad_(),
        "labels": torch.tensor([1, 2]),
        "back": np.zeros(3, dtype=np.float32),
        "device": torch.device("cpu"),
        "loader": DataLoader(TensorDataset(torch.zeros(5, 2), torch.arange(5)), batch_size=2),
        "loss_fn": nn.BCEWithLogitsLoss(),
        "model": model,
    }
    exporter.export(namespace, list(namespace), {}, tmp_path)
    assert not list(tmp_path.glob("*.pt")) and not list(tmp_path.glob("*.pkl"))
    env = loader.load(tmp_path).env
    assert isinstance(env["pixels"], torch.Tensor) and env["pixels"].dtype == torch.float32
    assert torch.equal(env["pixels"], namespace["pixels"].detach())
    assert env["labels"].dtype == torch.int64 and isinstance(env["back"], np.ndarray)
    assert env["device"] == "cpu"
    epochs = env["loader"].data["dataset"]
    assert [[len(labels) for _, labels in epoch] for epoch in epochs] == [[2, 2, 1], [2, 2, 1]]
    assert env["loss_fn"].data["torch_module"]["type"] == "BCEWithLogitsLoss"
    tree = env["model"].data["torch_module"]
    assert [(m["name"], m["type"]) for m in tree["modules"]] == [
        ("", "Sequential"), ("0", "Linear"), ("1", "ReLU"), ("2", "Linear")]
    assert tree["modules"][1]["config"] == {"in_features": 2, "out_features": 3, "bias": True}
    assert tree["trainable_parameters"] == 13
    assert np.array_equal(tree["state"]["2.weight"], model.state_dict()["2.weight"].numpy())


class _RunsCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickled_state_dict_planted_where_the_grader_reads_answers_is_never_unpickled(tmp_path):
    marker, folder = tmp_path / "pwned", tmp_path / "export"
    folder.mkdir()
    torch.save({"fc1.weight": torch.zeros(2, 2), "fc1.hook": _RunsCommand(marker)}, folder / "state.pt")
    (folder / "state.json").write_text(json.dumps({"value": "a state_dict"}))
    kinds = [{"kind": "array", "file": "state.pt", "torch": True}, {"kind": "array", "file": "state.pt"},
             {"kind": "torch", "file": "state.json", "arrays": "state.pt"},
             {"kind": "calls", "file": "state.json", "arrays": "state.pt"}, {"kind": "model", "file": "state.pt"}]
    (folder / loader.MANIFEST).write_text(json.dumps({f"answer{n}": kind for n, kind in enumerate(kinds)}))
    env = loader.load(folder).env
    assert all(isinstance(value, checks.Unavailable) for value in env.values()), env
    assert not marker.exists()
    torch.load(folder / "state.pt", weights_only=False)  # what the grader never calls: the file is a real attack
    assert marker.exists()


def test_untrusted_manifests_are_refused(tmp_path):
    outside = tmp_path / "secret.npy"
    np.save(outside, np.ones(3))
    folder = tmp_path / "export"
    folder.mkdir()
    manifest = {
        "escape": {"kind": "array", "file": "../secret.npy"},
        "foreign": {"kind": "keras_object", "value": {"module": "os", "class_name": "system", "config": {}}},
        "lookalike": {"kind": "keras_object", "value": {"module": "keras_evil", "class_name": "Layer", "config": {}}},
        "nested": {"kind": "layers", "single": True, "value": [
            {"module": "keras.layers", "class_name": "Dense",
             "config": {"units": 1, "activation": {"module": "subprocess", "class_name": "Popen", "config": {}}}}]},
    }
    (folder / loader.MANIFEST).write_text(json.dumps(manifest))
    env = loader.load(folder).env
    assert "is not a file of the export" in env["escape"].reason
    assert "only Keras objects are graded" in env["foreign"].reason
    assert "only Keras objects are graded" in env["lookalike"].reason
    assert "only Keras objects are graded" in env["nested"].reason


def refused(folder, manifest):
    (folder / loader.MANIFEST).write_text(json.dumps(manifest))
    tracemalloc.start()
    started = time.monotonic()
    answers = loader.load(folder)
    seconds, (_, peak) = time.monotonic() - started, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return answers, seconds, peak


def test_an_archive_that_decompresses_to_gigabytes_is_refused_unread(tmp_path):
    """A 2 MB .keras file whose weights decompress to 2 GB: refused by its declared sizes, in well under a
    second, without decompressing anything."""
    with zipfile.ZipFile(tmp_path / "bomb.keras", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("config.json", "{}")
        with archive.open("model.weights.h5", "w", force_zip64=True) as weights:
            for _ in range(32):
                weights.write(bytes(2**26))
    assert (tmp_path / "bomb.keras").stat().st_size < 20 * 2**20
    answers, seconds, peak = refused(tmp_path, {"mlp": {"kind": "model", "file": "bomb.keras"}})
    assert answers.refused == {"bomb.keras decompresses to 2,048 MB; the limit is 1024 MB": ["mlp"]}
    assert "over the grader's limits" in answers.env["mlp"].reason
    assert seconds < 5 and peak < 16 * 2**20


def test_an_array_whose_header_declares_gigabytes_is_refused_unread(tmp_path):
    header = {"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)}
    with open(tmp_path / "x.npy", "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, header)
        handle.write(bytes(1024))
    answers, seconds, peak = refused(tmp_path, {"x": {"kind": "array", "file": "x.npy"}})
    assert answers.refused == {"x.npy declares (100000, 100000) float64 (76,294 MB); the limit is 512 MB": ["x"]}
    assert seconds < 5 and peak < 16 * 2**20


def test_oversized_json_is_refused(tmp_path):
    limits = loader.Limits(json_mb=1)
    (tmp_path / "calls.json").write_text(json.dumps({"1": {"result": {"value": "x" * 2**21}}}))
    np.savez(tmp_path / "calls.npz")
    manifest = {"relu": {"kind": "calls", "file": "calls.json", "arrays": "calls.npz"}}
    (tmp_path / loader.MANIFEST).write_text(json.dumps(manifest))
    answers = loader.load(tmp_path, limits)
    assert answers.refused == {"calls.json is 2 MB of JSON; the limit is 1 MB": ["relu"]}
    (tmp_path / loader.MANIFEST).write_text(json.dumps({"padding": "x" * 2**21}))
    with pytest.raises(loader.TooLarge, match="manifest.json is 2 MB of JSON"):
        loader.load(tmp_path, limits)
