"""PolyLoss (Poly-1): cross-entropy plus eps·Σ_j y_j (1 - p_j)."""

from __future__ import annotations

from ..params import Param
from .engine import CustomLoss

NAME = "poly1"
LOSS = CustomLoss(
    loss="sum_j(-y_j*log(p_j)) + eps*sum_j(y_j*(1 - p_j))",
    params=(
        Param(
            "eps",
            "the weight of the first polynomial term",
            "-1 ≤ eps ≤ 10",
            lambda v: -1 <= v <= 10,
            "1",
            low="-1",
            high="10",
        ),
    ),
    name=NAME,
    summary="Poly-1 CE + eps·Σ_j y_j(1-p_j): dL/df_i = p_i - y_i - eps·p_i·(y_i - Σ_j y_j p_j)",
    conventions=(
        "Poly-1 of Leng et al. (2022): $L = -Σ_j @y_j log @p_j + ε Σ_j @y_j (1 - @p_j)$; with one-hot labels "
        "the added term is $ε (1 - @p_t)$. The paper's range starts at $ε = -1$.",
        "The steps are derived mechanically from the definition of $L$, by the engine that differentiates "
        "any loss of the probabilities, labels and logits.",
    ),
    target="p_i - y_i - eps*p_i*(y_i - sum_j(y_j*p_j))",
)
