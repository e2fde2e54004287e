"""What an error about a problem file may quote: a problem file may be no spec at all (someone's password file named
by mistake), so its messages name a key only when it is a short identifier, describe anything else, and never
quote a value (issue 10, ``docs/trust.md``)."""

from __future__ import annotations

import re

__all__ = ["describe_key", "is_short_name"]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def is_short_name(key: object) -> bool:
    """A key an error message may name: a short identifier. Anything else in a file that is not (yet) known to be
    a problem spec is only described, never quoted (it could be a password file's line)."""
    return isinstance(key, str) and bool(_KEY.fullmatch(key))


def describe_key(key: object) -> str:
    """``'w5'`` for a short identifier, else a description that quotes nothing of it."""
    if is_short_name(key):
        return repr(key)
    if isinstance(key, str):
        return f"a key that is not a name ({len(key)} characters)"
    return f"a key that is not a name ({_kind_of(key)})"


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "empty"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"text of {len(value)} characters"
    return type(value).__name__
