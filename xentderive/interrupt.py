"""Ctrl-C is exit 130 and one line, wherever in the process it lands.

Python turns SIGINT into a KeyboardInterrupt raised at the next bytecode, and libraries
lose it: mpmath's backend probe wraps `import gmpy2` in a bare `except:` (so Ctrl-C while
SymPy loads was swallowed and the run went on), a class body's `__set_name__` wraps it in
a RuntimeError (which looked like an internal error, exit 70), and C code that clears
errors drops it. So the handler also records the interrupt: the CLI asks `pending()`
before it names any other outcome, long loops and the atomic writer ask it too, and a
watchdog ends the process if the exception was lost altogether.

Only the command line installs this (`install`); importing the library never touches
signal handlers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

EXIT_INTERRUPTED = 130
MESSAGE = b"xentderive: interrupted\n"
GRACE = 3.0  # seconds the normal clean-up (KeyboardInterrupt unwinding) may take before the watchdog ends it

_state = {"pending": False, "said": False}


def install() -> None:
    """Use our SIGINT handler, unless SIGINT is ignored (a background job must stay immune)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return
    signal.signal(signal.SIGINT, _on_sigint)
    sys.unraisablehook = _quiet_about_interrupts


def _quiet_about_interrupts(unraisable: sys.UnraisableHookArgs) -> None:
    """A KeyboardInterrupt raised in a weakref callback or finalizer is "ignored" with a traceback
    on stderr; it is recorded as pending, so say nothing (the one line comes later)."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def pending() -> bool:
    """True once Ctrl-C has arrived, whether or not its KeyboardInterrupt survived."""
    return _state["pending"]


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C arrived and its exception was lost on the way."""
    if _state["pending"]:
        raise KeyboardInterrupt


def say() -> None:
    """The one line, once."""
    if not _state["said"]:
        _state["said"] = True
        with contextlib.suppress(OSError):
            os.write(2, MESSAGE)


def leave() -> None:
    """Say it and exit 130 now: no finalizer, no library, no lost exception can change the code."""
    say()
    os._exit(EXIT_INTERRUPTED)  # buffered output is dropped: flushing could block on a full pipe


def _on_sigint(signum: int, frame: object) -> None:
    first = not _state["pending"]
    _state["pending"] = True
    if first:
        threading.Thread(target=_watchdog, name="xentderive-interrupt", daemon=True).start()
    raise KeyboardInterrupt


def _watchdog() -> None:
    threading.Event().wait(GRACE)
    leave()
