"""``grader.fileio.read_capped``: the bytes of a regular file, at most ``limit`` of them, in as few reads as it takes
(one ``read``, of that size, for a file of the size ``fstat`` gives), and every byte of a file whose size ``fstat`` does not know."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import fileio
from grader.errors import GraderError, LimitError
from grader.fileio import read_capped


class _Reads:
    """``os.read`` counted."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[int] = []
        real = os.read

        def read(fd, n):
            self.calls.append(n)
            return real(fd, n)

        monkeypatch.setattr(os, "read", read)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([0, 1, 2, 100, 4095, 4096, 4097]), st.integers(-2, 2))
def test_the_bytes_are_the_files_up_to_the_limit(tmp_path_factory, size, delta):
    path = tmp_path_factory.mktemp("f") / "a.yaml"
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    path.write_bytes(data)
    limit = max(0, size + delta)
    if size > limit:
        with pytest.raises(LimitError):
            read_capped(path, limit)
    else:
        assert read_capped(path, limit) == path.read_bytes()


def test_a_file_is_read_in_one_read(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"problem: exercise6\n" * 50)
    reads = _Reads(monkeypatch)
    assert read_capped(path) == path.read_bytes()
    assert reads.calls == [len(path.read_bytes()) + 1]  # one read, of a buffer the file's size (and a byte)


def test_an_empty_file_is_read_in_one_read(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"")
    reads = _Reads(monkeypatch)
    assert read_capped(path) == b""
    assert len(reads.calls) == 1


@pytest.mark.parametrize("said", [0, 10, 999])
def test_a_file_fstat_misjudges_is_read_to_its_end(tmp_path, monkeypatch, said):
    """Only a short read that ends where ``fstat`` says the file ends is taken as its end: with another size
    (a growing file, a /proc file that says 0) every byte is read, up to the limit."""
    path = tmp_path / "a.yaml"
    data = b"x" * 5000
    path.write_bytes(data)
    real = os.fstat

    class Said:
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, said

    monkeypatch.setattr(os, "fstat", lambda fd: Said(real(fd)))
    reads = _Reads(monkeypatch)
    assert read_capped(path) == data
    assert len(reads.calls) >= 2 and reads.calls[0] == said + 1  # read on to the read that finds nothing
    with pytest.raises(LimitError):
        read_capped(path, 4999)


def test_a_file_larger_than_one_read_is_read_whole(tmp_path):
    path = tmp_path / "big.yaml"
    data = bytes(range(256)) * (5 * 4096 + 3)  # over 1 MiB: more than one read of 1 MiB
    path.write_bytes(data)
    assert read_capped(path, len(data)) == data
    with pytest.raises(LimitError):
        read_capped(path, len(data) - 1)


def test_a_folder_a_fifo_and_a_link_are_refused(tmp_path):
    with pytest.raises(GraderError, match="a folder"):
        read_capped(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(GraderError, match="FIFO"):
        read_capped(fifo)
    target = tmp_path / "t.yaml"
    target.write_bytes(b"a: 1\n")
    link = tmp_path / "l.yaml"
    link.symlink_to(target)
    assert read_capped(link) == b"a: 1\n"
    with pytest.raises(GraderError, match="symbolic link"):
        read_capped(link, follow_symlinks=False)
    assert fileio._NOFOLLOW
