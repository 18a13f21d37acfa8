"""Seconds per epoch of ``make_train_step`` run eagerly, compiled and XLA-compiled, and its FLOP/s.

Usage: python benchmarks/bench_training.py --out bench-out/training.json [--rows 20000]
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from training import make_train_step  # beside this script: benchmark code that the package does not ship

from kerascourse.course.hardware import setup

FEATURES, HIDDEN, CLASSES = 784, 128, 10
MATMUL_SIZE = 2048
# A dense layer does batch * inputs * outputs multiply-adds, 2 FLOPs each, so one forward pass of the
# MLP costs 2 * batch * (784 * 128 + 128 * 10) FLOPs. The backward pass computes gradients with respect
# to both weights and inputs, each as costly as the forward pass, so a training step is about 3 times
# the forward pass: 6 * batch * (784 * 128 + 128 * 10). Biases, activations, the loss and the optimizer
# update are O(batch * units) or O(parameters) and left out.
TRAIN_FLOPS_PER_ROW = 3 * 2 * (FEATURES * HIDDEN + HIDDEN * CLASSES)


def mlp():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((FEATURES,)),
            keras.layers.Dense(HIDDEN, activation="relu"),
            keras.layers.Dense(CLASSES),
        ]
    )


def synthetic_batches(rows, batch_size):
    """Batches of random images and labels as tensors, so input pipelines take no part in the timing."""
    rng = np.random.default_rng(0)
    x = rng.random((rows, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, rows)
    return [
        (tf.constant(x[i : i + batch_size]), tf.constant(y[i : i + batch_size]))
        for i in range(0, rows, batch_size)
    ]


def seconds_per_epoch(batches, repeats, jit_compile=False):
    """Median seconds of ``repeats`` epochs of a fresh model's train step, after a warm-up epoch."""
    model = mlp()
    step = make_train_step(
        model,
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        keras.optimizers.SGD(learning_rate=0.01),
        jit_compile=jit_compile,
    )
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        for x, y in batches:
            loss = step(x, y)
        float(loss)  # wait for the last step
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def matmul_flops_per_second(repeats=10):
    """FLOP/s of a float32 2048x2048 @ 2048x2048 matrix product, after a warm-up product."""
    a = tf.random.uniform((MATMUL_SIZE, MATMUL_SIZE))
    b = tf.random.uniform((MATMUL_SIZE, MATMUL_SIZE))
    float(tf.reduce_sum(tf.linalg.matmul(a, b)))
    start = time.perf_counter()
    for _ in range(repeats):
        c = tf.linalg.matmul(a, b)
    float(c[0, 0])  # wait for the last product
    return repeats * 2 * MATMUL_SIZE**3 / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out/training.json"))
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per mode (median reported)")
    args = parser.parse_args()

    hardware = setup(verbose=False)
    batches = synthetic_batches(args.rows, args.batch_size)
    tf.config.run_functions_eagerly(True)
    try:
        eager = seconds_per_epoch(batches, args.repeats)
    finally:
        tf.config.run_functions_eagerly(False)
    compiled = seconds_per_epoch(batches, args.repeats)
    xla = seconds_per_epoch(batches, args.repeats, jit_compile=True)
    matmul = matmul_flops_per_second()
    epoch_flops = TRAIN_FLOPS_PER_ROW * args.rows
    seconds = {"eager": eager, "compiled": compiled, "xla": xla}

    report = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "device": ", ".join(hardware.gpus) or "CPU",
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "summary": hardware.summary(),
        },
        "config": {
            "model": f"MLP {FEATURES}-{HIDDEN}-{CLASSES}, SGD, float32",
            "rows": args.rows,
            "batch_size": args.batch_size,
            "steps_per_epoch": len(batches),
            "timed_epochs": args.repeats,
        },
        "seconds_per_epoch": seconds,
        "flops_per_epoch": epoch_flops,
        "flops_per_second": {**{mode: epoch_flops / s for mode, s in seconds.items()}, "matmul": matmul},
        "ratios": {
            "eager_over_compiled": eager / compiled,
            "compiled_over_xla": compiled / xla,
            "compiled_flops_over_matmul_flops": epoch_flops / compiled / matmul,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    print(hardware.summary())
    print(f"{'mode':<10}{'s/epoch':>10}{'GFLOP/s':>10}")
    for mode, s in seconds.items():
        print(f"{mode:<10}{s:>10.3f}{epoch_flops / s / 1e9:>10.1f}")
    print(f"{'matmul':<10}{'':>10}{matmul / 1e9:>10.1f}   ({MATMUL_SIZE}x{MATMUL_SIZE} float32)")
    for name, ratio in report["ratios"].items():
        print(f"{name}: {ratio:.2f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
