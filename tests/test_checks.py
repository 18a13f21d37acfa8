"""Every check passes on valid answers and fails on known mistakes with a message that names the fix."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from failing import fails_with
from keras import layers
from train_steps import good_factory

from kerascourse import checks


def mlp(*body, input_shape=(28, 28, 1)):
    return keras.Sequential([keras.Input(shape=input_shape), *body])


GOOD = mlp(layers.Flatten(), layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax"))


def test_describes_layers_and_models():
    assert checks.describe_model(GOOD) == "Flatten -> Dense(32, relu) -> Dense(10, softmax)"
    assert checks.describe_layer(layers.Dropout(0.25)) == "Dropout(0.25)"
    assert checks.describe_layer(layers.Conv2D(8, 3, activation="relu")) == "Conv2D(8, (3, 3), relu)"
    assert checks.describe_layer(layers.Activation("tanh")) == "Activation(tanh)"


def test_output_activation_skips_dropout_and_reads_activation_layers():
    assert checks.output_activation(mlp(layers.Flatten(), layers.Dense(10), layers.Softmax(), layers.Dropout(0.1))) == (
        "softmax"
    )
    assert checks.output_kind(mlp(layers.Flatten(), layers.Dense(10))) == "logits"
    assert checks.output_kind(GOOD) == "probabilities"


class Wrapper(keras.Model):
    """A subclassed model that cannot describe itself with get_config()."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def call(self, x):
        return self.inner(x)


def test_nested_models_apply_no_activation_of_their_own():
    assert checks.activation_of(GOOD) is None
    assert checks.activation_of(Wrapper(GOOD)) is None  # its get_config() raises NotImplementedError
    assert [checks.activation_of(layer) for layer in checks.all_layers(mlp(Wrapper(GOOD)))] == [
        None, None, None, "relu", "softmax"
    ]


def test_require_model():
    checks.require_model(GOOD, "mlp")
    fails_with("mlp is a list, not a Keras model", checks.require_model, [layers.Dense(3)], "mlp")
    for check in (checks.require_output_shape, checks.require_input_shape):
        fails_with("mlp is a ellipsis, not a Keras model", check, ..., (10,), "mlp")
    fails_with("mlp is a ellipsis, not a Keras model", checks.require_compiled, ..., "mlp")


def test_input_shape():
    checks.require_input_shape(GOOD, (28, 28, 1), "mlp")
    fails_with("start it with keras.Input(shape=(28, 28, 1))", checks.require_input_shape,
               keras.Sequential([layers.Dense(3)]), (28, 28, 1), "mlp")
    fails_with("takes inputs of shape (784,)", checks.require_input_shape,
               mlp(layers.Dense(10), input_shape=(784,)), (28, 28, 1), "mlp")


def test_output_shape_names_missing_flatten_and_units():
    checks.require_output_shape(GOOD, (10,), "mlp")
    message = fails_with("add layers.Flatten() before the first Dense layer", checks.require_output_shape,
                         mlp(layers.Dense(10, activation="softmax")), (10,), "mlp")
    assert "(28, 28, 10)" in message
    fails_with("the output layer needs 10 units", checks.require_output_shape,
               mlp(layers.Flatten(), layers.Dense(1)), (10,), "mlp")


def test_hidden_nonlinearity():
    checks.require_hidden_nonlinearity(GOOD, "mlp")
    checks.require_hidden_nonlinearity(mlp(layers.Flatten(), layers.Dense(8), layers.ReLU(), layers.Dense(10)), "mlp")
    fails_with("give the hidden Dense layers activation='relu'", checks.require_hidden_nonlinearity,
               mlp(layers.Flatten(), layers.Dense(8), layers.Dense(10, activation="softmax")), "mlp")


@pytest.mark.parametrize(
    "last, problem, phrase",
    [
        (
            layers.Dense(10, activation="sigmoid"),
            "multiclass",
            "layer 3 is Dense(10, sigmoid); a multiclass output needs softmax",
        ),
        (layers.Dense(10, activation="relu"), "multiclass", "needs softmax"),
        (layers.Dense(1, activation="softmax"), "binary", "softmax over one unit always outputs 1.0"),
        (layers.Dense(1, activation="relu"), "regression", "a regression output must be able to take any value"),
        (layers.Dense(1, activation="tanh"), "binary", "a binary output needs sigmoid"),
    ],
)
def test_output_activation_mistakes(last, problem, phrase):
    model = mlp(layers.Flatten(), layers.Dense(8, activation="relu"), last)
    fails_with(phrase, checks.require_output_activation, model, problem, "mlp")


@pytest.mark.parametrize(
    "last, problem",
    [
        (layers.Dense(10, activation="softmax"), "multiclass"),
        (layers.Dense(10), "multiclass"),
        (layers.Dense(1, activation="sigmoid"), "binary"),
        (layers.Dense(1), "regression"),
    ],
)
def test_output_activation_accepts(last, problem):
    checks.require_output_activation(mlp(layers.Flatten(), last), problem, "mlp")


def test_param_count_and_trainable():
    checks.require_param_count(GOOD, "mlp", low=1_000, high=100_000)
    fails_with("has 25,450 parameters", checks.require_param_count, GOOD, "mlp", low=1, high=1_000)
    frozen = mlp(layers.Flatten(), layers.Dense(10))
    frozen.trainable = False
    fails_with("mlp.trainable is False; set it to True", checks.require_trainable, frozen, "mlp")


@pytest.mark.parametrize(
    "loss, problem, output",
    [
        ("sparse_categorical_crossentropy", "multiclass", "probabilities"),
        (keras.losses.SparseCategoricalCrossentropy(), "multiclass", "probabilities"),
        (keras.losses.sparse_categorical_crossentropy, "multiclass", "probabilities"),
        (keras.losses.SparseCategoricalCrossentropy(from_logits=True), "multiclass", "logits"),
        ("binary_crossentropy", "binary", "probabilities"),
        (keras.losses.BinaryCrossentropy(from_logits=True), "binary", "logits"),
        ("categorical_crossentropy", "multiclass_onehot", "probabilities"),
        ("mse", "regression", "logits"),
        (keras.losses.MeanSquaredError(), "regression", "logits"),
        ("mae", "regression", "logits"),
        (keras.losses.Huber(), "regression", "logits"),
    ],
)
def test_losses_accepted(loss, problem, output):
    checks.require_loss(loss, problem, output)


@pytest.mark.parametrize(
    "loss, problem, output, phrase",
    [
        ("mse", "multiclass", "probabilities", "mean_squared_error, not a classification loss"),
        ("categorical_crossentropy", "multiclass", "probabilities", "expects one-hot labels"),
        ("sparse_categorical_crossentropy", "multiclass_onehot", "probabilities", "expects integer labels"),
        ("binary_crossentropy", "regression", "logits", "a classification loss; regression predicts a number"),
        ("binary_crossentropy", "multiclass", "probabilities", "use sparse_categorical_crossentropy"),
        ("sparse_categorical_crossentropy", "multiclass", "logits", "SparseCategoricalCrossentropy(from_logits=True)"),
        (keras.losses.BinaryCrossentropy(from_logits=True), "binary", "probabilities", "drop from_logits=True"),
        (None, "binary", "probabilities", "is missing; use binary_crossentropy"),
    ],
)
def test_loss_mistakes(loss, problem, output, phrase):
    fails_with(phrase, checks.require_loss, loss, problem, output)


def compiled(**kwargs):
    model = keras.models.clone_model(GOOD)
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], **kwargs})
    return model


RATES = {"min_rate": 1e-5, "max_rate": 0.3}  # the shape of 03 q3's bars


def test_compile_checks_accept_valid_settings():
    for model in (
        compiled(),
        compiled(optimizer=keras.optimizers.SGD(0.05, momentum=0.9)),
        compiled(optimizer="rmsprop", metrics=[keras.metrics.SparseCategoricalAccuracy()]),
    ):
        checks.require_optimizer(model, "mlp", **RATES)
        checks.require_accuracy_metric(model, "mlp")


def test_compile_mistakes():
    fails_with("mlp is not compiled; call mlp.compile(", checks.require_compiled, keras.models.clone_model(GOOD), "mlp")
    fails_with("so large that training diverges", checks.require_optimizer,
               compiled(optimizer=keras.optimizers.SGD(10.0)), "mlp", **RATES)
    fails_with("so small that training barely moves", checks.require_optimizer,
               compiled(optimizer=keras.optimizers.Adam(1e-8)), "mlp", **RATES)
    fails_with("uses the Adagrad optimizer", checks.require_optimizer, compiled(optimizer="adagrad"), "mlp", **RATES)
    fails_with("compares predictions with labels exactly", checks.require_accuracy_metric,
               compiled(metrics=[keras.metrics.Accuracy()]), "mlp")
    fails_with("categorical_accuracy expects one-hot labels", checks.require_accuracy_metric,
               compiled(metrics=["categorical_accuracy"]), "mlp")
    fails_with("tracks no accuracy", checks.require_accuracy_metric, compiled(metrics=[]), "mlp")


def test_heads():
    checks.require_head(layers.Dense(1, activation="sigmoid"), "binary_crossentropy", "binary", 1, "binary_head")
    checks.require_head([layers.Dense(10), layers.Softmax()], "sparse_categorical_crossentropy", "multiclass", 10, "h")
    fails_with("regression_head holds a str; give a Keras layer", checks.require_head, "Dense(1)", "mse",
               "regression", 1, "regression_head")
    fails_with("binary_head is not available to the grader: the notebook does not define it", checks.require_head,
               checks.Unavailable("the notebook does not define it"), "mse", "binary", 1, "binary_head")
    fails_with("the loss for h is not available to the grader", checks.require_head, layers.Dense(1), None, "binary",
               1, "h")
    fails_with("needs 1 units", checks.require_head, layers.Dense(2), "mse", "regression", 1, "regression_head")


def test_require_close():
    checks.require_close([1.0, 2.0], [1.0, 2.00001], "the loss")
    fails_with("is off by up to 0.5", checks.require_close, [1.0, 2.5], [1.0, 2.0], "the loss")
    fails_with("has shape (3,)", checks.require_close, [1.0, 2.0, 3.0], [1.0, 2.0], "the loss")


def eager_factory(model, loss_fn, optimizer):
    return good_factory(model, loss_fn, optimizer).python_function


def inference_mode_factory(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    return train_step


def ascent_factory(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
            uphill = -loss
        grads = tape.gradient(uphill, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    return train_step


def no_gradients_factory(model, loss_fn, optimizer):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
        loss = loss_fn(y, predictions)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    return train_step


def test_train_step_checks():
    checks.require_train_step_compiled(good_factory, "make_train_step")
    checks.require_train_step_matches_reference(good_factory, "make_train_step", steps=3)
    checks.require_train_step_training_mode(good_factory, "make_train_step")
    fails_with("decorate it with @tf.function", checks.require_train_step_compiled, eager_factory, "make_train_step")
    fails_with("call model(x, training=True)", checks.require_train_step_training_mode, inference_mode_factory, "m")
    fails_with("the weights differ from gradient descent", checks.require_train_step_matches_reference,
               ascent_factory, "make_train_step")
    fails_with("found no gradients", checks.require_train_step_compiled, no_gradients_factory, "make_train_step")
    fails_with("returned a NoneType", checks.require_train_step_compiled, lambda *args: None, "make_train_step")
    fails_with("failed: TypeError", checks.require_train_step_compiled, lambda model: None, "make_train_step")


def test_train_step_that_returns_another_loss_is_named():
    def doubled(model, loss_fn, optimizer):
        step = good_factory(model, loss_fn, optimizer)
        return tf.function(lambda x, y: 2.0 * step(x, y))

    fails_with("return the loss computed inside the tape", checks.require_train_step_matches_reference,
               doubled, "make_train_step")


def test_validating_on_the_test_split_or_the_training_data_is_named():
    rng = np.random.default_rng(0)
    train, validation, test = (
        (rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)) for _ in range(3)
    )

    def trained(validation_data):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model, model.fit(*train, validation_data=validation_data, epochs=2, verbose=0)

    check = checks.require_validated_on_validation_split
    check(*trained(validation), validation, test, "model", "history", "val_ds")
    fails_with("the test data watched over training", check, *trained(test), validation, test, "model", "history",
               "val_ds")
    fails_with("not model's loss on the validation split", check, *trained(train), validation, test, "model",
               "history", "val_ds")


def test_model_loss_and_outputs_agree_with_evaluate_and_predict_on_an_overfitted_softmax():
    """The checks call models eagerly; their loss must still be the one fit records, including where a
    softmax is confidently wrong (the loss reads its logits, not clipped probabilities)."""
    rng = np.random.default_rng(0)
    x, y = 10 * rng.normal(size=(300, 20)).astype("float32"), rng.integers(0, 5, size=300)  # large: saturating
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((20,)), layers.Dense(64, activation="relu"), layers.Dense(5, activation="softmax")]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    history = model.fit(x[:200], y[:200], validation_data=(x[200:], y[200:]), epochs=40, batch_size=32, verbose=0)
    loss = checks.model_loss(model, (x[200:], y[200:]), batch_size=64)
    assert loss > 2 * history.history["loss"][-1], "the model should have overfitted"
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    assert loss == pytest.approx(model.evaluate(x[200:], y[200:], verbose=0), rel=1e-5)
    probabilities = checks.outputs(model, x[200:], batch_size=64)
    clipped = float(model.compute_loss(y=y[200:], y_pred=probabilities, training=False))
    assert abs(clipped - loss) > 1e-3 * loss, "this model should show the drift that reading probabilities gives"
    assert np.allclose(checks.outputs(model, x, batch_size=64), model.predict(x, verbose=0), atol=1e-5)
