"""Compiled train and eval steps, and a small training loop built on them: what ``bench_training`` measures.

It lives beside the benchmarks, not in the package, because lesson 03 asks students to write
``make_train_step`` themselves: the library students import must not answer a question.
"""

import keras
import tensorflow as tf


def make_train_step(model, loss_fn, optimizer, metrics=(), jit_compile=False):
    """A compiled ``train_step(x, y)``: one gradient update; updates ``metrics`` and returns the loss.

    The loss goes through ``optimizer.scale_loss`` before differentiation, so a
    ``keras.optimizers.LossScaleOptimizer`` works for mixed precision.
    """
    # Create the optimizer's slots now: a compiled function may only create variables on its first trace.
    optimizer.build(model.trainable_variables)

    @tf.function(jit_compile=jit_compile)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
            scaled_loss = optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        for metric in metrics:
            metric.update_state(y, predictions)
        return loss

    return train_step


def make_eval_step(model, loss_fn, metrics=(), jit_compile=False):
    """A compiled ``eval_step(x, y)`` in inference mode; updates ``metrics`` and returns the loss."""

    @tf.function(jit_compile=jit_compile)
    def eval_step(x, y):
        predictions = model(x, training=False)
        loss = loss_fn(y, predictions)
        for metric in metrics:
            metric.update_state(y, predictions)
        return loss

    return eval_step


def train(model, loss_fn, optimizer, train_ds, epochs, val_ds=None, metrics=(), jit_compile=False, verbose=1):
    """Train for ``epochs`` over ``(x, y)`` batches; return a Keras-style history of per-epoch floats."""
    train_step = make_train_step(model, loss_fn, optimizer, metrics, jit_compile)
    eval_step = make_eval_step(model, loss_fn, metrics, jit_compile)
    mean_loss = keras.metrics.Mean(name="loss")
    names = [m.name for m in (mean_loss, *metrics)]
    history = {}

    def run(step, dataset, prefix, progbar=None):
        """Reset the metrics, run ``step`` over ``dataset``; record ``[(name, float)]``, return the batch count."""
        for metric in (mean_loss, *metrics):
            metric.reset_state()
        batches = 0
        for x, y in dataset:
            mean_loss.update_state(step(x, y))
            batches += 1
            if progbar is not None:
                progbar.update(batches, _results(mean_loss, metrics), finalize=False)
        for name, value in _results(mean_loss, metrics):
            history.setdefault(prefix + name, []).append(value)
        return batches

    for epoch in range(epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        progbar = keras.utils.Progbar(
            _batches(train_ds), verbose=verbose, stateful_metrics=names + ["val_" + name for name in names]
        )
        batches = run(train_step, train_ds, "", progbar if verbose else None)
        if val_ds is not None:
            run(eval_step, val_ds, "val_")
        progbar.update(batches, [(name, values[-1]) for name, values in history.items()], finalize=True)
    return history


def _results(mean_loss, metrics):
    """``[(name, float)]`` for the running loss and each metric."""
    return [(m.name, float(m.result())) for m in (mean_loss, *metrics)]


def _batches(dataset):
    """The number of batches in a ``tf.data.Dataset``, or None when unknown."""
    cardinality = int(dataset.cardinality()) if hasattr(dataset, "cardinality") else -1
    return cardinality if cardinality >= 0 else None
