"""``grade variants PROBLEM --roster roster.csv --out DIR``: every student's variant of a randomized problem, written
as files (statement, template, variant record), and the class list (roster) it is made for.

How a variant is drawn is ``grader.spec.variant``; how it is checked against the ``randomize:`` constraints (and its
statement filled in) is ``grader.solve.variant``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError, SpecError
from grader.solve.variant import show, variant_problem
from grader.spec.problem import Problem
from grader.spec.variant import Variant


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


def written_message(problem_id: str, out: Path, written) -> str:
    """What ``grade variants`` says it wrote: every file, by the folder it is in (a class's list would be long)."""
    n = len(written)
    folders = (f"{out / written[0][2].name}/" if n == 1 else
               f"{out}/<folder>/ for each of the {n} students (the folders are listed in the index)")
    return (f"wrote {n} variant{'s' if n != 1 else ''} of {problem_id}: statement.md, template.yaml and variant.json "
            f"in {folders}; and the index {out / 'index.csv'}")


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
    print(written_message(problem.id, Path(args.out), written), file=sys.stderr)
    return 0
