"""Lesson 02's checks: each passes a valid answer and names the fix for each known mistake."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from failing import fails_with
from keras import layers
from recorded import as_graded

from kerascourse.checks import neurons as nc

X, Y = nc.XOR_INPUTS, nc.XOR_TARGETS


def test_perceptron_rule_example_by_example():
    w, b, errors = nc.run_perceptron(X, nc.AND_TARGETS, 0.1, 10)
    assert errors[-1] == 0 and errors[0] > 0
    nc.require_separates_and(w, b, errors)
    nc.require_perceptron(w, b, errors, 0.1, 10)
    nc.require_perceptron(tf.constant(w), np.float32(b), np.array(errors), 0.1, 10)
    flipped = nc.run_perceptron(X, nc.AND_TARGETS, -0.1, 10)
    fails_with("not AND's", nc.require_separates_and, *flipped)
    fails_with("moves the weights away", nc.require_perceptron, *flipped, 0.1, 10)
    fixed_bias = nc.run_perceptron(X, nc.AND_TARGETS, 0.1, 10, bias=False)
    fails_with("the bias never moves", nc.require_perceptron, *fixed_bias, 0.1, 10)
    fails_with("a running total", nc.require_perceptron, w, b, np.cumsum(errors).tolist(), 0.1, 10)
    fails_with("count each epoch's mistakes from 0", nc.require_separates_and, w, b, np.cumsum(errors).tolist())
    fails_with("the rule gives", nc.require_perceptron, w, b, [errors[0] + 1, *errors[1:]], 0.1, 10)
    fails_with("10 epochs", nc.require_perceptron, w, b, errors[:5], 0.1, 10)


def relu(z):
    return tf.maximum(z, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + tf.exp(-z))


def tanh(z):
    return (tf.exp(z) - tf.exp(-z)) / (tf.exp(z) + tf.exp(-z))


def softmax(z, axis=-1, stable=True):
    shifted = z - tf.reduce_max(z, axis=axis, keepdims=True) if stable else z
    return tf.exp(shifted) / tf.reduce_sum(tf.exp(shifted), axis=axis, keepdims=True)


def recorded(fn, name, tmp_path):
    return as_graded(fn, name, "kerascourse.checks.neurons", tmp_path / name)


@pytest.mark.parametrize("as_graded", [False, True], ids=["in the notebook", "recorded"])
def test_activations_match_keras_and_each_slip_is_named(as_graded, tmp_path):
    def given(fn, name):
        return recorded(fn, name, tmp_path) if as_graded else fn

    for name, fn in [("relu", relu), ("sigmoid", sigmoid), ("tanh", tanh), ("softmax", softmax)]:
        nc.require_activation(given(fn, name), name)
    nc.require_activation(given(lambda z: np.maximum(np.asarray(z), 0), "relu"), "relu")
    fails_with("a minus sign in exp", nc.require_activation, given(lambda z: 1 / (1 + tf.exp(z)), "sigmoid"),
               "sigmoid")
    fails_with("the sigmoid's input is 2 z", nc.require_activation, given(lambda z: 2 * sigmoid(z) - 1, "tanh"),
               "tanh")
    fails_with("that is the sigmoid", nc.require_activation, given(sigmoid, "tanh"), "tanh")
    fails_with("negative inputs become 0", nc.require_activation, given(lambda z: z, "relu"), "relu")
    fails_with("subtract each row's maximum", nc.require_activation,
               given(lambda z: softmax(z, stable=False), "softmax"), "softmax")
    fails_with("normalises each column", nc.require_activation, given(lambda z: softmax(z, axis=0), "softmax"),
               "softmax")
    fails_with("keeps the shape", nc.require_activation, given(lambda z: tf.reduce_sum(z), "relu"), "relu")
    fails_with("relu(<float32 array of shape (13,)>) failed", nc.require_activation,
               given(lambda z: z.no_such_method(), "relu"), "relu")
    fails_with("define it as a function", nc.require_activation, 3.0, "relu")


def seeded(seed):
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=seed),
        "bias_initializer": keras.initializers.RandomNormal(stddev=0.5, seed=seed + 100),
    }


@pytest.fixture(scope="module")
def net():
    """The lesson's network."""
    return keras.Sequential([
        keras.Input((2,)),
        layers.Dense(3, activation="relu", **seeded(3)),
        layers.Dense(1, activation="sigmoid", **seeded(203)),
    ])


def test_forward_pass_and_losses_by_hand(net):
    weights = net.get_weights()
    z1, hidden, y_hat = nc.forward(X, *weights)
    active = z1 > 0
    assert active.any(axis=1).all() and (active.any(axis=0) & ~active.all(axis=0)).all(), (
        "in the lesson's network every input should reach the output, and every hidden unit be on and off"
    )
    nc.require_forward(hidden, y_hat, weights)
    nc.require_matches_network(y_hat, net)
    fails_with("hidden has negative values", nc.require_forward, z1, y_hat, weights)
    fails_with("leaves out the bias b1", nc.require_forward, np.maximum(X @ weights[0], 0), y_hat, weights)
    fails_with("applies the sigmoid", nc.require_forward, hidden, hidden @ weights[2] + weights[3], weights)
    fails_with("adds the bias b1 after the ReLU", nc.require_forward, np.maximum(X @ weights[0], 0) + weights[1],
               y_hat, weights)
    fails_with("adds the bias b2 after the sigmoid", nc.require_forward, hidden,
               1 / (1 + np.exp(-(hidden @ weights[2]))) + weights[3], weights)
    bce = nc.binary_crossentropy(Y, y_hat)
    assert bce == pytest.approx(float(keras.losses.BinaryCrossentropy()(Y, y_hat)), rel=1e-5)
    nc.require_bce(bce, y_hat)
    fails_with("below 0", nc.require_bce, -bce, y_hat)
    fails_with("the sum over the 4 examples", nc.require_bce, 4 * bce, y_hat)
    fails_with("binary cross-entropy of y_hat is", nc.require_bce, float(np.mean((Y - y_hat) ** 2)), y_hat)
    nc.require_mse(float(np.mean((Y - y_hat) ** 2)), net)
    fails_with("square the errors", nc.require_mse, float(np.mean(np.abs(Y - y_hat))), net)
    fails_with("the sum of the squared errors", nc.require_mse, float(np.sum((Y - y_hat) ** 2)), net)


def test_backpropagation_by_hand_matches_the_tape(net):
    weights = net.get_weights()
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(Y, net(X))
    from_tape = tape.gradient(loss, net.trainable_variables)
    nc.require_gradients(from_tape, "grads_tape", weights)
    by_hand = nc.backprop(X, Y, *weights)
    nc.require_gradients(by_hand, "grads_by_hand", weights)
    nc.require_gradients([g.tolist() for g in by_hand], "grads_by_hand", weights)  # as the batch grader hands back
    fails_with("ReLU's derivative", nc.require_gradients, nc.backprop(X, Y, *weights, mask=False), "g", weights)
    fails_with("divide the output error by the batch size", nc.require_gradients,
               nc.backprop(X, Y, *weights, mean=False), "g", weights)
    fails_with("y_hat - y", nc.require_gradients, [-g for g in by_hand], "g", weights)
    fails_with("a list of 4 gradients", nc.require_gradients, by_hand[:2], "g", weights)
    fails_with("the shape of its weight", nc.require_gradients, [g.T for g in by_hand], "g", weights)


def xor_model(hidden="tanh", epochs=100, units=8):
    keras.utils.set_random_seed(0)
    stack = [keras.Input((2,))] + ([layers.Dense(units, activation=hidden)] if hidden != "none" else [])
    model = keras.Sequential([*stack, layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    # ``epochs`` passes over the four points as one epoch of tiled copies: the same steps, without the
    # overhead of many short epochs
    model.fit(np.tile(X, (epochs, 1)), np.tile(Y, (epochs, 1)), epochs=1, batch_size=4, shuffle=False, verbose=0)
    return model


def test_xor_needs_a_non_linear_hidden_layer():
    single, deep = xor_model("none"), xor_model()
    nc.require_single_layer(single)
    nc.require_reported_xor_accuracy(single, single.evaluate(X, Y, verbose=0)[1], "linear_model", "linear_acc")
    nc.require_hidden_layer(deep)
    nc.require_learns_xor(deep, deep.evaluate(X, Y, verbose=0)[1], minimum=1.0)
    fails_with("about a single layer", nc.require_single_layer, deep)
    fails_with("has no hidden layer", nc.require_hidden_layer, single)
    linear_hidden = xor_model(None)
    fails_with("hidden layer is linear", nc.require_hidden_layer, linear_hidden)
    assert nc.xor_accuracy(linear_hidden) <= 0.75
    fails_with("until it gets all four right", nc.require_learns_xor, xor_model(epochs=2), 1.0, minimum=1.0)
    fails_with("store xor_model.evaluate(X, y)[1]", nc.require_learns_xor, deep, 0.75, minimum=1.0)


def test_learning_rates_and_their_curves():
    rates, steps = (0.01, 0.5, 1.1), 20
    curves = {rate: nc.descend(rate, steps) for rate in rates}
    nc.require_curves(curves, rates, steps)
    nc.require_curves({rate: np.array(losses) for rate, losses in curves.items()}, rates, steps)
    assert [nc.verdict_of(rate, steps) for rate in rates] == ["too small", "right", "diverges"]
    nc.require_verdicts({0.01: "Too small", 0.5: "right ", 1.1: "diverges"}, rates, steps)
    fails_with("moves uphill", nc.require_curves, {r: nc.descend(r, steps, sign=-1.0) for r in rates}, rates, steps)
    fails_with("2 (w x - y) x", nc.require_curves, {r: nc.descend(r, steps, factor=1.0) for r in rates}, rates, steps)
    fails_with("loss at w = 0", nc.require_curves, {r: losses[1:] for r, losses in curves.items()}, rates, steps)
    fails_with("with the learning rates", nc.require_curves, {0.1: curves[0.01]}, rates, steps)
    fails_with("read the curve again", nc.require_verdicts, {0.01: "right", 0.5: "too small", 1.1: "diverges"},
               rates, steps)
    fails_with("answer with one of", nc.require_verdict_format, {0.01: "slow", 0.5: "right", 1.1: "diverges"}, rates)
