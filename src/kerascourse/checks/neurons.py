"""Checks for lesson 02 (neurons): the perceptron rule, activations written with tensor operations,
a forward pass, losses and backpropagation by hand, XOR, and gradient descent's learning rate."""

import keras
import numpy as np
import tensorflow as tf

from kerascourse.checks import (
    activation_of,
    fail,
    model_layers,
    outputs,
    probes,
    require_array,
    require_close,
    require_defined,
    require_model,
    require_number,
)
from kerascourse.course import data

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float32)
AND_TARGETS = np.array([0, 0, 0, 1])
_rng = np.random.default_rng(0)


def _probe(values):
    return ((tf.constant(values, dtype=tf.float32),), {})


# The grader calls each activation on these tensors: a line of values, a batch, and for softmax
# logits large enough to overflow exp.
PROBE_CALLS = {
    "relu": {"line": _probe(np.linspace(-3, 3, 13)), "batch": _probe(_rng.normal(0, 3, (3, 4)))},
    "sigmoid": {"line": _probe(np.linspace(-6, 6, 13)), "batch": _probe(_rng.normal(0, 3, (3, 4)))},
    "tanh": {"line": _probe(np.linspace(-4, 4, 13)), "batch": _probe(_rng.normal(0, 2, (3, 4)))},
    "softmax": {"batch": _probe(_rng.normal(0, 2, (3, 4))),
                "large": _probe([[1000, 1001, 1002], [-1000, -1001, -1002]])},
}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- q1: the perceptron ------------------------------------------------------------------


def run_perceptron(inputs, targets, learning_rate, epochs, bias=True):
    """The perceptron rule from zero weights, example by example: ``(w, b, mistakes per epoch)``."""
    w, b, errors = np.zeros(inputs.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(inputs, targets, strict=True):
            error = target - int(x @ w + b > 0)
            mistakes += int(error != 0)
            w = w + learning_rate * error * x
            b = b + learning_rate * error if bias else b
        errors.append(mistakes)
    return w, b, errors


def perceptron_answer(w, b, errors):
    """``(weights, bias, mistakes per epoch)`` from the student's answer, as arrays and a number."""
    weights = require_array(w, "perceptron_w", "keep the weights the loop ends with, a numpy array of 2 numbers")
    bias = require_number(b, "perceptron_b", "keep the bias the loop ends with")
    counts = require_array(errors, "errors", "append the number of mistakes of each epoch to a list")
    return weights, bias, counts


def require_perceptron_shapes(w, b, errors, epochs):
    """``(weights, bias, counts)`` when there is one weight per input and one count per epoch."""
    weights, bias, counts = perceptron_answer(w, b, errors)
    if weights.shape != (2,):
        fail(f"perceptron_w has shape {weights.shape}; one weight per input gives (2,)")
    if counts.shape != (epochs,):
        fail(f"errors has {counts.size} numbers; count the mistakes of each of the {epochs} epochs")
    return weights, bias, counts


def require_separates_and(w, b, errors):
    """The final weights compute AND, and the last epoch made no mistake."""
    weights, bias, counts = perceptron_answer(w, b, errors)
    counts = counts.reshape(-1)
    predictions = (XOR_INPUTS @ weights.reshape(-1) + bias > 0).astype(int)
    if predictions.tolist() != AND_TARGETS.tolist():
        fail(f"with perceptron_w and perceptron_b the perceptron outputs {predictions.tolist()} for the four "
             f"inputs, not AND's {AND_TARGETS.tolist()}; update w and b after every example, with error = "
             "target - prediction")
    if counts.size == 0 or counts[-1] != 0:
        fail(f"errors ends with {counts[-1] if counts.size else 'nothing'}; the perceptron has learned AND when "
             "an epoch makes no mistake, so count each epoch's mistakes from 0")


def require_perceptron(w, b, errors, learning_rate, epochs):
    """``w``, ``b`` and ``errors`` are what the perceptron rule gives on AND, example by example."""
    weights, bias, counts = require_perceptron_shapes(w, b, errors, epochs)
    want_w, want_b, want_errors = run_perceptron(XOR_INPUTS, AND_TARGETS, learning_rate, epochs)
    got = (weights, bias, counts.astype(int).tolist())
    if _same(got, run_perceptron(XOR_INPUTS, AND_TARGETS, -learning_rate, epochs)):
        fail("the update moves the weights away from the right answer; use w += learning_rate * (y - y_hat) * x, "
             "with the error as target minus prediction")
    if _same(got, run_perceptron(XOR_INPUTS, AND_TARGETS, learning_rate, epochs, bias=False)):
        fail("the bias never moves, so the boundary must pass through (0, 0) and cannot separate AND; "
             "update b += learning_rate * error too")
    if got[2] == np.cumsum(want_errors).tolist() and want_errors[0] != sum(want_errors):
        fail(f"errors is {got[2]}, a running total; count the mistakes of each epoch on its own, starting "
             "from 0 at the start of every epoch")
    if got[2] != want_errors:
        fail(f"errors is {got[2]}, but the rule gives {want_errors}; predict 1 when x @ w + b > 0, and count an "
             "example as a mistake when its error is not 0")
    require_close(weights, want_w, "perceptron_w", 1e-6)
    require_close(bias, want_b, "perceptron_b", 1e-6)


def _same(got, want):
    weights, bias, counts = got
    return np.allclose(weights, want[0]) and np.isclose(bias, want[1]) and counts == want[2]


# --- q2: activations ---------------------------------------------------------------------


KERAS_ACTIVATIONS = {"relu": keras.activations.relu, "sigmoid": keras.activations.sigmoid,
                     "tanh": keras.activations.tanh, "softmax": keras.activations.softmax}


def require_activation(fn, name):
    """``fn`` computes the activation ``name`` element by element (softmax: along the last axis)."""
    for key, ((z,), _) in PROBE_CALLS[name].items():
        z = z.numpy()
        result = probes.call(fn, name, key, PROBE_CALLS[name])
        got = require_array(result, f"{name}(z)", "return a tensor of the same shape as z")
        expected = np.asarray(keras.ops.convert_to_numpy(KERAS_ACTIVATIONS[name](z)), dtype=np.float64)
        if got.shape != z.shape:
            fail(f"{name}(z) returns shape {got.shape} for z of shape {z.shape}; an activation keeps the shape")
        if not np.all(np.isfinite(got)):
            if name == "softmax":
                fail("softmax returns NaN for large logits such as [1000, 1001, 1002]: exp overflows; subtract "
                     "each row's maximum first, exp(z - max(z)) / sum(exp(z - max(z))), which changes nothing else")
            fail(f"{name}(z) returns NaN or infinite values for z in [{z.min():g}, {z.max():g}]")
        if np.allclose(got, expected, rtol=1e-4, atol=1e-5):
            continue
        fail(_activation_mistake(name, z, got, expected))


def _activation_mistake(name, z, got, expected):
    z = z.astype(np.float64)
    if name == "sigmoid" and np.allclose(got, _sigmoid(-z), atol=1e-5):
        return "sigmoid decreases where it should increase: it is 1 / (1 + exp(-z)), with a minus sign in exp"
    if name == "tanh" and np.allclose(got, 2 * _sigmoid(z) - 1, atol=1e-5):
        return "tanh is 2 sigmoid(2 z) - 1: the sigmoid's input is 2 z, not z"
    if name == "tanh" and np.allclose(got, _sigmoid(z), atol=1e-5):
        return "that is the sigmoid; tanh is (exp(z) - exp(-z)) / (exp(z) + exp(-z)), from -1 to 1"
    if name == "relu" and np.allclose(got, z, atol=1e-6):
        return "relu keeps negative values; it is max(z, 0), so negative inputs become 0"
    if name == "softmax":
        if np.allclose(got.sum(axis=0), 1.0, atol=1e-4) and not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4):
            return ("softmax normalises each column; each row (one example's logits) must sum to 1: reduce over "
                    "the last axis, axis=-1, with keepdims=True")
        if not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4):
            return "softmax's outputs for one example must sum to 1: divide exp(z) by its sum over the last axis"
    return f"{name}(z) differs from keras.activations.{name}(z) by up to {np.max(np.abs(got - expected)):.3g}"


# --- q3: forward pass and losses ---------------------------------------------------------


def forward(inputs, w1, b1, w2, b2):
    """``(z1, hidden, y_hat)`` of the two-layer network."""
    z1 = inputs @ w1 + b1
    hidden = np.maximum(z1, 0.0)
    return z1, hidden, _sigmoid(hidden @ w2 + b2)


def require_forward(hidden, y_hat, weights):
    """``hidden`` and ``y_hat`` are the network's layers computed by hand from its weights."""
    names = ("W1", "b1", "W2", "b2")
    w1, b1, w2, b2 = (require_array(w, n, "keep the weights from net") for w, n in zip(weights, names, strict=True))
    z1, want_hidden, want_y_hat = forward(XOR_INPUTS, w1, b1, w2, b2)
    got_hidden = require_array(hidden, "hidden", "compute relu(X @ W1 + b1)")
    if got_hidden.shape != want_hidden.shape:
        fail(f"hidden has shape {got_hidden.shape}; 4 examples times W1 {w1.shape} give {want_hidden.shape}: X @ W1")
    if np.allclose(got_hidden, z1, atol=1e-5) and (z1 < 0).any():
        fail("hidden has negative values, but the hidden layer applies ReLU; use relu(X @ W1 + b1)")
    if np.allclose(got_hidden, np.maximum(XOR_INPUTS @ w1, 0), atol=1e-5):
        fail("hidden leaves out the bias b1; the layer computes X @ W1 + b1 before ReLU")
    bias_after = np.maximum(XOR_INPUTS @ w1, 0) + b1
    if np.allclose(got_hidden, bias_after, atol=1e-5) and not np.allclose(bias_after, want_hidden, atol=1e-4):
        fail("hidden adds the bias b1 after the ReLU; add it before, relu(X @ W1 + b1), so the bias shifts "
             "where each unit switches on")
    require_close(got_hidden, want_hidden, "hidden", 1e-4)
    got = require_array(y_hat, "y_hat", "compute sigmoid(hidden @ W2 + b2)")
    if got.shape != want_y_hat.shape:
        fail(f"y_hat has shape {got.shape}; one probability per example gives {want_y_hat.shape}")
    bias_after = _sigmoid(want_hidden @ w2) + b2
    if np.allclose(got, bias_after, atol=1e-5) and not np.allclose(bias_after, want_y_hat, atol=1e-4):
        fail("y_hat adds the bias b2 after the sigmoid; add it before, sigmoid(hidden @ W2 + b2), so y_hat stays "
             "a probability")
    if np.allclose(got, want_hidden @ w2 + b2, atol=1e-5):
        fail("y_hat is the output layer's raw score; the output layer applies the sigmoid, "
             "sigmoid(hidden @ W2 + b2), to give a probability")
    require_close(got, want_y_hat, "y_hat", 1e-4)


def require_matches_network(y_hat, net):
    """``y_hat`` equals what ``net`` predicts on the XOR inputs."""
    net = require_model(net, "net")
    got = require_array(y_hat, "y_hat", "compute sigmoid(hidden @ W2 + b2)")
    want = np.asarray(outputs(net, XOR_INPUTS), dtype=np.float64)
    if got.shape != want.shape:
        fail(f"y_hat has shape {got.shape}; net predicts {want.shape} for the 4 inputs")
    require_close(got, want, "y_hat (against net(X))", 1e-4)


def binary_crossentropy(targets, probabilities):
    return float(-np.mean(targets * np.log(probabilities) + (1 - targets) * np.log(1 - probabilities)))


def require_bce(bce, y_hat):
    """``bce`` is the mean binary cross-entropy of ``y_hat`` against XOR's targets."""
    p = require_array(y_hat, "y_hat", "compute sigmoid(hidden @ W2 + b2)").reshape(XOR_TARGETS.shape)
    want = binary_crossentropy(XOR_TARGETS, p)
    got = require_number(bce, "bce", "-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))")
    if np.isclose(got, -want, rtol=1e-4):
        fail(f"bce is {got:.4f}, below 0: the log of a probability is negative, so the loss is minus its mean")
    if np.isclose(got, want * len(p), rtol=1e-4):
        fail(f"bce is {got:.4f}, the sum over the 4 examples; take the mean, so the loss does not grow with the batch")
    if not np.isclose(got, want, rtol=1e-4):
        fail(f"bce is {got:.4f} but the binary cross-entropy of y_hat is {want:.4f}: "
             "-mean(y log(y_hat) + (1 - y) log(1 - y_hat))")


def require_mse(mse, net):
    """``mse`` is the mean squared error of ``net``'s predictions on XOR."""
    net = require_model(net, "net")
    p = np.asarray(outputs(net, XOR_INPUTS), dtype=np.float64)
    got = require_number(mse, "mse", "np.mean((y - y_hat) ** 2)")
    if np.isclose(got, np.mean(np.abs(XOR_TARGETS - p)), rtol=1e-4):
        fail(f"mse is {got:.4f}, the mean absolute error; square the errors: mean((y - y_hat) ** 2)")
    if np.isclose(got, np.sum((XOR_TARGETS - p) ** 2), rtol=1e-4):
        fail(f"mse is {got:.4f}, the sum of the squared errors; take their mean")
    require_close(got, np.mean((XOR_TARGETS - p) ** 2), "mse", 1e-4)


# --- q4: backpropagation -----------------------------------------------------------------


def backprop(inputs, targets, w1, b1, w2, b2, mask=True, mean=True):
    """Gradients of the mean binary cross-entropy: ``[dW1, db1, dW2, db2]``."""
    z1, hidden, y_hat = forward(inputs, w1, b1, w2, b2)
    dz2 = (y_hat - targets) / (len(inputs) if mean else 1)
    dhidden = dz2 @ w2.T
    dz1 = dhidden * (z1 > 0) if mask else dhidden
    return [inputs.T @ dz1, dz1.sum(axis=0), hidden.T @ dz2, dz2.sum(axis=0)]


GRADIENT_NAMES = ("dW1", "db1", "dW2", "db2")


def require_gradients(grads, name, weights):
    """``grads`` are ``[dW1, db1, dW2, db2]`` of the mean binary cross-entropy; each slip is named."""
    require_defined(grads, name)
    if not isinstance(grads, (list, tuple)) or len(grads) != 4:
        fail(f"{name} must be a list of 4 gradients, [dW1, db1, dW2, db2], in the order of net.trainable_variables")
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    got = [require_array(g, f"{name}[{i}]", "a numpy array or a tensor") for i, g in enumerate(grads)]
    want = backprop(XOR_INPUTS, XOR_TARGETS, w1, b1, w2, b2)
    for index, (mine, right) in enumerate(zip(got, want, strict=True)):
        if mine.shape != right.shape:
            fail(f"{name}[{index}] ({GRADIENT_NAMES[index]}) has shape {mine.shape}; a gradient has the shape "
                 f"of its weight, {right.shape}")
    if _all_close(got, [-g for g in want]):
        fail(f"{name} points the wrong way: the output error is y_hat - y, prediction minus target")
    if _all_close(got, backprop(XOR_INPUTS, XOR_TARGETS, w1, b1, w2, b2, mean=False)):
        fail(f"{name} is 4 times too large: the loss is a mean over the 4 examples, so divide the output "
             "error by the batch size")
    if _all_close(got[2:], want[2:]) and _all_close(got[:2], backprop(XOR_INPUTS, XOR_TARGETS, w1, b1, w2, b2,
                                                                     mask=False)[:2]):
        fail(f"{name}'s first-layer gradients ignore ReLU: multiply the error reaching the hidden layer by "
             "ReLU's derivative, (z1 > 0)")
    for index, (mine, right) in enumerate(zip(got, want, strict=True)):
        require_close(mine, right, f"{name}[{index}] ({GRADIENT_NAMES[index]})", 1e-4)


def _all_close(got, want):
    return all(a.shape == b.shape and np.allclose(a, b, atol=1e-6, rtol=1e-4) for a, b in zip(got, want, strict=True))


# --- q5: XOR -----------------------------------------------------------------------------


def xor_accuracy(model):
    """The share of the four XOR points ``model`` classifies right."""
    predictions = outputs(model, XOR_INPUTS).reshape(-1)
    return float(np.mean((predictions > 0.5) == XOR_TARGETS.reshape(-1).astype(bool)))


def require_single_layer(model):
    """``linear_model`` has one Dense layer and, as it must, fails to learn XOR."""
    model = require_model(model, "linear_model")
    dense = [layer for layer in model_layers(model) if isinstance(layer, keras.layers.Dense)]
    if len(dense) != 1:
        fail(f"linear_model has {len(dense)} Dense layers; this part is about a single layer, "
             "Dense(1, activation='sigmoid') alone")
    accuracy = xor_accuracy(model)
    if accuracy > 0.75:
        fail(f"linear_model classifies {accuracy:.0%} of XOR, which one line cannot separate; train it on X and y")


def require_hidden_layer(model):
    """``xor_model`` has a hidden layer with a non-linear activation before its output."""
    model = require_model(model, "xor_model")
    dense = [layer for layer in model_layers(model) if isinstance(layer, keras.layers.Dense)]
    if len(dense) < 2:
        fail("xor_model has no hidden layer; one line cannot separate XOR, so add Dense(8, activation='tanh') "
             "before the output")
    if all(activation_of(layer) in ("linear", None) for layer in dense[:-1]):
        fail("xor_model's hidden layer is linear, and layers without an activation compose to one linear map, "
             "which cannot separate XOR; give the hidden layer activation='tanh' (or 'relu')")


def require_reported_xor_accuracy(model, reported, name, reported_name):
    """``reported`` is ``model``'s accuracy on the four XOR points; returns it."""
    model = require_model(model, name)
    accuracy = xor_accuracy(model)
    value = require_number(reported, reported_name, f"{name}.evaluate(X, y)[1]")
    if abs(value - accuracy) > 1e-6:
        fail(f"{reported_name} is {value:g} but {name} classifies {accuracy:.0%} of the four points; "
             f"store {name}.evaluate(X, y)[1]")
    return accuracy


def require_learns_xor(model, reported, *, minimum):
    """``xor_model`` classifies at least ``minimum`` of the four points (all of them), and ``xor_acc`` says so."""
    require_hidden_layer(model)
    accuracy = xor_accuracy(model)
    if accuracy < minimum:
        fail(f"xor_model classifies {accuracy:.0%} of the four points; train it for XOR_EPOCHS epochs with "
             "Adam(0.1) and batch_size=4, with a sigmoid output, until it gets all four right")
    require_reported_xor_accuracy(model, reported, "xor_model", "xor_acc")


# --- q6: gradient descent and the learning rate ------------------------------------------


def descend(learning_rate, steps, sign=1.0, factor=2.0):
    """The losses of gradient descent on ``line_data`` from w = 0: the start and after each step."""
    x, y = data.line_points()
    w, losses = 0.0, [float(np.mean((0.0 * x - y) ** 2))]
    for _ in range(steps):
        w -= sign * learning_rate * factor * np.mean((w * x - y) * x)
        losses.append(float(np.mean((w * x - y) ** 2)))
    return losses


VERDICTS = ("too small", "right", "diverges")


def require_curves(curves, learning_rates, steps):
    """``curves`` maps each learning rate to gradient descent's losses, the start included."""
    require_defined(curves, "curves")
    if not isinstance(curves, dict) or sorted(map(float, curves)) != sorted(learning_rates):
        fail(f"curves must be a dict with the learning rates {list(learning_rates)} as keys")
    for rate in learning_rates:
        got = require_array(curves[_key(curves, rate)], f"curves[{rate}]", "a list of losses").reshape(-1)
        want = np.asarray(descend(rate, steps))
        if got.size == steps and np.allclose(got, want[1:], rtol=1e-6):
            fail(f"curves[{rate}] has {steps} losses; start the list with the loss at w = 0, before the first "
                 f"step ({steps + 1} in all)")
        if got.size != want.size:
            fail(f"curves[{rate}] has {got.size} losses; the loss at the start and after each of the {steps} steps "
                 f"make {steps + 1}")
        if np.allclose(got, descend(rate, steps, sign=-1.0), rtol=1e-6):
            fail("the loss grows at every learning rate: w moves uphill; step against the gradient, "
                 "w = w - learning_rate * gradient")
        if np.allclose(got, descend(rate, steps, factor=1.0), rtol=1e-6):
            fail("the gradient is half what it should be: the derivative of (w x - y) ** 2 is 2 (w x - y) x")
        if not np.allclose(got, want, rtol=1e-6, atol=1e-9):
            fail(f"curves[{rate}] differs from gradient descent on the line from w = 0; the gradient of the mean "
                 "squared error is 2 * mean((w * x - y) * x)")


def _key(mapping, rate):
    return next(key for key in mapping if float(key) == rate)


def verdict_of(rate, steps):
    """What the learning rate does: ``diverges`` if the loss grows, ``too small`` if it is still far from its
    minimum after ``steps`` steps, else ``right``."""
    losses = descend(rate, steps)
    best = min(descend(0.5, 200))
    if losses[-1] > losses[0]:
        return "diverges"
    return "too small" if losses[-1] > 2 * best else "right"


def require_verdict_format(verdicts, learning_rates):
    """``verdicts`` maps each learning rate to one of the three verdicts."""
    require_defined(verdicts, "verdicts")
    if not isinstance(verdicts, dict) or sorted(map(float, verdicts)) != sorted(learning_rates):
        fail(f"verdicts must be a dict with the learning rates {list(learning_rates)} as keys")
    for key, said in verdicts.items():
        if str(said).strip().lower() not in VERDICTS:
            fail(f"verdicts[{key}] is {said!r}; answer with one of {', '.join(map(repr, VERDICTS))}")


def require_verdicts(verdicts, learning_rates, steps):
    """``verdicts`` names what each learning rate does to the loss."""
    require_verdict_format(verdicts, learning_rates)
    for rate in learning_rates:
        said, right = str(verdicts[_key(verdicts, rate)]).strip().lower(), verdict_of(rate, steps)
        if said != right:
            losses = descend(rate, steps)
            fail(f"verdicts[{rate}] is {said!r}, but with it the loss goes from {losses[0]:.3g} to {losses[-1]:.3g} "
                 f"in {steps} steps: read the curve again")
