"""Who handed a submission in: a student's identity as the submission (or the LMS around it) states it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Student:
    id: str | None = None
    name: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name}
