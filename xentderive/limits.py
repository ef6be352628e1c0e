"""Sizes the tool accepts; kept free of SymPy so the CLI can validate input before importing it."""

MAX_CLASSES = 10_000
"""Largest concrete number of classes accepted."""

GRADIENT_MAX_CLASSES = 200
"""Above this many classes the JSON `gradient` (C strings of O(C) terms each) is left out."""

GRADIENT_MAX_MATRIX = 30
"""Above this many classes a matrix `gradient` (C² strings: a Jacobian, a Hessian) is left out."""

DEFAULT_TIMEOUT = 60.0
"""Seconds a run (`derive`) or one case (`check`) may take unless --timeout says otherwise."""

DEFAULT_MEMORY = 2 * 1024**3
"""Bytes of memory a run or one case may use unless --memory says otherwise (2 GiB)."""

MAX_TIMEOUT = 24 * 3600.0
"""Largest --timeout accepted: a day."""

MAX_CASES = 1000
"""Most cases one `check` suite may hold; a configuration that asks for more is refused."""

_UNITS = {
    "": 1024**2,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
}
MIN_MEMORY = 256 * 1024**2
MAX_MEMORY = 1024 * 1024**3


def parse_memory(text: str) -> int:
    """``"2G"``, ``"512M"``, ``"2048"`` (MiB) → bytes; ValueError with a one-line reason otherwise."""
    raw = str(text).strip().lower().replace(" ", "")
    number = raw.rstrip("kmgib")
    unit = raw[len(number) :]
    if unit not in _UNITS or not number.replace(".", "", 1).isdigit() or len(number) > 12:
        raise ValueError(f"{text!r} is not a memory size such as 2G, 512M or 4096 (MiB)")
    size = int(float(number) * _UNITS[unit])
    if size < MIN_MEMORY:
        raise ValueError(f"{text!r} is below the minimum of 256M")
    if size > MAX_MEMORY:
        raise ValueError(f"{text!r} is above the maximum of 1024G")
    return size


def describe_memory(size: int) -> str:
    """2147483648 → ``2 GiB``: how messages name a limit."""
    return f"{size / 1024**3:g} GiB" if size >= 1024**3 else f"{size / 1024**2:g} MiB"
