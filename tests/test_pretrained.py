"""Pre-trained networks offline: ImageNet's class names, weights files through ``weights=path``, the digits base."""

import hashlib
import os

import keras
import numpy as np
import pytest

from kerascourse.course import data, pretrained


@pytest.mark.parametrize("architecture", ["ResNet50", "VGG16"])
def test_imagenet_bases_load_a_saved_weights_file_through_the_weights_argument(architecture, tmp_path):
    """The full-size code path, ``weights=...``, with a file a test saves instead of ImageNet's download."""
    build = getattr(keras.applications, architecture)
    keras.utils.set_random_seed(0)
    saved = build(include_top=False, weights=None, input_shape=(32, 32, 3))
    path = tmp_path / f"{architecture.lower()}.weights.h5"
    saved.save_weights(path)
    loaded = build(include_top=False, weights=str(path), input_shape=(32, 32, 3))
    fresh = build(include_top=False, weights=None, input_shape=(32, 32, 3))
    pixels = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    expected = saved.predict(pixels, verbose=0)
    assert np.allclose(loaded.predict(pixels, verbose=0), expected, atol=1e-5)
    assert not np.allclose(fresh.predict(pixels, verbose=0), expected, atol=1e-3)


def test_class_index_is_keras_own_file_and_decode_predictions_works_offline():
    assert hashlib.md5(pretrained.CLASS_INDEX.read_bytes()).hexdigest() == pretrained.CLASS_INDEX_MD5
    installed = pretrained.install_class_index()
    assert hashlib.md5(open(installed, "rb").read()).hexdigest() == pretrained.CLASS_INDEX_MD5
    probs = np.full((1, 1000), 1e-4, dtype="float32")
    probs[0, 1] = 0.9
    labels = keras.applications.resnet50.decode_predictions(probs, top=5)
    assert labels[0][0][:2] == ("n01443537", "goldfish") and len(labels[0]) == 5


def test_sizes_choose_imagenet_only_at_full_size():
    assert pretrained.imagenet_weights("full") == "imagenet" and pretrained.imagenet_weights("grading") is None
    assert pretrained.base_weights("full") == "imagenet"
    assert (pretrained.image_size("grading"), pretrained.image_size("full")) == (32, 224)


def test_full_size_base_is_resnet50_without_its_classifier_and_has_the_top_block():
    base = pretrained.base_model(None, "full")
    assert base.name == "resnet50" and base.output_shape == (None, 7, 7, 2048)
    top = [layer for layer in base.layers if layer.name.startswith(pretrained.top_block("full"))]
    assert top and top[0] is not base.layers[1] and any(layer.weights for layer in top)


def test_digits_base_is_pre_trained_once_and_reads_digits():
    path = pretrained.base_weights("grading")
    assert path.endswith(".weights.h5") and pretrained.base_weights("grading") == path
    base = pretrained.base_model(path, "grading")
    assert base.output_shape == (None, 4, 4, 128)
    assert [layer.name for layer in base.layers if layer.name.startswith(pretrained.top_block("grading"))]
    fresh = pretrained.base_model(None, "grading")
    assert not np.allclose(base.get_layer("stem_conv").kernel.numpy(), fresh.get_layer("stem_conv").kernel.numpy())
    # what the pre-training learned: a linear read-out of its features separates the new task's classes
    images, labels = (np.concatenate(part) for part in zip(*(
        (x.numpy(), y.numpy()) for x, y in data.load_images("tf_flowers", "test", 32, batch_size=500, size="grading")
    ), strict=True))
    features = base.predict(keras.applications.resnet50.preprocess_input(images.copy()), verbose=0).mean(axis=(1, 2))
    means = np.stack([features[labels == c].mean(axis=0) for c in range(5)])
    nearest = np.argmin(((features[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == labels) > 0.6  # chance is 0.2


def test_a_read_only_data_dir_prepares_the_base_in_a_temporary_dir(monkeypatch, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("KERASCOURSE_DATA_DIR", str(data_dir))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    made = []

    def pretend_pretraining(path):
        made.append(path)
        path.write_bytes(b"weights")

    monkeypatch.setattr(pretrained, "pretrain_digits_resnet", pretend_pretraining)
    writable = os.access
    with monkeypatch.context() as read_only:  # as in the grading sandbox, where the checkout is mounted read-only
        read_only.setattr(os, "access", lambda path, mode: writable(path, mode) and str(path) != str(data_dir))
        first = pretrained.base_weights("grading")
        assert first == pretrained.base_weights("grading") and len(made) == 1
        assert first.startswith(str(tmp_path / "tmp"))
    assert pretrained.base_weights("grading").startswith(str(data_dir)) and len(made) == 2
