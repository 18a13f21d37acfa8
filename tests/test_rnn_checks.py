"""Lesson 06's checks: each passes a valid answer and names the fix for each known mistake."""

import keras
import numpy as np
import pytest
from failing import fails_with
from keras import layers

from kerascourse import checks
from kerascourse.checks import rnn as rnn_checks

YEARS = np.arange(1700, 1760)
VALUES = (50 + 40 * np.sin(YEARS / 11 * 2 * np.pi)).astype(np.float32)
BOUNDARIES = (1740, 1750)
PARTS = rnn_checks.time_split(YEARS, VALUES, BOUNDARIES)
TRAIN = PARTS["train_series"].astype(float)
MEAN, STD = TRAIN.mean(), TRAIN.std()
WINDOW = 4


def test_time_split_accepts_the_years_in_order_and_names_each_mistake():
    assert [len(part) for part in PARTS.values()] == [40, 10, 10]
    rnn_checks.require_time_split(PARTS, YEARS, VALUES, BOUNDARIES)
    rnn_checks.require_time_split({k: list(v) for k, v in PARTS.items()}, YEARS, VALUES, BOUNDARIES)
    shuffled = np.random.default_rng(0).permutation(VALUES)
    wrong = {"train_series": shuffled[:40], "val_series": shuffled[40:50], "test_series": shuffled[50:]}
    fails_with("never shuffle a time series", rnn_checks.require_time_split, wrong, YEARS, VALUES, BOUNDARIES)
    overlapping = PARTS | {"val_series": VALUES[40:51]}
    fails_with("do not overlap", rnn_checks.require_time_split, overlapping, YEARS, VALUES, BOUNDARIES)
    fails_with("is not available", rnn_checks.require_time_split, PARTS | {"test_series": None}, YEARS, VALUES,
               BOUNDARIES)


def test_statistics_come_from_the_training_part():
    rnn_checks.require_training_statistics(MEAN, STD, TRAIN, VALUES.astype(float))
    rnn_checks.require_training_statistics(np.float32(MEAN), TRAIN.std(ddof=1), TRAIN, VALUES.astype(float))
    whole = VALUES.astype(float)
    fails_with("fit the normalisation on the training part only", rnn_checks.require_training_statistics,
               whole.mean(), whole.std(), TRAIN, whole)
    fails_with("whole series' spread", rnn_checks.require_training_statistics, MEAN, whole.std(), TRAIN, whole)
    fails_with("store one number", rnn_checks.require_training_statistics, [MEAN, MEAN], STD, TRAIN, whole)


def test_windows_pair_each_run_with_the_value_after_it():
    x, y = rnn_checks.windows(np.arange(7.0), 3)
    assert x.shape == (4, 3, 1) and x[1, :, 0].tolist() == [1, 2, 3] and y.tolist() == [3, 4, 5, 6]


def test_windows_check_names_each_mistake():
    x, y = rnn_checks.windows((TRAIN - MEAN) / STD, WINDOW)
    names = ("x_train", "y_train")
    rnn_checks.require_windows(x, y, TRAIN, MEAN, STD, WINDOW, names)
    fails_with("add a feature axis", rnn_checks.require_windows, x[..., 0], y, TRAIN, MEAN, STD, WINDOW, names)
    fails_with("the target is the year after the window", rnn_checks.require_windows, x, x[:, -1, 0], TRAIN, MEAN,
               STD, WINDOW, names)
    raw_x, raw_y = rnn_checks.windows(TRAIN, WINDOW)
    fails_with("from the normalised series", rnn_checks.require_windows, raw_x, raw_y, TRAIN, MEAN, STD, WINDOW,
               names)
    fails_with("one window per year", rnn_checks.require_windows, x[:-1], y[:-1], TRAIN, MEAN, STD, WINDOW, names)
    fails_with("one target per window", rnn_checks.require_windows, x, y[:-1], TRAIN, MEAN, STD, WINDOW, names)
    later = TRAIN[:40] * 1.5 + 30  # a later part with another level and spread
    own_x, own_y = rnn_checks.windows((later - later.mean()) / later.std(), WINDOW)
    fails_with("normalised with its own part's mean and std", rnn_checks.require_windows, own_x, own_y, later, MEAN,
               STD, WINDOW, ("x_val", "y_val"))


def forecaster(*body, activation=None):
    return keras.Sequential([keras.Input((WINDOW, 1)), *body, layers.Dense(1, activation=activation)])


def test_forecaster_needs_a_recurrent_layer_and_a_linear_output():
    rnn_checks.require_forecaster(forecaster(layers.LSTM(4)), WINDOW)
    rnn_checks.require_forecaster(forecaster(layers.Bidirectional(layers.GRU(4))), WINDOW)
    fails_with("has no recurrent layer", rnn_checks.require_forecaster, forecaster(layers.Flatten()), WINDOW)
    fails_with("give it no activation", rnn_checks.require_forecaster,
               forecaster(layers.LSTM(4), activation="relu"), WINDOW)
    fails_with("start it with keras.Input(shape=(6, 1))", rnn_checks.require_forecaster, forecaster(layers.LSTM(4)), 6)


def test_naive_and_model_errors_and_the_comparison():
    x, y = rnn_checks.windows(np.array([0.0, 1.0, 3.0, 6.0]), 2)
    assert rnn_checks.naive_mae(y, x) == pytest.approx(2.5)  # |3 - 1| and |6 - 3|
    zero = forecaster(layers.LSTM(2))
    zero.set_weights([np.zeros_like(w) for w in zero.get_weights()])
    assert rnn_checks.forecast_mae(zero, x, y) == pytest.approx(4.5)
    rnn_checks.require_beats_naive(2.0, 2.5)
    fails_with("no better than the naive last-value forecast", rnn_checks.require_beats_naive, 2.5, 2.5)
    rnn_checks.require_reported_mae(24.7, 24.69, "naive_mae", "how")
    fails_with("the grader measures 24.69", rnn_checks.require_reported_mae, 30.0, 24.69, "naive_mae", "how")


def text_model(*body, mask_zero=True, activation="sigmoid", loss="binary_crossentropy"):
    vectorizer = layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorizer.adapt(["the plot was not dull", "the cast was great"])
    model = keras.Sequential(
        [keras.Input(shape=(1,), dtype="string"), vectorizer, layers.Embedding(20, 4, mask_zero=mask_zero), *body,
         layers.Dense(1, activation=activation)]
    )
    model.compile(optimizer="adam", loss=loss)
    return model


def test_text_classifier_check_names_each_mistake():
    rnn_checks.require_text_classifier(text_model(layers.LSTM(4)))
    rnn_checks.require_text_classifier(text_model(layers.Bidirectional(layers.LSTM(4))))
    fails_with("set mask_zero=True", rnn_checks.require_text_classifier, text_model(layers.LSTM(4), mask_zero=False))
    fails_with("reading the words in order needs one", rnn_checks.require_text_classifier,
               text_model(layers.GlobalAveragePooling1D()))
    fails_with("softmax over one unit", rnn_checks.require_text_classifier,
               text_model(layers.LSTM(4), activation="softmax"))
    fails_with("from_logits=True", rnn_checks.require_text_classifier, text_model(layers.LSTM(4), activation=None))
    no_vectorizer = keras.Sequential([keras.Input((5,)), layers.Embedding(20, 4), layers.LSTM(4), layers.Dense(1)])
    fails_with("reads raw text", rnn_checks.require_text_classifier, no_vectorizer)


def test_accuracy_of_a_one_unit_text_model_reads_raw_strings():
    model = text_model(layers.LSTM(4))
    texts = np.array([b"the plot was not dull", b"the cast was great"], dtype=object)
    outputs = np.asarray(model.predict(keras.ops.convert_to_tensor(texts.astype(str)), verbose=0)).ravel()
    labels = (outputs > 0.5).astype(int)
    assert checks.model_accuracy(model, texts, labels) == 1.0
    assert checks.model_accuracy(model, texts, 1 - labels) == 0.0


def test_hand_counts_match_keras_and_name_each_mistake():
    assert rnn_checks.recurrent_sizes(16, 8) == {"lstm": 1600, "gru": 1248}
    rnn_checks.require_hand_counts(1600, 1248, 16, 8)
    fails_with("reset_after=True", rnn_checks.require_hand_counts, 1600, 1200, 16, 8)
    fails_with("four gates", rnn_checks.require_hand_counts, 400, 1248, 16, 8)
    fails_with("one weight per input feature", rnn_checks.require_hand_counts, 1088, 1248, 16, 8)
    fails_with("store a single number", rnn_checks.require_hand_counts, "1600", 1248, 16, 8)


def test_state_shapes_accept_lists_and_name_each_mistake():
    right = {"lstm_sequences": (4, 10, 16), "lstm_state": [(4, 16)] * 3, "gru_state": [(4, 16)] * 2}
    assert rnn_checks.recurrent_output_shapes(16, 8, 10, 4) == right
    rnn_checks.require_state_shapes(right, 16, 8, 10, 4)
    rnn_checks.require_state_shapes({"lstm_sequences": [4, 10, 16], "lstm_state": [[4, 16]] * 3,
                                     "gru_state": [[4, 16]] * 2}, 16, 8, 10, 4)
    fails_with("at every step", rnn_checks.require_state_shapes, right | {"lstm_sequences": (4, 16)}, 16, 8, 10, 4)
    fails_with("the cell state c", rnn_checks.require_state_shapes, right | {"lstm_state": [(4, 16)] * 2}, 16, 8, 10,
               4)
    fails_with("no cell state", rnn_checks.require_state_shapes, right | {"gru_state": [(4, 16)] * 3}, 16, 8, 10, 4)
    fails_with("no 'gru_state' entry", rnn_checks.require_state_shapes, {"lstm_sequences": (4, 10, 16),
               "lstm_state": [(4, 16)] * 3}, 16, 8, 10, 4)
    rnn_checks.require_state_shapes({"lstm_sequences": (4, 10, 16)}, 16, 8, 10, 4, keys=["lstm_sequences"])
