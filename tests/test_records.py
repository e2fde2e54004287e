"""The hand-written frozen records (``grader.record``) against the standard library: every ``Record`` subclass of the
grader behaves as ``@dataclass(frozen=True)`` of the same declaration would (its ``twin``, made by ``dataclasses``
itself): the same ``__init__`` parameters and defaults, the same attributes in the same order, the same ``repr``,
``==`` and ``hash``, assignment refused the same way, and ``dataclasses.fields``/``replace``/``asdict`` working.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
import pkgutil

import pytest

import grader
from grader.record import Record, replace, twin


def _records() -> list[type]:
    for mod in pkgutil.walk_packages(grader.__path__, "grader."):
        if mod.name != "grader.__main__":  # it runs the command line
            importlib.import_module(mod.name)
    out, todo = [], list(Record.__subclasses__())
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(out, key=lambda c: (c.__module__, c.__qualname__))


RECORDS = _records()
EXPECTED = {"Student", "Diagnosis", "FieldResult", "Flag", "NetworkSketch", "GradeResult", "Value", "Answer",
            "Submission", "NameIssue", "Kind", "Resolution", "Tolerance", "Parsed", "Unparseable", "Document",
            "Context"}


def test_the_records_of_a_repeat_grading_are_all_found():
    assert EXPECTED <= {c.__name__ for c in RECORDS}


class _V:
    """A distinct, hashable, comparable value per field (equal only to a value made with the same tag)."""

    def __init__(self, tag):
        self.tag = tag

    def __eq__(self, other):
        return isinstance(other, _V) and other.tag == self.tag

    def __hash__(self):
        return hash(("V", self.tag))

    def __repr__(self):
        return f"V({self.tag!r})"


def _args(cls, tag=""):
    return {f: _V(f + tag) for f in cls._fields}


def _factory_fields(cls):
    return {f for f, opts in cls._options.items() if "default_factory" in opts}


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__qualname__)
def test_a_record_is_initialised_as_its_dataclass_twin(cls):
    ref = twin(cls)
    ours, theirs = inspect.signature(cls.__init__), inspect.signature(ref.__init__)
    assert list(ours.parameters) == list(theirs.parameters)
    factories = _factory_fields(cls)
    for name, p in ours.parameters.items():
        q = theirs.parameters[name]
        assert p.kind == q.kind, name
        if name in factories:  # the twin's default is its factory's sentinel; ours None, made afresh below
            assert p.default is None
        else:
            assert p.default == q.default and type(p.default) is type(q.default), name
    args = _args(cls)
    a, b = cls(**args), ref(**args)
    assert list(vars(a).items()) == list(vars(b).items())  # the same attributes, in the same order
    assert repr(a) == repr(b)
    positional = cls(*args.values())
    assert vars(positional) == vars(a)
    # only the fields without a default, the rest as the twin fills them in (fresh containers for a factory)
    required = {f: v for f, v in args.items() if f not in cls._defaults and f not in factories}
    x, y, x2 = cls(**required), ref(**required), cls(**required)
    assert list(vars(x).items()) == list(vars(y).items())
    for f in factories:
        assert getattr(x, f) == {} and getattr(x, f) is not getattr(x2, f)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__qualname__)
def test_a_record_compares_and_hashes_as_its_twin(cls):
    ref = twin(cls)
    args = _args(cls)
    a, b, ra, rb = cls(**args), cls(**args), ref(**args), ref(**args)
    assert (a == b) == (ra == rb) is True and (a != b) == (ra != rb) is False
    assert hash(a) == hash(b) == hash(ra)  # the twin hashes the tuple of its compared fields too
    assert a.__eq__(ra) is NotImplemented and a != ra and a.__eq__(object()) is NotImplemented
    compared = {f.name for f in dataclasses.fields(ref) if f.compare}
    for f in cls._fields:
        changed = {**args, f: _V(f + "/other")}
        assert (cls(**changed) == a) == (ref(**changed) == ra) == (f not in compared), f
        assert (hash(cls(**changed)) == hash(a)) == (hash(ref(**changed)) == hash(ra)), f


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__qualname__)
def test_a_record_is_frozen_as_its_twin(cls):
    a, ra = cls(**_args(cls)), twin(cls)(**_args(cls))
    for name in (*cls._fields, "not_a_field"):
        for obj in (a, ra):
            with pytest.raises(dataclasses.FrozenInstanceError) as err:
                setattr(obj, name, 1)
            assert str(err.value) == f"cannot assign to field {name!r}"
            with pytest.raises(dataclasses.FrozenInstanceError) as err:
                delattr(obj, name)
            assert str(err.value) == f"cannot delete field {name!r}"
    assert vars(a) == vars(cls(**_args(cls)))


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__qualname__)
def test_dataclasses_functions_and_replace_work_on_a_record(cls):
    ref = twin(cls)
    assert dataclasses.is_dataclass(cls) and dataclasses.is_dataclass(cls(**_args(cls)))
    assert [(f.name, f.type, f.default, f.default_factory, f.compare) for f in dataclasses.fields(cls)] == \
        [(f.name, f.type, f.default, f.default_factory, f.compare) for f in dataclasses.fields(ref)]
    args = _args(cls)
    a, ra = cls(**args), ref(**args)
    assert dataclasses.asdict(a) == dataclasses.asdict(ra)
    assert cls.__match_args__ == ref.__match_args__
    assert cls.__dataclass_params__.frozen and repr(cls.__dataclass_params__) == repr(ref.__dataclass_params__)
    f = cls._fields[-1]
    for make in (dataclasses.replace, replace):
        new = make(a, **{f: _V("new")})
        assert type(new) is cls and getattr(new, f) == _V("new") and a == cls(**args)
        assert list(vars(new).items()) == list(vars(dataclasses.replace(ra, **{f: _V("new")})).items())
        with pytest.raises(TypeError):
            make(a, not_a_field=1)
    assert pickle.loads(pickle.dumps(a)) == a and copy.deepcopy(a) == a and copy.copy(a) == a


def test_replace_falls_back_to_dataclasses_for_a_dataclass():
    @dataclasses.dataclass(frozen=True)
    class P:
        x: int
        y: int = 2

    assert replace(P(1), y=5) == P(1, 5)
    with pytest.raises(TypeError):
        replace(object(), x=1)
