"""TFDS builders for the offline datasets, made from data that ships inside wheels."""

from kerascourse.builders.mnist_subset import MnistSubset
from kerascourse.builders.mnist_subset_rgb32 import MnistSubsetRgb32
from kerascourse.builders.sklearn_digits import SklearnDigits

OFFLINE_BUILDERS = {builder.name: builder for builder in (MnistSubset, MnistSubsetRgb32, SklearnDigits)}

__all__ = ["MnistSubset", "MnistSubsetRgb32", "OFFLINE_BUILDERS", "SklearnDigits"]
