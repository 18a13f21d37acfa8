"""Inside the sandbox: run a submitted notebook, then export the names its tests need.

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


def execute(spec):
    notebook = nbformat.read(spec["notebook"], as_version=4)
    student_cells = len(notebook.cells)
    export_cell = EXPORT_CELL.format(names=spec["names"], probes=spec["probes"], directory=spec["export_dir"])
    notebook.cells.append(nbformat.v4.new_code_cell(export_cell))
    client = NotebookClient(
        notebook,
        timeout=spec["cell_timeout"],
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        record_timing=False,
        resources={"metadata": {"path": str(Path(spec["notebook"]).parent)}},
    )
    report = {"died": None, "errors": [], "interrupted": []}
    try:
        client.execute()
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
