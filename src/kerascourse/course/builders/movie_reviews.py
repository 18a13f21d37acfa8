"""Short synthetic movie reviews whose sentiment depends on word order: an offline stand-in for IMDB."""

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
SPLITS = {"train": (2500, 0), "test": (1000, 1)}  # split: (reviews, seed)
NOISE = 0.04  # the share of labels flipped, as in any hand-labelled corpus


def clause(rng):
    """``("the plot was not really dull", True)``: a judgement and whether it is positive."""
    positive, negated = rng.random() < 0.5, rng.random() < 0.3
    adverb = rng.choice(ADVERBS)
    adjective = rng.choice(POSITIVE if positive else NEGATIVE)
    words = ["the", rng.choice(NOUNS), "was", "not" if negated else "", adverb, adjective]
    return " ".join(word for word in words if word), positive != negated


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
    """3,500 seeded reviews (2,500 train, 1,000 test) with ``imdb_reviews``' features and label names."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}

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
        return {split: self._generate_examples(*SPLITS[split]) for split in SPLITS}

    def _generate_examples(self, count, seed):
        rng = np.random.default_rng(seed)
        for index in range(count):
            text, label = review(rng)
            yield index, {"text": text, "label": label}
