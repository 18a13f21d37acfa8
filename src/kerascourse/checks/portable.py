"""Answers written the ways tutorials write them, as plain Keras that every grading path reads alike.

Two idioms do not survive the batch grader's trip out of the sandbox, because the trusted judge
rebuilds models only from configs that name Keras objects:

* a subclassed model or layer (``class Denoise(keras.Model)`` with ``__init__`` and ``call``):
  ``portable`` traces its ``call`` on a symbolic input into a functional model of the same layers
  (shared weights, same compile settings), which checks read like any Sequential model;
* an activation given as a TensorFlow function (``activation=tf.nn.softmax``, saved as
  ``softmax_v2``): ``activation_name`` names it the Keras way, and ``with_keras_activations`` swaps
  it for the Keras function that computes the same thing before the model is saved.

The checks call ``portable`` on every model they read, so ``otter check``, Gradescope and the batch
grader all grade the same functional model; the exporter saves that model.
"""

import weakref

import keras
import tensorflow as tf

from kerascourse.checks.answers import explain

# TensorFlow functions whose saved names Keras cannot load, and the Keras functions that compute the same
TF_ACTIVATIONS = {
    tf.nn.softmax: keras.activations.softmax,
    tf.nn.log_softmax: keras.activations.log_softmax,
    tf.nn.silu: keras.activations.silu,
    tf.math.exp: keras.activations.exponential,
}
TEXT_LAYERS = (keras.layers.TextVectorization, keras.layers.StringLookup)  # a model holding one reads strings
_TRACES = weakref.WeakKeyDictionary()


class NotPortable(ValueError):
    """A subclassed model whose ``call`` cannot be traced into Keras layers; the message says why."""


def is_custom(obj):
    """Whether ``obj`` is an instance of a layer or model class written outside Keras."""
    return isinstance(obj, keras.layers.Layer) and not type(obj).__module__.startswith("keras")


def holds_custom(layer):
    """Whether ``layer`` is, or nests at any depth, a subclassed model or layer."""
    return is_custom(layer) or any(holds_custom(inner) for inner in getattr(layer, "layers", []))


def portable(obj):
    """``obj`` itself, or when it is or holds a subclassed model or layer, a functional model of the same
    Keras layers (cached per object)."""
    if not isinstance(obj, keras.layers.Layer) or not holds_custom(obj):
        return obj
    if obj not in _TRACES:
        _TRACES[obj] = _rebuilt(obj)
    return _TRACES[obj]


def _rebuilt(obj):
    model = _trace(obj) if is_custom(obj) else obj
    if any(holds_custom(inner) for inner in model.layers):
        try:
            model = keras.models.clone_model(model, clone_function=portable)  # nested ones, each rebuilt
        except NotPortable:
            raise
        except Exception as error:  # noqa: BLE001 - an unusual graph may fail to rebuild in any way
            raise NotPortable(f"its layers could not be rebuilt as a functional model ({explain(error)})") from error
    model.trainable = obj.trainable
    if isinstance(obj, keras.Model) and obj.compiled:
        model.compile_from_config(obj.get_compile_config())
    return model


def _trace(obj):
    kind = type(obj).__name__
    if not obj.built:
        raise NotPortable(f"the {kind} has never been called, so its input shape is unknown; build or fit it first")
    shape = (obj.get_build_config() or {}).get("input_shape")
    if not isinstance(shape, (list, tuple)) or not shape or isinstance(shape[0], (list, tuple, dict)):
        raise NotPortable(f"the {kind} takes several inputs; give it one input tensor")
    inputs = keras.Input(shape=tuple(shape[1:]), dtype="string" if _reads_text(obj) else "float32")
    try:
        return keras.Model(inputs, obj.call(inputs), name=obj.name)
    except Exception as error:  # noqa: BLE001 - a student's call may fail on symbolic inputs in any way
        raise NotPortable(
            f"its call() could not be traced with keras.Input ({explain(error)}); write call() with Keras layers "
            "and keras.ops only (no tf.* functions on the inputs)"
        ) from error


def _reads_text(layer):
    """Whether ``layer`` holds a layer that turns strings into numbers, so that its input is text."""
    return isinstance(layer, TEXT_LAYERS) or any(_reads_text(inner) for inner in getattr(layer, "layers", []))


def activation_name(fn):
    """The Keras name of an activation function, TensorFlow's included (``tf.nn.softmax`` is ``softmax``)."""
    return keras.activations.serialize(TF_ACTIVATIONS.get(fn, fn))


def keras_config(layer):
    """``layer.get_config()`` with a TensorFlow-function activation named the Keras way, so that
    ``from_config`` can rebuild it."""
    config = layer.get_config()
    activation = getattr(layer, "activation", None)
    if callable(activation) and activation in TF_ACTIVATIONS:
        config["activation"] = activation_name(activation)
    return config


def with_keras_activations(layer):
    """Swap every TensorFlow-function activation in ``layer`` and the layers inside it for its Keras twin,
    in place; returns ``layer``."""
    activation = getattr(layer, "activation", None)
    if callable(activation) and activation in TF_ACTIVATIONS:
        layer.activation = TF_ACTIVATIONS[activation]
    for inner in getattr(layer, "layers", []):
        with_keras_activations(inner)
    return layer
