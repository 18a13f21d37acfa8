"""The student notebook's setup after the package is present: one line on what it did or why not, with
the fix; nothing where everything was present; nothing fetched under the batch grader."""

import pytest
from served import served

from kerascourse import __version__
from kerascourse.course import material, setup_notebook

LESSON = "03_dnn"
PACKAGE = "kerascourse @ http://127.0.0.1/kerascourse.whl"


@pytest.fixture
def served_tests():
    """The lesson's public tests served from 127.0.0.1; the URL prefix of its tests."""
    with served(material.root()) as url:
        yield f"{url}/{LESSON}/tests/"


def test_missing_tests_are_fetched_and_said_in_one_line(served_tests, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(setup_notebook.GRADER_ENV, raising=False)
    setup_notebook.prepare(LESSON, __version__, PACKAGE, served_tests)
    assert capsys.readouterr().out == f"fetched 5 public tests from {served_tests}\n"
    for test in material.test_files(LESSON):
        assert (tmp_path / "tests" / test.name).read_text() == test.read_text()
    setup_notebook.prepare(LESSON, __version__, PACKAGE, served_tests)
    assert capsys.readouterr().out == "", "with everything present it only imports"


def test_an_unreachable_home_is_said_with_the_fix_and_raises_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(setup_notebook.GRADER_ENV, raising=False)
    setup_notebook.prepare(LESSON, __version__, PACKAGE, "http://127.0.0.1:9/03_dnn/tests/")
    line = capsys.readouterr().out
    assert line.startswith("could not fetch the public tests from http://127.0.0.1:9/03_dnn/tests/q1.py (")
    assert line.endswith("run `kerascourse start 03_dnn`\n") and line.count("\n") == 1


def test_another_release_installed_is_said_with_the_pip_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").mkdir()
    for test in material.test_files(LESSON):
        (tmp_path / "tests" / test.name).write_text(test.read_text())
    setup_notebook.prepare(LESSON, "9.9.9", PACKAGE, "http://127.0.0.1:9/")
    assert capsys.readouterr().out == (
        f"kerascourse {__version__} is installed but this notebook was built for 9.9.9: "
        f'run `pip install "{PACKAGE}"` and restart the kernel\n'
    )


def test_under_the_batch_grader_nothing_is_fetched(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(setup_notebook.GRADER_ENV, "1")
    setup_notebook.prepare(LESSON, __version__, PACKAGE, "http://127.0.0.1:9/")
    assert capsys.readouterr().out == "" and not (tmp_path / "tests").exists()
