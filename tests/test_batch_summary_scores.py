"""``summary.html``'s score line and histogram (grader.batch.summary), checked against the statistics module on
the same scores, and the builder's memory: flat in the students (it counts how many have each score)."""

from __future__ import annotations

import random
import re
import statistics
import tracemalloc

import pytest

from grader.batch.summary import SummaryBuilder


def _row(i: int, score: float) -> dict:
    return {"status": "graded", "file": f"s{i}.yaml", "student_id": str(1000 + i), "name": f"S {i}",
            "score": score, "max_score": 24.0, "fields": [], "flags": [], "warnings": []}


def _shown(x: float) -> str:  # as the page writes points: a plain decimal, six places at most
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@pytest.mark.parametrize("n, seed", [(1, 1), (2, 2), (7, 3), (50, 4), (501, 5)])
def test_score_line_is_the_statistics_of_the_scores(n, seed):
    rng = random.Random(seed)
    scores = [rng.choice([0.0, 4.0, 4.5, 13.0, 17.333333, 24.0]) if rng.random() < 0.7 else rng.uniform(0, 24)
              for _ in range(n)]
    summary = SummaryBuilder([])
    for i, s in enumerate(scores):
        summary.add(_row(i, s))
    page = summary.html(title="t", meta=[], notes=[])
    line = re.search(r"<p>(\d+) students? graded; mean ([^,]+), median ([^,]+), lowest ([^,]+), highest ([^ ]+) "
                     r"\(of 24\)\.</p>", page)
    assert line, page[:2000]
    assert int(line[1]) == n
    assert line[2] == _shown(round(sum(sorted(scores)) / n, 2))
    assert line[3] == _shown(statistics.median(scores))
    assert line[4] == _shown(min(scores)) and line[5] == _shown(max(scores))
    # the histogram's bars count every student once
    bars = [int(c) for c in re.findall(r"<title>[^<]*: (\d+)</title></rect>", page)]
    assert sum(bars) == n


def test_the_builder_does_not_grow_with_the_students():
    """20,000 students with a handful of distinct scores: what the builder keeps grows by a few kilobytes, not by
    8 bytes a student (a list or array of every score)."""
    summary = SummaryBuilder(["z1"])
    for i in range(100):  # (warm: the counters' first entries)
        summary.add(_row(i, float(i % 7)))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(20000):
            summary.add(_row(i, float(i % 7)))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 16_000, grown
    assert "20100 students graded" in summary.html(title="t", meta=[], notes=[])
