"""scikit-learn's 1,797 handwritten digits (8x8), bundled with the scikit-learn wheel."""

import numpy as np

from kerascourse.course.builders.digit_images import DigitImages


class SklearnDigits(DigitImages):
    """1,797 8x8 digits from scikit-learn, pixel values scaled from 0-16 to 0-255."""

    IMAGE_SHAPE = (8, 8, 1)
    DESCRIPTION = "The UCI optical digits bundled with scikit-learn."
    HOMEPAGE = "https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html"

    def load_arrays(self):
        from sklearn.datasets import load_digits

        digits = load_digits()
        return np.clip(digits.images * 16, 0, 255).astype(np.uint8)[..., None], digits.target
