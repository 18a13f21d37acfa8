"""Run a command isolated from the network, the grader's files and other submissions.

With bubblewrap (Debian's ``bubblewrap``), the command sees only read-only system and Python
directories, the library, the offline datasets, and its own writable work directory; it has no
network and its own process tree. Without bubblewrap it still runs in its own process session
with the same limits. A watchdog enforces a wall-clock timeout and a memory limit on the tree.
"""

import functools
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/opt")
POLL_S = 0.1
MAX_FILE_BYTES = 2**30  # no file the sandboxed code writes may grow past this


@dataclass
class Outcome:
    status: str  # finished, timeout or memory
    returncode: int | None
    seconds: float
    peak_mb: float
    log_tail: str


@functools.cache
def bubblewrap():
    """True when bubblewrap is installed and can create namespaces here."""
    if not shutil.which("bwrap"):
        return False
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "true"], capture_output=True)
    return probe.returncode == 0


def readable_dirs(extra=()):
    """Directories a sandboxed notebook may read: system, Python, the library and its data."""
    import kerascourse

    python = {sys.base_prefix, sys.prefix, str(Path(kerascourse.__file__).resolve().parents[1])}
    return sorted({*SYSTEM_DIRS, *python, *map(str, extra)})


def command(argv, workdir, readable):
    """The bubblewrap command line that runs ``argv`` in ``workdir`` (mounted at the same path)."""
    # Mount order matters: the fresh /tmp first, so readable paths and the work directory under /tmp
    # (a checkout in /tmp, the work directory itself) are bound on top of it rather than hidden by it.
    binds = []
    for path in readable:
        binds += ["--ro-bind-try", path, path]
    return [
        "bwrap", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
        *binds,
        "--bind", str(workdir), str(workdir), "--chdir", str(workdir),
        "--unshare-all", "--die-with-parent", "--new-session",
        "--", *argv,
    ]  # fmt: skip


def run(argv, workdir, *, timeout, memory_mb, env, readable=(), log):
    """Run ``argv`` sandboxed; kill its whole process tree on timeout or when it exceeds ``memory_mb``."""
    full = command(argv, workdir, readable_dirs(readable)) if bubblewrap() else argv
    start, peak = time.monotonic(), 0.0
    with open(log, "wb") as output:
        process = subprocess.Popen(
            full,
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_limit_file_size,
        )
        status = "finished"
        while process.poll() is None:
            rss = _tree_rss_mb(process.pid)
            peak = max(peak, rss)
            if rss > memory_mb:
                status = "memory"
            elif time.monotonic() - start > timeout:
                status = "timeout"
            if status != "finished":
                _kill_tree(process)
                break
            time.sleep(POLL_S)
        process.wait()
    tail = Path(log).read_bytes()[-3000:].decode("utf-8", "replace")
    return Outcome(status, process.returncode, time.monotonic() - start, peak, tail)


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))


def _tree_rss_mb(pid):
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def _kill_tree(process):
    """Kill the process and every descendant, including kernels that started their own session."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    process.kill()
    for child in descendants:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            continue
