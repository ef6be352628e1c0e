"""Writing results: checked before the work starts, then written atomically, or to standard output safely.

`check_target` refuses, in one line, every output path that cannot take a result (a
directory, a device, a FIFO, a socket, /proc or /sys, a missing or unwritable
directory, a name too long), before any long work. `write_atomic` writes a temporary
file beside the target and renames it over the target, so a failed run never leaves
a half-written file; a symlink is followed, its target replaced and the link kept.
`write_stdout` turns a closed or full standard output into one `StdoutError`, and
falls back to ASCII (`ascii_fallback`) when the output's encoding cannot hold the text.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from . import interrupt
from .errors import InputError

STDOUT = "-"
REFUSED_TREES = ("/proc", "/sys")
_TEMP_NAME_ROOM = 24  # what mkstemp's prefix dot, random part and suffix add to a name


class StdoutError(InputError):
    """Standard output cannot take the result: closed (EBADF), a broken pipe, or full (ENOSPC).

    `broken_pipe` is True when the reader went away (``xentderive … | head``), where a
    quiet exit is customary. The message is one line, without the ``xentderive: error:``.
    """

    def __init__(self, message: str, *, broken_pipe: bool = False) -> None:
        super().__init__(message)
        self.broken_pipe = broken_pipe


@dataclass(frozen=True)
class OutputTarget:
    """Where a result goes: standard output, or `path`, the final file (symlinks resolved) to replace."""

    name: str  # as the user gave it, for messages
    path: Path | None = None  # None: standard output

    @property
    def is_stdout(self) -> bool:
        return self.path is None


def _refuse(name: str, problem: str) -> InputError:
    return InputError(f"-o {name}: {problem}")


def _under(path: str, trees: tuple[str, ...]) -> str | None:
    for tree in trees:
        if path == tree or path.startswith(tree + "/"):
            return tree
    return None


def _name_max(folder: str) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _path_max(folder: str) -> int:
    try:
        return os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 4096


def _kind(mode: int) -> str | None:
    """Why a file of this mode cannot be replaced by a result; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def describe_error(err: OSError) -> str:
    """An OSError as a few lower-case words: "read-only file system", "no space left on device"."""
    if err.errno == errno.EROFS:
        return "read-only file system"
    if err.errno == errno.ENAMETOOLONG:
        return "file name too long"
    if err.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return (err.strerror or str(err)).lower().rstrip(".") or err.__class__.__name__


def _resolve(name: str) -> Path:
    """The absolute path a write to `name` ends at: every symlink (also of a missing target) followed."""
    try:
        resolved = Path(os.path.realpath(name, strict=False))
        if os.path.islink(resolved):  # realpath gives up on a loop and returns the link itself
            raise _refuse(name, "symbolic link loop")
    except OSError as err:
        raise _refuse(name, describe_error(err)) from None
    except ValueError as err:  # an embedded NUL byte
        raise _refuse(name, f"not a valid path ({err})") from None
    return resolved


def _hops(path: str) -> list[str]:
    """Every path a write to `path` passes through: /dev/stdout, /proc/self/fd/1, then the file it ends at."""
    hops = [path]
    for _ in range(40):
        try:
            parent = os.path.realpath(os.path.dirname(path))
            path = os.path.join(parent, os.path.basename(path))
            hops.append(path)
            if not os.path.islink(path):
                break
            path = os.path.normpath(os.path.join(parent, os.readlink(path)))
            hops.append(path)
        except (OSError, ValueError):
            break
    return hops


def check_target(name: str | os.PathLike[str] | None) -> OutputTarget:
    """Check an output path before any long work; InputError (one line, naming it) if it cannot take a file.

    ``-`` or None is standard output. A symlink is followed: the file it ends at is what
    is checked and later replaced, and the link stays.
    """
    if name is None or str(name) == STDOUT:
        return OutputTarget(STDOUT)
    name = os.fspath(name)
    if not name.strip():
        raise InputError("-o: the file name is empty")
    if "\0" in name:
        raise _refuse(name.replace("\0", "\\0"), "the file name contains a NUL byte")
    if name.endswith(("/", "/.", "/..")) or name in (".", ".."):
        raise _refuse(name, "names a directory, not a file")
    given = os.path.abspath(name)
    resolved = _resolve(name)
    tree = next(filter(None, (_under(hop, REFUSED_TREES) for hop in _hops(given))), None)
    if tree:
        hint = " (use - for standard output)" if name.startswith(("/dev/std", "/dev/fd/", "/proc/self/fd")) else ""
        raise _refuse(name, f"is under {tree}, which is not a place for files{hint}")
    folder = str(resolved.parent)
    longest = _name_max(folder if os.path.isdir(folder) else "/")
    if any(len(part.encode(errors="surrogateescape")) > longest for part in (*resolved.parts, Path(given).name)):
        raise _refuse(name, "file name too long")
    if len(str(resolved).encode(errors="surrogateescape")) >= _path_max("/"):
        raise _refuse(name, "path too long")
    try:
        mode = os.stat(resolved).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        mode = None  # the parent check below names the file that is in the way
    except OSError as err:
        raise _refuse(name, describe_error(err)) from None
    if mode is not None and (problem := _kind(mode)):
        raise _refuse(name, f"{problem} (the symlink points to {resolved})" if os.path.islink(given) else problem)
    _check_folder(name, folder)
    return OutputTarget(name, resolved)


def _check_folder(name: str, folder: str) -> None:
    """The directory must exist, be a directory, and take a new file: tried, so root and read-only mounts count."""
    try:
        mode = os.stat(folder).st_mode
    except FileNotFoundError:
        raise _refuse(name, f"directory {folder} does not exist") from None
    except NotADirectoryError:
        raise _refuse(name, f"{_first_non_directory(folder)} is not a directory") from None
    except OSError as err:
        raise _refuse(name, f"directory {folder}: {describe_error(err)}") from None
    if not stat.S_ISDIR(mode):
        raise _refuse(name, f"{folder} is not a directory")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".xentderive-", suffix=".probe")
    except OSError as err:
        raise _refuse(name, f"cannot create a file in {folder}: {describe_error(err)}") from None
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError as err:
        raise _refuse(name, f"cannot remove a file in {folder}: {describe_error(err)}") from None


def _first_non_directory(folder: str) -> str:
    """The first component of `folder` that exists but is not a directory (the one in the way)."""
    probe = Path(folder)
    for part in reversed([probe, *probe.parents]):
        if part.exists() and not part.is_dir():
            return str(part)
    return folder


def _umask_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(target: OutputTarget | str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` to a temporary file beside the target, then rename it over the target.

    A str or path is checked with `check_target` first; ``-`` writes to standard output.
    The file keeps the mode of the one it replaces, or gets the usual 0666 & ~umask
    (mkstemp alone would leave 0600). A symlink stays and its target is replaced. Every
    OSError becomes an InputError of one line naming the file; nothing half-written is left.
    """
    if not isinstance(target, OutputTarget):
        target = check_target(target)
    if target.path is None:
        write_stdout(data)
        return
    path = target.path
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        current = os.stat(path)
    except FileNotFoundError:
        mode = _umask_mode()
    except OSError as err:
        raise _refuse(target.name, describe_error(err)) from None
    else:
        if problem := _kind(current.st_mode):  # it changed since check_target
            raise _refuse(target.name, problem)
        mode = current.st_mode & 0o7777
    keep = max(1, _name_max(str(path.parent)) - _TEMP_NAME_ROOM)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:keep]}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        interrupt.check()  # Ctrl-C whose exception a library lost: the old file stays
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise _refuse(target.name, f"cannot write: {describe_error(err)}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


# --- standard output -----------------------------------------------------------------

_ASCII = {
    "Σ": "sum",
    "∑": "sum",
    "∂": "d",
    "✓": "OK",
    "✔": "OK",
    "✗": "FAIL",
    "✘": "FAIL",
    "⏱": "TIME",
    "≠": "!=",
    "≤": "<=",
    "≥": ">=",
    "≈": "~=",
    "·": "*",
    "×": "x",
    "→": "->",
    "←": "<-",
    "⇒": "=>",
    "…": "...",
    "−": "-",
    "–": "-",
    "—": "--",
    "′": "'",
    "″": "''",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "∞": "inf",
    "∈": "in",
    "∉": "not in",
    "√": "sqrt",
    "±": "+-",
    "ᵀ": "^T",
    "\u00a0": " ",
    "，": ",",
    "。": ".",
    "：": ":",
    "；": ";",
    "（": "(",
    "）": ")",
    "、": ",",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓᵢⱼₖₘₙ", "0123456789+-=()aeoxijkmn", strict=True))


def _ascii_char(char: str) -> str:
    if char.isascii():
        return char
    if char in _ASCII:
        return _ASCII[char]
    if char in _SUPERSCRIPTS:
        return "^" + _SUPERSCRIPTS[char]
    if char in _SUBSCRIPTS:
        return "_" + _SUBSCRIPTS[char]
    name = unicodedata.name(char, "")
    for prefix in ("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER "):
        if name.startswith(prefix) and " " not in name[len(prefix) :]:
            word = name[len(prefix) :].lower()
            return word if "SMALL" in prefix else word.capitalize()
    folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if folded:  # é → e, fullwidth Ａ → A
        return folded
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def ascii_fallback(text: str) -> str:
    """`text` in plain ASCII: Σ → sum, ∂ → d, ✓ → OK, ✗ → FAIL, ≠ → !=, δ → delta, ² → ^2, 中 → \\u4e2d."""
    if text.isascii():
        return text
    return "".join(_ascii_char(char) for char in text)


def _encodable(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "utf-8")
    except UnicodeEncodeError:
        return False
    except LookupError:
        return text.isascii()
    return True


def _silence(stream: IO) -> None:
    """Point the broken stream's file descriptor at /dev/null, so the exit-time flush cannot fail again."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return
    try:
        os.dup2(null, fd)
    except OSError:
        pass
    finally:
        os.close(null)


def _stdout_error(err: BaseException) -> StdoutError:
    if isinstance(err, BrokenPipeError) or getattr(err, "errno", None) == errno.EPIPE:
        return StdoutError("standard output was closed by its reader (broken pipe)", broken_pipe=True)
    number = getattr(err, "errno", None)
    if number == errno.ENOSPC:
        return StdoutError("cannot write to standard output: no space left on device")
    if number == errno.EBADF or isinstance(err, ValueError):
        return StdoutError("standard output is closed")
    return StdoutError(f"cannot write to standard output: {describe_error(err) if isinstance(err, OSError) else err}")


def write_stdout(data: str | bytes, stream: IO | None = None) -> None:
    """Write `data` to standard output (or `stream`) and flush; StdoutError (one line) if it cannot take it.

    Text the stream's encoding cannot hold (PYTHONIOENCODING=ascii, a latin-1 terminal)
    is written through `ascii_fallback` instead of failing. Bytes go to the binary buffer.
    """
    stream = sys.stdout if stream is None else stream
    if stream is None:  # Python started with standard output closed (`>&-`)
        raise StdoutError("standard output is closed")
    try:
        if isinstance(data, bytes):
            buffer = getattr(stream, "buffer", stream)
            buffer.write(data)
            buffer.flush()
        else:
            if not _encodable(data, getattr(stream, "encoding", None)):
                data = ascii_fallback(data)
            stream.write(data)
            stream.flush()
    except (OSError, ValueError) as err:  # ValueError: "I/O operation on closed file"
        if isinstance(err, UnicodeEncodeError):  # an encoding that refuses even ASCII: let it be seen
            raise StdoutError(f"standard output cannot encode the result: {err.reason}") from None
        _silence(stream)
        raise _stdout_error(err) from None
