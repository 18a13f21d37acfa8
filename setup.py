"""Packaging beyond setup.cfg: the student material under ``exercises/`` (student notebooks, public tests,
hints) ships inside the package as ``kerascourse.exercises``, so that ``kerascourse start`` and
``kerascourse check`` work from any folder. Autograder material and solutions never ship."""

from setuptools import find_packages, setup

setup(
    packages=find_packages("src") + ["kerascourse.exercises"],
    package_dir={"": "src", "kerascourse.exercises": "exercises"},
    package_data={
        "kerascourse.course": ["resources/*.json"],
        "kerascourse.exercises": ["*/*.ipynb", "*/hints.json", "*/tests/*.py"],
    },
)
