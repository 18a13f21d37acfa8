"""Checks of Keras models, losses and training code that say in one sentence what is wrong.

Every check reads public Keras APIs only (``model.layers``, ``layer.get_config()``,
``model.input_shape``, ``model.loss``, ``model.optimizer``, ``model.get_compile_config()``)
and raises ``CheckFailed`` with a message that names the mistake and the fix.
"""

import functools

import keras
import numpy as np
import tensorflow as tf

from kerascourse.checks import portable, probes
from kerascourse.checks.answers import (  # noqa: F401
    NOT_DEFINED,
    CheckFailed,
    Unavailable,
    explain,
    fail,
    require_defined,
)
from kerascourse.course import data

PROBLEMS = {
    # problem: (accepted loss names, output units, accepted final activations, label kind)
    "binary": ({"binary_crossentropy"}, 1, {"sigmoid", "linear"}, "0/1 labels"),
    "multiclass": ({"sparse_categorical_crossentropy"}, None, {"softmax", "linear"}, "integer labels"),
    "multiclass_onehot": ({"categorical_crossentropy"}, None, {"softmax", "linear"}, "one-hot labels"),
    "regression": ({"mean_squared_error", "mean_absolute_error", "huber_loss"}, 1, {"linear"}, "real-valued targets"),
}
RECOMMENDED_LOSS = {
    "binary": "binary_crossentropy",
    "multiclass": "sparse_categorical_crossentropy",
    "multiclass_onehot": "categorical_crossentropy",
    "regression": "mean_squared_error",
}
CLASSIFICATION_LOSSES = {"binary_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy"}
ACCURACY_METRICS = {"accuracy", "acc", "sparse_categorical_accuracy", "SparseCategoricalAccuracy"}
PASS_THROUGH_LAYERS = (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.ActivityRegularization)
ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu"}
FLATTENING_LAYERS = (
    keras.layers.Flatten,
    keras.layers.Reshape,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalMaxPooling2D,
)


# --- describing models -------------------------------------------------------------------


def model_layers(model):
    """The model's layers without its InputLayer (a subclassed model's in the order its call uses them)."""
    model = portable.portable(model) if isinstance(model, keras.Model) else model
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def all_layers(model):
    """Every layer of ``model``, nested models and the layers inside them, without InputLayers."""
    found = []
    for layer in model_layers(model):
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(all_layers(layer))
    return found


def activation_of(layer):
    """The activation a layer applies, by name, or None when it applies none of its own."""
    if isinstance(layer, keras.Model):  # a nested model applies its layers' activations, none of its own
        return None
    kind = type(layer).__name__
    if kind in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[kind]
    function = getattr(layer, "activation", None)
    if callable(function) and function in portable.TF_ACTIVATIONS:
        return portable.activation_name(function)
    activation = layer.get_config().get("activation")
    if activation is None:
        return None
    if isinstance(activation, dict):
        inner = activation.get("config")
        return inner.get("name", activation.get("class_name", "custom")) if isinstance(inner, dict) else str(inner)
    return activation if isinstance(activation, str) else getattr(activation, "__name__", "custom")


def describe_layer(layer):
    """A short description such as ``Dense(10, sigmoid)`` or ``Dropout(0.5)``."""
    config = layer.get_config()
    kind = type(layer).__name__
    if "units" in config:
        return f"{kind}({config['units']}, {activation_of(layer)})"
    if "filters" in config:
        return f"{kind}({config['filters']}, {tuple(config['kernel_size'])}, {activation_of(layer)})"
    if "rate" in config:
        return f"{kind}({config['rate']})"
    if kind == "Activation":
        return f"Activation({activation_of(layer)})"
    return kind


def describe_model(model):
    """The layers as ``Flatten -> Dense(128, relu) -> Dense(10, softmax)``."""
    return " -> ".join(describe_layer(layer) for layer in model_layers(model))


def output_layer(model):
    """(position counted from 1, layer) of the last layer that sets the output activation."""
    layers = model_layers(model)
    for position in range(len(layers), 0, -1):
        layer = layers[position - 1]
        if not isinstance(layer, PASS_THROUGH_LAYERS) and activation_of(layer) is not None:
            return position, layer
    fail("the model has no layer with an activation; end it with a Dense output layer")


def output_activation(model):
    """The activation applied last: ``softmax``, ``sigmoid``, ``linear`` (logits), ..."""
    return activation_of(output_layer(model)[1])


# --- models ------------------------------------------------------------------------------


def numeric_array(value):
    """``value`` as a numpy array of real numbers (lists, arrays, tensors, scalars), or None."""
    if isinstance(value, (bool, np.bool_, str, bytes, dict)) or value is None or value is Ellipsis:
        return None
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):  # a tensor, maybe with a graph
        value = value.detach().cpu()
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - student values may fail to convert in any way
        return None
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        return None
    return array


def require_array(value, name, how):
    """``value`` as a numpy array of real numbers, in its own dtype, or a failure that names ``name`` and
    says ``how`` to make it, e.g. ``"compute tf.nn.relu(flat @ W + b)"``."""
    require_defined(value, name)
    array = numeric_array(value)
    if array is None:
        fail(f"{name} is a {type(value).__name__}; {how}")
    return array


def require_number(value, name, how):
    """``value`` as a float when it is one finite real number (a Python or numpy scalar, a tensor or array
    holding one value); ``how`` says how to get it, e.g. ``"float(metric.result())"``."""
    require_defined(value, name)
    array = numeric_array(value)
    if array is None:
        fail(f"{name} is {value!r}; store a single number ({how})")
    if array.size != 1:
        fail(f"{name} has {array.size} values; store one number ({how})")
    number = float(array.reshape(()))
    if not np.isfinite(number):
        fail(f"{name} is {number}; store a finite number ({how})")
    return number


def require_model(obj, name):
    """``obj`` as a model the checks can read: itself, or a subclassed model's functional trace."""
    require_defined(obj, name)
    if not isinstance(obj, keras.Model):
        fail(f"{name} is a {type(obj).__name__}, not a Keras model; assign keras.Sequential([...]) to it")
    return require_portable(obj, name)


def require_portable(layer, name):
    """``layer`` itself, or a subclassed model's or layer's functional trace (``checks.portable``)."""
    try:
        return portable.portable(layer)
    except portable.NotPortable as problem:
        fail(f"{name} cannot be graded: {problem}")


def layers_within(layer, name):
    """The layers a layer answer applies: a model's (nested ones included), a subclassed layer's, or itself."""
    layer = require_portable(layer, name)
    return all_layers(layer) if isinstance(layer, keras.Model) else [layer]


def require_input_shape(model, shape, name):
    """The model declares inputs of ``shape`` (without the batch axis)."""
    model = require_model(model, name)
    try:
        declared = model.input_shape
    except (AttributeError, ValueError):
        fail(f"{name} has no input shape yet; start it with keras.Input(shape={tuple(shape)})")
    if isinstance(declared, list):
        fail(f"{name} has {len(declared)} inputs; it needs one, keras.Input(shape={tuple(shape)})")
    if tuple(declared[1:]) != tuple(shape):
        fail(f"{name} takes inputs of shape {tuple(declared[1:])}; the data has shape {tuple(shape)}")


def require_output_shape(model, shape, name):
    """The model's output has ``shape`` per example; a missing Flatten is named as such."""
    model = require_model(model, name)
    produced = tuple(model.output_shape[1:])
    if produced == tuple(shape):
        return
    if len(produced) > len(shape) and not any(isinstance(layer, FLATTENING_LAYERS) for layer in model.layers):
        fail(
            f"{name} outputs shape {produced} per image instead of {tuple(shape)}; "
            "add layers.Flatten() before the first Dense layer"
        )
    fail(f"{name} outputs shape {produced} per example; the output layer needs {shape[-1]} units")


def require_hidden_nonlinearity(model, name):
    """At least one hidden layer applies a non-linear activation."""
    model = require_model(model, name)
    position, _ = output_layer(model)
    hidden = model_layers(model)[: position - 1]
    if not any(activation_of(layer) not in (None, "linear") for layer in hidden):
        fail(
            f"every hidden layer of {name} is linear, so the network is one linear map; "
            "give the hidden Dense layers activation='relu' (or another non-linear activation)"
        )


def require_output_activation(model, problem, name):
    """The final activation suits the problem (probabilities or logits for classification)."""
    model = require_model(model, name)
    allowed = PROBLEMS[problem][2]
    position, layer = output_layer(model)
    activation = activation_of(layer)
    if activation in allowed:
        return
    units = layer.get_config().get("units")
    if activation == "softmax" and units == 1:
        fail(
            f"layer {position} is {describe_layer(layer)}: softmax over one unit always outputs 1.0; "
            "use Dense(1, activation='sigmoid')"
        )
    if problem == "regression":
        fail(
            f"layer {position} is {describe_layer(layer)}; a regression output must be able to take any "
            "value, so give it no activation"
        )
    wanted = "sigmoid" if problem == "binary" else "softmax"
    fail(
        f"layer {position} is {describe_layer(layer)}; a {problem} output needs {wanted} "
        "(or no activation, with from_logits=True in the loss)"
    )


def require_param_count(model, name, *, low, high):
    """``model`` has from ``low`` to ``high`` parameters."""
    model = require_model(model, name)
    count = model.count_params()
    if not low <= count <= high:
        fail(f"{name} has {count:,} parameters; this question wants between {low:,} and {high:,}")


def require_trainable(model, name, trainable=True):
    model = require_model(model, name)
    if bool(model.trainable) != trainable:
        fail(f"{name}.trainable is {model.trainable}; set it to {trainable}")


# --- losses ------------------------------------------------------------------------------


def loss_identity(loss):
    """``(canonical name, from_logits)`` of a loss given as a string, function or object."""
    if loss is None:
        return None, False
    resolved = keras.losses.get(loss) if isinstance(loss, str) else loss
    if hasattr(resolved, "get_config"):
        config = resolved.get_config()
        return config.get("name"), bool(config.get("from_logits", False))
    return getattr(resolved, "__name__", None), False


def require_loss(loss, problem, output, name="the loss"):
    """``loss`` suits ``problem`` and ``output`` (``"probabilities"`` or ``"logits"``)."""
    accepted, _, _, labels = PROBLEMS[problem]
    loss_name, from_logits = loss_identity(loss)
    recommended = RECOMMENDED_LOSS[problem]
    if loss_name is None:
        fail(f"{name} is missing; use {recommended}")
    if loss_name not in accepted:
        if problem == "multiclass" and loss_name == "categorical_crossentropy":
            fail(
                f"{name} is categorical_crossentropy, which expects one-hot labels; the labels here are "
                "integers, so use sparse_categorical_crossentropy"
            )
        if problem == "multiclass_onehot" and loss_name == "sparse_categorical_crossentropy":
            fail(
                f"{name} is sparse_categorical_crossentropy, which expects integer labels; the labels here "
                "are one-hot, so use categorical_crossentropy"
            )
        if problem == "regression" and loss_name in CLASSIFICATION_LOSSES:
            fail(f"{name} is {loss_name}, a classification loss; regression predicts a number, use {recommended}")
        if problem != "regression" and loss_name not in CLASSIFICATION_LOSSES:
            fail(f"{name} is {loss_name}, not a classification loss; for {labels} use {recommended}")
        fail(f"{name} is {loss_name}; for a {problem} problem with {labels} use {recommended}")
    if problem == "regression":
        return
    if output == "logits" and not from_logits:
        fail(
            f"the model outputs logits (no activation on its last layer) but {name} expects probabilities; "
            f"pass from_logits=True, e.g. keras.losses.{_loss_class(recommended)}(from_logits=True)"
        )
    if output == "probabilities" and from_logits:
        fail(
            f"the model's last layer already applies an activation but {name} has from_logits=True; "
            "drop from_logits=True (or remove the activation)"
        )


def _loss_class(loss_name):
    return "".join(part.capitalize() for part in loss_name.split("_"))


def output_kind(model):
    """``"logits"`` when the model's last activation is linear, else ``"probabilities"``."""
    return "logits" if output_activation(model) == "linear" else "probabilities"


# --- compiling ---------------------------------------------------------------------------


def require_compiled(model, name):
    model = require_model(model, name)
    if getattr(model, "optimizer", None) is None or model.get_compile_config() is None:
        fail(f"{name} is not compiled; call {name}.compile(optimizer=..., loss=..., metrics=['accuracy'])")


def require_optimizer(model, name, kinds=("sgd", "adam", "rmsprop", "adamw", "nadam"), *, min_rate, max_rate):
    """A known optimizer with a learning rate from ``min_rate`` to ``max_rate``: it neither stalls nor diverges."""
    require_compiled(model, name)
    optimizer = model.optimizer
    kind = type(optimizer).__name__.lower()
    if kind not in kinds:
        fail(f"{name} uses the {type(optimizer).__name__} optimizer; this question asks for one of {', '.join(kinds)}")
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    advice = f"the question wants {min_rate:g} to {max_rate:g}, about 1e-3 for Adam or 1e-2 for SGD"
    if rate > max_rate:
        fail(f"learning rate {rate:g} is so large that training diverges; {advice}")
    if rate < min_rate:
        fail(f"learning rate {rate:g} is so small that training barely moves; {advice}")


def metric_names(model):
    """The compiled metrics as written: strings, or class names of metric objects."""
    names = []
    for metric in model.get_compile_config().get("metrics") or []:
        names.append(metric["class_name"] if isinstance(metric, dict) else metric)
    return names


def require_accuracy_metric(model, name):
    require_compiled(model, name)
    names = metric_names(model)
    if "Accuracy" in names:
        fail(
            "keras.metrics.Accuracy() compares predictions with labels exactly and stays near 0 for "
            "class probabilities; use metrics=['accuracy']"
        )
    if "categorical_accuracy" in names or "CategoricalAccuracy" in names:
        fail("categorical_accuracy expects one-hot labels; the labels here are integers, use metrics=['accuracy']")
    if not ACCURACY_METRICS & set(names):
        fail(f"{name} tracks no accuracy; compile it with metrics=['accuracy']")


# --- training results --------------------------------------------------------------------


def history_logs(history, name):
    """The per-epoch logs of what ``fit`` returned (at grading, a stand-in with the same ``history``)."""
    require_defined(history, name)
    logs = getattr(history, "history", None)
    if not isinstance(logs, dict):
        fail(f"{name} is a {type(history).__name__}; assign it the History that model.fit(...) returns")
    return logs


def require_history(history, name, epochs=None, validation="the validation data"):
    """``fit`` ran ``epochs`` epochs (when given) with validation data; returns the logs."""
    logs = history_logs(history, name)
    ran = len(logs.get("loss", []))
    if epochs is not None and ran != epochs:
        fail(f"{name} has {ran} epochs; train for epochs=EPOCHS ({epochs})")
    if "val_loss" not in logs:
        fail(f"{name} has no val_loss; pass validation_data={validation} to fit")
    return logs


def model_inputs(inputs):
    """``inputs`` as Keras takes them: an array of texts becomes a string tensor."""
    if isinstance(inputs, np.ndarray) and inputs.dtype.kind in "OSU":
        return tf.constant(inputs)
    return inputs


def _batches(count, batch_size):
    return [slice(start, start + batch_size) for start in range(0, count, batch_size)]


def outputs(model, inputs, batch_size=256):
    """What ``model`` outputs on ``inputs`` (an array, or a dict of arrays for a model with named inputs)
    in inference mode, as an array: ``predict``'s numbers without the function it traces and the tf.data
    pipeline it builds for each model, which cost a check about half a second a call."""
    if isinstance(inputs, dict):
        count = len(next(iter(inputs.values())))
        batches = [{key: value[part] for key, value in inputs.items()} for part in _batches(count, batch_size)]
    else:
        inputs = model_inputs(inputs)
        batches = [inputs[part] for part in _batches(len(inputs), batch_size)]
    return np.concatenate([keras.ops.convert_to_numpy(model(batch, training=False)) for batch in batches])


def model_loss(model, data, batch_size=256):
    """The compiled loss of ``model`` on ``data``, a pair of arrays ``(inputs, targets)``, as ``evaluate``
    computes it: batch by batch, from the output tensors themselves, whose softmax carries the logits
    that Keras's cross-entropy reads (from an array of probabilities the loss drifts, by 0.01 on an
    overfitted model)."""
    inputs, targets = model_inputs(data[0]), np.asarray(data[1])
    total = 0.0
    for part in _batches(len(targets), batch_size):
        loss = model.compute_loss(y=targets[part], y_pred=model(inputs[part], training=False), training=False)
        total += float(keras.ops.convert_to_numpy(loss)) * len(targets[part])
    return total / len(targets)


def epochs_with_loss(val_losses, loss):
    """The epochs (from 1) whose recorded validation loss is ``loss``, to float32 precision."""
    return [epoch for epoch, value in enumerate(val_losses, start=1) if np.isclose(value, loss, rtol=2e-3, atol=2e-4)]


def require_validated_on_validation_split(model, history, validation, test, name, history_name, validation_name):
    """``fit`` measured its validation curve on the validation split: some epoch's ``val_loss`` is the
    model's loss on ``validation``. One that is its loss on the test split instead means the test data
    steered training and no longer measures unseen data; one that is neither means fit validated on
    something else, such as the training data."""
    model = require_model(model, name)
    require_compiled(model, name)
    logs = require_history(history, history_name, validation=validation_name)
    val_losses = np.asarray(logs["val_loss"], dtype=np.float64)

    def distance(data):  # relative, to the nearest recorded epoch
        loss = model_loss(model, data)
        return float(np.min(np.abs(val_losses - loss)) / max(abs(loss), 1e-8))

    to_validation, to_test = distance(validation), distance(test)
    if to_test <= 1e-3 and to_test < to_validation / 10:
        fail(
            f"{history_name}'s validation loss is {name}'s loss on the test split, so the test data watched over "
            f"training; pass validation_data={validation_name} to fit and keep the test split for the final "
            "evaluation"
        )
    if to_validation > 1e-3:
        fail(
            f"{history_name}'s validation loss is not {name}'s loss on the validation split, so fit validated on "
            f"other data or {name} trained again afterwards; pass validation_data={validation_name} to fit, data "
            f"the model never trains on, and keep {name} as that fit left it"
        )


def accuracy_log(logs, name, validation=False):
    """The per-epoch accuracy in ``logs`` (training or validation)."""
    prefix = "val_" if validation else ""
    for key in ("accuracy", "acc", "sparse_categorical_accuracy"):
        if prefix + key in logs:
            return logs[prefix + key]
    fail(f"{name} records no {prefix}accuracy; compile the model with metrics=['accuracy']")


def model_accuracy(model, inputs, labels):
    """The share of ``inputs`` classified as their label: the highest output, or for one output unit
    the side of 0.5 (of 0 for logits) it falls on."""
    predictions = outputs(model, inputs)
    if predictions.shape[-1] == 1:
        threshold = 0.5 if output_kind(model) == "probabilities" else 0.0
        return float(np.mean((predictions.reshape(-1) > threshold) == np.asarray(labels).astype(bool)))
    return float(np.mean(np.argmax(predictions, axis=-1) == labels))


def at_this_size(bar):
    """A bar's number at the size this notebook runs: a bar that differs by size is ``{"grading": .., "full": ..}``."""
    return bar[data.run_size()] if isinstance(bar, dict) else bar


def require_at_least(value, name, fix, *, minimum):
    """``value`` reaches the question's bar ``minimum``; returns it."""
    minimum = at_this_size(minimum)
    if value < minimum:
        fail(f"{name} is {value:.3f}, below the question's bar of {minimum:g}; {fix}")
    return value


def require_reported_accuracy(model, reported, images, labels, name, reported_name, how):
    """``reported`` is the accuracy ``model`` really has on the test images; returns that accuracy."""
    model = require_model(model, name)
    require_defined(reported, reported_name)
    if not isinstance(reported, (int, float)) or not 0 <= reported <= 1:
        fail(f"{reported_name} is {reported!r}; store the accuracy from {how}, a number in [0, 1]")
    measured = model_accuracy(model, images, labels)
    if abs(measured - float(reported)) > 0.002:
        fail(
            f"{reported_name} is {float(reported):.3f} but {name} scores {measured:.3f} on the test data; "
            f"report what {how} returns, not the training or validation accuracy"
        )
    return measured


# --- training code -----------------------------------------------------------------------


class TrainingFlagProbe(keras.layers.Layer):
    """An identity layer that records the ``training`` argument of each call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def probe_batch(shape, batch_size=8, seed=0):
    """A seeded float32 batch of the given per-example shape."""
    return np.random.default_rng(seed).random((batch_size, *shape), dtype=np.float32)


def require_close(actual, expected, what, tolerance=1e-4):
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        fail(f"{what} has shape {actual.shape}; expected {expected.shape}")
    if not np.allclose(actual, expected, rtol=tolerance, atol=tolerance):
        worst = float(np.max(np.abs(actual - expected)))
        fail(f"{what} is off by up to {worst:.3g} from the correct value")


# --- output heads and train steps (reusable question checks) -----------------------------


def head_model(head, name="the head", n_features=4):
    """A model of fresh copies of ``head`` (a layer or a list of layers) on ``n_features`` inputs."""
    require_defined(head, name)
    parts = head if isinstance(head, (list, tuple)) else [head]
    for part in parts:
        if not isinstance(part, keras.layers.Layer):
            fail(f"{name} holds a {type(part).__name__}; give a Keras layer such as layers.Dense(1)")
    copies = [type(part).from_config(portable.keras_config(part)) for part in parts]
    return keras.Sequential([keras.Input(shape=(n_features,)), *copies])


def require_head(head, loss, problem, units, name):
    """An output head (layers) and its loss that together suit ``problem``."""
    model = head_model(head, name)
    require_defined(loss, f"the loss for {name}")
    require_output_shape(model, (units,), name)
    require_output_activation(model, problem, name)
    require_loss(loss, problem, output_kind(model), name=f"the loss for {name}")


def probe_classifier(n_features=4, n_classes=3, seed=0):
    """A small seeded classifier with a ``TrainingFlagProbe`` and a matching loss and optimizer."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            TrainingFlagProbe(),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(n_classes),
        ]
    )
    return model, keras.losses.SparseCategoricalCrossentropy(from_logits=True), keras.optimizers.SGD(0.1)


def reference_step(model, loss_fn, optimizer, x, y):
    """One eager gradient-descent step: the behaviour a train step must reproduce."""
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    variables = model.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
    return loss


def _train(make_train_step, steps):
    """The probe procedure for a train-step factory: build a step for the probe classifier and run it
    ``steps`` times on the probe batch; what it did, as data."""
    model, loss_fn, optimizer = probe_classifier()
    try:
        step = make_train_step(model, loss_fn, optimizer)
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        fail(f"make_train_step(model, loss_fn, optimizer) failed: {explain(error)}")
    if not callable(step):
        fail(f"make_train_step returned a {type(step).__name__}; return the train_step function")
    x, y = probe_batch((4,)), np.arange(8) % 3
    losses = []
    for _ in range(steps):
        try:
            loss = step(x, y)
        except ValueError as error:
            if "No gradients provided" in str(error) or "None" in str(error):
                fail(
                    "train_step found no gradients; compute the predictions and the loss inside "
                    "`with tf.GradientTape() as tape:` and take tape.gradient(loss, model.trainable_variables)"
                )
            fail(f"train_step(x, y) failed: {explain(error)}")
        except Exception as error:  # noqa: BLE001
            fail(f"train_step(x, y) failed: {explain(error)}")
        if loss is None:
            fail("train_step returns None; return the loss so the training loop can report it")
        losses.append(float(keras.ops.convert_to_numpy(loss)))
    (flags,) = [layer.seen for layer in model.layers if isinstance(layer, TrainingFlagProbe)]
    return {
        "weights": [keras.ops.convert_to_numpy(v) for v in model.trainable_variables],
        "losses": losses,
        "compiled": isinstance(step, tf.types.experimental.PolymorphicFunction),
        "training": True in flags,
    }


# The probe calls of a train-step factory (see ``probes``): the checks run it for 1 and for 3 steps.
PROBE_CALLS = {"make_train_step": {f"{steps} steps": functools.partial(_train, steps=steps) for steps in (1, 3)}}


def run_train_step(make_train_step, name, steps=3):
    """What ``make_train_step`` did in ``steps`` steps on the probe classifier: ``{weights, losses, compiled,
    training}``, or a failure naming its error. At batch grading it is the recording of the same run."""
    return probes.call(make_train_step, name, f"{steps} steps", PROBE_CALLS["make_train_step"])


def require_train_step_matches_reference(make_train_step, name, steps=3):
    """The step's weights and losses equal eager gradient descent, step for step."""
    run = run_train_step(make_train_step, name, steps)
    expected_model, loss_fn, optimizer = probe_classifier()
    x, y = probe_batch((4,)), np.arange(8) % 3
    expected_losses = [float(reference_step(expected_model, loss_fn, optimizer, x, y)) for _ in range(steps)]
    expected = [keras.ops.convert_to_numpy(v) for v in expected_model.trainable_variables]
    if [np.shape(w) for w in run["weights"]] != [w.shape for w in expected]:
        fail("make_train_step changed the shapes of the model's weights; update the weights, never replace them")
    for got, want in zip(run["weights"], expected, strict=True):
        if not np.allclose(got, want, atol=1e-5):
            fail(
                f"after {steps} steps the weights differ from gradient descent; apply "
                "optimizer.apply_gradients(zip(grads, model.trainable_variables)) once per step"
            )
    if not np.allclose(run["losses"], expected_losses, rtol=1e-4, atol=1e-4):
        fail(
            f"train_step returned losses {np.round(run['losses'], 4).tolist()} where loss_fn(y, predictions) gives "
            f"{np.round(expected_losses, 4).tolist()}; return the loss computed inside the tape"
        )


def require_train_step_compiled(make_train_step, name):
    if not run_train_step(make_train_step, name, steps=1)["compiled"]:
        fail("train_step runs eagerly (slowly); decorate it with @tf.function")


def require_train_step_training_mode(make_train_step, name):
    if not run_train_step(make_train_step, name, steps=1)["training"]:
        fail(
            "train_step calls the model in inference mode, so dropout and batch normalization never "
            "train; call model(x, training=True)"
        )
