"""Lesson datasets through TFDS, at grading size (offline, small) or full size.

Grading size never opens a network connection: it reads TFDS datasets that the
builders in ``kerascourse.course.builders`` prepare from data shipped inside wheels.
Full size loads the real TFDS dataset and downloads it when allowed.
"""

import contextlib
import fcntl
import functools
import os
from pathlib import Path

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from kerascourse import ROOT
from kerascourse.course.builders import OFFLINE_BUILDERS

SIZES = ("grading", "full")
# What each lesson dataset becomes at grading size.
GRADING_STAND_INS = {
    "mnist": "mnist_subset",
    "cifar10": "mnist_subset_rgb32",
    "digits": "sklearn_digits",
    "imdb_reviews": "movie_reviews",
    "tf_flowers": "digit_transfer",
    "speech_commands": "speech_keywords",
}
CHECKOUT_DATA_DIR = ROOT / "datasets"


class DatasetUnavailable(RuntimeError):
    """A dataset is neither prepared locally nor allowed to download."""


def run_size():
    """The size lessons run at: ``grading`` (default) or ``full`` (``KERASCOURSE_SIZE``)."""
    size = os.environ.get("KERASCOURSE_SIZE", "grading")
    if size not in SIZES:
        raise ValueError(f"KERASCOURSE_SIZE={size!r}; use one of {', '.join(SIZES)}")
    return size


def offline():
    """True when downloads are off: at grading size, or with ``KERASCOURSE_OFFLINE=1``."""
    return run_size() == "grading" or os.environ.get("KERASCOURSE_OFFLINE", "") in ("1", "true", "yes")


def data_dir():
    """Where TFDS data lives: ``KERASCOURSE_DATA_DIR``, a checkout's ``datasets/``, or TFDS's default."""
    if "KERASCOURSE_DATA_DIR" in os.environ:
        return Path(os.environ["KERASCOURSE_DATA_DIR"])
    if (CHECKOUT_DATA_DIR / "README.md").exists():
        return CHECKOUT_DATA_DIR
    return Path(tfds.core.constants.DATA_DIR).expanduser()


def dataset_name(name, size=None):
    """The TFDS name loaded for a lesson dataset at the given size."""
    size = size or run_size()
    return GRADING_STAND_INS.get(name, name) if size == "grading" else name


@contextlib.contextmanager
def file_lock(directory, name):
    """Hold an exclusive lock on ``directory/.name.lock``, so that one process at a time prepares ``name``."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepared_builder(name, size=None):
    """A TFDS builder whose data is ready on disk, preparing it when that is allowed."""
    size = size or run_size()
    tfds_name = dataset_name(name, size)
    directory = data_dir()
    if tfds_name in OFFLINE_BUILDERS:
        builder = OFFLINE_BUILDERS[tfds_name](data_dir=str(directory))
        if builder.is_prepared():  # no lock needed, so a read-only data directory works
            return builder
        with file_lock(directory, tfds_name):
            if not builder.is_prepared():
                builder.download_and_prepare(
                    download_config=tfds.download.DownloadConfig(try_download_gcs=False)
                )
        return builder
    if size == "grading":
        raise DatasetUnavailable(
            f"{name!r} has no offline stand-in at grading size; offline datasets are "
            f"{', '.join(sorted(OFFLINE_BUILDERS))}, stand-ins {GRADING_STAND_INS}"
        )
    builder = tfds.builder(tfds_name, data_dir=str(directory))
    if builder.is_prepared():
        return builder
    if offline():
        raise DatasetUnavailable(
            f"{tfds_name} is not prepared in {directory} and downloads are off "
            "(KERASCOURSE_OFFLINE=1); on a machine with a network run "
            f"`kerascourse data {tfds_name}` once, or run at grading size (KERASCOURSE_SIZE=grading)"
        )
    builder.download_and_prepare()
    return builder


def scale_images(images, labels):
    """uint8 pixels to float32 in [0, 1]; labels as int32."""
    return tf.cast(images, tf.float32) / 255.0, tf.cast(labels, tf.int32)


def pipeline(ds, batch_size, shuffle=False, seed=0, transform=scale_images):
    """The tf.data guide's order: cache, shuffle, batch, vectorised map, prefetch."""
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    ds = ds.map(transform, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def cast_labels(inputs, labels):
    """Inputs as they are (texts stay strings); labels as int32."""
    return inputs, tf.cast(labels, tf.int32)


def load(name, split, *, batch_size=128, shuffle=None, seed=0, size=None, scale=True):
    """Batches of ``(inputs, integer labels)`` for a lesson dataset: images become float32 in [0, 1]
    (with ``scale=False`` they keep their stored uint8 pixels), texts stay strings.

    ``shuffle`` defaults to True for the ``train`` split only.
    """
    builder = prepared_builder(name, size)
    images = isinstance(builder.info.features[builder.info.supervised_keys[0]], tfds.features.Image)
    ds = builder.as_dataset(split=split, as_supervised=True, shuffle_files=False)
    shuffle = split == "train" if shuffle is None else shuffle
    transform = scale_images if images and scale else cast_labels
    return pipeline(ds, batch_size, shuffle=shuffle, seed=seed, transform=transform)


def load_images(name, split, image_size, *, batch_size=32, shuffle=None, seed=0, size=None):
    """Batches of ``(images, integer labels)`` for ``keras.applications`` models: images resized to
    ``image_size`` x ``image_size``, float32 with pixels in [0, 255] (the model preprocesses them).

    ``shuffle`` defaults to True for the ``train`` split only.
    """
    builder = prepared_builder(name, size)
    ds = builder.as_dataset(split=split, as_supervised=True, shuffle_files=False)
    ds = ds.map(lambda image, label: (_resized(image, image_size), label), num_parallel_calls=tf.data.AUTOTUNE)
    shuffle = split == "train" if shuffle is None else shuffle
    return pipeline(ds, batch_size, shuffle=shuffle, seed=seed, transform=float_pixels)


def _resized(image, image_size):
    """One image at ``image_size`` x ``image_size``, kept as uint8 so that the cache stays small."""
    resized = tf.image.resize(image, (image_size, image_size))
    return tf.saturate_cast(tf.round(resized), tf.uint8)


def float_pixels(images, labels):
    """uint8 pixels to float32, still in [0, 255]; labels as int32."""
    return tf.cast(images, tf.float32), tf.cast(labels, tf.int32)


def load_arrays(name, split, *, size=None, scale=True):
    """A whole split as numpy arrays ``(inputs, integer labels)``, in file order (texts as bytes; images
    as float32 in [0, 1], or as stored with ``scale=False``). Each call returns fresh copies of what this
    process read the first time: the tests of a lesson read the same splits many times."""
    inputs, labels = _read_arrays(name, split, size or run_size(), scale, data_dir())
    return inputs.copy(), labels.copy()


@functools.cache
def _read_arrays(name, split, size, scale, directory):  # the data directory is part of what was read
    batches = tfds.as_numpy(load(name, split, batch_size=1024, shuffle=False, size=size, scale=scale))
    xs, ys = zip(*batches, strict=True)
    return np.concatenate(xs), np.concatenate(ys)


def load_clips(name, split, *, size=None):
    """A split of audio clips as a list of ``int16`` arrays (clips differ in length) and their integer
    labels, in file order; like ``load_arrays``, each call returns fresh copies of one read per process."""
    clips, labels = _read_clips(name, split, size or run_size(), data_dir())
    return [clip.copy() for clip in clips], labels.copy()


@functools.cache
def _read_clips(name, split, size, directory):  # the data directory is part of what was read
    rows = tfds.as_numpy(prepared_builder(name, size).as_dataset(split=split, shuffle_files=False, as_supervised=True))
    clips, labels = zip(*rows, strict=True)
    return clips, np.array(labels)


def load_series(name, size=None):
    """A time series as numpy arrays ``(years, values)``, in time order."""
    builder = prepared_builder(name, size)
    rows = list(tfds.as_numpy(builder.as_dataset(split="train", shuffle_files=False)))
    rows.sort(key=lambda row: row["year"])
    return np.array([row["year"] for row in rows]), np.array([row["value"] for row in rows], dtype=np.float32)


def info(name, size=None):
    """The TFDS ``DatasetInfo`` of the dataset loaded for ``name``."""
    return prepared_builder(name, size).info


def line_points(n=20, seed=0):
    """``n`` points ``(x, y)`` near the line y = 3 x, with x scaled so that mean(x ** 2) = 1 (so the mean
    squared error of y = w x has curvature 2 in w)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x = (x - x.mean()) / x.std()
    return x, 3 * x + rng.normal(0, 0.3, size=n)


def fixed_predictions(n=200, seed=7):
    """Fixed labels (30% positive) and a classifier's scores in [0, 1], for metric exercises."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(np.int32)
    scores = np.clip(rng.normal(0.3 + 0.35 * labels, 0.17), 0.0, 1.0).astype(np.float32)
    return labels, scores
