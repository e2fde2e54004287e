"""The manifest of a batch's output folder (``DIR/manifest.json``): every file the last run wrote, so that a rerun
removes what an earlier run wrote and this one does not (the reports of students no longer in the input), and
nothing else: only names a batch writes, inside ``DIR``, regular files, are ever removed.

While a run runs, the journal ``DIR/.grade-batch-journal`` lists everything an unfinished run may have written (the
previous manifest, then each block of reports just before it is renamed into place, appended by the process that
writes them: ``grader.batch.reportfiles``), so even a run killed at any moment leaves nothing that a later run does
not know about.

Nothing is kept per file in memory but a hash: this run's list is streamed to the new manifest as it is known (in
the order of the rows), the previous lists are streamed from the files, and "is this file one of this run's" is a
``grader.batch.hashindex.HashIndex`` confirmed against the new manifest's line.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # what json.dumps(text, ensure_ascii=False) writes
import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from grader.batch.bookkeeping import JOURNAL, MANIFEST, unwritable
from grader.batch.hashindex import HashIndex
from grader.fileio import atomic_writer, ordinary_mode

__all__ = ["Manifest"]

_MANIFEST_MAX_BYTES = 64 * 1024 * 1024
_HEAD = '{\n "written_by": "grade batch",\n "files": [\n'


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


def _iter_list(path: Path) -> Iterator[str]:
    """The file names a manifest (JSON) or the journal (one per line) lists, one at a time; nothing when it is
    missing, unreadable or too large (then no file is removed: only what a run recorded is ever removed)."""
    try:
        f = open(path, "rb")
    except OSError:
        return
    with f:
        try:
            st = os.fstat(f.fileno())
        except OSError:
            return
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MANIFEST_MAX_BYTES:
            return
        if path.name != MANIFEST:
            for raw in f:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line:
                    yield line
            return
        first = f.read(len(_HEAD.encode()))
        if first == _HEAD.encode():  # this module's layout: one JSON string a line, read line by line
            for raw in f:
                text = raw.decode("utf-8", "replace").strip().rstrip(",")
                if text.startswith('"'):
                    try:
                        name = json.loads(text)
                    except ValueError:
                        return
                    if isinstance(name, str):
                        yield name
            return
        try:
            files = json.loads((first + f.read()).decode("utf-8", "replace")).get("files")
        except (ValueError, AttributeError, OSError):
            return
        if isinstance(files, list):
            yield from (f for f in files if isinstance(f, str))


class Manifest:
    """What runs wrote into ``out_dir``: the previous manifest and journal are copied into the new journal when the
    run begins; this run's files are streamed into the new manifest as they are known; once this run's outputs are
    all in place, what the journal lists and this run did not write is removed."""

    def __init__(self, out_dir: Path, fixed: Iterable[str], folders: Iterable[str],
                 report_exts: Iterable[str] = ("md", "html"), spill_to: str | os.PathLike | None = None) -> None:
        """``spill_to``: a folder (that exists once files are recorded) where the index of this run's files goes once it
        outgrows memory (``grader.batch.hashindex``)."""
        self.out_dir = out_dir
        self.fixed = frozenset(fixed)
        self.folders = tuple(folders)
        self.report_exts = frozenset(report_exts)  # the formats of this run's reports (``--feedback``)
        self.journal_path = out_dir / JOURNAL
        self.count = 0  # files of this run recorded
        self._journal = None
        self._stream = None  # the new manifest, being written (a temporary file beside it)
        self._spill_to = spill_to
        self._current = HashIndex(self._recorded_at, spill_to=spill_to)

    def expect(self, files: int) -> None:
        """Make room in the index of this run's files for ``files`` entries at once (before any is recorded: no
        rehashing on the way)."""
        if self._current.count == 0:
            self._current.close()
            self._current = HashIndex(self._recorded_at, spill_to=self._spill_to, expected=files)

    def begin(self) -> None:
        """Start the journal with everything earlier runs may have written (before this run writes anything), and
        the new manifest."""
        try:
            with atomic_writer(self.journal_path) as f:
                for source in (self.out_dir / MANIFEST, self.journal_path):
                    for rel in _iter_list(source):
                        f.write(f"{rel}\n".encode("utf-8", "backslashreplace"))
            self._journal = open(self.journal_path, "a", encoding="utf-8")
        except OSError as exc:
            raise unwritable(self.journal_path, exc) from None
        try:
            fd, self._tmp = tempfile.mkstemp(dir=self.out_dir, prefix=f".{MANIFEST}.", suffix=".tmp")
            ordinary_mode(fd)
            self._stream = os.fdopen(fd, "w+b")
            self._stream.write(_HEAD.encode())
        except OSError as exc:
            raise unwritable(self.out_dir / MANIFEST, exc) from None

    def _key(self, rel: str) -> str:
        """What the index keeps of a file name: a report's name without its extension (a student's reports are
        one entry), any other file's whole name."""
        if rel.endswith((".md", ".html")) and rel.split("/", 1)[0] in self.folders:
            return rel.rsplit(".", 1)[0]
        return rel

    def _record(self, rels: Iterable[str]) -> None:
        """Add files of this run to the new manifest (each is recorded once: the callers never repeat one)."""
        last = None
        for rel in rels:
            key = self._key(rel)
            offset = self._stream.tell() + (2 if self.count else 0)
            if key != last or key == rel:  # (else: a report of the student whose key was just claimed, in the index)
                if self._current.claim(key, offset) is not None and key == rel:
                    continue  # (a fixed output recorded already)
            last = key
            if self.count:
                self._stream.write(b",\n")
            self._stream.write(f" {encode_basestring(rel)}".encode("utf-8", "backslashreplace"))
            self.count += 1

    def _is_current(self, rel: str) -> bool:
        key = self._key(rel)
        if self._current.get(key) is None:
            return False
        return key == rel or rel.rsplit(".", 1)[1] in self.report_exts

    def _recorded_at(self, offset: int) -> tuple[str, ...]:
        """The file name recorded at ``offset`` of the new manifest (to confirm a hash)."""
        self._stream.flush()
        data, at = b"", offset
        while b"\n" not in data:
            more = os.pread(self._stream.fileno(), 4096, at)
            if not more:
                break
            data, at = data + more, at + len(more)
        line = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().rstrip(",")
        return (self._key(json.loads(line) if "\\" in line else line[1:-1]),)  # (no backslash: no escapes)

    def keep(self, rels: list[str]) -> None:
        """Record files of this run already in place (and in the journal)."""
        self._record(rels)

    def will_write(self, rels: list[str]) -> None:
        """Record files about to be written or renamed into place (written to the journal before they are)."""
        if self._journal is not None:
            try:
                self._journal.write("".join(f"{p}\n" for p in rels))
                self._journal.flush()
            except OSError as exc:
                raise unwritable(self.journal_path, exc) from None
        self._record(rels)

    def finish(self, before_journal_removed: Callable[[], None] | None = None) -> list[str]:
        """Write the manifest of this run, remove the stale files of earlier runs, drop the journal; the names of
        the files removed. ``before_journal_removed`` runs just before the journal is removed (the folders' fsync:
        the journal goes only once what it lists is durably in place or gone)."""
        self._record(sorted(f for f in self.fixed | {MANIFEST} if f == MANIFEST or os.path.lexists(self.out_dir / f)))
        try:
            self._stream.write(b"\n ]\n}\n")
            self._stream.flush()
            os.fsync(self._stream.fileno())
            os.replace(self._tmp, self.out_dir / MANIFEST)
        except OSError as exc:
            raise unwritable(self.out_dir / MANIFEST, exc) from None
        removed = []
        if self._journal is not None:
            self._journal.flush()
        for rel in _iter_list(self.journal_path):  # what earlier runs, and this one, may have written
            if not _removable(rel, self.fixed, self.folders) or self._is_current(rel):
                continue
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
        """Close the journal and drop an unfinished new manifest (the previous one stays)."""
        self._current.close()
        if self._journal is not None:
            try:
                self._journal.close()
            except OSError:
                pass
            self._journal = None
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
            self._stream = None
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
