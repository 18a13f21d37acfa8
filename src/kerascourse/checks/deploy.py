"""Checks for lesson 12 (deploy): a model that takes raw pixels, saved and reloaded, exported to a
SavedModel and to ONNX, quantized with LiteRT, served by FastAPI, and described by a model card.

Every check compares what the student's deployed artefact computed with what the trained Keras model
computes on the grader's own copy of the test images; the service is probed in the sandbox with the
grader's model file and requests (``PROBE_CALLS``) and judged on the recorded answers.
"""

import functools
import tempfile
from pathlib import Path

import keras
import numpy as np

from kerascourse.checks import (
    all_layers,
    outputs,
    probes,
    require_array,
    require_at_least,
    require_defined,
    require_model,
    require_number,
)
from kerascourse.checks.answers import fail

SAME = 1e-5  # two float32 runs of the same computation
FLOAT_MATCH = 1e-4  # closer than this to the float model, "quantized" predictions were computed in float32
BATCH = 64  # test_batch: the first test images
ARCHIVE_FILES = ("config.json", "model.weights.h5")


@functools.cache
def test_split():
    """The grader's copy of the test images, raw pixels as float32 in [0, 255], and their labels."""
    from kerascourse.course import data

    images, labels = data.load_arrays("mnist", "test", scale=False)
    return images.astype(np.float32), labels


def test_batch():
    return test_split()[0][:BATCH]


# --- q1: a model that takes raw pixels ------------------------------------------------------


def rescaling_range(model):
    """Where the model's Rescaling layers send pixels 0 and 255, or None when it has none."""
    rescalings = [layer for layer in all_layers(model) if isinstance(layer, keras.layers.Rescaling)]
    if not rescalings:
        return None
    ends = np.array([0.0, 255.0])
    for layer in rescalings:
        ends = ends * float(np.mean(layer.scale)) + float(np.mean(layer.offset))
    return tuple(float(end) for end in ends)


def require_rescaling(deployable, name):
    """``deployable`` maps raw pixels onto [0, 1] itself, with a Rescaling layer."""
    deployable = require_model(deployable, name)
    ends = rescaling_range(deployable)
    if ends is None:
        fail(
            f"{name} has no Rescaling layer, so it would classify raw pixels (0 to 255) that the classifier never "
            "saw in training; put layers.Rescaling(1 / 255) in front of the classifier"
        )
    if not np.allclose(ends, (0.0, 1.0), atol=1e-6):
        fail(
            f"{name}'s Rescaling sends pixels 0 and 255 to {ends[0]:g} and {ends[1]:g}, but the classifier was "
            "trained on pixels divided by 255, in [0, 1]; use layers.Rescaling(1 / 255)"
        )
    return deployable


def require_wraps_classifier(deployable, classifier, name):
    """``deployable`` on raw pixels computes what the trained ``classifier`` computes on scaled ones."""
    deployable = require_rescaling(deployable, name)
    classifier = require_model(classifier, "classifier")
    images = test_batch()
    worst = _difference(outputs(deployable, images), outputs(classifier, images / 255), name, (BATCH, 10))
    if worst > SAME:
        fail(
            f"{name}'s probabilities for raw pixels differ from the trained classifier's for the same pixels "
            f"divided by 255 by up to {worst:.3g}; wrap classifier itself (keras.models.clone_model, or a model "
            "built again, starts from fresh weights)"
        )


def _difference(actual, expected, name, shape):
    """The largest absolute difference of two arrays of ``shape``; a wrong shape fails, naming ``name``."""
    actual = require_array(actual, name, f"store the {shape} array of probabilities")
    if actual.shape != shape:
        fail(f"{name} has shape {actual.shape}; expected {shape}, one row of 10 probabilities per image")
    return float(np.max(np.abs(actual.astype(np.float64) - expected)))


# --- q2: save and load -----------------------------------------------------------------------


def require_archive(archive_contents):
    """``archive_contents`` lists the .keras archive: its config and its weights."""
    require_defined(archive_contents, "archive_contents")
    how = "list zipfile.ZipFile(KERAS_PATH).namelist()"
    if not isinstance(archive_contents, (list, tuple)) or not all(isinstance(n, str) for n in archive_contents):
        fail(f"archive_contents is a {type(archive_contents).__name__}; {how}, a list of file names")
    missing = [member for member in ARCHIVE_FILES if member not in archive_contents]
    if missing:
        fail(
            f"archive_contents is {sorted(archive_contents)} and lacks {missing}; {how}: a .keras file is a zip "
            "of the model's config (config.json) and its weights (model.weights.h5)"
        )


def require_reloaded(reloaded, deployable):
    """``reloaded`` is ``deployable`` read back from its file: the same layers and the same weights."""
    reloaded = require_model(reloaded, "reloaded")
    deployable = require_model(deployable, "deployable")
    kinds = [type(layer).__name__ for layer in all_layers(reloaded)]
    expected = [type(layer).__name__ for layer in all_layers(deployable)]
    if kinds != expected:
        fail(
            f"reloaded has the layers {kinds}, but deployable has {expected}; save deployable itself, the model "
            "that takes raw pixels, and load that file"
        )
    pairs = list(zip(reloaded.get_weights(), deployable.get_weights(), strict=True))
    worst = max((float(np.max(np.abs(a - b))) for a, b in pairs if a.shape == b.shape), default=0.0)
    if any(a.shape != b.shape for a, b in pairs) or worst > 0:
        fail(
            f"reloaded's weights differ from deployable's by up to {worst:.3g}; load the file you saved with "
            "keras.saving.load_model, which restores the weights exactly (training again learns other weights)"
        )


def require_reload_difference(reload_difference, reloaded, deployable):
    """``reload_difference`` is the largest difference of the two models' probabilities on test_batch."""
    reported = require_number(
        reload_difference, "reload_difference",
        "np.max(np.abs(reloaded.predict(test_batch) - deployable.predict(test_batch)))",
    )
    images = test_batch()
    actual = float(np.max(np.abs(outputs(require_model(reloaded, "reloaded"), images)
                                 - outputs(require_model(deployable, "deployable"), images))))
    if abs(reported - actual) > SAME:
        fail(
            f"reload_difference is {reported:.3g}, but reloaded's and deployable's probabilities on test_batch differ "
            f"by at most {actual:.3g}; report the largest absolute difference of the two models' predictions, "
            "not a share of wrong labels"
        )


# --- q3: SavedModel and ONNX -----------------------------------------------------------------


def require_export_predictions(predictions, name, deployable, classifier, *, tolerance):
    """``predictions`` (an export's output on test_batch) are deployable's within ``tolerance``; names the usual
    ways they are not: the classifier without its Rescaling, pixels scaled twice, an untrained export."""
    deployable = require_model(deployable, "deployable")
    images = test_batch()
    expected = outputs(deployable, images)
    worst = _difference(predictions, expected, name, expected.shape)
    if worst <= tolerance:
        return worst
    predictions = np.asarray(predictions, dtype=np.float64)
    if np.max(np.abs(predictions - outputs(require_model(classifier, "classifier"), images))) <= tolerance:
        fail(
            f"{name} are the classifier's probabilities for raw pixels, which it was never trained on; export "
            "deployable, which divides by 255 itself"
        )
    if np.max(np.abs(predictions - outputs(deployable, images / 255))) <= tolerance:
        fail(
            f"{name} are deployable's probabilities for pixels already divided by 255, but deployable divides by "
            "255 itself; give the exported model test_batch's raw pixels"
        )
    if np.mean(np.argmax(predictions, axis=1) == test_split()[1][:BATCH]) < 0.5:
        fail(
            f"{name} classify under half of test_batch right, as an untrained model does; export deployable after "
            "it was trained (a model exported before fit, or a fresh clone, predicts at random)"
        )
    fail(f"{name} differ from deployable's probabilities by up to {worst:.3g}; run the exported deployable on "
         "test_batch")


def require_export_difference(export_difference, savedmodel_predictions, onnx_predictions, deployable):
    """``export_difference`` holds each export's largest difference from deployable on test_batch."""
    require_defined(export_difference, "export_difference")
    if not isinstance(export_difference, dict) or set(export_difference) != {"savedmodel", "onnx"}:
        fail('export_difference must be a dict with the keys "savedmodel" and "onnx"')
    expected = outputs(require_model(deployable, "deployable"), test_batch())
    for key, predictions in (("savedmodel", savedmodel_predictions), ("onnx", onnx_predictions)):
        reported = require_number(export_difference[key], f'export_difference["{key}"]', "np.max(np.abs(...))")
        actual = _difference(predictions, expected, f"{key}_predictions", expected.shape)
        if abs(reported - actual) > SAME:
            fail(
                f'export_difference["{key}"] is {reported:.3g}, but {key}_predictions differ from deployable\'s '
                f"probabilities on test_batch by up to {actual:.3g}; report that largest absolute difference"
            )


# --- q4: quantization ------------------------------------------------------------------------


def require_sizes(float_bytes, quantized_bytes, deployable, *, max_fraction):
    """The two LiteRT files' sizes: the float one holds 4 bytes a weight, the quantized one at most
    ``max_fraction`` of that."""
    deployable = require_model(deployable, "deployable")
    floats = require_number(float_bytes, "float_bytes", "len(float_model), the bytes the converter returned")
    quantized = require_number(quantized_bytes, "quantized_bytes", "len(quantized_model)")
    params = deployable.count_params()
    if floats < 4 * params:
        fail(
            f"float_bytes is {floats:,.0f}, less than deployable's {params:,} float32 weights take (4 bytes each); "
            "convert deployable without optimizations and store len() of what convert() returns"
        )
    if quantized > max_fraction * floats:
        fail(
            f"quantized_bytes is {quantized / floats:.0%} of float_bytes, so the weights are still float32; set "
            "converter.optimizations = [tf.lite.Optimize.DEFAULT] before convert() (with a representative_dataset "
            f"for int8 activations), which should take the file under {max_fraction:.0%} of float_bytes"
        )


def require_latency(latency):
    """``latency`` holds seconds per image at batch sizes 1 and 64: batching never costs more per image
    than a few times batch 1 (the time of a whole batch of 64 is tens of times more)."""
    require_defined(latency, "latency")
    if not isinstance(latency, dict) or set(latency) != {"batch_1", "batch_64"}:
        fail('latency must be a dict with the keys "batch_1" and "batch_64", seconds per image at each batch size')
    single = require_number(latency["batch_1"], 'latency["batch_1"]', "seconds per image")
    batched = require_number(latency["batch_64"], 'latency["batch_64"]', "seconds per image")
    if min(single, batched) <= 0:
        fail("latency's times must be positive seconds per image; time invoke() with time.perf_counter()")
    if batched > 8 * single:
        fail(
            f'latency["batch_64"] is {batched / single:.0f} times latency["batch_1"]: that is the time of the whole '
            "batch; divide it by 64 to get seconds per image"
        )


def require_quantized(quantized_predictions, quantized_accuracy, deployable, *, min_accuracy):
    """``quantized_predictions`` come from the quantized model (close to, but not exactly, deployable's) and
    ``quantized_accuracy`` is their accuracy on the test images, at least ``min_accuracy``."""
    images, labels = test_split()
    expected = outputs(require_model(deployable, "deployable"), images)
    worst = _difference(quantized_predictions, expected, "quantized_predictions", expected.shape)
    if worst <= FLOAT_MATCH:
        fail(
            f"quantized_predictions are within {worst:.1g} of deployable's own, so they come from the float "
            "model; run the quantized model in the LiteRT Interpreter and report its predictions"
        )
    measured = float(np.mean(np.argmax(np.asarray(quantized_predictions), axis=1) == labels))
    reported = require_number(
        quantized_accuracy, "quantized_accuracy", "the share of quantized_predictions that are right"
    )
    if abs(reported - measured) > 0.002:
        fail(
            f"quantized_accuracy is {reported:.3f}, but quantized_predictions classify {measured:.3f} of the test "
            "images right; report the quantized model's own accuracy"
        )
    require_at_least(
        measured, "the quantized model's accuracy", "quantize the trained deployable", minimum=min_accuracy
    )


# --- q5: the prediction service --------------------------------------------------------------

_RNG = np.random.default_rng(12)
PROBE_IMAGES = _RNG.integers(0, 256, size=(3, 28, 28)).tolist()
BAD_REQUESTS = {
    "an empty body": None,
    "images that are a string": {"images": "seven"},
    "pixels that are words": {"images": [[["white"] * 28] * 28]},
    "an image of 27 x 28 pixels": {"images": [[[0] * 28] * 27]},
    "no images": {"images": []},
    "a pixel of 300": {"images": [[[300] * 28] * 28]},
    "a pixel of -1": {"images": [[[-1] * 28] * 28]},
    "rows of different lengths": {"images": [[[0] * 28] * 27 + [[0] * 20]]},
}
BATCH_SIZES = (1, 32, 33, 64, 65, 128, 129, 1000)  # images per request, on either side of any usual limit
MAX_ANSWER_BYTES = 2**20  # 1,000 images' classes and probabilities take about 200 kB


@functools.cache
def probe_model():
    """The grader's model for the service to load: a seeded softmax regression on raw pixels."""
    rng = np.random.default_rng(3)
    model = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
         keras.layers.Dense(10, activation="softmax")]
    )
    model.set_weights([rng.normal(scale=0.1, size=(784, 10)).astype(np.float32), np.zeros(10, np.float32)])
    return model


def _answer(client, body):
    """A response as data: its status, and its JSON for a success or the first 300 characters of its reason
    (a validation error repeats the whole request); a success over ``MAX_ANSWER_BYTES`` keeps its size only."""
    response = client.post("/predict") if body is None else client.post("/predict", json=body)
    try:
        content = response.json()
    except ValueError:
        content = response.text
    if response.status_code == 200:
        if len(response.content) > MAX_ANSWER_BYTES:
            content = f"an answer of {len(response.content):,} bytes"
        return {"status": 200, "body": content}
    reason = content.get("detail") if isinstance(content, dict) else content
    return {"status": response.status_code, "body": {"detail": str(reason)[:300] if reason else ""}}


def _serve(create_app):
    """Start the student's service on the grader's model file, send it good and bad requests, then remove
    the file and send a good one again; the answers, by request."""
    from fastapi.testclient import TestClient

    answers = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "probe.keras"
        probe_model().save(path)
        app = create_app(str(path))
        if not callable(app):  # an ASGI app is a callable
            fail(f"create_app returned {_short(app)}; return the FastAPI app it builds")
        with TestClient(app, raise_server_exceptions=False) as client:
            answers["first"] = _answer(client, {"images": PROBE_IMAGES})
            path.unlink()
            for request, body in BAD_REQUESTS.items():
                answers[request] = _answer(client, body)
            for size in BATCH_SIZES:
                answers[_images(size)] = _answer(client, {"images": PROBE_IMAGES[:1] * size})
            answers["after the file was removed"] = _answer(client, {"images": PROBE_IMAGES})
    return answers


PROBE_CALLS = {"create_app": {"requests": _serve}}


def _answers(create_app):
    return probes.call(create_app, "create_app", "requests", PROBE_CALLS["create_app"])


def _require_prediction(answer, when):
    if answer["status"] != 200:
        fail(f"POST /predict with valid images{when} was answered {answer['status']} ({_reason(answer)}); it must "
             "answer 200 with the classes and probabilities")
    body = answer["body"]
    if not isinstance(body, dict) or not {"classes", "probabilities"} <= set(body):
        fail(f'the service answered {_short(body)}; answer {{"classes": [...], "probabilities": [[...], ...]}}')
    expected = outputs(probe_model(), np.asarray(PROBE_IMAGES, dtype=np.float32)[..., None])
    probabilities = require_array(body["probabilities"], "the answer's probabilities", "give one list of 10 per image")
    if probabilities.shape != expected.shape or np.max(np.abs(probabilities - expected)) > SAME:
        fail(
            "the service's probabilities are not what the model file's model gives the images; add the channel "
            "axis (images[..., None]) and return the loaded model's output as it is"
        )
    if list(np.ravel(body["classes"])) != list(np.argmax(expected, axis=1)):
        fail(f"the service's classes are {body['classes']}; each class is the index of the highest probability")


def require_service_answers(create_app):
    """A valid request gets 200 with the model's classes and probabilities."""
    _require_prediction(_answers(create_app)["first"], "")


def require_service_loads_once(create_app):
    """The service loaded its model once: it still answers after the model file is gone."""
    answers = _answers(create_app)
    _require_prediction(answers["first"], "")
    if answers["after the file was removed"]["status"] != 200:
        fail(
            "the service stopped answering once its model file was gone, so it loads the model on every request "
            "(seconds each); load it once, in create_app, and keep it"
        )
    _require_prediction(answers["after the file was removed"], " after bad requests")


def require_service_rejects(create_app, *, max_images):
    """Every bad request gets a 4xx with a reason, requests of up to ``max_images`` images get answers and
    larger ones a 4xx, and the service keeps answering."""
    answers = _answers(create_app)
    for size in BATCH_SIZES:
        answer = answers[_images(size)]
        if size <= max_images and answer["status"] != 200:
            fail(f"a request with {_images(size)} was answered {answer['status']} ({_reason(answer)}); the service "
                 f"must classify up to {max_images} images in one request")
        classes = answer["body"].get("classes") if isinstance(answer["body"], dict) else None
        if size <= max_images and (not isinstance(classes, list) or len(classes) != size):
            fail(f"a request with {_images(size)} got {_short(classes)} as classes; give one class per image")
    requests = {**BAD_REQUESTS, **{_images(size): None for size in BATCH_SIZES if size > max_images}}
    for request in requests:
        answer = answers[request]
        if answer["status"] >= 500:
            fail(
                f"a request with {request} made the service fail ({answer['status']}); validate the request and "
                "answer a 4xx with a reason (raise HTTPException(status_code=422, detail=...)) before using the model"
            )
        if not 400 <= answer["status"] < 500:
            fail(
                f"a request with {request} was answered {answer['status']}; reject it with a 4xx and a reason: "
                f"images must be 1 to {max_images} lists of 28 x 28 pixels in [0, 255]"
            )
        if not _reason(answer):
            fail(f"the service rejected {request} without a reason; give one in the answer's \"detail\"")


def _images(count):
    return f"{count:,} image" + ("s" if count > 1 else "")


def _reason(answer):
    body = answer["body"]
    return body.get("detail") if isinstance(body, dict) else body


def _short(body):
    text = repr(body)
    return text if len(text) < 80 else text[:77] + "..."


# --- q6: the model card ----------------------------------------------------------------------

CARD_TEXTS = ("model", "data", "intended_use")
MIN_WORDS = 4


def require_card_fields(model_card):
    """``model_card`` has its texts, at least two limitations, and its two accuracies."""
    require_defined(model_card, "model_card")
    if not isinstance(model_card, dict):
        fail(f"model_card is a {type(model_card).__name__}; make it a dict")
    missing = [key for key in (*CARD_TEXTS, "limitations", "metrics") if key not in model_card]
    if missing:
        fail(f"model_card lacks {missing}")
    for key in CARD_TEXTS:
        text = model_card[key]
        if not isinstance(text, str) or len(text.split()) < MIN_WORDS:
            fail(f"model_card[\"{key}\"] is {_short(text)}; write it as a sentence of {MIN_WORDS} words or more")
    limitations = model_card["limitations"]
    if not isinstance(limitations, (list, tuple)) or len(limitations) < 2 or not all(
        isinstance(item, str) and len(item.split()) >= 3 for item in limitations
    ):
        fail(
            f"model_card[\"limitations\"] is {_short(limitations)}; list at least 2 sentences on where the model "
            "fails or must not be used (other images than centred digits, other writers, ...)"
        )
    metrics = model_card["metrics"]
    if not isinstance(metrics, dict) or not {"test_accuracy", "quantized_accuracy"} <= set(metrics):
        fail('model_card["metrics"] must be a dict with "test_accuracy" and "quantized_accuracy"')


def require_card_metrics(model_card, deployable, quantized_predictions):
    """The card's accuracies are the ones the two models really have on the test split."""
    require_card_fields(model_card)
    images, labels = test_split()
    model = require_model(deployable, "deployable")
    measured = {
        "test_accuracy": float(np.mean(np.argmax(outputs(model, images), axis=1) == labels)),
        "quantized_accuracy": float(np.mean(np.argmax(np.asarray(quantized_predictions), axis=1) == labels)),
    }
    for key, value in measured.items():
        name = f'model_card["metrics"]["{key}"]'
        reported = require_number(model_card["metrics"][key], name, "an accuracy in [0, 1]")
        if abs(reported - value) > 0.002:
            fail(
                f'model_card["metrics"]["{key}"] is {reported:.3f}, but the model classifies {value:.3f} of the test '
                "split right; a card reports accuracy on the test split, not on the training data"
            )
