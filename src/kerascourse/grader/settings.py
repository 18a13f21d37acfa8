"""How one lesson's submissions are graded: the limits and where the tests are. Light to import, so that
a process that only hands submissions out (the pool's parent, a Dask worker, Gradescope's entry point)
does not import TensorFlow for it."""

from dataclasses import dataclass

from kerascourse import ROOT


@dataclass
class Settings:
    lesson: str
    timeout: float = 600.0  # seconds for a whole notebook
    cell_timeout: float = 60.0  # seconds before a cell is interrupted
    memory_mb: float = 3000.0  # the notebook's process tree, and separately the grader's own process
    disk_mb: float = 1024.0  # what the notebook may write, and again what its export may hold
    judge_timeout: float = 300.0  # seconds for loading and judging the exported answers
    root: str = str(ROOT)  # the course checkout holding autograder/ and reference/
    source: str = ""  # or an unzipped autograder zip (Gradescope's /autograder/source) to read the tests from
    threads: int = 0  # CPU threads per notebook and judge; 0: the cores shared among the parallel notebooks


def thread_env(threads):
    """Environment variables that hold TensorFlow and oneDNN to ``threads`` threads (none for 0)."""
    if not threads:
        return {}
    return {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": str(threads)}
