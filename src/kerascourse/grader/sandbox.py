"""Run a command isolated from the network, the grader's files and other submissions.

With bubblewrap (Debian's ``bubblewrap``), the command sees only read-only system and Python
directories, the library, the offline datasets and its work directory (read-only); it may write only
to ``scratch/`` and ``scratch/export/`` inside it and to ``/tmp``, each a memory-backed filesystem of a
fixed size, so what it writes in total is bounded; it has no network and its own process tree.
Without bubblewrap it still runs in its own process session with the same time, memory and per-file
limits, but writes to a plain folder; when the grader runs as root (a Gradescope container, where
namespaces are not allowed), the command runs as a user of its own with no privileges, which may write
only its private scratch folder, can read no folder that only root may read (so a caller keeps its
secrets there), and whose processes are all killed when the command ends, those it left behind included.
A watchdog enforces the wall-clock and memory limits on the tree.
"""

import contextlib
import functools
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/opt")
POLL_S = 0.1
MB = 2**20
TMP_MB = 64  # the sandbox's own /tmp; programs are pointed at scratch/tmp instead
LOG_TAIL_BYTES = 3000
FIRST_UID = 200_000  # a command run without bubblewrap as root gets the user FIRST_UID + the grader's pid


def scratch(workdir):
    """The folder the sandboxed command may write to; ``scratch(workdir) / "export"`` has a bound of its own."""
    return Path(workdir) / "scratch"


class Unusable(Exception):
    """The command cannot be run as the sandbox would run it; the message says what to change."""


@dataclass
class Outcome:
    status: str  # finished, timeout, memory or disk
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
    """Directories a sandboxed notebook may read: system, Python, the library, its student material (the
    hints that ``hint("q1")`` shows) and its data."""
    import kerascourse
    from kerascourse.course import material

    python = {sys.base_prefix, sys.prefix, str(Path(kerascourse.__file__).resolve().parents[1])}
    student_material = material.root()
    if student_material is not None:
        python.add(str(student_material.resolve()))
    return sorted({*SYSTEM_DIRS, *python, *map(str, extra)})


def command(argv, workdir, readable, disk_mb):
    """The bubblewrap command line that runs ``argv`` in ``scratch(workdir)``, with ``workdir`` read-only
    at the same path and the scratch and export folders as size-limited filesystems."""
    # Mount order matters: the fresh /tmp first, so readable paths and the work directory under /tmp
    # (a checkout in /tmp, the work directory itself) are bound on top of it rather than hidden by it.
    binds = []
    for path in readable:
        binds += ["--ro-bind-try", path, path]
    size = str(int(disk_mb * MB))
    return [
        "bwrap", "--dev", "/dev", "--proc", "/proc", "--size", str(TMP_MB * MB), "--tmpfs", "/tmp",
        *binds,
        "--ro-bind", str(workdir), str(workdir),
        "--size", size, "--tmpfs", str(scratch(workdir)),
        "--size", size, "--tmpfs", str(scratch(workdir) / "export"),
        "--chdir", str(scratch(workdir)),
        "--unshare-all", "--die-with-parent", "--new-session",
        "--", *argv,
    ]  # fmt: skip


def run(argv, workdir, *, timeout, memory_mb, disk_mb=1024, env, readable=(), stdout=None):
    """Run ``argv`` sandboxed, its standard output into the file ``stdout`` (discarded when None); kill its
    whole process tree on timeout, when it exceeds ``memory_mb``, or (without bubblewrap, whose filesystems
    bound it) when its scratch folder holds over twice ``disk_mb``. No file it writes may pass ``disk_mb``."""
    scratch(workdir).mkdir(exist_ok=True)
    isolated, user = bubblewrap(), None
    if isolated:
        full = command(argv, workdir, readable_dirs(readable), disk_mb)
    else:
        (scratch(workdir) / "export").mkdir(exist_ok=True)
        full = argv
        user = unprivileged_user()
        if user:
            hand_over(workdir, user)
            env = {**env, "USER": "student", "LOGNAME": "student"}
    start, peak = time.monotonic(), 0.0
    with open(stdout or "/dev/null", "wb") as output:
        try:
            process = subprocess.Popen(
                full,
                cwd=scratch(workdir),
                env=env,
                stdout=output,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=functools.partial(_limit, int(disk_mb * MB), user),
            )
        except PermissionError as error:
            raise Unusable(
                f"the unprivileged user that runs notebooks where bubblewrap cannot cannot run {error.filename}: "
                "let other users enter and read its folders (chmod o+rx), or install bubblewrap"
            ) from None
        tail = bytearray()
        reader = threading.Thread(target=_keep_tail, args=(process.stderr, tail), daemon=True)
        reader.start()
        status = "finished"
        while process.poll() is None:
            rss = _tree_rss_mb(process.pid)
            peak = max(peak, rss)
            if rss > memory_mb:
                status = "memory"
            elif time.monotonic() - start > timeout:
                status = "timeout"
            elif not isolated and _folder_mb(scratch(workdir)) > 2 * disk_mb:
                status = "disk"
            if status != "finished":
                _kill_tree(process)
                break
            time.sleep(POLL_S)
        process.wait()
        if user:
            _kill_user(user[0])
        reader.join(timeout=5)
    return Outcome(status, process.returncode, time.monotonic() - start, peak, bytes(tail).decode("utf-8", "replace"))


def _folder_mb(folder):
    total = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(parent, name)).st_size
    return total / MB


def _keep_tail(pipe, tail):
    """Read ``pipe`` to its end, keeping only its last ``LOG_TAIL_BYTES`` in ``tail``."""
    for chunk in iter(lambda: pipe.read1(65536), b""):
        tail += chunk
        del tail[:-LOG_TAIL_BYTES]


def unprivileged_user():
    """``(uid, gid)`` an unsandboxed command runs as when this process is root, else None: a user with no
    account and no groups, its own for as long as this process lives, so that commands run in parallel
    by other grading processes cannot reach each other."""
    if os.geteuid() != 0:
        return None
    uid = FIRST_UID + os.getpid()
    return uid, uid


def hand_over(workdir, user):
    """Let ``user`` read the work directory's own files (not list it) and own its scratch folder, private
    to it."""
    workdir = Path(workdir)
    workdir.chmod(0o711)
    for path in workdir.iterdir():
        if path.is_file():
            path.chmod(0o644)
    for folder, _, names in os.walk(scratch(workdir)):
        os.chown(folder, *user)
        os.chmod(folder, 0o700)
        for name in names:
            os.chown(os.path.join(folder, name), *user)


def _limit(max_bytes, user):
    """In the child before it runs: the per-file size limit, then ``user``'s identity when one is given."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    if user:
        os.setgroups([])
        os.setgid(user[1])
        os.setuid(user[0])


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


def _kill_user(uid):
    """Kill every process of ``uid``: what the command started and left behind in a session of its own."""
    for process in psutil.process_iter(["uids"]):
        if process.info["uids"] and process.info["uids"].real == uid:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


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
