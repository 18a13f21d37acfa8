"""Lesson 13 at grading size over seeds: the notebook's CNN and RNN keyword recognizers and the CNN trained
with noisy copies, each measured on the clean test clips and with the test split's noise at 20, 5 and 0 dB
(the lesson README's table), with the majority baseline and the seconds each model trained.

Usage: python benchmarks/bench_speech.py --out bench-out/speech.json [--seeds 0 1 2]
"""

import argparse
import json
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from kerascourse.course import data

EPOCHS, BATCH_SIZE, SILENCE, SNRS = 6, 32, 10, (20, 5, 0)  # the notebook's
MEL_MATRIX = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 8000.0)


def waveforms(split):
    """A split's clips as one second of floats each, and their labels (Question 1)."""
    clips, labels = data.load_clips("speech_commands", split, size="grading")
    seconds = np.zeros((len(clips), 16000), np.float32)
    for row, clip in enumerate(clips):
        seconds[row, : len(clip)] = clip[:16000] / 32768
    return seconds, labels


def log_mel(batch):
    """Question 2's log-mel spectrograms."""
    stft = tf.signal.stft(batch, frame_length=400, frame_step=160, fft_length=512)
    return np.log((tf.abs(stft) @ MEL_MATRIX).numpy() + 1e-6)


def mix(signal, noise, snr_db):
    power = np.mean(signal**2, axis=1, keepdims=True) / np.maximum(np.mean(noise**2, axis=1, keepdims=True), 1e-12)
    return (signal + noise * np.sqrt(power / 10 ** (np.asarray(snr_db) / 10))).astype(np.float32)


def cnn(train_features):
    normalize = layers.Normalization()
    normalize.adapt(train_features[..., None])
    return keras.Sequential(
        [
            keras.Input(shape=train_features.shape[1:] + (1,)),
            normalize,
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(64, activation="relu"),
            layers.Dense(12, activation="softmax"),
        ]
    )


def rnn(train_features):
    normalize = layers.Normalization()
    normalize.adapt(train_features)
    return keras.Sequential(
        [
            keras.Input(shape=train_features.shape[1:]),
            normalize,
            layers.GRU(64, return_sequences=True),
            layers.GlobalMaxPooling1D(),
            layers.Dense(12, activation="softmax"),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    splits = (waveforms(split) for split in ("train", "validation", "test"))
    (train, train_labels), (val, val_labels), (test, test_labels) = splits
    features = {name: log_mel(w) for name, w in (("train", train), ("val", val), ("test", test))}
    test_noise = test[test_labels == SILENCE]
    per_clip = test_noise[np.random.default_rng(0).integers(len(test_noise), size=len(test))]
    noisy = {snr: log_mel(mix(test, per_clip, snr)) for snr in SNRS}
    majority = float(np.mean(test_labels == np.bincount(train_labels).argmax()))
    runs = []
    for seed in args.seeds:
        run = {"seed": seed, "majority": round(majority, 3)}
        for name, build, noisy_copies in (("cnn", cnn, False), ("rnn", rnn, False), ("robust_cnn", cnn, True)):
            keras.utils.set_random_seed(seed)
            x, y, epochs = features["train"], train_labels, EPOCHS
            if noisy_copies:
                draw = np.random.default_rng(seed + 1)
                noise = train[train_labels == SILENCE][draw.integers(np.sum(train_labels == SILENCE), size=len(train))]
                noisy_train = log_mel(mix(train, noise, draw.uniform(5, 20, size=(len(train), 1))))
                x, y, epochs = np.concatenate([x, noisy_train]), np.concatenate([y, y]), EPOCHS // 2
            image = build is cnn
            model = build(features["train"])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            started = time.perf_counter()
            model.fit(x[..., None] if image else x, y, validation_data=(
                features["val"][..., None] if image else features["val"], val_labels), epochs=epochs,
                batch_size=BATCH_SIZE, verbose=0)
            run[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
            for condition, inputs in (("clean", features["test"]), *((f"{snr} dB", noisy[snr]) for snr in SNRS)):
                scores = model.predict(inputs[..., None] if image else inputs, verbose=0)
                run[f"{name} {condition}"] = round(float(np.mean(scores.argmax(axis=1) == test_labels)), 3)
        print(json.dumps(run), flush=True)
        runs.append(run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
