"""``grade gradescope [--root /autograder]``: the Gradescope autograder entry point.

Reads the student's YAML (or written solution) from ``<root>/submission/``, the problem from ``--problem`` or
``<root>/source/problem.yaml``, and ``<root>/submission_metadata.json`` (optional: users[].name/sid/email/id fill in
the student when the file names none, and the submitter's id, as in a batch the LMS's, decides the variant of a
randomized problem: ``grader.batch.identity.GradedAs``). Writes ``<root>/results/results.json``: one test per asked quantity
(``name``, ``number`` "1.1", "1.2", ..., ``score``, ``max_score``, ``status``, ``output`` = the field's message and
diagnosis, ``visibility``), the top-level ``score`` and ``output`` (the Markdown feedback report, ``output_format``
"md"). An unusable submission scores 0 with the error message as output. It never crashes: even an internal error
ends in a results.json that says so.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import stat
import sys
import unicodedata
from pathlib import Path

from grader.errors import GraderError, SpecError
from grader.fileio import read_capped, write_atomic
from grader.submission.kinds import listed as suffix_list, unread_noun
from grader.grade.result import GradeResult
from grader.submission.student import Student
from grader.batch.safezip import entry_limit

__all__ = ["main", "run_gradescope", "results_from_result", "find_submission"]

_SUFFIXES = (".yaml", ".yml")
_WRITEUPS = (".md", ".markdown", ".tex", ".ipynb", ".docx", ".odt")  # written solutions (a .txt is more often a note)
_METADATA_LIMIT = 4 * 1024 * 1024


def _metadata(root: Path) -> dict:
    try:
        data = json.loads(read_capped(root / "submission_metadata.json", _METADATA_LIMIT, "the metadata").decode("utf-8"))
    except (GraderError, ValueError, RecursionError):  # (unreadable, not JSON, nested too deeply: no metadata)
        return {}
    return data if isinstance(data, dict) else {}


def _metadata_users(meta: dict) -> list[dict]:
    users = meta.get("users")
    return [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []


def _user_id(user: dict) -> str | None:
    """A submitter's id: the course roster's Student ID (``sid``), else the email, else the Gradescope user id."""
    sid = user.get("sid") or user.get("email") or user.get("id")
    return str(sid) if sid is not None else None


def _metadata_student(meta: dict) -> Student | None:
    users = _metadata_users(meta)
    if not users:
        return None
    names = [str(u["name"]) for u in users if u.get("name")]
    return Student(id=_user_id(users[0]), name=", ".join(names) or None)


def _submitter(meta: dict, sid: str | None) -> Student | None:
    """The metadata's user whose id (``_user_id``) is ``sid``, as the student the report names."""
    for user in _metadata_users(meta):
        if sid is not None and _user_id(user) == sid:
            return Student(id=sid, name=str(user["name"]) if user.get("name") else None)
    return None


def find_submission(folder: Path) -> Path:
    """The one YAML file of the submission (searched recursively; hidden files and macOS metadata ignored; linked
    folders are not entered). A symbolic link, FIFO or device among them is refused, never followed or read:
    only regular files under the submission folder are read."""
    if not folder.is_dir():
        raise GraderError(
            "no submission folder", file=str(folder), hint="upload your answers as one .yaml file"
        )
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__MACOSX")
        for name in sorted(filenames):
            if name.lower().endswith(_SUFFIXES + _WRITEUPS) and not name.startswith("."):
                found.append(Path(dirpath) / name)
    yaml = [p for p in found if p.name.lower().endswith(_SUFFIXES)]
    found = yaml or found  # a written solution (.md, .tex, .ipynb, .docx, .odt) when there is no YAML file
    if not found:
        unread = next((k for _, _, names in os.walk(folder) for n in sorted(names) if (k := unread_noun(n))), None)
        raise GraderError(
            "your submission has no .yaml file (nor a written solution: .md, .markdown, .tex, .ipynb, .docx or .odt)"
            + (f"; {unread} is not read: only text is" if unread else ""),
            hint="upload your answers file (e.g. answers.yaml), written as `problem:`, `student:`, `answers:`, or "
                 f"your write-up's own file ({suffix_list(_WRITEUPS)})",
        )
    odd = [p for p in found if not _regular(p)]
    if odd:
        shown = odd[0].relative_to(folder).as_posix()
        raise GraderError(
            f"{_printable(shown)} is not an ordinary file (a link, a pipe or a device): it is not read",
            hint="upload your answers file itself",
        )
    if len(found) > 1:
        listed = ", ".join(_printable(p.relative_to(folder).as_posix()) for p in found)
        raise GraderError(
            f"your submission has {len(found)} {'.yaml files' if yaml else 'written solutions'} ({listed}); which one "
            "holds your answers is unclear",
            hint="submit exactly one .yaml file" if yaml else "submit exactly one written solution (or one .yaml file)",
        )
    return found[0]


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _printable(name: str) -> str:
    """A file name safe to show: control and bidi characters escaped, at most 80 characters."""
    out = "".join(c if c.isprintable() and not unicodedata.category(c) == "Cf" else f"\\u{ord(c):04x}" for c in name)
    return out if len(out) <= 80 else out[:77] + "..."


def _test_output(f) -> str:
    """The field's message, with how the answer was read and, for a write-up, the line it came from (as the
    reports show them), then the likely mistake."""
    text = f.message
    if f.read_as is not None:
        text += f"\n(read as {f.read_as})"
    if f.source:
        text += f"\nFrom {f.source}: {f.source_text}"
    if f.diagnosis is not None:
        text += f"\nLikely mistake ({f.diagnosis.id}): {f.diagnosis.text}"
    return text


def results_from_result(result: GradeResult) -> dict:
    from grader.report import render

    tests = [
        {
            "name": f.description or f.quantity,
            "number": f"1.{i}",
            "score": f.points,
            "max_score": f.max_points,
            "status": "passed" if f.verdict in ("correct", "carried") else "failed",
            "output": _test_output(f),
            "visibility": "visible",
        }
        for i, f in enumerate(result.fields, start=1)
    ]
    return {
        "score": result.score,
        "output": render(result, "markdown"),
        "output_format": "md",
        "test_output_format": "text",
        "visibility": "visible",
        "tests": tests,
    }


class SetupError(Exception):
    """The autograder's own problem cannot be used (not the student's file): results.json says so, exit code 2."""


def _unusable(message: str, *, student_fault: bool = True) -> dict:
    if student_fault:
        message = "**Your submission could not be graded.**\n\n" + message + "\n\nFix the file and submit again."
    return {
        "score": 0,
        "output": message,
        "output_format": "md",
        "visibility": "visible",
        "tests": [],
    }


def run_gradescope(root: Path, *, problem: str | None = None, reveal: str | None = None,
                   problems_dirs: tuple[Path, ...] | list[Path] = ()) -> dict:
    """The results.json content for the submission under ``root``. An unusable submission gives score 0 and the
    reason; an unusable problem raises :class:`SetupError` (``main`` writes its results, exit code 2)."""
    from grader.batch.identity import GradedAs
    from grader.grade.pipeline import Grader

    meta = _metadata(root)
    ref = problem
    if ref is None and (root / "source" / "problem.yaml").is_file():
        ref = str(root / "source" / "problem.yaml")
    sub_dir = root / "submission"
    path: Path | None = None
    try:
        path = find_submission(sub_dir)
        data = read_capped(path, entry_limit(path.name), "your file", follow_symlinks=False,
                           hint="answers are a few kilobytes; remove what does not belong in the file")
        grader = Grader(problem=ref, reveal=reveal, problems_dirs=problems_dirs)
        # Gradescope knows who submitted: a randomized problem's variant is theirs (docs/trust.md), for a YAML file
        # and a written solution alike, whatever student the file names
        graded = GradedAs(grader, [_user_id(u) for u in _metadata_users(meta)], "Gradescope")
        result = graded.grade(data, str(path))
        if graded.notes:
            result = dataclasses.replace(result, warnings=result.warnings + tuple(graded.notes))
    except SpecError as exc:  # a problem is only ever the instructor's (docs/trust.md), never the student's file
        raise SetupError(f"The autograder's problem is unusable: {exc}") from None
    except GraderError as exc:
        if ref is not None and exc.file is not None and exc.file == ref:  # the problem file's YAML, not theirs
            raise SetupError(f"The autograder's problem is unusable: {exc}") from None
        if path is not None and exc.file == str(path):
            exc.file = path.relative_to(sub_dir).as_posix()
        return _unusable(str(exc))
    shown = path.relative_to(sub_dir).as_posix()
    student = result.student
    if not (student.id or student.name):
        student = _metadata_student(meta) or student
    elif graded.notes:  # a randomized problem graded with the submitter's values: the report names the submitter
        student = _submitter(meta, graded.lms_id(student.id)) or student
    return results_from_result(dataclasses.replace(result, source=shown, student=student))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="grade gradescope", description="Gradescope autograder entry point.")
    ap.add_argument("--root", default="/autograder", help="the autograder folder (default /autograder)")
    ap.add_argument("--problem", help="the problem (id or path); default <root>/source/problem.yaml")
    ap.add_argument("--problems", action="append", default=[], metavar="DIR",
                    help="a folder of problems in which the id a submission names is looked up; may be repeated")
    ap.add_argument("--reveal", choices=["always", "after_due", "never"],
                    help="override the problem's policy on showing expected values")
    args = ap.parse_args(argv)
    root = Path(args.root)
    status = 0
    try:
        from grader.spec.find import instructor_dirs

        results = run_gradescope(root, problem=args.problem, reveal=args.reveal,
                                 problems_dirs=instructor_dirs(args.problems))
    except SetupError as exc:  # the autograder's problem is unusable: the instructor's to mend, exit 2 as for --problems
        results = _unusable(f"{exc}. This is not your fault; please tell your instructor.", student_fault=False)
        status = 2
    except GraderError as exc:  # the autograder's own setup (e.g. --problems) is unusable
        results = _unusable(f"The autograder is set up wrongly: {exc}. This is not your fault; please tell your "
                            "instructor.", student_fault=False)
        status = 2
    except Exception as exc:  # never crash: Gradescope shows results.json, so say what happened there
        results = _unusable(
            f"The autograder itself failed (internal error: {type(exc).__name__}: {exc}). This is not your fault; "
            "please tell your instructor.",
            student_fault=False,
        )
        status = 1
    write_atomic(root / "results" / "results.json", json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"score {results['score']:g} → {root / 'results' / 'results.json'}", file=sys.stderr)
    return status
