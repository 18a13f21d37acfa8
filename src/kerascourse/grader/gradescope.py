"""Grade one submission on Gradescope with the batch grader's protections.

Gradescope unzips a lesson's autograder into ``/autograder/source`` (``tests/`` with the hidden tests,
``grading.yaml``, ``otter_config.json``), puts what the student uploaded in ``/autograder/submission`` and
reads ``/autograder/results/results.json``. The zip's ``run_autograder`` runs ``python -m
kerascourse.grader.gradescope /autograder``, in named steps:

1. ``memory``: a container whose memory limit is too small for TensorFlow gets a results file that says
   so and how to raise it, not a silent zero;
2. ``guard``: ``source/`` is closed to everyone but root, so that a notebook run as the unprivileged user
   (where the container does not allow bubblewrap) cannot read the hidden tests;
3. ``find``: the notebook (or zip holding one) the student uploaded;
4. ``grade``: the batch grader's worker on that file: the notebook in the sandbox, its answers exported as
   data, the public and hidden tests judged in a process that never ran student code;
5. ``write``: ``results.json``, written by this trusted process only.
"""

import json
import multiprocessing
import os
import sys
from pathlib import Path

from kerascourse.grader import pool, report
from kerascourse.grader.results import gradescope_results
from kerascourse.grader.settings import Settings

MB = 2**20
# Where the container's memory limit is: cgroup v2, then v1.
CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
GRADER_MB = 1536  # this process and the grading worker, which imports TensorFlow and loads the answers
MIN_NOTEBOOK_MB = 1536  # a notebook's kernel with TensorFlow, its data and a small model
RECOMMENDED_GB = 4
LOG = "grader.log"  # beside results.json: what TensorFlow and Keras print while the worker judges
SUFFIXES = (".ipynb", ".zip")

# The zip's run_autograder: the environment that setup.sh built, then this module.
RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: the course's own grader (kerascourse.grader.gradescope), with
# the batch grader's sandbox and trusted judge, in the environment that setup.sh built.
if [ -x /root/miniforge3/bin/mamba ]; then
    export PATH=/root/miniforge3/bin:$PATH
    eval "$(mamba shell hook --shell bash)"
    mamba activate otter-env
fi
export KERASCOURSE_DATA_DIR="${KERASCOURSE_DATA_DIR:-/opt/kerascourse/datasets}"
export KERASCOURSE_SIZE=grading TF_CPP_MIN_LOG_LEVEL=3
exec python -m kerascourse.grader.gradescope /autograder
"""
# What setup.sh does after otter's own steps have built the environment.
SETUP = """
# The course's own grader (kerascourse.grader.gradescope): the sandbox, the synthesizer of lesson 13's
# spoken clips, the library in the grading environment and the offline datasets, all readable by the
# unprivileged user that runs notebooks where the container does not allow bubblewrap.
apt-get install -y bubblewrap espeak-ng
SITE=$(mamba run -n otter-env python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp -r /autograder/source/files/kerascourse "$SITE/"
mkdir -p /opt/kerascourse/datasets
KERASCOURSE_DATA_DIR=/opt/kerascourse/datasets mamba run -n otter-env python -m kerascourse.cli data
chmod -R a+rX /opt/kerascourse "$SITE/kerascourse"
chmod o+x /root
"""


class Refused(Exception):
    """The container or the upload cannot be graded; the message says why and what to do."""


def memory_limit_mb(paths=CGROUP_LIMITS):
    """The container's memory limit in MB, or None when it has none."""
    for path in paths:
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        return None if text == "max" or int(text) >= 2**60 else int(text) / MB
    return None


def memory(limit_mb):
    """The memory the notebook may use; refuses a limit that leaves it too little."""
    default = Settings.memory_mb
    if limit_mb is None:
        return default
    if limit_mb < GRADER_MB + MIN_NOTEBOOK_MB:
        raise Refused(
            f"This autograder's container has {limit_mb:,.0f} MB of memory; grading a notebook with TensorFlow "
            f"needs at least {GRADER_MB + MIN_NOTEBOOK_MB:,} MB. This is not your grade: course staff, raise the "
            f"memory in the assignment's Autograder Settings ({RECOMMENDED_GB} GB is enough) and regrade."
        )
    return min(default, limit_mb - GRADER_MB)


def guard(source):
    """Only root may read the autograder's own files, the hidden tests among them."""
    os.chmod(source, 0o700)


def find(submission, lesson):
    """The uploaded notebook: the only one, or the one named after the lesson."""
    found = sorted(
        path.relative_to(submission) for path in Path(submission).rglob("*")
        if path.is_file() and path.suffix in SUFFIXES and ".ipynb_checkpoints" not in path.parts
    )
    named = [path for path in found if path.name == f"{lesson}.ipynb"]
    if len(named) == 1 or len(found) == 1:
        return Path(submission) / (named or found)[0]
    uploaded = ", ".join(map(str, found)) or "no notebook"
    raise Refused(f"Upload one notebook, {lesson}.ipynb; this submission has {uploaded}.")


def grade(path, settings, results):
    # One file to grade: the worker forks from this process, which has not imported TensorFlow, and imports
    # it once; a forkserver would hold a second copy in a process of its own.
    return pool.grade_in_worker(path, settings, results / LOG, multiprocessing.get_context("fork"))


def write(results, record):
    (results / "results.json").write_text(json.dumps(gradescope_results(record, report.question_feedback), indent=1))


def refusal(results, message):
    """A results file that scores nothing and says why, for the student and the course staff."""
    (results / "results.json").write_text(json.dumps({"score": 0.0, "output": message, "tests": []}, indent=1))
    print(message)


def main(autograder="/autograder"):
    autograder = Path(autograder)
    source, results = autograder / "source", autograder / "results"
    results.mkdir(parents=True, exist_ok=True)
    lesson = json.loads((source / "otter_config.json").read_text())["assignment_name"]
    try:
        notebook_mb = memory(memory_limit_mb())
    except Refused as refused:  # the course staff's to fix: Gradescope shows the run as failed
        refusal(results, str(refused))
        return 1
    guard(source)
    try:
        path = find(autograder / "submission", lesson)
    except Refused as refused:
        refusal(results, str(refused))
        return 0
    record = grade(path, Settings(lesson, memory_mb=notebook_mb, source=str(source)), results)
    write(results, record)
    print(f"{path.name}: {record.status}, {record.score:g} / {record.max_score:g} points"
          + (f" ({record.reason})" if record.reason else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
