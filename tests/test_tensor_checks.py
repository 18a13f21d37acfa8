"""Lesson 01's checks: each passes a valid answer and names the fix for each known mistake."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from failing import fails_with
from recorded import as_graded

from kerascourse import checks
from kerascourse.checks import tensors as tc

RAW = np.random.default_rng(0).integers(0, 256, size=(12, 28, 28, 1)).astype(np.uint8)
PIXELS = RAW.astype(np.float32) / 255.0
FLAT = PIXELS.reshape(12, 784)


def test_tensors_dtypes_and_scaling():
    images = tf.convert_to_tensor(RAW)
    tc.require_tensor_of(images, RAW)
    tc.require_tensor_of(np.asarray(images), RAW)  # what the batch grader hands back
    fails_with("cast in the next step", tc.require_tensor_of, tf.cast(images, tf.float32), RAW)
    fails_with("keeps its shape", tc.require_tensor_of, tf.reshape(images, (12, -1)), RAW)
    tc.require_rank(images.ndim, RAW.shape)
    tc.require_rank(tf.rank(images), RAW.shape)
    fails_with("the batch axis counts too", tc.require_rank, 3, RAW.shape)
    fails_with("is not available", tc.require_rank, None, RAW.shape)
    tc.require_pixels(tf.cast(images, tf.float32) / 255.0, RAW)
    tc.require_pixels(tf.image.convert_image_dtype(images, tf.float32), RAW)
    fails_with("gives float64", tc.require_pixels, RAW / 255.0, RAW)
    fails_with("cast with tf.cast(images, tf.float32)", tc.require_pixels, tf.cast(images / 255, tf.uint8), RAW)
    fails_with("divide by 255.0", tc.require_pixels, tf.cast(images, tf.float32), RAW)
    fails_with("cast to float32 first", tc.require_pixels, tf.cast(images // 255, tf.float32), RAW)


def test_reshapes_slices_reductions_and_broadcasting():
    tc.require_flat(tf.reshape(PIXELS, (-1, 784)), PIXELS)
    fails_with("the batch axis comes first", tc.require_flat, tf.reshape(PIXELS, (784, -1)), PIXELS)
    fails_with("off by up to", tc.require_flat, np.transpose(PIXELS, (0, 2, 1, 3)).reshape(12, 784), PIXELS)
    tc.require_crops(PIXELS[:, 4:24, 4:24, :], PIXELS)
    tc.require_crops(PIXELS[..., 4:-4, 4:-4, :], PIXELS)
    fails_with("keep every image", tc.require_crops, PIXELS[4:24, 4:24], PIXELS)
    fails_with("rows and columns 4 to 23", tc.require_crops, PIXELS[:, 4:23, 4:23, :], PIXELS)
    tc.require_mean_image(tf.reduce_mean(PIXELS, axis=0), PIXELS)
    fails_with("one number", tc.require_mean_image, tf.reduce_mean(PIXELS), PIXELS)
    fails_with("axis=0", tc.require_mean_image, tf.reduce_mean(PIXELS, axis=-1), PIXELS)
    tc.require_centred(FLAT - FLAT.mean(axis=0), FLAT)
    fails_with("each image's own mean", tc.require_centred, FLAT - FLAT.mean(axis=1, keepdims=True), FLAT)
    fails_with("one number", tc.require_centred, FLAT - FLAT.mean(), FLAT)


def test_dense_layer_by_hand_and_its_parameter_count():
    rng = np.random.default_rng(1)
    kernel, bias = rng.normal(size=(784, 10)).astype(np.float32) * 0.05, rng.normal(size=10).astype(np.float32)
    tc.require_dense_by_hand(tf.nn.relu(FLAT @ kernel + bias), FLAT, kernel, bias)
    tc.require_dense_by_hand(tf.Variable(np.maximum(FLAT @ kernel + bias, 0)), FLAT, tf.Variable(kernel), bias)
    fails_with("leaves out the bias", tc.require_dense_by_hand, tf.nn.relu(FLAT @ kernel), FLAT, kernel, bias)
    fails_with("applies ReLU", tc.require_dense_by_hand, FLAT @ kernel + bias, FLAT, kernel, bias)
    fails_with("flat @ W, with the batch first", tc.require_dense_by_hand, (FLAT @ kernel).T, FLAT, kernel, bias)
    tc.require_param_count(784 * 10 + 10, kernel, bias)
    dense = keras.layers.Dense(10)
    dense.build((None, 784))
    tc.require_param_count(dense.count_params(), dense.kernel, dense.bias)  # keras.Variables, as in the notebook
    fails_with("W is not available", tc.require_param_count, 7850, checks.Unavailable("gone"), bias)
    fails_with("add the bias", tc.require_param_count, 7840, kernel, bias)
    fails_with("one weight per input and unit", tc.require_param_count, 794, kernel, bias)


def pipeline(shuffle="before", buffer=None, drop=None, scale=True):
    """make_pipeline as students write it, right or with one classic bug (seeded, so the checks see the same
    orders on every run)."""

    def make_pipeline(images, labels, batch_size, drop_remainder=False):
        ds = tf.data.Dataset.from_tensor_slices((images, labels))
        size = buffer or len(images)
        if shuffle == "before":
            ds = ds.shuffle(size, seed=0)
        ds = ds.batch(batch_size, drop_remainder=drop_remainder if drop is None else drop)
        if shuffle == "after":
            ds = ds.shuffle(size, seed=0)
        if shuffle == "once":
            ds = ds.unbatch().shuffle(size, seed=0, reshuffle_each_iteration=False).batch(batch_size)
        if scale:
            ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))
        return ds.prefetch(tf.data.AUTOTUNE)

    return make_pipeline


def recorded(make_pipeline, tmp_path):
    """``make_pipeline`` as the batch grader hands it to the checks: its probe calls, recorded."""
    return as_graded(make_pipeline, "make_pipeline", "kerascourse.checks.tensors", tmp_path / "make_pipeline")


@pytest.mark.parametrize("as_graded", [False, True], ids=["in the notebook", "recorded"])
def test_pipelines_batch_shuffle_before_batching_and_keep_labels(as_graded, tmp_path):
    def given(make_pipeline):
        return recorded(make_pipeline, tmp_path) if as_graded else make_pipeline

    tc.require_pipeline_batches(given(pipeline()))
    tc.require_pipeline_shuffled(given(pipeline()))
    fails_with("shuffling after .batch()", tc.require_pipeline_shuffled, given(pipeline(shuffle="after")))
    fails_with("a buffer of 1 does not shuffle", tc.require_pipeline_shuffled, given(pipeline(buffer=1)))
    fails_with("buffer is too small", tc.require_pipeline_shuffled, given(pipeline(buffer=3)))
    fails_with("every epoch has the same order", tc.require_pipeline_shuffled, given(pipeline(shuffle="once")))
    fails_with("drops the last, partial batch", tc.require_pipeline_batches, given(pipeline(drop=True)))
    fails_with("pass drop_remainder", tc.require_pipeline_batches, given(pipeline(drop=False)))
    fails_with("divides by 255.0", tc.require_pipeline_batches, given(pipeline(scale=False)))


def test_pipelines_that_lose_labels_or_return_no_dataset(tmp_path):
    def images_shuffled_alone(images, labels, batch_size, drop_remainder=False):
        shuffled = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images))
        ds = tf.data.Dataset.zip((shuffled, tf.data.Dataset.from_tensor_slices(labels)))
        return ds.batch(batch_size, drop_remainder=drop_remainder).map(lambda x, y: (tf.cast(x, tf.float32) / 255, y))

    fails_with("shuffle images and labels together", tc.require_pipeline_shuffled, images_shuffled_alone)

    def images_only(images, labels, batch_size, drop_remainder=False):
        return tf.data.Dataset.from_tensor_slices(images).batch(batch_size)

    fails_with("(images, labels) pair", tc.require_pipeline_batches, images_only)
    fails_with("returns a list", tc.require_pipeline_batches, lambda *args, **kwargs: [1, 2])
    fails_with("returns a NoneType", tc.require_pipeline_batches, lambda *args, **kwargs: None)
    message = fails_with("failed: ZeroDivisionError", tc.require_pipeline_batches, lambda *args, **kwargs: 1 / 0)
    assert "<uint8 array of shape (50, 2, 2, 1)>" in message
    recording = recorded(lambda *args, **kwargs: 1 / 0, tmp_path)
    assert fails_with("failed: ZeroDivisionError", tc.require_pipeline_batches, recording) == message


def test_batches_per_epoch_counts_the_partial_batch():
    tc.require_batches_per_epoch(math.ceil(1000 / 64), 1000, 64)
    tc.require_batches_per_epoch(np.int64(16), 1000, 64)
    fails_with("counts only the full batches", tc.require_batches_per_epoch, 1000 // 64, 1000, 64)
    fails_with("make 16 batches", tc.require_batches_per_epoch, 17, 1000, 64)


def test_gradients_from_the_tape_and_by_hand():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = w**3 - 4 * w
    tc.require_tape_gradient(w, tape.gradient(y, w))
    tc.require_tape_gradient(np.float32(2.0), np.float32(8.0))  # a watched constant, as graded
    constant = tf.constant(2.0)
    with tf.GradientTape() as tape:
        y = constant**3 - 4 * constant
    fails_with("make w a tf.Variable", tc.require_tape_gradient, constant, tape.gradient(y, constant))
    y = w**3 - 4 * w
    with tf.GradientTape() as tape:
        tape.watch(w)
    fails_with("compute y inside", tc.require_tape_gradient, w, tape.gradient(y, w))
    fails_with("start from w = tf.Variable(2.0)", tc.require_tape_gradient, tf.Variable(3.0), 23.0)
    tc.require_derivative_by_hand(3 * 2.0**2 - 4)
    fails_with("adds -4", tc.require_derivative_by_hand, 12.0)
    fails_with("the value of y", tc.require_derivative_by_hand, 0.0)
    v = tf.Variable([1.0, -2.0, 3.0])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(v**2)
    tc.require_vector_gradient(v, tape.gradient(loss, v))
    tc.require_vector_gradient(np.array([1.0, -2.0, 3.0]), [np.array([2.0, -4.0, 6.0])])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(v**2)
    fails_with("the gradient of a mean", tc.require_vector_gradient, v, tape.gradient(loss, v))
    fails_with("grad_v is None", tc.require_vector_gradient, v, None)
    fails_with("holds integers (int32)", tc.require_vector_gradient, tf.Variable([1, -2, 3]), None)
    fails_with("holds integers (int32)", tc.require_tape_gradient, tf.Variable(2), None)
