"""PaLM's z-loss: cross-entropy plus z·(log Σ_k e^{f_k})², which keeps the log-partition near 0."""

from __future__ import annotations

from ..params import Param
from .engine import CustomLoss

NAME = "z-loss"
LOSS = CustomLoss(
    loss="sum_j(-y_j*log(p_j)) + z*log(sum_j(exp(f_j)))^2",
    params=(Param("z", "the z-loss weight", "z ≥ 0", lambda v: v >= 0, "1/10000", low="0"),),
    name=NAME,
    summary="z-loss CE + z·(log Σ_k e^{f_k})²: dL/df_i = p_i - y_i + 2z·log(Σ_k e^{f_k})·p_i",
    conventions=(
        "PaLM's auxiliary loss (Chowdhery et al., 2022): $L = -Σ_j @y_j log @p_j + z (log Σ_k e^{@f_k})^2$, "
        "with $z = 10^{-4}$ there; it pulls the log-partition $log Σ_k e^{@f_k}$ towards 0.",
        "The steps are derived mechanically from the definition of $L$, by the engine that differentiates "
        "any loss of the probabilities, labels and logits.",
    ),
    target="p_i - y_i + 2*z*log(sum_j(exp(f_j)))*p_i",
)
