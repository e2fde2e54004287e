"""Who handed a submission in: a student's identity as the submission (or the LMS around it) states it."""

from __future__ import annotations

from grader.record import Record


class Student(Record):
    id: str | None = None
    name: str | None = None

    def __init__(self, id: str | None = None, name: str | None = None) -> None:
        self.__dict__.update(id=id, name=name)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name}
