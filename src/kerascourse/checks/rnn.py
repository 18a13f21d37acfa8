"""Checks for lesson 06 (recurrent networks): time-ordered splits, windows, forecasters beating the
naive baseline, text classifiers, and LSTM and GRU sizes and shapes worked out by hand."""

import keras
import numpy as np

from kerascourse.checks import (
    describe_model,
    fail,
    model_layers,
    output_kind,
    outputs,
    require_array,
    require_defined,
    require_loss,
    require_model,
    require_number,
    require_output_activation,
)

RECURRENT_LAYERS = (keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN)
PART_NAMES = {
    "train_series": "the training years", "val_series": "the validation years", "test_series": "the test years"
}


# --- splitting and normalising a series ---------------------------------------------------


def time_split(years, values, boundaries):
    """``{part name: values}``: the years before, between and after the two boundary years."""
    first, second = boundaries
    return {
        "train_series": values[years < first],
        "val_series": values[(years >= first) & (years < second)],
        "test_series": values[years >= second],
    }


def require_time_split(parts, years, values, boundaries):
    """Each part holds exactly its years' values, in time order."""
    expected = time_split(years, values, boundaries)
    sizes = ", ".join(f"{name} {len(part)}" for name, part in expected.items())
    for name, want in expected.items():
        got = require_array(parts[name], name, "store a numpy array of numbers").ravel()
        if len(got) != len(want):
            fail(
                f"{name} has {len(got)} values but {PART_NAMES[name]} have {len(want)} ({sizes}); "
                "cut at the boundary years, so that the parts do not overlap and leave no year out"
            )
        if not np.allclose(got, want):
            fail(
                f"{name} is not the sunspot numbers of {PART_NAMES[name]} in time order; slice the series "
                f"by year (before {boundaries[0]}, {boundaries[0]}-{boundaries[1] - 1}, from {boundaries[1]}) "
                "and never shuffle a time series, or the model trains on the future"
            )


def require_training_statistics(mean, std, train, values):
    """``mean`` and ``std`` were fitted on the training part only."""
    mean = require_number(mean, "mean", "train_series.mean()")
    std = require_number(std, "std", "train_series.std()")
    if np.isclose(mean, values.mean(), rtol=1e-4) and not np.isclose(mean, train.mean(), rtol=1e-4):
        fail(
            "mean is the whole series' mean; fit the normalisation on the training part only "
            "(train_series.mean()), or the validation and test years leak into training"
        )
    if not np.isclose(mean, train.mean(), rtol=1e-4):
        fail(f"mean is {mean:.3f} but the training part's mean is {train.mean():.3f}; use train_series.mean()")
    # population (numpy, keras.layers.Normalization) and sample (ddof=1) deviations are both fine
    if not any(np.isclose(std, train.std(ddof=ddof), rtol=1e-4) for ddof in (0, 1)):
        hint = " that is the whole series' spread;" if np.isclose(std, values.std(), rtol=1e-4) else ""
        fail(
            f"std is {std:.3f} but the training part's standard deviation is {train.std():.3f};{hint} "
            "fit the normalisation on the training part only (train_series.std())"
        )


# --- windows -----------------------------------------------------------------------------


def windows(scaled, window):
    """``(inputs (n, window, 1), targets (n,))``: each run of ``window`` values and the value after it."""
    scaled = np.asarray(scaled, dtype=np.float64)
    starts = range(len(scaled) - window)
    return np.stack([scaled[i : i + window] for i in starts])[..., None], scaled[window:]


def require_windows(inputs, targets, part, mean, std, window, names):
    """``inputs``/``targets`` are the windows of the normalised ``part``, a feature axis included."""
    x_name, y_name = names
    how = "store a numpy array of numbers"
    inputs, targets = require_array(inputs, x_name, how), require_array(targets, y_name, how)
    part = np.asarray(part, dtype=np.float64).ravel()
    want_x, want_y = windows((part - mean) / std, window)
    if inputs.ndim == 2 and inputs.shape == want_x.shape[:2]:
        fail(
            f"{x_name} has shape {inputs.shape}; recurrent layers read (samples, time steps, features), "
            f"so add a feature axis: {x_name}[..., None] has shape {want_x.shape}"
        )
    if inputs.shape != want_x.shape:
        fail(
            f"{x_name} has shape {inputs.shape} but {len(part)} values give {len(want_y)} windows of "
            f"{window} years: shape {want_x.shape}, one window per year that has {window} years before it"
        )
    if targets.shape == (*want_y.shape, 1):
        fail(
            f"{y_name} has shape {targets.shape}; a target is one number per window, shape {want_y.shape}: add the "
            f"feature axis to the windows after cutting them ({x_name}[..., None]), or take it off {y_name} "
            f"with {y_name}[:, 0]"
        )
    if targets.shape != want_y.shape:
        fail(f"{y_name} has shape {targets.shape}; it needs one target per window, shape {want_y.shape}")
    raw_x, _ = windows(part, window)
    if np.allclose(inputs, raw_x) and not np.allclose(raw_x, want_x):
        fail(f"{x_name} holds raw sunspot numbers; build windows from the normalised series (part - mean) / std")
    for ddof in (0, 1):  # numpy's and the sample deviation
        own_x, _ = windows((part - part.mean()) / part.std(ddof=ddof), window)
        if np.allclose(inputs, own_x, atol=1e-4) and not np.allclose(own_x, want_x, atol=1e-4):
            fail(
                f"{x_name} is normalised with its own part's mean and std; use the training part's mean and std "
                "for every part, as a forecaster in use only knows the past"
            )
    if not np.allclose(inputs, want_x, atol=1e-4):
        fail(
            f"{x_name}[i] is not the {window} normalised values starting at year i of the part; "
            "slide one year at a time"
        )
    if np.allclose(targets, want_x[:, -1, 0], atol=1e-4):
        fail(
            f"{y_name}[i] is the last value inside window i, which the model already sees; the target is "
            "the year after the window"
        )
    if not np.allclose(targets, want_y, atol=1e-4):
        fail(f"{y_name}[i] is not the normalised value of the year right after window i")


# --- forecasting -------------------------------------------------------------------------


def recurrent_layers(model):
    """The model's LSTM, GRU and SimpleRNN layers, including those inside Bidirectional."""
    found = []
    for layer in model_layers(model):
        inner = layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
        if isinstance(inner, RECURRENT_LAYERS):
            found.append(inner)
    return found


def require_recurrent(model, name, purpose):
    model = require_model(model, name)
    if not recurrent_layers(model):
        fail(
            f"{name} has no recurrent layer (it is {describe_model(model)}); {purpose} needs one: add "
            "layers.LSTM(32) (or GRU)"
        )


def require_forecaster(model, window, name="forecaster"):
    """A recurrent model from ``(window, 1)`` windows to one linear output."""
    model = require_model(model, name)
    require_recurrent(model, name, "reading the window in time order")
    if tuple(model.input_shape[1:]) != (window, 1):
        fail(f"{name} takes inputs of shape {model.input_shape[1:]}; start it with keras.Input(shape=({window}, 1))")
    if tuple(model.output_shape[1:]) != (1,):
        fail(f"{name} outputs shape {model.output_shape[1:]}; end it with Dense(1), one forecast per window")
    require_output_activation(model, "regression", name)


def naive_mae(targets, inputs):
    """The error of forecasting each year by the year before it."""
    return float(np.mean(np.abs(np.asarray(inputs)[:, -1, 0] - np.asarray(targets))))


def forecast_mae(model, inputs, targets):
    predictions = outputs(model, inputs).reshape(-1)
    return float(np.mean(np.abs(predictions - np.asarray(targets))))


def require_reported_mae(reported, measured, name, how):
    reported = require_number(reported, name, how)
    if not np.isclose(reported, measured, rtol=0.03, atol=0.05):
        fail(f"{name} is {reported:.2f} but the grader measures {measured:.2f}; {how}")


def require_beats_naive(model_mae, baseline_mae, name="forecaster"):
    if model_mae >= baseline_mae:
        fail(
            f"{name}'s MAE on the test years is {model_mae:.1f}, no better than the naive last-value "
            f"forecast's {baseline_mae:.1f}; train longer (more epochs) or with a larger LSTM"
        )


# --- text --------------------------------------------------------------------------------


def require_text_classifier(model, name="text_model"):
    """Strings in, TextVectorization, a masked Embedding, a recurrent layer, one sigmoid out."""
    model = require_model(model, name)
    layers = model_layers(model)
    if not layers or not isinstance(layers[0], keras.layers.TextVectorization):
        fail(
            f"{name} starts with {type(layers[0]).__name__ if layers else 'nothing'}; start it with "
            "keras.Input(shape=(1,), dtype='string') and the adapted TextVectorization layer, so it reads raw text"
        )
    embeddings = [layer for layer in layers if isinstance(layer, keras.layers.Embedding)]
    if not embeddings:
        fail(
            f"{name} has no Embedding layer; put layers.Embedding(VOCAB_SIZE, 32, mask_zero=True) after the vectorizer"
        )
    if not embeddings[0].get_config().get("mask_zero"):
        fail(
            f"{name}'s Embedding has mask_zero=False, so the LSTM reads the padding zeros as words; "
            "set mask_zero=True"
        )
    require_recurrent(model, name, "reading the words in order")
    require_output_activation(model, "binary", name)
    require_loss(model.loss, "binary", output_kind(model), f"{name}'s loss")


# --- LSTM and GRU by hand ----------------------------------------------------------------


def recurrent_sizes(units, features):
    """``{"lstm": ..., "gru": ...}`` parameter counts of Keras's layers, built for ``features`` inputs."""
    counts = {}
    for kind, layer in (("lstm", keras.layers.LSTM(units)), ("gru", keras.layers.GRU(units))):
        layer.build((None, 1, features))
        counts[kind] = layer.count_params()
    return counts


def require_hand_counts(lstm_params, gru_params, units, features):
    counts = recurrent_sizes(units, features)
    lstm = require_number(lstm_params, "lstm_params", "a count such as 4 * (...)")
    gru = require_number(gru_params, "gru_params", "a count such as 3 * (...)")
    one_gate = (units + features) * units + units
    if lstm != counts["lstm"]:
        if lstm == one_gate:
            fail(f"lstm_params is {lstm:g}, one gate's worth; an LSTM has four gates (input, forget, cell, output)")
        if lstm == 4 * (units * units + units):
            fail(f"lstm_params is {lstm:g}: each gate also has one weight per input feature ({features} of them)")
        fail(f"lstm_params is {lstm:g}; count 4 gates x (weights from inputs and state + biases)")
    if gru != counts["gru"]:
        if gru == 3 * one_gate:
            fail(
                f"gru_params is {gru:g}; Keras's GRU has reset_after=True, which gives each gate two bias vectors, "
                "so count 3 x ((inputs + units) x units + 2 x units)"
            )
        fail(f"gru_params is {gru:g}; count 3 gates x (weights from inputs and state + 2 bias vectors)")


def recurrent_output_shapes(units, features, steps, batch):
    """What Keras returns, as shapes, for the three layers the question asks about."""
    x = np.zeros((batch, steps, features), dtype=np.float32)
    results = {
        "lstm_sequences": keras.layers.LSTM(units, return_sequences=True)(x),
        "lstm_state": keras.layers.LSTM(units, return_state=True)(x),
        "gru_state": keras.layers.GRU(units, return_state=True)(x),
    }
    return {
        key: [tuple(part.shape) for part in value] if isinstance(value, (list, tuple)) else tuple(value.shape)
        for key, value in results.items()
    }


def as_shape(value):
    """A shape, or a list of shapes, with lists and tuples treated alike."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        return [tuple(v) for v in value]
    return tuple(value) if isinstance(value, (list, tuple)) else value


def require_state_shapes(shapes, units, features, steps, batch, keys=None):
    """``shapes`` holds what Keras returns for the ``keys`` (all three by default)."""
    require_defined(shapes, "state_shapes")
    if not isinstance(shapes, dict):
        fail(f"state_shapes is a {type(shapes).__name__}; keep the dict the question gives and fill in its values")
    expected = recurrent_output_shapes(units, features, steps, batch)
    hints = {
        "lstm_sequences": f"return_sequences=True returns the output at every step: (batch, steps, units) = "
        f"{expected['lstm_sequences']}",
        "lstm_state": f"an LSTM with return_state=True returns its output, then the hidden state h and the cell "
        f"state c: {len(expected['lstm_state'])} arrays of shape (batch, units)",
        "gru_state": "a GRU has no cell state: return_state=True gives its output and the hidden state h",
    }
    for key in keys or expected:
        want = expected[key]
        if key not in shapes:
            fail(f"state_shapes has no {key!r} entry; keep the keys the question gives")
        if as_shape(shapes[key]) != want:
            fail(f"state_shapes[{key!r}] is {shapes[key]!r}; {hints[key]}")
