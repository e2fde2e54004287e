"""Frozen records: the ``@dataclass(frozen=True)`` classes of a repeat ``grade`` written out by hand (issue 16, item 4).

Importing ``dataclasses`` imports ``inspect`` (and ``ast``, ``dis``, ``tokenize``, ...), and every ``@dataclass``
writes and compiles its methods when its module is imported: together about a third of what a cached ``grade``
spends beyond importing PyYAML. A ``Record`` subclass declares its fields as annotations, in order, with their
defaults as class attributes (``_options`` names a field's ``dataclasses.field`` options, e.g.
``{"views": {"default_factory": dict, "compare": False}}``), and writes its own ``__init__``, which stores the fields
in that order. ``Record`` gives what ``@dataclass(frozen=True)`` gives: the same ``repr``, ``==`` and ``hash`` over
the compared fields (an instance of the same class only), ``__match_args__``, and assignment or deletion refused with
``dataclasses.FrozenInstanceError``.

``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` still work on records: the first time anything
asks a record class for ``__dataclass_fields__`` (or ``__dataclass_params__``), ``dataclasses`` is imported and the
fields are those that ``@dataclass(frozen=True)`` makes of the same declaration (``twin``). ``replace`` here is
``dataclasses.replace`` without importing ``dataclasses`` for a record. ``tests/test_records.py`` holds every record to its twin.
"""

from __future__ import annotations

from operator import attrgetter

__all__ = ["Record", "replace", "twin"]


def _frozen(message: str) -> Exception:
    from dataclasses import FrozenInstanceError  # only to refuse: never on a path that works

    return FrozenInstanceError(message)


class _FromTwin:
    """A record class's ``__dataclass_fields__`` (or ``__dataclass_params__``): its twin's, made (and then kept on
    the class) on first use."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner):
        ref = twin(owner)
        for name in ("__dataclass_fields__", "__dataclass_params__"):
            type.__setattr__(owner, name, getattr(ref, name))
        return getattr(ref, self.name)


class Record:
    """Base of the hand-written frozen records (see the module's docstring)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()  # every field, in order
    _defaults: dict = {}  # field -> its default (a field with a default factory has none here)
    _options: dict = {}  # field -> its ``dataclasses.field`` options beyond a plain default
    _key = staticmethod(lambda obj: ())  # the compared fields' values, as a tuple
    _values = staticmethod(lambda obj: ())  # every field's value, as a tuple

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        fields = tuple(cls.__dict__.get("__annotations__", {}))
        own = cls.__dict__
        cls._fields = fields
        cls._defaults = {f: own[f] for f in fields if f in own}
        compared = tuple(f for f in fields if cls._options.get(f, {}).get("compare", True))
        cls._key = staticmethod(_getter(compared))
        cls._values = staticmethod(_getter(fields))
        cls.__match_args__ = fields
        cls.__dataclass_fields__ = _FromTwin("__dataclass_fields__")
        cls.__dataclass_params__ = _FromTwin("__dataclass_params__")

    def __repr__(self) -> str:
        values = self._values(self)
        inner = ", ".join(f"{f}={v!r}" for f, v in zip(self._fields, values))
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._key(self) == self._key(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __setattr__(self, name: str, value) -> None:
        raise _frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen(f"cannot delete field {name!r}")


def _getter(names: tuple[str, ...]):
    """``obj -> tuple of those attributes`` (``attrgetter`` returns a bare value for one name, nothing for none)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def replace(obj, /, **changes):
    """``dataclasses.replace``: a copy of ``obj`` with ``changes``, made by its class's ``__init__``."""
    cls = obj.__class__
    if not isinstance(obj, Record):
        import dataclasses

        return dataclasses.replace(obj, **changes)
    values = dict(zip(cls._fields, cls._values(obj)))
    for name in changes:
        if name not in values:
            raise TypeError(f"{cls.__qualname__}.__init__() got an unexpected keyword argument {name!r}")
    values.update(changes)
    return cls(**values)


def twin(cls: type) -> type:
    """The class ``@dataclass(frozen=True)`` makes of record class ``cls``'s declaration (its fields, annotations,
    defaults and options): the reference its hand-written methods are held to, and where its dataclass fields
    come from."""
    import dataclasses

    annotations = cls.__dict__.get("__annotations__", {})
    ns: dict = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                "__annotations__": {f: annotations[f] for f in cls._fields}}
    for f in cls._fields:
        opts = dict(cls._options.get(f, {}))
        if f in cls._defaults:
            opts["default"] = cls._defaults[f]
        if opts:
            ns[f] = dataclasses.field(**opts)
    return dataclasses.dataclass(frozen=True)(type(cls.__name__, (), ns))
