"""The trusted side takes the sandbox's export stream apart as hostile input, and names why it stops."""

import io
import json
import tarfile

import nbformat
import pytest

from kerascourse.checks.answers import NOT_DEFINED, Unavailable
from kerascourse.grader import cell_errors, loader, pipeline
from kerascourse.grader.pipeline import Ended, Execution
from kerascourse.grader.results import Status
from kerascourse.grader.settings import Settings


def stream(work, *members):
    """Write ``work/export.tar`` from ``(name, bytes or a TarInfo)`` pairs."""
    with tarfile.open(work / "export.tar", "w") as tar:
        for name, content in members:
            if isinstance(content, tarfile.TarInfo):
                tar.addfile(content)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def unpacked(work, limits=loader.LIMITS):
    execution = Execution(10.0, {"log_tail": ""})
    return pipeline.unpack(execution, work, limits), execution.report


def test_the_export_and_the_report_come_through(tmp_path):
    stream(tmp_path, ("report.json", json.dumps({"errors": [{"cell": 3, "name": "NameError", "text": "x"}]}).encode()),
           ("export/manifest.json", b"{}"), ("export/x.npy", b"data"))
    export, report = unpacked(tmp_path)
    assert sorted(p.name for p in export.iterdir()) == ["manifest.json", "x.npy"]
    assert report["errors"] == [{"cell": 3, "name": "NameError", "text": "x"}]


@pytest.mark.parametrize("name", ["../escape", "export/../../escape", "export/sub/x", "/etc/passwd", "other/x"])
def test_paths_the_grader_never_writes_are_refused(tmp_path, name):
    stream(tmp_path, ("export/manifest.json", b"{}"), (name, b"x"))
    with pytest.raises(Ended, match="which the grader never writes") as ended:
        unpacked(tmp_path)
    assert ended.value.status == Status.TAMPERED and not (tmp_path / "escape").exists()


def test_links_and_a_report_inside_the_export_are_not_taken(tmp_path):
    link = tarfile.TarInfo("export/manifest.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/hostname"
    stream(tmp_path, ("export/manifest.json", link))
    with pytest.raises(Ended, match="never writes"):
        unpacked(tmp_path)
    (tmp_path / "export").rmdir()
    stream(tmp_path, ("export/report.json", json.dumps({"died": "planted"}).encode()), ("export/manifest.json", b"{}"))
    export, report = unpacked(tmp_path)
    assert "died" not in report and (export / "report.json").exists()


def test_oversized_members_are_refused_by_their_declared_size(tmp_path):
    stream(tmp_path, ("export/manifest.json", b"{}"), ("export/big.npy", b"x" * 3 * 2**20))
    with pytest.raises(Ended, match="big.npy is 3 MB; the limit is 2 MB"):
        unpacked(tmp_path, loader.Limits(file_mb=2))


def test_a_stream_that_is_not_a_tar_is_a_crash_with_its_reason(tmp_path):
    (tmp_path / "export.tar").write_bytes(b"garbage the notebook wrote to the stream")
    with pytest.raises(Ended, match="the export stream is not readable") as ended:
        unpacked(tmp_path)
    assert ended.value.status == Status.CRASHED


def test_an_interrupted_cell_is_named_with_its_time():
    report = {"interrupted": [{"cell": 12, "seconds": 45.2}, {"cell": 30, "seconds": None}]}
    status, reason = pipeline.final_status(report, Settings("01_tensors", cell_timeout=45))
    assert status == Status.TIMEOUT
    assert reason == ("cell 12 ran for 45 s, cell 30 ran for 45 s: stopped at the cell limit of 45 s; "
                      "the other cells were graded")
    assert pipeline.final_status({"disk_full": True}, Settings("01_tensors"))[0] == Status.DISK


def test_a_record_survives_the_results_file_it_is_resumed_from():
    from kerascourse.grader.results import CaseResult, QuestionResult, Record, gradescope_results, record_from_results

    question = QuestionResult("q1", [CaseResult(False, 2.0, True), CaseResult(True, 1.0, False, "use softmax")])
    record = Record("a.ipynb", Status.DISK, "filled the disk", 2.0, 3.0, {"q1": question}, timings={"judge": 1.5})
    results = gradescope_results(record, lambda q: "; ".join(q.messages()))
    assert results["tests"] == [{"name": "q1", "score": 2.0, "max_score": 3.0, "output": "use softmax",
                                 "visibility": "visible"}]
    assert record_from_results(json.dumps(results)) == record


def test_a_name_whose_cell_raised_carries_that_error_not_not_defined():
    cells = [
        nbformat.v4.new_markdown_cell("augment = 'a markdown cell defines nothing'"),
        nbformat.v4.new_code_cell("augment = keras.Sequential([layers.RandomRotation(15)])"),
        nbformat.v4.new_code_cell("%time x = 1\nscore = model.evaluate(x)"),
    ]
    errors = [
        {"cell": 2, "name": "ValueError", "text": "Invalid value for argument `factor`: 15"},
        {"cell": 3, "name": "InvalidArgumentError",
         "text": "{{function_node __wrapped__}} Incompatible shapes: [3,4] vs. [3]"},
    ]
    env = {name: Unavailable(NOT_DEFINED) for name in ("augment", "score", "winner")}
    explained = cell_errors.explain_missing(env, cells, errors)
    assert explained["augment"].reason.startswith("cell 2, which defines it, raised ValueError: Invalid value")
    assert "shapes (3, 4) and (3,)" in explained["score"].reason
    assert "InvalidArgumentError" not in explained["score"].reason
    assert explained["winner"].reason == NOT_DEFINED
