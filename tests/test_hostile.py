"""Hostile input through the real command: one line and the right exit code, bounded, never a traceback.

One test per kind found in issue 12; the twins show the same option working when it is fine.
These run `python -m xentderive` in a subprocess, so stdout, signals and encodings are real.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONIOENCODING")}


def xd(*args: str, env: dict | None = None, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "xentderive", *args]
    return subprocess.run(cmd, capture_output=True, env=ENV | (env or {}), timeout=timeout, **kwargs)


def one_line_error(result: subprocess.CompletedProcess, code: int = 2) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == code, (result.returncode, err)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    "target",
    [
        "1e999",
        "exp(exp(exp(1000)))",
        "(p_i^100)^100",
        "(p_i-y_i)^100",
        "exp(" * 40 + "p_i" + ")" * 40,
        "-" * 60 + "p_i",
        "9" * 5000,
    ],
)
def test_a_target_that_would_explode_is_refused_up_front(target):
    one_line_error(xd("derive", "-C", "3", "--target", target))


def test_its_twin_a_small_power_is_worked_out():
    assert xd("derive", "-C", "3", "--target", "(p_i - y_i)^2").returncode == 1


def test_a_target_that_is_the_symbol_c_is_an_answer_not_a_crash():
    assert xd("derive", "--target", "C").returncode == 1


def test_an_invalid_utf8_byte_in_an_argument_is_exit_2():
    one_line_error(xd("derive", "--target", os.fsdecode(b"p_i \xff")))


@pytest.mark.parametrize(
    "args",
    [
        ("derive", "-C", "1000", "--target", "sum_j(1/p_i)"),
        ("derive", "-C", "10000", "--target", "sum_j(2/p_i)"),
    ],
)
def test_claims_that_ran_away_are_answered_within_the_default_limits(args):
    result = xd(*args)
    assert result.returncode in (1, 3), result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e300", "-1", "0", "x"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_exit_2(value):
    one_line_error(xd("derive", "--timeout", value))


def test_its_twin_a_tiny_timeout_is_exit_3_naming_the_flag():
    err = one_line_error(xd("derive", "-C", "300", "--timeout", "0.05"), code=3)
    assert "--timeout" in err


def test_a_worker_past_its_memory_limit_is_killed_and_the_message_names_the_flag():
    from xentderive.isolation import Limits, run_isolated

    done = run_isolated(lambda: len(bytearray(1 << 30)), Limits(seconds=30, memory=256 << 20))
    assert done.kind == "memory" and "--memory" in done.message
    assert run_isolated(lambda: len(bytearray(1 << 20)), Limits(seconds=30, memory=256 << 20)).value == 1 << 20


def test_a_worker_past_its_time_is_killed_and_the_parent_goes_on():
    from xentderive.isolation import Limits, run_isolated

    start = time.monotonic()
    assert run_isolated(lambda: time.sleep(30), Limits(seconds=0.5)).kind == "timeout"
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("value", ["T=1e5000", "T=1e10000000000", "T=nan", "T=-1", "T=", "Q=1"])
def test_a_bad_parameter_is_exit_2(value):
    one_line_error(xd("derive", "--loss", "temperature", "--param", value))


@pytest.mark.parametrize(
    "args",
    [
        ("--loss", "nope"),
        ("--loss", "temperature", "--param", "T=-1"),
        ("-C", "0"),
        ("-C", "20000"),
        ("--param", "T=2"),
        ("--target", ""),
        ("--target", "p_i +"),
        ("--loss", "focal", "-C", "1"),
    ],
)
def test_check_reports_bad_input_as_exit_2_before_running(args):
    start = time.monotonic()
    one_line_error(xd("check", "--no-numeric", *args))
    assert time.monotonic() - start < 30


def test_its_twin_a_good_check_passes():
    assert xd("check", "--no-numeric", "-C", "3", "--loss", "temperature", "--param", "T=2").returncode == 0


@pytest.mark.parametrize("name", ["", "missing-dir/x", "/proc/version", "/dev/null", "/dev/full", "a" * 300, "."])
def test_output_that_is_not_a_regular_file_is_refused_before_the_work(tmp_path, name):
    start = time.monotonic()
    one_line_error(xd("derive", "-C", "3", "-o", name, cwd=tmp_path))
    assert time.monotonic() - start < 5
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_dash_is_standard_output(tmp_path):
    result = xd("derive", "-C", "2", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0 and b"Verified exactly" in result.stdout and not (tmp_path / "-").exists()


def test_a_symlink_is_followed_and_kept(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    assert xd("derive", "-C", "2", "-o", "link.txt", cwd=tmp_path).returncode == 0
    assert (tmp_path / "link.txt").is_symlink() and "Verified" in (tmp_path / "real.txt").read_text()


def test_a_full_or_closed_standard_output_is_one_line():
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "xentderive", "derive", "-C", "2"], stdout=full, stderr=subprocess.PIPE, env=ENV
        )
    one_line_error(result)
    closed = subprocess.run(
        [sys.executable, "-m", "xentderive", "derive", "-C", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert closed.returncode == 0
    shut = subprocess.run(
        f"{sys.executable} -m xentderive derive -C 2 >&-", shell=True, stderr=subprocess.PIPE, env=ENV
    )
    one_line_error(shut)


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"PYTHONIOENCODING": "ascii"}, ("list",)),
        ({"PYTHONIOENCODING": "latin-1"}, ("derive", "-C", "2", "--lang", "zh")),
        ({"PYTHONIOENCODING": "ascii"}, ("check", "-C", "2", "--loss", "softmax-ce", "--no-numeric")),
        ({"LC_ALL": "C"}, ("derive", "-C", "2")),
    ],
)
def test_any_output_encoding_works(env, args):
    result = xd(*args, env=env)
    assert result.returncode == 0 and b"Traceback" not in result.stderr


def test_no_color_means_no_escape_codes_even_on_a_terminal():
    script = f"{sys.executable} -m xentderive derive -C 2"
    shown = subprocess.run(
        ["script", "-qc", script, "/dev/null"], capture_output=True, env=ENV | {"NO_COLOR": "1"}, timeout=60
    )
    assert b"Verified" in shown.stdout and b"\x1b[" not in shown.stdout
    coloured = subprocess.run(["script", "-qc", script, "/dev/null"], capture_output=True, env=ENV, timeout=60)
    assert b"\x1b[" in coloured.stdout  # the twin: colour where it is allowed


# A run that lasts (~45 s): nine classes with weights of their own are more than the symmetry
# argument groups (8), so every index is checked with every class written out.
LASTING = ["--loss", "weighted-ce", "-C", "30", *(f"--param=w{m}={m + 1}" for m in range(9))]


# From 0.15 s on the command is past the interpreter's own start-up and inside its imports
# (click, SymPy, mpmath: mpmath's import swallows a KeyboardInterrupt), then in the work.
@pytest.mark.parametrize("delay", [0.15, 0.25, 0.4, 0.6, 1.5])
def test_ctrl_c_is_exit_130_with_one_line_and_the_output_file_untouched(tmp_path, delay):
    out = tmp_path / "proof.txt"
    out.write_text("before")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xentderive", "derive", *LASTING, "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        # A shell starts background jobs with SIGINT ignored, and a child inherits that: as a user's
        # terminal would, give the command the default disposition, so that Ctrl-C reaches it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.decode().strip() == "xentderive: interrupted"
    assert out.read_text() == "before" and [p.name for p in tmp_path.iterdir()] == ["proof.txt"]


def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose command line holds `marker` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_ctrl_c_stops_every_worker_of_a_parallel_check(tmp_path):
    marker = "--seed=918273645"  # names this run's processes: the workers are forks with the same command line
    proc = subprocess.Popen(
        [sys.executable, "-m", "xentderive", "check", "--all", "-j", "2", marker],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while len(_processes_with(marker)) < 3 and time.monotonic() < deadline:  # the parent and two workers
        time.sleep(0.05)
    assert len(_processes_with(marker)) >= 3, "the workers never started"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.decode().strip() == "xentderive: interrupted"
    deadline = time.monotonic() + 5
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(marker) == []


def test_an_internal_error_is_one_line_and_exit_70_with_the_traceback_only_under_debug(tmp_path):
    boom = tmp_path / "sitecustomize.py"  # make the prover raise inside the worker
    boom.write_text(
        "import xentderive.verify as v\n"
        "def broken(*a, **k):\n    raise RuntimeError('boom')\n"
        "v.verify = broken\nimport xentderive.api as api\napi.verify = broken\n"
    )
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    err = one_line_error(xd("derive", "-C", "2", env=env), code=70)
    assert "internal error: RuntimeError: boom" in err
    debug = xd("--debug", "derive", "-C", "2", env=env)
    assert debug.returncode == 70 and b"Traceback" in debug.stderr


LOST = """
import sys, time
from xentderive import interrupt
interrupt.install()
try:
    print("ready", flush=True)
    time.sleep(20)
except BaseException:  # what mpmath's backend probe does with a bare except:
    pass
time.sleep(20)  # the run goes on as if nothing happened
"""


def test_ctrl_c_whose_exception_a_library_swallowed_still_ends_in_130():
    proc = subprocess.Popen(
        [sys.executable, "-c", LOST],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)  # the watchdog's grace is 3 s, the sleep 20 s
    assert proc.returncode == 130, err
    assert err.decode().endswith("xentderive: interrupted\n")


def test_a_wrapped_ctrl_c_is_not_an_internal_error_and_the_twin_is():
    """The CLI asks whether Ctrl-C arrived before it calls anything an internal error."""
    script = """
import sys
from xentderive import interrupt
from xentderive.entry import main
PENDING = len(sys.argv) > 1
import xentderive.cli as cli
@cli.main.command("boom")
def boom():
    if PENDING:
        interrupt._state["pending"] = True  # as the handler would have recorded it
    raise RuntimeError("wrapped")
sys.argv = ["xentderive", "boom"]
main()
"""
    interrupted = subprocess.run([sys.executable, "-c", script, "x"], capture_output=True, env=ENV, timeout=60)
    assert (interrupted.returncode, interrupted.stderr) == (130, b"xentderive: interrupted\n")
    bug = subprocess.run([sys.executable, "-c", script], capture_output=True, env=ENV, timeout=60)
    assert bug.returncode == 70 and b"internal error: RuntimeError: wrapped" in bug.stderr
