"""scikit-learn's 1,797 handwritten digits (8x8), bundled with the scikit-learn wheel."""

import numpy as np
import tensorflow_datasets as tfds

from kerascourse.builders.mnist_subset import stratified_split


class SklearnDigits(tfds.core.GeneratorBasedBuilder):
    """1,797 8x8 digits from scikit-learn, pixel values scaled from 0-16 to 0-255."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}

    def _info(self):
        return self.dataset_info_from_configs(
            description="The UCI optical digits bundled with scikit-learn.",
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(8, 8, 1)),
                    "label": tfds.features.ClassLabel(num_classes=10),
                }
            ),
            supervised_keys=("image", "label"),
            homepage="https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html",
        )

    def _split_generators(self, dl_manager):
        from sklearn.datasets import load_digits

        digits = load_digits()
        images = np.clip(digits.images * 16, 0, 255).astype(np.uint8)[..., None]
        train, test = stratified_split(digits.target)
        return {
            "train": self._generate_examples(images[train], digits.target[train]),
            "test": self._generate_examples(images[test], digits.target[test]),
        }

    def _generate_examples(self, images, labels):
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            yield index, {"image": image, "label": int(label)}
