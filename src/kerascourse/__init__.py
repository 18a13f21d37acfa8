"""kerascourse: the shared library behind the course's lessons and graders.

Modules: ``data`` (TFDS loading, offline datasets, input pipelines),
``hardware`` (device detection), ``training`` (compiled train and eval steps),
``checks`` (Keras model checks with one-sentence feedback).
"""

from pathlib import Path

__version__ = "0.1.0"
ROOT = Path(__file__).resolve().parents[2]  # the checkout: reference/, exercises/, autograder/
