"""The diagnoses' cache of roundings (``grader.grade.diagnose._ROUNDED``) is bounded, so that a batch worker's
memory stays flat however many distinct values its students write (issue 16); what it returns is unchanged."""

from __future__ import annotations

from grader.grade import diagnose


def test_the_rounding_cache_stays_small_and_rounds_as_round_sig():
    diagnose._ROUNDED.clear()
    xs = [(k + 0.5) * 1.37e-3 for k in range(3 * diagnose.ROUNDED_MAX)]  # distinct values, as students' are
    for x in xs:
        for digits in (1, 3):
            # the oracle: formatting to significant digits, independent of round_sig
            assert diagnose._round_sig(x, digits) == float(f"{x:.{digits}g}")
            assert len(diagnose._ROUNDED) <= diagnose.ROUNDED_MAX + 1
    assert diagnose.ROUNDED_MAX <= 4096  # a few hundred kilobytes at most (was 50,000 entries: about 10 MB)
