"""Pass a cell's error on to the names it should have defined (the trusted side, reading source only).

A name whose defining cell raised (Keras rejects ``RandomRotation(15)``, say) reaches the tests as
missing; the student should read the error that stopped it, not "not defined". The notebook's source
is parsed, never run.
"""

import ast
import builtins
import re

from kerascourse.checks.answers import NOT_DEFINED, Unavailable, explain_text


def explain_missing(env, cells, errors):
    """``env`` with each missing name that a cell which raised assigns explained by that cell's error.
    ``cells`` are the notebook's cells; ``errors`` the runner's ``{"cell", "name", "text"}`` entries."""
    explained = dict(env)
    for name, value in env.items():
        if not (isinstance(value, Unavailable) and value.reason == NOT_DEFINED):
            continue
        for error in errors:
            cell = cells[error["cell"] - 1] if 0 < error["cell"] <= len(cells) else None
            if cell is not None and cell.get("cell_type") == "code" and name in assigned_names(cell.get("source", "")):
                explained[name] = Unavailable(
                    f"cell {error['cell']}, which defines it, raised {_plain(error)}; fix that error and run the "
                    "notebook again"
                )
                break
    return explained


def assigned_names(source):
    """The names a cell's code assigns, defines or imports (a regex guess when it is not plain Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"^\s*([A-Za-z_]\w*)\s*=(?!=)", source, re.MULTILINE))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _plain(error):
    name = error.get("name", "")
    return explain_text(str(error.get("text", "")), name if isinstance(getattr(builtins, name, None), type) else None)
