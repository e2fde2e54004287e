"""``grade schema [--out DIR]``: JSON Schemas of the two YAML files, for editors.

* ``problem.schema.json``: a problem (``grader.spec.schema.ProblemSpec``) or a homework set
  (``grader.spec.homework.HomeworkSpec``), generated from the pydantic models;
* ``submission.schema.json``: written here to mirror ``grader.submission.load`` (and the set forms of
  ``grader.spec.homework``): keys ``problem``, ``student {id, name}``, ``answers``; an answer is a number, a text
  (an expression), nothing (not answered) or ``{value, using}``; names are letters, digits and ``_``, starting with
  a letter (Greek letters count), prefixed ``<question>.`` in a homework set.

Both are JSON Schema draft 2020-12, written with sorted keys so regenerating them changes nothing. The schema
checks the shape only; ``grade check`` and the grader check everything that relates one field to another.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Union

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# A quantity name as a person writes it (``delta_o1``, ``w5'``, ``\\delta_{o_1}``, ``dE/dw5``): any text the name
# resolver (grader.spec.notation) may read, so at most its MAX_LEN characters.
NAME_TEXT = {"maxLength": 200}


def problem_schema() -> dict:
    from pydantic import TypeAdapter

    from grader.spec.homework import HomeworkSpec
    from grader.spec.schema import ProblemSpec

    schema = TypeAdapter(Union[ProblemSpec, HomeworkSpec]).json_schema()
    schema.update({
        "$schema": DRAFT,
        "title": "backprop-grader problem or homework set",
        "description": "A backprop problem (network, given, loss, training, ask) or a homework set (questions). "
                       "See docs/authoring.md.",
    })
    return schema


def submission_schema() -> dict:
    scalar = {"type": ["number", "string", "null"]}
    answer = {
        "description": "a number, an expression as text, nothing (not answered), or {value, using}",
        "anyOf": [
            scalar,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["value"],
                "properties": {
                    "value": scalar,
                    "using": {
                        "description": "the values you plugged in, by name",
                        "type": ["object", "null"],
                        "propertyNames": NAME_TEXT,
                        "additionalProperties": scalar,
                    },
                },
            },
        ],
    }
    weights = {"description": "homework sets: a list of weight names or a 0/1 mask", "type": "array",
               "items": {"type": ["string", "number"]}}
    return {
        "$schema": DRAFT,
        "title": "backprop-grader submission",
        "description": "problem: which problem (its id; the instructor chooses the file); student: who; answers: one entry per quantity "
                       "(homework sets: <question>.<name>, or the question id for a written answer).",
        "type": "object",
        "additionalProperties": False,
        "required": ["problem", "answers"],
        "properties": {
            "problem": {"description": "the problem id (e.g. exercise6): never a path, the instructor chooses the file", "type": ["string", "number"],
                        "minLength": 1},
            "student": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": {"id": {"type": ["string", "number", "null"], "description": "your student id, quoted"},
                               "name": {"type": ["string", "number", "null"]}},
            },
            "answers": {
                "type": "object",
                "maxProperties": 500,
                "propertyNames": NAME_TEXT,
                "additionalProperties": {
                    "anyOf": [
                        answer,
                        weights,
                        {"description": "homework sets: a question's answers nested under its id",
                         "type": "object", "propertyNames": NAME_TEXT,
                         "additionalProperties": {"anyOf": [answer, weights]}},
                    ],
                },
            },
        },
    }


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> list[Path]:
    from grader.fileio import write_atomic

    paths = [out / "problem.schema.json", out / "submission.schema.json"]
    for path, schema in zip(paths, (problem_schema(), submission_schema())):
        write_atomic(path, dumps(schema))
    return paths


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="grade schema",
                                 description="Write problem.schema.json and submission.schema.json for editors.")
    ap.add_argument("--out", default=".", metavar="DIR", help="folder to write them to (default: the current one)")
    args = ap.parse_args(argv)
    for path in write_schemas(Path(args.out)):
        print(f"wrote {path}", file=sys.stderr)
    return 0
