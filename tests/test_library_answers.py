"""The library a student imports never answers a question: no shipped module offers a function under a
name a question asks the student to write, and a check refuses an answer that is the library's own code,
in the notebook and at batch grading alike."""

import importlib
import pkgutil

import pytest
from failing import fails_with

import kerascourse
from kerascourse import checks
from kerascourse.checks import neurons, probes, tensors
from kerascourse.checks.answers import library_origin
from kerascourse.course import data
from kerascourse.grader import exporter, loader
from kerascourse.lessons import grading_config, lessons

SHIPPED = [kerascourse] + [
    importlib.import_module(module.name)
    for package in ("kerascourse.course", "kerascourse.checks")
    for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}.")
] + [importlib.import_module("kerascourse.course"), checks]


@pytest.mark.parametrize("lesson", lessons())
def test_no_shipped_module_offers_a_function_a_question_asks_for(lesson):
    asked = grading_config(lesson).get("probes", {})
    offered = [
        f"{module.__name__}.{name}" for module in SHIPPED for name in asked if callable(getattr(module, name, None))
    ]
    assert not offered, f"the library offers what {lesson} asks students to write: {offered}"


def test_library_origin_sees_functions_partials_classes_and_instances():
    import functools

    assert library_origin(data.pipeline) == "kerascourse.course.data.pipeline"
    assert library_origin(functools.partial(data.pipeline, batch_size=8)) == "kerascourse.course.data.pipeline"
    assert library_origin(checks.TrainingFlagProbe()) == "kerascourse.checks.TrainingFlagProbe"
    assert library_origin(lambda x: x) is None and library_origin(max) is None and library_origin(3) is None


def test_a_checks_own_helper_handed_in_as_an_answer_earns_nothing():
    """The held-out case: lesson 02 asks for ``sigmoid``; the checks once shipped one under that name."""
    message = fails_with("is the course library's own", neurons.require_activation, neurons._sigmoid, "sigmoid")
    assert "write sigmoid in your notebook instead of importing it" in message


def test_a_shipped_function_is_refused_in_the_notebook_and_when_recorded(tmp_path):
    """``data.pipeline`` has the signature lesson 01's ``make_pipeline`` asks for."""
    fails_with("course library's own kerascourse.course.data.pipeline", tensors.require_pipeline_batches,
               data.pipeline)
    names = {"make_pipeline": data.pipeline}
    exporter.export(names, ["make_pipeline"], {"make_pipeline": "kerascourse.checks.tensors"}, tmp_path)
    recording = loader.load(tmp_path).env["make_pipeline"]
    assert isinstance(recording, probes.Recording)
    fails_with("course library's own kerascourse.course.data.pipeline", tensors.require_pipeline_batches, recording)
    fails_with("course library's own", checks.require_train_step_compiled, data.pipeline, "make_train_step")
