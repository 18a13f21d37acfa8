"""kerascourse: the shared library behind the course's lessons and graders.

Modules: ``data`` (TFDS loading, offline datasets, input pipelines),
``hardware`` (device detection), ``training`` (compiled train and eval steps),
``checks`` (Keras model checks with one-sentence feedback).
"""

__version__ = "0.1.0"
