"""Lesson 07's checks: each passes a valid answer and names the fix for each known mistake."""

import keras
import numpy as np
import pytest
from failing import fails_with
from keras import layers

from kerascourse import checks
from kerascourse.checks import autoencoders as ac
from kerascourse.checks import portable

IMAGES = np.random.default_rng(0).random((40, 28, 28, 1), dtype=np.float32) ** 4  # mostly dark, like digits
LABELS = np.arange(40) % 10


@pytest.fixture(autouse=True)
def oracles_read_as_they_are(monkeypatch):
    """The checks read a subclassed model as the functional model of its layers (``checks.portable``); an
    ``Oracle`` stands in for a trained model by its ``predict``, so here it is read as it is."""
    monkeypatch.setattr(portable, "portable", lambda obj: obj)


class Oracle(keras.Model):
    """A stand-in for a trained model: calling it returns ``respond(inputs)``."""

    def __init__(self, respond):
        super().__init__()
        self.respond = respond

    def call(self, inputs):
        return keras.ops.convert_to_tensor(self.respond(keras.ops.convert_to_numpy(inputs)))


def dense_halves(code=32, output="sigmoid", reshape=True):
    encoder = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(16, activation="relu"), layers.Dense(code)]
    )
    decoder = keras.Sequential(
        [keras.Input((code,)), layers.Dense(784, activation=output), *([layers.Reshape((28, 28, 1))] * reshape)]
    )
    return encoder, decoder, keras.Sequential([encoder, decoder])


def constant_model(image):
    """A model that outputs ``image`` whatever its input (zero weights, bias the logit of the pixels)."""
    pixels = np.clip(image.reshape(-1), 1e-4, 1 - 1e-4)
    dense = layers.Dense(784, activation="sigmoid", kernel_initializer="zeros")
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), dense, layers.Reshape((28, 28, 1))])
    dense.bias.assign(np.log(pixels / (1 - pixels)))
    return model


def test_add_noise_is_the_notebooks():
    rng = np.random.default_rng(3)
    expected = np.clip(IMAGES + 0.4 * rng.normal(size=IMAGES.shape), 0.0, 1.0).astype("float32")
    np.testing.assert_array_equal(ac.add_noise(IMAGES, seed=3), expected)
    assert ac.add_noise(IMAGES, seed=3).dtype == np.float32


def test_roc_auc_matches_its_definition():
    assert ac.roc_auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert ac.roc_auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert ac.roc_auc([0.5, 0.5], [0, 1]) == 0.5
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    scores, positives = rng.random(200).round(2), rng.random(200) < 0.2
    assert ac.roc_auc(scores, positives) == pytest.approx(sklearn_metrics.roc_auc_score(positives, scores))


def test_numbers_may_be_python_numpy_or_tensor_scalars():
    tensor = keras.ops.convert_to_tensor(0.5)
    for value in (0.5, 1, np.float32(0.5), np.float64(0.5), np.int64(1), np.array(0.5), tensor):
        assert checks.require_number(value, "x", "a number") == pytest.approx(float(value))
    assert checks.require_number([0.5], "x", "a number") == 0.5
    for value in ("0.5", True, ..., {"mse": 0.5}):
        fails_with("store a single number", checks.require_number, value, "x", "a number")
    fails_with("x has 2 values; store one number", checks.require_number, np.ones(2), "x", "a number")
    fails_with("store a finite number", checks.require_number, np.nan, "x", "a number")
    fails_with("x is not available", checks.require_number, None, "x", "a number")


def test_an_autoencoder_maps_images_to_images_in_zero_one():
    encoder, decoder, autoencoder = dense_halves()
    ac.require_image_to_image(autoencoder, "autoencoder")
    ac.require_pixel_output(autoencoder, "autoencoder")
    ac.require_pixel_output(
        keras.Sequential([keras.Input((4,)), layers.Dense(784), layers.Activation("sigmoid"), layers.Dropout(0.1)]), "m"
    )
    fails_with("layers.Reshape((28, 28, 1))", ac.require_image_to_image, dense_halves(reshape=False)[2], "autoencoder")
    sixteen = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(16, 3, padding="same", activation="sigmoid")])
    fails_with("to get one channel back", ac.require_image_to_image, sixteen, "conv_autoencoder", "conv_decoder")
    flat = keras.Sequential([keras.Input((784,)), layers.Dense(784, activation="sigmoid")])
    fails_with("the data has shape (28, 28, 1)", ac.require_image_to_image, flat, "m")
    fails_with("end decoder with activation='sigmoid'", ac.require_pixel_output, dense_halves(output="relu")[2], "ae")
    fails_with("sum to 1", ac.require_pixel_output, dense_halves(output="softmax")[2], "autoencoder")
    fails_with("is linear", ac.require_pixel_output, dense_halves(output=None)[2], "autoencoder")


def test_bottleneck_code_size_and_halves():
    encoder, decoder, autoencoder = dense_halves()
    assert ac.require_bottleneck(encoder) == 32
    ac.require_code_size(32, encoder)
    ac.require_code_size(np.int64(32), encoder)
    ac.require_composition(autoencoder, encoder, decoder)
    fails_with("no fewer than the 784 pixels", ac.require_bottleneck, dense_halves(code=1024)[0])
    unstrided = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, padding="same")])
    fails_with("downsample with strides=2", ac.require_bottleneck, unstrided, "conv_encoder")
    fails_with("read it from encoder.output_shape", ac.require_code_size, 128, encoder)
    fails_with("read it from encoder.output_shape", ac.require_code_size, 32.0, encoder)
    other_decoder = dense_halves()[1]
    fails_with("differs from decoder(encoder(x))", ac.require_composition, autoencoder, encoder, other_decoder)
    fails_with("cannot take what encoder outputs", ac.require_composition, autoencoder, encoder, dense_halves(8)[1])
    fails_with("has no Conv2D layer", ac.require_convolutional, encoder, "conv_encoder")


def test_reconstruction_beats_the_mean_image_and_is_reported_honestly():
    identity = Oracle(lambda x: x)
    ac.require_reconstruction(identity, "autoencoder", IMAGES, IMAGES, fraction=0.6)
    assert ac.require_reported_mse(identity, 0.0, IMAGES, "autoencoder", "ae_test_mse") == 0.0
    mean_image = constant_model(IMAGES.mean(axis=0))
    fails_with(
        "no better than 0.6 x", ac.require_reconstruction, mean_image, "autoencoder", IMAGES, IMAGES, fraction=0.6
    )
    measured = ac.require_reported_mse(mean_image, ac.mean_image_mse(IMAGES, IMAGES), IMAGES, "m", "ae_test_mse")
    assert measured == pytest.approx(ac.mean_image_mse(IMAGES, IMAGES), rel=1e-3)
    fails_with("report the MSE on the test images", ac.require_reported_mse, identity, 0.05, IMAGES, "m", "mse")
    fails_with("store one number", ac.require_reported_mse, identity, [0.0, 0.1], IMAGES, "m", "mse")
    doubled = Oracle(lambda x: np.repeat(x, 2, axis=-1))
    fails_with("must have the input's shape", ac.require_reconstruction, doubled, "conv_autoencoder", IMAGES, IMAGES,
               fraction=0.6)


def test_two_dimensional_codes_come_from_the_trained_encoder():
    encoder = dense_halves(code=2)[0]
    ac.require_code_shape(encoder, (2,), "encoder_2d")
    ac.require_linear_code(encoder)
    codes = encoder.predict(IMAGES, verbose=0)
    ac.require_codes(codes, encoder, IMAGES)
    ac.require_codes(encoder(IMAGES), encoder, IMAGES)
    ac.require_codes(codes.tolist(), encoder, IMAGES)
    fails_with("end it with layers.Dense(2)", ac.require_code_shape, dense_halves(code=3)[0], (2,), "encoder_2d")
    relu = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(2, activation="relu")])
    fails_with("relu clips the codes at zero", ac.require_linear_code, relu)
    squeezed = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(2, activation="sigmoid")])
    fails_with("sigmoid squeezes the codes", ac.require_linear_code, squeezed)
    fails_with("encode the 40 test images", ac.require_codes, codes[:20], encoder, IMAGES)
    fails_with("make it the array", ac.require_codes, "codes", encoder, IMAGES)
    encoder.layers[-1].kernel.assign(encoder.layers[-1].kernel * 2 + 0.1)  # training moves the weights
    fails_with("after training", ac.require_codes, codes, encoder, IMAGES)


def test_codes_must_separate_the_digits():
    angles = 2 * np.pi * LABELS / 10
    clusters = np.stack([np.cos(angles), np.sin(angles)], axis=1) * 10 + np.random.default_rng(2).normal(size=(40, 2))
    assert ac.require_separated_codes(clusters, LABELS, minimum=0.3) > 0.5
    noise = np.random.default_rng(3).normal(size=(40, 2))
    fails_with("barely separate the digits", ac.require_separated_codes, noise, LABELS, minimum=0.3)


def test_denoising_needs_clean_targets_and_an_honest_error():
    clean = IMAGES
    oracle = Oracle(lambda noisy: clean[: len(noisy)] * 0.9)  # nearly clean outputs, whatever the noise
    denoised, before = ac.require_denoising(oracle, clean, fraction=0.35)
    assert denoised < 0.35 * before
    reported = float(np.mean((clean * 0.9 - clean) ** 2))
    assert ac.require_reported_denoising(oracle, reported, clean) == pytest.approx(reported)
    ac.require_less_noise(reported, before)
    fails_with("fit(noisy_train, x_train)", ac.require_denoising, Oracle(lambda noisy: noisy), clean, fraction=0.35)
    against_noisy = float(np.mean((clean * 0.9 - ac.add_noise(clean, seed=ac.TEST_NOISE_SEED)) ** 2))
    fails_with("with the clean x_test", ac.require_reported_denoising, oracle, against_noisy, clean)
    fails_with("report that number", ac.require_reported_denoising, oracle, 0.5, clean)
    fails_with("fit(noisy_train, x_train)", ac.require_less_noise, before, before)
    fails_with("denoised_test_mse is not available", ac.require_less_noise, None, before)


def anomaly_oracle(labels, offsets):
    """Reconstructs each image off by ``offsets[label]`` per pixel, so its MSE is that offset squared."""
    by_image = {img.tobytes(): offsets[label] for img, label in zip(IMAGES, labels, strict=True)}
    return Oracle(lambda x: x + np.array([by_image[img.tobytes()] for img in x]).reshape(-1, 1, 1, 1))


def test_anomalies_are_scored_by_per_image_error_with_a_validation_threshold():
    offsets = {label: 0.1 + 0.01 * label for label in range(10)}
    offsets[ac.ANOMALY] = 0.3
    model = anomaly_oracle(LABELS, offsets)
    errors = ac.require_errors(ac.per_image_mse(model, IMAGES), model, IMAGES)
    assert ac.require_anomalies_held_out(errors, LABELS, min_ratio=1.25) > 2
    assert ac.require_detection(errors, LABELS, min_auc=0.8) == 1.0
    fails_with("one error per test image", ac.require_errors, float(errors.mean()), model, IMAGES)
    fails_with("one error per test image", ac.require_error_shape, errors[:, None] * np.ones(3), len(IMAGES))
    fails_with("not each test image's reconstruction MSE", ac.require_errors, errors * 2, model, IMAGES)
    seen = anomaly_oracle(LABELS, offsets | {ac.ANOMALY: 0.12})
    seen_errors = ac.per_image_mse(seen, IMAGES)
    fails_with("x_train[y_train != ANOMALY]", ac.require_anomalies_held_out, seen_errors, LABELS, min_ratio=1.25)
    fails_with("ROC AUC", ac.require_detection, seen_errors, LABELS, min_auc=0.8)

    normal = LABELS != ac.ANOMALY
    val_errors = ac.per_image_mse(model, IMAGES[normal])
    ac.require_threshold(float(np.percentile(val_errors, 95)), model, IMAGES, LABELS, percentile=95)
    ac.require_threshold(np.quantile(val_errors, 0.95), model, IMAGES, LABELS, percentile=95)
    on_everything = float(np.percentile(errors, 95))
    fails_with("never on the test images", ac.require_threshold, on_everything, model, IMAGES, LABELS, percentile=95)
    fails_with("store one number", ac.require_threshold, val_errors, model, IMAGES, LABELS, percentile=95)


def test_a_code_of_the_asked_width_and_a_fresh_model():
    def anomaly_ae(code):
        widths = (128, code, 128, 784)
        return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), *(layers.Dense(w) for w in widths)])

    ac.require_code_width(anomaly_ae(16), 16, "anomaly_ae")
    fails_with("asks for a 16-number code", ac.require_code_width, anomaly_ae(32), 16, "anomaly_ae")
    autoencoder = dense_halves(code=16)[2]
    other = dense_halves(code=16)[2]
    ac.require_fresh_model(other, autoencoder, "denoiser", "conv_autoencoder")
    same = keras.models.clone_model(autoencoder)
    same.set_weights(autoencoder.get_weights())  # what the grader receives when denoiser is conv_autoencoder
    fails_with("conv_autoencoder trained further", ac.require_fresh_model, same, autoencoder, "denoiser",
               "conv_autoencoder")
