"""Offline TFDS datasets build and load, grading size never touches the network, full size has clear errors."""

import socket

import numpy as np
import pytest
import tensorflow_datasets as tfds

from kerascourse.course import data
from kerascourse.course.builders import SklearnDigits, movie_reviews
from kerascourse.course.builders.digit_images import stratified_split


@pytest.fixture
def no_network(monkeypatch):
    """Make every attempt to open a connection or resolve a name fail loudly."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_run_size_defaults_to_grading_and_rejects_typos(monkeypatch):
    monkeypatch.delenv("KERASCOURSE_SIZE", raising=False)
    assert data.run_size() == "grading" and data.offline()
    monkeypatch.setenv("KERASCOURSE_SIZE", "ful")
    with pytest.raises(ValueError, match="use one of grading, full"):
        data.run_size()


def test_dataset_names_per_size():
    assert data.dataset_name("mnist", "grading") == "mnist_subset"
    assert data.dataset_name("mnist", "full") == "mnist"
    assert data.dataset_name("sklearn_digits", "grading") == "sklearn_digits"


def test_stratified_split_keeps_class_shares():
    labels = np.repeat(np.arange(10), 50)
    train, test = stratified_split(labels)
    assert len(set(train) | set(test)) == 500 and not set(train) & set(test)
    assert np.all(np.bincount(labels[test]) == 10)
    assert np.array_equal(stratified_split(labels)[1], test), "the split must be the same every time"


def test_offline_builder_prepares_a_real_tfds_dataset(tmp_path, no_network):
    builder = SklearnDigits(data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(try_download_gcs=False))
    assert builder.info.splits["train"].num_examples == 1438
    assert builder.info.splits["test"].num_examples == 359
    assert builder.info.features["label"].num_classes == 10
    reread = tfds.builder_from_directory(str(tmp_path / "sklearn_digits" / "1.0.0"))
    images, labels = next(iter(tfds.as_numpy(reread.as_dataset(split="test", batch_size=359, as_supervised=True))))
    assert images.shape == (359, 8, 8, 1) and images.dtype == np.uint8 and images.max() > 200
    assert np.all(np.bincount(labels) >= 35)
    assert not no_network


def test_grading_size_loads_real_mnist_offline(no_network):
    images, labels = data.load_arrays("mnist", "test")
    assert images.shape == (1000, 28, 28, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() == 1.0
    assert np.all(np.bincount(labels) == 100)
    x_train, _ = data.load_arrays("mnist", "train")
    assert len(x_train) == 4000
    assert not no_network


def test_cifar10_stands_in_as_the_digits_in_cifar_shapes(no_network):
    assert data.dataset_name("cifar10", "grading") == "mnist_subset_rgb32"
    assert data.dataset_name("cifar10", "full") == "cifar10"
    images, labels = data.load_arrays("cifar10", "test")
    digits, digit_labels = data.load_arrays("mnist", "test")
    assert images.shape == (1000, 32, 32, 3) and images.dtype == np.float32
    assert np.array_equal(images[:, 2:30, 2:30, :1], digits) and np.array_equal(labels, digit_labels)
    assert not images[:, :2].any() and np.array_equal(images[..., 0], images[..., 2])
    assert not no_network


def test_sunspots_load_in_time_order_at_both_sizes(no_network):
    from statsmodels.datasets import sunspots

    years, values = data.load_series("sunspots")
    table = sunspots.load_pandas().data
    assert years.tolist() == list(range(1700, 2009)) and values.dtype == np.float32
    assert np.allclose(values, table["SUNACTIVITY"].to_numpy())
    full_years, full_values = data.load_series("sunspots", size="full")
    assert np.array_equal(full_years, years) and np.array_equal(full_values, values)
    assert not no_network


def test_imdb_stands_in_as_reviews_whose_word_order_decides_the_label(no_network):
    assert data.dataset_name("imdb_reviews", "grading") == "movie_reviews"
    texts, labels = data.load_arrays("imdb_reviews", "test")
    train_texts, _ = data.load_arrays("imdb_reviews", "train")
    assert texts.shape == (1000,) and len(train_texts) == 2500 and isinstance(texts[0], bytes)
    assert 0.45 < labels.mean() < 0.55
    rng = np.random.default_rng(movie_reviews.SPLITS["test"][1])
    regenerated = [movie_reviews.review(rng) for _ in range(1000)]
    assert sorted(text.decode() for text in texts) == sorted(text for text, _ in regenerated)
    by_rule = [rule_label(text.decode()) for text in texts]
    agreement = np.mean(np.array(by_rule) == labels)
    assert 0.93 < agreement < 0.99  # the rule, with about 4% of labels flipped
    batch_texts, batch_labels = next(iter(data.load("imdb_reviews", "train", batch_size=8)))
    assert batch_texts.dtype.name == "string" and batch_labels.dtype.name == "int32"
    assert not no_network


def rule_label(text):
    """Positive when the last judgement, after "but", is positive once "not" has flipped it."""
    words = text.split(" but ")[-1].split(" and ")[0].split()
    positive = words[-1] in movie_reviews.POSITIVE
    return int(positive != ("not" in words))


def test_full_size_text_loads_raw_strings_through_tfds(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASCOURSE_SIZE", "full")
    monkeypatch.setenv("KERASCOURSE_DATA_DIR", str(tmp_path))
    with tfds.testing.mock_data(num_examples=20):
        texts, labels = next(iter(data.load("imdb_reviews", "train", batch_size=8)))
    assert texts.dtype.name == "string" and texts.shape == (8,) and labels.dtype.name == "int32"


def test_fixed_predictions_are_fixed_and_imbalanced():
    labels, scores = data.fixed_predictions()
    again_labels, again_scores = data.fixed_predictions()
    assert np.array_equal(labels, again_labels) and np.array_equal(scores, again_scores)
    assert labels.shape == scores.shape == (200,) and 0.2 < labels.mean() < 0.4
    assert scores.min() >= 0 and scores.max() <= 1 and scores[labels == 1].mean() > scores[labels == 0].mean()


def test_pipeline_batches_shuffles_reproducibly_and_keeps_the_last_batch():
    first = [y.numpy() for _, y in data.load("mnist", "test", batch_size=300, shuffle=True, seed=1)]
    again = [y.numpy() for _, y in data.load("mnist", "test", batch_size=300, shuffle=True, seed=1)]
    plain = np.concatenate([y.numpy() for _, y in data.load("mnist", "test", batch_size=300)])
    assert [len(batch) for batch in first] == [300, 300, 300, 100]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(np.concatenate(first), plain)
    assert sorted(np.concatenate(first)) == sorted(plain)


def test_split_slices_carve_validation_from_training():
    train = sum(len(y) for _, y in data.load("mnist", "train[:90%]"))
    val = sum(len(y) for _, y in data.load("mnist", "train[90%:]"))
    assert (train, val) == (3600, 400)


def test_full_size_offline_fails_at_once_with_instructions(monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("KERASCOURSE_SIZE", "full")
    monkeypatch.setenv("KERASCOURSE_OFFLINE", "1")
    monkeypatch.setenv("KERASCOURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DatasetUnavailable, match="run `kerascourse data mnist` once"):
        data.load("mnist", "train")
    assert not no_network


def test_grading_size_refuses_datasets_without_an_offline_stand_in(no_network):
    with pytest.raises(data.DatasetUnavailable, match="no offline stand-in"):
        data.load("coco", "train", size="grading")


def test_full_size_loads_through_tfds(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASCOURSE_SIZE", "full")
    monkeypatch.setenv("KERASCOURSE_DATA_DIR", str(tmp_path))
    with tfds.testing.mock_data(num_examples=40):
        images, labels = next(iter(data.load("mnist", "train", batch_size=16)))
    assert images.shape == (16, 28, 28, 1) and images.dtype.name == "float32"
    assert 0.0 <= float(images.numpy().min()) and float(images.numpy().max()) <= 1.0
    assert labels.dtype.name == "int32"


def test_digit_transfer_splits_real_digits_for_pre_training_and_a_few_labelled_images(no_network):
    builder = data.prepared_builder("tf_flowers", size="grading")
    assert builder.info.features["label"].names == ["0 or 5", "1 or 6", "2 or 7", "3 or 8", "4 or 9"]
    splits = {}
    for split in ("pretrain", "train", "test"):
        rows = list(tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)))
        digits = np.array([row["digit"] for row in rows])
        assert all(row["label"] == row["digit"] % 5 for row in rows)
        assert rows[0]["image"].shape == (32, 32, 3) and rows[0]["image"].dtype == np.uint8
        splits[split] = ({row["image"].tobytes() for row in rows}, np.bincount(digits, minlength=10))
    assert list(splits["pretrain"][1]) == [300] * 10
    assert list(splits["train"][1]) == [10] * 10  # 20 labelled images per class of the new task
    assert list(splits["test"][1]) == [50] * 10
    pretrain, train, test = (images for images, _ in splits.values())
    assert not (pretrain & train) and not (pretrain & test) and not (train & test)


def test_load_images_resizes_and_keeps_pixels_for_the_model_to_preprocess(no_network):
    images, labels = next(iter(data.load_images("tf_flowers", "train", 48, batch_size=8, size="grading")))
    assert images.shape == (8, 48, 48, 3) and images.dtype.name == "float32" and labels.dtype.name == "int32"
    assert float(images.numpy().max()) > 200.0  # pixels stay in [0, 255]: preprocess_input expects them so


def test_full_size_flowers_load_at_224_through_tfds(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASCOURSE_SIZE", "full")
    monkeypatch.setenv("KERASCOURSE_DATA_DIR", str(tmp_path))
    with tfds.testing.mock_data(num_examples=12):
        images, labels = next(iter(data.load_images("tf_flowers", "train[:80%]", 224, batch_size=4)))
    assert images.shape == (4, 224, 224, 3) and images.dtype.name == "float32" and labels.dtype.name == "int32"
