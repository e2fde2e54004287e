"""The submission file: which problem, who, and the answers.

Format::

    problem: exercise6            # a problem id, looked up in the instructor's places (never a path: docs/trust.md)
    student: {id: "400222100", name: Reza Mosavi}     # optional
    answers:
      z1: -11.65
      h1: "1/(1+exp(11.65))"
      delta_o1:
        value: -0.000269051
        using: {o1: 0.0003, t1: 0.9}    # the values the student plugged in

Numbers are kept as written (``1.0`` stays ``"1.0"``) and read by :func:`grader.parse.answer.parse_answer`. An
answer that cannot be read is not an error here: it is kept as ``Unparseable`` and graded "unparseable". Names are
kept as written too (``w5'``, ``\\delta_{o1}``, ``dE/dw5``); :func:`resolve_names` maps them to the problem's names
once the problem is known (``grader.spec.notation``), and a name that does not resolve costs only its own answer.
"""

from __future__ import annotations

import os
from decimal import Decimal

from grader.errors import GraderError, LimitError, SubmissionError
from grader.parse.answer import Parsed, Unparseable, parse_answer, parse_answer_text
from grader.record import Record, replace
from grader.spec.notation import Resolution, Resolver
from grader.submission.student import Student
from grader.yamlio import Document, format_path, load_yaml_file, minus_space_hint, shown_key

TYPE_CHECKING = False  # typing costs milliseconds at start-up: only a type checker imports it
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DEFAULT_MAX_ANSWERS", "Value", "Answer", "Submission", "NameIssue", "load_submission",
           "submission_from_document", "resolve_names", "shown_name"]

DEFAULT_MAX_ANSWERS = 500

TOP_KEYS = ("problem", "student", "answers")
STUDENT_KEYS = ("id", "name")
ANSWER_KEYS = ("value", "using")


class Value(Record):
    text: str | None  # verbatim text as written; None when absent
    parsed: Parsed | Unparseable | None  # None when no value was written
    line: int | None

    def __init__(self, text: str | None, parsed: Parsed | Unparseable | None, line: int | None) -> None:
        d = self.__dict__  # (item by item: a third faster than ``update`` with keywords, and a file holds hundreds)
        d["text"], d["parsed"], d["line"] = text, parsed, line


class Answer(Record):
    quantity: str
    value: Value
    using: dict[str, Value]  # name -> value the student plugged in (insertion order kept)
    line: int | None  # line of the answer's key

    def __init__(self, quantity: str, value: Value, using: dict[str, Value], line: int | None) -> None:
        d = self.__dict__  # (as ``Value``'s)
        d["quantity"], d["value"], d["using"], d["line"] = quantity, value, using, line


class Submission(Record):
    problem: str
    student: Student
    answers: dict[str, Answer]  # insertion order kept
    source: str
    document: Document  # for line look-ups later
    # Written solutions (grader.submission.writeup): further values written for a quantity (a given restated, a
    # quantity written twice) as (quantity, value, where), and what the reader noted (grader.submission.notes).
    stated: tuple = ()
    writeup: object | None = None

    def __init__(
        self, problem: str, student: Student, answers: dict[str, Answer], source: str, document: Document,
        stated: tuple = (), writeup: object | None = None,
    ) -> None:
        self.__dict__.update(
            problem=problem, student=student, answers=answers, source=source, document=document, stated=stated,
            writeup=writeup,
        )


def read_submission_file(path: str | os.PathLike) -> Document:
    """Read a submission file's YAML (the file itself, never through a symbolic link). Raises
    :class:`SubmissionError` or :class:`LimitError`."""
    try:
        return load_yaml_file(path, follow_symlinks=False)
    except (LimitError, SubmissionError):
        raise
    except GraderError as e:
        raise SubmissionError(e.message, file=e.file, line=e.line, path=e.path, hint=e.hint) from e


def load_submission(path: str | os.PathLike) -> Submission:
    """Read and validate a submission file. Raises :class:`SubmissionError` or :class:`LimitError`."""
    return submission_from_document(read_submission_file(path))


def submission_from_document(doc: Document) -> Submission:
    """Validate a read YAML document as a submission."""
    return _Reader(doc).submission()


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, str):
        return "text"
    return "a number"


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    import difflib  # only for a misspelt key

    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


class _Reader:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.source = doc.source
        self.lines = doc.lines
        self.texts = doc.texts

    def error(self, message: str, path: tuple, hint: str, cls: type[GraderError] = SubmissionError) -> GraderError:
        return cls(
            message,
            file=self.source,
            line=self.doc.line_of(path),
            path=format_path(path) or None,
            hint=hint,
        )

    def text_of(self, value: Any, path: tuple) -> str | None:
        """The verbatim text of a scalar: the string itself, or the number/bool as written."""
        if value is None:
            return None
        if isinstance(value, str):
            return value
        text = self.doc.texts.get(path)
        return text if text is not None else str(value)

    # -----------------------------------------------------------------------------------------------------------
    def submission(self) -> Submission:
        data = self.doc.data
        if data is None:
            raise self.error(
                "the submission is empty",
                (),
                "write `problem: <problem id>` and your answers under `answers:`",
            )
        if not isinstance(data, dict):
            raise self.error(
                f"the submission must be a mapping with the keys problem, student, answers, not {_kind(data)}",
                (),
                "start the file with `problem: <problem id>`, then `answers:`",
            )
        for key in data:
            if key not in TOP_KEYS:
                raise self.error(
                    f"unknown key '{shown_key(key)}'; allowed keys: {', '.join(TOP_KEYS)}",
                    (key,),
                    _did_you_mean(key, TOP_KEYS) + "answers go under `answers:`, indented",
                )
        problem = self.problem(data)
        student = self.student(data.get("student"))
        if "answers" not in data:
            raise self.error(
                "the submission has no `answers`",
                (),
                "add `answers:` with one `name: value` line per quantity, indented below it",
            )
        answers = self.answers(data["answers"])
        return Submission(problem=problem, student=student, answers=answers, source=self.source, document=self.doc)

    def problem(self, data: dict) -> str:
        if "problem" not in data:
            raise self.error("the submission does not say which problem it answers", (), _PROBLEM_HINT)
        value = data["problem"]
        path = ("problem",)
        if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
            raise self.error(f"`problem` must be a problem id, not {_kind(value)}", path, _PROBLEM_HINT)
        text = self.text_of(value, path).strip()
        if not text:
            raise self.error("`problem` is empty", path, _PROBLEM_HINT)
        return text

    def student(self, value: Any) -> Student:
        path = ("student",)
        if value is None:
            return Student()
        if not isinstance(value, dict):
            raise self.error(
                f"`student` must be a mapping with id and name, not {_kind(value)}",
                path,
                'write `student: {id: "400222100", name: Your Name}`',
            )
        for key in value:
            if key not in STUDENT_KEYS:
                raise self.error(
                    f"unknown key '{shown_key(key)}' in student; allowed keys: {', '.join(STUDENT_KEYS)}",
                    path + (key,),
                    _did_you_mean(key, STUDENT_KEYS) + 'write `student: {id: "400222100", name: Your Name}`',
                )
        fields: dict[str, str | None] = {}
        for key in STUDENT_KEYS:
            v = value.get(key)
            if isinstance(v, (dict, list)):
                raise self.error(
                    f"student {key} must be a single value, not {_kind(v)}",
                    path + (key,),
                    'write `student: {id: "400222100", name: Your Name}`',
                )
            text = self.text_of(v, path + (key,))
            fields[key] = (text.strip() or None) if text is not None else None
        return Student(id=fields["id"], name=fields["name"])

    # -----------------------------------------------------------------------------------------------------------
    def answers(self, value: Any) -> dict[str, Answer]:
        path = ("answers",)
        if not isinstance(value, dict):
            raise self.error(
                f"`answers` must be a mapping of quantity names to values, not {_kind(value)}",
                path,
                "write one `name: value` per line, indented below `answers:`, e.g. `  z1: -11.65`",
            )
        if len(value) > DEFAULT_MAX_ANSWERS:
            raise self.error(
                f"too many answers: {len(value)} (the limit is {DEFAULT_MAX_ANSWERS})",
                path,
                "a submission answers one problem; split unrelated work into separate files",
                LimitError,
            )
        out: dict[str, Answer] = {}
        answer, lines, texts, memo = self.answer, self.lines, self.texts, _PARSED
        for name, raw in value.items():
            text = name if name.__class__ is str else _name_text(name)
            path = ("answers", name)
            cls = raw.__class__
            if cls is str or cls is Decimal or cls is int:  # `name: value`, most answers: ``answer`` and ``value``
                line = lines.get(path)  # of it written out (calls are much of what reading a submission costs)
                written = raw if cls is str else texts.get(path)
                if written is None:
                    written = str(raw)
                parsed = memo.get(written)
                if parsed is None:
                    parsed = self.parsed(written, path, line)
                ans = Answer(text, Value(written, parsed, line), {}, line)
            else:
                ans = answer(text, raw, path)
            if text not in out:  # the first of a repeated name (every one is still read: its errors count)
                out[text] = ans
        return out

    def answer(self, name: str, raw: Any, path: tuple) -> Answer:
        line = self.lines.get(path)
        if not isinstance(raw, dict):
            return Answer(name, self.value(raw, path), {}, line)
        for key in raw:
            if key not in ANSWER_KEYS:
                raise self.error(
                    f"unknown key '{shown_key(key)}' in answer {shown_key(name)}; allowed keys: {', '.join(ANSWER_KEYS)}",
                    path + (key,),
                    _did_you_mean(key, ANSWER_KEYS) + _ANSWER_HINT,
                )
        if "value" not in raw:
            raise self.error(f"answer {name} has no `value`", path, _ANSWER_HINT)
        value = self.value(raw["value"], path + ("value",))
        using = self.using(raw.get("using"), path + ("using",))
        return Answer(name, value, using, line)

    def using(self, raw: Any, path: tuple) -> dict[str, Value]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.error(
                f"`using` must be a mapping of names to the values you plugged in, not {_kind(raw)}",
                path,
                "write e.g. `using: {o1: 0.0003, t1: 0.9}`",
            )
        out: dict[str, Value] = {}
        value, lines, texts, memo = self.value, self.lines, self.texts, _PARSED
        for name, v in raw.items():
            vpath = path + (name,)
            cls = v.__class__
            if cls is str or cls is Decimal or cls is int:  # ``value`` of a number or text, written out (a file's
                written = v if cls is str else texts.get(vpath)  # `using` entries outnumber its answers)
                if written is None:
                    written = str(v)
                line = lines.get(vpath)
                parsed = memo.get(written)
                if parsed is None:
                    parsed = self.parsed(written, vpath, line)
                val = Value(written, parsed, line)
            else:
                val = value(v, vpath)
            text = name if name.__class__ is str else _name_text(name)
            if text not in out:
                out[text] = val
        return out

    def value(self, raw: Any, path: tuple) -> Value:
        line = self.lines.get(path)
        cls = raw.__class__
        if cls is str:  # the commonest two: text, and a number (its text as written)
            text = raw
        elif cls is Decimal or cls is int:
            text = self.texts.get(path)
            if text is None:
                text = str(raw)
        else:
            return self.other_value(raw, path, line)
        parsed = _PARSED.get(text)
        return Value(text, parsed if parsed is not None else self.parsed(text, path, line), line)

    def parsed(self, text: str, path: tuple, line: int | None) -> Parsed | Unparseable:
        """``parse_answer_text(text)`` of the value at ``path``, remembered in ``_PARSED`` for a short text."""
        try:
            parsed = parse_answer_text(text)
        except GraderError as e:  # e.g. a limit of the answer reader: locate it here
            e.file = e.file or self.source
            e.line = e.line if e.line is not None else line
            e.path = e.path or format_path(path)
            raise
        if len(text) <= _MAX_PARSED_TEXT and not (parsed.__class__ is Unparseable
                                                  and parsed.reason.startswith("internal:")):
            if len(_PARSED) >= _MAX_PARSED:
                _PARSED.clear()
            _PARSED[text] = parsed
        return parsed

    def parse(self, text: str, path: tuple, line: int | None) -> Parsed | Unparseable:
        try:
            return parse_answer(text)
        except GraderError as e:  # e.g. a limit of the answer reader: locate it here
            e.file = e.file or self.source
            e.line = e.line if e.line is not None else line
            e.path = e.path or format_path(path)
            raise

    def other_value(self, raw: Any, path: tuple, line: int | None) -> Value:
        """``value`` of anything but text or a number: nothing, a yes/no, or a list or mapping (an error)."""
        if raw is None:
            return Value(None, None, line)
        if isinstance(raw, list) and len(raw) == 1 and not isinstance(raw[0], (dict, list, bool, type(None))):
            raise self.error(  # `z1:` then `  - 0.45` on the next line: a list of one number
                "expected a single value, not a list", path, minus_space_hint(self.text_of(raw[0], path + (0,))))
        if isinstance(raw, (dict, list)):
            raise self.error(
                f"expected a single value, not {_kind(raw)}",
                path,
                "write one number or expression, e.g. -0.000269 or 1/(1+exp(11.65)); quote it if it contains ': '",
            )
        text = self.text_of(raw, path)
        return Value(text, self.parse(text, path, line), line)


# A value's text as written -> what ``parse_answer_text`` reads it as (an immutable record). The answer reader
# remembers its results too, but each value would still cost a call through it: a submission holds a hundred values
# (its ``using`` entries), and a class's files repeat the same texts. Bounded: emptied when full, short texts only.
_PARSED: dict = {}
_MAX_PARSED = 1024
_MAX_PARSED_TEXT = 64  # characters

_PROBLEM_HINT = "add `problem: <problem id>` at the top"
_ANSWER_HINT = "write `name: value`, or `name: {value: ..., using: {name: value, ...}}`"


def _name_text(name: Any) -> str:
    """A key as text: YAML may hand over a number, a bool or null as a key (``3: 0.5``)."""
    if isinstance(name, str):
        return name
    return "null" if name is None else str(name).lower() if isinstance(name, bool) else str(name)


def shown_name(name: str) -> str:
    """A name as written, safe to quote in a message: one printable line, a control or format character shown
    escaped (``\\x1b``, ``\\u202e``) as every message shows a document's keys, at most a line's worth."""
    return shown_key(name)


class NameIssue(Record):
    """A name of the submission that does not resolve (or repeats another): its answer or ``using`` entry is dropped;
    or one read as an error term (its value's sign changed, ``error_term_note``)."""

    path: tuple[str, ...]  # ("answers", key) or ("answers", key, "using", name), as written
    line: int | None
    message: str
    hint: str

    def __init__(self, path: tuple[str, ...], line: int | None, message: str, hint: str) -> None:
        self.__dict__.update(path=path, line=line, message=message, hint=hint)

    def warning(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message}" + (f"; {self.hint}" if self.hint else "")


def resolve_names(sub: Submission, resolver: Resolver, problem_id: str) -> tuple[Submission, tuple[NameIssue, ...]]:
    """The submission with every answer key and ``using`` name as the problem spells it, and the names that could
    not be resolved (their answer, or their ``using`` entry, is left out and not graded)."""
    issues: list[NameIssue] = []
    answers: dict[str, Answer] = {}
    first_key: dict[str, str] = {}
    seen: dict[str, Resolution] = {}  # this submission's names, resolved once each (a `using` repeats them)
    exact = resolver.exact  # a name spelled as the problem spells it is itself, as ``resolve`` says
    unchanged = True  # every answer and ``using`` name already as the problem spells it, none dropped or repeated
    own: set[str] | tuple = ()  # the quantities answered under a name of their own (not an error term's)
    if any(k not in exact for k in sub.answers):
        from grader.submission.errorterm import own_names, second_value_note
        own = own_names(sub.answers, resolver)
    for key, ans in sub.answers.items():
        apath = ("answers", key)
        if key in exact:
            name = key
        else:
            res = seen.get(key)
            name = res.name if res is not None and res.name is not None else _resolved(
                resolver, key, apath, sub, problem_id, "answer", issues, seen)
        if name is None:
            continue
        value = ans.value
        if key not in exact and seen[key].negated and name in own:  # the delta answered under its own name too
            issues.append(NameIssue(apath, sub.document.line_of(apath), second_value_note(shown_name(key), name),
                                    "give each quantity once"))
            unchanged = False
            continue
        if key not in exact and seen[key].negated:  # an error term, Err = −∂E/∂net, for a delta that is ∂E/∂net
            from grader.submission.errorterm import error_term_note, negated_value

            value = negated_value(value)
            issues.append(NameIssue(apath, sub.document.line_of(apath), error_term_note(shown_name(key), name,
                                                                                       ans.value.text, value.text), ""))
        if name in answers:
            issues.append(NameIssue(apath, sub.document.line_of(apath),
                                    f"'{shown_name(key)}' answers {name} again (first as '{shown_name(first_key[name])}'"
                                    f"{_at(sub, ('answers', first_key[name]))}); only the first is graded",
                                    "give each quantity once"))
            continue
        using: dict[str, Value] = {}
        kept = name == key == ans.quantity  # so far, this answer is the one read: reused as it is if it stays so
        for u, val in ans.using.items():
            if u in exact:
                uname = u
            else:
                res = seen.get(u)
                uname = res.name if res is not None and res.name is not None else _resolved(
                    resolver, u, apath + ("using", u), sub, problem_id, f"name in the `using` of {name}", issues,
                    seen)
                kept = kept and uname == u
                if uname is not None and seen[u].negated:
                    from grader.submission.errorterm import negated_value

                    val = negated_value(val)
            if uname is not None and uname not in using:
                using[uname] = val
        first_key[name] = key
        answers[name] = ans if kept else Answer(name, value, using, ans.line)
        unchanged = unchanged and kept
    if unchanged and len(answers) == len(sub.answers):
        return sub, ()  # every name as the problem spells it (the usual case): the submission as it was read
    return replace(sub, answers=answers), tuple(issues)


def _at(sub: Submission, path: tuple) -> str:
    line = sub.document.line_of(path)
    return f", line {line}" if line is not None else ""


def _resolved(resolver: Resolver, text: str, path: tuple, sub: Submission, problem_id: str, what: str,
              issues: list[NameIssue], seen: dict[str, Resolution]) -> str | None:
    res = seen.get(text)
    if res is None:
        res = seen[text] = resolver.resolve(text)
    if res.name is not None:
        return res.name
    shown = shown_name(text)
    line = sub.document.line_of(path)
    if res.ambiguous:
        issues.append(NameIssue(path, line, f"'{shown}' fits {' and '.join(res.ambiguous)} of problem {problem_id}, "
                                f"so this {what} is not graded", f"write one of {', '.join(res.ambiguous)} exactly"))
        return None
    asked = ", ".join(resolver.asked)
    hint = res.hint()
    issues.append(NameIssue(path, line, f"unknown quantity '{shown}' for problem {problem_id}: this {what} is not graded",
                            hint if res.suggestions else "; ".join(
                                p for p in (hint, f"this problem asks for: {asked}" if asked else "") if p)))
    return None
