"""Shared helpers of the authoring commands: loading a problem (or a student's variant of it), describing quantities
in words for students, and writing output."""

from __future__ import annotations

import sys
from pathlib import Path

from grader.solve.graph import Graph, Node
from grader.spec.problem import Problem

NUMBER_FORMATS = """\
# Accepted answers (one per quantity, after the colon):
#   a decimal            -0.000269051      0.35       a decimal comma works too: 0,35
#   scientific notation  -2.69051e-4       1.2x10^-5  2.69·10⁻⁴
#   a fraction           7/20
#   an expression        1/(1+exp(11.65))  sigmoid(-11.65)  (functions: exp, ln/log, sqrt, sigmoid/σ, tanh)
# Keep full precision: answers are compared with a tolerance, so do not round intermediate results early.
# To show the numbers you plugged in (so a slip earlier in your work is not counted again here), write
#   delta_o1: {value: -0.000269, using: {o1: 0.9997, t1: 0.9}}
# Leave a quantity empty if you do not answer it; it is graded as missing. Quote a value that contains ': '.
"""


def points_label(points: float) -> str:
    """``[1 pt]``, ``[2.5 pts]``."""
    return f"[{points:g} pt{'' if points == 1 else 's'}]"


def submission_ref(ref: str, problem_id: str) -> str:
    """What a submission's ``problem:`` should say for the problem the author named ``ref``: a plain id
    (``exercise6``, ``seed_homework``), since a submission may only claim an id (``grader.spec.find``): ``ref``
    itself when it is one; for a file path, its name without the extension when that is an id (what
    ``--problems DIR`` finds), else the problem's id."""
    from grader.spec.find import is_problem_id

    path = Path(ref)
    if not path.is_file():
        return ref.removesuffix(".yaml").removesuffix(".yml")
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    return stem if is_problem_id(stem) else problem_id


def load_problem_ref(ref: str, student: str | None = None) -> Problem:
    """The problem named by ``ref`` (an id or a path); for a randomized problem and a ``student`` id, that
    student's variant."""
    from grader.spec.load import find_problem, load_problem

    problem = load_problem(find_problem(ref))
    if student is not None and getattr(problem, "randomize", None) is not None:
        from grader.solve.variant import variant_problem

        problem = variant_problem(problem, student).problem
    return problem


def write_output(text: str, out: str | None) -> None:
    """Write ``text`` to ``out`` atomically, or to standard output."""
    if out:
        from grader.fileio import write_atomic

        write_atomic(Path(out), text)
        print(f"wrote {out} ({len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _suffix_words(problem: Problem, node: Node) -> str:
    parts = []
    if problem.training.steps > 1:
        parts.append(f"step {node.step}")
    if node.example is not None:
        parts.append(f"example {node.example}")
    return f" ({', '.join(parts)})" if parts else ""


def describe_quantity(problem: Problem, graph: Graph, name: str) -> str:
    """What a quantity is, in words a student reads in a template: ``delta_o1 = ∂E/∂z3, the delta of o1``."""
    from grader.solve.expr import to_text

    node = graph.nodes[name]
    net = problem.network
    where = _suffix_words(problem, node)
    if node.kind == "net":
        return f"{name} = net input of {node.neuron}{where}"
    if node.kind == "activation":
        kind = net.activation_of(node.neuron).kind
        formula = "softmax of the output nets" if kind == "softmax" else to_text(node.expr)
        return f"{name} = output of {node.neuron} = {formula}{where}"
    if node.kind == "loss":
        if node.neuron is not None:
            return f"{name} = loss at output {node.neuron}{where}"
        if node.example is None and problem.batched:
            return f"{name} = loss of the batch ({problem.training.batch} over its examples)" + (
                f" (step {node.step})" if problem.training.steps > 1 else "")
        return f"{name} = total loss{where}"
    if node.kind == "delta":
        sfx = name[len(f"delta_{node.neuron}"):]
        if problem.delta_convention == "minus_dE_dnet":
            return (f"{name} = −∂E/∂{net.neurons[node.neuron].net}{sfx}, the error term (delta) of {node.neuron}"
                    f"{where}")
        return f"{name} = ∂E/∂{net.neurons[node.neuron].net}{sfx}, the delta of {node.neuron}{where}"
    if node.kind == "dE_dout":
        sfx = name[len(f"dE_dout_{node.neuron}"):]
        return f"{name} = ∂E/∂{node.neuron}{sfx}, the loss's derivative by the output (activation) of {node.neuron}{where}"
    if node.kind == "dout_dnet":
        sfx = name[len(f"dout_dnet_{node.neuron}"):]
        return (f"{name} = ∂{node.neuron}{sfx}/∂{net.neurons[node.neuron].net}{sfx}, the derivative of "
                f"{node.neuron}'s activation at its net input{where}")
    if node.kind == "grad":
        if node.example is None and problem.batched:
            return f"{name} = ∂E/∂{node.param} over the batch ({problem.training.batch} of the examples' gradients)" + (
                f" (step {node.step})" if problem.training.steps > 1 else "")
        return f"{name} = ∂E/∂{node.param}{where}"
    if node.kind == "velocity":
        return f"{name} = momentum velocity of {node.param}{where}"
    if node.kind == "new":
        after = "after the update" if problem.training.steps == 1 else f"after step {node.step}"
        return f"{name} = {node.param} {after}"
    return name
