"""Build tests/corpus/claims.jsonl: adversarial gradient claims whose truth comes from tests/oracle.py.

Every claim below carries the truth worked out by hand and a short reason. The oracle (standard
library and mpmath only, never xentderive) decides each claim again by sampling; the file is
written only if every hand verdict agrees with the oracle's, so each recorded truth has two
independent sources. Run from anywhere:

    python tests/corpus/make_corpus.py            # check and write claims.jsonl
    python tests/corpus/make_corpus.py --check    # check only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import oracle  # noqa: E402

# The proved closed forms, by loss and labels kind.
GF = "y_{k}*(1 - p_{k})^(gamma - 1)*(1 - p_{k} - gamma*p_{k}*log(p_{k}))"
FOCAL = f"p_i*sum_j({GF.format(k='j')}) - {GF.format(k='i')}"
G = {
    ("softmax-ce", "onehot"): "p_i - y_i",
    ("softmax-ce", "soft"): "p_i*sum_j(y_j) - y_i",
    ("log-softmax-nll", "onehot"): "p_i - y_i",
    ("log-softmax-nll", "soft"): "p_i*sum_j(y_j) - y_i",
    ("label-smoothing", "onehot"): "p_i - ((1 - eps)*y_i + eps/C)",
    ("label-smoothing", "soft"): "p_i*((1 - eps)*sum_j(y_j) + eps) - ((1 - eps)*y_i + eps/C)",
    ("temperature", "onehot"): "(p_i - y_i)/T",
    ("temperature", "soft"): "(p_i*sum_j(y_j) - y_i)/T",
    ("weighted-ce", "onehot"): "p_i*sum_j(w_j*y_j) - w_i*y_i",
    ("weighted-ce", "soft"): "p_i*sum_j(w_j*y_j) - w_i*y_i",
    ("sigmoid-bce", "onehot"): "p_i - y_i",
    ("sigmoid-bce", "soft"): "p_i - y_i",
    ("focal", "onehot"): FOCAL,
    ("focal", "soft"): FOCAL,
    ("softmax-jacobian", "onehot"): "p_j*(delta_ij - p_i)",
    ("softmax-jacobian", "soft"): "p_j*(delta_ij - p_i)",
    ("ce-hessian", "onehot"): "delta_ij*p_i - p_i*p_j",
    ("ce-hessian", "soft"): "(delta_ij*p_i - p_i*p_j)*sum_j(y_j)",
}
ALL = sorted({loss for loss, _ in G})
SOFTMAX = [x for x in ALL if x != "sigmoid-bce"]

P = {k: f"sum_j(p_j^{k})" if k > 1 else "sum_j(p_j)" for k in range(1, 6)}
E2 = f"(({P[1]})^2 - {P[2]})/2"
E3 = f"(({P[1]})^3 - 3*{P[1]}*{P[2]} + 2*{P[3]})/6"
E4 = f"(({P[1]})^4 - 6*({P[1]})^2*{P[2]} + 3*({P[2]})^2 + 8*{P[1]}*{P[3]} - 6*{P[4]})/24"
E5 = (
    f"(({P[1]})^5 - 10*({P[1]})^3*{P[2]} + 15*{P[1]}*({P[2]})^2 + 20*({P[1]})^2*{P[3]}"
    f" - 20*{P[2]}*{P[3]} - 30*{P[1]}*{P[4]} + 24*{P[5]})/120"
)
EY2 = "((sum_j(y_j))^2 - sum_j(y_j^2))/2"


def falling(n: int, var: str = "C") -> str:
    return "*".join(f"({var}-{k})" for k in range(1, n + 1))


CLAIMS: list[dict] = []


def claim(family, loss, labels, classes, target, truth, why, params=None, cid=None, usage=False):
    entry = {
        "id": cid or f"{family}-{sum(c['family'] == family for c in CLAIMS) + 1:03d}",
        "family": family,
        "loss": loss,
        "labels": labels,
        "classes": classes,
        "target": target,
        "truth": truth,
        "why": why,
    }
    if params:
        entry["params"] = {k: str(v) for k, v in params.items()}
    if usage:
        entry["expect_usage"] = True
    CLAIMS.append(entry)


def plus(loss, labels, term):
    return f"{G[(loss, labels)]} + {term}"


def fixed_for(loss, classes):
    """A fixed gamma for some focal claims, so that symbolic and fixed gamma both occur."""
    return {"gamma": "2"} if loss == "focal" and classes == "C" else None


# ---------------------------------------------------------------------------------------------
# 0. The issue's own examples.

claim(
    "issue",
    "softmax-ce",
    "onehot",
    "C",
    "p_i - y_i + " + falling(7),
    False,
    "the product vanishes for C ≤ 7 only; C = 8 gives 5040",
    cid="issue-01",
)
claim(
    "issue",
    "label-smoothing",
    "onehot",
    "C",
    plus("label-smoothing", "onehot", "0^(1-eps)"),
    False,
    "0^(1-eps) is 0 for eps < 1 but 0^0 = 1 at the end eps = 1",
    cid="issue-02",
)
claim(
    "issue",
    "temperature",
    "onehot",
    "C",
    plus("temperature", "onehot", "0^(2-T)"),
    False,
    "0^(2-T): 1 at T = 2, undefined (0 to a negative power) for T > 2",
    cid="issue-03",
)
claim(
    "issue",
    "focal",
    "onehot",
    3,
    plus("focal", "onehot", "0^(3-gamma)"),
    False,
    "0^(3-gamma): 1 at gamma = 3, undefined for gamma > 3",
    cid="issue-04",
)
claim(
    "issue",
    "label-smoothing",
    "onehot",
    "C",
    plus("label-smoothing", "onehot", "(1 - sum_j(p_j))^(1-eps)"),
    False,
    "Σp = 1 so the term is 0^(1-eps): 1 at eps = 1",
    cid="issue-05",
)
claim(
    "issue",
    "label-smoothing",
    "onehot",
    "C",
    plus("label-smoothing", "onehot", "(1 - sum_j(p_j))^eps"),
    False,
    "0^eps = 1 at eps = 0",
    cid="issue-06",
)
claim(
    "issue",
    "label-smoothing",
    "onehot",
    "C",
    plus("label-smoothing", "onehot", "eps*(1-eps)"),
    False,
    "eps(1-eps) is zero only at the ends of [0, 1]",
    cid="issue-07",
)
claim("issue", "softmax-ce", "onehot", "C", "p_i - y_i + 0*log(0)", False, "log(0) is undefined", cid="issue-08")
claim("issue", "softmax-ce", "onehot", "C", "p_i - y_i + 0/(1-1)", False, "0/0 is undefined", cid="issue-09")
claim(
    "issue", "softmax-ce", "onehot", "C", "p_i - y_i + log(1-sum_j(p_j))", False, "log(1 - Σp) = log(0)", cid="issue-10"
)
claim(
    "issue",
    "softmax-ce",
    "onehot",
    "C",
    "p_i - y_i + 1/(1-p_i) - 1/(1-p_i)",
    False,
    "at C = 1, p_0 = 1 and 1/(1-p_0) is 1/0",
    cid="issue-11",
)
claim(
    "issue", "softmax-ce", "onehot", "C", "p_i - (y_i^2)^(1/2)", True, "y ≥ 0 for a probability vector", cid="issue-12"
)
claim("issue", "softmax-ce", "onehot", "C", "p_i*sum_j(p_j) - y_i", True, "Σp = 1", cid="issue-13")
claim("issue", "softmax-ce", "onehot", "C", "p_i - y_i + (1-sum_j(p_j))^(1/2)", True, "0^(1/2) = 0", cid="issue-14")
claim("issue", "softmax-ce", "onehot", "C", "exp(log(p_i)) - y_i", True, "p_i > 0", cid="issue-15")
claim(
    "issue", "softmax-ce", "onehot", "C", "p_i*sum_j(y_j) - y_i", True, "Σy = 1 for onehot (and soft)", cid="issue-16"
)
claim(
    "issue",
    "softmax-ce",
    "onehot",
    "C",
    "exp(f_i - log(sum_j(exp(f_j)))) - y_i",
    True,
    "log p_i = f_i - log Σ e^f",
    cid="issue-17",
)
claim(
    "issue",
    "weighted-ce",
    "onehot",
    10,
    "2*(p_i - y_i)",
    True,
    "all ten weights 2: 2(p_i Σy - y_i)",
    params={f"w{k}": 2 for k in range(10)},
    cid="issue-18",
)
claim(
    "issue",
    "label-smoothing",
    "onehot",
    9,
    "p_i - 1/9",
    True,
    "eps = 1: t = 1/C for every class",
    params={"eps": 1},
    cid="issue-19",
)
claim(
    "issue",
    "label-smoothing",
    "onehot",
    9,
    "p_i - y_i",
    False,
    "eps = 1 ignores the labels",
    params={"eps": 1},
    cid="issue-20",
)

# ---------------------------------------------------------------------------------------------
# 1. Traps that vanish only for small C.

SMALL = [  # (term, truth for symbolic C, why)
    (falling(7), False, "vanishes for C ≤ 7 only"),
    (falling(13), False, "vanishes for C ≤ 13 only; needs a C ≥ 14"),
    (falling(20), False, "vanishes for C ≤ 20 only"),
    (falling(35), False, "vanishes for C ≤ 35 only"),
    (E2, False, "e_2(p), zero only for C = 1"),
    (E3, False, "e_3(p) by Newton's identities, zero for C < 3"),
    (E4, False, "e_4(p), zero for C < 4"),
    (f"(C-1)*(1 - {P[1]})", True, "Σp = 1 for every C"),
    ("sum_j(p_j*(1 - p_j))", False, "1 - Σp², zero only at C = 1"),
    ("sum_j(1) - C", True, "Σ_j 1 = C"),
    ("sum_j(delta_ij) - 1", True, "exactly one j equals i"),
    ("(C-1)*(C-2)*(C-3)/(C+1)*p_i", False, "zero for C ≤ 3 only"),
    ("(C-1)*sum_j((f_j - f_i)^2)", False, "zero at C = 1 and at equal logits only"),
    ("(C^2 - 3*C + 2)*p_i", False, "(C-1)(C-2) expanded"),
    (falling(13) + "*0", True, "multiplied by 0"),
    ("sum_j((p_j - p_i)^2)*(C-2)", False, "zero at C ≤ 2 and equal logits only"),
    (f"{E2}*(C-2)", False, "e_2(p)(C-2): zero for C ≤ 2"),
    (EY2, False, "e_2(y): zero for one-hot labels, not for two-hot ones"),
]
SMALL_ON = {  # which (loss, labels) each term is tried on: a spread over the catalogue
    0: [("softmax-ce", "onehot"), ("softmax-ce", "soft"), ("label-smoothing", "onehot"), ("ce-hessian", "onehot")],
    1: [("sigmoid-bce", "onehot"), ("temperature", "soft"), ("softmax-jacobian", "onehot")],
    2: [("weighted-ce", "onehot"), ("log-softmax-nll", "soft")],
    3: [("softmax-ce", "onehot"), ("focal", "onehot")],
    4: [("softmax-ce", "onehot"), ("temperature", "onehot"), ("ce-hessian", "soft")],
    5: [("softmax-ce", "soft"), ("weighted-ce", "onehot"), ("softmax-jacobian", "onehot")],
    6: [("log-softmax-nll", "onehot"), ("label-smoothing", "soft")],
    7: [("sigmoid-bce", "soft", False), ("label-smoothing", "onehot"), ("ce-hessian", "onehot")],
    8: [("softmax-ce", "onehot"), ("weighted-ce", "soft")],
    9: [("temperature", "onehot"), ("softmax-jacobian", "soft")],
    10: [("focal", "onehot"), ("softmax-ce", "soft")],
    11: [("label-smoothing", "onehot"), ("sigmoid-bce", "onehot")],
    12: [("softmax-ce", "onehot"), ("ce-hessian", "onehot")],
    13: [("weighted-ce", "onehot"), ("log-softmax-nll", "onehot")],
    14: [("softmax-ce", "onehot"), ("temperature", "soft")],
    15: [("softmax-jacobian", "onehot"), ("softmax-ce", "soft")],
    16: [("label-smoothing", "soft"), ("focal", "soft")],
    17: [("softmax-ce", "onehot"), ("softmax-ce", "soft")],
}
for k, (term, truth, why) in enumerate(SMALL):
    for loss, labels, *override in SMALL_ON[k]:  # an override: the sigmoid's Σσ is not 1
        t, w = (override[0], "Σσ ≠ 1: (C-1)(1 - Σσ) ≠ 0 from C = 2 on") if override else (truth, why)
        claim("small-C", loss, labels, "C", plus(loss, labels, term), t, w, params=fixed_for(loss, "C"))

# the same traps at the C where they do vanish: true there, false one class later
for loss, labels, n in [
    ("softmax-ce", "onehot", 7),
    ("sigmoid-bce", "soft", 13),
    ("ce-hessian", "onehot", 20),
    ("softmax-jacobian", "soft", 7),
]:
    claim("small-C", loss, labels, n, plus(loss, labels, falling(n)), True, f"the product vanishes at C = {n}")
    claim("small-C", loss, labels, n + 1, plus(loss, labels, falling(n)), False, f"C = {n + 1}: the product is {n}!")
for term, n, name in [(E2, 1, "e_2"), (E3, 2, "e_3"), (E4, 3, "e_4"), (E5, 4, "e_5")]:
    claim("small-C", "softmax-ce", "onehot", n, plus("softmax-ce", "onehot", term), True, f"{name}(p) = 0 for C = {n}")
    claim(
        "small-C",
        "softmax-ce",
        "onehot",
        n + 1,
        plus("softmax-ce", "onehot", term),
        False,
        f"{name}(p) = Π p_j > 0 for C = {n + 1}",
    )
for loss, labels in [
    ("softmax-ce", "onehot"),
    ("label-smoothing", "soft"),
    ("sigmoid-bce", "onehot"),
    ("weighted-ce", "soft"),
    ("ce-hessian", "onehot"),
    ("focal", "soft"),
]:
    claim("small-C", loss, labels, "C", plus(loss, labels, falling(15)), False, "vanishes for C ≤ 15 only (degree 15)")
claim("small-C", "softmax-ce", "onehot", 15, "p_i - y_i + " + falling(15), True, "vanishes at C = 15")
claim("small-C", "softmax-ce", "onehot", 16, "p_i - y_i + " + falling(15), False, "15! at C = 16")
claim(
    "small-C",
    "softmax-ce",
    "soft",
    "C",
    "p_i*sum_j(y_j) - y_i + " + falling(14) + "*y_i",
    False,
    "vanishes for C ≤ 14 only, and where y_i = 0",
)
claim("small-C", "temperature", "onehot", 3, plus("temperature", "onehot", E4), True, "e_4 = 0 for C = 3")
claim("small-C", "weighted-ce", "soft", 4, plus("weighted-ce", "soft", E4), False, "e_4 = Π p_j for C = 4")
claim("small-C", "softmax-ce", "onehot", "C", "p_i - y_i + " + E5, False, "e_5(p) > 0 from C = 5 on")
claim("small-C", "softmax-ce", "onehot", 1, "p_i - y_i + sum_j(p_j*(1 - p_j))", True, "C = 1: p_0 = 1")
claim("small-C", "softmax-ce", "onehot", 2, "p_i - y_i + (C^2 - 3*C + 2)*p_i", True, "C = 2 is a root")
claim("small-C", "softmax-ce", "onehot", 12, "p_i - y_i + sum_j(1) - 12", True, "Σ_j 1 = 12")
claim("small-C", "softmax-ce", "onehot", "C", "p_i - y_i + sum_j(1) - 12", False, "Σ_j 1 = C, not 12")
claim(
    "small-C",
    "softmax-ce",
    "onehot",
    "C",
    "p_i - y_i + (C-1)*(C-2)*(C-3)*(C-4)*(C-5)*(C-6)*(C-7)*(C-8)*(C-9)*(C-10)*(C-11)*(C-12)/C^12",
    False,
    "vanishes for C ≤ 12, never after",
)

# ---------------------------------------------------------------------------------------------
# 2. Traps at a parameter's end point (and at inner critical values).

LS, LSs = G[("label-smoothing", "onehot")], G[("label-smoothing", "soft")]
for term, truth, why in [
    ("0^eps", False, "0^0 = 1 at eps = 0"),
    ("0^(2-eps)", True, "the exponent is ≥ 1"),
    ("0^(eps + 1/2)", True, "the exponent is ≥ 1/2"),
    ("(1 - sum_j(p_j))^(1 + eps)", True, "0 to a power ≥ 1"),
    ("eps*(1-eps)*0", True, "multiplied by 0"),
    ("0^(eps*(1-eps))", False, "0^0 = 1 at both ends"),
    ("(1 - sum_j(y_j))^eps", False, "Σy = 1 so 0^eps, 1 at eps = 0"),
    ("0^(eps/2)", False, "1 at eps = 0"),
    ("0^(1/2 - eps/2)", False, "1 at eps = 1"),
    ("(eps - eps)^eps", False, "0^eps, 1 at eps = 0"),
    ("eps^2*(1-eps)", False, "nonzero inside (0, 1)"),
    ("0^((eps - 1/3)^2)", False, "an inner critical value: 0^0 = 1 at eps = 1/3"),
    ("0^((3*eps - 1)*(3*eps - 2))", False, "0^0 = 1 at eps = 1/3 and 2/3; undefined between"),
    ("0^(1 - eps)*(1 - eps)", True, "0 for eps < 1; at eps = 1 it is 1·0"),
    ("(0^(1 - eps) - 1)*(1 - eps)", False, "-(1 - eps) for eps < 1"),
]:
    claim("param-end", "label-smoothing", "onehot", "C", f"{LS} + {term}", truth, why)
for term, truth, why in [
    ("0^(1-eps)", False, "1 at eps = 1"),
    ("0^(1+eps)", True, "the exponent is ≥ 1"),
    ("eps*(1-eps)*sum_j(y_j)", False, "nonzero for eps in (0, 1) unless Σy = 0"),
    ("(1 - sum_j(p_j))^(1 - eps)", False, "0^0 = 1 at eps = 1"),
]:
    claim("param-end", "label-smoothing", "soft", "C", f"{LSs} + {term}", truth, why)
claim("param-end", "label-smoothing", "onehot", "C", f"{LS} + 0^(1-eps)", False, "eps = 1 is given", params={"eps": 1})
claim(
    "param-end",
    "label-smoothing",
    "onehot",
    "C",
    f"{LS} + 0^(1-eps)",
    True,
    "eps = 1/2: 0^(1/2) = 0",
    params={"eps": "1/2"},
)
claim(
    "param-end",
    "label-smoothing",
    "onehot",
    "C",
    "p_i - y_i",
    True,
    "eps = 0 is the plain cross-entropy",
    params={"eps": 0},
)
claim("param-end", "label-smoothing", "onehot", "C", "p_i - y_i", False, "true only at eps = 0")
claim("param-end", "label-smoothing", "onehot", "C", "p_i - 1/C", True, "eps = 1: t = 1/C", params={"eps": 1})
claim("param-end", "label-smoothing", "onehot", "C", "p_i - 1/C", False, "true only at eps = 1")
claim(
    "param-end",
    "label-smoothing",
    "soft",
    "C",
    "p_i - 1/C",
    True,
    "eps = 1: Σt = 1 whatever the labels",
    params={"eps": 1},
)

TT, TTs = G[("temperature", "onehot")], G[("temperature", "soft")]
for term, truth, why in [
    ("0^T", True, "T > 0"),
    ("0^(T/(T+1))", True, "positive exponent"),
    ("0^(1/T)", True, "positive exponent"),
    ("0^(T-1)", False, "1 at T = 1, undefined for T < 1"),
    ("(1 - sum_j(p_j))^T", True, "0^T = 0 for T > 0"),
    ("(1 - sum_j(p_j))^(T-T)", False, "0^0 = 1"),
    ("T*0^T", True, "0 for every T > 0"),
    ("0^((T-1)^2)", False, "1 at T = 1"),
    ("0*log(T)", True, "log T is defined for T > 0"),
    ("0*log(T-1)", False, "log of a number ≤ 0 for T ≤ 1"),
    ("0^((T - 7/2)^2)", False, "an inner critical value: 1 at T = 7/2"),
    ("0^(T^2 + T)", True, "positive exponent"),
    ("(T-1)*(p_i - y_i)", False, "zero only at T = 1"),
]:
    claim("param-end", "temperature", "onehot", "C", f"{TT} + {term}", truth, why)
claim("param-end", "temperature", "soft", "C", f"{TTs} + 0^T", True, "T > 0")
claim("param-end", "temperature", "soft", "C", f"{TTs} + 0^(2-T)", False, "1 at T = 2")
claim("param-end", "temperature", "onehot", "C", f"{TT} + 0^(2-T)", False, "T = 2 given: 0^0 = 1", params={"T": 2})
claim("param-end", "temperature", "onehot", "C", f"{TT} + 0^(2-T)", True, "T = 1 given: 0^1 = 0", params={"T": 1})
claim("param-end", "temperature", "onehot", "C", "p_i - y_i", True, "T = 1 is the plain softmax", params={"T": 1})
claim("param-end", "temperature", "onehot", "C", "p_i - y_i", False, "true only at T = 1")
claim("param-end", "temperature", "onehot", "C", "(p_i - y_i)*T", False, "the factor is 1/T")
claim("param-end", "temperature", "onehot", 3, "(p_i - y_i)*T", True, "T = 1 given", params={"T": 1})

FC = G[("focal", "onehot")]
for term, truth, why in [
    ("0^(10-gamma)", False, "1 at gamma = 10"),
    ("0^(11-gamma)", True, "exponent ≥ 1"),
    ("0^gamma", False, "1 at gamma = 0"),
    ("0^(gamma+1)", True, "exponent ≥ 1"),
    ("gamma*(10-gamma)", False, "zero only at the ends"),
    ("(1-sum_j(p_j))^(gamma/10)", False, "0^0 = 1 at gamma = 0"),
    ("0^(gamma*(10-gamma))", False, "1 at both ends"),
    ("0^((gamma - 5/2)^2)", False, "an inner critical value: 1 at gamma = 5/2"),
]:
    claim("param-end", "focal", "onehot", 3, f"{FC} + {term}", truth, why)
claim("param-end", "focal", "soft", 4, f"{FC} + 0^(3-gamma)", False, "1 at gamma = 3; undefined above")
claim("param-end", "focal", "onehot", 3, f"{FC} + 0^(3-gamma)", True, "gamma = 2 given: 0^1 = 0", params={"gamma": 2})
claim("param-end", "focal", "onehot", "C", "p_i - y_i", True, "gamma = 0 is the cross-entropy", params={"gamma": 0})
claim("param-end", "focal", "onehot", "C", "p_i - y_i", False, "true only at gamma = 0")
claim("param-end", "focal", "onehot", "C", FC, True, "gamma = 2 given; focal's domain is C ≥ 2", params={"gamma": 2})
claim("param-end", "focal", "onehot", "C", FC, True, "gamma = 1: (1-p)^0 = 1 for C ≥ 2", params={"gamma": 1})
claim(
    "param-end",
    "focal",
    "onehot",
    "C",
    FC,
    True,
    "gamma = 1/2: 1 - p_j > 0 for C ≥ 2 (C = 1 is outside focal's domain)",
    params={"gamma": "1/2"},
)
claim("param-end", "focal", "onehot", "C", FC, True, "every gamma in [0, 10] and C ≥ 2: 1 - p_j > 0")
claim("param-end", "focal", "soft", "C", FC, True, "every gamma in [0, 10] and C ≥ 2: 1 - p_j > 0")
claim("param-end", "focal", "onehot", "C", FC + " + 0^(2-gamma)", False, "1 at gamma = 2, undefined above")
claim("param-end", "focal", "soft", "C", FC + " + (gamma - 1)*(1 - sum_j(p_j))", True, "Σp = 1")

WC = G[("weighted-ce", "onehot")]
for term, truth, why in [
    ("0/w_i", False, "w_i = 0 is allowed: 0/0"),
    ("0/(w_i + 1)", True, "w_i + 1 ≥ 1"),
    ("0/sum_j(w_j*y_j)", False, "Σ w y = 0 when the true class has weight 0"),
    ("0*log(w_i)", False, "log(0) at w_i = 0"),
    ("w_i*(1 - sum_j(p_j))", True, "Σp = 1"),
    ("w_i*(w_i - 1)", False, "zero only at w_i ∈ {0, 1}"),
    ("(w_i^2)^(1/2) - w_i", True, "w_i ≥ 0"),
    ("exp(log(w_i)) - w_i", False, "log(0) at w_i = 0"),
]:
    claim("param-end", "weighted-ce", "onehot", "C", f"{WC} + {term}", truth, why)
claim("param-end", "weighted-ce", "onehot", "C", "w_i*(p_i - y_i)", False, "only if the weights are equal")

# ---------------------------------------------------------------------------------------------
# 3. Undefined claims.

UNDEF = [  # (term, truth on softmax losses with symbolic C, truth on sigmoid-bce, why)
    ("0*log(0)", False, False, "log(0)"),
    ("0/(1-1)", False, False, "0/0"),
    ("log(1-sum_j(p_j))", False, False, "log(1 - Σp): log 0 (softmax); Σσ can exceed 1 (sigmoid)"),
    ("0*log(1-sum_j(p_j))", False, False, "log(0) for the softmax; a log of a negative number for the sigmoid"),
    ("0/(1-p_i)", False, True, "C = 1: p_0 = 1 (softmax); σ < 1 always"),
    ("1/(1-p_i) - 1/(1-p_i)", False, True, "1/0 at C = 1 for the softmax; fine for the sigmoid"),
    ("0*log(y_i)", False, False, "labels can be 0"),
    ("y_i/y_i - 1", False, False, "0/0 where y_i = 0"),
    ("(1-sum_j(p_j))^0", False, False, "0^0 = 1 (sigmoid: x^0 = 1): adds 1"),
    ("(1-sum_j(p_j))/(1-sum_j(p_j))", False, False, "0/0 (sigmoid: adds 1)"),
    ("0*log(p_i)", True, True, "p_i > 0"),
    ("0^(-1)*0", False, False, "0^(-1) is undefined"),
    ("0*exp(1/(p_i - p_i))", False, False, "1/0"),
    ("0*log(sum_j(exp(f_j)) - exp(f_i))", False, False, "log(0) at C = 1"),
    ("0/(sum_j(p_j) - p_i)", False, False, "0/0 at C = 1: the sum holds p_i alone"),
    ("log(p_i)/log(p_i) - 1", False, True, "log(1) = 0 at C = 1 for the softmax; log σ < 0 always"),
    ("0*log(exp(f_i))", True, True, "e^f > 0"),
    ("0*(1 - sum_j(y_j))^(-1)", False, False, "onehot: 0^(-1); soft: Σy = 1 happens"),
]
for k, (term, truth, truth_sig, why) in enumerate(UNDEF):
    targets = [("softmax-ce", "onehot"), (SOFTMAX[k % len(SOFTMAX)], ["onehot", "soft"][k % 2])]
    if k % 3 == 0:
        targets.append(("sigmoid-bce", "soft"))
    for loss, labels in dict.fromkeys(targets):
        t = truth_sig if loss == "sigmoid-bce" else truth
        claim("undefined", loss, labels, "C", plus(loss, labels, term), t, why, params=fixed_for(loss, "C"))
claim("undefined", "sigmoid-bce", "onehot", "C", "p_i - y_i + 0/(1-p_i)", True, "σ(f) < 1 for every real f")
claim("undefined", "sigmoid-bce", "onehot", "C", "p_i - y_i + 0*log(1-p_i)", True, "1 - σ(f) > 0")
claim("undefined", "softmax-ce", "onehot", 2, "p_i - y_i + 0/(1-p_i)", True, "C = 2: p_i < 1")
claim("undefined", "softmax-ce", "onehot", 3, "p_i - y_i + 1/(1-p_i) - 1/(1-p_i)", True, "C = 3: p_i < 1")
claim("undefined", "softmax-ce", "onehot", 2, "p_i - y_i + log(p_i)/log(p_i) - 1", True, "C = 2: p_i < 1")
claim("undefined", "softmax-ce", "onehot", 1, "p_i - y_i + 0/(1-p_i)", False, "C = 1: 0/0")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0/(C-70)", False, "0/0 at C = 70")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0*log(C-69)", False, "log(0) at C = 69")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0*log(C)", True, "C ≥ 1")
claim("undefined", "softmax-ce", "onehot", 1000, "p_i - y_i + 0/(C-1000)", False, "0/0 at C = 1000")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0/sum_j(y_j)", True, "Σy = 1")
# Found by the red team of the point search (session 3): parts hidden in an exponent, integer
# exponents at the point, C-only parts past any exact check, written parts lost on instantiation.
claim(
    "undefined",
    "temperature",
    "onehot",
    "C",
    f"{TT} + (1-sum_j(p_j))^(1+0/(T-1))",
    False,
    "0/0 in the exponent at T = 1",
)
claim(
    "undefined",
    "temperature",
    "onehot",
    3,
    f"{TT} + (1-sum_j(p_j))^(1/2+0/(T-1))",
    False,
    "0/0 in the exponent at T = 1",
)
claim("undefined", "temperature", "onehot", 3, f"{TT} + (1-sum_j(p_j))^(1/2+0/(T+1))", True, "0^(1/2) = 0, T + 1 > 0")
claim("undefined", "temperature", "onehot", "C", f"{TT} + (1-sum_j(p_j))^(1+0*(T-1)^(1/2))", False, "√(T-1) for T < 1")
claim(
    "undefined", "label-smoothing", "onehot", "C", f"{LS} + (1-sum_j(p_j))^(1+0/(eps-1/2))", False, "0/0 at eps = 1/2"
)
claim("undefined", "temperature", "onehot", "C", f"{TT} + 0*(y_i-1/2)^(T/T)", True, "exponent 1: real for y_i < 1/2")
claim(
    "undefined", "temperature", "onehot", "C", f"{TT} + 0*(y_i-1/2)^(T/(2*T))", False, "√ of y_i - 1/2 < 0 at y_i = 0"
)
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0/(C + 10^6)", True, "C + 10^6 > 0")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + (C-100000)^(1/2)*0", False, "√ of a negative for C < 10^5")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0*log(y_i + 1)", True, "y_i + 1 ≥ 1")
claim(
    "undefined",
    "softmax-ce",
    "onehot",
    "C",
    "exp(log(p_i) + log(y_i)) - p_i*y_i + p_i - y_i",
    False,
    "log 0 at y_i = 0",
)
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + 0/log(2-p_i)", False, "log 1 = 0 at C = 1")
claim("undefined", "softmax-ce", "soft", "C", "p_i*sum_j(y_j) - y_i + 0/sum_j(y_j)", False, "Σy = 0 is allowed")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + log(sum_j(y_j))", True, "log(1) = 0")
claim("undefined", "softmax-ce", "soft", "C", "p_i*sum_j(y_j) - y_i + 0*log(sum_j(y_j))", False, "Σy ≤ 0 possible")
claim("undefined", "softmax-ce", "onehot", "C", "p_i - y_i + log(sum_j(p_j))", True, "log(1) = 0")
claim("undefined", "sigmoid-bce", "onehot", "C", "p_i - y_i + log(sum_j(p_j))", False, "Σσ ≠ 1")
claim("undefined", "label-smoothing", "onehot", "C", f"{LS} + 0/eps", False, "0/0 at eps = 0")
claim("undefined", "label-smoothing", "onehot", "C", f"{LS} + 0/(1-eps)", False, "0/0 at eps = 1")
claim("undefined", "label-smoothing", "onehot", "C", f"{LS} + 0/(1+eps)", True, "1 + eps ≥ 1")
claim("undefined", "label-smoothing", "onehot", "C", f"{LS} + 0/(7*eps - 2)", False, "0/0 at eps = 2/7")
claim("undefined", "temperature", "onehot", "C", f"{TT} + 0/T", True, "T > 0")
claim("undefined", "temperature", "onehot", "C", f"{TT} + 0/(T-1)", False, "0/0 at T = 1")
claim("undefined", "temperature", "onehot", "C", f"{TT} + 0/(7*T - 1)", False, "0/0 at T = 1/7")
claim(
    "undefined", "softmax-jacobian", "onehot", "C", "p_j*(delta_ij - p_i) + 0/delta_ij", False, "0/0 off the diagonal"
)
claim("undefined", "softmax-jacobian", "onehot", "C", "p_j*(delta_ij - p_i) + 0/(1-p_j)", False, "C = 1: 0/0")
claim("undefined", "softmax-jacobian", "onehot", 2, "p_j*(delta_ij - p_i) + 0/(1-p_j)", True, "C = 2: p_j < 1")
claim(
    "undefined",
    "softmax-jacobian",
    "soft",
    "C",
    "p_j*(delta_ij - p_i) + 0*log(delta_ij)",
    False,
    "log(0) off the diagonal",
)
claim("undefined", "ce-hessian", "onehot", "C", "delta_ij*p_i - p_i*p_j + 0*log(1-sum_j(p_j))", False, "log(0)")
claim("undefined", "ce-hessian", "soft", 3, G[("ce-hessian", "soft")] + " + 0/(1-p_i)", True, "C = 3: p_i < 1")
claim("undefined", "focal", "onehot", "C", FC + " + 0/(1 - p_i)", True, "C ≥ 2 for focal: p_i < 1")
claim("undefined", "focal", "onehot", "C", FC + " + 0/(1 - sum_j(p_j))", False, "0/0")

# ---------------------------------------------------------------------------------------------
# 4. True identities that need the stated assumptions (and the same claims where they fail).

for labels, truth in [("onehot", True), ("soft", False)]:
    why = "needs Σy = 1" if not truth else "Σy = 1 (onehot)"
    claim("assumption", "softmax-ce", labels, "C", "p_i - y_i", truth, why)
    claim("assumption", "softmax-ce", labels, "C", "p_i*sum_j(y_j)^2 - y_i", truth, why)
    claim("assumption", "softmax-ce", labels, "C", "p_i - y_i*sum_j(y_j)", truth, why)
    claim("assumption", "softmax-ce", labels, "C", "p_i - y_i + 1 - sum_j(y_j)", truth, why)
    claim("assumption", "log-softmax-nll", labels, "C", "p_i - y_i", truth, why)
    claim("assumption", "temperature", labels, "C", "(p_i - y_i)/T", truth, why)
    claim("assumption", "sigmoid-bce", labels, "C", "p_i*sum_j(y_j) - y_i", truth, why + " (σ needs no Σy, but Σy = 1)")
    claim("assumption", "softmax-jacobian", labels, "C", "p_j*(delta_ij - p_i)*sum_j(y_j)", truth, why)
    claim("assumption", "ce-hessian", labels, "C", "delta_ij*p_i - p_i*p_j", truth, why)
    claim("assumption", "label-smoothing", labels, "C", "p_i - (1-eps)*y_i - eps/C", truth, why)
    claim(
        "assumption",
        "softmax-ce",
        labels,
        "C",
        "exp(log(p_i) + log(sum_j(y_j))) - y_i",
        truth,
        "log Σy = 0 for onehot; Σy ≤ 0 possible for soft",
    )
    claim(
        "assumption",
        "softmax-ce",
        labels,
        "C",
        "p_i*sum_j(y_j) - (y_i^2)^(1/2)",
        truth,
        "y ≥ 0 (onehot); y < 0 possible",
    )
    claim("assumption", "focal", labels, 3, "p_i - y_i", truth, "gamma = 0: the cross-entropy", params={"gamma": 0})
for labels in ["onehot", "soft"]:
    claim("assumption", "softmax-ce", labels, "C", "sum_j(p_i*y_j) - y_i", True, "p_i Σy - y_i, for any labels")
    claim("assumption", "softmax-ce", labels, "C", "sum_j(y_j*(p_i - delta_ij))", True, "Σ_j y_j δ_ij = y_i")
    claim("assumption", "softmax-ce", labels, "C", "p_i*sum_j(y_j) - sum_j(y_j*delta_ij)", True, "Σ_j y_j δ_ij = y_i")
    claim(
        "assumption",
        "label-smoothing",
        labels,
        "C",
        "p_i*sum_j((1 - eps)*y_j + eps/C) - ((1 - eps)*y_i + eps/C)",
        True,
        "the seed with labels t, any y",
    )
    claim("assumption", "ce-hessian", labels, "C", "(delta_ij*p_i - p_i*p_j)*sum_j(y_j)", True, "for any labels")
    claim("assumption", "sigmoid-bce", labels, "C", "p_i*(1 - y_i) - (1 - p_i)*y_i", True, "= p_i - y_i")
    claim("assumption", "sigmoid-bce", labels, "C", "1/(1 + exp(-f_i)) - y_i", True, "p_i = σ(f_i)")
    claim("assumption", "sigmoid-bce", labels, "C", "p_i - y_i + 1 - sum_j(p_j)", False, "Σσ ≠ 1 (no softmax)")
    claim(
        "assumption",
        "softmax-ce",
        labels,
        "C",
        G[("softmax-ce", labels)] + " + log(exp(y_i)) - y_i",
        True,
        "log e^y = y for real y",
    )
    claim("assumption", "softmax-jacobian", labels, "C", "p_j*(delta_ij - p_i) + y_i - y_i", True, "y_i - y_i = 0")
for target, truth, why in [
    ("p_i - (y_i^3)^(1/3)", True, "y ≥ 0"),
    ("p_i - y_i^(1/2)*y_i^(1/2)", True, "y ≥ 0"),
    ("p_i - exp(log(y_i))", False, "log(0) where y_i = 0"),
    ("p_i - y_i^2/y_i", False, "0/0 where y_i = 0"),
    ("exp(f_i)/sum_j(exp(f_j)) - y_i", True, "the softmax"),
    ("1/sum_j(exp(f_j - f_i)) - y_i", True, "the softmax, divided through by e^{f_i}"),
    ("exp(f_i - log(sum_j(exp(f_j)))) - y_i", True, "log p_i = f_i - log Σe^f"),
    ("p_i - y_i + log(p_i) - f_i + log(sum_j(exp(f_j)))", True, "log p_i = f_i - log Σe^f"),
    ("p_i - y_i + log(p_i) - f_i", False, "log Σe^f ≠ 0 in general"),
    ("p_i - y_i + sum_j(p_j*log(exp(1))) - 1", True, "Σp = 1"),
    ("sum_j(p_j*delta_ij) - y_i", True, "Σ_j p_j δ_ij = p_i"),
    ("p_i - y_i + sum_j(y_j*log(p_j)) - sum_j(y_j*f_j) + log(sum_j(exp(f_j)))", True, "Σy = 1 with the log rewrite"),
    ("p_i - y_i + (y_i - 1)*y_i", False, "y_i(y_i - 1) = 0 only for 0/1 labels, not for 1/2"),
    ("p_i - y_i + sum_j(y_j^2) - sum_j(y_j)^2", False, "zero for one-hot labels only"),
]:
    claim("assumption", "softmax-ce", "onehot", "C", target, truth, why)
claim(
    "assumption",
    "softmax-ce",
    "soft",
    "C",
    "p_i*sum_j(y_j) - y_i + log(p_i) - f_i + log(sum_j(exp(f_j)))",
    True,
    "log p_i = f_i - log Σe^f",
)
claim("assumption", "temperature", "onehot", "C", "(exp(f_i/T)/sum_j(exp(f_j/T)) - y_i)/T", True, "p = softmax(f/T)")
claim(
    "assumption", "temperature", "onehot", "C", "(exp(f_i)/sum_j(exp(f_j)) - y_i)/T", False, "softmax(f) ≠ softmax(f/T)"
)
claim("assumption", "temperature", "onehot", "C", "p_i/T - y_i/T", True, "distributed")
claim("assumption", "sigmoid-bce", "onehot", "C", "exp(f_i)/(1 + exp(f_i)) - y_i", True, "σ(f) = e^f/(1 + e^f)")
claim("assumption", "sigmoid-bce", "onehot", "C", "exp(f_i)/sum_j(exp(f_j)) - y_i", False, "the softmax is not σ")
claim("assumption", "weighted-ce", "onehot", "C", "p_i*sum_j(w_j*y_j) - (w_i^2)^(1/2)*y_i", True, "w ≥ 0")
claim("assumption", "weighted-ce", "soft", "C", "p_i*sum_j(w_j*y_j) - w_i*(y_i^2)^(1/2)", False, "y < 0 possible")
claim("assumption", "softmax-jacobian", "onehot", "C", "delta_ij*p_j - p_i*p_j", True, "δ_ij p_j = δ_ij p_i")
claim("assumption", "ce-hessian", "onehot", "C", "p_i*(delta_ij - p_j)*sum_j(y_j)", True, "Σy = 1")

# ---------------------------------------------------------------------------------------------
# 5. Concrete C.

W2 = {f"w{k}": 2 for k in range(10)}
claim("concrete-C", "weighted-ce", "soft", 10, "2*(p_i*sum_j(y_j) - y_i)", True, "all weights 2", params=W2)
claim("concrete-C", "weighted-ce", "onehot", 10, "2*p_i - 2*y_i", True, "all weights 2", params=W2)
claim("concrete-C", "weighted-ce", "onehot", 10, "p_i - y_i", False, "off by the factor 2", params=W2)
claim(
    "concrete-C",
    "weighted-ce",
    "onehot",
    10,
    "2*(p_i - y_i)",
    False,
    "w9 = 3 differs",
    params={**{f"w{k}": 2 for k in range(9)}, "w9": 3},
)
claim(
    "concrete-C",
    "weighted-ce",
    "onehot",
    10,
    "2*(p_i - y_i)",
    False,
    "w9 is unknown",
    params={f"w{k}": 2 for k in range(9)},
)
claim("concrete-C", "weighted-ce", "onehot", 3, "0", True, "all weights 0", params={"w0": 0, "w1": 0, "w2": 0})
claim("concrete-C", "weighted-ce", "onehot", 3, "0*p_i", True, "all weights 0", params={"w0": 0, "w1": 0, "w2": 0})
claim(
    "concrete-C",
    "weighted-ce",
    "onehot",
    3,
    "p_i - y_i",
    False,
    "all weights 0: gradient 0",
    params={"w0": 0, "w1": 0, "w2": 0},
)
claim("concrete-C", "weighted-ce", "onehot", 2, WC, True, "w0 given, w1 unknown", params={"w0": 1})
claim("concrete-C", "weighted-ce", "onehot", 2, "p_i - y_i", False, "w1 unknown", params={"w0": 1})
claim(
    "concrete-C",
    "weighted-ce",
    "onehot",
    4,
    "(p_i - y_i)/2",
    True,
    "all weights 1/2",
    params={f"w{k}": "1/2" for k in range(4)},
)
claim("concrete-C", "weighted-ce", "onehot", 3, WC + " + w0 - 2", True, "w0 = 2 is a name too", params={"w0": 2})
claim("concrete-C", "weighted-ce", "onehot", 3, WC + " + w0 - 1", False, "w0 = 2", params={"w0": 2})
claim(
    "concrete-C",
    "weighted-ce",
    "soft",
    2,
    "w_i*(p_i*sum_j(y_j) - y_i)",
    True,
    "equal weights 3",
    params={"w0": 3, "w1": 3},
)
claim(
    "concrete-C", "label-smoothing", "soft", 9, "p_i - 1/9", True, "eps = 1: Σt = 1 for any labels", params={"eps": 1}
)
claim("concrete-C", "label-smoothing", "onehot", 9, "p_i - 1/C", True, "eps = 1", params={"eps": 1})
claim("concrete-C", "label-smoothing", "onehot", 9, LS + " + 0^(1-eps)", False, "eps = 1: 0^0 = 1", params={"eps": 1})
claim("concrete-C", "label-smoothing", "onehot", 9, "p_i - 1/8", False, "eps/C, not eps/(C-1)", params={"eps": 1})
claim("concrete-C", "label-smoothing", "onehot", 1, "0", True, "C = 1: p_0 = 1 and t_0 = 1")
claim("concrete-C", "label-smoothing", "onehot", 1, "p_i - y_i", True, "C = 1: both are 0")
claim("concrete-C", "softmax-ce", "onehot", 1, "0", True, "C = 1: the loss is -y_0 log 1 = 0")
claim("concrete-C", "softmax-ce", "soft", 1, "0", True, "C = 1: p_0 = 1 whatever the label")
claim("concrete-C", "softmax-ce", "soft", 1, "p_i - y_i", False, "C = 1: 1 - y_0 ≠ 0 for soft labels")
claim("concrete-C", "softmax-ce", "onehot", 1, "p_i - 1", True, "C = 1: p_0 = 1")
claim(
    "concrete-C",
    "softmax-ce",
    "onehot",
    2,
    "1/(1 + exp(sum_j(f_j) - 2*f_i)) - y_i",
    True,
    "two classes: p_i = σ(f_i - f_other)",
)
claim("concrete-C", "softmax-ce", "onehot", 3, "1/(1 + exp(sum_j(f_j) - 2*f_i)) - y_i", False, "only for C = 2")
claim("concrete-C", "sigmoid-bce", "onehot", 1, "p_i - 1", True, "onehot with C = 1: y_0 = 1")
claim("concrete-C", "sigmoid-bce", "soft", 1, "p_i - 1", False, "soft: y_0 arbitrary")
claim("concrete-C", "sigmoid-bce", "soft", 1, "1/(1 + exp(-f_i)) - y_i", True, "one logit")
claim("concrete-C", "focal", "onehot", 2, "p_i - y_i", True, "gamma = 0 given", params={"gamma": 0})
claim("concrete-C", "focal", "onehot", 2, "p_i*(1 - p_i)*0 + " + FC, True, "C = 2, gamma symbolic")
claim("concrete-C", "focal", "soft", 2, FC, True, "C = 2: 1 - p_j > 0")
claim("concrete-C", "temperature", "onehot", 3, "p_i - y_i", True, "T = 1 given", params={"T": 1})
claim("concrete-C", "temperature", "onehot", 3, "(p_i - y_i)/2", True, "T = 2 given", params={"T": 2})
claim("concrete-C", "temperature", "onehot", 3, "(p_i - y_i)*2", False, "T = 2: the factor is 1/2", params={"T": 2})
claim("concrete-C", "ce-hessian", "onehot", 1, "0", True, "C = 1: the loss is constant")
claim("concrete-C", "ce-hessian", "onehot", 2, "p_i*(1 - p_i)*(2*delta_ij - 1)", True, "C = 2: ±p_0 p_1")
claim("concrete-C", "ce-hessian", "onehot", 3, "p_i*(1 - p_i)*(2*delta_ij - 1)", False, "only for C = 2")
claim("concrete-C", "softmax-jacobian", "onehot", 1, "0", True, "C = 1: p_0 = 1")
claim("concrete-C", "softmax-ce", "onehot", 4, "p_i - y_i + (1 - sum_j(p_j))^(C-4)", False, "0^0 = 1 at C = 4")
claim("concrete-C", "softmax-ce", "onehot", 5, "p_i - y_i + (1 - sum_j(p_j))^(C-4)", True, "0^1 = 0")
claim("concrete-C", "softmax-ce", "onehot", 1, "p_i - y_i + 0^(C-1)", False, "0^0 = 1")
claim("concrete-C", "softmax-ce", "onehot", 2, "p_i - y_i + 0^(C-1)", True, "0^1 = 0")
claim("concrete-C", "softmax-ce", "onehot", 5, "p_i*sum_j(y_j)^(C-1) - y_i", True, "1^4 = 1")
claim("concrete-C", "softmax-ce", "soft", 5, "p_i*sum_j(y_j)^(C-1) - y_i", False, "needs Σy = 1")
claim("concrete-C", "softmax-ce", "onehot", 3, "p_i - 2*y_i", False, "README's counterexample claim")
claim("concrete-C", "log-softmax-nll", "soft", 2, "p_i*sum_j(y_j) - y_i", True, "soft closed form")
claim("concrete-C", "softmax-jacobian", "soft", 3, "p_i*(delta_ij - p_j)", True, "symmetric")

# ---------------------------------------------------------------------------------------------
# 6. Closed forms: wrong ones and right ones in other spellings.

for labels in ["onehot", "soft"]:
    g = G[("softmax-ce", labels)]
    for t, truth, why in [
        ("y_i - p_i", False, "sign flip"),
        ("p_i + y_i", False, "sign of y"),
        ("2*(" + g + ")", False, "factor 2"),
        ("p_i*(1-p_i) - y_i", False, "the diagonal of the Jacobian is not the gradient"),
        ("(" + g + ")/C", False, "factor 1/C"),
        ("-y_i/p_i", False, "∂L/∂p_i, not ∂L/∂f_i"),
        ("-(y_i - p_i*sum_j(y_j))", True, "negated twice"),
        ("sum_j(p_j*(delta_ij - p_i)*(-y_j/p_j))", True, "the chain rule, unsimplified"),
        ("-sum_j(y_j*(delta_ij - p_i))", True, "the chain rule, p_j cancelled"),
        ("(exp(f_i)*sum_j(y_j) - y_i*sum_j(exp(f_j)))/sum_j(exp(f_j))", True, "over a common denominator"),
        ("p_i*sum_j(y_j) - y_i*sum_j(p_j)", True, "Σp = 1"),
        ("p_i*(C+1)/C*sum_j(y_j) - y_i", False, "off by one in C"),
        ("p_i*sum_j(y_j) - y_i*C/C", True, "C/C = 1"),
    ]:
        claim("closed-form", "softmax-ce", labels, "C", t, truth, why)
    for t, truth, why in [
        ("y_i - p_i*sum_j(y_j)", False, "sign flip"),
        (G[("softmax-ce", labels)], True, "the proved closed form"),
        ("sum_j(y_j*(p_i - delta_ij))", True, "through ∂s_j/∂f_i = δ_ij - p_i"),
        ("p_i - y_i*p_i", False, "missing Σy"),
    ]:
        claim("closed-form", "log-softmax-nll", labels, "C", t, truth, why)
    for t, truth, why in [
        (G[("label-smoothing", labels)], True, "the proved closed form"),
        ("p_i - (1-eps)*y_i - eps/(C-1)", False, "the eps/(C-1) convention (and 1/0 at C = 1)"),
        ("p_i - (1-eps)*y_i - eps*(1-y_i)/(C-1)", False, "the other convention"),
        ("p_i - (1-eps)*y_i", False, "missing eps/C"),
        ("p_i - (1-eps)*(y_i - eps/C)", False, "misplaced bracket"),
        ("p_i - y_i - eps*(y_i - 1/C)", False, "sign of the smoothing"),
    ]:
        claim("closed-form", "label-smoothing", labels, "C", t, truth, why)
    for t, truth, why in [
        (G[("temperature", labels)], True, "the proved closed form"),
        ("T*(" + G[("softmax-ce", labels)] + ")/T^2", True, "T/T^2 = 1/T"),
        ("(" + G[("softmax-ce", labels)] + ")/T^2", False, "1/T^2"),
        ("(" + G[("softmax-ce", labels)] + ")*T", False, "T instead of 1/T"),
        (G[("softmax-ce", labels)], False, "missing 1/T"),
    ]:
        claim("closed-form", "temperature", labels, "C", t, truth, why)
    for t, truth, why in [
        ("w_i*(p_i - y_i)", False, "only for equal weights"),
        ("sum_j(w_j*y_j*(p_i - delta_ij))", True, "the chain rule"),
        ("p_i*sum_j(w_j)*y_i - w_i*y_i", False, "Σw instead of Σwy"),
        ("p_i*sum_j(w_j*y_j) - w_i*p_i", False, "w_i p_i instead of w_i y_i"),
        ("sum_j(w_j*y_j)*(p_i - y_i)", False, "factored wrongly"),
        ("p_i*sum_j(w_j*y_j) - w_i*y_i*sum_j(p_j)", True, "Σp = 1"),
    ]:
        claim("closed-form", "weighted-ce", labels, "C", t, truth, why)
    for t, truth, why in [
        ("p_i*(1-p_i) - y_i", False, "σ' is not the gradient"),
        ("(p_i - y_i)*p_i*(1-p_i)", False, "the chain factor was cancelled"),
        ("y_i - p_i", False, "sign flip"),
        ("(p_i - y_i)/(p_i*(1-p_i))*p_i*(1-p_i)", True, "∂L/∂p · ∂p/∂f"),
        ("-(y_i/p_i - (1 - y_i)/(1 - p_i))*p_i*(1 - p_i)", True, "∂L/∂p · ∂p/∂f, unsimplified"),
    ]:
        claim("closed-form", "sigmoid-bce", labels, "C", t, truth, why)
    for t, truth, why in [
        ("p_j*(1 - p_i)", False, "δ_ij replaced by 1"),
        ("-p_i*p_j", False, "the j ≠ i case only"),
        ("p_j*(delta_ij + p_i)", False, "sign"),
        ("delta_ij - p_i*p_j", False, "missing p_i on δ"),
        ("p_i*p_j - delta_ij*p_i", False, "sign flip"),
        ("delta_ij*p_i - p_i*p_j", True, "diag(p) - p pᵀ"),
        ("p_i*(delta_ij - p_j)", True, "symmetric"),
    ]:
        claim("closed-form", "softmax-jacobian", labels, "C", t, truth, why)
    for t, truth, why in [
        (G[("ce-hessian", labels)], True, "the proved closed form"),
        ("(delta_ij*p_i + p_i*p_j)*sum_j(y_j)", False, "sign of p_i p_j"),
        ("delta_ij*p_i*(1-p_i)*sum_j(y_j)", False, "the diagonal only"),
        ("(p_i*p_j - delta_ij*p_i)*sum_j(y_j)", False, "sign flip"),
        ("p_i*(1-p_i)*sum_j(y_j)", False, "right on the diagonal only"),
        ("p_j*(delta_ij - p_i)*sum_j(y_j)", True, "symmetric"),
    ]:
        claim("closed-form", "ce-hessian", labels, "C", t, truth, why)
claim("closed-form", "ce-hessian", "soft", "C", "delta_ij*p_i - p_i*p_j", False, "needs Σy = 1")
for t, truth, why, params in [
    (FC.replace("p_i*sum_j", "-p_i*sum_j", 1), False, "sign of the first term", None),
    ("p_i*sum_j(y_j*(1-p_j)^gamma) - y_i*(1-p_i)^gamma", False, "the log term is missing", None),
    (FC.replace("gamma*p_j", "p_j").replace("gamma*p_i", "p_i"), False, "missing the factor gamma", None),
    (
        "p_i*sum_j(y_j*((1-p_j)^gamma - gamma*(1-p_j)^gamma/(1-p_j)*p_j*log(p_j))) - "
        "y_i*((1-p_i)^gamma - gamma*(1-p_i)^gamma/(1-p_i)*p_i*log(p_i))",
        True,
        "multiplied out, with (1-p)^γ/(1-p) for (1-p)^(γ-1)",
        None,
    ),
    (
        "p_i*sum_j(y_j*((1-p_j)^gamma/(1-p_j) - gamma*(1-p_j)^(gamma-1)*p_j*log(p_j))) - "
        "y_i*((1-p_i)^gamma/(1-p_i) - gamma*(1-p_i)^(gamma-1)*p_i*log(p_i))",
        False,
        "multiplied out wrongly: (1-p)^(γ-1) where (1-p)^γ belongs",
        None,
    ),
    (
        "p_i*sum_j(y_j*(1-p_j)*(1-p_j-2*p_j*log(p_j))) - y_i*(1-p_i)*(1-p_i-2*p_i*log(p_i))",
        True,
        "gamma = 2 spelled out",
        {"gamma": 2},
    ),
    ("p_i*sum_j(y_j*(1-p_j-p_j*log(p_j))) - y_i*(1-p_i-p_i*log(p_i))", True, "gamma = 1 spelled out", {"gamma": 1}),
    ("p_i*sum_j(y_j*(1-p_j-p_j*log(p_j))) - y_i*(1-p_i-p_i*log(p_i))", False, "gamma = 2, not 1", {"gamma": 2}),
]:
    claim("closed-form", "focal", "onehot", 3, t, truth, why, params=params)

# ---------------------------------------------------------------------------------------------
# 7. Large C.

for C in [50, 100, 1000]:
    claim("large-C", "softmax-ce", "onehot", C, "p_i - y_i", True, "the closed form")
    claim("large-C", "softmax-ce", "onehot", C, "p_i - 2*y_i", False, "factor 2 on y")
    claim("large-C", "softmax-ce", "onehot", C, f"p_i - y_i + (C-{C})", True, f"C = {C}")
    claim("large-C", "softmax-ce", "onehot", C, f"p_i - y_i + (C-{C - 1})", False, f"C - {C - 1} = 1")
    claim("large-C", "softmax-ce", "onehot", C, "p_i - y_i + " + E2, False, "e_2(p) > 0")
    claim("large-C", "softmax-ce", "soft", C, "p_i - y_i", False, "needs Σy = 1")
    claim("large-C", "softmax-ce", "soft", C, "p_i*sum_j(y_j) - y_i", True, "soft closed form")
claim("large-C", "softmax-ce", "onehot", 1000, "p_i - y_i + 1/C - 1/1000", True, "1/C = 1/1000")
claim("large-C", "softmax-ce", "onehot", 1000, "p_i - y_i + (1 - sum_j(p_j))^(1/2)", True, "0^(1/2) = 0")
claim("large-C", "softmax-ce", "onehot", 1000, "p_i - y_i + (1 - sum_j(p_j))^0", False, "0^0 = 1")
claim("large-C", "softmax-ce", "onehot", 1000, "p_i - y_i + p_i^2", False, "p_i^2 > 0, even if tiny")
claim("large-C", "softmax-ce", "onehot", 10000, "p_i - y_i", True, "the largest C accepted")
claim("large-C", "softmax-ce", "onehot", 50, "p_i - y_i + " + falling(10), False, "49·48·…·40 ≠ 0")
claim("large-C", "label-smoothing", "onehot", 100, LS, True, "the closed form")
claim("large-C", "label-smoothing", "onehot", 100, "p_i - (1-eps)*y_i - eps/99", False, "eps/(C-1)")
claim("large-C", "label-smoothing", "soft", 1000, LSs, True, "the closed form")
claim("large-C", "temperature", "onehot", 50, TT, True, "the closed form")
claim("large-C", "temperature", "onehot", 50, "p_i - y_i", False, "missing 1/T")
claim("large-C", "weighted-ce", "onehot", 100, WC, True, "the closed form")
claim("large-C", "weighted-ce", "onehot", 100, "w_i*(p_i - y_i)", False, "unequal weights")
claim("large-C", "sigmoid-bce", "soft", 1000, "p_i - y_i", True, "the closed form")
claim("large-C", "sigmoid-bce", "onehot", 1000, "p_i - y_i + 1 - sum_j(p_j)", False, "Σσ ≠ 1")
claim("large-C", "focal", "onehot", 50, FC, True, "the closed form", params={"gamma": 2})
claim("large-C", "focal", "onehot", 50, "p_i - y_i", False, "gamma = 2 ≠ 0", params={"gamma": 2})
claim("large-C", "softmax-jacobian", "onehot", 100, "p_j*(delta_ij - p_i)", True, "the closed form")
claim("large-C", "softmax-jacobian", "onehot", 100, "-p_i*p_j", False, "misses the diagonal")
claim("large-C", "ce-hessian", "onehot", 24, "delta_ij*p_i - p_i*p_j", True, "the largest C for ce-hessian")
claim("large-C", "ce-hessian", "onehot", 24, "delta_ij*p_i + p_i*p_j", False, "sign")
claim("large-C", "log-softmax-nll", "soft", 1000, "p_i*sum_j(y_j) - y_i", True, "the closed form")
claim("large-C", "log-softmax-nll", "soft", 1000, "p_i*sum_j(y_j) - y_i*(C-999)", True, "C - 999 = 1")

# ---------------------------------------------------------------------------------------------
# 8. Outside the syntax (exit 2 expected).

for loss, target, why, params, classes in [
    ("softmax-ce", "p_j - y_i", "p_j outside sum_j", None, "C"),
    ("softmax-ce", "sum_j(sum_j(p_j))", "nested sum_j", None, "C"),
    ("softmax-ce", "p_i - y_i + 1/0", "a literal division by zero", None, "C"),
    ("softmax-ce", "p_i^1000 - y_i", "exponent beyond 100", None, "C"),
    ("softmax-ce", "p_i^y_i", "exponent not a number or a parameter", None, "C"),
    ("softmax-ce", "p_i - y_i + 0^((C-70)^2)", "C in an exponent with symbolic C", None, "C"),
    ("softmax-ce", "__import__('os').system('true')", "not a claim", None, "C"),
    ("softmax-ce", "p_i - y_i + z_i", "unknown name", None, "C"),
    ("softmax-ce", "p_i - y_i + pi", "unknown name", None, "C"),
    ("softmax-ce", "p_i - y_i +", "malformed", None, "C"),
    ("softmax-ce", "p_i % 2", "operator %", None, "C"),
    ("softmax-ce", "p_i // 2 - y_i", "operator //", None, "C"),
    ("softmax-ce", "log(p_i, 2) - y_i", "two arguments", None, "C"),
    ("softmax-ce", "sqrt(p_i) - y_i", "unknown function", None, "C"),
    ("softmax-ce", "p_i - y_i + w_i", "w_i belongs to weighted-ce", None, "C"),
    ("softmax-ce", "p_i - y_i + eps", "eps belongs to label-smoothing", None, "C"),
    ("softmax-ce", "p_i - delta_ij", "delta_ij outside sum_j (not a matrix)", None, "C"),
    ("softmax-ce", "*".join(["p_i"] * 60), "nests deeper than 40", None, "C"),
    ("softmax-ce", "p_i - y_i" + " + 0*p_i" * 70, "longer than 500 characters", None, "C"),
    ("softmax-ce", "p_i - y_i + True", "a boolean literal", None, "C"),
    ("softmax-ce", "p_i^(1/2)^(1/2) - y_i", "an irrational exponent", None, "C"),
    ("softmax-ce", "p_i - y_i + 'a'", "a string literal", None, "C"),
    ("softmax-ce", "", "empty", None, "C"),
    ("label-smoothing", "p_i - y_i + p_i^log(eps)", "a log in an exponent", None, "C"),
    ("weighted-ce", WC + " + 0^w_i", "a class weight in an exponent", None, "C"),
    ("weighted-ce", WC + " + 0*w1", "w1 is not given", {"w0": 2}, 2),
    ("weighted-ce", WC, "a class weight with symbolic C", {"w0": 2}, "C"),
    ("weighted-ce", WC, "no class 5 when C = 3", {"w5": 2}, 3),
    ("weighted-ce", WC, "a negative weight", {"w0": -1}, 3),
    ("label-smoothing", LS, "eps = 2 is out of range", {"eps": 2}, "C"),
    ("temperature", TT, "T = 0 is out of range", {"T": 0}, "C"),
    ("focal", FC, "gamma = 11 is out of range", {"gamma": 11}, 3),
    ("softmax-ce", "p_i - y_i", "softmax-ce has no parameter T", {"T": 2}, "C"),
    ("ce-hessian", "delta_ij*p_i - p_i*p_j", "ce-hessian has no parameter gamma", {"gamma": 2}, 25),
    ("softmax-ce", "p_i - y_i", "C ≤ 10000", None, 10001),
    ("focal", FC, "focal's domain starts at C = 2", {"gamma": 3}, 1),
    ("focal", "0", "focal's domain starts at C = 2", None, 1),
]:
    claim("usage", loss, "onehot", classes, target, None, why, params=params, usage=True)


# ---------------------------------------------------------------------------------------------


def _run(entry: dict) -> tuple[str, oracle.Verdict, float]:
    start = time.perf_counter()
    v = oracle.decide(entry["loss"], entry["labels"], entry["classes"], entry["target"], entry.get("params"))
    return entry["id"], v, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare the hand verdicts with the oracle; write nothing")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default=None, help="only claims whose id starts with this")
    args = ap.parse_args()
    ids = [c["id"] for c in CLAIMS]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        print("duplicate ids:", sorted(dupes))
        return 1
    todo = [c for c in CLAIMS if args.only is None or c["id"].startswith(args.only)]
    with Pool(args.jobs) as pool:
        results = {cid: (v, dt) for cid, v, dt in pool.imap_unordered(_run, todo, chunksize=1)}
    disagree, out = [], []
    for c in todo:
        v, dt = results[c["id"]]
        if v.truth != c["truth"]:
            disagree.append((c, v))
        entry = dict(c)
        entry["truth"] = bool(v.truth)  # a usage claim is not a true claim
        entry["oracle"] = {"checked": v.checked, "seconds": round(dt, 2)}
        if v.counterexample:
            entry["oracle"]["counterexample"] = v.counterexample
            entry["oracle"]["reason"] = v.reason
        out.append(entry)
    for c, v in disagree:
        print(
            f"DISAGREE {c['id']}: hand {c['truth']}, oracle {v.truth} ({v.reason}; {v.counterexample}): "
            f"{c['loss']} {c['labels']} C={c['classes']} {c.get('params')} {c['target']!r}"
        )
    slow = sorted(out, key=lambda e: -e["oracle"]["seconds"])[:5]
    print("slowest:", ", ".join(f"{e['id']} {e['oracle']['seconds']} s" for e in slow))
    print(f"{len(todo)} claims, {len(disagree)} disagreements")
    if disagree or args.check or args.only:
        return 1 if disagree else 0
    with open(HERE / "claims.jsonl", "w", encoding="utf-8") as fh:
        for e in out:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    print(f"wrote {HERE / 'claims.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
