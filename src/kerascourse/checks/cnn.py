"""Checks for lesson 05: convolution arithmetic, convolutional models, data augmentation and a
like-for-like comparison with an MLP. Each failure names the fix."""

import keras
import numpy as np

from kerascourse import checks
from kerascourse.checks import describe_layer, fail

# The network whose shapes and parameters Question 1 works out by hand: (name, layer config).
HAND_NETWORK = (
    ("conv1", {"kind": "Conv2D", "filters": 32, "kernel": 3}),
    ("pool1", {"kind": "MaxPooling2D", "size": 2}),
    ("conv2", {"kind": "Conv2D", "filters": 64, "kernel": 3}),
    ("pool2", {"kind": "MaxPooling2D", "size": 2}),
    ("flatten", {"kind": "Flatten"}),
    ("dense", {"kind": "Dense", "units": 10}),
)
HAND_INPUT = (28, 28, 1)
POOLING_LAYERS = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
AUGMENTATION_PREFIX = "Random"


def hand_network():
    """The Question 1 network as a Keras model, with its layers named after the table."""
    layers = []
    for name, spec in HAND_NETWORK:
        if spec["kind"] == "Conv2D":
            layers.append(keras.layers.Conv2D(spec["filters"], spec["kernel"], activation="relu", name=name))
        elif spec["kind"] == "MaxPooling2D":
            layers.append(keras.layers.MaxPooling2D(spec["size"], name=name))
        elif spec["kind"] == "Flatten":
            layers.append(keras.layers.Flatten(name=name))
        else:
            layers.append(keras.layers.Dense(spec["units"], activation="softmax", name=name))
    return keras.Sequential([keras.Input(shape=HAND_INPUT), *layers])


def _entries(answer, name, keys):
    checks.require_defined(answer, name)
    if not isinstance(answer, dict):
        fail(f"{name} is a {type(answer).__name__}; make it a dict with the keys {', '.join(keys)}")
    missing = [key for key in keys if key not in answer]
    if missing:
        fail(f"{name} has no entry for {', '.join(map(repr, missing))}; give all of {', '.join(keys)}")
    return answer


def _shape(value):
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None


def require_hand_shapes(shapes, keys):
    """``shapes[key]`` is each named layer's output shape without the batch axis."""
    _entries(shapes, "shapes", keys)
    model = hand_network()
    previous = HAND_INPUT
    for name, spec in HAND_NETWORK:
        layer = model.get_layer(name)
        expected = tuple(layer.output.shape[1:])
        if name in keys:
            given = _shape(shapes[name])
            if given != expected:
                fail(_shape_hint(name, spec, given, previous, expected))
        previous = expected


def _shape_hint(name, spec, given, previous, expected):
    said = f"shapes[{name!r}] is {given}"
    if given is None or len(given) != len(expected):
        return f"{said}; give a tuple like (height, width, channels), or (units,) after Flatten"
    if spec["kind"] == "Conv2D":
        if given[-1] != expected[-1]:
            return f"{said}; a Conv2D outputs one channel per filter, {spec['filters']}"
        if given[:2] == previous[:2]:
            return (
                f"{said}; with the default padding='valid' a {spec['kernel']} x {spec['kernel']} kernel fits "
                f"only {previous[0]} - {spec['kernel']} + 1 positions across"
            )
        return f"{said}; a valid {spec['kernel']} x {spec['kernel']} convolution gives input size - kernel size + 1"
    if spec["kind"] == "MaxPooling2D":
        if given[-1] != expected[-1]:
            return f"{said}; pooling keeps the number of channels, {previous[-1]}"
        return f"{said}; MaxPooling2D({spec['size']}) halves height and width, rounding down: {previous[0]} // 2"
    if spec["kind"] == "Flatten":
        return f"{said}; Flatten multiplies height, width and channels of pool2's output into one axis"
    return f"{said}; a Dense layer outputs one value per unit"


def require_hand_params(params, keys):
    """``params[key]`` is each named layer's parameter count."""
    _entries(params, "params", keys)
    model = hand_network()
    for name, spec in HAND_NETWORK:
        if name not in keys:
            continue
        layer = model.get_layer(name)
        expected = layer.count_params()
        given = params[name]
        if isinstance(given, (int, np.integer)) and int(given) == expected:
            continue
        said = f"params[{name!r}] is {given!r}"
        inputs = int(layer.input.shape[-1])
        if spec["kind"] == "Conv2D":
            size = spec["kernel"] * spec["kernel"]
            if given == size * inputs * spec["filters"]:
                fail(f"{said}; add one bias per filter: (3 * 3 * {inputs} + 1) * {spec['filters']}")
            if given == (size + 1) * spec["filters"] and inputs > 1:
                fail(
                    f"{said}; each filter spans all {inputs} input channels: (3 * 3 * {inputs} + 1) * {spec['filters']}"
                )
            fail(f"{said}; a Conv2D has (kernel height * kernel width * input channels + 1) * filters parameters")
        if given == inputs * spec["units"]:
            fail(f"{said}; add one bias per unit: ({inputs} + 1) * {spec['units']}")
        fail(f"{said}; a Dense layer has (inputs + 1) * units parameters, and its inputs are what Flatten outputs")


# --- convolutional models ------------------------------------------------------------------


def require_conv_stack(model, name, min_convs=2):
    """At least ``min_convs`` non-linear Conv2D layers, and pooling that shrinks the feature maps."""
    model = checks.require_model(model, name)
    layers = checks.all_layers(model)
    convs = [(index, layer) for index, layer in enumerate(layers, start=1) if isinstance(layer, keras.layers.Conv2D)]
    if len(convs) < min_convs:
        fail(
            f"{name} has {len(convs)} Conv2D layer{'s' * (len(convs) != 1)}; stack at least {min_convs}, "
            "each followed by MaxPooling2D"
        )
    for index, conv in convs:
        if checks.activation_of(conv) in (None, "linear") and not _activated_after(layers[index:]):
            fail(f"layer {index} is {describe_layer(conv)} with no activation; give it activation='relu'")
    strided = any(max(conv.get_config()["strides"]) > 1 for _, conv in convs)
    if not strided and not any(isinstance(layer, POOLING_LAYERS) for layer in layers):
        fail(
            f"{name} never pools, so its Dense layer sees every pixel of every feature map; add "
            "layers.MaxPooling2D() after each Conv2D"
        )


def _activated_after(following):
    """A Conv2D without activation is fine when an activation layer follows (after batch norm)."""
    for layer in following:
        if isinstance(layer, keras.layers.BatchNormalization):
            continue
        return checks.activation_of(layer) not in (None, "linear") and not isinstance(layer, keras.layers.Conv2D)
    return False


# --- augmentation --------------------------------------------------------------------------


def require_augmentation_modes(augment, shape, name="augment"):
    """Identity at inference, a change while training, the image shape kept."""
    checks.require_defined(augment, name)
    if not isinstance(augment, keras.layers.Layer):
        fail(f"{name} is a {type(augment).__name__}; make it keras.Sequential([...]) of augmentation layers")
    images = checks.probe_batch(shape, batch_size=8)
    inference = np.asarray(keras.ops.convert_to_numpy(augment(images, training=False)))
    if inference.shape != images.shape:
        fail(f"{name} turns images of shape {shape} into {inference.shape[1:]}; keep the shape so cnn accepts them")
    if not np.allclose(inference, images, atol=1e-6):
        fail(
            f"{name} changes images at inference (training=False); use only Random... augmentation layers, "
            "which act only while training"
        )
    keras.utils.set_random_seed(1)
    training = np.asarray(keras.ops.convert_to_numpy(augment(images, training=True)))
    if training.shape != images.shape:
        fail(f"{name} turns training images of shape {shape} into {training.shape[1:]}; keep the shape")
    if np.allclose(training, images, atol=1e-6):
        fail(
            f"{name} leaves images unchanged while training; add RandomRotation, RandomTranslation or "
            "RandomZoom with a non-zero factor"
        )


def require_digit_safe_augmentation(augment, name="augment", *, max_rotation):
    """No mirror images, and rotations of at most ``max_rotation`` of a turn, so that a 6 stays a 6."""
    for layer in checks.layers_within(augment, name):
        if isinstance(layer, keras.layers.RandomFlip):
            fail("RandomFlip mirrors digits, and a mirrored digit is no longer the same digit; drop it")
        if isinstance(layer, keras.layers.RandomRotation):
            factor = layer.get_config()["factor"]
            largest = max(abs(f) for f in (factor if isinstance(factor, (list, tuple)) else [factor]))
            if largest > max_rotation:
                fail(
                    f"RandomRotation({factor}) turns images up to {largest * 360:.0f} degrees, so a 6 can become "
                    f"a 9; keep the factor at most {max_rotation:g}"
                )


def require_augmented(model, name, augment_name="augment"):
    if not any(type(layer).__name__.startswith(AUGMENTATION_PREFIX) for layer in checks.all_layers(model)):
        fail(f"{name} has no augmentation layers; put {augment_name} in front of cnn")


# --- comparing with an MLP -----------------------------------------------------------------


def require_similar_budget(mlp, cnn, name="mlp", cnn_name="cnn", *, tolerance):
    """``mlp`` has Dense layers only and within ``tolerance`` of the CNN's parameter count."""
    mlp = checks.require_model(mlp, name)
    cnn = checks.require_model(cnn, cnn_name)
    if any(isinstance(layer, keras.layers.Conv2D) for layer in checks.all_layers(mlp)):
        fail(f"{name} has Conv2D layers; the comparison needs a network of Dense layers only")
    mine, theirs = mlp.count_params(), cnn.count_params()
    if abs(mine - theirs) > tolerance * theirs:
        fail(
            f"{name} has {mine:,} parameters against {theirs:,} for {cnn_name}; give it a similar budget "
            f"(within {tolerance:.0%}) by choosing the hidden layer sizes"
        )


def require_winner(winner, accuracies):
    """``winner`` names the model with the higher measured test accuracy; ``accuracies``: name -> accuracy."""
    checks.require_defined(winner, "winner")
    if winner not in accuracies:
        fail(f"winner is {winner!r}; set it to one of {', '.join(map(repr, accuracies))}")
    best = max(accuracies, key=accuracies.get)
    if winner != best:
        scores = " against ".join(f"{name} {accuracy:.3f}" for name, accuracy in accuracies.items())
        fail(f"winner is {winner!r} but on the test data the scores are {scores}; name the higher one")
