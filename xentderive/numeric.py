"""The second, independent witness: high-precision central differences of the definition.

The loss is evaluated by the derivation's own `numeric_loss` (plain mpmath, no
SymPy), differentiated by central differences at 50 digits, and compared with the
claim evaluated at the same seeded random points. With h = 1e-15 the difference
quotient's error is about h² ≈ 1e-30, far below the tolerance of 1e-25, and far
above what a wrong closed form could hide behind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from mpmath import mp, mpf

from .claims import parse_claim, vocabulary
from .context import Context
from .derivations import REGISTRY
from .semantics import instantiate, meaning

DIGITS = 50
STEP = mpf("1e-15")
TOLERANCE = mpf("1e-25")
POINTS = 3
SYMBOLIC_SAMPLES = (1, 2, 5)
MAX_COMPONENTS = 12


@dataclass
class NumericResult:
    """Whether the claim matched the differentiated definition everywhere it was sampled."""

    agreed: bool
    detail: str
    classes: int | None = None
    index: int | None = None
    f: list[str] | None = None
    y: list[str] | None = None
    claimed: str | None = None
    measured: str | None = None


def describe(seed: int) -> str:
    """The witness's method in one line: precision, step, tolerance, points and seed."""
    return (
        f"mpmath {DIGITS} digits, central differences h = 1e-15, tolerance 1e-25, {POINTS} random points "
        f"(seed {seed}) per C; symbolic C sampled at C = {', '.join(map(str, SYMBOLIC_SAMPLES))}"
    )


def _components(classes: int) -> list[int]:
    if classes <= MAX_COMPONENTS:
        return list(range(classes))
    return sorted({0, 1, classes // 2, classes - 1})


def witness(
    loss: str, labels: str, target: str, classes: int | None, seed: int = 0, params: dict[str, str] | None = None
) -> NumericResult:
    """Compare the claimed dL/df_i with central differences of L at seeded random points.

    Symbolic parameters take their sample values; a claim about a matrix (∂p_j/∂f_i)
    is compared entry by entry, with the derivation's numeric function of j.
    """
    from .params import resolve

    sizes = SYMBOLIC_SAMPLES if classes is None else (classes,)
    spec = REGISTRY[loss]
    values, samples = resolve(spec.params, params or {}, loss, classes)
    checked = 0
    undefined: set[int] = set()  # sizes where the claim itself has no value (0·∞), skipped and said
    with mp.workdps(DIGITS):
        numbers = {name: mpf(str(v.xreplace(samples))) for name, v in values.items()}
        for size in sizes:
            ctx = spec.make_context(size, values, samples)
            claim = parse_claim(target, vocabulary(ctx, None, spec.free_j))
            rng = random.Random(seed * 1_000_003 + size)
            for _ in range(POINTS):
                f = [mpf(rng.uniform(-3, 3)) for _ in range(size)]
                raw = [mpf(rng.uniform(0.05, 1)) for _ in range(size)]
                y = [v / sum(raw) for v in raw] if labels == "onehot" else raw
                fixed = ctx.fixed_inputs()
                data = {  # other per-class inputs (class weights): given ones, else sampled
                    b: [mpf(str(fixed[b[m]])) if b[m] in fixed else mpf(rng.uniform(0.1, 2)) for m in range(size)]
                    for b in ctx.class_inputs()[2:]
                }
                given = numbers | {str(b.label): vs for b, vs in data.items()}
                for i, j in _entries(size, spec.free_j):
                    extra = {"j": j} if spec.free_j else {}

                    up, down = list(f), list(f)
                    up[i] += STEP
                    down[i] -= STEP
                    rise = spec.numeric_loss(up, y, given, **extra) - spec.numeric_loss(down, y, given, **extra)
                    measured = rise / (2 * STEP)
                    index = {ctx.i: i} | ({ctx.j: j} if spec.free_j else {})
                    claimed = _evaluate(claim, ctx, index, {ctx.f: f, ctx.y: y} | data)
                    if not mp.isfinite(claimed) and mp.isfinite(measured):
                        undefined.add(size)
                        continue
                    checked += 1
                    finite = mp.isfinite(claimed) and mp.isfinite(measured)  # NaN compares as "close"
                    if not finite or abs(claimed - measured) > TOLERANCE:
                        where = f"i = {i}" + (f", j = {j}" if spec.free_j else "")
                        return NumericResult(
                            False,
                            f"differs at C = {size}, {where}: claimed {mp.nstr(claimed, 15)}, "
                            f"central difference {mp.nstr(measured, 15)}",
                            size,
                            i,
                            [mp.nstr(v, 20) for v in f],
                            [mp.nstr(v, 20) for v in y],
                            mp.nstr(claimed, 20),
                            mp.nstr(measured, 20),
                        )
    where = "C = " + ", ".join(map(str, sizes))
    skipped = ""
    if undefined:
        sizes_text = ", ".join(map(str, sorted(undefined)))
        skipped = f"; the claim is undefined (0·∞ or a division by zero) at C = {sizes_text}"
        if not checked:
            return NumericResult(False, f"the claim is undefined at every sampled point ({where})")
    return NumericResult(True, f"agreed at {checked} components ({where}){skipped}: {describe(seed)}")


def _entries(size: int, matrix: bool) -> list[tuple[int, int]]:
    rows = _components(size)
    return [(i, j) for i in rows for j in rows] if matrix else [(i, 0) for i in rows]


def _evaluate(claim, ctx: Context, index: dict, data: dict) -> mpf:
    """The claim at one point; `data` maps each per-class input (f, y, weights) to its values."""
    value = meaning(instantiate(claim, index), ctx).doit()
    subs = {b[m]: vs[m] for b, vs in data.items() for m in range(ctx.classes)}
    subs |= ctx.param_samples()
    number = value.xreplace(subs).evalf(DIGITS + 10)
    return mpf(str(number)) if number.is_finite else mp.nan
