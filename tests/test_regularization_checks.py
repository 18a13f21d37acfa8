"""Lesson 04's checks: each passes a valid answer and names the fix for each known mistake."""

from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf
from failing import fails_with
from keras import layers
from sklearn import metrics

from kerascourse.checks import regularization as rc
from kerascourse.course import data

L2 = keras.regularizers.L2(1e-3)
PENALTIES = {"low": 1e-4, "high": 1e-2}  # the shape of 04 q2's bars
RATES = {"low": 0.4, "high": 0.5}


def history(**logs):
    return SimpleNamespace(history=logs)


def mlp(*hidden):
    return keras.Sequential([keras.Input((6,)), *hidden, layers.Dense(3, activation="softmax")])


def test_best_epoch_is_counted_from_one_and_read_off_validation_loss():
    logs = history(loss=[1.0, 0.6, 0.3, 0.1], val_loss=[0.9, 0.5, 0.7, 0.8])
    rc.require_best_epoch(logs, 2)
    rc.require_best_epoch(logs, np.int64(2))
    fails_with("Keras counts epochs from 1", rc.require_best_epoch, logs, 1)
    fails_with("where the training loss is lowest", rc.require_best_epoch, logs, 4)
    fails_with("an int counted from 1", rc.require_best_epoch, logs, 2.0)
    fails_with("has no val_loss", rc.require_best_epoch, history(loss=[1.0]), 1)


def test_overfitting_needs_a_gap_and_the_small_subset():
    rc.require_overfitting(history(loss=[1], val_loss=[1], accuracy=[1.0], val_accuracy=[0.88]), "h", min_gap=0.05)
    fails_with(
        "only 0.020 above validation",
        rc.require_overfitting,
        history(loss=[1], val_loss=[1], accuracy=[0.97], val_accuracy=[0.95]),
        "h",
        min_gap=0.05,
    )
    fails_with(
        "compile the model with metrics=['accuracy']", rc.require_overfitting, history(loss=[1], val_loss=[1]), "h",
        min_gap=0.05,
    )
    rng = np.random.default_rng(0)
    x, y = rng.random((200, 6), dtype=np.float32), rng.integers(0, 3, 200)
    keras.utils.set_random_seed(0)  # the same weights whichever tests ran before in this process
    memorised = mlp(layers.Dense(64, activation="relu"))
    memorised.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    # Tiled data and few epochs: the same number of steps as many short epochs, without their overhead.
    memorised.fit(np.tile(x[:50], (50, 1)), np.tile(y[:50], 50), epochs=6, batch_size=50, verbose=0)
    rc.require_trained_on_subset(memorised, (x[:50], y[:50]), (x[50:], y[50:]), "big_model")
    memorised.fit(np.tile(x, (10, 1)), np.tile(y, 10), epochs=30, batch_size=32, verbose=0)
    fails_with(
        "train the over-large model on the small subset",
        rc.require_trained_on_subset,
        memorised,
        (x[:50], y[:50]),
        (x[50:], y[50:]),
        "big_model",
    )


def test_weight_penalties_on_every_hidden_layer():
    good = mlp(
        layers.Dense(8, activation="relu", kernel_regularizer=L2),
        layers.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L1L2(1e-5, 1e-3)),
    )
    rc.require_weight_penalties(good, "m", **PENALTIES)
    rc.require_weight_penalties(mlp(layers.Dense(8, activation="relu", kernel_regularizer="l1")), "m", **PENALTIES)
    fails_with(
        "layer 2 (Dense(8, relu)) has no kernel_regularizer",
        rc.require_weight_penalties,
        mlp(layers.Dense(8, activation="relu", kernel_regularizer=L2), layers.Dense(8, activation="relu")),
        "m",
        **PENALTIES,
    )
    fails_with(
        "penalizes only its bias",
        rc.require_weight_penalties,
        mlp(layers.Dense(8, activation="relu", bias_regularizer=L2)),
        "m",
        **PENALTIES,
    )
    fails_with(
        "L2 factor 0.5 swamps the data loss",
        rc.require_weight_penalties,
        mlp(layers.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(0.5))),
        "m",
        **PENALTIES,
    )
    fails_with(
        "too small to matter",
        rc.require_weight_penalties,
        mlp(layers.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-9))),
        "m",
        **PENALTIES,
    )
    fails_with("no hidden Dense layers", rc.require_weight_penalties, mlp(), "m", **PENALTIES)


def test_dropout_between_hidden_layers_at_a_sensible_rate():
    rc.require_dropout(mlp(layers.Dense(8, activation="relu"), layers.Dropout(0.5)), "m", **RATES)
    # an extra dropout on the inputs may drop less than the bar asks after a hidden layer
    rc.require_dropout(mlp(layers.Dropout(0.2), layers.Dense(8, activation="relu"), layers.Dropout(0.4)), "m", **RATES)
    fails_with("has no Dropout layer", rc.require_dropout, mlp(layers.Dense(8, activation="relu")), "m", **RATES)
    fails_with(
        "layer 3 (Dense(8, relu)) has no Dropout after it",
        rc.require_dropout,
        mlp(layers.Dense(8, activation="relu"), layers.Dropout(0.5), layers.Dense(8, activation="relu")),
        "m",
        **RATES,
    )
    fails_with(
        "which drops 90% of the units",
        rc.require_dropout,
        mlp(layers.Dense(8, activation="relu"), layers.Dropout(0.9)),
        "m",
        **RATES,
    )
    fails_with(
        "too little to regularize",
        rc.require_dropout,
        mlp(layers.Dense(8, activation="relu"), layers.Dropout(0.2)),
        "m",
        **RATES,
    )
    after_output = keras.Sequential(
        [
            keras.Input((6,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(3, activation="softmax"),
            layers.Dropout(0.5),
        ]
    )
    fails_with(
        "after the output layer, so it zeroes class probabilities", rc.require_dropout, after_output, "m", **RATES
    )


def test_generalization_gap_compares_models_without_penalties():
    rng = np.random.default_rng(1)
    x, y = rng.random((300, 6), dtype=np.float32), rng.integers(0, 3, 300)
    train, validation = (x[:60], y[:60]), (x[60:], y[60:])
    keras.utils.set_random_seed(0)
    memoriser = mlp(layers.Dense(128, activation="relu"))
    memoriser.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    memoriser.fit(np.tile(train[0], (20, 1)), np.tile(train[1], 20), epochs=10, verbose=0)  # 200 epochs' steps
    untrained = mlp(layers.Dense(8, activation="relu", kernel_regularizer=L2))
    assert rc.generalization_gap(memoriser, train, validation) > 1.0
    assert abs(rc.generalization_gap(untrained, train, validation)) < 0.1
    rc.require_smaller_gap(untrained, memoriser, train, validation, "regularized_model", "big_model", max_ratio=0.9)
    fails_with(
        "regularize more",
        rc.require_smaller_gap,
        memoriser,
        untrained,
        train,
        validation,
        "regularized_model",
        "big_model",
        max_ratio=0.9,
    )


def test_batchnorm_placement():
    good = keras.Sequential(
        [
            keras.Input((6,)),
            layers.Dense(8, use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dense(3, activation="softmax"),
        ]
    )
    rc.require_batchnorm(good, "bn_model")
    fails_with("has no BatchNormalization", rc.require_batchnorm, mlp(layers.Dense(8, activation="relu")), "bn_model")
    fails_with(
        "after the output layer",
        rc.require_batchnorm,
        keras.Sequential(
            [
                keras.Input((6,)),
                layers.Dense(8, activation="relu"),
                layers.Dense(3, activation="softmax"),
                layers.BatchNormalization(),
            ]
        ),
        "bn_model",
    )
    fails_with(
        "before any Dense layer",
        rc.require_batchnorm,
        mlp(layers.BatchNormalization(), layers.Dense(8, activation="relu")),
        "bn_model",
    )


def test_batchnorm_and_dropout_modes():
    x_probe = np.random.default_rng(0).normal(5.0, 3.0, size=(512, 4)).astype("float32")
    bn = layers.BatchNormalization()
    training, inference = bn(x_probe, training=True), bn(x_probe, training=False)
    rc.require_batchnorm_modes(training, inference, x_probe)
    rc.require_batchnorm_modes(np.asarray(training), layers.BatchNormalization()(x_probe, training=False), x_probe)
    fails_with("call bn(x_probe, training=True)", rc.require_batchnorm_modes, inference, inference, x_probe)
    fails_with("call bn(x_probe, training=False)", rc.require_batchnorm_modes, training, training, x_probe)
    fails_with("has shape (4,)", rc.require_batchnorm_modes, training[0], inference, x_probe)
    ones = np.ones(1000, dtype="float32")
    dropout = layers.Dropout(0.5)
    rc.require_dropout_modes(dropout(ones, training=True), dropout(ones, training=False))
    fails_with(
        "passes every unit through unchanged",
        rc.require_dropout_modes,
        dropout(ones, training=True),
        dropout(ones, training=True),
    )
    fails_with("scales them by 1 / (1 - rate) = 2", rc.require_dropout_modes, ones * (np.arange(1000) % 2), ones)
    fails_with("has 0% zeros", rc.require_dropout_modes, ones, ones)


def test_early_stopping_must_stop_restore_and_validate_on_training_data():
    rng = np.random.default_rng(2)
    x, y = rng.random((400, 6), dtype=np.float32), rng.integers(0, 3, 400)
    train, validation, test = (x[:100], y[:100]), (x[100:250], y[100:250]), (x[250:], y[250:])

    def fit(validation_data, restore, epochs=60):
        keras.utils.set_random_seed(0)
        model = mlp(layers.Dense(128, activation="relu"))
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
        stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=restore)
        return model, model.fit(*train, validation_data=validation_data, epochs=epochs, callbacks=[stop], verbose=0)

    model, logs = fit(validation, restore=True)
    rc.require_stopped_early(logs, 60, "es_history")
    rc.require_restored_on_validation(model, logs, validation, test, "es_model", "es_history")
    for validation_data, restore, phrase in (
        (validation, False, "pass restore_best_weights=True"),
        (test, True, "matches the test split"),
    ):
        model, logs = fit(validation_data, restore)
        fails_with(phrase, rc.require_restored_on_validation, model, logs, validation, test, "es_model", "es_history")
    fails_with(
        "pass callbacks=[early_stopping] to fit",
        rc.require_stopped_early,
        history(loss=[1] * 60, val_loss=[1] * 60),
        60,
        "es_history",
    )


def test_metrics_agree_with_scikit_learn_and_name_each_mistake():
    y_true, y_score = data.fixed_predictions()
    assert np.array_equal(data.fixed_predictions()[1], y_score), "the predictions must be fixed"
    assert 0.2 < y_true.mean() < 0.4 and not np.any(y_score == 0.5)
    precision_metric, recall_metric = keras.metrics.Precision(), keras.metrics.Recall()
    precision_metric.update_state(y_true, y_score)
    recall_metric.update_state(y_true, y_score)
    precision, recall = float(precision_metric.result()), float(recall_metric.result())
    y_pred = (y_score > 0.5).astype(int)
    assert precision == pytest.approx(metrics.precision_score(y_true, y_pred))
    assert recall == pytest.approx(metrics.recall_score(y_true, y_pred))
    rc.require_precision_recall(precision, recall, y_true, y_score)
    rc.require_precision_recall(precision_metric.result(), np.float32(recall), y_true, y_score)
    f1 = 2 * precision * recall / (precision + recall)
    rc.require_f1(f1, y_true, y_score)
    f1_metric = keras.metrics.F1Score(threshold=0.5)
    f1_metric.update_state(y_true.reshape(-1, 1).astype("float32"), y_score.reshape(-1, 1))
    rc.require_f1(f1_metric.result(), y_true, y_score)
    confusion = tf.math.confusion_matrix(y_true, y_pred, num_classes=2).numpy()
    assert np.array_equal(confusion, metrics.confusion_matrix(y_true, y_pred))
    rc.require_confusion(confusion, y_true, y_score)
    fails_with("which is the recall", rc.require_precision_recall, recall, precision, y_true, y_score)
    accuracy = metrics.accuracy_score(y_true, y_pred)
    fails_with("which is the accuracy", rc.require_precision_recall, accuracy, recall, y_true, y_score)
    fails_with("store one number", rc.require_precision_recall, [precision, recall], recall, y_true, y_score)
    fails_with("F1 is their harmonic mean", rc.require_f1, (precision + recall) / 2, y_true, y_score)
    fails_with("f1 is the accuracy", rc.require_f1, accuracy, y_true, y_score)
    fails_with("predictions in its rows", rc.require_confusion, confusion.T, y_true, y_score)
    raw = tf.math.confusion_matrix(y_true, y_score.astype(int), num_classes=2).numpy()
    fails_with("threshold the scores first", rc.require_confusion, raw, y_true, y_score)
    fails_with("a 2 x 2 confusion matrix", rc.require_confusion, confusion.ravel(), y_true, y_score)


def test_search_picks_the_best_validation_setting_and_never_the_test_set():
    results = {0.0: 0.85, 0.25: 0.9, 0.5: 0.88}
    rc.require_search(results, 0.25)
    rc.require_search({"a": 0.1, "b": 0.2, "c": 0.3}, "c")
    fails_with("try at least three", rc.require_search, {0.0: 0.8, 0.5: 0.9}, 0.5)
    fails_with("the lowest validation accuracy", rc.require_search, results, 0.0)
    fails_with("but 0.25 reaches a higher validation accuracy", rc.require_search, results, 0.5)
    fails_with("not one of the settings", rc.require_search, results, 0.3)
    fails_with("a number in [0, 1]", rc.require_search, {0.0: 85, 0.25: 90, 0.5: 88}, 0.25)
    rng = np.random.default_rng(3)
    x, y = rng.random((300, 6), dtype=np.float32), rng.integers(0, 3, 300)
    validation, test = (x[:150], y[:150]), (x[150:], y[150:])
    model = mlp(layers.Dense(8, activation="relu"))
    predictions = np.argmax(model.predict(x, verbose=0), axis=1) == y
    on_validation, on_test = float(predictions[:150].mean()), float(predictions[150:].mean())
    assert abs(on_validation - on_test) > 0.01, "the example needs different validation and test accuracies"
    rc.require_chosen_on_validation(model, {0.0: 0.0, 0.5: on_validation, 1.0: 0.0}, 0.5, validation, test)
    fails_with("holds test accuracies", rc.require_chosen_on_validation, model, {0.5: on_test}, 0.5, validation, test)
    fails_with(
        "keep the model trained with best_rate",
        rc.require_chosen_on_validation,
        model,
        {0.5: 1.0},
        0.5,
        validation,
        test,
    )
