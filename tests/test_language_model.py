"""The pre-trained BERT offline: the course's preset at grading size, and the full-size code path
(``from_preset`` of a name) proved on a preset directory a test writes."""

import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf

from kerascourse.course import data, language_model
from kerascourse.course.builders import movie_reviews


def test_the_grading_preset_is_pre_trained_once_and_knows_praise_from_blame():
    preset = language_model.bert_preset("grading")
    assert preset == language_model.bert_preset("grading") and preset.endswith(language_model.PRESET_NAME)
    backbone = language_model.backbone(size="grading")
    fresh = language_model.backbone(load_weights=False, size="grading")
    assert backbone.count_params() == fresh.count_params()
    vocabulary = keras_hub.models.BertTokenizer.from_preset(preset).get_vocabulary()
    embeddings = {name: keras.ops.convert_to_numpy(b.token_embedding.embeddings) for name, b in
                  (("pre-trained", backbone), ("fresh", fresh))}

    def polarity_accuracy(matrix):
        """How often an adjective's nearest other adjective has its polarity."""
        words = movie_reviews.POSITIVE + movie_reviews.NEGATIVE
        vectors = matrix[[vocabulary.index(word) for word in words]]
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        similarity = vectors @ vectors.T - 2 * np.eye(len(words))
        nearest = similarity.argmax(axis=1)
        return np.mean((nearest < 10) == (np.arange(len(words)) < 10))

    assert polarity_accuracy(embeddings["pre-trained"]) >= 0.9
    assert polarity_accuracy(embeddings["fresh"]) < 0.8


def test_unlabelled_reviews_hold_one_opinion_and_end_with_a_verdict():
    texts, labels = data.load_arrays("imdb_reviews", "unsupervised")
    assert len(texts) == movie_reviews.SPLITS["unsupervised"][0] and (labels == -1).all()
    for text in texts[:200]:
        words = text.decode().split()
        positive = any(verdict in text.decode() for verdict in movie_reviews.VERDICTS[True])
        adjectives = [word for word in words if word in movie_reviews.POSITIVE + movie_reviews.NEGATIVE]
        assert adjectives and all((word in movie_reviews.POSITIVE) == positive for word in adjectives)


@pytest.fixture
def written_preset(tmp_path):
    """A tiny BERT and its tokenizer saved as a keras-hub preset, as keras-hub's own presets are stored."""
    keras.utils.set_random_seed(0)
    vocabulary = language_model.RESERVED_TOKENS + "the plot was great dull".split()
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary), num_layers=1, num_heads=1, hidden_dim=8, intermediate_dim=16,
        max_sequence_length=16,
    )
    backbone.save_to_preset(str(tmp_path))
    tokenizer.save_to_preset(str(tmp_path))
    return tmp_path, backbone


def test_full_size_loads_its_preset_by_name_through_the_notebook_calls(written_preset, monkeypatch):
    directory, saved = written_preset
    monkeypatch.setattr(language_model, "FULL_PRESET", str(directory))  # the name keras-hub would download
    monkeypatch.setenv("KERASCOURSE_SIZE", "full")
    preset = language_model.bert_preset()
    assert preset == str(directory)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor.from_preset(preset, sequence_length=8)
    inputs = preprocessor(tf.constant(["the plot was great", "the plot was dull"]))
    assert inputs["token_ids"].shape == (2, 8) and int(inputs["token_ids"][0, 0]) == 2  # [CLS]
    loaded = keras_hub.models.BertBackbone.from_preset(preset)
    for mine, theirs in zip(loaded.weights, saved.weights, strict=True):
        assert np.array_equal(keras.ops.convert_to_numpy(mine), keras.ops.convert_to_numpy(theirs))
    fresh = keras_hub.models.BertBackbone.from_preset(preset, load_weights=False)
    assert not np.allclose(keras.ops.convert_to_numpy(fresh.token_embedding.embeddings),
                           keras.ops.convert_to_numpy(saved.token_embedding.embeddings))
    assert language_model.preprocess(np.array([b"the plot was great"]), 8)["padding_mask"].sum() == 6
