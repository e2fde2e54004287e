"""A batch holds each submission file to the limit ``grade FILE`` holds it to: a written solution (``.md``, ``.tex``,
...) up to the write-up reader's 2 MiB, a YAML file up to the YAML reader's 1 MiB; from a folder and from a zip."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from grader.batch.run import grade_batch
from grader.submission.extract import MAX_WRITEUP_BYTES
from grader.yamlio import DEFAULT_MAX_BYTES

STAMP = "2026-01-01T00:00:00Z"


def _writeup(size: int, sid: str) -> str:
    head = f"# Student {sid}\n\n$$z_1 = -7.65$$\n\n"
    line = "Some working in words, kept as the student wrote it.\n"
    return head + line * ((size - len(head)) // len(line) + 1)


def _yaml(size: int, sid: str) -> str:
    head = f"problem: exercise6\nstudent: {{id: '{sid}'}}\nanswers:\n  z1: -7.65\n"
    return head + "# padding\n" * ((size - len(head)) // 10 + 1)


def _rows(out: Path) -> dict[str, dict]:
    return {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_write_up_up_to_its_own_limit_is_graded_and_yaml_keeps_its_limit(tmp_path, as_zip):
    files = {
        "mid.md": _writeup(DEFAULT_MAX_BYTES + 400_000, "401"),  # over the YAML limit, under the write-up's
        "big.md": _writeup(MAX_WRITEUP_BYTES + 1000, "402"),
        "mid.yaml": _yaml(DEFAULT_MAX_BYTES + 400_000, "403"),
        "ok.yaml": _yaml(100, "404"),
    }
    assert DEFAULT_MAX_BYTES < len(files["mid.md"].encode()) < MAX_WRITEUP_BYTES < len(files["big.md"].encode())
    if as_zip:
        src = tmp_path / "subs.zip"
        with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in files.items():
                zf.writestr(name, text)
    else:
        src = tmp_path / "subs"
        src.mkdir()
        for name, text in files.items():
            (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    grade_batch(src, out, problem="exercise6", jobs=1, progress=False, timestamp=STAMP, feedback="none")
    rows = _rows(out)
    assert sorted(rows) == sorted(files)
    assert rows["mid.md"]["status"] == "graded" and rows["mid.md"]["score"] == 1.0
    assert rows["ok.yaml"]["status"] == "graded"
    for name, limit in (("big.md", MAX_WRITEUP_BYTES), ("mid.yaml", DEFAULT_MAX_BYTES)):
        assert rows[name]["status"] == "unusable" and f"the limit is {limit:,} bytes" in rows[name]["error"]["message"], rows[name]
