"""Errors for input we cannot use.

Every error says where (file, line, path inside the document) and what would be right. The CLI turns them into
one message and exit code 2; the core never prints or exits.
"""

from __future__ import annotations


class GraderError(Exception):
    """Unusable input. ``file``/``line``/``path`` locate it, ``hint`` says what would be right."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.path = path
        self.hint = hint

    def located(self, *, file: str | None = None) -> "GraderError":
        """Return the error with ``file`` filled in when it was not known where it was raised."""
        if self.file is None and file is not None:
            self.file = file
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        path = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{path}{self.message}{hint}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message, "hint": self.hint}


class SpecError(GraderError):
    """A problem spec is invalid."""


class SubmissionError(GraderError):
    """A submission file is unusable."""


class LimitError(GraderError):
    """An input exceeds a documented limit (file size, number of answers, nesting, expression length)."""
