"""Reading submissions: validation, normalisation, and the static tampering scans (nothing is run)."""

import io
import pickle
import zipfile

import nbformat
import pytest

from kerascourse.grader import pool, submissions


def notebook_file(tmp_path, *sources, name="work.ipynb", kernel="python3"):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / name
    path.write_text(nbformat.writes(notebook))
    return path


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b'{"cells": [', "not valid JSON"),
        (b"import keras\n", "not valid JSON"),
        (b'{"cells": [], "x": "\xff"}', "not UTF-8"),
        (b"[1, 2]", "not a Jupyter notebook"),
        (b'{"metadata": {}}', "not a Jupyter notebook"),
    ],
)
def test_unreadable_files_are_invalid_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(submissions.Invalid, match=reason):
        submissions.read(path)


def test_kernel_name_outputs_and_otter_cells_are_normalised(tmp_path):
    path = notebook_file(
        tmp_path,
        '# Initialize Otter\nimport otter\ngrader = otter.Notebook("03_dnn.ipynb")',
        "x = 1",
        'grader.check("q1")',
        "grader.check_all()",
        kernel="conda-env-py",
    )
    submission = submissions.read(path)
    assert submission.notebook.metadata.kernelspec.name == "python3"
    assert [cell.source for cell in submission.notebook.cells] == ["", "x = 1", "", ""]
    assert submission.tampering == []


@pytest.mark.parametrize(
    "source, phrase",
    [
        ("import otter.test_files.abstract_test as t\nt.TestFile.grade = 1", "uses 'otter'"),
        ("open('results.json', 'w').write('{}')", "refers to grader files"),
        ("print(open('/autograder/source/tests/q1.py').read())", "refers to grader files"),
        ("__import__('os').system('ls')", "uses '__import__'"),
    ],
)
def test_code_aimed_at_the_grader_is_reported(tmp_path, source, phrase):
    submission = submissions.read(notebook_file(tmp_path, "x = 1", source))
    assert any(phrase in reason and "cell 2" in reason for reason in submission.tampering)


def test_ordinary_code_and_comments_are_not_reported(tmp_path):
    source = "# I read about otter in the docs\nresults = {'accuracy': 0.9}\ntests = [1, 2]\n%matplotlib inline"
    assert submissions.read(notebook_file(tmp_path, source, "def f(:\n  pass")).tampering == []


class _Command:
    def __reduce__(self):
        import os

        return (os.system, ("true",))


def zip_file(tmp_path, members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path = tmp_path / "submission.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_zip_gives_its_one_notebook_and_never_unpickles_the_log(tmp_path):
    notebook = notebook_file(tmp_path, "x = 1").read_bytes()
    honest_log = pickle.dumps({"entries": [1, 2.5, "check"]})
    assert submissions.read(zip_file(tmp_path, {"a.ipynb": notebook, ".OTTER_LOG": honest_log})).tampering == []
    crafted = submissions.read(zip_file(tmp_path, {"a.ipynb": notebook, ".OTTER_LOG": pickle.dumps(_Command())}))
    assert any("imports from 'posix'" in reason or "imports from 'os'" in reason for reason in crafted.tampering)
    assert any("not a well-formed pickle" in r for r in submissions.scan_pickle(b"\x80\x04garbage"))


@pytest.mark.parametrize(
    "members, reason",
    [
        ({"notes.txt": b"hi"}, "holds 0 notebooks"),
        ({"a.ipynb": b"{}", "b.ipynb": b"{}"}, "holds 2 notebooks"),
    ],
)
def test_zips_without_exactly_one_notebook_are_invalid(tmp_path, members, reason):
    with pytest.raises(submissions.Invalid, match=reason):
        submissions.read(zip_file(tmp_path, members))


def test_a_zip_that_is_not_a_zip_is_invalid(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(submissions.Invalid, match="not a zip archive"):
        submissions.read(path)


def test_every_entry_the_grader_does_not_take_is_named_with_the_reason(tmp_path):
    (tmp_path / "ada.ipynb").write_text("{}")
    (tmp_path / "bo.zip").write_bytes(b"")
    (tmp_path / "student_c").mkdir()
    (tmp_path / "student_c" / "03_dnn.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("")
    assert [path.name for path in pool.submission_files(tmp_path)] == ["ada.ipynb", "bo.zip"]
    skipped = dict(pool.skipped_entries(tmp_path))
    assert sorted(skipped) == ["notes.txt", "student_c"]
    assert "kerascourse intake" in skipped["student_c"] and "not a notebook" in skipped["notes.txt"]
