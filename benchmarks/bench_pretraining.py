"""Lesson 11 at grading size over seeds: the pre-trained BERT fine-tuned against the same network trained
from scratch on the same data and budget, as Questions 4 and 5 do (the lesson README's table).

Usage: python benchmarks/bench_pretraining.py --out bench-out/pretraining.json [--seeds 0 1 2]
"""

import argparse
import json
import time
from pathlib import Path

import keras
import keras_hub
from keras import layers

from kerascourse.course import data, language_model

FEW_LABELS, SEQUENCE_LENGTH, EPOCHS, BATCH_SIZE, LEARNING_RATE = 500, 32, 6, 16, 5e-4  # the notebook's


def with_head(backbone):
    sequence = backbone.output["sequence_output"]
    pooled = layers.GlobalAveragePooling1D()(sequence, mask=backbone.input["padding_mask"])
    classifier = keras.Model(backbone.input, layers.Dense(2)(layers.Dropout(0.1)(pooled)))
    classifier.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return classifier


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    preset = language_model.bert_preset("grading")
    train_texts, train_labels = data.load_arrays("imdb_reviews", "train", size="grading")
    few = language_model.preprocess(train_texts[:FEW_LABELS], SEQUENCE_LENGTH, "grading")
    test_texts, test_labels = data.load_arrays("imdb_reviews", "test", size="grading")
    test = language_model.preprocess(test_texts, SEQUENCE_LENGTH, "grading")
    runs = []
    for seed in args.seeds:
        run = {"seed": seed}
        for name, load_weights in (("fine_tuned", True), ("from_scratch", False)):
            keras.utils.set_random_seed(seed)
            started = time.perf_counter()
            classifier = with_head(keras_hub.models.BertBackbone.from_preset(preset, load_weights=load_weights))
            classifier.fit(few, train_labels[:FEW_LABELS], epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
            run[name] = round(classifier.evaluate(test, test_labels, verbose=0)[1], 3)
            run[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
        run["gain"] = round(run["fine_tuned"] - run["from_scratch"], 3)
        print(json.dumps(run), flush=True)
        runs.append(run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
