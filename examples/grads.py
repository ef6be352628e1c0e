"""A careful NumPy backward pass for softmax cross-entropy, to try `xentderive check-impl` on:

xentderive check-impl examples/grads.py:softmax_ce_backward --dtype float32
"""

import numpy as np


def softmax_ce_backward(logits, targets):
    """dL/df = softmax(f) - y, with the max subtracted first (no overflow for large logits)."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    if targets.ndim == 1:  # class indices
        y = np.zeros_like(p)
        y[np.arange(len(targets)), targets] = 1
        return p - y
    return p - targets


def softmax_ce_backward_naive(logits, targets):
    """The same without max-subtraction: e^f overflows for large logits (check-impl finds it)."""
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return p - targets
