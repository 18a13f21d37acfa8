"""TFDS builders for the offline datasets, made from data that ships inside wheels."""

from kerascourse.builders.mnist_subset import MnistSubset
from kerascourse.builders.sklearn_digits import SklearnDigits

OFFLINE_BUILDERS = {builder.name: builder for builder in (MnistSubset, SklearnDigits)}

__all__ = ["MnistSubset", "OFFLINE_BUILDERS", "SklearnDigits"]
