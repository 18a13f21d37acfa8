"""Pre-trained networks for the transfer-learning lesson, at both sizes.

Full size uses ResNet50 with ImageNet's weights, which Keras downloads. Grading size has no
network: ResNet50 keeps its seeded random weights (the same code, meaningless labels), and the
base to transfer from is ``digits_resnet``, a small ResNet-style network that this module
pre-trains to read the ten digits of ``digit_transfer``'s pretrain split and saves as a
``.weights.h5`` file, loaded back through the same ``weights=path`` argument that
``keras.applications`` models take.
"""

import os
import tempfile
from pathlib import Path

import keras
import numpy as np
from keras import layers

from kerascourse.course import data

# Keras's own ImageNet class index, byte for byte (the md5 ``decode_predictions`` checks).
CLASS_INDEX = Path(__file__).resolve().parent / "resources" / "imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
IMAGE_SIZES = {"grading": 32, "full": 224}
# The name prefix of each base's last residual stage, the part that fine-tuning unfreezes.
TOP_BLOCKS = {"grading": "block3", "full": "conv5"}
BASE_DATASET = "digit_transfer"  # what the digits base is pre-trained on (its pretrain split)
DIGITS_BASE_FILE = "digits_resnet.weights.h5"
PRETRAIN_EPOCHS = 3


def install_class_index():
    """Put ImageNet's class names where ``decode_predictions`` looks, from the copy in this package."""
    return keras.utils.get_file(
        "imagenet_class_index.json", CLASS_INDEX.as_uri(), cache_subdir="models", file_hash=CLASS_INDEX_MD5
    )


def imagenet_weights(size=None):
    """``"imagenet"`` at full size; None (seeded random weights) at grading size, which is offline."""
    return "imagenet" if (size or data.run_size()) == "full" else None


def image_size(size=None):
    """The side of the square images each size's transfer base reads."""
    return IMAGE_SIZES[size or data.run_size()]


def top_block(size=None):
    """The name prefix of the layers that fine-tuning unfreezes."""
    return TOP_BLOCKS[size or data.run_size()]


def base_weights(size=None):
    """``"imagenet"`` at full size; at grading size the digits base's weights file (made on first use)."""
    if (size or data.run_size()) == "full":
        return "imagenet"
    path = data.data_dir() / "weights" / DIGITS_BASE_FILE
    if path.exists():
        return str(path)
    if not os.access(data.data_dir(), os.W_OK):  # a read-only checkout, as in the grading sandbox
        path = Path(tempfile.gettempdir()) / "kerascourse-weights" / DIGITS_BASE_FILE
    with data.file_lock(path.parent, DIGITS_BASE_FILE):
        if not path.exists():
            pretrain_digits_resnet(path)
    return str(path)


def base_model(weights, size=None):
    """The convolutional base, without a classifier, that the lesson transfers from."""
    if (size or data.run_size()) == "full":
        return keras.applications.ResNet50(include_top=False, weights=weights, input_shape=(224, 224, 3))
    return digits_resnet(weights)


def digits_resnet(weights=None, input_shape=(32, 32, 3)):
    """A small ResNet: a stem and three residual stages (``block1`` to ``block3``) of 32, 64, 128 filters.

    Like ``keras.applications.ResNet50(include_top=False)`` it ends with the last stage's feature
    maps, has BatchNormalization in every stage, and takes ``weights`` as None or a file path.
    """
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = layers.BatchNormalization(momentum=0.9, name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    for stage, filters in enumerate((32, 64, 128), start=1):
        x = _residual_block(x, filters, strides=1 if stage == 1 else 2, name=f"block{stage}")
    model = keras.Model(inputs, x, name="digits_resnet")
    if weights is not None:
        model.load_weights(weights)
    return model


def _residual_block(x, filters, strides, name):
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(momentum=0.9, name=f"{name}_0_bn")(shortcut)
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_2_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def pretrain_digits_resnet(path, epochs=PRETRAIN_EPOCHS):
    """Train ``digits_resnet`` with a ten-digit head on ``digit_transfer``'s pretrain split, seeded,
    and save the base's weights."""
    keras.utils.set_random_seed(0)
    builder = data.prepared_builder(BASE_DATASET, size="grading")
    examples = builder.as_dataset(split="pretrain", shuffle_files=False)
    pairs = examples.map(lambda example: (example["image"], example["digit"]))
    train = data.pipeline(pairs, batch_size=64, shuffle=True, transform=data.float_pixels)
    base = digits_resnet()
    inputs = keras.Input(shape=(32, 32, 3))
    x = keras.applications.resnet50.preprocess_input(inputs)
    x = layers.GlobalAveragePooling2D()(base(x))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.fit(train, epochs=epochs, verbose=0)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    partial = Path(path).with_name(f".partial-{os.getpid()}.weights.h5")
    base.save_weights(partial)
    partial.replace(path)
    return path


def sample_photos():
    """The two photos that ship with scikit-learn (a temple in China, a flower), one uint8 array."""
    from sklearn.datasets import load_sample_images

    return np.stack(load_sample_images().images)
