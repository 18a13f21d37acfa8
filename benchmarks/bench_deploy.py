"""Lesson 12 at grading size, in one run: the notebook's classifier in every form the lesson deploys it to
(Keras, SavedModel, ONNX Runtime, LiteRT float, dynamic-range and int8), each with its file size, its
accuracy on the test images, its largest difference from Keras, and its seconds per image at batch 1 and
batch 64 (the lesson README's tables).

Usage: python benchmarks/bench_deploy.py --out bench-out/deploy.json [--runs 50]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import onnxruntime
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from keras import layers

from kerascourse.course import data

EPOCHS, BATCH_SIZE, CALIBRATION = 3, 64, 200  # the notebook's


def trained_deployable():
    """Lesson 05's CNN trained on pixels scaled outside it, behind a Rescaling layer, as the notebook builds it."""
    keras.utils.set_random_seed(0)
    train_images, train_labels = data.load_arrays("mnist", "train", scale=False, size="grading")
    classifier = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    classifier.fit(train_images.astype("float32") / 255, train_labels, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Rescaling(1 / 255), classifier]), train_images


def litert(model, train_images, optimize, calibrate):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if optimize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if calibrate:
        calibration = train_images[:CALIBRATION].astype("float32")
        converter.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(CALIBRATION))
    content = converter.convert()
    interpreter = Interpreter(model_content=content)
    input_index = interpreter.get_input_details()[0]["index"]
    output_index = interpreter.get_output_details()[0]["index"]

    def run(images):
        if tuple(interpreter.get_input_details()[0]["shape"]) != images.shape:
            interpreter.resize_tensor_input(input_index, images.shape)
            interpreter.allocate_tensors()
        interpreter.set_tensor(input_index, images)
        interpreter.invoke()
        return interpreter.get_tensor(output_index)

    return run, len(content)


def seconds_per_image(run, images, runs):
    run(images)  # the first call allocates or traces
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run(images)
        times.append(time.perf_counter() - started)
    return float(np.median(times)) / len(images)


def folder_bytes(path):
    return sum(file.stat().st_size for file in Path(path).rglob("*") if file.is_file())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    deployable, train_images = trained_deployable()
    test_images, test_labels = data.load_arrays("mnist", "test", scale=False, size="grading")
    test_images = test_images.astype("float32")
    folder = Path(tempfile.mkdtemp())
    deployable.save(folder / "digits.keras")
    deployable.export(folder / "savedmodel", verbose=False)
    serving = tf.saved_model.load(folder / "savedmodel")
    deployable.export(folder / "digits.onnx", format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(folder / "digits.onnx")
    onnx_input = session.get_inputs()[0].name
    forms = {
        "keras": (lambda x: np.asarray(deployable(x, training=False)), (folder / "digits.keras").stat().st_size),
        "savedmodel": (lambda x: serving.serve(x).numpy(), folder_bytes(folder / "savedmodel")),
        "onnx": (lambda x: session.run(None, {onnx_input: x})[0], (folder / "digits.onnx").stat().st_size),
        "litert_float": litert(deployable, train_images, optimize=False, calibrate=False),
        "litert_dynamic_range": litert(deployable, train_images, optimize=True, calibrate=False),
        "litert_int8": litert(deployable, train_images, optimize=True, calibrate=True),
    }
    keras_predictions = forms["keras"][0](test_images)
    rows = {}
    for name, (run, size) in forms.items():
        predictions = np.concatenate([run(test_images[i : i + 100]) for i in range(0, len(test_images), 100)])
        rows[name] = {
            "bytes": size,
            "accuracy": round(float(np.mean(predictions.argmax(axis=1) == test_labels)), 3),
            "max_difference_from_keras": float(np.max(np.abs(predictions - keras_predictions))),
            "us_per_image_batch_1": round(1e6 * seconds_per_image(run, test_images[:1], args.runs), 1),
            "us_per_image_batch_64": round(1e6 * seconds_per_image(run, test_images[:64], args.runs), 2),
        }
        row = rows[name]
        row["batching_speedup"] = round(row["us_per_image_batch_1"] / row["us_per_image_batch_64"], 1)
        print(name, json.dumps(rows[name]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
