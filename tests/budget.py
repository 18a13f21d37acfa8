"""The suite's grading time per lesson, printed at the end of every run (see conftest) so that the CI
budget stays visible: where a graded notebook's time goes, and what each lesson costs."""

from collections import defaultdict
from statistics import mean

STEPS = ("notebook_kernel", "notebook_cells", "notebook_export", "sandbox", "load", "judge")
batches = defaultdict(list)  # lesson -> records graded by the batch fixture
zip_runs = defaultdict(float)  # lesson -> seconds of the autograder zip run end to end (otter run, Gradescope)


def add_batch(lesson, kind, records):
    batches[lesson] += records


def add_zip_run(lesson, seconds):
    zip_runs[lesson] += seconds


def table():
    """Lines of a per-lesson table: mean seconds of each step per notebook, and the lesson's total."""
    if not batches and not zip_runs:
        return []
    header = ["lesson", "files", *(step.removeprefix("notebook_") for step in STEPS), "worker", "total", "zip runs"]
    lines = [" ".join(f"{name:>9s}" for name in header)]
    for lesson in sorted(set(batches) | set(zip_runs)):
        records = batches.get(lesson, [])
        steps = [mean(r.timings.get(step, 0.0) for r in records) if records else 0.0 for step in STEPS]
        worker = mean(r.worker_seconds for r in records) if records else 0.0
        total = sum(r.worker_seconds for r in records)
        row = [f"{lesson[:9]:>9s}", f"{len(records):9d}", *(f"{value:9.1f}" for value in steps), f"{worker:9.1f}",
               f"{total:9.0f}", f"{zip_runs.get(lesson, 0.0):9.0f}"]
        lines.append(" ".join(row))
    return lines
