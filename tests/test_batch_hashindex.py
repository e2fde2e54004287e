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


def test_a_table_that_outgrows_memory_moves_to_a_file_and_answers_the_same(tmp_path, monkeypatch):
    """With a folder to spill to, past ``MEMORY_SLOTS`` the slots are in a file (probed with pread/pwrite, wrapping
    around its end): ``claim``/``get``/``add`` still agree with a dict (the oracle), through several growths, with
    many hashes colliding and negative; no slot is left in memory and no file is left to be seen."""
    monkeypatch.setattr(hashindex, "MEMORY_SLOTS", 64)
    monkeypatch.setattr(hashindex, "string_hash", lambda text: (hash(text) % 97) * (-1) ** len(text))
    words = [f"student {i % 700}" for i in range(1400)]  # each twice
    index = HashIndex(lambda n: (words[n],), spill_to=tmp_path)
    oracle: dict[str, int] = {}
    for n, w in enumerate(words):
        if n % 5 == 0 and w not in oracle:
            index.add(w, n)
            oracle[w] = n
            continue
        assert index.claim(w, n) == oracle.get(w)
        oracle.setdefault(w, n)
    assert index._file is not None and index.nbytes() == 0
    assert {w: index.get(w) for w in oracle} == oracle
    assert index.get("student 700") is None and index.count == 700
    assert list(tmp_path.iterdir()) == []
    index.close()


def test_the_memory_of_a_spilling_index_stays_bounded(tmp_path):
    """50,000 strings: the table is in the file, nothing of it in memory; without a folder it grows (the old way)."""
    words = [f"id {i}" for i in range(50_000)]
    spilling, in_memory = HashIndex(lambda n: (words[n],), spill_to=tmp_path), HashIndex(lambda n: (words[n],))
    for n, w in enumerate(words):
        assert spilling.claim(w, n) is None
        in_memory.add(w, n)
    assert spilling.nbytes() == 0 and in_memory.nbytes() >= 65536 * 12
    assert spilling.get("id 49999") == 49999 and spilling.get("id 50000") is None
    assert all(spilling.get(words[n]) == n for n in range(0, 50_000, 997))
    spilling.close()


def test_a_batch_whose_indexes_spill_to_files_writes_the_same_bytes(tmp_path, monkeypatch):
    """Every index of the parent (reports' first places, the manifest's files, the ids each gradebook wrote) in a
    file from 64 slots on: resubmissions, a report name two files want, a duplicate id and a rerun that drops
    students give the same outputs, byte for byte, as with the indexes in memory."""
    import tempfile

    from tests.test_batch_reports_in_place import SEED, SEED_STUDENT, run, sub, tree, write

    src = tmp_path / "in"
    for i in range(60):
        write(src, f"s{i:02d}.yaml", sub(str(3000 + i), f"Student {i}"), 1_700_000_000)
    # late in the order (rows sort by id), when the indexes are in their files already
    write(src, "s55_again.yaml", sub("3055", "Student 55", z1="-7.65"), 1_700_000_900)  # resubmissions
    write(src, "s56_renamed.yaml", sub("3056", "Student Fifty-six"), 1_700_000_900)
    write(src, "zed_99999_100_hw.yaml", sub("3058", "Student 58"), 1_700_000_000)  # Canvas's id and a taken one
    write(src / "a", "x.yaml", SEED.replace(SEED_STUDENT + "\n", ""), 1_700_000_000)  # two without identity
    write(src / "b", "x.yaml", SEED.replace(SEED_STUDENT + "\n", ""), 1_700_000_000)
    fewer = tmp_path / "fewer"
    for i in range(0, 60, 2):
        write(fewer, f"s{i:02d}.yaml", sub(str(3000 + i), f"Student {i}"), 1_700_000_000)

    def both_runs(out):
        run(src, out, jobs=2, lms="canvas")
        first = tree(out)
        assert b"duplicate-id" in first["needs-attention.csv"]
        run(fewer, out, jobs=2, lms="canvas")  # a rerun: the reports of the students left out are removed
        return first, tree(out)

    plain = both_runs(tmp_path / "plain")
    files = []
    real = tempfile.TemporaryFile

    def counted(*args, **kwargs):
        f = real(*args, **kwargs)
        files.append(f)
        return f

    monkeypatch.setattr(hashindex, "MEMORY_SLOTS", 64)
    monkeypatch.setattr(hashindex.tempfile, "TemporaryFile", counted)
    spilled = both_runs(tmp_path / "spilled")
    assert len(files) >= 6  # the claims, the manifest's, grades.csv's and the four LMS books' indexes, per run
    assert spilled == plain
    assert len(plain[1]) < len(plain[0])  # (the rerun did remove reports)


def test_an_index_made_for_the_strings_expected_never_rehashes_and_answers_the_same(tmp_path, monkeypatch):
    """``expected``: the table is that large from the start (in its file when it must be): filling it moves no
    slot; more strings than expected still fit (it grows); answers as a dict does, every hash colliding in pairs."""
    monkeypatch.setattr(hashindex, "string_hash", lambda text: hash(text) // 2)
    words = [f"w{i}" for i in range(7000)]
    grows = []
    real_grow = HashIndex._grow
    monkeypatch.setattr(HashIndex, "_grow", lambda self: (grows.append(self._size), real_grow(self)))
    index = HashIndex(lambda n: (words[n],), spill_to=tmp_path, expected=5000)
    assert index._file is not None
    for n, w in enumerate(words[:5000]):
        assert index.claim(w, n) is None
    assert grows == []
    for n, w in enumerate(words[5000:], 5000):
        index.add(w, n)
    assert grows and all(index.get(w) == n for n, w in enumerate(words)) and index.get("w7000") is None
    small = HashIndex(lambda n: (words[n],), expected=100)  # in memory: room for 100 at once
    assert small._size == 256 and small._file is None
    index.close()
