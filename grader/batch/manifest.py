"""The manifest of a batch's output folder (``DIR/manifest.json``): every file the last run wrote, so that a rerun
removes what an earlier run wrote and this one does not (the reports of students no longer in the input), and
nothing else: only names a batch writes, inside ``DIR``, regular files, are ever removed.

While a run runs, the journal ``DIR/.grade-batch-journal`` lists everything an unfinished run may have written (the
previous manifest, then each block of reports just before it is renamed into place, appended by the process that
writes them: ``grader.batch.reportfiles``), so even a run killed at any moment leaves nothing that a later run does
not know about.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Callable, Iterable

from grader.batch.bookkeeping import JOURNAL, MANIFEST, unwritable
from grader.fileio import write_atomic

__all__ = ["Manifest"]

_MANIFEST_MAX_BYTES = 64 * 1024 * 1024


def _removable(rel: str, fixed: frozenset[str], folders: tuple[str, ...]) -> bool:
    """Only names a batch writes may ever be removed as stale: the fixed outputs, and reports (``.md``, ``.html``)
    at most two folders down in one of ``folders``."""
    if not isinstance(rel, str) or "\0" in rel or rel.startswith("/") or "\\" in rel:
        return False
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return False
    if rel in fixed:
        return True
    return parts[0] in folders and len(parts) <= 3 and rel.endswith((".md", ".html"))


def _read_list(path: Path) -> list[str]:
    """The file names a manifest (JSON) or the journal (one per line) lists; nothing when it is missing or unreadable
    (then no file is removed: only what a run recorded is ever removed)."""
    try:
        with open(path, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return []
            raw = f.read(_MANIFEST_MAX_BYTES + 1)
    except OSError:
        return []
    if len(raw) > _MANIFEST_MAX_BYTES:
        return []
    text = raw.decode("utf-8", "replace")
    if path.name == MANIFEST:
        try:
            files = json.loads(text).get("files")
        except (ValueError, AttributeError):
            return []
        return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []
    return [line for line in text.split("\n") if line]


class Manifest:
    """What runs wrote into ``out_dir``: the previous manifest and journal on entry, this run's files as it
    publishes them, and the removal of what is stale once this run's outputs are all in place."""

    def __init__(self, out_dir: Path, fixed: Iterable[str], folders: Iterable[str]) -> None:
        self.out_dir = out_dir
        self.fixed = frozenset(fixed)
        self.folders = tuple(folders)
        self.journal_path = out_dir / JOURNAL
        self.previous = set(_read_list(out_dir / MANIFEST)) | set(_read_list(self.journal_path))
        self.files: list[str] = []
        self._journal = None

    def begin(self) -> None:
        """Start the journal with everything earlier runs may have written (before this run writes anything)."""
        try:
            write_atomic(self.journal_path, "".join(f"{p}\n" for p in sorted(self.previous)))
            self._journal = open(self.journal_path, "a", encoding="utf-8")
        except OSError as exc:
            raise unwritable(self.journal_path, exc) from None

    def keep(self, rels: list[str]) -> None:
        """Record files of this run already in place (and in the journal)."""
        self.files.extend(rels)

    def will_write(self, rels: list[str]) -> None:
        """Record files about to be written or renamed into place (written to the journal before they are)."""
        self.files.extend(rels)
        if self._journal is not None:
            try:
                self._journal.write("".join(f"{p}\n" for p in rels))
                self._journal.flush()
            except OSError as exc:
                raise unwritable(self.journal_path, exc) from None

    def finish(self, before_journal_removed: Callable[[], None] | None = None) -> list[str]:
        """Write the manifest of this run, remove the stale files of earlier runs, drop the journal; the names of
        the files removed. ``before_journal_removed`` runs just before the journal is removed (the folders' fsync:
        the journal goes only once what it lists is durably in place or gone)."""
        current = set(self.files) | {f for f in self.fixed if os.path.lexists(self.out_dir / f)}
        stale = sorted(p for p in self.previous - current if _removable(p, self.fixed, self.folders))
        write_atomic(self.out_dir / MANIFEST, json.dumps(
            {"written_by": "grade batch", "files": sorted(current | {MANIFEST})}, ensure_ascii=False, indent=1,
        ) + "\n")
        removed = []
        for rel in stale:
            path = self.out_dir.joinpath(*rel.split("/"))
            try:
                st = os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise unwritable(path, exc) from None
            if not stat.S_ISREG(st.st_mode):
                continue  # never a folder or a link: only the files a run wrote
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise unwritable(path, exc, f"cannot remove a stale report of an earlier run: "
                                            f"{exc.strerror or exc}") from None
            removed.append(rel)
        self.close()
        if before_journal_removed is not None:
            before_journal_removed()
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        return removed

    def close(self) -> None:
        if self._journal is not None:
            try:
                self._journal.close()
            except OSError:
                pass
            self._journal = None
