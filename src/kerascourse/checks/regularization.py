"""Checks for lesson 04: overfitting, weight penalties, dropout, batch normalization, early
stopping, precision/recall/F1 and a hyperparameter search. Each failure names the fix."""

import numbers

import keras
import numpy as np

from kerascourse import checks
from kerascourse.checks import describe_layer, fail

WEIGHTED_LAYERS = (keras.layers.Dense, keras.layers.Conv2D)


# --- overfitting -------------------------------------------------------------------------


def require_best_epoch(history, best_epoch, history_name="big_history", name="best_epoch"):
    """``best_epoch`` is the epoch, counted from 1, with the lowest validation loss."""
    logs = checks.require_history(history, history_name)
    checks.require_defined(best_epoch, name)
    if not isinstance(best_epoch, numbers.Integral) or isinstance(best_epoch, bool):
        fail(f"{name} is {best_epoch!r}; give an epoch number, an int counted from 1")
    best = int(np.argmin(logs["val_loss"])) + 1
    if best_epoch == best:
        return
    if best_epoch == best - 1:
        fail(f"{name} is {best_epoch}, one before the epoch with the lowest val_loss; Keras counts epochs from 1")
    if best_epoch == int(np.argmin(logs["loss"])) + 1:
        fail(
            f"{name} is {best_epoch}, where the training loss is lowest; overfitting starts where the "
            "validation loss (val_loss) is lowest"
        )
    fail(f"{name} is {best_epoch}, not the epoch with the lowest val_loss; use np.argmin on val_loss and add 1")


def require_overfitting(history, name, *, min_gap):
    """The training accuracy ends at least ``min_gap`` above the validation accuracy."""
    logs = checks.require_history(history, name)
    train, val = checks.accuracy_log(logs, name)[-1], checks.accuracy_log(logs, name, validation=True)[-1]
    if train - val < min_gap:
        fail(
            f"{name} ends with training accuracy {train:.3f}, only {train - val:.3f} above validation (the "
            f"question wants {min_gap:g}); train the over-large model on the small subset (x_small, y_small)"
        )


def require_over_large(model, name, *, min_params):
    """``model`` has at least ``min_params`` parameters: enough to memorise the small subset."""
    model = checks.require_model(model, name)
    if model.count_params() < min_params:
        fail(
            f"{name} has {model.count_params():,} parameters; to overfit on purpose it needs at least "
            f"{min_params:,}, e.g. two hidden Dense(256) layers"
        )


def require_trained_on_subset(model, subset, rest, name):
    """``model`` saw only ``subset``: it scores clearly lower on the rest of the training data."""
    model = checks.require_model(model, name)
    seen, unseen = checks.model_accuracy(model, *subset), checks.model_accuracy(model, *rest)
    if unseen > seen - 0.05:
        fail(
            f"{name} scores {unseen:.2f} on the training images outside x_small, about as well as on x_small "
            f"({seen:.2f}), so it trained on them; train the over-large model on the small subset "
            "(x_small, y_small) only"
        )


# --- weight penalties and dropout ----------------------------------------------------------


def hidden_weighted_layers(model):
    """``(position, layer)`` of the Dense and Conv2D layers before the last one, which computes the output."""
    weighted = [
        (index, layer)
        for index, layer in enumerate(checks.model_layers(model), start=1)
        if isinstance(layer, WEIGHTED_LAYERS)
    ]
    return weighted[:-1]


def penalty_factors(layer, key="kernel_regularizer"):
    """``{"l1": f, "l2": f}`` of a layer's regularizer as its config gives it, or None without one."""
    config = layer.get_config().get(key)
    if not config:
        return None
    values = config.get("config", {}) if isinstance(config, dict) else {}
    return {kind: float(values.get(kind) or 0.0) for kind in ("l1", "l2") if kind in values}


def require_weight_penalties(model, name, *, low, high):
    """Every hidden Dense/Conv2D layer has an L1, L2 or L1L2 kernel penalty from ``low`` to ``high``."""
    model = checks.require_model(model, name)
    hidden = hidden_weighted_layers(model)
    if not hidden:
        fail(f"{name} has no hidden Dense layers to regularize; keep the architecture of big_model")
    for position, layer in hidden:
        factors = penalty_factors(layer)
        if factors is None:
            if penalty_factors(layer, "bias_regularizer"):
                fail(
                    f"layer {position} ({describe_layer(layer)}) penalizes only its bias; weight penalties "
                    "go in kernel_regularizer=keras.regularizers.L2(1e-3)"
                )
            fail(
                f"layer {position} ({describe_layer(layer)}) has no kernel_regularizer; add "
                "kernel_regularizer=keras.regularizers.L2(1e-3) to every hidden layer"
            )
        if not any(factors.values()):
            fail(f"layer {position}'s kernel_regularizer adds nothing; use keras.regularizers.L1, L2 or L1L2")
        kind, factor = max(factors.items(), key=lambda item: item[1])  # the penalty that counts
        if factor > high:
            fail(
                f"layer {position}'s {kind.upper()} factor {factor:g} swamps the data loss and the model "
                f"underfits; use a factor from {low:g} to {high:g}"
            )
        if factor < low:
            fail(
                f"layer {position}'s {kind.upper()} factor {factor:g} is too small to matter; use a factor "
                f"from {low:g} to {high:g}"
            )


def require_dropout(model, name, *, low, high):
    """A Dropout layer follows each hidden Dense/Conv2D layer at a rate from ``low`` to ``high``; none follows
    the output (an extra one on the inputs may drop less)."""
    model = checks.require_model(model, name)
    layers = checks.model_layers(model)
    output, _ = checks.output_layer(model)
    hidden = [position for position, _ in hidden_weighted_layers(model)]
    dropouts = {
        index: float(layer.get_config()["rate"])
        for index, layer in enumerate(layers, start=1)
        if isinstance(layer, keras.layers.Dropout)
    }
    if not dropouts:
        fail(f"{name} has no Dropout layer; add layers.Dropout({high:g}) after each hidden Dense layer")
    for position, rate in dropouts.items():
        if position > output:
            fail(
                f"layer {position} is Dropout({rate:g}) after the output layer, so it zeroes class "
                "probabilities while training; put dropout between hidden layers"
            )
        if rate > high:
            fail(
                f"layer {position} is Dropout({rate:g}), which drops {rate:.0%} of the units; use a rate from "
                f"{low:g} to {high:g}"
            )
        if rate < low and any(hidden_position < position for hidden_position in hidden):
            fail(
                f"layer {position} is Dropout({rate:g}), too little to regularize; use a rate from {low:g} to {high:g}"
            )
    for start, end in zip(hidden, hidden[1:] + [output], strict=True):
        if not any(start < position < end for position in dropouts):
            fail(
                f"layer {start} ({describe_layer(layers[start - 1])}) has no Dropout after it; add "
                f"layers.Dropout({high:g}) after each hidden Dense layer"
            )


def generalization_gap(model, train, validation):
    """Validation minus training cross-entropy, in inference mode and without weight penalties."""

    def cross_entropy(images, labels):
        outputs = checks.outputs(model, images)
        logits = checks.output_kind(model) == "logits"
        losses = keras.losses.sparse_categorical_crossentropy(labels, outputs, from_logits=logits)
        return float(np.mean(keras.ops.convert_to_numpy(losses)))

    return cross_entropy(*validation) - cross_entropy(*train)


def require_smaller_gap(model, baseline, train, validation, name, baseline_name, *, max_ratio):
    """``model`` generalizes clearly better than ``baseline``: its loss gap is at most ``max_ratio`` of it."""
    model = checks.require_model(model, name)
    baseline = checks.require_model(baseline, baseline_name)
    gap, baseline_gap = generalization_gap(model, train, validation), generalization_gap(baseline, train, validation)
    if gap > max_ratio * baseline_gap:
        fail(
            f"{name}'s validation loss is {gap:.2f} above its training loss, against {baseline_gap:.2f} for "
            f"{baseline_name}: {gap / baseline_gap:.2f} times, and the question wants at most {max_ratio:g}; "
            "regularize more (Dropout 0.5 and L2 about 1e-3)"
        )


# --- batch normalization and training flags ------------------------------------------------


def require_batchnorm(model, name):
    """BatchNormalization follows a hidden Dense/Conv2D layer and comes before the output layer."""
    model = checks.require_model(model, name)
    layers = checks.model_layers(model)
    output, _ = checks.output_layer(model)
    norms = [index for index, layer in enumerate(layers, start=1) if isinstance(layer, keras.layers.BatchNormalization)]
    if not norms:
        fail(
            f"{name} has no BatchNormalization; add layers.BatchNormalization() between a hidden Dense layer "
            "and its activation"
        )
    for position in norms:
        if position > output:
            fail(
                f"layer {position} is BatchNormalization after the output layer, so the outputs are no longer "
                "probabilities; put it after a hidden Dense layer, before its activation"
            )
        if not any(isinstance(layer, WEIGHTED_LAYERS) for layer in layers[: position - 1]):
            fail(f"layer {position} is BatchNormalization before any Dense layer; put it after a hidden Dense layer")


def _array(value, name):
    checks.require_defined(value, name)
    try:
        return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{name} is a {type(value).__name__}; assign it the tensor the layer returns")


def require_batchnorm_modes(bn_training, bn_inference, x_probe):
    """Batch statistics while training; moving averages (still near 0 and 1) at inference."""
    probe = _array(x_probe, "x_probe")
    training, inference = _array(bn_training, "bn_training"), _array(bn_inference, "bn_inference")
    for name, value in (("bn_training", training), ("bn_inference", inference)):
        if value.shape != probe.shape:
            fail(f"{name} has shape {value.shape}; call the layer on x_probe, of shape {probe.shape}")
    means, stds = training.mean(axis=0), training.std(axis=0)
    if np.max(np.abs(means)) > 0.05 or np.max(np.abs(stds - 1)) > 0.05:
        fail(
            f"bn_training has feature means {np.round(means, 2).tolist()}; call bn(x_probe, training=True) so "
            "BatchNormalization uses the batch's own mean and variance"
        )
    if np.max(np.abs(inference.mean(axis=0))) < 0.5:
        fail(
            "bn_inference is normalized like bn_training; call bn(x_probe, training=False): at inference "
            "BatchNormalization uses its moving averages, which one training call barely moves from 0 and 1"
        )
    if not np.allclose(inference, probe, rtol=0.1, atol=0.3):
        fail(
            "bn_inference is not what a BatchNormalization layer returns at inference; call bn(x_probe, training=False)"
        )


def require_dropout_modes(dropout_training, dropout_inference, rate=0.5):
    """Dropout zeroes about ``rate`` of the units and rescales the rest while training; nothing at inference."""
    training, inference = _array(dropout_training, "dropout_training"), _array(dropout_inference, "dropout_inference")
    if not np.allclose(inference, 1.0):
        fail(
            "dropout_inference is not all ones; at inference (training=False) Dropout passes every unit "
            "through unchanged"
        )
    dropped = float(np.mean(training == 0))
    if abs(dropped - rate) > 0.1:
        fail(
            f"dropout_training has {dropped:.0%} zeros; Dropout({rate:g}) called with training=True drops "
            f"about {rate:.0%} of the units"
        )
    kept = training[training != 0]
    if np.allclose(kept, 1.0):
        fail(
            f"the units dropout_training keeps are 1.0; Keras's Dropout scales them by 1 / (1 - rate) = "
            f"{1 / (1 - rate):g} so the expected sum stays the same, so call the Dropout layer itself"
        )
    if not np.allclose(kept, 1 / (1 - rate)):
        fail(f"the units dropout_training keeps should all be {1 / (1 - rate):g}; call layers.Dropout({rate:g})")


# --- early stopping ------------------------------------------------------------------------


def require_stopped_early(history, max_epochs, name):
    logs = checks.require_history(history, name, validation="(x_val, y_val)")
    if len(logs["loss"]) >= max_epochs:
        fail(
            f"{name} ran all {max_epochs} epochs; pass callbacks=[early_stopping] to fit, with "
            "EarlyStopping monitoring val_loss"
        )


def require_restored_on_validation(model, history, validation, test, name, history_name):
    """``model`` holds the weights of an earlier, best epoch, picked on validation data, not the test set."""
    checks.require_compiled(model, name)
    logs = checks.require_history(history, history_name, validation="(x_val, y_val)")
    val_losses = logs["val_loss"]
    matching = checks.epochs_with_loss(val_losses, checks.model_loss(model, validation))
    if not matching:
        if checks.epochs_with_loss(val_losses, checks.model_loss(model, test)):
            fail(
                f"{history_name}'s validation loss matches the test split; validate on data carved from the "
                "training data (x_val, y_val) and keep the test split for the final evaluation"
            )
        fail(
            f"{name}'s validation loss matches no epoch of {history_name}; keep the model you trained with "
            "early stopping"
        )
    if matching == [len(val_losses)] and min(val_losses) < val_losses[-1]:
        fail(
            f"{name} has the weights of its last epoch, not of its best; pass restore_best_weights=True "
            "to EarlyStopping"
        )


# --- precision, recall, F1 -----------------------------------------------------------------


def expected_metrics(labels, scores, threshold=0.5):
    """Precision, recall, F1, accuracy and the confusion matrix, as scikit-learn computes them."""
    from sklearn import metrics

    predicted = (np.asarray(scores) > threshold).astype(int)
    return {
        "precision": metrics.precision_score(labels, predicted),
        "recall": metrics.recall_score(labels, predicted),
        "f1": metrics.f1_score(labels, predicted),
        "accuracy": metrics.accuracy_score(labels, predicted),
        "confusion": metrics.confusion_matrix(labels, predicted),
    }


def require_precision_recall(precision, recall, labels, scores):
    expected = expected_metrics(labels, scores)
    how = "e.g. float(metric.result())"
    values = {"precision": checks.require_number(precision, "precision", how),
              "recall": checks.require_number(recall, "recall", how)}
    formulas = {
        "precision": "TP / (TP + FP), the share of predicted positives that are truly positive",
        "recall": "TP / (TP + FN), the share of true positives that are found",
    }
    for name, other in (("precision", "recall"), ("recall", "precision")):
        if np.isclose(values[name], expected[name], atol=1e-4):
            continue
        if np.isclose(values[name], expected[other], atol=1e-4):
            fail(f"{name} is {values[name]:.3f}, which is the {other}; {name} = {formulas[name]}")
        if np.isclose(values[name], expected["accuracy"], atol=1e-4):
            fail(f"{name} is {values[name]:.3f}, which is the accuracy; {name} = {formulas[name]}")
        fail(
            f"{name} is {values[name]:.3f}; compute it with keras.metrics.{name.capitalize()}() on "
            f"(y_true, y_score) at the default threshold 0.5: {formulas[name]}"
        )


def require_f1(f1, labels, scores):
    expected = expected_metrics(labels, scores)
    value = checks.require_number(f1, "f1", "e.g. float(metric.result())")
    if np.isclose(value, expected["f1"], atol=1e-4):
        return
    if np.isclose(value, (expected["precision"] + expected["recall"]) / 2, atol=1e-4):
        fail("f1 is the arithmetic mean of precision and recall; F1 is their harmonic mean, 2 * P * R / (P + R)")
    if np.isclose(value, expected["accuracy"], atol=1e-4):
        fail("f1 is the accuracy; F1 is the harmonic mean of precision and recall, 2 * P * R / (P + R)")
    fail(f"f1 is {value:.3f}; F1 is the harmonic mean of precision and recall, 2 * P * R / (P + R)")


def require_confusion(confusion, labels, scores):
    expected = expected_metrics(labels, scores)["confusion"]
    matrix = _array(confusion, "confusion")
    if matrix.shape != expected.shape:
        fail(f"confusion has shape {matrix.shape}; a binary problem has a 2 x 2 confusion matrix")
    if np.array_equal(matrix, expected):
        return
    if np.array_equal(matrix, expected.T):
        fail(
            "confusion has the predictions in its rows; put true labels in rows and predictions in columns, "
            "as tf.math.confusion_matrix(y_true, y_pred) does"
        )
    if matrix.sum() != expected.sum():
        fail(f"confusion counts {matrix.sum():g} examples; there are {expected.sum()}")
    fail("confusion does not count y_true against y_pred = (y_score > 0.5); threshold the scores first")


# --- hyperparameter search -----------------------------------------------------------------


def require_search(search_results, best, name="search_results", best_name="best_rate"):
    """At least three settings with validation accuracies, and ``best`` is the highest."""
    checks.require_defined(search_results, name)
    if not isinstance(search_results, dict):
        fail(
            f"{name} is a {type(search_results).__name__}; make it a dict from each setting to its validation accuracy"
        )
    if len(search_results) < 3:
        fail(f"{name} has {len(search_results)} settings; try at least three, such as dropout rates 0.0, 0.25 and 0.5")
    for setting, value in search_results.items():
        if not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            fail(f"{name}[{setting!r}] is {value!r}; store the validation accuracy, a number in [0, 1]")
    checks.require_defined(best, best_name)
    if best not in search_results:
        fail(f"{best_name} is {best!r}, which is not one of the settings in {name}")
    top = max(search_results, key=search_results.get)
    if search_results[best] < search_results[top]:
        if search_results[best] == min(search_results.values()):
            fail(f"{best_name} is the setting with the lowest validation accuracy; pick the highest")
        fail(f"{best_name} is {best!r} but {top!r} reaches a higher validation accuracy; pick the highest")


def require_chosen_on_validation(model, search_results, best, validation, test, name="final_model"):
    """``model`` is the best setting's model, and the search compared validation accuracies."""
    model = checks.require_model(model, name)
    reported = search_results[best]
    if abs(checks.model_accuracy(model, *validation) - reported) <= 0.003:
        return
    if abs(checks.model_accuracy(model, *test) - reported) <= 0.003:
        fail(
            "search_results holds test accuracies; compare settings on the validation data (x_val, y_val) "
            "and use the test split once, for the final model"
        )
    fail(f"{name}'s validation accuracy differs from search_results[best_rate]; keep the model trained with best_rate")
