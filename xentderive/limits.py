"""Sizes the tool accepts; kept free of SymPy so the CLI can validate input before importing it."""

MAX_CLASSES = 10_000
"""Largest concrete number of classes accepted."""

GRADIENT_MAX_CLASSES = 200
"""Above this many classes the JSON `gradient` (C strings of O(C) terms each) is left out."""
