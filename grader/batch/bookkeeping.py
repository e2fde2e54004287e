"""The bookkeeping of one batch run in its output folder: the private staging folder of its feedback reports, the
spill file its rows are streamed to, and making the staged reports durable before they are published.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

__all__ = ["SPILL", "Spill", "staging_folder", "make_durable", "remove_scratch"]

SPILL = ".grades-rows.tmp"


def staging_folder(out_dir: Path) -> Path:
    """A staging folder of this run's own (the workers write the reports there before they are published)."""
    return out_dir / "feedback" / f".staging-{os.getpid()}-{secrets.token_hex(4)}"


class Spill:
    """The scratch file the parent streams the rows to (one JSON line each), read back by offset at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.f = open(path, "w+b")

    def append(self, data: bytes) -> int:
        """Write one row's line; its offset."""
        offset = self.f.tell()
        self.f.write(data)
        return offset

    def done(self) -> None:
        self.f.flush()

    def read(self, offset: int, length: int) -> dict:
        return json.loads(os.pread(self.f.fileno(), length, offset).decode("utf-8"))

    def close(self) -> None:
        self.f.close()


def make_durable() -> None:
    """One filesystem sync: the staged reports are on disk before they are published by rename (see
    ``grader.batch.feedback.stage``)."""
    if hasattr(os, "sync"):
        os.sync()


def remove_scratch(staging: Path, spill: Path) -> None:
    """Remove this run's staging folder and spill file (whatever state the run ended in)."""
    shutil.rmtree(staging, ignore_errors=True)
    try:
        os.unlink(spill)
    except FileNotFoundError:
        pass
