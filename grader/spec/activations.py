"""Activations and losses of a spec: a named activation with its parameters, or a formula (read by
``grader.parse.formula``, remembering where it stands in the spec for located errors)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from grader.parse.formula import Formula, FormulaError, parse_formula
from grader.spec.problem import Activation
from grader.spec.schema import ActivationSpec, ProblemSpec

Path = tuple[str | int, ...]
# ``where`` below is a ``grader.spec.build.Where``: it locates errors (``where.error(path, message, hint)``).


def formula(text: str, variables: tuple[str, ...], path: Path, where, example: str) -> Formula:
    """The formula at ``path`` of the spec, read for ``variables``; a located error when it cannot be read."""
    try:
        f = parse_formula(text, variables)
    except FormulaError as exc:
        raise where.error(path, f"cannot read the formula {text!r}: {exc}", f"e.g. {example}") from None
    owner = path[:-1]  # the activation, the loss: where a value it cannot take is reported
    return dataclasses.replace(f, path=where.error(owner, "").path, line=where.line_of(owner) if where.line_of else None)


def activation(spec: object, path: Path, where) -> Activation:
    """A layer's activation: a name, ``{kind: .., derivative_at_zero: .., slope: ..}`` or ``{formula: ..}``."""
    if isinstance(spec, ActivationSpec) and spec.formula is not None:
        if spec.kind is not None or spec.derivative_at_zero is not None or spec.slope is not None:
            raise where.error(path, "an activation is a `kind` or a `formula`, not both",
                              'write {formula: "x^(3/4)"} alone')
        return Activation("formula", formula=formula(spec.formula, ("x",), path + ("formula",), where,
                                                      'formula: "x^(3/4)" or "max(0, x) + 0.1*x"'))
    if isinstance(spec, ActivationSpec) and spec.kind is None:
        raise where.error(path, "an activation mapping needs `kind` or `formula`",
                          '{kind: relu, derivative_at_zero: 0} or {formula: "x^(3/4)"}')
    kind = spec.kind if isinstance(spec, ActivationSpec) else str(spec)
    d0 = spec.derivative_at_zero if isinstance(spec, ActivationSpec) else None
    slope = spec.slope if isinstance(spec, ActivationSpec) else None
    if kind in ("relu", "leaky_relu"):
        example = ("{kind: relu, derivative_at_zero: 0}" if kind == "relu"
                   else "{kind: leaky_relu, slope: 0.01, derivative_at_zero: 0.01}")
        if d0 is None:
            raise where.error(path, f"{kind} must state derivative_at_zero (the derivative used at net = 0)", example)
        if kind == "relu" and slope is not None:
            raise where.error(path + ("slope",), "slope applies only to leaky_relu", example)
        s = Fraction(1, 100) if slope is None else slope
        if kind == "leaky_relu" and not 0 < s < 1:
            raise where.error(path + ("slope",), "leaky_relu slope must be in (0, 1)", example)
        lo = s if kind == "leaky_relu" else Fraction(0)
        if not lo <= d0 <= 1:
            raise where.error(path + ("derivative_at_zero",),
                              f"derivative_at_zero must be in [{lo}, 1] (a derivative of one side)", example)
        return Activation(kind, derivative_at_zero=d0, slope=s)  # type: ignore[arg-type]
    if d0 is not None or slope is not None:
        raise where.error(path, f"{kind} takes no derivative_at_zero or slope", f"write activation: {kind}")
    return Activation(kind)  # type: ignore[arg-type]


def loss_kind(spec: ProblemSpec) -> str:
    """The loss's name; "formula" for ``loss: {formula: ..}``."""
    return spec.loss if isinstance(spec.loss, str) else "formula"
