"""Checks for lesson 11's BERT questions: a classification head on the pre-trained backbone, fine-tuned
gently, against the same network trained from scratch on the same budget."""

import functools

import keras
import numpy as np

from kerascourse.checks import (
    model_accuracy,
    output_kind,
    require_at_least,
    require_compiled,
    require_loss,
    require_model,
    require_reported_accuracy,
)
from kerascourse.checks.answers import fail
from kerascourse.checks.attention import layer_configs, parents
from kerascourse.course import data, language_model

# How alike a backbone's token embeddings are to the preset's (their correlation): gentle fine-tuning
# keeps them above 0.9, a backbone trained from its random start stays near 0.
PRETRAINED_SIMILARITY = 0.5


@functools.cache
def preset_backbone():
    return language_model.backbone(load_weights=True)


@functools.cache
def test_reviews(sequence_length):
    """The test reviews as the preset's preprocessor gives them to a backbone, and their labels."""
    texts, labels = data.load_arrays("imdb_reviews", "test")
    return language_model.preprocess(texts, sequence_length), labels


def _layers(layer):
    """``layer`` and every layer inside it, at any depth."""
    yield layer
    for inner in getattr(layer, "layers", []):
        yield from _layers(inner)


def token_embedding(model, name):
    """The BERT token embedding inside ``model``: a head built on ``backbone.output`` holds the backbone's
    layers themselves, one that calls ``backbone(...)`` holds the backbone."""
    model = require_model(model, name)
    for layer in _layers(model):
        if layer.name == "token_embedding" and hasattr(layer, "embeddings"):
            return layer
    fail(
        f"{name} holds no BERT backbone; build it on one: backbone = keras_hub.models.BertBackbone.from_preset("
        "BERT_PRESET), then keras.Model(backbone.input, ...) on backbone.output[\"sequence_output\"]"
    )


def similarity(model, name):
    """The correlation of the token embeddings in ``model`` with the pre-trained ones."""
    mine = keras.ops.convert_to_numpy(token_embedding(model, name).embeddings).ravel()
    reference = keras.ops.convert_to_numpy(preset_backbone().token_embedding.embeddings).ravel()
    if mine.shape != reference.shape:
        fail(
            f"{name}'s token embeddings have {mine.size} numbers, not the preset's {reference.size}; build its "
            "backbone with keras_hub.models.BertBackbone.from_preset(BERT_PRESET), unchanged"
        )
    return float(np.corrcoef(mine, reference)[0, 1])


def accuracy(model, sequence_length):
    """``model``'s accuracy on the test reviews, preprocessed for a BERT backbone."""
    return model_accuracy(model, *test_reviews(sequence_length))


def require_head(model, name):
    """A head on the backbone's sequence output that averages over the real tokens only, and a loss
    that fits the output."""
    model = require_model(model, name)
    token_embedding(model, name)
    outputs_shape = model.output_shape
    if not isinstance(outputs_shape, tuple) or outputs_shape[-1] not in (1, 2):
        fail(f"{name} outputs shape {outputs_shape}; a two-class head ends in Dense(2) (logits) or Dense(1, sigmoid)")
    configs = layer_configs(model)
    pools = [config for config in configs.values() if config["class_name"] == "GlobalAveragePooling1D"]
    if pools and not any("padding_mask" in _mask_sources(config) for config in pools):
        fail(
            f"{name} averages the padding into each review's vector; pass the backbone's padding mask to the "
            "pooling: layers.GlobalAveragePooling1D()(sequence, mask=backbone.input[\"padding_mask\"])"
        )
    require_compiled(model, name)
    problem = "binary" if outputs_shape[-1] == 1 else "multiclass"
    require_loss(model.loss, problem, output_kind(model), f"{name}'s loss")


def _mask_sources(config):
    """The names of the inputs a pooling layer's ``mask`` argument reads."""
    names = set()
    for node in config.get("inbound_nodes", []):
        mask = node.get("kwargs", {}).get("mask") if isinstance(node, dict) else None
        if mask is not None:
            names.update(parents({"inbound_nodes": [mask]}))
    return names


def require_fine_tuned(model, name, max_rate):
    """Started from the pre-trained weights and fine-tuned at a learning rate that keeps them."""
    model = require_model(model, name)
    require_compiled(model, name)
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    if rate > max_rate:
        fail(
            f"{name} fine-tunes at learning rate {rate:g}, large enough to overwrite what pre-training learned; "
            f"fine-tune gently, at {max_rate:g} or less (5e-4 works here)"
        )
    if similarity(model, name) < PRETRAINED_SIMILARITY:
        fail(
            f"{name}'s backbone does not start from the pre-trained weights: its embeddings are unlike the preset's; "
            "load them, keras_hub.models.BertBackbone.from_preset(BERT_PRESET), and do not re-initialise the backbone"
        )
    if not token_embedding(model, name).trainable:
        fail(f"{name}'s backbone is frozen; fine-tuning trains it too: leave backbone.trainable = True")


def require_accuracy(model, name, sequence_length, minimum):
    """The grader's test accuracy of ``model`` reaches the question's bar."""
    require_at_least(
        accuracy(model, sequence_length), f"{name}'s test accuracy",
        "fine-tune the pre-trained backbone for BERT_EPOCHS epochs at a small learning rate", minimum=minimum,
    )


def require_from_scratch(model, name):
    """The backbone starts from random weights: the pre-trained architecture without its weights."""
    if similarity(model, name) >= PRETRAINED_SIMILARITY:
        fail(
            f"{name}'s backbone starts from the pre-trained weights, so it is not trained from scratch; build it "
            "with keras_hub.models.BertBackbone.from_preset(BERT_PRESET, load_weights=False)"
        )


def require_same_budget(model, scratch, name, scratch_name):
    """Both models took the same number of optimizer steps."""
    steps = {
        key: int(keras.ops.convert_to_numpy(trained.optimizer.iterations))
        for key, trained in ((name, model), (scratch_name, scratch))
    }
    if steps[name] != steps[scratch_name]:
        fail(
            f"{scratch_name} trained for {steps[scratch_name]} steps and {name} for {steps[name]}; a fair comparison "
            "gives both the same budget: the same data, BERT_EPOCHS epochs and batch size"
        )


def require_reported(model, reported, name, reported_name, sequence_length):
    """``reported`` is ``model``'s test accuracy; returns the accuracy the grader measures."""
    return require_reported_accuracy(
        model, reported, *test_reviews(sequence_length), name, reported_name,
        f"{name}.evaluate(test_inputs, test_labels)[1]",
    )


def require_gain(model, scratch, sequence_length, minimum):
    """Pre-training helps: the fine-tuned model beats the one trained from scratch by ``minimum``."""
    gain = accuracy(model, sequence_length) - accuracy(scratch, sequence_length)
    require_at_least(
        gain, "the fine-tuned model's lead over the one trained from scratch",
        "fine-tune the pre-trained backbone, and train the same architecture from random weights on the same "
        "data and budget",
        minimum=minimum,
    )
