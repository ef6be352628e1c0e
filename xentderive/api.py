"""The Python API: `derive` builds a derivation, verifies it and returns the data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sympy import Expr, Symbol, log, sstr
from sympy.printing.str import StrPrinter

from .claims import ClaimError, parse_claim, vocabulary
from .concrete import ConcreteMeaning
from .context import Context
from .custom import declare
from .derivations import known, spec_for
from .errors import InputError
from .limits import GRADIENT_MAX_CLASSES, GRADIENT_MAX_MATRIX, MAX_CLASSES
from .model import Derivation, Line, Status, Step, lines_hold
from .params import resolve
from .semantics import ASSUME_LABEL_SUM, ASSUME_LABELS_NONNEGATIVE, free_indices, instantiate
from .vector import NoVectorForm, vector_form, vector_status
from .verify import checker_for, verify

LABELS = ("onehot", "soft")
FORMS = ("index", "vector")
SOFT_LABEL_HINT = "It would hold if $Σ_j @y_j = 1$, which --labels soft does not assume (use --labels onehot)."


def check_classes(classes: int | None) -> None:
    """Raise InputError unless `classes` is None (symbolic) or 1 ≤ classes ≤ MAX_CLASSES."""
    if classes is None:
        return
    if classes < 1:
        raise InputError(f"--classes must be at least 1 (got {classes})")
    if classes > MAX_CLASSES:
        raise InputError(f"--classes {classes} is above the maximum of {MAX_CLASSES}")


DEFAULT_NAMES = {"logits": "f", "probs": "p", "labels": "y", "classes": "C"}


def check_notation(ctx: Context, names: dict[str, str], loss: str) -> None:
    """A renamed symbol must not take a name the derivation already uses (a parameter such as
    eps, class weights w, an index, L): the printout would then read as a different formula."""
    own = {DEFAULT_NAMES[k]: k for k in names if k in DEFAULT_NAMES}
    taken: dict[str, str] = {name: f"the parameter {name}" for name in ctx.params}
    for value in vars(ctx).values():
        label = getattr(value, "label", value)
        if isinstance(label, Symbol) and label.name not in own:
            taken.setdefault(label.name, f"the symbol {label.name}")
    for key, name in names.items():
        if name != DEFAULT_NAMES.get(key) and name in taken:
            raise InputError(f"--notation {key}={name} clashes with {taken[name]} of {loss}: choose another name")


def check_letters(ctx: Context, letters: dict[str, str], loss: str, chosen: dict[str, str] | None = None) -> None:
    """A LaTeX name must not print as a parameter's letter (probs=\\gamma beside γ): same check, as seen.

    `chosen` are the parameters' letters --notation picked (T=\\tau): each must name a parameter
    of this loss (the Greek-named ones may be given for any loss), and print as no other symbol.
    """
    from .printing.notation import GREEK, seen_as, seen_letter  # printing knows how a name is seen

    roles = {v: k for k, v in DEFAULT_NAMES.items()} | {"L": "loss"}
    chosen = {k: v for k, v in (chosen or {}).items() if k not in roles}
    for name in chosen:
        if name not in ctx.params and name not in GREEK:
            raise InputError(f"--notation {name}=…: {loss} has no parameter {name}")
    seen = {name: seen_letter(name) for name in ctx.params}
    for name, shown in chosen.items():
        letter = seen_as(shown)
        if name in ctx.params:
            seen[name] = letter
        if letter in ("δ", "Σ", "Π"):
            raise InputError(f"--notation {name}={shown}: {letter} is taken (the Kronecker delta, a sum, a product)")
    for name, letter in seen.items():
        other = next((o for o, theirs in seen.items() if o != name and theirs == letter), None)
        if other is not None and name in chosen:
            raise InputError(f"--notation {name}={chosen[name]} prints as {letter}, as the parameter {other} does")
    for name in ctx.params:
        for internal, letter in letters.items():
            if letter == seen[name]:
                raise InputError(
                    f"--notation {roles[internal]} prints as {letter}, the letter of the parameter {name} of {loss}: "
                    "choose another name"
                )


LABEL_SUM_STATED = "$Σ_j @y_j = 1$ and $@y_j ≥ 0$ (the labels are a probability vector, e.g. one-hot)"
NONNEGATIVE_STATED = "$@y_j ≥ 0$ (the labels are nonnegative)"
LOG_STATED = "log is the natural logarithm (base e)"


def uses_log(steps: list[Step]) -> bool:
    """Does any line of `steps` hold a log (a loss's definition does; the softmax's Jacobian does not)?"""
    return lines_hold(steps, log)


def assumptions(ctx: Context, steps: list[Step]) -> list[str]:
    """The stated assumptions, as prose (`$…$` math, `@f`-style names) for every format.

    They follow what `steps` use, so the list cannot drift from the derivation: the natural log
    only where a line holds a log, the labels' hypotheses only where a step carries them
    (ASSUME_LABEL_SUM: a probability vector; ASSUME_LABELS_NONNEGATIVE alone: nonnegative).
    """
    used = {a for step in steps for a in step.assumptions}
    out = [LOG_STATED] if uses_log(steps) else []
    out += ["$@f_0 … @f_{@C-1}$ are real", "$0 ≤ i, j ≤ @C-1$"]
    if ctx.symbolic:
        out.append(f"$@C ≥ {ctx.min_classes}$")
    if ASSUME_LABEL_SUM in used:
        out.append(LABEL_SUM_STATED)
    elif ASSUME_LABELS_NONNEGATIVE in used:
        out.append(NONNEGATIVE_STATED)
    return out + ctx.extra_assumptions()


def build(
    classes: int | None = None,
    *,
    labels: str = "onehot",
    target: str | None = None,
    loss: str = "softmax-ce",
    names: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    loss_expr: str | None = None,
    logits_expr: str | None = None,
    param_ranges: dict[str, str] | None = None,
    min_classes: int = 1,
    letters: dict[str, str] | None = None,
    chosen: dict[str, str] | None = None,
) -> Derivation:
    """The unverified derivation: steps and claim as data, every status pending.

    `classes` is a concrete number of classes, or None for a proof for every C.
    `target` is a claim in the small syntax of `claims.py`; the default is the
    loss's known closed form, written with `names` (e.g. {"probs": "q"}) when given.
    `params` gives parameter values (e.g. {"eps": "0.1"}); the others stay symbolic.
    `loss_expr` is a loss of your own in the claim syntax (``sum_j(-y_j*log(p_j))``), with the
    logits transformed by `logits_expr` (``c*tanh(f_j/c)``) and its parameters declared by
    `params` (a value, or None) and `param_ranges` (``{"c": "(0..100]"}``); it is registered as
    the loss "custom" and its steps are built by the engine; `min_classes` states the smallest C
    it is meant for.
    Raises InputError for bad input.
    """
    check_classes(classes)
    given = {"labels": labels, "target": target, "loss": loss, "names": names, "params": params}
    if loss_expr is not None:  # the twin declares the same text again: "custom" may be another loss by then
        given |= {"loss_expr": loss_expr, "logits_expr": logits_expr, "param_ranges": param_ranges}
        given |= {"min_classes": min_classes}
        if loss != "softmax-ce":
            raise InputError("--loss and --loss-expr cannot be combined: the expression is the loss")
        loss, params = declare(loss_expr, logits_expr, params, param_ranges, min_classes=min_classes)
    elif logits_expr is not None or param_ranges or min_classes != 1:
        raise InputError("--logits-expr, --param-range and --min-classes need --loss-expr")
    if labels not in LABELS:
        raise InputError(f"--labels must be one of {', '.join(LABELS)} (got {labels!r})")
    spec = spec_for(loss)
    if spec is None:
        raise InputError(f"unknown loss {loss!r} (known: {', '.join(known())})")
    if classes is not None and spec.max_classes and classes > spec.max_classes[0]:
        limit, why = spec.max_classes
        raise InputError(f"--classes {classes} is above {loss}'s maximum of {limit}: {why}")
    if classes is not None and classes < spec.min_classes[0]:
        raise InputError(
            f"--classes {classes} is below {loss}'s minimum of {spec.min_classes[0]}: {spec.min_classes[1]}"
        )
    values, samples = resolve(spec.params, params or {}, loss, classes)
    ranges = {values[p.name]: p.interval() for p in spec.params if not p.per_class and values[p.name].is_Symbol}
    ctx = spec.make_context(
        classes,
        values,
        samples,
        ranges,
        nonnegative_labels=labels == "onehot",
        min_classes=spec.min_classes[0],
    )
    check_notation(ctx, names or {}, loss)
    check_letters(ctx, letters or {}, loss, chosen)
    target_text = target if target is not None else spec.default_target(ctx, labels)
    derived = spec.default_claim(ctx, labels) if target is None and spec.default_claim else None
    try:
        vocab = vocabulary(ctx, names if target is not None else None, spec.free_j)
        rhs = derived if derived is not None else parse_claim(target_text, vocab)
    except ClaimError as err:
        raise InputError(f"--target: {err}") from None
    steps = spec.steps(ctx, labels)
    # the default claim is the steps' own result: it needs what they need. A claim of the user's may
    # need anything --labels onehot grants, so it is checked with the labels summing to one.
    label_sum = labels == "onehot" and (target is not None or any(ASSUME_LABEL_SUM in s.assumptions for s in steps))
    claim = Step(
        "claim",
        "Claim",
        "The claimed closed form, checked directly against the definitions, independently of the steps above.",
        [[Line(spec.claim_lhs(ctx)), Line(rhs, "claim")]],
        assumptions=(ASSUME_LABEL_SUM,) if label_sum else (),
    )
    stated = assumptions(ctx, [*steps, claim]) + [f"${p.rule}$" for p in spec.params if p.name not in (params or {})]
    stated += [f"${_subscripted(name)} = {sstr(values[name])}$ (a fixed value)" for name in fixed_values(params)]
    return Derivation(
        loss=loss,
        ctx=ctx,
        labels=labels,
        assumptions=stated,
        steps=steps,
        claim=claim,
        result=next((s for s in steps if s.key == spec.result_step), steps[-1]).chains[-1][-1].expr,
        target=target_text,
        conventions=list(spec.conventions),
        params={name: sstr(value) for name, value in values.items() if not _free(name, value)},
        free_params=[name for name, value in values.items() if _free(name, value)],
        given=given,
    )


def _free(name: str, value: Expr) -> bool:
    """A parameter left symbolic: its value is the symbol of its own name, not a value."""
    return bool(value.is_Symbol) and value.name == name


def fixed_values(params: dict[str, str | None] | None) -> list[str]:
    """The parameters given a value (a custom loss's symbolic ones map to None)."""
    return [name for name, value in (params or {}).items() if value is not None]


def _subscripted(name: str) -> str:
    """w0 → w_0, as the equations print a class weight; other names as they are."""
    head = name.rstrip("0123456789")
    digits = name[len(head) :]
    if not head or not digits:
        return name
    return f"{head}_{digits}" if len(digits) == 1 else f"{head}_{{{digits}}}"


def symbolic_twin(derivation: Derivation) -> Derivation | None:
    """The same derivation for symbolic C (same loss, labels, claim, parameters), or None where
    there is none (weights given per class need a number of classes)."""
    if not derivation.given or (derivation.ctx.symbolic and not derivation.ctx.batched):
        return None
    given = derivation.given
    if derivation.ctx.batched:  # the proof for every N and C: the number of samples is left symbolic too
        given = given | {"params": {k: v for k, v in (given.get("params") or {}).items() if k != "N"}}
    try:
        return build(None, **given)
    except InputError:
        return None


def check(derivation: Derivation, on_step: Callable[[Step], None] | None = None) -> Derivation:
    """Verify every step in place; explain a soft-label claim that needs Σ_j y_j = 1."""
    verify(derivation, on_step, lambda: symbolic_twin(derivation))
    claim, ctx = derivation.claim, derivation.ctx
    if claim.status is Status.FAILED and derivation.labels == "soft":
        with_sum = replace(claim, assumptions=(ASSUME_LABEL_SUM,))
        if checker_for(ctx, derivation.labels).check(with_sum).status.passed:
            claim.remarks.append(SOFT_LABEL_HINT)
    return derivation


def derive(
    classes: int | None = None,
    *,
    labels: str = "onehot",
    target: str | None = None,
    loss: str = "softmax-ce",
    names: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    on_step: Callable[[Step], None] | None = None,
    loss_expr: str | None = None,
    logits_expr: str | None = None,
    param_ranges: dict[str, str] | None = None,
    min_classes: int = 1,
    form: str = "index",
    letters: dict[str, str] | None = None,
    chosen: dict[str, str] | None = None,
) -> Derivation:
    """Build and verify the gradient derivation of `loss` (see `build` for the arguments).

    `form="vector"` adds the result as vectors and matrices (∇_f L = p - y), checked entry
    by entry against the index form; InputError if the result has no such form.
    """
    if form not in FORMS:
        raise InputError(f"--form must be one of {', '.join(FORMS)} (got {form!r})")
    built = build(
        classes,
        labels=labels,
        target=target,
        loss=loss,
        names=names,
        params=params,
        loss_expr=loss_expr,
        logits_expr=logits_expr,
        param_ranges=param_ranges,
        min_classes=min_classes,
        letters=letters,
        chosen=chosen,
    )
    vector = None
    if form == "vector":
        try:
            vector = vector_form(built)  # before the proof: a result with no vector form is bad input, at once
        except NoVectorForm as err:
            raise InputError(f"--form vector: {built.loss} has no vector form ({err})") from None
    checked = check(built, on_step)  # fills in the statuses; the result it restates is unchanged
    if vector is not None:
        checked.vector = replace(vector, status=vector_status(checked))
    return checked


class _RawPrinter(StrPrinter):
    """SymPy syntax in which the placeholder Z prints as the written-out softmax sum.

    The sum's text is made once, not once per component: that is O(C) instead of O(C²).
    """

    def __init__(self, placeholder: Expr, total: Expr) -> None:
        super().__init__()
        self.placeholder = placeholder
        self.total = f"({sstr(total)})"

    def _print_Dummy(self, expr: Expr) -> str:
        return self.total if expr == self.placeholder else super()._print_Dummy(expr)


def gradient_max_classes(derivation: Derivation) -> int:
    """The most classes for which the JSON lists the gradient: fewer for a matrix (C² entries)."""
    matrix = free_indices(derivation.result, derivation.ctx.indices) == {derivation.ctx.i, derivation.ctx.j}
    return GRADIENT_MAX_MATRIX if matrix else GRADIENT_MAX_CLASSES


def raw_gradient(derivation: Derivation) -> list | None:
    """dL/df_i for every i in SymPy syntax over f0…f{C-1}, y0…y{C-1} and the parameters' names
    (a C×C list of lists for a matrix such as ∂p_j/∂f_i); None when too large."""
    ctx = derivation.ctx
    if ctx.symbolic or ctx.batched or ctx.classes > gradient_max_classes(derivation):
        return None
    cm = ConcreteMeaning(ctx)
    printer = _RawPrinter(cm.Z, cm.explicit_sum)

    def component(values: dict) -> str:
        return printer.doprint(cm.evaluate(instantiate(derivation.result, values)))

    classes = range(ctx.classes)
    if free_indices(derivation.result, ctx.indices) == {ctx.i, ctx.j}:  # a matrix: row i, column j
        return [[component({ctx.i: m, ctx.j: n}) for n in classes] for m in classes]
    return [component({ctx.i: m}) for m in classes]
