"""The README's table of the spellings the name resolver (``grader.spec.notation``) accepts, made from the resolver's
own tables so that the two cannot drift apart (``tests/test_notation.py`` checks the README has it)."""

from __future__ import annotations

from collections.abc import Iterable

from grader.spec.notation import BASE, BUILTIN_ALIASES, KINDS

__all__ = ["STRUCTURAL_ROWS", "spelling_table"]

# Spellings that come from a problem's structure (``Resolver.for_problem``), shown in the README with the names of
# ``problems/exercise6.yaml`` (nets declared z1..z4) and, for the suffix row, of a two-step batch problem.
STRUCTURAL_ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("activation of a neuron", "h1", ("out_h1", "out_{h1}", "H_1")),
    ("net input with a declared name (`z1`)", "z1", ("net_h1", "net_{h1}", "z_1")),
    ("target of an output", "t1", ("target_o1", "target_{o1}", "t_1", "T1")),
    ("the k-th output, the prediction ŷ (alone: a network's only output)", "o1",
     ("\\hat{y}_1", "ŷ_1", "yhat_1", "y_hat_1")),
    ("delta (with the default delta convention, dE/dnet)", "delta_o1",
     ("dE/dnet_o1", "∂E/∂z3", "\\frac{\\partial E}{\\partial net_{o1}}", "\\frac{\\partial E_{total}}{\\partial z_3}")),
    ("dE/d(activation) of a neuron", "dE_dout_o1",
     ("dE/dout_o1", "∂E_total/∂out_{o1}", "dE/do1", "\\frac{\\partial E_{total}}{\\partial out_{o1}}")),
    ("d(activation)/d(net input) of a neuron", "dout_dnet_o1",
     ("dout_o1/dnet_o1", "∂out_{o1}/∂net_{o1}", "∂o1/∂z3", "\\frac{\\partial out_{o1}}{\\partial net_{o1}}")),
    ("step k > 1, example j of a batch", "w5_new_s2", ("w5'_s2", "w5_new_step2", "w_5^{+}_{s2}")),
    ("", "delta_o1_x2", ("δ_o1_x2", "delta_o1_ex2", "\\delta_{o_1}_{x2}")),
)
_BUILTIN_WHAT = {"eta": "learning rate", "mu": "momentum", "E": "total loss"}


def _cells(spellings: Iterable[str]) -> str:
    return ", ".join(f"`{s}`" for s in spellings)


def spelling_table() -> str:
    """The README's table of accepted spellings (kept equal to the code by a test)."""
    rows = ["| quantity | name | also accepted (`@` stands for the base name: `w5`, `o1`, `h2_3`) |",
            "| --- | --- | --- |",
            "| any name | `w5`, `h2_3` | any letter case (`W5`), subscripts `w_5`, `w_{5}`, `h_{2,3}`, inside `$...$` |"]
    for k in KINDS[1:]:
        rows.append(f"| {k.what} | `{k.make.format(BASE)}` | {_cells(k.spellings[1:])} |")
    for target, words in BUILTIN_ALIASES.items():
        rows.append(f"| {_BUILTIN_WHAT[target]} | `{target}` | {_cells(words)} |")
    for what, name, sps in STRUCTURAL_ROWS:
        rows.append(f"| {what} | `{name}` | {_cells(sps)} |")
    return "\n".join(rows) + "\n"
