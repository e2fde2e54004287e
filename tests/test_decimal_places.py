"""``grader.numfmt.decimal_places``: the one count of a fraction's decimal places that the solver's exact decimals
(``grader.solve.exact``) and the write-up reader's (``grader.submission.writeup_values``) share. Checked against
the definition: the fewest k with q·10^k a whole number, None when there is none."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from grader.numfmt import decimal_places
from grader.solve.exact import _short_decimal
from grader.submission.writeup_values import decimal_text


def fewest_places(q: Fraction, limit: int = 200) -> int | None:
    for k in range(limit):
        if (q * 10**k).denominator == 1:
            return k
    return None


@given(st.integers(-10**12, 10**12), st.integers(0, 40), st.integers(0, 40), st.sampled_from([1, 1, 3, 7, 9]))
def test_decimal_places_is_the_fewest_places(n, twos, fives, other):
    q = Fraction(n, 2**twos * 5**fives * other)
    assert decimal_places(q) == fewest_places(q)


@given(st.integers(-10**9, 10**9), st.integers(0, 12), st.integers(0, 12))
def test_both_decimal_writers_write_the_exact_value(n, twos, fives):
    q = Fraction(n, 2**twos * 5**fives)
    assert Fraction(decimal_text(q)) == q
    short = _short_decimal(q, 40)
    assert short is not None and Fraction(short) == q
    assert decimal_text(Fraction(1, 3)) is None and _short_decimal(Fraction(2, 3), 40) is None
