"""Grade one notebook the way Gradescope does: ``otter run`` with the lesson's autograder zip.

The batch grader (``kerascourse.grader.pool``) is what instructors use; this path proves the zip
itself works and is the baseline ``make bench`` compares against.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from kerascourse import ROOT
from kerascourse.lessons import autograder_zip


def otter_run(notebook, lesson, root=ROOT, timeout=900):
    """``{question: (score, max_score)}`` from ``otter run``; raises when otter writes no results."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "otter", "run", "-a", str(autograder_zip(lesson, root)), "-o", out,
                   str(notebook)]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERASCOURSE_SIZE": "grading"}
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        results = Path(out) / "results.json"
        if not results.exists():
            raise RuntimeError(f"otter run wrote no results: {run.stderr.strip()[-500:]}")
        tests = json.loads(results.read_text())["tests"]
    return {t["name"]: (float(t["score"]), float(t["max_score"])) for t in tests if t.get("max_score") is not None}
