"""Gemma 2's logit soft-capping: cross-entropy of softmax(c·tanh(f/c)), the gradient taken at the raw f."""

from __future__ import annotations

from ..params import Param
from .engine import CustomLoss

NAME = "softcap"
LOSS = CustomLoss(
    loss="sum_j(-y_j*log(p_j))",
    logits="c*tanh(f_j/c)",
    params=(Param("c", "the soft cap", "c > 0", lambda v: v > 0, "30", positive=True, low="0", low_open=True),),
    name=NAME,
    summary="soft-capped CE, p = softmax(c·tanh(f/c)): dL/df_i = (p_i - y_i)(1 - tanh²(f_i/c))",
    conventions=(
        "Gemma 2 (2024) caps the final logits as $u_j = c · tanh(@f_j / c)$ with $c = 30$, then applies the "
        "softmax; $@p$ is the softmax of the capped logits and the gradient is with respect to the raw $@f$.",
        "The steps are derived mechanically from the definition of $L$, by the engine that differentiates "
        "any loss of the probabilities, labels and logits, the logits transformed first.",
    ),
    target="(p_i - y_i)*(1 - tanh(f_i/c)^2)",
)
