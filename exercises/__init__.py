"""The lessons' student notebooks, public tests and hints, written by ``make assign``; installed as
``kerascourse.exercises``."""
