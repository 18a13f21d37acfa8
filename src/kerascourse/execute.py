"""Run a notebook with a last cell of the grader's: in the sandbox (export its answers), or for
``kerascourse check`` (run a lesson's public tests in the notebook's kernel).

``python -m kerascourse.execute SPEC`` where SPEC is a JSON file with ``notebook``,
``export_dir``, ``names``, ``probes``, ``cell_timeout`` and ``report``. Each cell may run
``cell_timeout`` seconds before the kernel is interrupted and the next cell runs.
"""

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

EXPORT_CELL = """\
from kerascourse import export as _kerascourse_export
_kerascourse_export.export(globals(), {names!r}, {probes!r}, {directory!r})"""
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


def run(notebook, last_cell, *, path, cell_timeout=None):
    """Run ``notebook``'s cells, then ``last_cell``, in a fresh ``python3`` kernel started in ``path``;
    errors are kept in the cells' outputs, and raise only ``DeadKernelError``. The kernel is stopped at
    once at the end: an interpreter that has imported TensorFlow takes about 3 s to exit by itself."""
    notebook.cells.append(nbformat.v4.new_code_cell(last_cell))
    NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        record_timing=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(path)}},
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
        run(notebook, last_cell, path=scratch)
    except DeadKernelError:
        return None
    return json.loads(results_path.read_text()) if results_path.exists() else None


def execute(spec):
    notebook = nbformat.read(spec["notebook"], as_version=4)
    student_cells = len(notebook.cells)
    export_cell = EXPORT_CELL.format(names=spec["names"], probes=spec["probes"], directory=spec["export_dir"])
    report = {"died": None, "errors": [], "interrupted": []}
    try:
        run(notebook, export_cell, path=Path(spec["notebook"]).parent, cell_timeout=spec["cell_timeout"])
    except DeadKernelError as error:
        report["died"] = f"the kernel died ({error}); the notebook may call os._exit or kill its own process"
    for index, cell in enumerate(notebook.cells[:student_cells], start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "KeyboardInterrupt":
                    report["interrupted"].append(f"cell {index}")
                else:
                    report["errors"].append(f"cell {index}: {output.get('ename')}: {str(output.get('evalue'))[:200]}")
    export_errors = [o for o in notebook.cells[-1].get("outputs", []) if o.get("output_type") == "error"]
    if export_errors:
        report["export_error"] = f"{export_errors[0].get('ename')}: {str(export_errors[0].get('evalue'))[:200]}"
    Path(spec["report"]).write_text(json.dumps(report))


if __name__ == "__main__":
    execute(json.loads(Path(sys.argv[1]).read_text()))
