"""The caches a batch worker fills with what its students write hold little memory however many distinct texts and
values they see (issue 16: a worker's peak at 10,000 files within 1.05x of its peak at 1,000 files, where each of
two workers has graded 500 files and is about 45 MB). Each cache holds the texts that recur across a class (the
key's values, the messages of common mistakes), so a few hundred entries keep nearly every hit; thousands of entries
only kept one-off student texts, and filled over the first few thousand files: a worker grew by 3 to 4 MB between
500 and 5,000 files. The oracle is the memory itself (``tracemalloc``: what is still allocated after the cache saw
20,000 distinct inputs), not the caps."""

from __future__ import annotations

import gc
import tracemalloc

from grader import yamlio, yamlplain
from grader.grade import diagnose
from grader.parse import answer
from grader.report import markdown

KIB = 1024
DISTINCT = 20_000


def _held(fill, clear) -> int:
    """Bytes still allocated after ``fill()`` ran (with the cache emptied before and after)."""
    clear()
    gc.collect()
    tracemalloc.start()
    try:
        fill()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        clear()


def test_markdown_messages_cache_stays_small():
    def fill():
        for k in range(DISTINCT):  # a diagnosis as a student's report shows it: their own numbers in it
            markdown.md_text(f"Incorrect, and it does not follow from your own values either: your a_1 and z_2 give "
                             f"{0.123456 + k * 1e-7:.6g}. Sign and size both differ: the key's values give "
                             f"-{0.5 + k * 1e-6:.6g}, but you wrote {0.5 + k * 1e-6:.6g}; recompute it step by step.")

    assert _held(fill, markdown.md_text.cache_clear) < 768 * KIB  # 8,192 entries held about 2.9 MB


def test_answer_texts_cache_stays_small():
    def fill():
        for k in range(DISTINCT):  # the values students write, each read once
            parsed = answer.parse_answer(f"{0.1234567 + k * 1e-9:.10g}")
            assert isinstance(parsed, answer.Parsed)

    def clear():
        answer._read_text.cache_clear()
        answer.is_plain_decimal.cache_clear()

    assert _held(fill, clear) < 1024 * KIB  # 4,096 entries held about 2.5 MB


def test_plain_decimal_cache_stays_small():
    def fill():
        for k in range(DISTINCT):
            assert answer.is_plain_decimal(f"{-0.7654321 - k * 1e-9:.10g}")

    assert _held(fill, answer.is_plain_decimal.cache_clear) < 256 * KIB  # 4,096 entries held about 670 kB


def test_yaml_scalars_cache_stays_small():
    """The values of the plain YAML reader (``grader.yamlio._plain_scalar``): every file's numbers."""
    def fill():
        for k in range(DISTINCT):
            doc = yamlio.load_yaml_text(f"answers:\n  z1: {0.1234567 + k * 1e-9:.10g}\n  h1: x{k}\n")
            assert doc.texts[("answers", "z1")]

    def clear():
        yamlio._plain_scalar.cache_clear()
        yamlplain._LINES.clear()

    assert _held(fill, clear) < 256 * KIB


def test_yaml_lines_cache_stays_small():
    """What the plain reader remembers of each line (``grader.yamlplain._LINES``): every file's answer lines, the
    longest it keeps (120 characters) with a comment after the value."""
    def fill():
        for k in range(DISTINCT):
            yamlplain._LINES.get("")  # (the cache alone: the scalars' cache is emptied after each file)
            yamlio.load_yaml_text(f"answers:\n  w5_new: {40 + k * 1e-9:.12g}   # {'x' * 80}\n")
            yamlio._plain_scalar.cache_clear()

    assert _held(fill, yamlplain._LINES.clear) < 256 * KIB


def test_parsed_values_cache_stays_small():
    """What the submission reader remembers of each value's text (``grader.submission.load._PARSED``)."""
    from grader.submission import load

    def fill():
        for k in range(DISTINCT):
            doc = yamlio.load_yaml_text(f"problem: p\nanswers:\n  z1: {0.1234567 + k * 1e-9:.10g}\n")
            load.submission_from_document(doc)
            yamlio._plain_scalar.cache_clear()
            yamlplain._LINES.clear()
            answer._read_text.cache_clear()
            answer.is_plain_decimal.cache_clear()

    assert _held(fill, load._PARSED.clear) < 256 * KIB


def test_grades_json_field_texts_cache_stays_small():
    """The grades.json entries' field texts (``grader.batch.gradebooks._FIELD_TEXTS``): a diagnosis quoting the
    student's own numbers, different for every student."""
    from grader.batch import gradebooks

    def fill():
        for k in range(DISTINCT):
            text = (f"Sign and size both differ: the values you used give {0.5 + k * 1e-6:.6g}, but you wrote "
                    f"{-0.25 - k * 1e-6:.6g}; recompute it step by step.")
            row = {"file": "f.yaml", "status": "graded", "fields": [["z1", "incorrect", 0.0, 1.0, "sign_and_size", text]]}
            assert text in gradebooks.entry_text(row, None)

    assert _held(fill, gradebooks._FIELD_TEXTS.clear) < 256 * KIB


def test_rounding_cache_stays_small():
    def fill():
        for k in range(DISTINCT):
            x = 0.31 + k * 1.37e-7
            assert diagnose._round_sig(x, 3) == float(f"{x:.3g}")

    assert _held(fill, diagnose._ROUNDED.clear) < 256 * KIB  # 4,096 entries held about 510 kB


def test_a_files_suffix_is_read_without_interning_its_name(monkeypatch):
    """``pathlib.Path`` interns each part of a path: in a batch, one new string per file in the interpreter's table
    of interned strings, which grew by a 0.9 MB step in a worker. Deciding whether a file is a write-up interns
    nothing, and agrees with ``Path.suffix`` (the oracle)."""
    import sys
    from pathlib import Path

    from grader.submission import writeup

    names = ["sub_000123.yaml", "/tmp/in/sub_1.md", "a/b/Essay.TEX", "notes.txt", "x.ipynb", "x.markdown", ".md",
             "..md", "a/..", "a.", "a.b.c", "noext", "dir/x.md/", "/", "", "ä/ß.Md", "a.tar.gz", "x/.tex", "x/y.t/z"]
    expected = {n: Path(n).suffix for n in names}
    interned = []
    real = sys.intern
    monkeypatch.setattr(sys, "intern", lambda s: interned.append(s) or real(s))
    got = {n: writeup.path_suffix(n) for n in names}
    flags = {n: writeup.is_writeup(n) for n in names}
    assert interned == []
    monkeypatch.undo()
    assert got == expected
    assert flags == {n: expected[n].lower() in writeup.WRITEUP_SUFFIXES for n in names}
    assert writeup.path_suffix(Path("a/b.md")) == ".md"


def test_latex_readers_tables_stay_small():
    """The LaTeX reader's tables of lexemes, numbers and names fill (then stop) with what write-ups contain: at
    50,000 / 10,000 / 10,000 entries they held about 14 MB, filled over a batch of write-ups."""
    from grader.parse import latex

    def clear():
        latex._LEXEME_TOKENS.clear()
        latex._NUMBERS.clear()
        latex._NAMES.clear()

    def fill():
        for k in range(DISTINCT * 3):  # a write-up's formulas: its own numbers, a few names
            latex._lex(f"z_{{{k % 7}}} = 0.{123456 + k} \\cdot a_{k % 50} + {k}.5")

    assert _held(fill, clear) < 2048 * KIB


def test_report_values_cache_stays_small():
    from grader.report import common

    def fill():
        for k in range(DISTINCT):  # a value shown as written when its text is not known
            common._fmt10(0.123456789 + k * 1e-9)

    assert _held(fill, common._fmt10.cache_clear) < 512 * KIB  # 16,384 entries held about 3.5 MB
