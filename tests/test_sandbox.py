"""The sandbox: no network, no view of the grader's files, and limits on time and memory."""

import os
import socket
import sys
import threading

from kerascourse import ROOT, sandbox


def test_bubblewrap_is_installed_and_works():
    assert sandbox.bubblewrap(), "install Debian's bubblewrap (make does this when missing)"


def run_python(tmp_path, code, **limits):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(work)}
    options = {"timeout": 30, "memory_mb": 500, **limits}
    return sandbox.run([sys.executable, "-c", code], work, env=env, log=tmp_path / "log", **options)


def test_the_sandboxed_code_runs_and_can_write_its_work_directory(tmp_path):
    outcome = run_python(tmp_path, "open('out.txt', 'w').write('hello'); print('done')")
    assert (outcome.status, outcome.returncode) == ("finished", 0) and "done" in outcome.log_tail
    assert (tmp_path / "work" / "out.txt").read_text() == "hello"


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
    assert "REFUSED" in outcome.log_tail and "CONNECTED" not in outcome.log_tail


def test_files_outside_the_allowed_directories_are_invisible(tmp_path):
    secret = tmp_path / "hidden-tests" / "q1.py"
    secret.parent.mkdir()
    secret.write_text("SECRET")
    hidden = [secret, ROOT / "autograder", ROOT / "reference", ROOT / ".git"]
    code = f"import os\nprint([os.path.exists(path) for path in {[str(path) for path in hidden]!r}])"
    outcome = run_python(tmp_path, code)
    assert all(path.exists() for path in hidden)
    assert "[False, False, False, False]" in outcome.log_tail


def test_a_process_that_overruns_its_time_is_stopped(tmp_path):
    outcome = run_python(tmp_path, "while True:\n    pass", timeout=2)
    assert outcome.status == "timeout" and outcome.seconds < 10


def test_a_process_tree_over_its_memory_is_stopped(tmp_path):
    grow = "b = []\\nwhile True: b.append(bytearray(b'x' * 2**26))"
    code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', \"{grow}\"])"
    outcome = run_python(tmp_path, code, memory_mb=400)
    assert outcome.status == "memory" and outcome.peak_mb > 400


def test_files_cannot_grow_past_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_FILE_BYTES", 2**20)
    code = "try:\n    open('big', 'wb').write(b'x' * 2**21)\n    print('WROTE')\nexcept OSError:\n    print('LIMITED')"
    outcome = run_python(tmp_path, code)
    assert "LIMITED" in outcome.log_tail or outcome.returncode != 0
    assert (tmp_path / "work" / "big").stat().st_size <= 2**20


def test_a_python_installed_under_tmp_still_runs(tmp_path):
    """A checkout (and its venv) under /tmp must stay visible beneath the sandbox's fresh /tmp."""
    fake_prefix = tmp_path / "venv"
    (fake_prefix / "bin").mkdir(parents=True)
    (fake_prefix / "bin" / "marker").write_text("here")
    work = tmp_path / "work"
    work.mkdir()
    code = f"print(open({str(fake_prefix / 'bin' / 'marker')!r}).read())"
    outcome = sandbox.run([sys.executable, "-c", code], work, timeout=30, memory_mb=500,
                          env={"PATH": os.environ["PATH"]}, readable=[fake_prefix], log=tmp_path / "log")
    assert outcome.returncode == 0 and "here" in outcome.log_tail
