"""Lesson 12's checks on answers the sample notebooks do not hold: a service that crashes, answers wrongly or
is not an app, misreported sizes, times and differences, and malformed model cards each get a sentence that
names the fix. (The known mistakes and alternatives are graded by the batch tests, through the samples.)"""

import keras
import numpy as np
import pytest
from failing import fails_with
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from kerascourse.checks import deploy as dc
from kerascourse.checks import probes
from kerascourse.grader import exporter, loader


class Images(BaseModel):
    images: list[list[list[float]]] = Field(min_length=1, max_length=64)


def service(checked=True, scale=1.0, reason="pixels must lie in [0, 255]"):
    """A ``create_app`` like the lesson's; ``checked=False`` lets every request reach the model, and ``scale``
    multiplies the pixels on the way in."""

    def create_app(model_path):
        model = keras.saving.load_model(model_path)
        app = FastAPI()

        @app.post("/predict")
        def predict(request: Images):
            if checked:
                try:
                    images = np.asarray(request.images, dtype="float32")
                except ValueError:
                    raise HTTPException(422, "every image must be 28 rows of 28 pixels") from None
                if images.shape[1:] != (28, 28) or images.min() < 0 or images.max() > 255:
                    raise HTTPException(422, reason)
            else:
                images = np.asarray(request.images, dtype="float32")
            probabilities = np.asarray(model(images[..., None] * scale))
            return {"classes": probabilities.argmax(axis=1).tolist(), "probabilities": probabilities.tolist()}

        return app

    return create_app


def test_the_service_checks_accept_a_careful_service_and_judge_its_recording_alike(tmp_path):
    create_app = service()
    dc.require_service_answers(create_app)
    dc.require_service_loads_once(create_app)
    dc.require_service_rejects(create_app, max_images=64)
    exporter.export({"create_app": create_app}, ["create_app"], {"create_app": "kerascourse.checks.deploy"}, tmp_path)
    replay = loader.load(tmp_path).env["create_app"]
    assert isinstance(replay, probes.Recording)
    assert (tmp_path / "create_app.json").stat().st_size < 200_000  # reasons are cut, not the whole request echoed
    dc.require_service_loads_once(replay)
    dc.require_service_rejects(replay, max_images=64)
    fails_with("a request with 65 images was answered 422", dc.require_service_rejects, replay, max_images=100)


def test_a_service_that_crashes_or_answers_wrongly_is_named():
    fails_with("made the service fail (500)", dc.require_service_rejects, service(checked=False), max_images=64)
    fails_with("are not what the model file's model gives", dc.require_service_answers, service(scale=1 / 255))
    fails_with("a request with 65 images was answered 422", dc.require_service_rejects, service(), max_images=100)
    fails_with("without a reason", dc.require_service_rejects, service(reason=""), max_images=64)
    fails_with("return the FastAPI app", dc.require_service_answers, lambda model_path: None)


def test_sizes_latency_and_differences_must_be_what_was_measured():
    model = dc.probe_model()  # 7,850 parameters
    dc.require_sizes(40_000, 12_000, model, max_fraction=0.5)
    fails_with("less than deployable's 7,850 float32 weights", dc.require_sizes, 20_000, 5_000, model, max_fraction=0.5)
    fails_with("store a single number", dc.require_sizes, "40 kB", 12_000, model, max_fraction=0.5)
    dc.require_latency({"batch_1": 2e-5, "batch_64": 1.5e-5})
    fails_with('the keys "batch_1" and "batch_64"', dc.require_latency, {"1": 2e-5, "64": 1e-5})
    fails_with("must be positive", dc.require_latency, {"batch_1": 0.0, "batch_64": 1e-5})


@pytest.fixture(scope="module")
def deployable():
    keras.utils.set_random_seed(0)
    classifier = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    images, labels = dc.test_split()
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    classifier.fit(images / 255, labels, epochs=3, verbose=0)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Rescaling(1 / 255), classifier])
    return model, classifier


def test_rescaling_is_read_through_every_layer(deployable):
    model, classifier = deployable
    assert dc.rescaling_range(model) == (0.0, 1.0)
    twice = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Rescaling(1 / 255), model])
    fails_with("to 0 and 0.00392157", dc.require_rescaling, twice, "deployable")
    fails_with("not a Keras model", dc.require_rescaling, "model.keras", "deployable")
    dc.require_wraps_classifier(model, classifier, "deployable")


def test_exports_are_compared_with_the_model_and_misreports_are_named(deployable):
    model, classifier = deployable
    expected = dc.outputs(model, dc.test_batch())
    dc.require_export_predictions(expected + 1e-6, "onnx_predictions", model, classifier, tolerance=1e-4)
    fails_with("has shape (32, 10)", dc.require_export_predictions, expected[:32], "onnx_predictions", model,
               classifier, tolerance=1e-4)
    fails_with("differ from deployable's probabilities by up to 0.01", dc.require_export_predictions,
               expected + 0.01, "onnx_predictions", model, classifier, tolerance=1e-4)
    dc.require_export_difference({"savedmodel": 0.0, "onnx": 1e-6}, expected, expected + 1e-6, model)
    fails_with('export_difference["onnx"] is 0.5', dc.require_export_difference, {"savedmodel": 0.0, "onnx": 0.5},
               expected, expected, model)
    fails_with('the keys "savedmodel" and "onnx"', dc.require_export_difference, {"tf": 0.0}, expected, expected, model)


def test_a_reloaded_model_must_hold_the_same_weights(deployable):
    model, _ = deployable
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    dc.require_reloaded(copy, model)
    copy.set_weights([w + 1e-3 for w in model.get_weights()])
    fails_with("weights differ from deployable's by up to 0.001", dc.require_reloaded, copy, model)
    fails_with("a .keras file is a zip", dc.require_archive, ["metadata.json"])
    fails_with("a list of file names", dc.require_archive, "config.json model.weights.h5")


def test_the_model_card_needs_its_fields_and_the_measured_accuracies(deployable):
    model, _ = deployable
    images, labels = dc.test_split()
    predictions = dc.outputs(model, images)
    accuracy = float(np.mean(predictions.argmax(axis=1) == labels))
    card = {
        "model": "A softmax regression on the pixels of digits.",
        "data": "MNIST digits, 28 by 28 grey scans.",
        "intended_use": "Only for a course on deploying models.",
        "limitations": ["It reads single centred digits only.", "It never says that it does not know."],
        "metrics": {"test_accuracy": accuracy, "quantized_accuracy": accuracy},
    }
    dc.require_card_metrics(card, model, predictions)
    fails_with("lacks ['data']", dc.require_card_fields, {k: v for k, v in card.items() if k != "data"})
    fails_with("make it a dict", dc.require_card_fields, "a card")
    fails_with('"test_accuracy" and "quantized_accuracy"', dc.require_card_fields, {**card, "metrics": {"acc": 0.9}})
    wrong = {**card, "metrics": {"test_accuracy": accuracy, "quantized_accuracy": accuracy - 0.1}}
    fails_with('["quantized_accuracy"] is', dc.require_card_metrics, wrong, model, predictions)
