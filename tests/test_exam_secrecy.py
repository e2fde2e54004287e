"""Issue 10: exam mode keeps every key-derived number out of every output.

Every format (text, Markdown, HTML, JSON), the batch outputs (grades.json/csv, gradebooks, feedback files,
summary) and Gradescope's results.json are rendered in exam mode for several submissions (the seed, a correct
one, a carried one, the homework set); none may contain a number that equals one of the key's values at the
digits it is written with (3 to 8 significant digits, or exactly), unless the same number is one the student wrote
or one the problem file states (a given). The key's values come from `grade solve --format json` (25 digits);
the matching below is this test's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "submissions_examples"
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d+\.\d+|\d+|\.\d+)(?:[eE][-+−]?\d+)?(?![\w])")


def _tokens(text: str) -> list[str]:
    return [m.group(0).replace("−", "-") for m in _NUMBER.finditer(text)]


def _digits(token: str) -> int:
    mantissa = re.split(r"[eE]", token.lstrip("+-"))[0]
    return len(mantissa.replace(".", "").lstrip("0"))


def _rounded(x: float, d: int) -> str:
    return f"{abs(x):.{d - 1}e}"


def _matches(token: str, value: float) -> bool:
    """Is the written ``token`` the value rounded to the digits the token has (3 to 8; fewer only exactly)?"""
    try:
        n = abs(float(token))
    except ValueError:
        return False
    if n == 0 or value == 0:
        return False
    d = _digits(token)
    if d < 3:
        return abs(n - abs(value)) <= 1e-15 * abs(value)
    d = min(d, 8)
    return _rounded(n, d) == _rounded(value, d)


def _key_values(problem: str) -> list[float]:
    """Every value of the key: computed quantities and, for updated parameters, their change p_new − p."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["solve", problem, "--format", "json"]) == 0
    data = json.loads(buf.getvalue())
    out: list[float] = []
    if "values" in data:
        values = {k: float(v) for k, v in data["values"].items()}
        out += list(values.values())
        out += [values[k] - values[k[: -len("_new")]] for k in values if k.endswith("_new") and k[:-4] in values]
    else:  # a homework set: question -> quantity -> value (backprop questions nest their problem's values)
        def walk(node):
            if isinstance(node, dict):
                for v in node.values():
                    walk(v)
            elif isinstance(node, str):
                try:
                    out.append(float(node))
                except ValueError:
                    pass
        walk(data["questions"])
        ex6 = _key_values("exercise6")
        out += ex6
    return [v for v in out if v == v]


def _public(*files: Path | str) -> list[str]:
    """Numbers written in the problem file (givens, statement) or the student's file."""
    out = []
    for f in files:
        text = Path(f).read_text(encoding="utf-8") if isinstance(f, Path) else f
        out += _tokens(text)
    return out


def _leaks(text: str, secrets: list[float], public: list[str]) -> list[str]:
    found = []
    for token in set(_tokens(text)):
        if any(_matches(token, v) for v in secrets):
            if any(_matches(token, float(p)) or token.lstrip("-") == p.lstrip("-") for p in public
                   if _number(p) is not None):
                continue
            found.append(token)
    return sorted(found)


def _number(t: str):
    try:
        return float(t)
    except ValueError:
        return None


def _run(capsys, *args) -> str:
    capsys.readouterr()
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out + err


def _correct_submission(problem: str) -> str:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["key", problem, "--format", "markdown"]) == 0 or True
    # the template filled from the 25-digit solution
    sol = io.StringIO()
    with contextlib.redirect_stdout(sol):
        main(["solve", problem, "--format", "json"])
    values = json.loads(sol.getvalue())["values"]
    tmpl = io.StringIO()
    with contextlib.redirect_stdout(tmpl):
        assert main(["template", problem, "--student", "1"]) == 0
    text = tmpl.getvalue()
    return re.sub(r"^(  (\w+):)[ \t]*(#.*)?$", lambda m: f'{m.group(1)} "{values[m.group(2)]}"'
                  if m.group(2) in values else m.group(0), text, flags=re.M)


CASES = {
    "seed": ("exercise6", (EXAMPLES / "exercise6_seed.yaml").read_text(encoding="utf-8")),
    "carried": ("classic_222", (EXAMPLES / "classic_carried.yaml").read_text(encoding="utf-8")),
    "homework set": ("seed_homework", (EXAMPLES / "seed_homework.yaml").read_text(encoding="utf-8")),
    "homework set, wrong": ("seed_homework", (EXAMPLES / "seed_homework.yaml").read_text(encoding="utf-8").replace(
        'ex2_loss.E_mse: "(0.1^2 + 0.2^2 + 0.3^2 + 0.4^2)/4"',
        "ex2_loss.E_mse: 0.08\n  ex3_init.xavier_std: 0.07\n  ex4_act.sigmoid_1: 0.2\n  ex5_prune.o1: 0.3")),
    "mistakes": ("classic_222", (EXAMPLES / "mistake_power_of_ten.yaml").read_text(encoding="utf-8")),
}


@pytest.fixture(scope="module")
def secrets() -> dict[str, list[float]]:
    return {p: _key_values(p) for p in ("exercise6", "classic_222", "seed_homework")}


@pytest.mark.parametrize("case", list(CASES) + ["correct"])
def test_no_key_number_in_any_format_in_exam_mode(capsys, tmp_path: Path, secrets, case: str):
    problem, text = CASES[case] if case != "correct" else ("exercise6", None)
    if text is None:
        text = _correct_submission("exercise6")
    sub = tmp_path / "s.yaml"
    sub.write_text(text, encoding="utf-8")
    public = _public(ROOT / "problems" / f"{problem}.yaml", text)
    outputs = {}
    for fmt in ("text", "json", "markdown", "html"):
        outputs[fmt] = _run(capsys, sub, "--reveal", "never", "--format", fmt)
        out = tmp_path / f"r.{fmt}"
        _run(capsys, sub, "--reveal", "never", "--format", fmt, "--out", out)
        outputs[fmt + " file"] = out.read_text(encoding="utf-8")
    data = json.loads(outputs["json"])
    assert data["score"] <= data["max_score"] and all(f["expected"] is None for f in data["fields"].values())
    # the student's own answers (an expression such as "(0.1^2 + 0.2^2)/4" is shown as its value) are theirs
    public += [repr(f["given"]) for f in data["fields"].values() if f["given"] is not None]
    for name, body in outputs.items():
        assert _leaks(body, secrets[problem], public) == [], (case, name)
    # the same submission with reveal always does show the key (the check above can see a leak)
    shown = _run(capsys, sub, "--format", "json")
    if case != "correct":
        assert _leaks(shown, secrets[problem], public), case


def test_a_problem_whose_policy_is_never_or_not_yet_due(capsys, tmp_path: Path, secrets, monkeypatch):
    (tmp_path / "problems").mkdir()
    exam = (ROOT / "problems" / "exercise6.yaml").read_text(encoding="utf-8")
    (tmp_path / "problems" / "exam.yaml").write_text(exam.replace("reveal: always", "reveal: never"))
    (tmp_path / "problems" / "later.yaml").write_text(
        exam.replace("reveal: always", "reveal: after_due\ndue: 2999-01-01T00:00:00Z"))
    monkeypatch.chdir(tmp_path)
    seed = CASES["seed"][1]
    public = _public(ROOT / "problems" / "exercise6.yaml", seed)
    for pid in ("exam", "later"):
        sub = tmp_path / f"{pid}.yaml"
        sub.write_text(seed.replace("problem: exercise6", f"problem: {pid}"))
        for fmt in ("text", "json", "markdown", "html"):
            body = _run(capsys, sub, "--format", fmt)
            assert _leaks(body, secrets["exercise6"], public) == [], (pid, fmt)


def test_batch_and_gradescope_outputs_in_exam_mode(capsys, tmp_path: Path, secrets):
    """grades.json/csv, the gradebooks, every feedback file, the summary, and Gradescope's results.json (which
    wrote "Incorrect (expected about 0.075)" for a homework set)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (problem, text) in CASES.items():
        (folder / f"{name.replace(' ', '_')}.yaml").write_text(text, encoding="utf-8")
    public = []
    for name, (problem, text) in CASES.items():
        public += _public(ROOT / "problems" / f"{problem}.yaml", text)
    all_secrets = secrets["exercise6"] + secrets["classic_222"] + secrets["seed_homework"]
    out = tmp_path / "out"
    _run(capsys, "batch", folder, "--out", out, "--problems", ROOT / "problems", "--reveal", "never", "--no-progress")
    files = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert any(p.suffix == ".html" for p in (out / "feedback").iterdir())
    for path in files:
        body = path.read_text(encoding="utf-8", errors="replace")
        assert _leaks(body, all_secrets, public) == [], path.name
    for problem, text in (CASES["homework set, wrong"], CASES["seed"]):
        root = tmp_path / f"ag_{problem}"
        (root / "submission").mkdir(parents=True)
        (root / "submission" / "answers.yaml").write_text(text, encoding="utf-8")
        assert main(["gradescope", "--root", str(root), "--reveal", "never"]) == 0
        body = (root / "results" / "results.json").read_text(encoding="utf-8")
        assert "expected about" not in body
        assert _leaks(body, secrets[problem], _public(ROOT / "problems" / f"{problem}.yaml", text)) == [], problem
