"""Answers written the ways tutorials write them grade alike in the notebook and after the trip out of the
sandbox: subclassed models and layers, TensorFlow functions as activations (``checks.portable``)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from failing import raw_text_in
from keras import layers

from kerascourse import checks
from kerascourse.checks import autoencoders
from kerascourse.checks.answers import CheckFailed, explain
from kerascourse.grader import exporter, loader


class Denoise(keras.Model):
    """As TensorFlow's autoencoder tutorial writes it."""

    def __init__(self, last_activation="sigmoid"):
        super().__init__()
        self.encoder = keras.Sequential([layers.Flatten(), layers.Dense(16, activation="relu")])
        self.decoder = keras.Sequential([layers.Dense(784, activation=last_activation), layers.Reshape((28, 28, 1))])

    def call(self, x):
        return self.decoder(self.encoder(x))


class Untraceable(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(3)

    def call(self, x):
        return self.dense(tf.reshape(x, (-1, 4)))  # a TensorFlow op on the input cannot take a symbolic tensor


def built(model, shape):
    model(np.zeros((1, *shape), dtype="float32"))
    return model


def exported(tmp_path, **answers):
    exporter.export(answers, list(answers), {}, tmp_path)
    return loader.load(tmp_path).env


def test_a_subclassed_model_is_read_as_the_functional_model_of_its_layers():
    model = built(Denoise(), (28, 28, 1))
    traced = checks.require_model(model, "denoiser")
    assert traced.input_shape == (None, 28, 28, 1) and traced.output_shape == (None, 28, 28, 1)
    assert [type(layer).__name__ for layer in checks.model_layers(model)] == ["Sequential", "Sequential"]
    assert checks.require_model(model, "denoiser") is traced  # traced once per object
    images = np.random.default_rng(0).uniform(size=(3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(traced.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6)


def test_checks_pass_a_right_subclassed_model_and_still_catch_a_wrong_one():
    autoencoders.require_image_to_image(built(Denoise(), (28, 28, 1)), "denoiser")
    autoencoders.require_pixel_output(built(Denoise(), (28, 28, 1)), "denoiser")
    with pytest.raises(CheckFailed, match="activation='sigmoid'"):
        autoencoders.require_pixel_output(built(Denoise("relu"), (28, 28, 1)), "denoiser")


def test_a_subclassed_model_leaves_the_sandbox_as_a_model_the_judge_can_load(tmp_path):
    model = built(Denoise(), (28, 28, 1))
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss="mse")
    inside = keras.Sequential([keras.Input((28, 28, 1)), model])  # nested in a Sequential too
    env = exported(tmp_path, denoiser=model, wrapped=inside)
    images = np.random.default_rng(1).uniform(size=(2, 28, 28, 1)).astype("float32")
    for name in ("denoiser", "wrapped"):
        assert isinstance(env[name], keras.Model), env[name]
        np.testing.assert_allclose(env[name].predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6)
    assert env["denoiser"].get_compile_config()["loss"] == "mse"
    assert float(env["denoiser"].optimizer.learning_rate) == pytest.approx(0.003)
    autoencoders.require_pixel_output(env["denoiser"], "denoiser")


def test_tensorflow_function_activations_read_and_travel_as_their_keras_names(tmp_path):
    mlp = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation=tf.nn.relu),
                            layers.Dense(3, activation=tf.nn.softmax)])
    head = layers.Dense(3, activation=tf.nn.softmax)
    assert checks.output_activation(mlp) == "softmax"
    checks.require_head(head, "sparse_categorical_crossentropy", "multiclass", 3, "multiclass_head")
    x = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    before = mlp.predict(x, verbose=0)
    env = exported(tmp_path, mlp=mlp, head=head)
    assert checks.output_activation(env["mlp"]) == "softmax" and checks.activation_of(env["head"]) == "softmax"
    np.testing.assert_allclose(env["mlp"].predict(x, verbose=0), before, atol=1e-6)


def test_a_model_the_grader_cannot_trace_is_told_why_and_how_to_fix_it(tmp_path):
    with pytest.raises(CheckFailed, match="build or fit it first"):
        checks.require_model(Untraceable(), "model")
    model = built(Untraceable(), (4,))
    with pytest.raises(CheckFailed, match="keras.ops only") as caught:
        checks.require_model(model, "model")
    assert "Error" not in str(caught.value).split("(")[0]
    env = exported(tmp_path, model=model)
    with pytest.raises(CheckFailed, match="model is not available to the grader: it cannot be graded"):
        checks.require_model(env["model"], "model")


def test_framework_errors_are_explained_without_their_class_names():
    try:
        np.zeros((1000, 5, 5)) - np.zeros(1000)
    except ValueError as error:
        numpy_text = explain(error)
    try:
        tf.constant(np.ones((3, 4))) - tf.constant(np.ones(3))
    except tf.errors.InvalidArgumentError as error:
        tensorflow_text = explain(error)
    assert "(1000, 5, 5) and (1000,)" in numpy_text and "(3, 4) and (3,)" in tensorflow_text
    for text in (numpy_text, tensorflow_text):
        assert "keepdims=True" in text
        assert not raw_text_in(text)
    assert explain(KeyError("q")) == "KeyError: 'q'"

