"""The parent's per-row records of a batch (``grader.batch.order.Keys``) are kept on disk and sorted by an external
merge, so that its memory does not grow with the files (issue 16): the order is the one of sorting all records at
once, also across many sorted runs; ``_shared_hashes`` finds every hash that occurs twice, also across runs."""

from __future__ import annotations

import pytest

import random
from collections import Counter

from grader.batch.order import STATUSES, Keys, _shared_hashes, sort_string


def _rows(n: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sid = rng.choice([None, str(rng.randrange(30)), f"{rng.randrange(10**6):07d}", "a\u00e9b", "x\0y"])
        file = rng.choice(["s.yaml", f"f{rng.randrange(50)}.yaml", "\u00fc/\U0001f600.yml", "z\udcff.yaml"])
        out.append((sid, f"{file}{i}", rng.randrange(2**40), rng.randrange(2**20), rng.randrange(5),
                    rng.randrange(-2**63, 2**63), rng.choice(STATUSES)))
    return out


def test_keys_sort_on_disk_as_all_at_once(tmp_path):
    for n, run in [(0, 3), (1, 3), (50, 3), (500, 7), (500, 4096)]:
        rows = _rows(n, n + run)
        keys = Keys(tmp_path, run=run)
        for sid, file, offset, length, spill, who, status in rows:
            keys.add(sort_string(sid, file), offset, length, spill, who, status)
        keys.sort()
        # the oracle: Python's sort of (sort string as UTF-8, then the row's place), which is unique per row here
        expected = sorted(rows, key=lambda r: sort_string(r[0], r[1]).encode("utf-8", "surrogatepass"))
        assert len(keys) == n
        assert [keys.where(i) for i in range(n)] == [(r[2], r[3], r[4]) for r in expected]
        assert [keys.who(i) for i in range(n)] == [r[5] for r in expected]
        assert [keys.status(i) for i in range(n)] == [r[6] for r in expected]
        for block in (1, 3, 4096):  # one pass over the records, a block at a time
            assert list(keys.statuses(block)) == [(r[5], r[6]) for r in expected]
        keys.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing left behind once closed


def test_shared_hashes_across_runs():
    rng = random.Random(7)
    whos = [rng.randrange(-40, 40) for _ in range(300)] + [rng.randrange(-2**63, 2**63) for _ in range(300)]
    rng.shuffle(whos)
    expected = {h for h, c in Counter(whos).items() if c > 1}
    for run in (1, 2, 5, 64, 10**6):
        assert _shared_hashes(iter(whos), run=run) == expected


@pytest.mark.parametrize("spill", [False, True])
def test_a_folder_discovery_packs_its_items_and_gives_them_back_sorted(tmp_path, spill):
    """``discover`` of a folder keeps each file as one string (``PackedItems``); the items it gives back are those
    of a list of ``Item``s sorted by (shown name, path on disk), equal shown names numbered. With ``spill_to`` the
    strings are in an unnamed file of that folder instead of in memory (a batch's scratch folder): the same items."""
    import os

    from grader.batch.inputs import Item, PackedItems, discover

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    names = ["b.yaml", "a\x01.yaml", "a\\x01.yaml", "sub/c.yaml", "notes.pdf", "Ω.yaml"]
    for k, name in enumerate(names):
        (folder / name).write_text("x", encoding="utf-8")
        os.utime(folder / name, (1_700_000_000.25 + k, 1_700_000_000.25 + k))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found = discover(folder, lms="canvas", spill_to=scratch if spill else None)
    assert isinstance(found.items, PackedItems)
    assert (found.items._packed is None) == spill and list(scratch.iterdir()) == []
    items = list(found.items)
    mtime = {n: 1_700_000_000.25 + k for k, n in enumerate(names)}
    assert items == [
        Item("a\\x01.yaml", None, mtime["a\\x01.yaml"], None, "canvas", None),
        Item("a\\x01.yaml (file 2)", None, mtime["a\x01.yaml"], None, "canvas", "a\x01.yaml"),
        Item("b.yaml", None, mtime["b.yaml"], None, "canvas", None),
        Item("notes.pdf", None, mtime["notes.pdf"], items[3].skip, "canvas", None),
        Item("sub/c.yaml", None, mtime["sub/c.yaml"], None, "canvas", None),
        Item("Ω.yaml", None, mtime["Ω.yaml"], None, "canvas", None),
    ]
    assert items[3].skip and "not" in items[3].skip
    found.items[0] = None
    assert found.items[0] is None and len(found.items) == 6 and found.items[1] == items[1]
    found.close()


def test_a_name_that_is_not_utf8_survives_the_move_to_a_file(tmp_path):
    """A file name with undecodable bytes (kept by the system as lone surrogates) and a newline in one: the items
    read back from the file are those kept in memory."""
    import os

    from grader.batch.inputs import discover

    folder = tmp_path / "in"
    folder.mkdir()
    for raw in (b"caf\xe9.yaml", b"two\nlines.yaml", "ü.yaml".encode()):
        with open(os.path.join(os.fsencode(folder), raw), "w", encoding="utf-8") as f:
            f.write("x")
    in_memory = list(discover(folder).items)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    moved = discover(folder, spill_to=scratch)
    assert list(moved.items) == in_memory and any(i.raw and "\udce9" in i.raw for i in in_memory)
    moved.close()


def test_external_sort_gives_the_order_of_sorting_all_at_once(tmp_path):
    """``ExternalSort`` (runs sorted in memory, written to unnamed files, merged) against Python's sort of all the
    strings at once: repeats, the empty string, NUL and high bytes; nothing is left in the folder."""
    from grader.batch.extsort import ExternalSort

    rng = random.Random(11)
    for n, run in [(0, 1), (1, 1), (7, 1), (100, 3), (1000, 64), (1000, 4096)]:
        strings = [bytes(rng.choice([0, 1, 65, 97, 200, 255]) for _ in range(rng.randrange(6))) for _ in range(n)]
        ext = ExternalSort(tmp_path, run)
        for s in strings:
            ext.add(s)
        assert ext.spilled == (n >= run)
        assert list(ext) == sorted(strings)
        assert list(tmp_path.iterdir()) == []


def _many_files(folder, names):
    import os

    folder.mkdir(parents=True)
    for k, name in enumerate(names):
        p = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else os.fsencode(name))
        with open(p, "w", encoding="utf-8") as f:
            f.write("x")
        os.utime(p, (1_700_000_000.5 + k, 1_700_000_000.5 + k))


def test_a_folder_listed_in_runs_gives_the_items_of_listing_it_at_once(tmp_path, monkeypatch):
    """With ``spill_to`` a folder's list is sorted in runs of ``RUN`` names, on disk, and merged: the same items
    as the list sorted in memory, equal shown names numbered across the runs' borders, undecodable and newline
    names kept."""
    from grader.batch import inputs

    names = [f"s{k:03d}.yaml" for k in range(40)] + ["a\x01.yaml", "a\\x01.yaml", "b\x02.yaml", "b\\x02.yaml",
                                                      b"caf\xe9.yaml", "two\nlines.yaml", "notes.pdf", "Ω.yaml"]
    _many_files(tmp_path / "in", names)
    in_memory = list(inputs.discover(tmp_path / "in").items)
    assert sum("(file 2)" in i.name for i in in_memory) == 2
    for run in (1, 2, 3, 7, 4096):
        monkeypatch.setattr(inputs, "RUN", run)
        scratch = tmp_path / f"scratch{run}"
        scratch.mkdir()
        found = inputs.discover(tmp_path / "in", spill_to=scratch)
        assert list(found.items) == in_memory
        assert list(scratch.iterdir()) == []  # the runs and the list are unnamed files
        found.items[3] = None
        assert found.items[3] is None and found.items[4] == in_memory[4]
        found.close()


def test_listing_a_folder_holds_a_run_of_names_not_all_of_them(tmp_path, monkeypatch):
    """The parent's memory while it lists a folder (issue 16: flat in the files): with the list going to a file,
    the peak of Python's allocations while listing 4,000 files is under twice that of 1,000 (the names are held a
    run at a time; only 8 bytes a file stay: the offsets). A list of all the names in memory is four times."""
    import tracemalloc

    from grader.batch import inputs

    monkeypatch.setattr(inputs, "RUN", 500)
    peaks = {}
    for n in (1000, 4000):
        _many_files(tmp_path / f"in{n}", [f"submission_{k:06d}_of_a_student.yaml" for k in range(n)])
        scratch = tmp_path / f"scratch{n}"
        scratch.mkdir()
        inputs.discover(tmp_path / f"in{n}", spill_to=scratch).close()  # (warm: the modules' first-use caches)
        tracemalloc.start()
        try:
            found = inputs.discover(tmp_path / f"in{n}", spill_to=scratch)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(found.items) == n
        found.close()
    assert peaks[4000] < 2 * peaks[1000], peaks
