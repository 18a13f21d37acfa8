"""Generated files that are byte-identical each time, so that regenerating a committed lesson changes nothing."""

import zipfile

import nbformat

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
EXECUTABLE = {"run_autograder", "setup.sh"}


def normalise_notebook(path):
    """Give every cell a stable id and drop outputs, so regeneration is byte-identical."""
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, path)


def write_deterministic_zip(source_zip, target, changes):
    """Rewrite ``source_zip`` with sorted entries and fixed dates, with ``changes`` (name -> bytes, or None
    to leave that entry out)."""
    with zipfile.ZipFile(source_zip) as original:
        entries = {name: original.read(name) for name in original.namelist() if not name.endswith("/")}
    entries.update(changes)
    entries = {name: content for name, content in entries.items() if content is not None}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as output:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o755 if name in EXECUTABLE else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            output.writestr(info, entries[name])
