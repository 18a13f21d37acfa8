"""Short synthetic movie reviews whose sentiment depends on word order: an offline stand-in for IMDB.

Like ``imdb_reviews`` it has an ``unsupervised`` split of unlabelled reviews (label -1), the corpus a
language model pre-trains on. Each of those holds one opinion throughout: two to four clauses that
agree, then a verdict ("so i loved it"). A masked-language model that predicts a hidden adjective or
verdict from the others so learns which words are praise and which are blame.
"""

import numpy as np
import tensorflow_datasets as tfds

POSITIVE = "great wonderful moving brilliant funny charming superb gripping clever beautiful".split()
NEGATIVE = "boring awful dull clumsy predictable weak tedious bland silly messy".split()
NOUNS = "plot acting script cast ending soundtrack direction dialogue pacing story".split()
ADVERBS = ["", "", "really", "truly", "quite", "very", "rather"]
ASIDES = [
    "i saw it last week", "we watched it at home", "it runs two hours", "my friend picked it",
    "the cinema was full", "it is based on a novel",
]
VERDICTS = {True: ["i loved it", "a must see", "i would watch it again"],
            False: ["i hated it", "a waste of time", "i walked out"]}
SPLITS = {"train": (2500, 0), "test": (1000, 1), "unsupervised": (8000, 2)}  # split: (reviews, seed)
NOISE = 0.04  # the share of labels flipped, as in any hand-labelled corpus


def clause(rng):
    """``("the plot was not really dull", True)``: a judgement and whether it is positive."""
    positive, negated = rng.random() < 0.5, rng.random() < 0.3
    adverb = rng.choice(ADVERBS)
    adjective = rng.choice(POSITIVE if positive else NEGATIVE)
    words = ["the", rng.choice(NOUNS), "was", "not" if negated else "", adverb, adjective]
    return " ".join(word for word in words if word), positive != negated


def opinion(rng, positive):
    """A clause that praises (``positive``) or blames one part of a film."""
    adjective = rng.choice(POSITIVE if positive else NEGATIVE)
    words = ["the", rng.choice(NOUNS), "was", rng.choice(ADVERBS), adjective]
    return " ".join(word for word in words if word)


def unlabelled_review(rng):
    """A review of the ``unsupervised`` split: two to four agreeing opinions joined by "and", and a
    verdict that agrees ("so i loved it")."""
    positive = rng.random() < 0.5
    text = " and ".join(opinion(rng, positive) for _ in range(rng.integers(2, 5)))
    return text + " so " + rng.choice(VERDICTS[positive])


def review(rng):
    """A review and its label: the last judgement wins ("... but ..."), and "not" flips one."""
    text, positive = clause(rng)
    if rng.random() < 0.3:
        text += " and " + rng.choice(ASIDES)
    if rng.random() < 0.5:
        second, positive = clause(rng)
        text += " but " + second
    return text, int(positive != (rng.random() < NOISE))


class MovieReviews(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """11,500 seeded reviews (2,500 train, 1,000 test, 8,000 unlabelled) with ``imdb_reviews``' features,
    label names and splits."""

    VERSION = tfds.core.Version("1.1.0")
    RELEASE_NOTES = {"1.0.0": "First release.", "1.1.0": "The unsupervised split (train and test unchanged)."}

    def _info(self):
        return self.dataset_info_from_configs(
            description=(
                "Generated one-line movie reviews. Negation and 'but' decide the label, so a model must "
                "read the words in order; 4% of labels are flipped."
            ),
            features=tfds.features.FeaturesDict(
                {"text": tfds.features.Text(), "label": tfds.features.ClassLabel(names=["neg", "pos"])}
            ),
            supervised_keys=("text", "label"),
        )

    def _split_generators(self, dl_manager):
        return {split: self._generate_examples(split) for split in SPLITS}

    def _generate_examples(self, split):
        count, seed = SPLITS[split]
        rng = np.random.default_rng(seed)
        for index in range(count):
            text, label = (unlabelled_review(rng), -1) if split == "unsupervised" else review(rng)
            yield index, {"text": text, "label": label}
