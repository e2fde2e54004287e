"""The ``grade`` command. Thin: parse arguments, call the core, render, map errors to messages and exit codes.

    grade SUBMISSION.yaml [more.yaml ...] [--format text|json|markdown|html] [--out FILE] [--problem P]
          [--problems DIR] [--reveal R]
    grade solve PROBLEM [--format text|json|markdown]
    grade check PROBLEM
    grade <command> ...      batch, gradescope, gradescope-package, template, key, variants, schema

Exit codes: 0 graded or done (whatever the score), 2 unusable input (the message names file, line and what would be
right), 1 an internal error (a bug: the message says so; never a traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from grader.errors import GraderError

# Commands that live in their own modules, each with ``main(argv: list[str]) -> int``.
MODULE_COMMANDS = {
    "batch": "grader.batch.command",
    "gradescope": "grader.batch.gradescope",
    "gradescope-package": "grader.batch.gradescope_package",
    "template": "grader.author.template",
    "key": "grader.author.key",
    "variants": "grader.author.variants",
    "schema": "grader.author.schema",
    "practice": "grader.author.practice",
}
EXIT_OK, EXIT_INTERNAL, EXIT_UNUSABLE = 0, 1, 2
COMMANDS_HELP = """other commands (each with its own --help):
  grade solve PROBLEM              the worked solution (--format text|json|markdown)
  grade check PROBLEM              validate a problem; warn where it is badly posed
  grade batch INPUT --out DIR      grade a folder or an LMS zip: gradebooks, feedback, summary
  grade gradescope                 run inside Gradescope's autograder
  grade gradescope-package PROBLEM --out autograder.zip
  grade template PROBLEM           a blank submission for students
  grade key PROBLEM                the answer key (--format markdown|html|latex)
  grade variants PROBLEM --roster R --out DIR   per-student variants of a randomized problem
  grade schema [--out DIR]         JSON Schemas for problem and submission files
  grade practice PROBLEM --out page.html   a self-contained practice page with feedback as you type

exit codes: 0 graded (whatever the score), 2 unusable input, 1 a bug in the grader"""


def _error(exc: GraderError) -> None:
    from grader.numfmt import printable  # a message may quote what a student wrote: one line, no control codes

    print(f"error: {printable(str(exc))}", file=sys.stderr)


def _write(text: str, out: str | None) -> None:
    if out:
        from grader.fileio import write_atomic

        path = Path(out)
        if path.is_dir():
            raise GraderError(f"--out {out} is a folder", hint="give a file name, e.g. --out report.html")
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise GraderError(f"cannot write --out {out}: {exc.strerror or exc}", hint="check the folder exists and is writable") from None
        print(f"wrote {out} ({len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size().columns`` finds it (``COLUMNS``, the terminal, 80)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns


def _help_formatter():
    """argparse's help formatter, given the width it would find: argparse imports shutil (and bz2, lzma) for it when
    every argument is added, milliseconds of every ``grade`` start."""
    import argparse

    class HelpFormatter(argparse.RawDescriptionHelpFormatter):
        def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
            super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)

    return HelpFormatter


class _GradeArgs:
    """The grade command's options at their defaults, for ``files``: what argparse reads from a plain list of files."""

    def __init__(self, files: list[str]) -> None:
        self.files, self.format, self.out, self.problem, self.problems, self.reveal = files, "text", None, None, [], None


def grade_arguments(argv: list[str]):
    """The grade command's arguments. A plain list of files (no argument starting with ``-``, so no option, no
    ``--help``) is read here as argparse would read it, every option at its default: building the parser (argparse,
    gettext's look-ups for its messages, locale) costs milliseconds of every ``grade one.yaml``. Anything else goes
    to argparse (``tests/test_plan_lean.py`` checks that both read a plain list alike)."""
    if argv and not any(a.startswith("-") for a in argv):
        return _GradeArgs(list(argv))
    import argparse

    ap = argparse.ArgumentParser(
        prog="grade",
        description="Grade backprop homework submissions: YAML answers, or written solutions\n(.md, .tex, .txt, "
                    ".ipynb, .docx, .odt) with --problem.",
        epilog=COMMANDS_HELP,
        formatter_class=_help_formatter(),
    )
    ap.add_argument("--version", "-V", action="version", version="grade (backprop-grader) " + _grader_version())
    ap.add_argument("files", nargs="+", metavar="SUBMISSION", help="a submission.yaml, or a write-up with --problem")
    ap.add_argument("--format", choices=["text", "json", "markdown", "html"], default="text")
    ap.add_argument("--out", help="write the report to this file instead of standard output")
    ap.add_argument("--problem", help="grade against this problem (id or path) whatever the files say")
    ap.add_argument("--problems", action="append", default=[], metavar="DIR",
                    help="a folder of problems in which the ids the files name are looked up (before ./problems and "
                    "the bundled problems); may be repeated")
    ap.add_argument("--reveal", choices=["always", "after_due", "never"], help="override the problem's reveal policy")
    return ap.parse_args(argv)


def _colour() -> bool:
    """Colour only on a terminal that can show it: not with ``NO_COLOR`` set, not for ``TERM=dumb``."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _grader_version() -> str:
    from grader import __version__

    return __version__


def cmd_grade(argv: list[str]) -> int:
    args = grade_arguments(argv)

    from grader.grade.pipeline import Grader
    from grader.report import render
    from grader.spec.find import instructor_dirs

    grader = Grader(problem=args.problem, reveal=args.reveal, problems_dirs=instructor_dirs(args.problems))
    outputs, objects, status = [], [], EXIT_OK
    for f in args.files:
        try:
            result = grader.grade_text(_read_submission(f), f)
        except GraderError as exc:
            _error(exc.located(file=f))
            objects.append({"file": f, "error": exc.to_dict()})
            status = EXIT_UNUSABLE
            continue
        if args.format == "json":
            objects.append(result.to_dict())
        else:
            outputs.append(render(result, args.format, colour=_colour() and not args.out))
    if args.format == "json":
        import json

        if len(args.files) == 1 and objects and "error" not in objects[0]:
            text = json.dumps(objects[0], indent=2, ensure_ascii=False) + "\n"
        elif objects:
            text = json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
        else:
            text = ""
    else:
        text = "\n".join(outputs)
    if text:
        _write(text, args.out)
    return status


def _read_submission(path: str) -> bytes:
    """A student's file as ``grade FILE`` reads it: the file itself, never through a symbolic link (a link to
    ``/etc/shadow`` would have its lines quoted back in the messages), capped as the YAML and write-up readers cap
    it; graded from these bytes as the batch grades the bytes it read (``Grader.grade_text``)."""
    from grader.fileio import read_capped
    from grader.grade.pipeline import WRITEUP_SUFFIXES

    from grader.submission.kinds import unread_kind

    unread = unread_kind(str(path))
    if unread is not None:
        raise GraderError(f"this file is not graded: {unread}", file=str(path),
                          hint="grade the YAML answers (grade template PROBLEM makes a blank file) or the write-up "
                               "itself, with --problem")

    if Path(path).suffix.lower() in WRITEUP_SUFFIXES:
        from grader.submission.kinds import writeup_limit

        return read_capped(path, writeup_limit(str(path)), "the write-up", follow_symlinks=False,
                           hint="leave images out of the file; a write-up is text")
    from grader.yamlio import DEFAULT_MAX_BYTES

    return read_capped(path, DEFAULT_MAX_BYTES, "file", follow_symlinks=False,
                       hint="remove what does not belong in it; answers and problem specs are a few kilobytes")


def _load_key(ref: str):
    from grader.solve.solver import solve
    from grader.spec.load import find_problem, load_problem

    return solve(load_problem(find_problem(ref)))


def _homework_set(ref: str):
    """The homework set ``ref`` names, or None when it is a single problem."""
    from grader.grade.pipeline import Grader
    from grader.spec.load import find_problem

    return Grader().set_at(find_problem(ref))


def cmd_solve(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="grade solve", description="Print the worked solution of a problem.")
    ap.add_argument("problem", metavar="PROBLEM.yaml")
    ap.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    from grader.report import solution

    if _homework_set(args.problem) is not None:  # a whole homework: its answer key, question by question
        from grader.author.key import key_document, render_markdown

        doc = key_document(args.problem)
        import json

        text = json.dumps(doc.exact, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else render_markdown(doc)
        _write(text, args.out)
        return EXIT_OK
    key = _load_key(args.problem)
    render = {"text": solution.solution_text, "json": solution.solution_json, "markdown": solution.solution_markdown}
    _write(render[args.format](key), args.out)
    return EXIT_OK


def cmd_check(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="grade check", description="Validate a problem and warn where it is badly posed.")
    ap.add_argument("problem", metavar="PROBLEM.yaml")
    args = ap.parse_args(argv)
    from grader.solve.wellposed import warnings

    hw = _homework_set(args.problem)
    if hw is not None:
        from grader.author.setcheck import check_lines

        print("\n".join(check_lines(hw)))
        return EXIT_OK
    key = _load_key(args.problem)
    p = key.problem
    net = p.network
    shape = "-".join(str(n) for n in [len(net.inputs)] + [len(layer.neurons) for layer in net.layers])
    acts = ", ".join(layer.activation.formula.text if layer.activation.kind == "formula" else layer.activation.kind
                     for layer in net.layers)
    lines = [
        f"{args.problem}: valid",
        f"  {p.id}: {p.title}",
        f"  network {shape} ({acts}); loss {p.loss_formula.text if p.loss_formula else p.loss}; {len(p.examples)} example(s), batch {p.training.batch}; "
        f"{p.training.steps} step(s), learning rate {p.training.learning_rate}; "
        + ("no biases" if not net.biases else f"biases {'updated' if p.training.update_biases else 'frozen'}")
        + (f"; momentum {p.training.momentum}" if p.training.momentum is not None else ""),
        f"  asks {len(p.ask)} quantities, {sum(a.points for a in p.ask):g} points: " + ", ".join(a.quantity for a in p.ask),
        f"  tolerance: {p.default_tolerance.describe()}; carried-error credit {p.carried_credit:g}; reveal {p.reveal}",
    ]
    found = warnings(key)
    lines += [f"warning: {w}" for w in found] or ["  no warnings"]
    print("\n".join(lines))
    return EXIT_OK


BUILTIN = {"solve": cmd_solve, "check": cmd_check}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-V"]):
        from grader import __version__

        print(f"grade (backprop-grader) {__version__}")
        return EXIT_OK
    try:
        if argv and argv[0] in BUILTIN and not Path(argv[0]).is_file():
            return BUILTIN[argv[0]](argv[1:])
        if argv and argv[0] in MODULE_COMMANDS and not Path(argv[0]).is_file():
            return importlib.import_module(MODULE_COMMANDS[argv[0]]).main(argv[1:])
        return cmd_grade(argv)
    except GraderError as exc:
        _error(exc)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except SystemExit as exc:  # argparse: usage errors are unusable input
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    except Exception as exc:  # a bug: say so plainly, never a traceback
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in backprop-grader, not in your file. Please report it with the file that caused it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
