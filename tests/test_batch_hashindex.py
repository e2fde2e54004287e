"""The parent's compact index of strings (``grader.batch.hashindex``): exact even when every hash collides, and a
batch whose every hash collides writes the same bytes as one whose hashes do not."""

from __future__ import annotations

from pathlib import Path

from grader.batch import hashindex
from grader.batch.hashindex import HashIndex


def test_every_string_is_found_with_its_number_even_when_all_hashes_collide(monkeypatch):
    monkeypatch.setattr(hashindex, "string_hash", lambda text: 7)
    words = [f"id {i}" for i in range(300)]
    index = HashIndex(lambda n: (words[n],))  # the strings of "row" n, as a row read again gives them
    for n, w in enumerate(words):
        assert index.get(w) is None
        index.add(w, n)
    assert [index.get(w) for w in words] == list(range(300))  # through growth from 64 slots
    assert index.get("id 300") is None and index.get("") is None
    assert index.count == 300


def test_claim_gives_the_earlier_number_or_takes_the_string_even_when_all_hashes_collide(monkeypatch):
    """``claim`` is ``get`` then, when absent, ``add``: checked against a dict (the oracle), with repeats, through
    growth, every hash the same."""
    monkeypatch.setattr(hashindex, "string_hash", lambda text: 7)
    words = [f"id {i % 150}" for i in range(300)]  # each word twice
    index = HashIndex(lambda n: (words[n],))
    oracle: dict[str, int] = {}
    for n, w in enumerate(words):
        assert index.claim(w, n) == oracle.get(w)
        oracle.setdefault(w, n)
    assert index.count == len(oracle) == 150
    assert {w: index.get(w) for w in oracle} == oracle
    assert index.get("id 150") is None


def test_a_row_with_several_strings_and_negative_hashes(monkeypatch):
    monkeypatch.setattr(hashindex, "string_hash", lambda text: -len(text))
    rows = {0: ("a", "bb"), 1: ("cc", "ddd")}
    index = HashIndex(lambda n: rows[n])
    for n, strings in rows.items():
        for s in strings:
            index.add(s, n)
    assert {s: index.get(s) for s in ("a", "bb", "cc", "ddd", "ee")} == {"a": 0, "bb": 0, "cc": 1, "ddd": 1,
                                                                          "ee": None}


def test_a_batch_where_every_hash_collides_writes_the_same_bytes(tmp_path, monkeypatch):
    from tests.test_batch_reports_in_place import SEED, SEED_STUDENT, run, sub, tree, write

    src = tmp_path / "in"
    for i in range(6):
        write(src, f"s{i}.yaml", sub(str(2000 + i), f"Student {i}"), 1_700_000_000)
    write(src, "s1_again.yaml", sub("2001", "Student 1", z1="-7.65"), 1_700_000_900)  # a resubmission
    write(src, "s2_renamed.yaml", sub("2002", "Student Two"), 1_700_000_900)  # ... under another name
    write(src / "a", "x.yaml", SEED.replace(SEED_STUDENT + "\n", ""), 1_700_000_000)  # two without identity
    write(src / "b", "x.yaml", SEED.replace(SEED_STUDENT + "\n", ""), 1_700_000_000)
    run(src, tmp_path / "plain", jobs=2)
    monkeypatch.setattr(hashindex, "string_hash", lambda text: 42)  # forked workers too; the parent is what counts
    run(src, tmp_path / "colliding", jobs=2)
    assert tree(tmp_path / "plain") == tree(tmp_path / "colliding")
    assert len(list(Path(tmp_path / "plain" / "feedback-not-uploaded" / "superseded").iterdir())) == 4
