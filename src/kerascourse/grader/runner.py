"""Run a notebook with a last cell of the grader's: inside the sandbox (export its answers), or for
``kerascourse check`` (run a lesson's public tests in the notebook's kernel).

``python -m kerascourse.grader.runner SPEC`` runs in the sandbox. SPEC is a JSON file with ``notebook``,
``scratch`` (the sandbox's writable, size-limited folder), ``names``, ``probes`` and ``cell_timeout``.
Each cell may run ``cell_timeout`` seconds before the kernel is interrupted and the next cell runs.
When the kernel has ended, the runner writes the export folder and its report as one tar stream to the
file descriptor that was its standard output (``EXPORT_STREAM``); what the notebook prints and what
the kernel logs go to standard error.
"""

import errno
import io
import json
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

EXPORT_CELL = """\
from kerascourse.grader import exporter as _kerascourse_exporter
_kerascourse_exporter.export(globals(), {names!r}, {probes!r}, {directory!r})"""
PUBLIC_TESTS_CELL = """\
import json as _kerascourse_json
from otter.test_files.exception_test import ExceptionTestFile as _KerascourseTestFile
_kerascourse_results = {{}}
for _kerascourse_path in {paths!r}:
    _kerascourse_test = _KerascourseTestFile.from_file(_kerascourse_path)
    _kerascourse_test.run(globals())
    _kerascourse_results[_kerascourse_test.name] = {{
        "score": _kerascourse_test.score, "possible": _kerascourse_test.possible, "summary": repr(_kerascourse_test)
    }}
with open({out!r}, "w") as _kerascourse_handle:
    _kerascourse_json.dump(_kerascourse_results, _kerascourse_handle)"""
EXPORT_DIR, REPORT = "export", "report.json"  # names inside the tar stream
DISK_FULL_SHARE = 0.98  # the scratch folder counts as full from here on


class CellClock:
    """Seconds per executed cell, from nbclient's hooks, and when the kernel was ready."""

    def __init__(self):
        self.started, self.ready, self.cells, self._current = time.monotonic(), None, {}, None

    def notebook_started(self, **_):
        self.ready = time.monotonic()

    def cell_started(self, cell_index, **_):
        self._current = (cell_index, time.monotonic())

    def cell_finished(self, cell_index, **_):
        self.cells[cell_index] = round(time.monotonic() - self._current[1], 2)


def run_cells(notebook, last_cell, *, path, cell_timeout=None, clock=None):
    """Run ``notebook``'s cells, then ``last_cell``, in a fresh ``python3`` kernel started in ``path``;
    errors are kept in the cells' outputs, and raise only ``DeadKernelError``. The kernel is stopped at
    once at the end: an interpreter that has imported TensorFlow takes about 3 s to exit by itself."""
    notebook.cells.append(nbformat.v4.new_code_cell(last_cell))
    hooks = {}
    if clock is not None:
        hooks = {"on_notebook_start": clock.notebook_started, "on_cell_execute": clock.cell_started,
                 "on_cell_executed": clock.cell_finished}
    NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        record_timing=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(path)}},
        **hooks,
    ).execute()
    return notebook


def public_tests(notebook_path, test_paths, scratch):
    """``{question: {score, possible, summary}}`` of the public tests run in the notebook's own kernel,
    after its cells (as ``otter check`` runs them), or None when the tests never finished. The notebook
    runs from a copy in the folder ``scratch``, so what its cells write (otter's ``.OTTER_LOG``) stays
    there."""
    scratch = Path(scratch)
    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.write(notebook, scratch / Path(notebook_path).name)
    results_path = scratch / "public-results.json"
    last_cell = PUBLIC_TESTS_CELL.format(paths=[str(Path(p).resolve()) for p in test_paths], out=str(results_path))
    try:
        run_cells(notebook, last_cell, path=scratch)
    except DeadKernelError:
        return None
    return json.loads(results_path.read_text()) if results_path.exists() else None


def run_submission(spec):
    """Run the submission and export its answers into ``scratch/export``; the report, as a dict."""
    scratch = Path(spec["scratch"])
    notebook = nbformat.read(spec["notebook"], as_version=4)
    student_cells = len(notebook.cells)
    export_cell = EXPORT_CELL.format(names=spec["names"], probes=spec["probes"], directory=str(scratch / EXPORT_DIR))
    report = {"died": None, "errors": [], "interrupted": [], "disk_full": False}
    clock = CellClock()
    try:
        run_cells(notebook, export_cell, path=scratch / "work", cell_timeout=spec["cell_timeout"], clock=clock)
    except DeadKernelError as error:
        report["died"] = f"the kernel died ({error}); the notebook may call os._exit or kill its own process"
    for index, cell in enumerate(notebook.cells[:student_cells]):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "KeyboardInterrupt":
                report["interrupted"].append({"cell": index + 1, "seconds": clock.cells.get(index)})
            else:
                report["errors"].append(
                    {"cell": index + 1, "name": str(output.get("ename")), "text": str(output.get("evalue"))[:2000]}
                )
            report["disk_full"] |= os.strerror(errno.ENOSPC) in str(output.get("evalue"))
    usage = shutil.disk_usage(scratch)
    report["disk_full"] |= usage.used >= DISK_FULL_SHARE * usage.total
    export_errors = [o for o in notebook.cells[-1].get("outputs", []) if o.get("output_type") == "error"]
    if export_errors:
        report["export_error"] = f"{export_errors[0].get('ename')}: {str(export_errors[0].get('evalue'))[:200]}"
    cells = [clock.cells.get(index, 0.0) for index in range(student_cells)]
    report["timings"] = {
        "kernel": round((clock.ready or clock.started) - clock.started, 2),
        "cells": round(sum(cells), 2),
        "export": clock.cells.get(student_cells, 0.0),
    }
    return report


def stream_export(scratch, report, stream):
    """The export folder (regular files only) and the report, as a tar written to ``stream``."""
    with tarfile.open(fileobj=stream, mode="w|") as tar:
        data = json.dumps(report).encode()
        info = tarfile.TarInfo(REPORT)
        info.size = len(data)
        tar.addfile(info, fileobj=io.BytesIO(data))
        export = Path(scratch) / EXPORT_DIR
        if export.is_dir() and not export.is_symlink():
            for path in sorted(export.iterdir()):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=f"{EXPORT_DIR}/{path.name}", recursive=False)


def main(spec_path):
    # Keep the export stream for the end; everything the kernel or its libraries print goes to stderr.
    stream = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    spec = json.loads(Path(spec_path).read_text())
    (Path(spec["scratch"]) / "work").mkdir(parents=True, exist_ok=True)
    report = run_submission(spec)
    export = Path(spec["scratch"]) / EXPORT_DIR
    report["links"] = sorted(path.name for path in export.iterdir() if path.is_symlink()) if export.is_dir() else []
    with stream:
        stream_export(spec["scratch"], report, stream)


if __name__ == "__main__":
    main(sys.argv[1])
