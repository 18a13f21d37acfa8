"""Lesson 11's checks on answers the sample notebooks do not hold: malformed answers get a sentence that
names the fix, never a framework's error. (The known mistakes and alternatives are graded by the batch
tests, through the lesson's samples.)"""

import keras
import numpy as np
from failing import fails_with
from keras import layers, ops

from kerascourse.checks import attention as ac
from kerascourse.checks import bert as bc
from kerascourse.course import data

TEXTS = np.array([b"the plot was great", b"the cast was not dull but the ending was weak"])


def attention(query, key, value, mask=None):
    scores = ops.matmul(query, ops.swapaxes(key, -1, -2)) / ops.sqrt(ops.cast(ops.shape(query)[-1], "float32"))
    if mask is not None:
        scores = ops.where(mask, scores, -1e9)
    weights = ops.softmax(scores, axis=-1)
    return ops.matmul(weights, value), weights


def test_attention_accepts_the_reference_and_explains_malformed_functions():
    ac.require_attention(attention)
    fails_with("return two things", ac.require_attention, lambda q, k, v, mask=None: attention(q, k, v, mask)[0])
    fails_with("should have shape (2, 3, 6)", ac.require_attention, lambda q, k, v, mask=None: attention(q, k, k, mask))
    message = fails_with(
        "scaled_dot_product_attention(", ac.require_attention,
        lambda q, k, v, mask=None: attention(q, k, v, None if mask is None else mask[..., :2]),
    )
    assert "failed" in message


def test_attention_names_weights_that_are_not_attention_and_an_output_that_is_not_weights_at_values():
    fails_with("softmax(query @ key transposed / sqrt(d))", ac.require_attention,
               lambda q, k, v, mask=None: attention(q * 3.0, k, v, mask))
    fails_with("the output is not weights @ value", ac.require_attention,
               lambda q, k, v, mask=None: (attention(q, k, v, mask)[0] * 2.0, attention(q, k, v, mask)[1]))


def test_layer_comparison_wants_a_small_number():
    ac.require_matches_layer(3e-7)
    fails_with("check the scale, the softmax axis and the mask", ac.require_matches_layer, 0.3)
    fails_with("attention_difference", ac.require_matches_layer, "small")


def test_tokens_and_mask_checks_read_the_student_vocabulary():
    vocabulary = ac.reference_vocabulary(TEXTS, None)
    tokens = ac.tokenize(TEXTS, vocabulary, 6)
    assert tokens.shape == (2, 6) and tokens[0, 4:].tolist() == [0, 0] and (tokens[1] != 0).all()
    ac.require_tokens(tokens, vocabulary, TEXTS, 6, "train_tokens")
    fails_with("output_sequence_length=SEQUENCE_LENGTH", ac.require_tokens, tokens[:, :4], vocabulary, TEXTS, 6,
               "train_tokens")
    fails_with("test_tokens[0] is", ac.require_tokens, tokens[::-1], vocabulary, TEXTS, 6, "test_tokens")
    ac.require_mask((tokens != 0).astype(int), tokens)  # 0 and 1 are a mask too
    fails_with("other than True and False", ac.require_mask, np.where(tokens != 0, 2, 0), tokens)
    fails_with("train_tokens' shape", ac.require_mask, (tokens != 0)[:, :3], tokens)


def test_vocabulary_must_be_the_list_of_words_that_adapt_gives():
    train, test = data.load_arrays("imdb_reviews", "train"), data.load_arrays("imdb_reviews", "test")
    vocabulary = ac.require_vocabulary(ac.reference_vocabulary(train[0], 100), train[0], test[0], 100)
    fails_with("a list of strings", ac.require_vocabulary, np.arange(3), train[0], test[0], 100)
    fails_with("index 0 for padding", ac.require_vocabulary, vocabulary[1:], train[0], test[0], 100)
    shuffled = vocabulary[:2] + vocabulary[:1:-1]
    message = fails_with("adapts on train_texts", ac.require_vocabulary, shuffled, train[0], test[0], 100)
    assert "np.str_" not in message


def _encoder_without_positions():
    inputs = keras.Input(shape=(8,), dtype="int32")
    x = layers.Embedding(20, 8, mask_zero=True)(inputs)
    x = layers.LayerNormalization()(layers.Add()([x, layers.MultiHeadAttention(num_heads=1, key_dim=4)(x, x)]))
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(x)))


def test_encoder_checks_read_the_config_of_any_functional_model():
    fails_with("no MultiHeadAttention", ac.require_encoder, keras.Sequential([keras.Input((8,)), layers.Dense(1)]), 8)
    fails_with("no position embedding", ac.require_encoder, _encoder_without_positions(), 8)
    fails_with("transformer is a", ac.require_encoder, "model", 8)


def test_bert_checks_name_a_model_without_a_backbone_and_a_head_of_the_wrong_size():
    inputs = keras.Input(shape=(4,))
    plain = keras.Model(inputs, layers.Dense(2)(inputs))
    fails_with("holds no BERT backbone", bc.require_head, plain, "bert_classifier")
    backbone = bc.preset_backbone()
    pooled = layers.GlobalAveragePooling1D()(backbone.output["sequence_output"], mask=backbone.input["padding_mask"])
    three = keras.Model(backbone.input, layers.Dense(3)(pooled))
    fails_with("ends in Dense(2)", bc.require_head, three, "bert_classifier")
    assert bc.similarity(three, "bert_classifier") > 0.99  # the preset's own embeddings


def test_bert_head_must_pool_under_the_padding_mask():
    backbone = bc.preset_backbone()
    unmasked = layers.GlobalAveragePooling1D()(backbone.output["sequence_output"])
    classifier = keras.Model(backbone.input, layers.Dense(2)(unmasked))
    classifier.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    fails_with("averages the padding into each review's vector", bc.require_head, classifier, "bert_classifier")
