"""The sandbox: no network, no view of the grader's files, and limits on time, memory and disk."""

import os
import shutil
import socket
import sys
import threading

import pytest

from kerascourse import ROOT
from kerascourse.grader import sandbox


def test_bubblewrap_is_installed_and_works():
    assert sandbox.bubblewrap(), "install Debian's bubblewrap (make does this when missing)"


def run_python(tmp_path, code, **limits):
    """The outcome, with what the code printed (its standard output) in ``printed``."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(sandbox.scratch(work))}
    options = {"timeout": 30, "memory_mb": 500, **limits}
    outcome = sandbox.run([sys.executable, "-c", code], work, env=env, stdout=tmp_path / "stdout", **options)
    outcome.printed = (tmp_path / "stdout").read_text()
    return outcome


def test_the_sandboxed_code_runs_and_can_write_only_its_scratch_folder(tmp_path):
    code = (
        "open('out.txt', 'w').write('hello'); print(open('out.txt').read())\n"
        "import sys; print('to stderr', file=sys.stderr)\n"
        "try:\n    open('../spec.json', 'w')\nexcept OSError as error:\n    print('READ-ONLY', error.errno)"
    )
    outcome = run_python(tmp_path, code)
    assert (outcome.status, outcome.returncode) == ("finished", 0)
    assert "hello" in outcome.printed and "READ-ONLY 30" in outcome.printed and "to stderr" in outcome.log_tail
    assert not (tmp_path / "work" / "spec.json").exists()


def test_what_the_code_writes_in_total_is_bounded(tmp_path):
    """Each folder it may write to holds at most ``disk_mb``: many files under the per-file limit cannot
    add up to more. The export folder has a bound of its own, so a full scratch folder leaves room for it."""
    code = (
        "import os\n"
        "for folder in ['.', 'export', '/tmp']:\n"
        "    written = 0\n"
        "    try:\n"
        "        while written < 2**30:\n"
        "            with open(os.path.join(folder, f'f{written}'), 'wb') as handle:\n"
        "                handle.write(bytes(2**22))\n"
        "            written += 2**22\n"
        "    except OSError as error:\n"
        "        print(folder, written // 2**20, error.strerror)"
    )
    outcome = run_python(tmp_path, code, disk_mb=32)
    assert outcome.returncode == 0
    lines = [line.split(maxsplit=2) for line in outcome.printed.splitlines()]
    written = {folder: (int(megabytes), error) for folder, megabytes, error in lines}
    limits = {".": 32, "export": 32, "/tmp": sandbox.TMP_MB}
    assert set(written) == set(limits)
    for folder, (megabytes, error) in written.items():
        assert limits[folder] - 4 <= megabytes <= limits[folder] and error == "No space left on device", folder


def test_no_network_even_to_this_machine(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    code = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "    print('CONNECTED')\n"
        "except OSError as error:\n"
        "    print('REFUSED', error)"
    )
    outcome = run_python(tmp_path, code)
    server.close()
    assert "REFUSED" in outcome.printed and "CONNECTED" not in outcome.printed


def test_files_outside_the_allowed_directories_are_invisible(tmp_path):
    secret = tmp_path / "hidden-tests" / "q1.py"
    secret.parent.mkdir()
    secret.write_text("SECRET")
    hidden = [secret, ROOT / "autograder", ROOT / "reference", ROOT / ".git"]
    code = f"import os\nprint([os.path.exists(path) for path in {[str(path) for path in hidden]!r}])"
    outcome = run_python(tmp_path, code)
    assert all(path.exists() for path in hidden)
    assert "[False, False, False, False]" in outcome.printed


def test_a_process_that_overruns_its_time_is_stopped(tmp_path):
    outcome = run_python(tmp_path, "while True:\n    pass", timeout=2)
    assert outcome.status == "timeout" and outcome.seconds < 10


def test_a_process_tree_over_its_memory_is_stopped(tmp_path):
    grow = "b = []\\nwhile True: b.append(bytearray(b'x' * 2**26))"
    code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', \"{grow}\"])"
    outcome = run_python(tmp_path, code, memory_mb=400)
    assert outcome.status == "memory" and outcome.peak_mb > 400


def without_bubblewrap(monkeypatch):
    """No bubblewrap, and a grader that is not root (root's case, where the command runs as an
    unprivileged user of its own, is run as Gradescope runs it in test_gradescope)."""
    monkeypatch.setattr(sandbox, "bubblewrap", lambda: False)
    monkeypatch.setattr(sandbox, "unprivileged_user", lambda: None)


def test_files_cannot_grow_past_the_size_limit_without_bubblewrap_too(tmp_path, monkeypatch):
    without_bubblewrap(monkeypatch)
    code = "try:\n    open('big', 'wb').write(b'x' * 2**21)\n    print('WROTE')\nexcept OSError:\n    print('LIMITED')"
    outcome = run_python(tmp_path, code, disk_mb=1)
    assert "LIMITED" in outcome.printed
    assert (sandbox.scratch(tmp_path / "work") / "big").stat().st_size <= 2**20


def test_a_python_installed_under_tmp_still_runs(tmp_path):
    """A checkout (and its venv) under /tmp must stay visible beneath the sandbox's fresh /tmp."""
    fake_prefix = tmp_path / "venv"
    (fake_prefix / "bin").mkdir(parents=True)
    (fake_prefix / "bin" / "marker").write_text("here")
    work = tmp_path / "work"
    work.mkdir()
    code = f"print(open({str(fake_prefix / 'bin' / 'marker')!r}).read())"
    outcome = sandbox.run([sys.executable, "-c", code], work, timeout=30, memory_mb=500,
                          env={"PATH": os.environ["PATH"]}, readable=[fake_prefix], stdout=tmp_path / "stdout")
    assert outcome.returncode == 0 and "here" in (tmp_path / "stdout").read_text()


def test_without_bubblewrap_a_scratch_folder_that_grows_too_large_is_stopped(tmp_path, monkeypatch):
    without_bubblewrap(monkeypatch)
    code = "import itertools\nfor n in itertools.count():\n    open(f'f{n}', 'wb').write(bytes(2**20))"
    outcome = run_python(tmp_path, code, disk_mb=4)
    assert outcome.status == "disk"


def test_as_root_without_bubblewrap_a_python_the_unprivileged_user_cannot_run_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bubblewrap", lambda: False)
    monkeypatch.setattr(sandbox, "unprivileged_user", lambda: (sandbox.FIRST_UID, sandbox.FIRST_UID))
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    shutil.copy(shutil.which("true"), private / "true")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(sandbox.Unusable, match="chmod o[+]rx"):
        sandbox.run([str(private / "true")], work, timeout=30, memory_mb=500, env={})
