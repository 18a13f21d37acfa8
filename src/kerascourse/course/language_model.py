"""The pre-trained BERT that lesson 11 fine-tunes, at both sizes, through one keras-hub call.

Full size names keras-hub's smallest English BERT preset, which ``from_preset`` downloads. Grading size
has no network: its preset is a directory this module writes once, a small BERT pre-trained (seeded)
with a masked-language-model objective on the unlabelled reviews of ``movie_reviews``' ``unsupervised``
split and saved with keras-hub's ``save_to_preset``, so that the lesson's ``from_preset(BERT_PRESET)``
loads either.
"""

import os
import shutil
import tempfile
from pathlib import Path

import keras
import keras_hub
import tensorflow as tf

from kerascourse.course import data

FULL_PRESET = "bert_tiny_en_uncased"
PRESET_NAME = "movie_bert"  # the grading-size preset's directory, under the data directory's weights/
CORPUS = ("imdb_reviews", "unsupervised")
RESERVED_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_VOCABULARY = 200  # word pieces; the generated reviews use about 70 words
BACKBONE = {"num_layers": 2, "num_heads": 2, "hidden_dim": 64, "intermediate_dim": 128, "max_sequence_length": 64}
PRETRAIN = {"epochs": 8, "batch_size": 128, "sequence_length": 32, "learning_rate": 3e-3}
MASKING = {"mask_selection_rate": 0.25, "mask_selection_length": 12}  # a quarter of the word pieces, at most 12


def bert_preset(size=None):
    """The preset ``from_preset`` loads: keras-hub's name at full size; at grading size the directory of the
    small pre-trained BERT (made on first use)."""
    if (size or data.run_size()) == "full":
        return FULL_PRESET
    path = data.data_dir() / "weights" / PRESET_NAME
    if (path / "config.json").exists():
        return str(path)
    if not os.access(data.data_dir(), os.W_OK):  # a read-only checkout, as in the grading sandbox
        path = Path(tempfile.gettempdir()) / "kerascourse-weights" / PRESET_NAME
    with data.file_lock(path.parent, PRESET_NAME):
        if not (path / "config.json").exists():
            pretrain_movie_bert(path)
    return str(path)


def pretrain_movie_bert(path, epochs=PRETRAIN["epochs"]):
    """Pre-train a small BERT with masked-language modelling on the unlabelled reviews, seeded, and save it
    with its WordPiece tokenizer as a keras-hub preset directory at ``path``."""
    keras.utils.set_random_seed(0)
    texts, _ = data.load_arrays(*CORPUS, size="grading")
    corpus = tf.data.Dataset.from_tensor_slices(texts).batch(1000)
    vocabulary = keras_hub.tokenizers.compute_word_piece_vocabulary(
        corpus, MAX_VOCABULARY, reserved_tokens=RESERVED_TOKENS
    )
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary)
    backbone = keras_hub.models.BertBackbone(vocabulary_size=len(vocabulary), **BACKBONE)
    preprocessor = keras_hub.models.BertMaskedLMPreprocessor(
        tokenizer, sequence_length=PRETRAIN["sequence_length"], **MASKING
    )
    masked_lm = keras_hub.models.BertMaskedLM(backbone, preprocessor=None)
    masked_lm.compile(optimizer=keras.optimizers.Adam(PRETRAIN["learning_rate"]))
    for _ in range(epochs):
        # Each epoch hides other words. The masks are drawn here, in order, and not in fit's parallel
        # tf.data pipeline, whose random draws vary from run to run: so the seed fixes the whole run.
        inputs, hidden_ids, weights = preprocessor(tf.constant(texts))
        masked_lm.fit(inputs, hidden_ids, sample_weight=weights, batch_size=PRETRAIN["batch_size"], verbose=0)
    partial = Path(path).with_name(f".partial-{os.getpid()}-{PRESET_NAME}")
    shutil.rmtree(partial, ignore_errors=True)
    backbone.save_to_preset(str(partial))
    tokenizer.save_to_preset(str(partial))
    shutil.rmtree(path, ignore_errors=True)
    partial.replace(path)
    return path


def backbone(load_weights=True, size=None):
    """The preset's BERT backbone, pre-trained or (``load_weights=False``) freshly initialised."""
    return keras_hub.models.BertBackbone.from_preset(bert_preset(size), load_weights=load_weights)


def preprocess(texts, sequence_length, size=None):
    """``texts`` as the preset's classifier preprocessor gives them to a backbone: a dict of arrays."""
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor.from_preset(
        bert_preset(size), sequence_length=sequence_length
    )
    return {key: keras.ops.convert_to_numpy(value) for key, value in preprocessor(tf.constant(texts)).items()}
