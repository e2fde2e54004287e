"""Homework sets as documents: the YAML surface (pydantic models) of a set file.

A set file has ``id``, ``title``, optional ``statement``, ``tolerance`` (the default rule of its numeric
questions), ``reveal``/``due``, and ``questions:``, a list; every question has an ``id`` (``ex6``), optional
``points``, ``title`` and ``prompt`` (Markdown), and a ``kind``:

* ``backprop``: ``problem: exercise6`` (found like a submission's ``problem:``, next to the set file first) or an
  inline problem spec under ``spec:``; its fields keep their relative points, scaled to the question's ``points``
  (default: the problem's own total). A randomized problem gives every student their variant.
* ``loss``, ``init``, ``activation``, ``pruning``: exact keys from ``grader.solve.questions``; ``ask`` lists the
  quantities (default: the kind's usual ones) as names or ``{name: weight}``; the question's ``points`` (default:
  one per quantity) are shared in proportion to the weights.
* ``free_text``: an explanation graded by hand: ``rubric`` (a list of ``{points, text}``; the question is worth
  their sum). It is graded ``pending`` (0 points) until an instructor's scores are merged
  (``grader.grade.manual.merge_manual_scores``).

Submissions answer with keys prefixed by the question id, ``ex6.z1: -11.65``, ``ex2_loss.E_mse: 0.1``,
``ex5_prune.survivors: [w1, w4]``, and a free-text answer under the bare question id (``ex1: |`` then the text).
The nested form ``answers: {ex6: {z1: -11.65}}`` is read the same way. The result is one ``GradeResult`` whose
fields are named ``<question>.<quantity>`` (a free-text field is named by its question id).

This module is the document only: validated, no key computed. ``grader.solve.homework`` compiles it into a
``HomeworkSet`` with every key; grading is ``grader.grade.setgrade``, scores given by hand ``grader.grade.manual``,
the template, key and check summary ``grader.author.template``, ``grader.author.key`` and ``grader.author.setcheck``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from grader.spec.schema import (ActivationField, AskItemField, Exact, IsoDate, NetworkSpec, ProblemSpec, Strict,
                                ToleranceSpec)

QuestionId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$", description="e.g. ex6")]


# --- the YAML surface --------------------------------------------------------------------------------------------------


class RubricItem(Strict):
    points: float = Field(gt=0, description="points for this criterion")
    text: str = Field(description="what earns them")


class QuestionBase(Strict):
    id: QuestionId
    title: str = Field("", description="one line")
    prompt: str = Field("", description="the question, Markdown")
    points: float | None = Field(None, gt=0, description="the question's total (defaults: see the kind)")
    tolerance: ToleranceSpec | None = Field(None, description="overrides the set's rule for this question")


class BackpropQuestion(QuestionBase):
    kind: Literal["backprop"]
    problem: str | None = Field(None, description="a problem id or path (found next to the set file first)")
    spec: ProblemSpec | None = Field(None, description="or the problem inline")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.problem is None) == (self.spec is None):
            raise ValueError("a backprop question needs either `problem: <id>` or an inline `spec:`, not both")
        return self


class LossQuestion(QuestionBase):
    kind: Literal["loss"]
    predictions: list[Exact] = Field(min_length=1, max_length=64, description="predictions p_i")
    targets: list[Exact] = Field(min_length=1, max_length=64, description="targets t_i")
    ask: list[AskItemField] | None = Field(None, description="default: E_mse, E_bce")


class InitQuestion(QuestionBase):
    kind: Literal["init"]
    fan_in: int = Field(ge=1, le=10**9)
    fan_out: int = Field(ge=1, le=10**9)
    ask: list[AskItemField] | None = Field(None, description="default: xavier_/he_ var, std, limit")


class ActivationQuestion(QuestionBase):
    kind: Literal["activation"]
    at: list[Exact] = Field(min_length=1, max_length=32, description="the points x_1, x_2, ...")
    functions: list[ActivationField] = Field(min_length=1, description="sigmoid, tanh, relu, leaky_relu")
    derivatives: bool = Field(True, description="ask f'(x) too")
    ask: list[AskItemField] | None = Field(None, description="default: every function (and derivative) at every point")


class PruningQuestion(QuestionBase):
    kind: Literal["pruning"]
    network: NetworkSpec
    given: dict[str, Exact] = Field(description="inputs, and in the explicit form every weight and bias")
    sparsity: Exact = Field(description="share of the weights removed, e.g. 0.5")
    scope: Literal["global", "layer"] = Field("global", description="rank all weights together or per layer")
    ask: list[AskItemField] | None = Field(None, description="default: survivors and every output")


class FreeTextQuestion(QuestionBase):
    kind: Literal["free_text"]
    rubric: list[RubricItem] = Field(min_length=1, description="the criteria; the question is worth their sum")


Question = Annotated[
    Union[BackpropQuestion, LossQuestion, InitQuestion, ActivationQuestion, PruningQuestion, FreeTextQuestion],
    Field(discriminator="kind"),
]


class HomeworkSpec(Strict):
    """A homework set: several questions of different kinds, graded into one result."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    title: str
    statement: str = Field("", description="Markdown shown to students")
    tolerance: ToleranceSpec | None = Field(None, description="default rule of the numeric questions")
    reveal: Literal["always", "after_due", "never"] = "always"
    due: IsoDate | None = None
    questions: list[Question] = Field(min_length=1, max_length=100)



def is_set_data(data: Any) -> bool:
    return isinstance(data, dict) and "questions" in data

