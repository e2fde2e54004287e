"""A batch that cannot lose or mix data (issue 10, item 3/4 for ``grade batch``): regression tests of each
reproduction, through the real CLI (in this process, or as a subprocess where a process is killed)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.batch import bookkeeping
from grader.batch.reportfiles import SCRATCH_PREFIX

SPILLS = f"{SCRATCH_PREFIX}*/.grades-rows-*.tmp"  # a running batch's spill files (one per grading process)
from grader.batch.rows import KILL_ON_ENV, KILL_ONCE_ENV
from grader.batch.run import grade_batch
from grader.batch.workers import max_jobs
from grader.cli import main as cli_main

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
SEED_STUDENT = 'student: {id: "400222100", name: Reza Mosavi}'


def sub(sid: str, name: str, z1: str | None = None) -> str:
    text = SEED.replace(SEED_STUDENT, f'student: {{id: "{sid}", name: {name}}}')
    return text.replace("  z1: -11.65 ", f"  z1: {z1} ", 1) if z1 else text


def make_input(folder: Path, n: int, *, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        p = folder / f"s{i:04d}.yaml"
        p.write_text(sub(str(1000 + i), f"Student N{i:04d}", z1="-7.65" if i % 3 == 0 else None), encoding="utf-8")
        os.utime(p, (1_700_000_000 + i, 1_700_000_000 + i))
    return folder


def files_of(out: Path) -> dict[str, dict]:
    return {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry with its kind, bytes and modification time: to show that nothing was touched."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[p.relative_to(folder).as_posix()] = (st.st_mode, st.st_mtime_ns, p.read_bytes() if p.is_file() else None)
    return out


def batch(*args: str) -> list[str]:
    return ["batch", *args, "--no-progress"]


def run_cli_subprocess(args: list[str], env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grader", *args], cwd=REPO, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def leftovers(out: Path) -> list[str]:
    names = [p.relative_to(out).as_posix() for p in out.rglob("*")]
    return sorted(n for n in names if n.endswith(".tmp") or "/.staging-" in n or n == bookkeeping.JOURNAL
                  or n.startswith(SCRATCH_PREFIX))


def importable(out: Path) -> list[str]:
    """What an LMS importer given the upload folder sees that is not a complete report: temporary files, folders,
    hidden files (Moodle's importziplib and Canvas's zip upload take every file of the zip)."""
    folder = out / "feedback"
    return sorted(p.relative_to(out).as_posix() for p in (folder.rglob("*") if folder.is_dir() else ())
                  if not p.is_file() or p.name.startswith(".") or not p.name.endswith((".md", ".html")))


# ------------------------------------------------------------------------------------------------ a worker dies

def test_a_killed_worker_is_detected_its_file_gets_a_row_and_the_batch_ends(tmp_path):
    """Issue 10: kill -9 of one worker hung `grade batch` forever. Now its chunk is graded again, one file at a time
    in a fresh worker; the file that kills every worker grading it gets a row with the reason."""
    src = make_input(tmp_path / "in", 12)
    clean, out = tmp_path / "clean", tmp_path / "out"
    assert cli_main(batch(str(src), "--out", str(clean), "--problem", "exercise6", "--jobs", "2")) == 0
    proc = run_cli_subprocess(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "2"),
                              env={KILL_ON_ENV: "s0005.yaml"})
    stdout, stderr = proc.communicate(timeout=120)  # it ends by itself
    assert proc.returncode == 0, stderr
    assert "graded 11, unusable 1" in stdout
    rows, good = files_of(out), files_of(clean)
    assert rows["s0005.yaml"]["status"] == "unusable"
    assert "died" in rows["s0005.yaml"]["error"]["message"]
    assert rows["s0005.yaml"]["student"]["id"] is None and rows["s0005.yaml"]["feedback"] is not None
    for name, row in good.items():  # every other file exactly as in a run where no worker died
        if name != "s0005.yaml":
            assert rows[name] == row
    assert leftovers(out) == []


def test_a_worker_killed_once_loses_nothing(tmp_path):
    """A worker killed once (by the system, say) while grading: the retry in a fresh worker grades its files, and
    every output is byte-identical to a run where nothing died."""
    src = make_input(tmp_path / "in", 10)
    clean, out = tmp_path / "clean", tmp_path / "out"
    flag = tmp_path / "kill-once"
    flag.write_text("")
    common = ["--problem", "exercise6", "--jobs", "2", "--timestamp", "2025-01-01T00:00:00Z"]
    assert cli_main(batch(str(src), "--out", str(clean), *common)) == 0
    proc = run_cli_subprocess(batch(str(src), "--out", str(out), *common),
                              env={KILL_ON_ENV: "s0003.yaml", KILL_ONCE_ENV: str(flag)})
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert not flag.exists()  # the hook did fire: a worker died
    assert tree(out) == tree(clean)


# ------------------------------------------------------------------------------------------------ the lock

def test_a_second_run_into_a_locked_out_exits_2_at_once_and_touches_nothing(tmp_path, capsys):
    src = make_input(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 0
    (out / ".grades-rows-1-deadbeef.tmp").write_text("the scratch file of the run that is running")
    before = snapshot(out)
    fd = os.open(out / bookkeeping.LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run that is running holds it
        capsys.readouterr()
        assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "2")) == 2
        err = capsys.readouterr().err
        assert "another `grade batch` is writing into this folder" in err and str(out) in err
        assert snapshot(out) == before
    finally:
        os.close(fd)
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 0  # free again


def test_concurrent_runs_into_one_out_never_mix_rows(tmp_path):
    """Issue 10: two batches into one --out shared `.grades-rows.tmp` (a crash, or 394 of 4000 rows foreign)."""
    a = make_input(tmp_path / "a", 40)
    b = make_input(tmp_path / "b", 40, start=500)
    out = tmp_path / "out"
    procs = [run_cli_subprocess(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "2"))
             for src in (a, b)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    codes = sorted(r[2] for r in results)
    assert codes in ([0, 0], [0, 2]), results
    for _, err, code in results:
        if code == 2:
            assert "another `grade batch` is writing into this folder" in err
    names = set(files_of(out))
    assert names in ({p.name for p in a.iterdir()}, {p.name for p in b.iterdir()})
    feedback = {p.name for p in (out / "feedback").iterdir()}
    ids = {n.split("_")[1] for n in feedback}
    assert ids == {row["student"]["id"] for row in files_of(out).values()}  # no report of the other input
    assert leftovers(out) == []


# ------------------------------------------------------------------------------------------------ reruns

def test_a_rerun_removes_the_reports_an_earlier_run_wrote_and_keeps_what_is_not_its_own(tmp_path):
    """Issue 10: a reused --out kept 6000 stale reports beside 8000 new ones."""
    src = make_input(tmp_path / "in", 4)
    out = tmp_path / "out"
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 0
    old_reports = {p.name for p in (out / "feedback").iterdir()}
    assert len(old_reports) == 8
    (out / "notes.txt").write_text("the instructor's own file")
    (out / "feedback" / "my_comments.md").write_text("also the instructor's")
    (src / "s0002.yaml").unlink()  # a student withdrew
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 0
    now = {p.name for p in (out / "feedback").iterdir()}
    assert now == (old_reports - {"n0002student_1002_feedback.md", "n0002student_1002_feedback.html"}) \
        | {"my_comments.md"}
    assert (out / "notes.txt").read_text() == "the instructor's own file"
    manifest = json.loads((out / bookkeeping.MANIFEST).read_text(encoding="utf-8"))
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"notes.txt", "feedback/my_comments.md", bookkeeping.LOCK}


def test_a_tampered_manifest_never_removes_anything_outside_the_outputs(tmp_path):
    src = make_input(tmp_path / "in", 2)
    out = tmp_path / "out"
    victim = tmp_path / "victim.md"
    victim.write_text("keep me")
    (out / "feedback").mkdir(parents=True)
    (out / "feedback" / "kept.txt").write_text("not a report")
    (out / bookkeeping.MANIFEST).write_text(json.dumps({"files": [
        "../victim.md", str(victim), "feedback/../../victim.md", "feedback/kept.txt", "notes/x.md"]}))
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 0
    assert victim.read_text() == "keep me" and (out / "feedback" / "kept.txt").exists()


def test_leftovers_of_a_killed_run_are_removed_and_its_lock_is_free(tmp_path):
    """Issue 10: SIGKILL left `.grades-rows.tmp` and `feedback/.staging-*` that no later run removed. Here the run's
    parent is killed with SIGKILL mid-batch; its workers exit by themselves; the upload folder holds only complete
    reports (the temporary files are in the run's scratch folder, outside it); the next run starts at once, removes
    what was left (also an older version's staging folder) and writes what a clean run writes."""
    src = make_input(tmp_path / "in", 80)
    out, clean = tmp_path / "out", tmp_path / "clean"
    common = ["--problem", "exercise6", "--jobs", "2", "--timestamp", "2025-01-01T00:00:00Z"]
    proc = run_cli_subprocess(batch(str(src), "--out", str(out), *common))
    deadline = time.monotonic() + 60
    while not any(out.glob(SPILLS)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    left = leftovers(out)
    assert any(n.startswith(SCRATCH_PREFIX) and "/.grades-rows-" in n for n in left)
    assert importable(out) == []
    (out / ".grades-rows.tmp").write_text("left by an older version")
    (out / "feedback" / ".staging-1-abcd").mkdir(parents=True, exist_ok=True)
    (out / "feedback" / ".staging-1-abcd" / "0000001.md").write_text("staged by an older version")
    (out / ".grades.csv.abc123.tmp").write_text("a half-written gradebook")
    assert cli_main(batch(str(src), "--out", str(out), *common)) == 0  # the lock died with the run
    assert leftovers(out) == []
    assert cli_main(batch(str(src), "--out", str(clean), *common)) == 0
    assert tree(out).keys() - {bookkeeping.LOCK} == tree(clean).keys() - {bookkeeping.LOCK}
    assert (out / "grades.json").read_bytes() == (clean / "grades.json").read_bytes()


def test_sigterm_stops_the_run_and_removes_its_scratch_files(tmp_path):
    src = make_input(tmp_path / "in", 80)
    out = tmp_path / "out"
    proc = run_cli_subprocess(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "2"))
    deadline = time.monotonic() + 60
    while not any(out.glob(SPILLS)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    # the reports written so far are in place (whole), and the journal that lists them stays for the next run
    assert leftovers(out) in ([], [bookkeeping.JOURNAL]) and importable(out) == []


# ------------------------------------------------------------------------------------------------ odd names

def test_any_file_name_gets_a_row_with_a_printable_name(tmp_path):
    """Issue 10: one file name that is not valid UTF-8 stopped the whole batch (UnicodeEncodeError, exit 1)."""
    src = tmp_path / "in"
    src.mkdir()
    names = {
        b"caf\xe9.yaml": ("caf\\xe9.yaml", "1"),  # Latin-1, not UTF-8
        "evil\u202egpj.yaml".encode(): ("evil\\u202egpj.yaml", "2"),  # a right-to-left override
        b"bell\x07\n.yaml": ("bell\\x07\\x0a.yaml", "3"),  # control characters
        ("\u00e9" * 120 + ".yaml").encode(): (None, "4"),  # 245 bytes: as long as a name can be
    }
    for raw, (_, sid) in names.items():
        with open(os.path.join(os.fsencode(src), raw), "w", encoding="utf-8") as f:
            f.write(sub(sid, "A Student" + sid))
    (src / "fine.yaml").write_text(sub("5", "Fine Name"), encoding="utf-8")
    out = tmp_path / "out"
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "2")) == 0
    rows = files_of(out)
    assert len(rows) == 5 and all(r["status"] == "graded" and r["score"] == rows["fine.yaml"]["score"]
                                  for r in rows.values())
    for shown, _ in names.values():
        if shown is not None:
            assert shown in rows
    long_name = next(n for n in rows if n.startswith("\u00e9"))
    assert len(long_name) <= 300 and long_name.endswith(".yaml")
    for row in rows.values():
        assert row["file"].isprintable()
    (out / "grades.csv").read_bytes().decode("utf-8")  # valid UTF-8 throughout
    for p in (out / "feedback").iterdir():
        assert p.name.isprintable() and len(os.fsencode(p.name)) <= 255


def test_long_names_keep_the_ids_in_feedback_names(tmp_path):
    """A long Moodle or Canvas name is shortened in the report's name, never the ids the LMS reads from it."""
    from grader.batch.feedback import feedback_stem
    from grader.batch.inputs import identity_from_name

    moodle = identity_from_name("\u00e9" * 200 + "_1234567_assignsubmission_file_hw.yaml")
    stem = feedback_stem(moodle, None, "x")
    assert stem.endswith("_1234567_assignfeedback_file_feedback") and len(stem.encode()) <= 180
    canvas = identity_from_name("a" * 200 + "_12345_678_hw.yaml")
    assert feedback_stem(canvas, None, "x").endswith("_12345_678_feedback")


# ------------------------------------------------------------------------------------------------ unwritable outputs

@pytest.mark.parametrize("obstacle", ["feedback is a file", "grades.csv is a folder", "summary.html is a folder"])
def test_an_output_that_cannot_be_written_is_exit_2_with_the_path(tmp_path, capsys, obstacle):
    """Issue 10: `feedback` a file, `grades.csv` a folder were reported as "a bug", exit 1."""
    src = make_input(tmp_path / "in", 2)
    out = tmp_path / "out"
    out.mkdir()
    name, kind = obstacle.split(" is a ")
    (out / name).mkdir() if kind == "folder" else (out / name).write_text("x")
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 2
    err = capsys.readouterr().err
    assert "cannot write the output" in err and str(out / name) in err and "internal error" not in err


def test_an_out_in_the_proc_file_system_is_exit_2(tmp_path, capsys):
    src = make_input(tmp_path / "in", 1)
    assert cli_main(batch(str(src), "--out", "/proc/self/graded", "--problem", "exercise6")) == 2
    err = capsys.readouterr().err
    assert "cannot write the output" in err and "/proc/self/graded" in err


def test_an_output_that_fails_while_publishing_is_exit_2(tmp_path, capsys, monkeypatch):
    """An output that becomes unwritable after the checks (a full disk, a permission changed) is exit 2 too."""
    src = make_input(tmp_path / "in", 2)
    out = tmp_path / "out"
    from grader.batch import gradebooks

    real = gradebooks.AtomicStream.commit

    def full_disk(self):
        if self.path.name == "gradebook-moodle.csv":
            raise OSError(28, "No space left on device", str(self.path))
        real(self)

    monkeypatch.setattr(gradebooks.AtomicStream, "commit", full_disk)
    assert cli_main(batch(str(src), "--out", str(out), "--problem", "exercise6", "--jobs", "1")) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "gradebook-moodle.csv" in err
    assert leftovers(out) == [bookkeeping.JOURNAL]  # the next run knows what this one may have written


# ------------------------------------------------------------------------------------------------ options

def test_batch_needs_the_instructors_problem(tmp_path, capsys):
    src = make_input(tmp_path / "in", 1)
    assert cli_main(batch(str(src), "--out", str(tmp_path / "out"))) == 2
    err = capsys.readouterr().err
    assert "--problem" in err and "--problems DIR" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(Exception, match="--problems DIR"):
        grade_batch(src, tmp_path / "out")


def test_jobs_is_capped_with_a_message(tmp_path, capsys):
    src = make_input(tmp_path / "in", 2)
    assert cli_main(batch(str(src), "--out", str(tmp_path / "out"), "--problem", "exercise6",
                          "--jobs", "100000")) == 0
    err = capsys.readouterr().err
    assert "--jobs 100000" in err and f"using {max_jobs()} workers" in err
