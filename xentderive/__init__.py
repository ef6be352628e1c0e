"""xentderive: derive, print and verify the softmax cross-entropy gradient with SymPy.

Importing the package is cheap: SymPy loads only when `derive` is first used, so
`xentderive --help` and `--version` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "derive"]

if TYPE_CHECKING:
    from .api import derive


def __getattr__(name: str):
    if name == "derive":
        from .api import derive

        return derive
    raise AttributeError(f"module 'xentderive' has no attribute {name!r}")
