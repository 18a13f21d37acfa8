"""A function answer as the batch grader hands it to the checks: its probe calls recorded by the
exporter, read back by the trusted loader."""

from kerascourse.grader import exporter, loader


def as_graded(fn, name, checks_module, folder):
    exporter.export({name: fn}, [name], {name: checks_module}, folder)
    return loader.load(folder).env[name]
