"""Per-student variants of a randomized problem, and ``grade variants PROBLEM --roster roster.csv --out DIR``.

A problem with a ``randomize:`` section (``grader.spec.schema.RandomizeSpec``) gives every student their own given
values, drawn from the grids of that section:

* the seed is ``sha256("<problem id>:<student id>")``; attempt k draws each randomized value ``name`` as grid entry
  ``sha256("<seed>:<k>:<name>") mod len(grid)``, so a variant depends only on the problem id, the student id and
  the grids: regenerating gives the same values on any machine and Python version;
* attempts k = 0, 1, ... are tried in order until the variant meets every constraint (``no_saturation``: σ′ and
  tanh′ at least ``MIN_SLOPE`` at every neuron; ``min_change``: no asked quantity, and for an updated parameter no
  change p_new − p, would pass the tolerance as 0; ``nonzero``: no randomized value and no asked quantity is 0);
  none within ``attempts`` is an error naming the constraint that failed most.

The statement may name given values as ``{{w1}}``; a variant's statement has the student's values there.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from grader.errors import GraderError, SpecError
from grader.grade.tolerance import within
from grader.solve.exact import to_decimal_string
from grader.solve.solver import AnswerKey, solve
from grader.spec.problem import LEARNING_RATE, MOMENTUM, Example, Problem

MIN_SLOPE = 1e-3
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Variant:
    problem: Problem  # the student's problem: values substituted, statement filled, ``variant`` = student id
    student: str
    seed: str  # hex sha256 of "<problem id>:<student id>"
    attempt: int  # the first attempt that met every constraint
    values: dict[str, Fraction]  # the randomized given values


def seed_of(problem_id: str, student_id: str) -> str:
    return hashlib.sha256(f"{problem_id}:{student_id}".encode()).hexdigest()


def draw(seed: str, attempt: int, name: str, grid: list[Fraction]) -> Fraction:
    digest = hashlib.sha256(f"{seed}:{attempt}:{name}".encode()).digest()
    return grid[int.from_bytes(digest, "big") % len(grid)]


def with_values(problem: Problem, values: dict[str, Fraction]) -> Problem:
    """``problem`` with some given values replaced (names of ``Problem.given_values``)."""
    if not values:
        return problem
    examples = []
    for j, ex in enumerate(problem.examples, start=1):
        sfx = f"_x{j}" if problem.batched else ""
        inputs = {i: values.get(i + sfx, v) for i, v in ex.inputs.items()}
        targets = {o: values.get(problem.network.target_name(o) + sfx, v) for o, v in ex.targets.items()}
        examples.append(Example(inputs, targets))
    params = {p: values.get(p, v) for p, v in problem.params.items()}
    tr = problem.training
    training = dataclasses.replace(tr, learning_rate=values.get(LEARNING_RATE, tr.learning_rate),
                                   momentum=values.get(MOMENTUM, tr.momentum))
    return dataclasses.replace(problem, examples=tuple(examples), params=params, training=training)


def show(value: Fraction) -> str:
    return to_decimal_string(value, 25, trim=True)


def fill_statement(statement: str, given: dict[str, Fraction]) -> str:
    """Replace every ``{{name}}`` by the given value ``name``."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in given:
            raise SpecError(f"the statement names {{{{{name}}}}}, which is not a given value",
                            path="statement", hint=f"given values: {', '.join(given)}")
        return show(given[name])

    return PLACEHOLDER.sub(sub, statement)


def violations(key: AnswerKey) -> list[str]:
    """The constraints of ``key.problem.randomize`` that ``key`` breaks, as short reasons."""
    problem, rz = key.problem, key.problem.randomize
    out = []
    if rz.no_saturation:
        for name, node in key.graph.nodes.items():
            if node.kind != "activation" or node.neuron is None:
                continue
            kind, o = problem.network.activation_of(node.neuron).kind, key.floats[name]
            slope = o * (1 - o) if kind == "sigmoid" else 1 - o * o if kind == "tanh" else None
            if slope is not None and slope < MIN_SLOPE:
                out.append(f"no_saturation ({name})")
    for ask in problem.ask:
        q = ask.quantity
        on_change = key.node(q).kind == "new"
        true = key.change(q) if on_change else key.values[q]
        if rz.min_change and within(0.0, float(true), ask.tolerance):
            out.append(f"min_change ({q})")
        elif rz.nonzero and true == 0:
            out.append(f"nonzero ({q})")
    return out


def variant_problem(problem: Problem, student: str) -> Variant:
    """The variant of ``problem`` (which has ``randomize``) for ``student``; raises ``SpecError`` when no attempt
    meets the constraints."""
    rz = problem.randomize
    if rz is None:
        raise SpecError(f"problem {problem.id} is not randomized", hint="add a randomize: section")
    student = str(student).strip()
    seed = seed_of(problem.id, student)
    grids = {}
    for name, rng in rz.ranges.items():
        grid = [v for v in rng.values() if not (rz.nonzero and v == 0)]
        if not grid:
            raise SpecError(f"randomize: the grid of {name} has no value", hint="widen it")
        grids[name] = grid
    failed: Counter[str] = Counter()
    for attempt in range(rz.attempts):
        values = {name: draw(seed, attempt, name, grid) for name, grid in grids.items()}
        candidate = with_values(problem, values)
        try:
            key = solve(candidate)
        except GraderError as exc:  # e.g. log of 0: not a usable variant
            failed[f"solvable ({exc.message})"] += 1
            continue
        bad = violations(key)
        if not bad:
            statement = fill_statement(problem.statement, candidate.given_values())
            return Variant(dataclasses.replace(candidate, statement=statement, variant=student),
                           student, seed, attempt, values)
        failed.update(b.split(" ")[0] for b in bad[:1])
    worst = ", ".join(f"{k} ({n}x)" for k, n in failed.most_common(3))
    raise SpecError(f"problem {problem.id}: no variant for student {student!r} met the constraints in "
                    f"{rz.attempts} attempts; failed: {worst}",
                    file=problem.source, path="randomize", hint="widen the grids or relax the constraints")


# --- rosters -----------------------------------------------------------------------------------------------------------

ID_COLUMNS = ("id", "student_id", "student id", "sis user id", "identifier", "email address", "email", "username")
NAME_COLUMNS = ("name", "student", "full name", "student name")


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str | None


def _column(header: list[str], wanted: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in header]
    for w in wanted:
        if w in low:
            return low.index(w)
    return None


ROSTER_LIMIT = 16 * 1024 * 1024  # a class list of a hundred thousand students fits many times over


def read_roster(path: str | Path) -> list[RosterEntry]:
    """A class list: CSV with columns ``id,name`` (also Canvas ``Student,ID`` and Moodle ``Identifier``/``Email
    address``, ``Full name`` or ``First name`` + ``Last name``/``Surname``). Canvas's ``Points Possible`` row and
    blank ids are skipped; a repeated id is an error."""
    from grader.fileio import read_capped_text

    text = read_capped_text(path, ROSTER_LIMIT, "the roster")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise GraderError("the roster is empty", file=str(path), hint="a header row id,name then one row per student")
    header = rows[0]
    idc = _column(header, ID_COLUMNS)
    if idc is None:
        raise GraderError("the roster has no id column", file=str(path), line=1,
                          hint="name a column id (or Canvas ID, Moodle Identifier / Email address)")
    namec = _column(header, NAME_COLUMNS)
    first, last = _column(header, ("first name",)), _column(header, ("last name", "surname"))
    out: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        cell = lambda c: row[c].strip() if c is not None and c < len(row) else ""  # noqa: E731
        if any("points possible" in c.lower() for c in row[:2]):
            continue
        sid = cell(idc)
        if not sid:
            continue
        if sid in seen:
            raise GraderError(f"student id {sid!r} appears twice (lines {seen[sid]} and {line})", file=str(path), line=line)
        seen[sid] = line
        name = cell(namec) or " ".join(x for x in (cell(first), cell(last)) if x) or None
        out.append(RosterEntry(sid, name))
    return out


def safe_dirname(student_id: str) -> str:
    """A folder name for a student id: letters, digits and ``.@_-`` kept, anything else ``_``."""
    name = re.sub(r"[^A-Za-z0-9.@_-]", "_", student_id).strip(".")
    return name or "_"


# --- output ------------------------------------------------------------------------------------------------------------


def statement_markdown(v: Variant, name: str | None) -> str:
    p = v.problem
    rows = [f"| `{g}` | {show(x)} |" for g, x in p.given_values().items()]
    who = f"{name} ({v.student})" if name else v.student
    lines = [f"# {p.title}", "", f"*Your own values, student {who}.*", "", p.statement.strip(), "",
             "## Your given values", "", "| name | value |", "|---|---|", *rows, "",
             "Answer in `template.yaml` (keep `student.id` as it is: it decides your values)."]
    return "\n".join(lines) + "\n"


def variant_json(v: Variant, name: str | None) -> str:
    data = {
        "problem": v.problem.id,
        "student": {"id": v.student, "name": name},
        "seed": v.seed,
        "attempt": v.attempt,
        "randomized": sorted(v.values),
        "values": {g: show(x) for g, x in v.problem.given_values().items()},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_variants(problem: Problem, roster: list[RosterEntry], out: Path, *, problem_ref: str | None = None
                   ) -> list[tuple[RosterEntry, Variant, Path]]:
    """Write ``out/<id>/statement.md``, ``template.yaml`` and ``variant.json`` for every student, and
    ``out/index.csv``; ``problem_ref`` is what each template's ``problem:`` says (default: the problem id)."""
    from grader.author.template import problem_template
    from grader.fileio import write_atomic

    written, dirs = [], {}
    for entry in roster:
        d = safe_dirname(entry.id)
        if d in dirs:
            raise GraderError(f"students {dirs[d]!r} and {entry.id!r} would share the folder {d}",
                              hint="make the ids differ in letters or digits")
        dirs[d] = entry.id
        v = variant_problem(problem, entry.id)
        folder = out / d
        write_atomic(folder / "statement.md", statement_markdown(v, entry.name))
        write_atomic(folder / "template.yaml", problem_template(v.problem, student_id=entry.id, student_name=entry.name,
                                                                  problem_ref=problem_ref))
        write_atomic(folder / "variant.json", variant_json(v, entry.name))
        written.append((entry, v, folder))
    index = io.StringIO()
    w = csv.writer(index, lineterminator="\n")
    w.writerow(["id", "name", "folder", "attempt"])
    for entry, v, folder in written:
        w.writerow([entry.id, entry.name or "", folder.name, v.attempt])
    write_atomic(out / "index.csv", index.getvalue())
    return written


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="grade variants",
                                 description="Write every student's variant of a randomized problem.")
    ap.add_argument("problem", metavar="PROBLEM", help="a problem id or path; the problem needs a randomize: section")
    ap.add_argument("--roster", required=True, metavar="CSV", help="class list: id,name (Canvas and Moodle exports work)")
    ap.add_argument("--out", required=True, metavar="DIR", help="writes DIR/<id>/statement.md, template.yaml, variant.json")
    args = ap.parse_args(argv)
    from grader.spec.load import find_problem, load_problem

    problem = load_problem(find_problem(args.problem))
    if problem.randomize is None:
        raise SpecError(f"problem {problem.id} has no randomize: section", file=problem.source,
                        hint="every student would get the same values; use `grade template` instead")
    roster = read_roster(args.roster)
    from grader.author.common import submission_ref

    written = write_variants(problem, roster, Path(args.out), problem_ref=submission_ref(args.problem, problem.id))
    print(f"wrote {len(written)} variant(s) of {problem.id} to {args.out} (index: {Path(args.out) / 'index.csv'})",
          file=sys.stderr)
    return 0
