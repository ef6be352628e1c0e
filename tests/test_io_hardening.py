"""Hostile input (issue #12): output paths, standard output, the suite's configuration, GitHub output, the action.

Every refusal is one InputError line that names the path or the key and says where;
every "accepts" test has a "refuses" twin.
"""

from __future__ import annotations

import errno
import io
import os
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xentderive import limits
from xentderive.cli import main
from xentderive.config import (
    Case,
    Locator,
    count_cases,
    dotted,
    find_pyproject,
    load_config,
    parse_classes,
    validate_cases,
)
from xentderive.errors import InputError
from xentderive.output import (
    StdoutError,
    ascii_fallback,
    check_target,
    write_atomic,
    write_stdout,
)
from xentderive.reports.github import (
    SUMMARY_BUDGET,
    annotations,
    append_step_summary,
    escape_data,
    escape_property,
    step_summary,
)
from xentderive.suite import CaseResult, Settings, SuiteResult, Witness, build_cases

ROOT = Path(__file__).resolve().parent.parent
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message and message.strip() == message
    return message


# --- check_target: before any long work ----------------------------------------------


def test_check_target_accepts_dash_as_standard_output():
    assert check_target("-").is_stdout and check_target(None).is_stdout


def test_check_target_refuses_an_empty_name():
    with pytest.raises(InputError) as err:
        check_target("")
    assert "empty" in one_line(err)


def test_check_target_accepts_a_new_file_in_a_writable_directory(tmp_path):
    target = check_target(tmp_path / "out.json")
    assert target.path == (tmp_path / "out.json").resolve() and not target.is_stdout
    assert sorted(tmp_path.iterdir()) == []  # the writability probe left nothing behind


def test_check_target_refuses_a_missing_directory(tmp_path):
    with pytest.raises(InputError) as err:
        check_target(tmp_path / "nope" / "out.json")
    assert "nope" in one_line(err) and "does not exist" in str(err.value)


def test_check_target_accepts_an_existing_regular_file(tmp_path):
    (tmp_path / "old.txt").write_text("old")
    assert check_target(tmp_path / "old.txt").path == (tmp_path / "old.txt").resolve()


def test_check_target_refuses_a_directory(tmp_path):
    with pytest.raises(InputError) as err:
        check_target(tmp_path)
    assert str(tmp_path) in one_line(err) and "is a directory" in str(err.value)


def test_check_target_refuses_a_name_ending_in_a_slash(tmp_path):
    with pytest.raises(InputError) as err:
        check_target(f"{tmp_path}/new/")
    assert "directory" in one_line(err)


def test_check_target_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as err:
        check_target(fifo)
    assert "FIFO" in one_line(err)


def test_check_target_refuses_a_socket(tmp_path):
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        try:
            server.bind(str(path))
        except OSError:
            pytest.skip("the temporary path is too long for a unix socket")
        with pytest.raises(InputError) as err:
            check_target(path)
    assert "socket" in one_line(err)


def test_check_target_refuses_dev_null_even_as_root():
    with pytest.raises(InputError) as err:
        check_target("/dev/null")
    assert "/dev/null" in one_line(err) and "device" in str(err.value)
    with pytest.raises(InputError):
        write_atomic("/dev/null", "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device, not replaced


@pytest.mark.parametrize("path", ["/proc/version", "/proc/self/status", "/sys/kernel/new-file", "/dev/stdout"])
def test_check_target_refuses_proc_and_sys(path):
    if not os.path.exists(os.path.dirname(path)):
        pytest.skip(f"{os.path.dirname(path)} is not mounted here")
    with pytest.raises(InputError) as err:
        check_target(path)
    assert path in one_line(err)


def test_check_target_refuses_a_regular_file_as_the_parent_directory(tmp_path):
    (tmp_path / "file.txt").write_text("I am no directory")
    with pytest.raises(InputError) as err:
        check_target(tmp_path / "file.txt" / "out.json")
    assert f"{tmp_path / 'file.txt'} is not a directory" in one_line(err)


def test_check_target_refuses_a_name_too_long_for_the_file_system(tmp_path):
    with pytest.raises(InputError) as err:
        check_target(tmp_path / ("a" * 300))
    assert "too long" in one_line(err)


def test_check_target_accepts_the_longest_name_the_file_system_allows(tmp_path):
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    target = check_target(tmp_path / ("a" * longest))
    write_atomic(target, "fits")  # the temporary name is shortened to fit as well
    assert (tmp_path / ("a" * longest)).read_text() == "fits"


def test_check_target_refuses_a_nul_byte(tmp_path):
    with pytest.raises(InputError) as err:
        check_target(f"{tmp_path}/a\0b")
    assert "NUL" in one_line(err)


@pytest.mark.skipif(ROOT_USER, reason="root writes into a 0555 directory; see the read-only test below")
def test_check_target_refuses_an_unwritable_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        with pytest.raises(InputError) as err:
            check_target(locked / "out.json")
        assert "cannot create a file" in one_line(err)
    finally:
        locked.chmod(0o755)


def test_check_target_refuses_a_directory_where_creating_a_file_fails_even_for_root(tmp_path, monkeypatch):
    """Writability is tried, not read off the mode bits: a read-only mount refuses root too."""

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(InputError) as err:
        check_target(tmp_path / "out.json")
    assert "read-only file system" in one_line(err) and str(tmp_path) in str(err.value)


def test_check_target_follows_a_symlink_to_its_final_target(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "out.json").write_text("old")
    (tmp_path / "hop").symlink_to(tmp_path / "real" / "out.json")
    (tmp_path / "link").symlink_to(tmp_path / "hop")
    assert check_target(tmp_path / "link").path == (tmp_path / "real" / "out.json").resolve()


def test_check_target_refuses_a_symlink_to_a_directory(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path)
    with pytest.raises(InputError) as err:
        check_target(tmp_path / "link")
    assert "is a directory" in one_line(err) and "symlink points to" in str(err.value)


def test_check_target_refuses_a_symlink_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InputError) as err:
        check_target(tmp_path / "a")
    assert "loop" in one_line(err) or "symbolic links" in str(err.value)


# --- write_atomic ----------------------------------------------------------------------


def test_write_atomic_replaces_a_symlinks_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(check_target(link), "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_write_atomic_creates_a_dangling_symlinks_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    write_atomic(link, b"bytes")
    assert link.is_symlink() and (tmp_path / "new.json").read_bytes() == b"bytes"


def test_write_atomic_gives_a_new_file_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.txt", "∂L/∂f_i")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "∂L/∂f_i"


def test_write_atomic_turns_an_oserror_into_one_line_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    (tmp_path / "out.txt").write_text("kept")
    target = check_target(tmp_path / "out.txt")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputError) as err:
        write_atomic(target, "lost")
    assert "no space left on device" in one_line(err) and "out.txt" in str(err.value)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"] and (tmp_path / "out.txt").read_text() == "kept"


def test_write_atomic_refuses_a_target_that_became_a_directory_after_the_check(tmp_path):
    target = check_target(tmp_path / "out")
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError) as err:
        write_atomic(target, "x")
    assert "is a directory" in one_line(err)


def test_write_atomic_refuses_a_directory_removed_after_the_check(tmp_path):
    (tmp_path / "sub").mkdir()
    target = check_target(tmp_path / "sub" / "out")
    (tmp_path / "sub").rmdir()
    with pytest.raises(InputError) as err:
        write_atomic(target, "x")
    assert "cannot write" in one_line(err)


# --- standard output -----------------------------------------------------------------


def test_ascii_fallback_maps_the_tools_unicode():
    text = "∂L/∂f_i = p_i − y_i ✓ Σ_j δ_ij ≠ 0 ≤ 1 ≥ 2 a·b → … ✗ γ² f₁ ∞ α Φ"
    assert (
        ascii_fallback(text)
        == "dL/df_i = p_i - y_i OK sum_j delta_ij != 0 <= 1 >= 2 a*b -> ... FAIL gamma^2 f_1 inf alpha Phi"
    )


def test_ascii_fallback_escapes_what_it_cannot_name():
    assert ascii_fallback("中文，") == "\\u4e2d\\u6587,"
    assert ascii_fallback("😀") == "\\U0001f600"
    assert ascii_fallback("plain") == "plain"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_write_stdout_falls_back_to_ascii_when_the_encoding_cannot_hold_the_text(encoding):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
    write_stdout("∂L/∂f_i ✓ 交叉熵 Σ", stream)
    assert raw.getvalue().decode("ascii") == "dL/df_i OK \\u4ea4\\u53c9\\u71b5 sum"


def test_write_stdout_keeps_unicode_when_the_encoding_holds_it():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    write_stdout("∂L/∂f_i ✓ 交叉熵", stream)
    assert raw.getvalue().decode("utf-8") == "∂L/∂f_i ✓ 交叉熵"


def test_write_stdout_writes_bytes_to_the_binary_buffer():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    write_stdout(b"\x89PNG", stream)
    assert raw.getvalue() == b"\x89PNG"


def test_write_stdout_refuses_a_full_device():
    with open("/dev/full", "w", encoding="utf-8") as full, pytest.raises(StdoutError) as err:
        write_stdout("x" * 100_000, full)
    assert "no space left on device" in one_line(err) and not err.value.broken_pipe


def test_write_stdout_refuses_a_broken_pipe():
    read, write = os.pipe()
    os.close(read)
    with open(write, "w", encoding="utf-8") as stream, pytest.raises(StdoutError) as err:
        write_stdout("x" * 100_000, stream)
    assert "broken pipe" in one_line(err) and err.value.broken_pipe


def test_write_stdout_refuses_a_closed_stream(monkeypatch):
    stream = io.StringIO()
    stream.close()
    with pytest.raises(StdoutError) as err:
        write_stdout("x", stream)
    assert "closed" in one_line(err)
    monkeypatch.setattr(sys, "stdout", None)  # Python started with `>&-`
    with pytest.raises(StdoutError):
        write_stdout("x")


SCRIPT = """
import sys
from xentderive.output import StdoutError, write_stdout
try:
    write_stdout("∂L/∂f_i = p_i − y_i ✓ 中文\\n" * 2000)
except StdoutError as err:
    print(f"xentderive: error: {err}", file=sys.stderr)
    sys.exit(2)
"""


def run_script(env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**os.environ, **(env or {})}, capture_output=False, check=False, **kwargs
    )


def test_a_process_writing_to_dev_full_ends_with_one_line_and_no_exit_time_noise():
    with open("/dev/full", "w") as full:
        done = run_script(stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "xentderive: error: cannot write to standard output: no space left on device"
    ]


def test_a_process_with_an_ascii_stdout_prints_ascii_and_succeeds():
    done = run_script({"PYTHONIOENCODING": "ascii"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("ascii").startswith("dL/df_i = p_i - y_i OK \\u4e2d\\u6587\n")


# --- configuration: wrong types, encodings and structures ------------------------------


def config(tmp_path: Path, text: str | bytes, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def refused(tmp_path: Path, text: str | bytes, name: str = "pyproject.toml") -> str:
    path = config(tmp_path, text, name)
    with pytest.raises(InputError) as err:
        load_config(path)
    message = one_line(err)
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def test_config_accepts_a_full_configuration_with_every_setting(tmp_path):
    claims, classes, settings = load_config(
        config(
            tmp_path,
            '[tool.xentderive]\nclasses = [2, 3, "C"]\nnumeric = false\ntimeout = 30\nseed = 7\n'
            'memory = "2G"\nallow-unproved = true\njobs = "auto"\n'
            '[[tool.xentderive.claims]]\nloss = "label-smoothing"\nparams = { eps = 0.1 }\n'
            '[[tool.xentderive.claims]]\nloss = "weighted-ce"\nclasses = [3]\nparams = { w0 = 2, w2 = "1/2" }\n',
        )
    )
    assert classes == (2, 3, None)
    assert settings == {
        "numeric": False,
        "allow_unproved": True,
        "timeout": 30.0,
        "seed": 7,
        "memory": 2 * 1024**3,
        "jobs": "auto",
    }
    assert claims == [
        (Case("label-smoothing", "onehot", None, None, (("eps", "0.1"),)), None),
        (Case("weighted-ce", "onehot", None, None, (("w0", "2"), ("w2", "1/2"))), (3,)),
    ]


def test_config_refuses_tool_that_is_not_a_table(tmp_path):
    assert refused(tmp_path, "tool = 1\n").startswith("tool (line 1, column 8): expected a table")


def test_find_pyproject_refuses_tool_that_is_not_a_table(tmp_path):
    config(tmp_path, "tool = 1\n")
    with pytest.raises(InputError) as err:
        find_pyproject(tmp_path)
    assert "tool (line 1, column 8)" in one_line(err)


def test_find_pyproject_accepts_a_tool_xentderive_table(tmp_path):
    config(tmp_path, "[tool.xentderive]\nseed = 1\n")
    (tmp_path / "sub").mkdir()
    assert find_pyproject(tmp_path / "sub") == tmp_path / "pyproject.toml"


def test_config_refuses_xentderive_that_is_not_a_table(tmp_path):
    assert refused(tmp_path, "[tool]\nxentderive = 5\n").startswith("tool.xentderive (line 2, column 14): expected")


def test_config_refuses_a_loss_that_is_a_list_naming_the_claim_and_the_value_not_a_decoy(tmp_path):
    message = refused(
        tmp_path,
        '[tool.xentderive]\n\n[[tool.xentderive.claims]]\nloss = "softmax-ce"\n\n'
        '[[tool.xentderive.claims]]\ntarget = """p_i - y_i\nloss = "decoy"\n[[tool.xentderive.claims]]\n"""\n'
        "  loss   =   ['softmax-ce']\n",
    )
    assert message.startswith("tool.xentderive.claims[1].loss (line 11, column 14): expected the name of a loss")


def test_config_refuses_an_unknown_loss_in_an_inline_claim_at_its_column(tmp_path):
    message = refused(tmp_path, '[tool.xentderive]\nclaims = [{loss = "softmax-ce"}, {loss = "mse"}]\n')
    assert message.startswith("tool.xentderive.claims[1].loss (line 2, column 42): unknown loss 'mse'")


def test_config_refuses_classes_nested_5000_deep_in_one_line(tmp_path):
    message = refused(tmp_path, "[tool.xentderive]\nclasses = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in message


def test_config_refuses_classes_nested_two_deep_at_the_inner_list(tmp_path):
    message = refused(tmp_path, "[tool.xentderive]\nclasses = [2, [3]]\n")
    assert message.startswith("tool.xentderive.classes[1] (line 2, column 15): [3] is not a whole number")


def test_config_refuses_an_empty_list_of_claims(tmp_path):
    assert refused(tmp_path, "[tool.xentderive]\nclaims = []\n").startswith(
        "tool.xentderive.claims (line 2, column 10): no claims"
    )


def test_config_refuses_an_empty_target(tmp_path):
    message = refused(tmp_path, '[[tool.xentderive.claims]]\nloss = "softmax-ce"\ntarget = "  "\n')
    assert message.startswith("tool.xentderive.claims[0].target (line 3, column 10): the target is empty")


def test_config_accepts_a_nonempty_target(tmp_path):
    claims, _, _ = load_config(config(tmp_path, '[[tool.xentderive.claims]]\ntarget = "p_i - y_i"\n'))
    assert claims[0][0].target == "p_i - y_i"


def test_config_refuses_a_file_that_is_not_utf8_naming_line_and_column(tmp_path):
    message = refused(tmp_path, b"[tool.xentderive]\nseed = 1\n# caf\xe9\n")
    assert message == "not UTF-8 text: byte 0xe9 at line 3, column 6"


def test_config_accepts_utf8_with_a_byte_order_mark(tmp_path):
    assert load_config(config(tmp_path, "\ufeff[tool.xentderive]\nseed = 1\n"))[2] == {"seed": 1}


def test_config_refuses_invalid_toml_in_one_line(tmp_path):
    assert refused(tmp_path, "[tool.xentderive\n").startswith("not valid TOML")


def test_config_refuses_an_integer_too_long_to_convert(tmp_path):
    assert refused(tmp_path, "[tool.xentderive]\nseed = " + "1" * 5000 + "\n").startswith("not valid TOML")


def test_config_refuses_a_fifo_instead_of_blocking(tmp_path):
    os.mkfifo(tmp_path / "suite.toml")
    with pytest.raises(InputError) as err:
        load_config(tmp_path / "suite.toml")
    assert "not a regular file" in one_line(err)


def test_config_refuses_a_file_above_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("xentderive.config.MAX_CONFIG_BYTES", 100)
    assert "above the limit" in refused(tmp_path, "[tool.xentderive]\n" + "# padding\n" * 20)


def test_config_refuses_an_unknown_key_at_the_key(tmp_path):
    message = refused(tmp_path, "[tool.xentderive]\nseed = 1\n  colour = 1\n")
    assert message.startswith("tool.xentderive.colour (line 3, column 3): unknown key")


def test_config_refuses_an_unknown_claim_key_in_the_second_claim(tmp_path):
    message = refused(
        tmp_path, "[[tool.xentderive.claims]]\nloss = 'focal'\n[[tool.xentderive.claims]]\nlos = 'focal'\n"
    )
    assert message.startswith("tool.xentderive.claims[1].los (line 4, column 1): unknown key")


@pytest.mark.parametrize(
    ("value", "column"),
    [("inf", 11), ("nan", 11), ("-inf", 11), ("1e300", 11), ("0", 11), ("-5", 11), ("true", 11), ('"60"', 11)],
)
def test_config_refuses_a_timeout_that_is_not_finite_positive_and_at_most_a_day(tmp_path, value, column):
    message = refused(tmp_path, f"[tool.xentderive]\ntimeout = {value}\n")
    assert message.startswith(f"tool.xentderive.timeout (line 2, column {column}): expected a number of seconds")
    assert f"{limits.MAX_TIMEOUT:g}" in message


@pytest.mark.parametrize("value", ["0.5", "30", str(int(limits.MAX_TIMEOUT))])
def test_config_accepts_a_finite_positive_timeout_up_to_a_day(tmp_path, value):
    assert load_config(config(tmp_path, f"[tool.xentderive]\ntimeout = {value}\n"))[2]["timeout"] == float(value)


@pytest.mark.parametrize(("value", "size"), [('"2G"', 2 * 1024**3), ('"512M"', 512 * 1024**2), ("1024", 1024**3)])
def test_config_accepts_memory_as_a_size_or_whole_mib(tmp_path, value, size):
    assert load_config(config(tmp_path, f"[tool.xentderive]\nmemory = {value}\n"))[2]["memory"] == size


@pytest.mark.parametrize("value", ['"lots"', '"1K"', "1.5", "true", "[2]", "-1"])
def test_config_refuses_memory_that_is_not_a_size(tmp_path, value):
    assert refused(tmp_path, f"[tool.xentderive]\nmemory = {value}\n").startswith(
        "tool.xentderive.memory (line 2, column 10): "
    )


@pytest.mark.parametrize("value", ["true", "false"])
def test_config_accepts_allow_unproved_as_a_bool(tmp_path, value):
    assert load_config(config(tmp_path, f"[tool.xentderive]\nallow-unproved = {value}\n"))[2] == {
        "allow_unproved": value == "true"
    }


def test_config_refuses_allow_unproved_that_is_not_a_bool(tmp_path):
    assert refused(tmp_path, '[tool.xentderive]\nallow-unproved = "yes"\n').startswith(
        "tool.xentderive.allow-unproved (line 2, column 18): expected true or false"
    )


@pytest.mark.parametrize(("value", "jobs"), [('"auto"', "auto"), ("1", 1), ("8", 8)])
def test_config_accepts_jobs_as_a_positive_whole_number_or_auto(tmp_path, value, jobs):
    assert load_config(config(tmp_path, f"[tool.xentderive]\njobs = {value}\n"))[2] == {"jobs": jobs}


@pytest.mark.parametrize("value", ["0", "-1", "1000000", '"many"', "true", "2.0"])
def test_config_refuses_jobs_that_are_not_a_positive_whole_number_or_auto(tmp_path, value):
    assert refused(tmp_path, f"[tool.xentderive]\njobs = {value}\n").startswith(
        "tool.xentderive.jobs (line 2, column 8): expected a whole number"
    )


def test_config_refuses_a_seed_beyond_64_bits(tmp_path):
    assert refused(tmp_path, f"[tool.xentderive]\nseed = {2**70}\n").startswith(
        "tool.xentderive.seed (line 2, column 8)"
    )


def test_config_refuses_out_of_range_classes_at_the_entry(tmp_path):
    message = refused(tmp_path, '[tool.xentderive]\nclasses = [2, 3,\n  "C", 0]\n')
    assert message.startswith(
        'tool.xentderive.classes[3] (line 3, column 8): 0 is not a whole number from 1 to 10000 or "C"'
    )


@pytest.fixture
def capped(monkeypatch):
    """A derivation with a maximum number of classes (none has one now): ce-hessian capped at 24."""
    from dataclasses import replace as changed

    from xentderive.derivations import REGISTRY

    monkeypatch.setitem(REGISTRY, "ce-hessian", changed(REGISTRY["ce-hessian"], max_classes=(24, "a stated cap")))


def test_config_refuses_a_claims_classes_above_its_losss_maximum(tmp_path, capped):
    message = refused(tmp_path, "[[tool.xentderive.claims]]\nloss = 'ce-hessian'\nclasses = [2, 30]\n")
    assert message.startswith(
        "tool.xentderive.claims[0].classes[1] (line 3, column 15): 30 classes is above ce-hessian"
    )


def test_config_refuses_top_level_classes_above_a_claims_maximum_at_the_top_level_entry(tmp_path, capped):
    message = refused(
        tmp_path, "[tool.xentderive]\nclasses = [3, 25]\n[[tool.xentderive.claims]]\nloss = 'ce-hessian'\n"
    )
    assert message.startswith("tool.xentderive.classes[1] (line 2, column 15): 25 classes is above ce-hessian")


def test_config_refuses_more_classes_than_the_case_cap(tmp_path):
    sizes = ", ".join(["2"] * (limits.MAX_CASES + 1))
    message = refused(tmp_path, f"[tool.xentderive]\nclasses = [{sizes}]\n")
    assert message.startswith("tool.xentderive.classes (line 2, column 11)") and f"cap of {limits.MAX_CASES}" in message


def test_config_refuses_claims_times_classes_above_the_case_cap(tmp_path):
    sizes = ", ".join(str(n) for n in range(1, 601))
    text = f"[tool.xentderive]\nclasses = [{sizes}]\n[[tool.xentderive.claims]]\nlabels = 'soft'\n"
    text += "[[tool.xentderive.claims]]\nlabels = 'onehot'\n"
    message = refused(tmp_path, text)
    assert message.startswith("tool.xentderive.claims (line 3, column 1): 1200 cases (claims × classes)")
    assert f"cap of {limits.MAX_CASES}" in message


def test_config_accepts_claims_times_classes_at_the_case_cap(tmp_path):
    sizes = ", ".join(str(n) for n in range(1, 501))
    text = f"[tool.xentderive]\nclasses = [{sizes}]\n[[tool.xentderive.claims]]\nlabels = 'soft'\n"
    text += "[[tool.xentderive.claims]]\nlabels = 'onehot'\n"
    claims, classes, _ = load_config(config(tmp_path, text))
    assert count_cases(claims, classes) == limits.MAX_CASES == len(build_cases(claims, classes))


def test_config_refuses_the_default_suite_times_too_many_classes(tmp_path):
    sizes = ", ".join(str(n) for n in range(2, 202))
    message = refused(tmp_path, f"[tool.xentderive]\nclasses = [{sizes}]\n")
    assert message.startswith("tool.xentderive.classes (line 2, column 11)") and "cases (claims × classes)" in message


def test_config_refuses_a_parameter_out_of_range_in_a_claims_sub_table(tmp_path):
    message = refused(
        tmp_path,
        "[[tool.xentderive.claims]]\nloss = 'softmax-ce'\n[[tool.xentderive.claims]]\nloss = 'label-smoothing'\n"
        "  [tool.xentderive.claims.params]\n  eps = 5\n",
    )
    assert message.startswith("tool.xentderive.claims[1].params.eps (line 6, column 9): eps=5 is out of range")


def test_config_refuses_a_parameter_the_loss_does_not_have(tmp_path):
    message = refused(tmp_path, "[[tool.xentderive.claims]]\nparams = { eps = 1 }\n")
    assert message.startswith("tool.xentderive.claims[0].params.eps (line 2, column 18): softmax-ce has no such")


def test_config_refuses_a_per_class_parameter_beyond_the_classes(tmp_path):
    message = refused(
        tmp_path, "[[tool.xentderive.claims]]\nloss = 'weighted-ce'\nclasses = [3]\nparams = {w0 = 1, w7 = 2}\n"
    )
    assert message.startswith("tool.xentderive.claims[0].params.w7 (line 4, column 24): there are only 3 classes")


@pytest.mark.parametrize("value", ["[1]", "{ a = 1 }", "true", "nan", "inf"])
def test_config_refuses_a_parameter_value_that_is_not_a_number(tmp_path, value):
    message = refused(tmp_path, f"[[tool.xentderive.claims]]\nloss = 'focal'\nparams = {{ gamma = {value} }}\n")
    assert message.startswith("tool.xentderive.claims[0].params.gamma (line 3, column 20): ")


def test_config_accepts_a_parameter_value_in_range(tmp_path):
    claims, _, _ = load_config(config(tmp_path, "[[tool.xentderive.claims]]\nloss = 'focal'\nparams = { gamma = 2 }\n"))
    assert claims[0][0].params == (("gamma", "2"),)


def test_config_refuses_a_claim_that_is_not_a_table(tmp_path):
    message = refused(tmp_path, "[tool.xentderive]\nclaims = ['softmax-ce']\n")
    assert message.startswith("tool.xentderive.claims[0] (line 2, column 11): expected a table")


def test_config_refuses_a_bad_bare_config_file_too(tmp_path):
    message = refused(tmp_path, "classes = [1]\nnumeric = 'no'\n", name="suite.toml")
    assert message.startswith("numeric (line 2, column 11): expected true or false")


def test_validate_cases_accepts_good_claims_from_flags():
    claims = [(Case("focal", "onehot", None, None, (("gamma", "2"),)), None)]
    assert validate_cases(claims, (2, 3)) == 2


@pytest.mark.parametrize(
    ("case", "classes", "flag"),
    [
        (Case("mse", "onehot", None), (3,), "--loss unknown loss 'mse'"),
        (Case("focal", "onehot", None, None, (("gamma", "-1"),)), (3,), "--param gamma=-1 is out of range"),
        (Case("ce-hessian", "onehot", None), (30,), "--classes 30 classes is above ce-hessian"),
    ],
)
def test_validate_cases_refuses_bad_claims_from_flags(case, classes, flag, capped):
    with pytest.raises(InputError) as err:
        validate_cases([(case, None)], classes)
    assert one_line(err).startswith(flag)


def test_validate_cases_refuses_flags_that_make_too_many_cases():
    with pytest.raises(InputError) as err:
        validate_cases(None, tuple(range(1, 200)))
    assert one_line(err).startswith("--classes: ") and "cap of" in str(err.value)


def test_parse_classes_refuses_a_flag_with_more_entries_than_the_cap_or_non_ascii_digits():
    with pytest.raises(InputError):
        parse_classes(",".join(["2"] * (limits.MAX_CASES + 1)))
    with pytest.raises(InputError):
        parse_classes("٣")  # an Arabic-Indic three: isdigit() but not a number of classes here
    assert parse_classes("2, 3,C") == (2, 3, None)


def test_the_locator_follows_quoted_and_dotted_keys_literal_strings_and_comments():
    text = (
        "# [[tool.xentderive.claims]] in a comment\n"
        "[tool.xentderive]\n"
        "'classes' = [ # a comment\n"
        "  1,\n"
        "  'a[[b]]',\n"
        "]\n"
        '"odd key".x = { "y.z" = 3 }\n'
        "[[tool.xentderive.claims]]\n"
        "loss = '''[[tool.xentderive.claims]]'''\n"
        "[[tool.xentderive.claims]]\n"
        "loss = 1\n"
    )
    where = Locator(text)
    assert where.find(("tool", "xentderive", "classes", 1)) == (5, 3)
    assert where.find(("tool", "xentderive", "odd key", "x", "y.z")) == (7, 25)
    assert where.find(("tool", "xentderive", "claims", 1, "loss")) == (11, 8)
    assert where.find(("tool", "xentderive", "claims", 1)) == (10, 1)
    assert where.find(("tool", "xentderive", "claims")) == (8, 1)  # the first [[claims]] table
    assert dotted(("tool", "xentderive", "odd key", "x", "y.z")) == 'tool.xentderive."odd key".x."y.z"'


# --- GitHub workflow commands and the step summary ------------------------------------


def result_of(*cases: CaseResult) -> SuiteResult:
    return SuiteResult(list(cases), 0.5, Settings())


def failed(target: str, message: str = "step 'Claim' failed", counterexample: str = "") -> CaseResult:
    return CaseResult(
        Case("softmax-ce", "onehot", 3, target),
        "failed",
        0.1,
        [Witness("symbolic", "failed", "x")],
        counterexample=counterexample,
        message=message,
    )


def test_escape_data_and_escape_property_follow_the_runner():
    assert escape_data("50% a:b, c\r\nd") == "50%25 a:b, c%0D%0Ad"
    assert escape_property("50% a:b, c\r\nd") == "50%25 a%3Ab%2C c%0D%0Ad"


def test_a_target_with_a_newline_and_a_command_cannot_forge_an_annotation():
    hostile = "p_i\n::error::forged, title=x:y\r::notice::also forged %0A"
    text = annotations(result_of(failed(hostile, message=f"bad case: {hostile}")))
    lines = text.splitlines()
    assert len(lines) == 2 and lines[0].startswith("::error title=") and lines[1].startswith("::notice title=")
    title = lines[0].removeprefix("::error title=").split("::", 1)[0]
    assert "," not in title and ":" not in title and "\n" not in title
    assert "p_i%0A%3A%3Aerror%3A%3Aforged%2C title=x%3Ay%0D%3A%3Anotice%3A%3Aalso forged %250A" in title
    assert "%0A::error::forged, title=x:y%0D::notice::also forged %250A" in lines[0]


def test_annotations_accept_a_plain_case_and_say_it_in_the_title():
    assert annotations(result_of(failed("p_i - 2*y_i"))).startswith(
        "::error title=xentderive%3A softmax-ce [onehot] C=3 target=p_i - 2*y_i::step 'Claim' failed"
    )


def test_the_step_summary_keeps_a_hostile_name_in_its_own_row():
    text = step_summary(result_of(failed("a | b\n| c `d` <script>")))
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 2  # the header and the one case
    assert "\\|" in rows[1] and "<script>" not in text.split("**")[0].replace(rows[1], "")
    assert "&lt;script&gt;" in text


def test_the_step_summary_stays_within_githubs_size_limit():
    huge = [failed(f"p_i - {n}*y_i", counterexample="f = (" + "1, " * 5000 + ")") for n in range(3000)]
    text = step_summary(result_of(*huge))
    assert len(text.encode()) <= SUMMARY_BUDGET and "more cases" in text


def test_append_step_summary_appends_and_returns_none(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    assert append_step_summary(result_of(failed("p_i")), path) is None
    text = path.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### xentderive check") and "✗ failed" in text


def test_append_step_summary_warns_in_one_line_for_a_missing_directory(tmp_path):
    warning = append_step_summary(result_of(), tmp_path / "gone" / "summary.md")
    assert warning and "\n" not in warning and "gone" in warning and "no such file or directory" in warning


@pytest.mark.parametrize("kind", ["directory", "fifo", "proc", "full"])
def test_append_step_summary_warns_and_never_hangs_for_what_cannot_take_it(tmp_path, kind):
    path = {"directory": tmp_path, "fifo": tmp_path / "pipe", "proc": Path("/proc/version"), "full": Path("/dev/full")}[
        kind
    ]
    if kind == "fifo":
        os.mkfifo(path)
    warning = append_step_summary(result_of(failed("p_i")), path)
    assert warning and "\n" not in warning and warning.startswith(f"cannot append the step summary to {path}: ")


def test_append_step_summary_does_nothing_for_an_empty_path_or_dev_null():
    assert append_step_summary(result_of(), "") is None
    assert append_step_summary(result_of(), None) is None
    assert append_step_summary(result_of(), os.devnull) is None


# --- the action ------------------------------------------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]


def test_the_action_pastes_no_input_or_context_into_a_script():
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step.get("name")
    assert STEPS[1]["env"]["XENTDERIVE_ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$XENTDERIVE_ACTION_PATH"' in STEPS[1]["run"]
    assert STEPS[2]["env"]["XENTDERIVE_ARGS"] == "${{ inputs.args }}"


def test_the_action_declares_ok_and_summary_outputs_from_the_check_step():
    assert STEPS[2]["id"] == "check"
    assert ACTION["outputs"]["ok"]["value"] == "${{ steps.check.outputs.ok }}"
    assert ACTION["outputs"]["summary"]["value"] == "${{ steps.check.outputs.summary }}"


FAKE = """#!/bin/bash
printf '%s\\n' "$@" > "$ARGS_LOG"
echo '::error title=xentderive%3A x::boom'
echo '::notice title=xentderive check::3 cases: 2 passed, 1 failed in 0.1 s, 100%25'
exit "${FAKE_EXIT:-1}"
"""


def run_check_step(tmp_path: Path, args: str, code: int) -> tuple[subprocess.CompletedProcess, list[str], dict]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "xentderive").write_text(FAKE)
    (bin_dir / "xentderive").chmod(0o755)
    script = tmp_path / "step.sh"
    script.write_text(STEPS[2]["run"])
    out = tmp_path / "github_output"
    out.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "XENTDERIVE_ARGS": args,
        "GITHUB_OUTPUT": str(out),
        "ARGS_LOG": str(tmp_path / "args"),
        "FAKE_EXIT": str(code),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs, lines = {}, out.read_text().splitlines()
    while lines:
        line = lines.pop(0)
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value = []
            while (item := lines.pop(0)) != delimiter:
                value.append(item)
            outputs[name] = "\n".join(value)
        else:
            name, _, value = line.partition("=")
            outputs[name] = value
    return done, (tmp_path / "args").read_text().splitlines(), outputs


def test_the_action_passes_hostile_args_literally_and_keeps_the_exit_code(tmp_path):
    args = '--classes 2,3\n  --target $(touch${IFS}pwned) ; touch pwned2 `id` * "a b"'
    done, argv, outputs = run_check_step(tmp_path, args, 1)
    assert done.returncode == 1, done.stderr
    assert argv == [
        "check",
        "--format",
        "github",
        "--classes",
        "2,3",
        "--target",
        "$(touch${IFS}pwned)",
        ";",
        "touch",
        "pwned2",
        "`id`",
        "*",
        '"a',
        'b"',
    ]
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()
    assert outputs == {"ok": "false", "summary": "3 cases: 2 passed, 1 failed in 0.1 s, 100%"}
    assert "::error title=xentderive%3A x::boom" in done.stdout  # the annotations still reach the log


def test_the_action_reports_ok_true_for_exit_0_and_passes_no_args_for_empty_input(tmp_path):
    done, argv, outputs = run_check_step(tmp_path, "", 0)
    assert done.returncode == 0 and argv == ["check", "--format", "github"]
    assert outputs["ok"] == "true"


def test_the_action_keeps_the_time_out_exit_code_3(tmp_path):
    done, _, outputs = run_check_step(tmp_path, "--timeout 1", 3)
    assert done.returncode == 3 and outputs["ok"] == "false"


def test_a_failed_verification_writes_its_report_so_ci_can_keep_it(tmp_path):
    out = tmp_path / "proof.txt"
    out.write_text("old\n")
    result = CliRunner().invoke(main, ["derive", "-C", "3", "--target", "p_i - 2*y_i", "-o", str(out)])
    assert result.exit_code == 1 and "failed" in out.read_text()


def test_its_twin_bad_input_leaves_the_old_file_as_it_was(tmp_path):
    out = tmp_path / "proof.txt"
    out.write_text("old\n")
    result = CliRunner().invoke(main, ["derive", "-C", "3", "--target", "p_i - ", "-o", str(out)])
    assert result.exit_code == 2 and out.read_text() == "old\n"
