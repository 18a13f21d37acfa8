"""Compiled train and eval steps against eager references, and the training loop."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from benchmarks.training import make_eval_step, make_train_step, train

LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def mlp(inputs=8, classes=3):
    return keras.Sequential(
        [keras.Input((inputs,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(classes)]
    )


def twin_mlps():
    """Two MLPs with identical weights."""
    keras.utils.set_random_seed(0)
    first, second = mlp(), mlp()
    second.set_weights(first.get_weights())
    return first, second


def batches(steps, rows=16, inputs=8, classes=3):
    rng = np.random.default_rng(1)
    return [
        (rng.normal(size=(rows, inputs)).astype("float32"), rng.integers(0, classes, rows))
        for _ in range(steps)
    ]


def eager_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = LOSS(y, model(x, training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    return loss


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
@pytest.mark.parametrize("optimizer", [keras.optimizers.SGD, keras.optimizers.Adam])
def test_compiled_step_matches_eager_step(optimizer, jit_compile):
    compiled_model, eager_model = twin_mlps()
    step = make_train_step(compiled_model, LOSS, optimizer(learning_rate=0.1), jit_compile=jit_compile)
    eager_optimizer = optimizer(learning_rate=0.1)
    for x, y in batches(5):
        before = compiled_model.get_weights()
        np.testing.assert_allclose(
            float(step(x, y)), float(eager_step(eager_model, eager_optimizer, x, y)), atol=1e-5
        )
        for got, want, old in zip(compiled_model.get_weights(), eager_model.get_weights(), before, strict=True):
            np.testing.assert_allclose(got, want, atol=1e-5)
            assert not np.array_equal(got, old)  # the step really updated the weights


def test_step_scales_the_loss_for_a_loss_scale_optimizer():
    scaled_model, plain_model = twin_mlps()
    scaled = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.1))
    scaled_step = make_train_step(scaled_model, LOSS, scaled)
    plain_step = make_train_step(plain_model, LOSS, keras.optimizers.SGD(learning_rate=0.1))
    for x, y in batches(3):
        scaled_step(x, y)
        plain_step(x, y)
    for got, want in zip(scaled_model.get_weights(), plain_model.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5)


class RecordsTraining(keras.layers.Layer):
    """Passes its input through and records the ``training`` argument of each call."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def call(self, inputs, training=None):
        self.calls.append(training)
        return inputs


def test_train_step_runs_in_training_mode_and_eval_step_in_inference_mode():
    recorder = RecordsTraining()
    model = keras.Sequential([keras.Input((8,)), recorder, keras.layers.Dense(3)])
    train_step = make_train_step(model, LOSS, keras.optimizers.SGD())
    eval_step = make_eval_step(model, LOSS)
    ((x, y),) = batches(1)
    recorder.calls.clear()
    train_step(x, y)
    assert recorder.calls and set(recorder.calls) == {True}
    recorder.calls.clear()
    eval_step(x, y)
    assert recorder.calls and set(recorder.calls) == {False}


def separable(rows, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 2)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(32)


def test_train_learns_a_separable_problem(capsys):
    keras.utils.set_random_seed(0)
    model = mlp(inputs=2, classes=2)
    history = train(
        model,
        LOSS,
        keras.optimizers.Adam(learning_rate=0.01),
        separable(512, seed=0),
        epochs=5,
        val_ds=separable(256, seed=1),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        verbose=0,
    )
    assert capsys.readouterr().out == ""
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 5 and all(type(v) is float for v in values) for values in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9


def test_train_resets_loss_and_metrics_every_epoch_and_before_validation(capsys):
    """Frozen predictions (class 0) on labels alternating 0, 1, 0 by epoch: nothing may carry over."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([np.zeros((3, 2), "float32"), np.array([1.0, 0.0], "float32")])
    epochs_seen = []

    def alternating_labels():
        label = len(epochs_seen) % 2
        epochs_seen.append(label)
        for _ in range(4):
            yield np.ones((8, 3), "float32"), np.full((8,), label, "int64")

    train_ds = tf.data.Dataset.from_generator(
        alternating_labels,
        output_signature=(tf.TensorSpec((8, 3), tf.float32), tf.TensorSpec((8,), tf.int64)),
    )
    val_ds = tf.data.Dataset.from_tensors((np.ones((8, 3), "float32"), np.ones(8, "int64")))
    history = train(
        model,
        LOSS,
        keras.optimizers.SGD(learning_rate=0.0),
        train_ds,
        epochs=3,
        val_ds=val_ds,
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    right, wrong = math.log1p(math.exp(-1)), math.log1p(math.exp(1))  # cross-entropy of logits [1, 0]
    assert history["accuracy"] == [1.0, 0.0, 1.0]
    np.testing.assert_allclose(history["loss"], [right, wrong, right], rtol=1e-5)
    assert history["val_accuracy"] == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(history["val_loss"], [wrong] * 3, rtol=1e-5)
    assert capsys.readouterr().out.count("Epoch ") == 3
