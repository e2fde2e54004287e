"""A name resolver (``grader.spec.notation.Resolver``) as plain data and back, for the disk cache of solved problems
(``grader.grade.plancache``): building a resolver normalises every spelling of every name of a problem (a few
milliseconds); a cached one is read back from its tables without normalising anything.

This module reads and sets the resolver's own tables; it changes together with ``Resolver.__init__``.
"""

from __future__ import annotations

from grader.spec.notation import KINDS, Resolver


def state(r: Resolver) -> tuple:
    """``r`` as tuples, dicts and strings (the kinds' canonical forms included; ``r`` must use the default kinds)."""
    if r.kinds is not KINDS:
        raise ValueError("only a resolver of the default kinds is kept as data")
    sets = tuple({c: tuple(v) for c, v in t.items()} for t in (r._bases, r._builtin, r._canon))
    return (r.names, r.asked, tuple(r.givens), tuple(f for _, f in r._forms), dict(r.aliases)) + sets + (r.error_terms,)


def from_state(data: object) -> Resolver:
    """The resolver ``state`` was taken of; ``ValueError`` when ``data`` is not such a state."""
    r = Resolver.__new__(Resolver)
    try:
        names, asked, givens, forms, aliases, bases, builtin, canon, error_terms = data  # type: ignore[misc]
        if error_terms not in (None, True, False):
            raise ValueError("error_terms is not None, True or False")
        r.error_terms = error_terms
        r.names, r.asked, r.givens, r.kinds = tuple(names), tuple(asked), frozenset(givens), KINDS
        r._set, r._order = frozenset(r.names), {n: i for i, n in enumerate(r.names)}
        r._forms = [(k, tuple((b, a) for b, a in f)) for k, f in zip(KINDS, forms, strict=True)]
        r._inner = [(k, k.inner) for k in KINDS if k.inner]
        r._bases, r._builtin = {c: set(v) for c, v in bases.items()}, {c: set(v) for c, v in builtin.items()}
        r.aliases, r._canon = dict(aliases), {c: list(v) for c, v in canon.items()}
        texts = [*r.names, *r.asked, *r.givens, *r.aliases, *r.aliases.values()]
        texts += [x for _, f in r._forms for pair in f for x in pair]
        texts += [x for t in (r._bases, r._builtin, r._canon) for c, v in t.items() for x in (c, *v)]
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a resolver's state: {exc}") from None
    if not all(type(x) is str for x in texts) or not set(r.asked) <= r._set or not r.givens <= r._set:
        raise ValueError("not a resolver's state")
    return r
