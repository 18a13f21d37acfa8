"""Checks for lesson 07: dense and convolutional autoencoders, 2-D codes, denoising and anomaly
detection by reconstruction error. Each failure names the fix; every number is measured again here
on the grader's copy of the data, so a reported number must be the model's own."""

import keras
import numpy as np

from kerascourse import checks
from kerascourse.checks import describe_layer, fail

IMAGE_SHAPE = (28, 28, 1)
PIXELS = 784
NOISE_FACTOR = 0.4  # the notebook's add_noise: Gaussian noise of this standard deviation, clipped to [0, 1]
TEST_NOISE_SEED = 3  # the seed the notebook uses for noisy_test
ANOMALY = 0  # the digit the anomaly detector never sees in training
RELATIVE_TOLERANCE = 0.005


def add_noise(images, seed, factor=NOISE_FACTOR):
    """The notebook's noise: ``images`` plus seeded Gaussian noise, clipped to [0, 1], as float32."""
    rng = np.random.default_rng(seed)
    noisy = np.asarray(images) + factor * rng.normal(size=np.shape(images))
    return np.clip(noisy, 0.0, 1.0).astype("float32")


def mean_image_mse(train_images, test_images):
    """The baseline: the MSE of predicting the mean training image for every test image."""
    mean = np.asarray(train_images, dtype=np.float64).mean(axis=0)
    return float(np.mean((np.asarray(test_images, dtype=np.float64) - mean) ** 2))


def reconstruct(model, images, name="the model"):
    """``model``'s outputs on ``images`` as float64, which must have the images' shape."""
    outputs = np.asarray(checks.outputs(model, images), dtype=np.float64)
    if outputs.shape != np.shape(images):
        fail(
            f"{name} turns images of shape {np.shape(images)[1:]} into outputs of shape {outputs.shape[1:]}; "
            "a reconstruction must have the input's shape, so end the decoder with one channel of 28 x 28 pixels"
        )
    return outputs


def per_image_mse(model, images, name="the model"):
    """Each image's reconstruction MSE under ``model``."""
    difference = reconstruct(model, images, name) - np.asarray(images, dtype=np.float64)
    return np.mean(difference.reshape(len(images), -1) ** 2, axis=1)


def roc_auc(scores, positives):
    """The area under the ROC curve: the chance that a random positive scores above a random negative."""
    scores, positives = np.asarray(scores, dtype=np.float64), np.asarray(positives, dtype=bool)
    pos, neg = scores[positives][:, None], scores[~positives][None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def centroid_accuracy(codes, labels):
    """Nearest-centroid accuracy on the second half of ``codes``, with centroids from the first half."""
    codes, labels = np.asarray(codes, dtype=np.float64), np.asarray(labels)
    half = len(codes) // 2
    classes = np.unique(labels[:half])
    centroids = np.stack([codes[:half][labels[:half] == k].mean(axis=0) for k in classes])
    distances = ((codes[half:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return float(np.mean(classes[np.argmin(distances, axis=1)] == labels[half:]))


def _close(a, b, tolerance=RELATIVE_TOLERANCE):
    return abs(a - b) <= tolerance * abs(b) + 1e-5


# --- building autoencoders -----------------------------------------------------------------


def require_image_to_image(model, name, decoder_name="decoder"):
    """``model`` maps (28, 28, 1) images to (28, 28, 1) images."""
    model = checks.require_model(model, name)
    checks.require_input_shape(model, IMAGE_SHAPE, name)
    produced = tuple(model.output_shape[1:])
    if produced == IMAGE_SHAPE:
        return
    if produced == (PIXELS,):
        fail(
            f"{name} outputs {PIXELS} values per image instead of an image of shape {IMAGE_SHAPE}; "
            f"end {decoder_name} with layers.Reshape({IMAGE_SHAPE})"
        )
    if produced[:2] == IMAGE_SHAPE[:2]:
        fail(
            f"{name} outputs images of shape {produced} with {produced[-1]} channels; end {decoder_name} with "
            "layers.Conv2D(1, 3, padding='same', activation='sigmoid') to get one channel back"
        )
    fail(f"{name} outputs shape {produced} per image; a reconstruction must have the input's shape {IMAGE_SHAPE}")


def require_pixel_output(model, name, decoder_name="decoder"):
    """The last activation is sigmoid, so reconstructions lie in [0, 1] like the pixels."""
    model = checks.require_model(model, name)
    layers = checks.all_layers(model)
    for position in range(len(layers), 0, -1):
        layer = layers[position - 1]
        activation = checks.activation_of(layer)
        if isinstance(layer, checks.PASS_THROUGH_LAYERS) or activation is None:
            continue
        if activation == "sigmoid":
            return
        if activation == "softmax":
            fail(
                f"the last activation of {name} is softmax ({describe_layer(layer)}), which makes all the pixels "
                f"of an image sum to 1; pixels are independent values in [0, 1], so end {decoder_name} with "
                "activation='sigmoid'"
            )
        fail(
            f"the last activation of {name} is {activation} ({describe_layer(layer)}); pixels lie in [0, 1], "
            f"so end {decoder_name} with activation='sigmoid'"
        )
    fail(f"{name} has no output activation; end {decoder_name} with activation='sigmoid'")


def code_shape(encoder, name="encoder"):
    """The encoder's output shape per image."""
    encoder = checks.require_model(encoder, name)
    checks.require_input_shape(encoder, IMAGE_SHAPE, name)
    return tuple(encoder.output_shape[1:])


def require_bottleneck(encoder, name="encoder"):
    """The code holds fewer numbers than the 784 pixels; returns its size."""
    shape = code_shape(encoder, name)
    size = int(np.prod(shape))
    if size >= PIXELS:
        fail(
            f"{name} outputs {size:,} numbers per image (shape {shape}), no fewer than the {PIXELS} pixels, so the "
            "network can learn to copy its input; make the bottleneck smaller (downsample with strides=2 or "
            "MaxPooling2D, or use fewer units)"
        )
    return size


def require_code_shape(encoder, shape, name="encoder"):
    """The encoder outputs codes of ``shape`` per image."""
    produced = code_shape(encoder, name)
    if produced != tuple(shape):
        fail(
            f"{name} outputs codes of shape {produced} per image; end it with layers.Dense({shape[-1]}) "
            f"so that each image becomes {shape[-1]} numbers"
        )


def require_code_size(code_size, encoder, name="encoder"):
    """``code_size`` is the number of values the encoder outputs per image."""
    size = int(np.prod(code_shape(encoder, name)))
    checks.require_defined(code_size, "code_size")
    if isinstance(code_size, bool) or not isinstance(code_size, (int, np.integer)) or int(code_size) != size:
        fail(
            f"code_size is {code_size!r} but {name} outputs {size} values per image; "
            f"read it from {name}.output_shape"
        )


def require_composition(autoencoder, encoder, decoder, name="autoencoder", encoder_name="encoder",
                        decoder_name="decoder"):
    """``autoencoder(x)`` equals ``decoder(encoder(x))``: the two halves are the model's own."""
    autoencoder, encoder, decoder = (
        checks.require_model(model, model_name)
        for model, model_name in ((autoencoder, name), (encoder, encoder_name), (decoder, decoder_name))
    )
    images = checks.probe_batch(IMAGE_SHAPE, batch_size=8)
    try:
        composed = checks.outputs(decoder, checks.outputs(encoder, images))
    except Exception as error:  # noqa: BLE001 - mismatched student models may fail in any way
        fail(f"{decoder_name} cannot take what {encoder_name} outputs ({type(error).__name__}); give {decoder_name} "
             f"keras.Input(shape={encoder_name}.output_shape[1:])")
    whole = checks.outputs(autoencoder, images)
    if np.shape(composed) != np.shape(whole) or not np.allclose(composed, whole, atol=1e-5):
        fail(
            f"{name}(x) differs from {decoder_name}({encoder_name}(x)); build {name} from the same two models, "
            f"keras.Sequential([{encoder_name}, {decoder_name}])"
        )


def require_convolutional(encoder, name="conv_encoder"):
    if not any(isinstance(layer, keras.layers.Conv2D) for layer in checks.all_layers(encoder)):
        fail(f"{name} has no Conv2D layer; build it from layers.Conv2D(..., strides=2, padding='same') blocks")


# --- training and reconstruction error -------------------------------------------------------


def require_reconstruction(model, name, train_images, test_images, *, fraction):
    """``model`` reconstructs the test images with an MSE below ``fraction`` of the mean-image baseline."""
    model = checks.require_model(model, name)
    measured = float(np.mean(per_image_mse(model, test_images, name)))
    baseline = mean_image_mse(train_images, test_images)
    if not measured < fraction * baseline:
        fail(
            f"{name} reconstructs the test images with MSE {measured:.4f}, no better than {fraction:g} x the "
            f"{baseline:.4f} of predicting the mean image; compile it with a reconstruction loss (loss='mse') "
            "and train it on (x_train, x_train) with the learning rate and epochs the question gives"
        )
    return measured


def require_reported_mse(model, reported, images, name, reported_name, targets=None):
    """``reported`` is the MSE between ``model``'s outputs on ``images`` and ``targets`` (default: the images)."""
    model = checks.require_model(model, name)
    value = checks.require_number(reported, reported_name, f"the mean squared error of {name} on the test images")
    targets = images if targets is None else targets
    measured = float(np.mean((reconstruct(model, images, name) - np.asarray(targets, dtype=np.float64)) ** 2))
    if not _close(value, measured):
        fail(
            f"{reported_name} is {value:.4f} but {name} reconstructs the test images with MSE {measured:.4f}; "
            f"report the MSE on the test images, {name}.evaluate(x_test, x_test) with loss='mse' or "
            "np.mean((reconstructions - x_test) ** 2), not a training or validation loss"
        )
    return measured


# --- 2-D codes ---------------------------------------------------------------------------------


def require_linear_code(encoder, name="encoder_2d"):
    """The code layer of a 2-D encoder must not clip its values at zero."""
    layers = checks.all_layers(encoder)
    last = next((layer for layer in reversed(layers) if checks.activation_of(layer) is not None), None)
    activation = checks.activation_of(last) if last is not None else None
    if activation == "relu":
        fail(
            f"the code layer of {name} is {describe_layer(last)}: relu clips the codes at zero and piles digits "
            "onto the axes; give the 2-unit layer no activation"
        )
    if activation not in (None, "linear"):
        fail(
            f"the code layer of {name} is {describe_layer(last)}: {activation} squeezes the codes into a bounded "
            "range where digits crowd together; give the 2-unit layer no activation, Dense(2)"
        )


def require_code_width(model, width, name):
    """The narrowest layer of ``model``, its code, has ``width`` units."""
    model = checks.require_model(model, name)
    dense = [layer for layer in checks.all_layers(model) if isinstance(layer, keras.layers.Dense)]
    widths = [layer.get_config()["units"] for layer in dense]
    if not widths:
        fail(f"{name} has no Dense layer; squeeze the images through a Dense({width}) code")
    if min(widths) != width:
        fail(f"{name}'s narrowest layer has {min(widths)} units; the question asks for a {width}-number code, "
             f"Dense({width}), between the encoder's and the decoder's Dense(128)")


def require_fresh_model(model, other, name, other_name):
    """``model`` is a model of its own, not ``other`` trained further (at grading both arrive as copies, so
    identical weights tell)."""
    model, other = checks.require_model(model, name), checks.require_model(other, other_name)
    mine, theirs = model.get_weights(), other.get_weights()
    if mine and len(mine) == len(theirs) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True)
    ):
        fail(f"{name} is {other_name} trained further, so {other_name} no longer shows what it learned alone; "
             f"build {name} as a fresh model")


def require_codes_shape(codes, n_images, width, name="codes", encoder_name="encoder_2d"):
    """``codes`` is an array of one row of ``width`` numbers per test image."""
    checks.require_defined(codes, name)
    array = checks.numeric_array(codes)
    if array is None:
        fail(f"{name} is a {type(codes).__name__}; make it the array {encoder_name}.predict(x_test)")
    if array.shape != (n_images, width):
        fail(
            f"{name} has shape {array.shape}; encode the {n_images:,} test images, "
            f"{name} = {encoder_name}.predict(x_test), which gives shape ({n_images}, {width})"
        )
    return array


def require_codes(codes, encoder, images, name="codes", encoder_name="encoder_2d"):
    """``codes`` are ``encoder``'s outputs on ``images`` (the test images), one row per image."""
    width = int(np.prod(code_shape(encoder, encoder_name)))
    array = require_codes_shape(codes, len(images), width, name, encoder_name)
    expected = checks.outputs(encoder, images)
    scale = float(np.max(np.abs(expected))) + 1e-6
    if not np.allclose(array, expected, atol=1e-3 * scale, rtol=1e-3):
        fail(
            f"{name} is not what {encoder_name} outputs on x_test; compute {name} = {encoder_name}.predict(x_test) "
            "after training, from the encoder itself"
        )
    return array


def require_separated_codes(codes, labels, name="codes", *, minimum):
    """A nearest-centroid classifier on the codes scores at least ``minimum`` (chance is 0.1)."""
    accuracy = centroid_accuracy(codes, labels)
    if accuracy < minimum:
        fail(
            f"a nearest-centroid classifier on {name} scores {accuracy:.2f} (chance is 0.10, the question wants "
            f"{minimum:g}), so the codes barely separate the digits; train autoencoder_2d for the epochs the "
            "question gives"
        )
    return accuracy


# --- denoising -------------------------------------------------------------------------------


def require_denoising(denoiser, test_images, name="denoiser", *, fraction):
    """On freshly noised test images the outputs are much closer to the clean images than the inputs are."""
    denoiser = checks.require_model(denoiser, name)
    noisy = add_noise(test_images, seed=TEST_NOISE_SEED + 100)
    denoised = float(np.mean((reconstruct(denoiser, noisy, name) - test_images) ** 2))
    before = float(np.mean((noisy - test_images) ** 2))
    if not denoised < fraction * before:
        fail(
            f"on noisy test images {name}'s outputs are {denoised:.4f} (MSE) from the clean images, against "
            f"{before:.4f} for the noisy inputs themselves (the question wants at most {fraction:g} times); train it "
            "to map noisy inputs to clean targets, "
            "fit(noisy_train, x_train)"
        )
    return denoised, before


def require_less_noise(denoised_test_mse, noisy_test_mse):
    """The reported denoised error is below the noisy images' own error."""
    value = checks.require_number(
        denoised_test_mse, "denoised_test_mse", "the MSE between denoiser.predict(noisy_test) and x_test"
    )
    noisy = checks.require_number(noisy_test_mse, "noisy_test_mse", "the MSE of the noisy test images (given)")
    if not value < noisy:
        fail(
            f"denoised_test_mse is {value:.4f}, no better than the noisy images' {noisy:.4f}; train the denoiser "
            "to map noisy inputs to clean targets, fit(noisy_train, x_train)"
        )


def require_reported_denoising(denoiser, reported, test_images, name="denoiser", reported_name="denoised_test_mse"):
    """``reported`` is the MSE between the denoised noisy_test and the clean test images."""
    denoiser = checks.require_model(denoiser, name)
    how = "the MSE between the denoised noisy_test and the clean x_test"
    value = checks.require_number(reported, reported_name, how)
    noisy = add_noise(test_images, seed=TEST_NOISE_SEED)
    outputs = reconstruct(denoiser, noisy, name)
    measured = float(np.mean((outputs - test_images) ** 2))
    if _close(value, measured):
        return measured
    if _close(value, float(np.mean((outputs - noisy) ** 2))):
        fail(
            f"{reported_name} is {value:.4f}, the distance from the denoised images to the noisy ones; compare "
            f"{name}.predict(noisy_test) with the clean x_test ({measured:.4f})"
        )
    fail(
        f"{reported_name} is {value:.4f} but {name}.predict(noisy_test) is {measured:.4f} (MSE) from the clean "
        "x_test; report that number"
    )


# --- anomaly detection -----------------------------------------------------------------------


def require_error_shape(test_errors, n_images, name="test_errors"):
    """``test_errors`` is a 1-D array of one number per test image."""
    checks.require_defined(test_errors, name)
    array = checks.numeric_array(test_errors)
    if array is None or array.ndim != 1 or len(array) != n_images:
        shape = f"of shape {array.shape}" if array is not None else f"a {type(test_errors).__name__}"
        fail(
            f"{name} is {shape}, not one error per test image ({n_images:,}); average the squared error over "
            "each image's pixels only, np.mean((reconstructions - x_test) ** 2, axis=(1, 2, 3))"
        )
    return array


def require_errors(test_errors, model, images, name="test_errors", model_name="anomaly_ae"):
    """``test_errors`` holds each test image's reconstruction MSE under ``model``."""
    array = require_error_shape(test_errors, len(images), name)
    model = checks.require_model(model, model_name)
    expected = per_image_mse(model, images, model_name)
    if not np.allclose(array, expected, rtol=1e-3, atol=1e-6):
        fail(
            f"{name} is not each test image's reconstruction MSE under {model_name}; compute "
            f"np.mean(({model_name}.predict(x_test) - x_test) ** 2, axis=(1, 2, 3))"
        )
    return expected


def require_anomalies_held_out(errors, labels, anomaly=ANOMALY, model_name="anomaly_ae", *, min_ratio):
    """The anomalous digit's mean error is at least ``min_ratio`` times the others', as when it was never
    trained on."""
    anomalous = np.asarray(labels) == anomaly
    ratio = float(np.mean(errors[anomalous]) / np.mean(errors[~anomalous]))
    if ratio < min_ratio:
        fail(
            f"{model_name} reconstructs the digit {anomaly} about as well as the others (mean error {ratio:.2f} x "
            f"theirs, and the question wants {min_ratio:g}), so it saw that digit in training; train it on normal "
            "digits only, "
            "x_train[y_train != ANOMALY]"
        )
    return ratio


def require_detection(errors, labels, anomaly=ANOMALY, *, min_auc):
    """The errors tell the anomalous digit from the others with a ROC AUC of at least ``min_auc``."""
    auc = roc_auc(errors, np.asarray(labels) == anomaly)
    if auc < min_auc:
        fail(
            f"reconstruction error tells the digit {anomaly} from the others with ROC AUC {auc:.3f}, below "
            f"the question's {min_auc:g}; train anomaly_ae on normal digits only, for the epochs the question gives"
        )
    return auc


def require_threshold(threshold, model, val_images, val_labels, anomaly=ANOMALY, model_name="anomaly_ae", *,
                      percentile):
    """``threshold`` is the ``percentile``-th percentile of the normal validation images' errors."""
    value = checks.require_number(threshold, "threshold", f"the {percentile}th percentile of the validation errors")
    normal = np.asarray(val_labels) != anomaly
    errors = per_image_mse(model, val_images[normal], model_name)
    expected = float(np.percentile(errors, percentile))
    above = float(np.mean(errors > value))
    wanted = 1 - percentile / 100
    if abs(above - wanted) > 0.01 + 1e-9 and not _close(value, expected):
        fail(
            f"threshold is {value:.4f}, above {above:.1%} of the normal validation images' errors instead of "
            f"{wanted:.0%}; choose it on the validation data, np.percentile(val_errors, {percentile}) with "
            "val_errors from x_val[y_val != ANOMALY], never on the test images"
        )
    return expected
