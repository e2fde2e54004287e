"""ŷ, the prediction, names the network's output: ``\\hat{y}_k`` (``ŷ_k``, ``yhat_k``, ``y_hat_k``) the k-th output in
the order of the output layer, ``\\hat{y}`` alone the only output of a network of one. Before, each was "not a
quantity of this problem". ``y`` alone stays unread: the target in some books, the output in others
(``../shared/notes/notation.md``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade.pipeline import Grader
from grader.spec.load import load_problem
from grader.spec.notation import Resolver
from tests.ex6_textbook import O1, O2

REPO = Path(__file__).resolve().parent.parent


def resolve(problem: str, text: str) -> str | None:
    return Resolver.for_problem(load_problem(REPO / "problems" / f"{problem}.yaml")).resolve(text).name


@pytest.mark.parametrize("text, name", [(r"\hat{y}_1", "o1"), (r"\hat{y}_{2}", "o2"), ("ŷ_2", "o2"), ("yhat_1", "o1"),
                                        ("y_hat_2", "o2"), (r"\hat{y}", None), ("y_1", None), (r"\hat{y}_3", None)])
def test_the_prediction_names_the_kth_output(text, name):
    assert resolve("exercise6", text) == name


def test_a_network_of_one_output_reads_yhat_alone():
    assert resolve("power_221", r"\hat{y}") == "o1" and resolve("han_kamber_321", "ŷ") == "O6"
    assert resolve("softmax_ce", r"\hat{y}_3") == "o3" and resolve("softmax_ce", r"\hat{y}") is None


def test_a_write_up_in_it_is_graded(tmp_path):
    path = tmp_path / "work.md"
    path.write_text(f"# Exercise 6\n\n$\\hat{{y}}_1 = {O1!r}$\n\nŷ2 = {O2:.8f}\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("o1").verdict == "correct" and result.field("o2").verdict == "correct"
