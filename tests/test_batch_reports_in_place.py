"""Issue 16, item 2: workers write each report straight to its final place (atomic per file), the parent renames no
report in the usual case, durability comes from fsyncing the files and folders written (never ``os.sync``), and a
run that stops between two reports leaves the upload folder importable and the next run cleans up (issue 14's
guarantees: ``feedback/`` holds exactly the current report per identified student, superseded ones are in
``feedback-not-uploaded/``, reruns are byte-identical)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.batch import bookkeeping, rows
from grader.batch.reportfiles import SCRATCH_PREFIX
from grader.batch.run import grade_batch

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
SEED_STUDENT = 'student: {id: "400222100", name: Reza Mosavi}'
STAMP = "2025-01-01T00:00:00Z"


def sub(sid: str, name: str, z1: str | None = None) -> str:
    text = SEED.replace(SEED_STUDENT, f'student: {{id: "{sid}", name: {name}}}')
    assert text != SEED
    return text.replace("  z1: -11.65 ", f"  z1: {z1} ", 1) if z1 else text


def write(folder: Path, name: str, text: str, mtime: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    os.utime(p, (mtime, mtime))
    return p


def make_input(folder: Path, n: int, z1: str | None = None) -> Path:
    for i in range(n):
        write(folder, f"s{i:04d}.yaml", sub(str(1000 + i), f"Student N{i:04d}", z1), 1_700_000_000 + i)
    return folder


def run(src: Path, out: Path, jobs: int = 1, **kw):
    return grade_batch(src, out, problem="exercise6", jobs=jobs, progress=False, timestamp=STAMP, **kw)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != bookkeeping.LOCK}


def not_importable(out: Path) -> list[str]:
    """Entries of the upload folder that are not complete reports (temporary or hidden files, folders)."""
    folder = out / "feedback"
    return sorted(p.name for p in folder.rglob("*")
                  if not p.is_file() or p.name.startswith(".") or not p.name.endswith((".md", ".html")))


def scratch_left(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(SCRATCH_PREFIX) or p.name.endswith(".tmp"))


# ------------------------------------------------------------------------------------------------ durability

@pytest.mark.parametrize("jobs", [1, 2])
def test_no_run_syncs_the_whole_machine(tmp_path, monkeypatch, jobs):
    def forbidden():
        raise AssertionError("os.sync() called: it syncs every file system of the machine")

    monkeypatch.setattr(os, "sync", forbidden)  # forked workers inherit the patch
    src = make_input(tmp_path / "in", 6)
    result = run(src, tmp_path / "out", jobs=jobs)
    assert result.graded == 6 and result.feedback_failed == 0
    assert len(list((tmp_path / "out" / "feedback").iterdir())) == 12


def test_every_report_and_every_folder_written_is_fsynced_and_the_folders_after_their_reports(tmp_path, monkeypatch):
    """One job (all in this process, so every call is seen): each report is fsynced before it is renamed into place,
    and each folder that received reports is fsynced after the last of them arrived."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst, **kw):
        real_replace(src, dst, **kw)
        events.append(("replace", os.path.realpath(dst)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    src = make_input(tmp_path / "in", 4)
    write(src, "nobody.yaml", SEED.replace(SEED_STUDENT + "\n", ""), 1_700_000_100)  # unidentified: the held folder
    out = tmp_path / "out"
    run(src, out)
    out = Path(os.path.realpath(out))
    reports = sorted(p for p in out.rglob("*") if p.suffix in (".md", ".html") and p.parent != out)
    assert len(reports) == 10
    synced = [path for kind, path in events if kind == "fsync"]
    for report in reports:
        placed = [i for i, (kind, path) in enumerate(events) if kind == "replace" and path == str(report)]
        assert len(placed) == 1, report  # renamed into place once, by its writer
        folder_synced = [i for i, (kind, path) in enumerate(events) if kind == "fsync" and path == str(report.parent)]
        assert folder_synced and max(folder_synced) > placed[0], report
    # each report's bytes were fsynced (as its temporary file, in the scratch folder, before the rename)
    # (and the probe that times the disk: ``reportfiles.fsync_seconds``, two fsyncs of its own file, once)
    scratch_syncs = [p for p in synced if Path(p).parent.name.startswith(SCRATCH_PREFIX)]
    probes = [p for p in scratch_syncs if p.endswith("-fsync-probe.tmp")]
    assert len(probes) == 2
    assert len(scratch_syncs) - len(probes) == len(reports)
    assert str(out) in synced  # the output folder itself (manifest, gradebooks, journal removed)
    for folder in {str(r.parent) for r in reports}:
        assert synced.count(folder) == 1  # once per folder, not once per report


def test_the_parent_renames_no_report_when_every_student_has_one_file(tmp_path, monkeypatch):
    parent = os.getpid()
    renamed: list[str] = []
    real_replace = os.replace

    def replace(src, dst, **kw):
        if os.getpid() == parent:  # forked workers run the same patch, but their calls are not the parent's
            renamed.append(os.fspath(dst))
        return real_replace(src, dst, **kw)

    monkeypatch.setattr(os, "replace", replace)
    src = make_input(tmp_path / "in", 10)
    out = tmp_path / "out"
    run(src, out, jobs=2)
    assert len(list((out / "feedback").iterdir())) == 20
    assert [p for p in renamed if "/feedback" in p] == []  # gradebooks, manifest and summary only


# ------------------------------------------------------------------------------------------------ a run that stops

class Stop(BaseException):
    """An interruption (as Ctrl-C is): not caught by the per-file error handling."""


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_stopped_between_reports_leaves_only_whole_reports_and_the_next_run_cleans_up(tmp_path, monkeypatch,
                                                                                            jobs):
    src = make_input(tmp_path / "in", 12)
    out, clean = tmp_path / "out", tmp_path / "clean"
    run(src, out, jobs=jobs)
    old = tree(out)
    make_input(src, 12, z1="-7.65")  # every student resubmits: every report changes
    (src / "s0011.yaml").unlink()  # and one withdraws
    run(src, clean, jobs=jobs)
    new = tree(clean)
    assert all(old[k] != new[k] for k in new if k.startswith("feedback/"))

    real = rows._grade_submission_file
    seen = {"n": 0}

    def stop_midway(task, identity, row, place):
        seen["n"] += 1
        if task[1].name == "s0006.yaml":
            raise Stop()
        return real(task, identity, row, place)

    monkeypatch.setattr(rows, "_grade_submission_file", stop_midway)
    with pytest.raises(Stop):
        run(src, out, jobs=jobs)
    monkeypatch.setattr(rows, "_grade_submission_file", real)

    assert not_importable(out) == []
    assert scratch_left(out) == []  # temporary files were only ever in the scratch folder, which is gone
    now = tree(out)
    reports = {k: v for k, v in now.items() if k.startswith("feedback/")}
    assert set(reports) == {k for k in old if k.startswith("feedback/")}  # nothing lost, nothing half-written
    assert all(v in (old[k], new.get(k)) for k, v in reports.items())  # each the old report or the new one
    assert any(v == new.get(k) for k, v in reports.items())  # (the run did get to write some)
    assert (out / bookkeeping.JOURNAL).exists()  # lists what the stopped run may have written

    run(src, out, jobs=jobs)
    assert tree(out) == new  # the withdrawn student's reports are gone, every other one is current


# ------------------------------------------------------------------------------------------------ superseded files

def test_superseded_reports_go_to_feedback_not_uploaded_with_their_own_content(tmp_path):
    """A student's two files want the same report name (their writes race); another student's old file has another
    name (a renamed student). The current file's report is in feedback/, each superseded one in
    feedback-not-uploaded/superseded/, each byte-identical to the report of a batch of that file alone."""
    src = tmp_path / "in"
    files = {
        "a_old.yaml": (sub("1001", "Ada Lovelace", z1="-7.65"), 1_700_000_000),
        "a_new.yaml": (sub("1001", "Ada Lovelace"), 1_700_000_500),
        "b_old.yaml": (sub("1002", "Bob Byte", z1="-7.65"), 1_700_000_000),
        "b_new.yaml": (sub("1002", "Robert Byte"), 1_700_000_500),
        "c.yaml": (sub("1003", "Cy Clone"), 1_700_000_000),
    }
    alone = {}
    for name, (text, mtime) in files.items():
        write(src, name, text, mtime)
        single = tmp_path / f"alone_{name}"
        write(single, name, text, mtime)
        run(single, tmp_path / f"out_{name}")
        (md,) = (tmp_path / f"out_{name}" / "feedback").glob("*.md")
        alone[name] = (md.stem, md.read_bytes())
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = run(src, out, jobs=jobs)
        assert result.superseded == 2
        upload = {p.name: p.read_bytes() for p in (out / "feedback").glob("*.md")}
        held = {p.name: p.read_bytes() for p in (out / "feedback-not-uploaded" / "superseded").glob("*.md")}
        assert upload == {f"{alone[n][0]}.md": alone[n][1] for n in ("a_new.yaml", "b_new.yaml", "c.yaml")}
        assert held == {f"{alone[n][0].replace('_', '-')}.md": alone[n][1] for n in ("a_old.yaml", "b_old.yaml")}
        assert len(list((out / "feedback").iterdir())) == 6 and not_importable(out) == []
    assert tree(tmp_path / "out1") == tree(tmp_path / "out2")
    run(src, tmp_path / "out1")  # a rerun: byte-identical
    assert tree(tmp_path / "out1") == tree(tmp_path / "out2")


def test_two_unidentified_files_wanting_one_name_get_two_reports(tmp_path):
    """Two files without identity, same base name in two folders: both reports are kept (-2), whichever worker wrote
    first, and reruns (with one or two jobs) write the same bytes."""
    nobody = SEED.replace(SEED_STUDENT + "\n", "")
    src = tmp_path / "in"
    write(src / "x", "hw.yaml", nobody, 1_700_000_000)
    write(src / "y", "hw.yaml", nobody.replace("  z1: -11.65 ", "  z1: -7.65 ", 1), 1_700_000_000)
    make_input(src, 3)
    trees = []
    for jobs in (2, 1, 2):
        out = tmp_path / f"out{len(trees)}"
        run(src, out, jobs=jobs)
        names = sorted(p.name for p in (out / "feedback-not-uploaded" / "unidentified").iterdir())
        assert names == ["hw-feedback-2.html", "hw-feedback-2.md", "hw-feedback.html", "hw-feedback.md"]
        trees.append(tree(out))
    assert trees[0] == trees[1] == trees[2]
    md = trees[0]
    assert md["feedback-not-uploaded/unidentified/hw-feedback.md"] != md["feedback-not-uploaded/unidentified/hw-feedback-2.md"]
    assert b"x/hw.yaml" in md["feedback-not-uploaded/unidentified/hw-feedback.md"]  # in the order of the files
    assert b"y/hw.yaml" in md["feedback-not-uploaded/unidentified/hw-feedback-2.md"]


def test_a_rerun_with_fewer_formats_removes_the_reports_of_the_others_and_keeps_the_summary(tmp_path):
    """The manifest keeps a student's reports as one entry (their name without the extension) and the run's formats:
    a rerun with --feedback md removes the HTML reports of the earlier run, never summary.html."""
    src = make_input(tmp_path / "in", 3)
    out = tmp_path / "out"
    run(src, out)
    assert len(list((out / "feedback").glob("*.html"))) == 3
    run(src, out, feedback="md")
    assert sorted(p.suffix for p in (out / "feedback").iterdir()) == [".md"] * 3
    assert (out / "summary.html").exists()
    run(src, out, feedback="none")
    assert list((out / "feedback").iterdir()) == [] and (out / "summary.html").exists()


def test_a_report_that_cannot_be_written_leaves_that_student_no_report_and_says_so(tmp_path, monkeypatch):
    """A disk error on one student's HTML report (its Markdown report written by another writer thread): the student
    has neither report in feedback/ (all or none), grades.json and the summary say why, the others are whole."""
    import json

    from grader.batch import reportfiles

    real = reportfiles._write_file

    def failing(path, data, durable):
        if b"Student N0002" in data and data.startswith(b"<!DOCTYPE"):
            raise OSError(28, "No space left on device", path)
        return real(path, data, durable)

    monkeypatch.setattr(reportfiles, "_write_file", failing)
    src = make_input(tmp_path / "in", 5)
    out = tmp_path / "out"
    result = run(src, out, jobs=2)
    assert result.feedback_failed == 1
    names = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(names) == 8 and not any("_1002_" in n for n in names)
    entry = next(e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]
                 if e["file"] == "s0002.yaml")
    assert entry["feedback"] is None and "No space left on device" in entry["feedback_error"]
    assert "No space left on device" in (out / "summary.html").read_text(encoding="utf-8")
    assert scratch_left(out) == [] and not_importable(out) == []


def test_a_blocks_reports_are_all_written_before_the_first_is_fsynced_and_all_fsynced_before_the_journal(
        tmp_path, monkeypatch):
    """The disk work of one block of reports, in order: every temporary file written (and, where the system has
    posix_fadvise, its writeback started), then each fsynced, then their paths appended to the journal (and it
    fdatasync'ed), then each renamed into place; so a report is on the disk before the journal records it and
    before its path holds it."""
    from grader.batch import reportfiles

    scratch, out = tmp_path / "scratch", tmp_path / "out"
    scratch.mkdir()
    (out / "feedback").mkdir(parents=True)
    journal = tmp_path / "journal"
    journal.write_bytes(b"")
    files = reportfiles.ReportFiles(str(out), str(scratch), str(journal))
    files._start()
    events: list[tuple[str, str]] = []
    real = {name: getattr(os, name) for name in ("open", "fsync", "fdatasync", "replace", "posix_fadvise")
            if hasattr(os, name)}

    def name_of(fd):
        return os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))

    def open_(path, *a, **k):
        fd = real["open"](path, *a, **k)
        events.append(("open", os.path.basename(path)))
        return fd

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", name_of(fd))), real["fsync"](fd))[1])
    monkeypatch.setattr(os, "fdatasync",
                        lambda fd: (events.append(("fdatasync", name_of(fd))), real["fdatasync"](fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (real["replace"](a, b), events.append(("replace", os.path.basename(a))))[0])
    if "posix_fadvise" in real:
        monkeypatch.setattr(os, "posix_fadvise",
                            lambda fd, *a: (events.append(("advise", name_of(fd))), real["posix_fadvise"](fd, *a))[1])
    try:
        files._write_block([(i, f"feedback/r{i}.md", f"report {i}\n".encode()) for i in range(3)])
    finally:
        files.close()
    tmps = [name for kind, name in events if kind == "open" and name.endswith(".tmp")]
    assert len(tmps) == 3
    kinds = [kind for kind, name in events if name in tmps or name == "journal"]
    expected = ["open", "advise"] * 3 if "posix_fadvise" in real else ["open"] * 3
    assert kinds == expected + ["fsync"] * 3 + ["open", "fdatasync"] + ["replace"] * 3
    assert [name for kind, name in events if kind == "fsync"] == tmps
    assert journal.read_text() == "feedback/r0.md\nfeedback/r1.md\nfeedback/r2.md\n"
    assert [(out / "feedback" / f"r{i}.md").read_text() for i in range(3)] == [f"report {i}\n" for i in range(3)]
    assert list(scratch.iterdir()) == []


def test_a_block_that_fails_mid_way_leaves_no_descriptor_open(tmp_path, monkeypatch):
    """The files of a block stay open from their writing to their fsync: an unexpected error between the two (not a
    disk error) closes every one of them, and the block's rows fail."""
    from grader.batch import reportfiles

    scratch, out, journal = tmp_path / "scratch", tmp_path / "out", tmp_path / "journal"
    scratch.mkdir()
    out.mkdir()
    journal.write_bytes(b"")
    files = reportfiles.ReportFiles(str(out), str(scratch), str(journal))
    files._start()
    real, calls = reportfiles._write_file, []

    def write_file(path, data, durable):
        calls.append(path)
        if len(calls) == 3:
            raise RuntimeError("unexpected")
        return real(path, data, durable)

    monkeypatch.setattr(reportfiles, "_write_file", write_file)
    before = len(os.listdir("/proc/self/fd"))
    try:
        files._write_block([(i, f"feedback/r{i}.md", b"x") for i in range(4)])
        raise AssertionError("the error should propagate to the writer loop")
    except RuntimeError:
        pass
    finally:
        after = len(os.listdir("/proc/self/fd"))
        files.close()
    assert after == before
    assert not (out / "feedback").exists() and journal.read_bytes() == b""


def _report_files(tmp_path: Path):
    from grader.batch import reportfiles

    scratch, out, journal = tmp_path / "scratch", tmp_path / "out", tmp_path / "journal"
    scratch.mkdir()
    (out / "feedback").mkdir(parents=True)
    journal.write_bytes(b"")
    return reportfiles.ReportFiles(str(out), str(scratch), str(journal))


@pytest.mark.parametrize("seconds, threads", [(0.0002, 1), (0.003, "WRITERS")])
def test_writer_threads_by_how_fast_the_disk_syncs(tmp_path, monkeypatch, seconds, threads):
    """A process whose fsync is quick (this machine's: a fraction of a millisecond) starts one writer thread: it
    keeps up, and more only cost GIL hand-offs and system time; one whose fsync is slow (a laptop's SSD, a network
    file system) starts WRITERS, whose fsyncs overlap. Either way every report is written, once."""
    from grader.batch import reportfiles

    timed = []
    monkeypatch.setattr(reportfiles, "fsync_seconds", lambda folder: (timed.append(folder), seconds)[1])
    files = _report_files(tmp_path)
    try:
        for i in range(100):
            files.put(i, f"feedback/r{i}.md", f"report {i}\n".encode())
        assert files.wait() == {}
        assert len(files._threads) == (reportfiles.WRITERS if threads == "WRITERS" else threads)
        assert timed == [files.scratch]  # timed once, in the scratch folder
    finally:
        files.close()
    assert sorted(os.listdir(tmp_path / "out" / "feedback")) == sorted(f"r{i}.md" for i in range(100))
    assert all((tmp_path / "out" / "feedback" / f"r{i}.md").read_bytes() == f"report {i}\n".encode()
               for i in range(100))
    assert os.listdir(tmp_path / "scratch") == []


def test_fsync_seconds_times_a_real_fsync_and_leaves_nothing(tmp_path, monkeypatch):
    """The probe times the faster of two fsyncs of its own file (which it removes again); a folder it cannot write
    in gives 0.0 (a quick disk: one thread), not an error."""
    from grader.batch import reportfiles

    synced = []
    real = os.fsync

    def fsync(fd):
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    seconds = reportfiles.fsync_seconds(str(tmp_path))
    assert 0.0 < seconds < 5.0 and len(synced) == 2
    assert os.listdir(tmp_path) == []
    assert reportfiles.fsync_seconds(str(tmp_path / "missing")) == 0.0
