"""Hints written in the master notebook, next to their question, as a raw cell::

    # HINTS
    - "The idea to think about, or the mistake to avoid."
    - "The API or the step that gets there (never the answer)."

``make assign`` takes them out of the notebook that otter assign sees (so they never show unasked) and
writes them to ``exercises/<lesson>/hints.json``, which ships in the package for ``hint("q1")``.
"""

import json
import re

import nbformat
import yaml

HEADER = "# HINTS"
FILE = "hints.json"
MIN_HINTS = 2
QUESTION = re.compile(r"^# BEGIN QUESTION\s*\n(.*)", re.DOTALL)


def extract(notebook_path):
    """Remove the hint cells from the notebook at ``notebook_path``; ``{question: [hint, ...]}``.
    Raises ``ValueError`` for a hint cell outside a question, or a question with fewer than two hints."""
    notebook = nbformat.read(notebook_path, as_version=4)
    hints, questions, question, kept = {}, [], None, []
    for cell in notebook.cells:
        if cell.cell_type == "raw" and (match := QUESTION.match(cell.source)):
            question = yaml.safe_load(match.group(1))["name"]
            questions.append(question)
        elif cell.cell_type == "raw" and cell.source.startswith("# END QUESTION"):
            question = None
        if cell.cell_type == "raw" and cell.source.startswith(HEADER):
            if question is None:
                raise ValueError(f"{notebook_path.name}: a {HEADER} cell outside a question")
            entries = yaml.safe_load(cell.source[len(HEADER):]) or []
            if not all(isinstance(entry, str) and entry.strip() for entry in entries):
                raise ValueError(f"{notebook_path.name} {question}: each hint must be a non-empty string")
            hints.setdefault(question, []).extend(entries)
            continue
        kept.append(cell)
    short = [q for q in questions if len(hints.get(q, [])) < MIN_HINTS]
    if short:
        raise ValueError(f"{notebook_path.name}: {', '.join(short)} need at least {MIN_HINTS} hints each")
    notebook.cells = kept
    nbformat.write(notebook, notebook_path)
    return hints


def write(hints, path):
    path.write_text(json.dumps(hints, indent=1, ensure_ascii=False) + "\n")
