"""`grade schema`: JSON Schemas for editors. Every shipped problem and example submission validates structurally
(with a small validator for exactly the keywords the schemas use, and with `jsonschema` too when it is installed)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from grader.author.schema import main as schema_main
from grader.author.schema import problem_schema, submission_schema
from grader.errors import GraderError
from grader.yamlio import load_yaml_file, load_yaml_text

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = sorted((ROOT / "problems").rglob("*.yaml"))
SUBMISSIONS = sorted((ROOT / "submissions_examples").glob("*.yaml"))

# Keywords that only annotate (or, for `discriminator`, are OpenAPI hints validators ignore).
ANNOTATIONS = {"$schema", "$defs", "title", "description", "default", "format", "discriminator", "examples"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


class Invalid(Exception):
    pass


def check(schema: dict, data, root: dict, where: str = "") -> None:
    """Validate ``data`` against ``schema`` for the subset of JSON Schema 2020-12 our schemas use; an unknown
    keyword is a test failure, so the subset can never silently grow."""
    for k, v in schema.items():
        if k in ANNOTATIONS:
            continue
        if k == "$ref":
            assert v.startswith("#/$defs/"), v
            check(root["$defs"][v.split("/")[-1]], data, root, where)
        elif k == "type":
            kinds = v if isinstance(v, list) else [v]
            if not any(_is(data, t) for t in kinds):
                raise Invalid(f"{where}: {data!r} is not {v}")
        elif k == "enum":
            if data not in v:
                raise Invalid(f"{where}: {data!r} not in {v}")
        elif k == "const":
            if data != v:
                raise Invalid(f"{where}: {data!r} != {v!r}")
        elif k in ("anyOf", "oneOf"):
            ok = 0
            for sub in v:
                try:
                    check(sub, data, root, where)
                    ok += 1
                except Invalid:
                    pass
            if ok == 0 or (k == "oneOf" and ok > 1):
                raise Invalid(f"{where}: {ok} of the {k} alternatives match")
        elif k == "allOf":
            for sub in v:
                check(sub, data, root, where)
        elif k in ("properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties"):
            if not isinstance(data, dict):
                continue
            props = schema.get("properties", {})
            if k == "properties":
                for name, sub in v.items():
                    if name in data:
                        check(sub, data[name], root, f"{where}.{name}")
            elif k == "required":
                missing = [r for r in v if r not in data]
                if missing:
                    raise Invalid(f"{where}: missing {missing}")
            elif k == "additionalProperties":
                for name, value in data.items():
                    if name in props:
                        continue
                    if v is False:
                        raise Invalid(f"{where}: unexpected {name}")
                    if isinstance(v, dict):
                        check(v, value, root, f"{where}.{name}")
            elif k == "propertyNames":
                for name in data:
                    check(v, name, root, f"{where}[{name}]")
            elif k == "minProperties" and len(data) < v or k == "maxProperties" and len(data) > v:
                raise Invalid(f"{where}: {len(data)} properties")
        elif k in ("items", "minItems", "maxItems"):
            if not isinstance(data, list):
                continue
            if k == "items":
                for i, x in enumerate(data):
                    check(v, x, root, f"{where}[{i}]")
            elif k == "minItems" and len(data) < v or k == "maxItems" and len(data) > v:
                raise Invalid(f"{where}: {len(data)} items")
        elif k in ("minLength", "maxLength", "pattern"):
            if not isinstance(data, str):
                continue
            if k == "pattern" and not re.search(v, data) or k == "minLength" and len(data) < v or \
                    k == "maxLength" and len(data) > v:
                raise Invalid(f"{where}: {data!r} fails {k} {v}")
        elif k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if not _is(data, "number"):
                continue
            bad = {"minimum": data < v, "maximum": data > v, "exclusiveMinimum": data <= v, "exclusiveMaximum": data >= v}[k]
            if bad:
                raise Invalid(f"{where}: {data} fails {k} {v}")
        else:
            pytest.fail(f"the schema uses {k!r}, which this validator does not know")


def _is(data, t: str) -> bool:
    if t == "integer":
        return isinstance(data, int) and not isinstance(data, bool)
    if t == "number":
        return isinstance(data, (int, float)) and not isinstance(data, bool)
    return isinstance(data, TYPES[t])


def plain(data):
    """YAML as our reader gives it (exact Decimals) -> JSON-like data."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, Decimal):
        return int(data) if data == data.to_integral_value() and "." not in str(data) and "E" not in str(data) else float(data)
    return data


def validate(schema: dict, data) -> None:
    check(schema, data, schema)
    try:
        import jsonschema
    except ImportError:  # not a dependency: the small validator above is the test
        return
    try:
        jsonschema.Draft202012Validator(schema).validate(data)
    except jsonschema.ValidationError as exc:
        raise Invalid(str(exc.message)) from None


def test_there_are_problems_to_check():
    names = {p.stem for p in PROBLEMS}
    assert {"exercise6", "seed_homework", "exercise6_random"} <= names


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_every_shipped_problem_validates(path: Path):
    validate(problem_schema(), plain(load_yaml_file(path).data))


@pytest.mark.parametrize("path", [p for p in SUBMISSIONS if "malformed" not in p.name], ids=lambda p: p.stem)
def test_every_example_submission_validates(path: Path):
    validate(submission_schema(), plain(load_yaml_file(path).data))


BAD_PROBLEMS = {
    "unknown field": "id: x\ntitle: t\nquestions: [{id: q, kind: free_text, rubric: [{points: 1, text: a}]}]\nextra: 1\n",
    "unknown kind": "id: x\ntitle: t\nquestions: [{id: q, kind: essay}]\n",
    "no questions or network": "id: x\ntitle: t\n",
    "bad randomize entry": (ROOT / "problems" / "exercise6.yaml").read_text() + "randomize: {w1: 3}\n",
    "bad tolerance": (ROOT / "problems" / "exercise6.yaml").read_text().replace("rtol: 0.01", "rtol: 5"),
}


@pytest.mark.parametrize("text", BAD_PROBLEMS.values(), ids=list(BAD_PROBLEMS))
def test_a_broken_problem_is_refused(text: str):
    with pytest.raises(Invalid):
        validate(problem_schema(), plain(load_yaml_text(text).data))


BAD_SUBMISSIONS = {
    "no answers": "problem: exercise6\n",
    "unknown top key": "problem: p\nanswers: {}\nextra: 1\n",
    "unknown answer key": "problem: p\nanswers: {z1: {value: 1, usnig: {}}}\n",
    "answer without value": "problem: p\nanswers: {z1: {using: {o1: 1}}}\n",
    "student as text": "problem: p\nstudent: Ada\nanswers: {}\n",
}


@pytest.mark.parametrize("text", BAD_SUBMISSIONS.values(), ids=list(BAD_SUBMISSIONS))
def test_a_broken_submission_is_refused(text: str):
    with pytest.raises(Invalid):
        validate(submission_schema(), plain(load_yaml_text(text).data))


def test_the_submission_schema_agrees_with_the_loader_on_those():
    from grader.submission.load import submission_from_document

    for text in BAD_SUBMISSIONS.values():
        with pytest.raises(GraderError):
            submission_from_document(load_yaml_text(text))


def test_cli_writes_both_files_deterministically(tmp_path: Path):
    assert schema_main(["--out", str(tmp_path / "a")]) == 0
    assert schema_main(["--out", str(tmp_path / "b")]) == 0
    for name in ("problem.schema.json", "submission.schema.json"):
        a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        assert a == b
        data = json.loads(a)
        assert data["$schema"].endswith("2020-12/schema")
        assert a.decode() == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    problem = json.loads((tmp_path / "a" / "problem.schema.json").read_text())
    assert {"ProblemSpec", "HomeworkSpec", "RandomizeSpec"} <= set(problem["$defs"])
