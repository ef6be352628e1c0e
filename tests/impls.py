"""Gradient implementations in NumPy for the tests of `xentderive.testing`: correct ones, and planted bugs
of the kinds seen in real kernels. Each takes (logits, targets) and returns the gradient, shape (N, C)."""

from __future__ import annotations

import numpy as np

EPS = 0.1  # the label smoothing of the smoothing implementations
Z = 1e-4  # the z-loss weight
IGNORE = -100


def _onehot(targets, logits):
    if targets.ndim == 2:
        return targets.astype(logits.dtype)
    y = np.zeros_like(logits)
    rows = np.flatnonzero(targets != IGNORE)
    y[rows, targets[rows]] = 1
    return y


def _softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_ce(logits, targets):
    return _softmax(logits) - _onehot(targets, logits)


def no_max_subtraction(logits, targets):
    """Overflows for large logits (e^80 in float32, e^1e4 in any dtype)."""
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True) - _onehot(targets, logits)


def smoothing(logits, targets):
    y = _onehot(targets, logits)
    C = logits.shape[1]
    return _softmax(logits) - ((1 - EPS) * y + EPS / C)


def smoothing_wrong_mass(logits, targets):
    """(1 - eps)/C on the off-target classes instead of eps/C."""
    y = _onehot(targets, logits)
    C = logits.shape[1]
    return _softmax(logits) - ((1 - EPS) * y + (1 - EPS) / C * (1 - y))


def smoothing_plus_one_over_c(logits, targets):
    """(1 - eps)*y + 1/C instead of + eps/C."""
    y = _onehot(targets, logits)
    C = logits.shape[1]
    return _softmax(logits) - ((1 - EPS) * y + 1 / C)


def weighted(weights):
    def grad(logits, targets):
        w = np.asarray(weights, dtype=logits.dtype)  # the weights in the kernel's dtype, as a kernel holds them
        y = _onehot(targets, logits)
        p = _softmax(logits)
        return p * (y * w).sum(axis=1, keepdims=True) - w * y

    return grad


def z_loss(logits, targets):
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    p = _softmax(logits)
    return p - _onehot(targets, logits) + 2 * Z * lse * p


def z_loss_missing_two(logits, targets):
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    p = _softmax(logits)
    return p - _onehot(targets, logits) + Z * lse * p


def mean_ignore(logits, targets):
    """PyTorch's reduction="mean" with ignore_index: over the kept rows only."""
    kept = (targets != IGNORE).astype(logits.dtype)[:, None]
    return kept * softmax_ce(logits, targets) / max(kept.sum(), 1)


def mean_over_n(logits, targets):
    """Divided by N instead of the number of kept rows."""
    kept = (targets != IGNORE).astype(logits.dtype)[:, None]
    return kept * softmax_ce(logits, targets) / logits.shape[0]


def naive_sum(logits, targets):
    """The softmax sum accumulated one term at a time in the dtype (no pairwise summation)."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    total = np.zeros((logits.shape[0], 1), dtype=logits.dtype)
    for k in range(logits.shape[1]):
        total += e[:, k : k + 1]
    return e / total - _onehot(targets, logits)
