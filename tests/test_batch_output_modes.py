"""Every file a batch writes has the mode of an ordinary new file (0666 less the umask), as the reports do."""

from __future__ import annotations

from tests.test_batch_empty_resubmission import SEED, _batch


def test_every_output_has_the_mode_of_an_ordinary_file(tmp_path):
    # gradebooks, grades.json and the manifest were 0600 (tempfile.mkstemp) beside 0644 reports and summary.html
    import stat

    from grader import fileio

    rows = _batch(tmp_path, [("hw.yaml", SEED)])
    assert rows["hw.yaml"]["status"] == "graded"
    expected = 0o666 & ~fileio._UMASK
    out = tmp_path / "out"
    files = [p for p in out.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert {"grades.csv", "grades.json", "gradebook-canvas.csv", "manifest.json", "summary.html"} <= {p.name for p in files}
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {p.name: oct(expected) for p in files}
