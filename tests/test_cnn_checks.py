"""Lesson 05's checks: each passes a valid answer and names the fix for each known mistake."""

import keras
import numpy as np
from failing import fails_with
from keras import layers

from kerascourse.checks import cnn as cnn_checks

SHAPES = {"conv1": (26, 26, 32), "pool1": (13, 13, 32), "conv2": (11, 11, 64), "pool2": (5, 5, 64), "flatten": (1600,)}
PARAMS = {"conv1": 320, "conv2": 18496, "dense": 16010}
ALL_SHAPES, ALL_PARAMS = list(SHAPES), list(PARAMS)


def test_the_hand_network_is_the_keras_io_convnet_without_dropout():
    model = cnn_checks.hand_network()
    assert model.count_params() == 34_826
    assert [tuple(model.get_layer(name).output.shape[1:]) for name in SHAPES] == list(SHAPES.values())


def test_hand_shapes_accept_tuples_lists_and_plain_numbers():
    cnn_checks.require_hand_shapes(SHAPES, ALL_SHAPES)
    cnn_checks.require_hand_shapes({k: list(v) for k, v in SHAPES.items()} | {"flatten": np.int64(1600)}, ALL_SHAPES)
    cnn_checks.require_hand_params(PARAMS | {"conv2": np.int64(18496)}, ALL_PARAMS)


def test_hand_shapes_name_each_mistake():
    fails_with("padding='valid'", cnn_checks.require_hand_shapes, SHAPES | {"conv1": (28, 28, 32)}, ALL_SHAPES)
    fails_with(
        "one channel per filter, 64", cnn_checks.require_hand_shapes, SHAPES | {"conv2": (11, 11, 32)}, ALL_SHAPES
    )
    fails_with("rounding down", cnn_checks.require_hand_shapes, SHAPES | {"pool2": (6, 6, 64)}, ALL_SHAPES)
    fails_with(
        "pooling keeps the number of channels",
        cnn_checks.require_hand_shapes,
        SHAPES | {"pool1": (13, 13, 16)},
        ALL_SHAPES,
    )
    fails_with("Flatten multiplies", cnn_checks.require_hand_shapes, SHAPES | {"flatten": (320,)}, ALL_SHAPES)
    fails_with("give a tuple like", cnn_checks.require_hand_shapes, SHAPES | {"conv1": "26x26"}, ALL_SHAPES)
    only_conv1 = {"conv1": (26, 26, 32)}
    missing = "no entry for 'pool1', 'conv2', 'pool2', 'flatten'"
    fails_with(missing, cnn_checks.require_hand_shapes, only_conv1, ALL_SHAPES)
    fails_with("make it a dict", cnn_checks.require_hand_shapes, [(26, 26, 32)], ALL_SHAPES)
    cnn_checks.require_hand_shapes({"conv1": (26, 26, 32), "pool1": (13, 13, 32)}, ["conv1", "pool1"])


def test_hand_params_name_each_mistake():
    fails_with("add one bias per filter", cnn_checks.require_hand_params, PARAMS | {"conv1": 288}, ALL_PARAMS)
    fails_with("spans all 32 input channels", cnn_checks.require_hand_params, PARAMS | {"conv2": 640}, ALL_PARAMS)
    fails_with("add one bias per unit", cnn_checks.require_hand_params, PARAMS | {"dense": 16000}, ALL_PARAMS)
    fails_with("(inputs + 1) * units", cnn_checks.require_hand_params, PARAMS | {"dense": 31370}, ALL_PARAMS)
    fails_with("input channels + 1) * filters", cnn_checks.require_hand_params, PARAMS | {"conv2": 18000}, ALL_PARAMS)


def convnet(*body):
    return keras.Sequential([keras.Input((28, 28, 1)), *body, layers.Dense(10, activation="softmax")])


def two_blocks(first, second):
    """Conv2D + ReLU + MaxPooling2D twice, then Flatten and a softmax."""
    return convnet(
        layers.Conv2D(first, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(second, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
    )


def test_conv_stack():
    good = two_blocks(8, 8)
    cnn_checks.require_conv_stack(good, "cnn")
    cnn_checks.require_conv_stack(
        convnet(
            layers.Conv2D(8, 3, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2D(8, 3, strides=2, activation="relu"),
            layers.Flatten(),
        ),
        "cnn",
    )
    fails_with(
        "stack at least 2",
        cnn_checks.require_conv_stack,
        convnet(layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten()),
        "cnn",
    )
    fails_with(
        "layer 3 is Conv2D(8, (3, 3), linear) with no activation",
        cnn_checks.require_conv_stack,
        convnet(layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(), layers.Conv2D(8, 3), layers.Flatten()),
        "cnn",
    )
    fails_with(
        "add layers.MaxPooling2D() after each Conv2D",
        cnn_checks.require_conv_stack,
        convnet(layers.Conv2D(8, 3, activation="relu"), layers.Conv2D(8, 3, activation="relu"), layers.Flatten()),
        "cnn",
    )
    nested = keras.Sequential([keras.Input((28, 28, 1)), layers.RandomZoom(0.1), good])
    cnn_checks.require_conv_stack(nested, "augmented_cnn")
    cnn_checks.require_augmented(nested, "augmented_cnn")
    fails_with("put augment in front of cnn", cnn_checks.require_augmented, good, "augmented_cnn")


def augmentation(*body):
    return keras.Sequential([keras.Input((28, 28, 1)), *body])


def test_augmentation_acts_only_while_training_and_keeps_digits():
    good = augmentation(layers.RandomRotation(0.05), layers.RandomTranslation(0.1, 0.1), layers.RandomZoom(0.1))
    cnn_checks.require_augmentation_modes(good, (28, 28, 1))
    cnn_checks.require_digit_safe_augmentation(good, max_rotation=0.1)
    unbuilt = keras.Sequential([layers.RandomRotation((-0.08, 0.08)), layers.RandomContrast(0.2)])
    cnn_checks.require_augmentation_modes(unbuilt, (28, 28, 1))
    cnn_checks.require_digit_safe_augmentation(unbuilt, max_rotation=0.1)
    fails_with(
        "changes images at inference",
        cnn_checks.require_augmentation_modes,
        augmentation(layers.Rescaling(1 / 255), layers.RandomZoom(0.1)),
        (28, 28, 1),
    )
    fails_with(
        "leaves images unchanged while training",
        cnn_checks.require_augmentation_modes,
        augmentation(layers.RandomRotation(0.0)),
        (28, 28, 1),
    )
    fails_with(
        "keep the shape", cnn_checks.require_augmentation_modes, augmentation(layers.RandomCrop(20, 20)), (28, 28, 1)
    )
    fails_with("make it keras.Sequential", cnn_checks.require_augmentation_modes, [layers.RandomZoom(0.1)], (28, 28, 1))
    fails_with(
        "RandomFlip mirrors digits",
        cnn_checks.require_digit_safe_augmentation,
        augmentation(layers.RandomFlip("horizontal")),
        max_rotation=0.1,
    )
    fails_with(
        "so a 6 can become a 9", cnn_checks.require_digit_safe_augmentation, augmentation(layers.RandomRotation(0.5)),
        max_rotation=0.1,
    )
    fails_with(
        "turns images up to 108 degrees",
        cnn_checks.require_digit_safe_augmentation,
        augmentation(layers.RandomRotation((-0.3, 0.1))),
        max_rotation=0.1,
    )


def test_comparison_needs_a_similar_budget_and_the_right_winner():
    cnn = two_blocks(32, 64)
    mlp = convnet(layers.Flatten(), layers.Dense(44, activation="relu"))
    cnn_checks.require_similar_budget(mlp, cnn, tolerance=0.2)
    fails_with(
        "give it a similar budget",
        cnn_checks.require_similar_budget,
        convnet(layers.Flatten(), layers.Dense(128)),
        cnn,
        tolerance=0.2,
    )
    fails_with("Dense layers only", cnn_checks.require_similar_budget, cnn, cnn, tolerance=0.2)
    cnn_checks.require_winner("cnn", {"cnn": 0.96, "mlp": 0.9})
    fails_with("name the higher one", cnn_checks.require_winner, "mlp", {"cnn": 0.96, "mlp": 0.9})
    fails_with("set it to one of 'cnn', 'mlp'", cnn_checks.require_winner, "CNN", {"cnn": 0.96, "mlp": 0.9})
