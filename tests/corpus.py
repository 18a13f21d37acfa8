"""The sample and hostile folders the batch grader is tested on, and the settings they are graded with."""

from kerascourse.authoring.demo import corpus_folders
from kerascourse.lessons import lessons

FOLDERS = corpus_folders(lessons())
SETTINGS = {"timeout": 400.0, "cell_timeout": 45.0, "memory_mb": 3000.0}
# The hostile corpus lives with the cheapest lesson, whose slowest cell takes a few seconds: its endless
# loop is stopped sooner.
HOSTILE_SETTINGS = {**SETTINGS, "cell_timeout": 20.0}
