"""Loading problem specs: YAML file or document -> validated ``Problem``; finding a problem by id or path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from grader.errors import SpecError
from grader.spec.build import LineOf, build_problem, close_hint, render_path
from grader.spec.quoting import describe_key, is_short_name
from grader.spec.problem import Problem
from grader.spec.schema import (TAGS, ActivationSpec, AskEntry, AskSpec, LossFormulaSpec, CompactLayer, ExplicitLayer, NetworkSpec,
                                ProblemSpec, ToleranceSpec, TrainingSpec)
from grader.spec.find import BUNDLED_PROBLEMS, find_problem
from grader.yamlio import Document, load_yaml_file, load_yaml_text

__all__ = ["BUNDLED_PROBLEMS", "find_problem", "load_problem", "problem_from_document", "spec_error_from_validation"]


# The model owning a field, by the last key (or union tag) of its parent's location.
_MODEL_AT: dict[str, type[BaseModel]] = {
    "network": NetworkSpec, "training": TrainingSpec, "ask": AskSpec, "tolerance": ToleranceSpec,
    "explicit-layer": ExplicitLayer, "compact-layer": CompactLayer, "activation-spec": ActivationSpec,
    "ask-entry": AskEntry, "loss-formula": LossFormulaSpec,
}
_MAX_LISTED = 5


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop union tags and pydantic's ``[key]`` marker from an error location."""
    return tuple(p for p in loc if p not in TAGS and p != "[key]")


def _model_under(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose fields sit directly under ``loc`` (a raw pydantic location), if known."""
    keys = [p for p in loc if isinstance(p, str)]
    return _MODEL_AT.get(keys[-1]) if keys else ProblemSpec


def _field_hint(loc: tuple[Any, ...], *, nearest: bool = True) -> str | None:
    """The description of the schema field on ``loc`` (what would be right): the innermost one when ``nearest``,
    else only when the error is about the field itself rather than an entry of a mapping under it."""
    keys = [i for i, p in enumerate(loc) if isinstance(p, str) and p not in TAGS]
    for i in reversed(keys):
        model = _model_under(loc[:i])
        field = model.model_fields.get(loc[i]) if model is not None else None
        if field is not None:
            return field.description
        if not nearest:
            return None
    return None


def _describe(err: dict[str, Any]) -> tuple[str, str | None]:
    """(message, hint) for one pydantic error."""
    loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        fields = list((_model_under(loc[:-1]) or ProblemSpec).model_fields)
        hint = close_hint(str(loc[-1]), fields) if is_short_name(loc[-1]) else None
        return f"unknown field {describe_key(loc[-1])}", (hint + "; " if hint else "") + f"allowed here: {', '.join(fields)}"
    if kind == "missing":
        return f"missing required field {describe_key(loc[-1])}", _field_hint(loc)
    if kind == "literal_error":
        return "invalid value", f"one of: {ctx.get('expected')}"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
        return ("an id is a short identifier: letters, digits, '_', '.' and '-', starting with a letter or digit",
                "for example exercise6 or hw3.q2")
    if kind == "model_type" and not loc:
        return "a problem spec is a YAML mapping", "start with id:, title:, network:, given:, loss:, training:, ask:"
    msg = _scrubbed(str(err["msg"]), err.get("input"))
    if msg.startswith("Value error, "):  # our own validators: the message already says what would be right
        return msg[len("Value error, "):], _field_hint(loc, nearest=False)
    return msg[:1].lower() + msg[1:], _field_hint(loc)


def _scrubbed(msg: str, value: Any) -> str:
    """``msg`` without the text of the offending ``value`` (never echo a value of a file that may be no spec): a
    short identifier (``fast``, ``abc``) is shown as it is, as ``grader.yamlio.redact`` shows one; any other text by
    its length."""
    if isinstance(value, str) and value.strip() and not is_short_name(value):  # pydantic's messages never hold it
        for shown in (repr(value), f'"{value}"', value):
            msg = msg.replace(shown, f"(a text of {len(value)} characters)")
    return msg


def spec_error_from_validation(exc: ValidationError, *, source: str | None, line_of: LineOf | None) -> SpecError:
    """One ``SpecError`` located at the first error; the message lists the others with their lines."""
    located = []
    # A misspelt field shows as "unknown field" plus "missing field": report the misspelling first.
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] == "missing")
    for err in errors:
        path = _clean_loc(err["loc"])
        message, hint = _describe(err)
        located.append((path, line_of(path) if line_of else None, message, hint))
    path, line, message, hint = located[0]
    if len(located) > 1:
        more = [f"{render_path(p) or '<top>'} (line {ln}): {m}" for p, ln, m, _ in located[1:_MAX_LISTED + 1]]
        extra = len(located) - 1 - len(more)
        message += "; also " + "; ".join(more) + (f"; and {extra} more" if extra > 0 else "")
    return SpecError(message, file=source, line=line, path=render_path(path) or None, hint=hint)


def problem_from_document(doc: Document, *, source: str | None = None) -> Problem:
    """Validate a YAML ``Document`` against the surface schema and build the internal ``Problem``."""
    src = source if source is not None else getattr(doc, "source", None)
    try:
        spec = ProblemSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise spec_error_from_validation(exc, source=src, line_of=doc.line_of) from None
    return build_problem(spec, source=src, line_of=doc.line_of)


# A problem file's values at most: a network the solver's work budget allows (``grader.solve.solver.MAX_WORK``,
# 25,000 weights, biases and neurons for one step) with its lists, well above it; the file's size cap holds too.
PROBLEM_MAX_NODES = 100_000


def problem_from_bytes(raw: bytes, *, source: str) -> Problem:
    """A problem from a file's bytes already read (``source`` names the file in messages)."""
    return problem_from_document(load_yaml_text(raw, source=source, quote=False, max_nodes=PROBLEM_MAX_NODES), source=source)


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file; raises ``SpecError`` (or ``GraderError`` for unreadable YAML)."""
    doc = load_yaml_file(path, quote=False, max_nodes=PROBLEM_MAX_NODES)
    return problem_from_document(doc, source=str(path))
