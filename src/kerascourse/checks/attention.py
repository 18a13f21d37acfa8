"""Checks for lesson 11 (attention): tokens and padding masks, scaled dot-product attention, and a
Transformer encoder classifier against a bag-of-words baseline. BERT's questions: ``checks.bert``."""

import keras
import numpy as np

from kerascourse.checks import (
    model_accuracy,
    probes,
    require_array,
    require_at_least,
    require_defined,
    require_model,
    require_number,
)
from kerascourse.checks.answers import fail

# q2's probe: 2 sequences of 3 queries over 5 keys of depth 4, values of depth 6 (so that no axis is
# mistaken for another); the second sequence's last two keys are padding.
_RNG = np.random.default_rng(0)
PROBE_QUERY = _RNG.normal(size=(2, 3, 4)).astype(np.float32) * 2
PROBE_KEY = _RNG.normal(size=(2, 5, 4)).astype(np.float32) * 2
PROBE_VALUE = _RNG.normal(size=(2, 5, 6)).astype(np.float32)
PROBE_MASK = np.ones((2, 1, 5), dtype=bool)
PROBE_MASK[1, 0, 3:] = False
PROBE_CALLS = {
    "scaled_dot_product_attention": {
        "unmasked": ((PROBE_QUERY, PROBE_KEY, PROBE_VALUE), {}),
        "masked": ((PROBE_QUERY, PROBE_KEY, PROBE_VALUE), {"mask": PROBE_MASK}),
    },
}
POSITION_LAYERS = {"TokenAndPositionEmbedding", "PositionEmbedding", "SinePositionEncoding", "RotaryEmbedding"}
EMBEDDING_LAYERS = {"Embedding", "TokenAndPositionEmbedding", "ReversibleEmbedding"}


# --- q1: a vocabulary, tokens and a padding mask --------------------------------------------


def reference_vocabulary(texts, max_tokens):
    """The vocabulary ``TextVectorization(max_tokens=...)`` adapts on ``texts``."""
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens)
    vectorizer.adapt(np.asarray(texts))
    return vectorizer.get_vocabulary()


def tokenize(texts, vocabulary, length):
    """The ids a TextVectorization with ``vocabulary`` gives ``texts``, each row cut or padded to ``length``."""
    vectorizer = keras.layers.TextVectorization(vocabulary=list(vocabulary), output_sequence_length=length)
    return np.asarray(vectorizer(np.asarray(texts)))


def require_vocabulary(vocabulary, train_texts, test_texts, max_tokens):
    """``vocabulary`` is what TextVectorization adapts on the training reviews; returns it as a list."""
    require_defined(vocabulary, "vocabulary")
    if not isinstance(vocabulary, (list, tuple)) or not all(isinstance(word, str) for word in vocabulary):
        fail(f"vocabulary is a {type(vocabulary).__name__}; store vectorizer.get_vocabulary(), a list of strings")
    vocabulary = list(vocabulary)
    if vocabulary[:2] != ["", "[UNK]"]:
        fail(
            f"vocabulary starts {vocabulary[:2]}; TextVectorization keeps index 0 for padding ('') and 1 for "
            "unknown words ('[UNK]'): store vectorizer.get_vocabulary() as it is"
        )
    if vocabulary == reference_vocabulary(train_texts, max_tokens):
        return vocabulary
    if vocabulary == reference_vocabulary(test_texts, max_tokens):
        fail(
            "vocabulary was adapted on the test reviews; adapt the vectorizer on train_texts only, so that "
            "nothing about the test data shapes the model"
        )
    missing = sorted(set(reference_vocabulary(train_texts, None)) - set(vocabulary))
    if missing:
        fail(
            f"vocabulary lacks {len(missing)} training words (such as '{missing[0]}'), which all become [UNK]; "
            f"give TextVectorization max_tokens=VOCAB_SIZE ({max_tokens}) so that every word gets its own id"
        )
    fail("vocabulary is not what TextVectorization(max_tokens=VOCAB_SIZE) adapts on train_texts; adapt on train_texts")


def require_tokens(tokens, vocabulary, texts, length, name):
    """``tokens`` are the reviews' ids under ``vocabulary``, padded or cut to ``length``."""
    split = name.split("_")[0]
    tokens = require_array(tokens, name, f"store np.asarray(vectorizer({split}_texts))")
    if tokens.shape != (len(texts), length):
        fail(
            f"{name} has shape {tokens.shape}; one row of SEQUENCE_LENGTH ({length}) ids per review gives "
            f"{(len(texts), length)}: give TextVectorization output_sequence_length=SEQUENCE_LENGTH"
        )
    expected = tokenize(texts, vocabulary, length)
    if not np.array_equal(tokens, expected):
        row = int(np.argmax(np.any(tokens != expected, axis=1)))
        fail(
            f"{name}[{row}] is {tokens[row].tolist()} but the vectorizer maps that review to "
            f"{expected[row].tolist()}; store vectorizer({split}_texts), in the order of {split}_texts"
        )


def require_token_shapes(tokens, mask, length):
    """One row of ``length`` ids per review, and a mask of the same shape."""
    tokens = require_array(tokens, "train_tokens", "store np.asarray(vectorizer(train_texts))")
    require_defined(mask, "train_mask")
    if tokens.ndim != 2 or tokens.shape[1] != length:
        fail(
            f"train_tokens has shape {tokens.shape}; give TextVectorization "
            f"output_sequence_length=SEQUENCE_LENGTH ({length})"
        )
    _require_mask_shape(mask, tokens)


def _require_mask_shape(mask, tokens):
    if np.shape(mask) != np.shape(tokens):
        fail(
            f"train_mask has shape {np.shape(mask)}; it marks each token, so it has train_tokens' shape "
            f"{np.shape(tokens)}"
        )


def require_mask(mask, tokens):
    """``mask`` is True at each real word and False at padding."""
    require_defined(mask, "train_mask")
    mask, tokens = np.asarray(mask), np.asarray(tokens)
    _require_mask_shape(mask, tokens)
    if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
        fail(
            "train_mask holds values other than True and False; compare the tokens with the padding id: "
            "train_tokens != 0"
        )
    mask = mask.astype(bool)
    if np.array_equal(mask, tokens == 0):
        fail(
            "train_mask is True at the padding and False at the words, the wrong way round; a mask marks what "
            "attention may look at: train_tokens != 0"
        )
    if not np.array_equal(mask, tokens != 0):
        fail("train_mask is not True exactly where train_tokens holds a word; the padding id is 0: train_tokens != 0")


# --- q2: scaled dot-product attention -------------------------------------------------------


def _softmax(scores, axis=-1):
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def reference_attention(query, key, value, mask=None, scale=True, axis=-1):
    """``(output, weights)`` of scaled dot-product attention; the keyword arguments make known mistakes."""
    scores = query @ np.swapaxes(key, -1, -2)
    if scale:
        scores = scores / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    weights = _softmax(scores, axis=axis)
    return weights @ value, weights


def attention_result(fn, key):
    """``(output, weights)`` that the student's function returns on the probe call ``key``, as arrays."""
    result = probes.call(fn, "scaled_dot_product_attention", key, PROBE_CALLS["scaled_dot_product_attention"])
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        fail(
            "scaled_dot_product_attention should return two things, the output and the attention weights: "
            "return output, weights"
        )
    output, weights = (np.asarray(part, dtype=np.float64) if not isinstance(part, dict) else None for part in result)
    shapes = {"output": (2, 3, 6), "weights": (2, 3, 5)}
    for name, got in (("output", output), ("weights", weights)):
        if got is None or got.shape != shapes[name]:
            fail(
                f"for 2 sequences of 3 queries over 5 keys and values of depth 6, the {name} should have shape "
                f"{shapes[name]}, not {getattr(got, 'shape', None)}; scores are query @ key transposed on its last "
                "two axes (ops.swapaxes(key, -1, -2)), (batch, queries, keys), and the output is weights @ value"
            )
    return output, weights


def require_attention(fn):
    """Scores scaled by 1/sqrt(d), a softmax over the keys, and padded keys never attended."""
    query, key, value = PROBE_QUERY, PROBE_KEY, PROBE_VALUE
    output, weights = attention_result(fn, "unmasked")
    if np.allclose(weights, reference_attention(query, key, value, None, False)[1], atol=1e-4):
        fail(
            "the weights are the softmax of query @ key without the scale; divide the scores by sqrt(d), the "
            "square root of the query depth (here 2), so that they do not grow with the depth and saturate the softmax"
        )
    if np.allclose(weights, reference_attention(query, key, value, None, True, -2)[1], atol=1e-4):
        fail(
            "the weights sum to 1 over the queries, not over the keys; take the softmax over the last axis "
            "(axis=-1), so that each query spreads its attention over the keys"
        )
    expected_output, expected_weights = reference_attention(query, key, value)
    if not np.allclose(weights, expected_weights, atol=1e-4):
        fail(
            "the weights are not softmax(query @ key transposed / sqrt(d)) over the keys; compute the scores, "
            "scale them, then softmax(axis=-1)"
        )
    if not np.allclose(output, expected_output, atol=1e-4):
        fail("the output is not weights @ value; multiply the attention weights by the values")
    output, weights = attention_result(fn, "masked")
    padded = weights[1, :, 3:]
    if np.abs(padded).max() > 1e-4:
        fail(
            f"with the mask, the padded keys still get weights up to {np.abs(padded).max():.2f}; where mask is False "
            "set the scores to a large negative number before the softmax (ops.where(mask, scores, -1e9)), so that "
            "padding gets no attention"
        )
    expected_output, expected_weights = reference_attention(query, key, value, PROBE_MASK)
    if not (np.allclose(weights, expected_weights, atol=1e-4) and np.allclose(output, expected_output, atol=1e-4)):
        fail(
            "with the mask, the weights or output differ from masked attention; mask the scores (not the weights) "
            "before the softmax"
        )


def require_matches_layer(difference):
    """The student's attention, fed the projections of a ``MultiHeadAttention`` layer, reproduced its output."""
    difference = require_number(
        difference, "attention_difference", "the largest absolute difference of the two outputs"
    )
    if not difference < 1e-4:
        fail(
            f"attention_difference is {difference:.3g}; with the layer's own projections and its attention mask "
            "your function should give the layer's output to within 1e-4: check the scale, the softmax axis and "
            "the mask"
        )


# --- q3: a Transformer encoder against a bag of words ----------------------------------------


def layer_configs(model):
    """Each layer's config by name (a functional model names them beside the config, a Sequential's inside)."""
    return {layer.get("name") or layer["config"]["name"]: layer for layer in model.get_config().get("layers", [])}


def parents(layer_config):
    """The names of the layers whose outputs a functional model's layer reads."""
    found = []

    def visit(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                found.append(value["config"]["keras_history"][0])
            else:
                for item in value.values():
                    visit(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)

    visit(layer_config.get("inbound_nodes", []))
    return found


def _downstream_of(configs, kinds):
    """The names of the layers that read, at any depth, a layer of one of the classes ``kinds``."""
    memo = {}

    def below(name):
        if name not in memo:
            memo[name] = False
            sources = [p for p in parents(configs[name]) if p in configs]
            memo[name] = any(configs[p]["class_name"] in kinds or below(p) for p in sources)
        return memo[name]

    return {name for name in configs if below(name)}


def require_encoder(model, length):
    """A Transformer encoder classifier: positions, a padding mask, attention with a residual connection,
    layer normalization."""
    model = require_model(model, "transformer")
    if not isinstance(model, keras.Model) or not hasattr(model, "get_config") or "layers" not in model.get_config():
        fail(
            "transformer should be a functional keras.Model built from keras.Input(shape=(SEQUENCE_LENGTH,)) "
            "to its output"
        )
    configs = layer_configs(model)
    kinds = {config["class_name"] for config in configs.values()}
    if "MultiHeadAttention" not in kinds:
        fail(
            "transformer has no MultiHeadAttention layer; the encoder block starts with self-attention, "
            "layers.MultiHeadAttention(...)(x, x)"
        )
    if "LayerNormalization" not in kinds:
        fail(
            "transformer has no LayerNormalization; normalise after each residual sum: "
            "layers.LayerNormalization()(x + attention)"
        )
    if not kinds & POSITION_LAYERS:
        fail(
            "transformer has no position embedding, so attention sees the reviews as bags of words and cannot tell "
            "'not great but dull' from 'great but not dull'; embed the tokens with "
            "keras_hub.layers.TokenAndPositionEmbedding, which adds a learned embedding of each position"
        )
    embeddings = [config for config in configs.values() if config["class_name"] in EMBEDDING_LAYERS]
    masking = any(config["config"].get("mask_zero") for config in embeddings)
    if not masking:
        fail(
            "transformer attends to the padding: its embedding does not mask token 0; give it mask_zero=True, so that "
            "MultiHeadAttention and the pooling skip the padded positions"
        )
    attention = {name for name, config in configs.items() if config["class_name"] == "MultiHeadAttention"}
    after_attention = attention | _downstream_of(configs, {"MultiHeadAttention"})
    residual = any(  # a sum of an attention path and a path that bypasses it
        config["class_name"] == "Add"
        and any(p in after_attention for p in parents(config))
        and any(p not in after_attention for p in parents(config))
        for config in configs.values()
    )
    if not residual:
        fail(
            "transformer has no residual connection around its attention: nothing adds the block's input to the "
            "attention output; add them, layers.Add()([x, attention]), before the LayerNormalization"
        )


def require_beats_bag_of_words(transformer, bow, vocabulary, test_texts, test_labels, length, minimum):
    """The grader's test accuracy of both models: the encoder reaches the bar and beats the baseline."""
    tokens = tokenize(test_texts, vocabulary, length)
    encoder = model_accuracy(require_model(transformer, "transformer"), tokens, test_labels)
    baseline = model_accuracy(require_model(bow, "bow"), tokens, test_labels)
    require_at_least(
        encoder, "transformer's test accuracy", "train it for EPOCHS epochs on train_tokens", minimum=minimum
    )
    if encoder <= baseline:
        fail(
            f"transformer's test accuracy {encoder:.3f} does not beat the bag of words' {baseline:.3f}; an encoder "
            "that reads word order should: check its positions, mask and residual connections"
        )
    return encoder, baseline
