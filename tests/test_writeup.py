"""Written solutions graded from their text (issue 13): the seed as it is, three more write-ups in other notations,
the extractor and the limits. Expected values come from an independent forward/backward pass written here with
mpmath (the textbook formulas), never from the grader's own key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from grader.cli import main
from grader.grade.pipeline import Grader
from grader.solve.solver import solve
from grader.spec.load import load_problem
from grader.submission.chains import build_chains, pieces
from grader.submission.extract import MAX_ROWS, math_rows
from grader.submission.load import load_submission
from grader.submission.writeup import writeup_submission

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT / "tests" / "files" / "writeups"
SEED = FILES / "seed_000_0ba7f97f5ec89750.txt"
EXAMPLES = ROOT / "submissions_examples"
M = mpmath.mpf


# ---------------------------------------------------------------------------------------------------- the oracle


def oracle(i1, i2, w, b1, b2, t1, t2, eta, delta_o2=None):
    """One step of backprop on the 2-2-2 sigmoid network with half-SSE loss, from the textbook formulas.
    ``delta_o2`` replaces the output delta of o2 (to follow a student's wrong value downstream)."""
    with mpmath.workdps(40):
        sig = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
        w1, w2, w3, w4, w5, w6, w7, w8 = w
        v = {"net_h1": w1 * i1 + w2 * i2 + b1, "net_h2": w3 * i1 + w4 * i2 + b1}
        v["h1"], v["h2"] = sig(v["net_h1"]), sig(v["net_h2"])
        v["net_o1"] = w5 * v["h1"] + w6 * v["h2"] + b2
        v["net_o2"] = w7 * v["h1"] + w8 * v["h2"] + b2
        v["o1"], v["o2"] = sig(v["net_o1"]), sig(v["net_o2"])
        v["E_o1"], v["E_o2"] = (t1 - v["o1"]) ** 2 / 2, (t2 - v["o2"]) ** 2 / 2
        v["E"] = v["E_o1"] + v["E_o2"]
        v["delta_o1"] = (v["o1"] - t1) * v["o1"] * (1 - v["o1"])
        v["delta_o2"] = (v["o2"] - t2) * v["o2"] * (1 - v["o2"]) if delta_o2 is None else delta_o2
        v["delta_h1"] = v["h1"] * (1 - v["h1"]) * (v["delta_o1"] * w5 + v["delta_o2"] * w7)
        v["delta_h2"] = v["h2"] * (1 - v["h2"]) * (v["delta_o1"] * w6 + v["delta_o2"] * w8)
        grads = [v["delta_h1"] * i1, v["delta_h1"] * i2, v["delta_h2"] * i1, v["delta_h2"] * i2,
                 v["delta_o1"] * v["h1"], v["delta_o1"] * v["h2"], v["delta_o2"] * v["h1"], v["delta_o2"] * v["h2"]]
        for k, (p, g) in enumerate(zip(w, grads), start=1):
            v[f"w{k}_new"] = p - eta * g
        return v


CLASSIC = dict(i1=M("0.05"), i2=M("0.10"), w=[M(x) for x in "0.15 0.20 0.25 0.30 0.40 0.45 0.50 0.55".split()],
               b1=M("0.35"), b2=M("0.60"), t1=M("0.01"), t2=M("0.99"), eta=M("0.5"))
EX6 = dict(i1=M("0.8"), i2=M("0.2"), w=[M(x) for x in "-15 20 -25 30 40 45 50 55".split()],
           b1=M("0.35"), b2=M("0.60"), t1=M("0.9"), t2=M("0.1"), eta=M("0.3"))
EX6_NAMES = {"net_h1": "z1", "net_h2": "z2", "net_o1": "z3", "net_o2": "z4"}


def close(a, b, rtol=0.01, atol=1e-12) -> bool:
    return abs(float(a) - float(b)) <= atol + rtol * abs(float(b))


def change_close(given, truth, base, rtol=0.01) -> bool:
    return close(float(given) - float(base), float(truth) - float(base), rtol, 1e-12)


def grade_json(capsys, *args):
    code = main([*args, "--format", "json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


# ---------------------------------------------------------------------------------------------------- the seed


def _seed_results():
    grader = Grader(problem="exercise6")
    from_text = grader.grade_file(SEED)
    from_yaml = Grader().grade_file(EXAMPLES / "exercise6_seed.yaml")
    return from_text, from_yaml


# (the write-up's diagnosis, the hand transcription's) where the seed's steps show a slip in working out
WORKED_OUT_IN_THE_SEED = {"w1_new": ("arithmetic", None), "w2_new": ("arithmetic", None),
                          "w3_new": ("wrong_sign", "flipped_sign"), "w4_new": ("arithmetic", None)}


def test_seed_text_grades_like_its_hand_transcription_field_by_field():
    text, yaml = _seed_results()
    assert text.score == yaml.score and text.max_score == yaml.max_score
    assert text.student == yaml.student  # read from the heading "#### 400222100 — Reza Mosavi"
    assert [f.quantity for f in text.fields] == [f.quantity for f in yaml.fields]
    for t, y in zip(text.fields, yaml.fields):
        assert (t.verdict, t.points, t.given) == (y.verdict, y.points, y.given), t.quantity
        # Allowed difference 0: where the student's own expression is right and only the number written after it
        # is not, the steps show a slip in working it out (the YAML file has no steps to show it). They contradict
        # a mistake in the formula: the seed's w3_new, whose steps keep the update's right sign and flip it in the
        # last line (-25 + 2.15784e-8 written as -25.0000000216). And they name a slip where the YAML file's number
        # alone shows no known mistake: w1_new, w2_new (the product 0.3·δ_h1·i worked out wrongly) and w4_new (the
        # same, then a power of ten).
        diagnosed = (t.diagnosis.id if t.diagnosis else None, y.diagnosis.id if y.diagnosis else None)
        assert diagnosed == WORKED_OUT_IN_THE_SEED.get(t.quantity, (diagnosed[1], diagnosed[1])), t.quantity
        # Allowed difference 1: the write-up's message adds, after the same message, where the student's own
        # arithmetic slipped (the YAML file cannot know: it has no lines of work).
        assert t.message.startswith(y.message), t.quantity
        extra = t.message[len(y.message):].strip()
        assert extra == "" or (extra.startswith("Your expression ") and "the slip is in line " in extra), extra
        # Allowed difference 2: the write-up says where each answer came from; the YAML file does not.
        assert t.source.startswith("line ") and t.source_text
    # Flags: the same kinds on the same quantities with the same values.
    assert sorted((f.kind, f.quantity, f.values) for f in text.flags) == sorted((f.kind, f.quantity, f.values) for f in yaml.flags)
    # Allowed difference 3: a flag's list of places also names the lines where the student stated the value.
    for t in text.flags:
        y = next(f for f in yaml.flags if (f.kind, f.quantity) == (t.kind, t.quantity))
        assert set(y.where) <= set(t.where)
        assert all(w.startswith(("stated on line", "again on line")) for w in set(t.where) - set(y.where))


def test_a_slip_in_an_update_shows_both_values_with_their_change_visible():
    """The seed's w4_new: "not 30 + 4.298208×10^-9 = 30 (a change of 4.29821e-9)" printed the step's value to 10
    digits, which is 30 and hides the change it speaks of. Every value such a message shows now differs from the
    other by the difference of the two changes it states (the base cancels), to 1 %."""
    import re

    text, _ = _seed_results()
    shown = re.compile(r"equals (\S+) \(a change of (\S+)\), not (?:.* = )?(\S+) \(a change of (\S+)\)")
    found = 0
    for f in text.fields:
        m = shown.search(f.message)
        if not m:
            continue
        found += 1
        value, change, written, written_change = (float(x.replace("−", "-")) for x in m.groups())
        assert close(value - written, change - written_change), (f.quantity, m.group(0))
    assert found >= 8  # the seed's eight updated weights
    w4 = next(f for f in text.fields if f.quantity == "w4_new")
    assert "= 30 (a change" not in w4.message


def test_a_right_expression_followed_by_a_wrong_number_is_a_slip_in_working_it_out_not_a_wrong_formula():
    """The seed's w3_new: w3' = w3 - η·δ_h2·i1 = -25 - 0.3·(-8.991e-8)·0.8 ≈ -25 + 2.15784e-8 ≈ -25.0000000216. The
    number matches a flipped update sign (gradient ascent), but the steps keep the right sign: their last
    expression gives what the student's own δ_h2 gives (computed here from the textbook update), so the slip is in
    working it out. The same write-up with the sign flipped in the expression itself keeps the flipped sign."""
    text, _ = _seed_results()
    w3 = text.field("w3_new")
    own_change = -0.3 * -8.991e-8 * 0.8  # w3_new - w3 = -η·δ_h2·i1 with the student's δ_h2
    assert own_change == pytest.approx(2.15784e-8, rel=1e-5)
    assert change_close(w3.carried_value, -25 + own_change, -25)  # what the student's own values give
    # the number written after the right expression has the change's size with the other sign
    written_change = -25.0000000216 - -25
    assert close(-written_change, own_change) and not close(written_change, own_change)
    assert w3.diagnosis.id == "wrong_sign" and "Your expression is right for your values" in w3.diagnosis.text
    assert "the sign changed in working it out" in w3.diagnosis.text
    assert "the slip is in line 254, a change of sign." in w3.message

    flipped = SEED.read_text(encoding="utf-8").replace(
        "&= -25 - 0.3 \\cdot (-8.991 \\times 10^{-8}) \\cdot 0.8 \\\\ &\\approx -25 + 2.15784 \\times 10^{-8}",
        "&= -25 + 0.3 \\cdot (-8.991 \\times 10^{-8}) \\cdot 0.8 \\\\ &\\approx -25 - 2.15784 \\times 10^{-8}")
    assert flipped != SEED.read_text(encoding="utf-8")
    sub = writeup_submission(flipped, "md", "flipped.md", Grader().plan_at(ROOT / "problems" / "exercise6.yaml").key,
                             "exercise6")
    again = Grader(problem="exercise6").grade_submission(sub).field("w3_new")
    assert "the slip is in" not in again.message  # the expression equals the number written after it
    assert again.diagnosis.id == "flipped_sign"


def test_every_known_mistake_is_classed_as_a_formula_or_a_value_mistake():
    """The write-up's reconsideration (``grader.grade.sourced``) knows what each known mistake claims: every rule id
    the solver makes for a shipped problem is in exactly one of the two classes."""
    from grader.grade.sourced import FORMULA_MISTAKES, VALUE_MISTAKES
    assert not FORMULA_MISTAKES & VALUE_MISTAKES
    ids = set()
    grader = Grader()
    for path in sorted((ROOT / "problems").glob("*.yaml")):
        if grader.set_at(path) is not None:  # a homework set: its problems are files of their own
            continue
        plan = grader.plan_at(path, "400000001") if "random" in path.name else grader.plan_at(path)
        for q in plan.fields:
            ids |= {r.id for r in plan.malrules(q)}
    assert "flipped_sign" in ids and "dropped_term" in ids
    assert ids <= FORMULA_MISTAKES | VALUE_MISTAKES, ids - (FORMULA_MISTAKES | VALUE_MISTAKES)


def test_seed_using_values_are_the_transcriptions():
    key = solve(load_problem(ROOT / "problems" / "exercise6.yaml"))
    text = SEED.read_text(encoding="utf-8")
    sub = writeup_submission(text, "md", str(SEED), key, "exercise6")
    yaml = load_submission(EXAMPLES / "exercise6_seed.yaml")
    assert set(sub.answers) == set(yaml.answers)
    for q, ya in yaml.answers.items():
        wa = sub.answers[q]
        assert wa.value.parsed.value == ya.value.parsed.value, q
        for u, v in ya.using.items():
            assert wa.using[u].parsed.value == pytest.approx(v.parsed.value, rel=1e-12), (q, u)
        # Allowed difference 4: the write-up also reports given values the transcriber left out because they are
        # the problem's (z1's weights and inputs); every such extra value is exactly the given one.
        for u in set(wa.using) - set(ya.using):
            assert wa.using[u].parsed.exact == key.values[u], (q, u)


def test_seed_slips_are_located_in_the_students_own_lines():
    text, _ = _seed_results()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    z1 = text.field("z1")
    assert "(−15)·0.8 + 20·0.2 + 0.35 equals -7.65, not −11.65: the slip is in line 132" in z1.message
    assert "z_1 = (-15) \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = -11.65" in lines[131]
    assert "equals -13.65, not −16.65: the slip is in line 134" in text.field("z2").message
    # h1: the student's own 1/(1 + e^{11.65}) is 8.7e-6, not 0.999988
    assert "1/(1 + e^(11.65)) equals 8.71898e-6, not 0.999988" in text.field("h1").message
    # the power-of-ten slip in w5's change: 0.3·0.000269051·0.999988 = 8.07e-5, written as 8.0707×10^-6
    w5 = text.field("w5_new").message
    assert "(a change of 8.07143e-5), not 0.1 + 8.0707×10^-6" in w5 and "line 216" in w5
    assert "8.0707 \\times 10^{-6}" in lines[215]
    # the hidden deltas from the updated weights: the expression gives -3.59e-10, the student wrote 0.000011857
    assert "equals -3.58879e-10, not 0.000011857" in text.field("delta_h1").message


def test_seed_flags_invented_weights_and_updated_weights_in_hidden_deltas():
    text, _ = _seed_results()
    flags = {(f.kind, f.quantity): f for f in text.flags}
    for w, assumed, updated in (("w5", 0.1, 0.100008071), ("w6", -0.2, -0.199991929), ("w7", 0.3, 0.3000003),
                                ("w8", -0.4, -0.3999997)):
        flag = flags[("wrong_given", w)]
        assert flag.values == (assumed, updated)
        assert "stated on line 190" in flag.message and "sequential update" in flag.message
    assert flags[("inconsistent", "o1")].values == (1.0, 0.0003)  # o1 ≈ 1.0, yet 0.0003 plugged into δ_o1
    assert flags[("inconsistent", "o2")].values == (1.0, 0.0001)
    assert not any(f.kind == "wrong_formula" for f in text.flags)  # the seed's formulas are all right
    assert text.unattributed and all(where in ("line 17", "line 29") for where, _, _ in text.unattributed)


def test_seed_from_a_fresh_copy_as_md_and_txt_gives_the_same_report(tmp_path, capsys):
    outputs = []
    for suffix in (".txt", ".md"):
        copy = tmp_path / f"seed{suffix}"
        shutil.copy(SEED, copy)
        code = main([str(copy), "--problem", "exercise6"])
        out = capsys.readouterr().out
        assert code == 0
        outputs.append(out.replace(str(copy), "SOURCE"))
    assert outputs[0] == outputs[1]
    assert "Score: 4 / 24" in outputs[0]


def test_shipped_seed_markdown_is_the_seed():
    assert (EXAMPLES / "exercise6_seed.md").read_bytes() == SEED.read_bytes()


def test_writeup_without_problem_exits_2_saying_to_pass_it(capsys):
    code = main([str(SEED)])
    err = capsys.readouterr().err
    assert code == 2
    assert "--problem" in err and "does not say which problem" in err


# ---------------------------------------------------------------------------------------------------- more write-ups


def test_chain_rule_markdown_on_classic_222(capsys):
    """out_{h1}, net_{o1}, E_{total}, ∂-fractions, w^{+}; a formula-only mistake (w_2 written for w_4 in net_h2,
    with the right numbers) and an arithmetic slip in E_o2 carried into E_total."""
    truth = oracle(**CLASSIC)
    code, result, _ = grade_json(capsys, str(FILES / "classic_chain_rule.md"), "--problem", "classic_222")
    assert code == 0
    fields = result["fields"]
    wrong = {"E_o2": "incorrect", "E": "carried"}
    for q, f in fields.items():
        assert f["verdict"] == wrong.get(q, "correct"), q
        if q not in wrong:  # the fixture's numbers are right by the independent oracle
            assert close(f["given"], truth[q]), q
    eo1, eo2 = fields["E_o1"]["given"], fields["E_o2"]["given"]
    assert not close(eo2, truth["E_o2"]) and close(fields["E"]["given"], eo1 + eo2, 1e-9)
    assert not close(fields["E"]["given"], truth["E"])
    half = 0.5 * (0.99 - 0.772928465) ** 2  # the student's own expression on line 31
    assert f"equals {half:.4g}" in fields["E_o2"]["message"] and "line 31" in fields["E_o2"]["message"]
    flags = [(f["kind"], f["quantity"]) for f in result["flags"]]
    assert flags == [("wrong_formula", "net_h2")]  # not a wrong_given: the student used w4's 0.3, as the key does
    message = result["flags"][0]["message"]
    assert "w_2 (w2, the weight from i2 to h1) does not belong" in message and "leaves out w4" in message
    assert fields["w5_new"]["source"]["where"] == "line 49"
    unread = {u["text"].split(" =")[0] for u in result["unattributed"]}
    # the chain-rule factors ∂E_total/∂out_o1 and ∂out_o1/∂net_o1 name quantities (dE_dout_o1, dout_dnet_o1)
    assert unread == set()


def test_latex_align_document_with_a_wrong_target(capsys):
    """A .tex document (align, align*, equation, \\label, comments): δ_o2 built with t_1 instead of t_2; everything
    after it follows from that value (carried), and the formula is flagged."""
    truth = oracle(**EX6)
    with mpmath.workdps(40):
        o2 = truth["o2"]
        wrong_delta = (o2 - EX6["t1"]) * o2 * (1 - o2)  # what the student computed
    follows = oracle(**EX6, delta_o2=wrong_delta)
    code, result, _ = grade_json(capsys, str(FILES / "exercise6_align.tex"), "--problem", "exercise6")
    assert code == 0
    fields = result["fields"]
    downstream = {"delta_h1", "delta_h2", "w1_new", "w2_new", "w3_new", "w4_new", "w7_new", "w8_new"}
    for q, f in fields.items():
        name = next((k for k, v in EX6_NAMES.items() if v == q), q)
        if q == "delta_o2":
            assert f["verdict"] == "incorrect"
            assert close(f["given"], wrong_delta, 1e-9) and not close(f["given"], truth[name])
        elif q in downstream:
            assert f["verdict"] == "carried", q
            if q.endswith("_new"):
                base = EX6["w"][int(q[1]) - 1]
                assert change_close(f["given"], follows[q], base) and not change_close(f["given"], truth[q], base), q
            else:
                assert close(f["given"], follows[q]) and not close(f["given"], truth[q]), q
        else:
            assert f["verdict"] == "correct", q
            assert close(f["given"], truth[name]), q
    assert [(f["kind"], f["quantity"]) for f in result["flags"]] == [("wrong_formula", "delta_o2")]
    assert "t_1 (t1) does not belong" in result["flags"][0]["message"]
    assert fields["z1"]["source"]["where"] == "line 9"


def test_notebook_markdown_cells(capsys):
    """An .ipynb: Markdown cells read with cell-relative places, the code cell ignored; o1 copied wrong into E_o1
    (0.85 for 0.75136507) is inconsistent."""
    truth = oracle(**CLASSIC)
    code, result, _ = grade_json(capsys, str(FILES / "classic_forward.ipynb"), "--problem", "classic_222")
    assert code == 0
    fields = result["fields"]
    answered = {"net_h1", "net_h2", "h1", "h2", "o1", "o2", "E_o1"}
    for q, f in fields.items():
        if q == "E_o1":
            assert f["verdict"] == "incorrect" and f["diagnosis"]["id"] == "uses_flagged_value"
            assert close(f["given"], (0.01 - 0.85) ** 2 / 2, 1e-9) and not close(f["given"], truth["E_o1"])
        elif q in answered:
            assert f["verdict"] == "correct" and close(f["given"], truth[q]), q
        else:
            assert f["verdict"] == "missing", q
    assert [(f["kind"], f["quantity"], f["values"]) for f in result["flags"]] == [("inconsistent", "o1", [0.75136507, 0.85])]
    assert fields["o1"]["source"]["where"] == "cell 4, line 3"
    assert fields["net_h1"]["source"]["where"] == "cell 3, line 1"


def test_shipped_example_writeup_grades_as_the_readme_says(capsys):
    code, result, _ = grade_json(capsys, str(EXAMPLES / "classic_chain_rule.md"), "--problem", "classic_222")
    assert code == 0
    assert (EXAMPLES / "classic_chain_rule.md").read_bytes() == (FILES / "classic_chain_rule.md").read_bytes()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "grade submissions_examples/classic_chain_rule.md --problem classic_222" in readme
    assert f"Score: {result['score']:g} / {result['max_score']:g}" in readme


def test_exam_mode_slip_messages_quote_no_computed_number():
    result = Grader(problem="exercise6", reveal="never").grade_file(SEED)
    z1 = result.field("z1")
    assert "Your expression (−15)·0.8 + 20·0.2 + 0.35 does not equal −11.65: the slip is in line 132." in z1.message
    assert "7.65" not in z1.message
    # a slip's kind is named without the factor or the digits, as exam mode's diagnoses are
    w4 = result.field("w4_new")
    assert "A second slip in line 254, a power of ten: 30 + 4.298208×10^-9 does not equal 30.00000000043." in w4.message
    assert "10^-1" not in w4.message and "30.000000004298" not in w4.message
    w5 = result.field("w5_new")
    assert w5.message.endswith("the slip is in line 216, a power of ten.")


def test_every_slip_of_a_chain_is_named_with_what_the_numbers_show():
    """The seed's w4_new: w4' = 30 - 0.3·(-8.991e-8)·0.2 ≈ 30 + 4.298208e-9 ≈ 30.00000000043 slips twice in one line:
    the product is 5.3946e-9, not 4.298208e-9 (no pattern: arithmetic), and 30 + 4.298208e-9 is 30.0000000043, not
    30.00000000043, whose change from 30 is a tenth of 4.298208e-9 (a power of ten). Both are named, in order; the
    field's diagnosis is a slip in working out, since the expression is right for the student's own δ_h2."""
    text, _ = _seed_results()
    w4 = text.field("w4_new")
    product = 0.3 * 8.991e-8 * 0.2  # -η·δ_h2·i2 with the student's δ_h2
    assert not close(4.298208e-9, product)  # the first slip: not a sign, not a power of ten
    assert not close(4.298208e-9, -product) and all(not close(4.298208e-9, product * 10.0 ** k) for k in range(-8, 9))
    assert close(30.00000000043 - 30, 4.298208e-9 / 10, rtol=1e-3)  # the second: a tenth
    first = "the slip is in line 254. "
    second = "A second slip in line 254, a power of ten (10^-1 times what it should be): 30 + 4.298208×10^-9 equals "
    assert first + second in w4.message
    assert w4.message.index(first) < w4.message.index(second)
    assert w4.message.endswith("not 30.00000000043 (a change of 4.3e-10).")  # the change as written, no float noise
    assert w4.diagnosis is not None and w4.diagnosis.id == "arithmetic"
    # w5_new's one slip is a power of ten too: 0.3·0.000269051·0.999988 = 8.0714e-5, written 8.0707e-6
    assert close(8.0707e-6, 0.3 * 0.000269051 * 0.999988 / 10, rtol=1e-3)
    assert text.field("w5_new").message.endswith(
        "the slip is in line 216, a power of ten (10^-1 times what it should be).")


def test_a_slip_that_rounds_too_early_or_drops_the_sign_is_named(tmp_path):
    """Steps whose value is the one before rounded to two significant digits (outside the 1 % tolerance), or with
    the other sign; the values are computed here from the seed's givens (z1 = -15·0.8 + 20·0.2 + 0.35 = -7.65)."""
    z1 = -15 * 0.8 + 20 * 0.2 + 0.35
    assert close(-7.65, z1) and not close(7.65, z1)
    z3 = 0.0474 * 40 + 0.00118 * 45 + 0.6  # o1's net input from h values of the student's: 2.5491
    path = tmp_path / "slips.md"
    path.write_text("# Exercise 6\n\n$$z_1 = -15 \\cdot 0.8 + 20 \\cdot 0.2 + 0.35 = 7.65$$\n\n"
                    f"$$z_3 = 0.0474 \\cdot 40 + 0.00118 \\cdot 45 + 0.6 = {z3:.6f} = 2.5$$\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert "the slip is in line 3, a change of sign." in result.field("z1").message
    assert round(z3, 1) == 2.5 and not close(2.5, z3)
    assert "A second slip" not in result.field("z3").message
    assert "the slip is in line 5, a value rounded to 2 significant digits too early." in result.field("z3").message


def test_markdown_and_html_reports_quote_the_source_and_list_unread_equations(tmp_path):
    from grader.report import render

    # the fixture's chain-rule factors now name quantities (dE_dout_o1, dout_dnet_o1): add an equation that names none
    text = (FILES / "classic_chain_rule.md").read_text(encoding="utf-8")
    path = tmp_path / "classic_chain_rule.md"
    path.write_text(text + "\n$$\\frac{\\partial net_{o1}}{\\partial w_5} = out_{h1} = 0.593269992$$\n", encoding="utf-8")
    result = Grader(problem="classic_222").grade_file(path)
    md = render(result, "markdown")
    assert "From line 9:" in md and "## Equations not read as any quantity" in md
    html = render(result, "html")
    assert "<dt>From</dt><dd>line 9:" in html and "Equations not read as any quantity" in html
    text = render(result, "text")
    assert "From line 9: net_{h1} = " in text and "Not read as any quantity" in text


def test_a_chain_read_only_in_part_is_listed_with_the_step_that_was_not_read(tmp_path):
    """The last number of a chain is its answer even when a step before it could not be read; the report says which
    chains were read only in part (what the grader skipped), and lists no fully read chain."""
    from grader.report import render

    path = tmp_path / "partly.md"
    path.write_text("# Exercise 6\n\n$$z_1 = \\mystery{2} = 0.5$$\n\n$$z_2 = 0.25 + 0.5 = 0.75$$\n", encoding="utf-8")
    result = Grader(problem="exercise6").grade_file(path)
    assert result.field("z1").given == 0.5 and result.field("z2").given == 0.75
    listed = {where: reason for where, _text, reason in result.unattributed}
    assert list(listed) == ["line 3"]
    assert listed["line 3"].startswith("read only in part: a step could not be read (")
    assert "\\mystery" in listed["line 3"] and listed["line 3"].endswith("its last number was taken")
    assert "read only in part" in render(result, "markdown") and "read only in part" in render(result, "html")


def test_yaml_reports_are_unchanged_by_writeup_fields():
    result = Grader().grade_file(EXAMPLES / "exercise6_seed.yaml")
    assert result.unattributed is None and "unattributed" not in result.to_dict()
    assert all("source" not in f for f in result.to_dict()["fields"].values())


# ---------------------------------------------------------------------------------------------------- extraction


def test_extractor_finds_every_kind_of_math_with_lines():
    text = "\n".join([
        "Intro $a = 1$ and \\(b = 2\\).",  # 1
        "$$c = 3$$",  # 2
        "\\[ d = 4 \\]",  # 3
        "\\begin{align}",  # 4
        "e &= 5 \\\\",  # 5
        "  &= 5.0 \\label{x}",  # 6
        "\\end{align}",  # 7
        "```python",  # 8
        "f = 6",  # 9
        "```",  # 10
        "```",  # 11
        "\\begin{split} g &= 7 \\end{split}",  # 12
        "```",  # 13
        "The weight $w_5$ = 0.1 and $h_1$ $\\approx$ 0.99 -",  # 14
        "A price of $5 is not math.",  # 15
    ])
    rows = [(r.text, r.line) for r in math_rows(text, "md")]
    assert rows == [("a = 1", 1), ("b = 2", 1), ("c = 3", 2), ("d = 4", 3), ("e = 5", 5), ("= 5.0", 6),
                    ("g = 7", 12), ("w_5 = 0.1", 14), ("h_1 = 0.99", 14)]
    chains = build_chains(math_rows(text, "md"))
    assert [c.text for c in chains][:5] == ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5 = 5.0"]


def test_tex_preamble_and_comments_are_skipped_but_lines_kept():
    text = "\\documentclass{article}\n% $x = 1$\n\\begin{document}\n$y = 2$ % $z = 3$\n\\end{document}\n"
    assert [(r.text, r.line) for r in math_rows(text, "tex")] == [("y = 2", 4)]


def test_several_equations_on_one_row():
    assert pieces(r"a = 1, \quad b = 2") == ["a = 1", "b = 2"]
    assert pieces(r"f(x, y) = 1") == [r"f(x, y) = 1"]
    assert pieces(r"w_7 \, h_1 = 2") == [r"w_7 \, h_1 = 2"]


def test_unclosed_delimiters_are_prose_or_end_at_the_paragraph():
    text = "$$ a = 1\n\nb = 2 $ and \\( c = 3\n\n\\[ d = 4"
    rows = [r.text for r in math_rows(text, "md")]
    assert rows == ["a = 1", "d = 4"]


def test_too_many_rows_is_a_limit_error(tmp_path, capsys):
    path = tmp_path / "many.md"
    path.write_text("$a = 1$ " * (MAX_ROWS + 5), encoding="utf-8")
    code = main([str(path), "--problem", "exercise6"])
    err = capsys.readouterr().err
    assert code == 2 and "rows of math" in err


# ---------------------------------------------------------------------------------------------------- hostile input


HOSTILE = {
    "deep_frac.md": "$$z_1 = " + "\\frac{" * 3000 + "1" + "}{2}" * 3000 + "$$\n",
    "tower.md": "$$z_1 = 10^{10^{10}}$$\n$$h_1 = e^{e^{e^{10}}}$$\n$$o_1 = 9^{9^{9^{9}}}$$\n",
    "unbalanced.md": "$$z_1 = \\frac{1}{2$$\n$$z_2 = (((1$$\n$$ }}}} = 3$$\n\\begin{align} z_3 &= 1 \\\\",
    "parens.md": "$$z_1 = " + "(" * 5000 + "1" + ")" * 5000 + "$$\n",
    "huge_number.md": "$$z_1 = " + "9" * 5000 + "$$\n$$z_2 = 1e999999999$$\n",
    "braces.tex": "\\begin{document}\n$z_1 = " + "{" * 20000 + "$\n\\end{document}\n",
    "notebook_deep.ipynb": "[" * 100000 + "]" * 100000,
    "notebook_bad.ipynb": '{"cells": 5}',
    "notebook_cells.ipynb": json.dumps({"cells": [{"cell_type": "markdown", "source": ["$z_1 = ", 5, "1$"]}, 7, None]}),
    "many_dollars.md": "$" * 500_000,
    "many_openers.md": "\\[" * 300_000,
    "fences.md": "```\n" * 200_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_writeups_exit_2_or_are_graded_never_a_traceback(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_text(HOSTILE[name], encoding="utf-8")
    code = main([str(path), "--problem", "exercise6"])
    out = capsys.readouterr()
    assert code in (0, 2), out.err
    assert "Traceback" not in out.err and "internal" not in out.err
    if code == 0:
        assert "Score:" in out.out
    else:
        assert out.err.startswith("error: ")


def test_binary_junk_and_oversized_files_exit_2(tmp_path, capsys):
    junk = tmp_path / "junk.md"
    junk.write_bytes(bytes(range(256)) * 100)
    assert main([str(junk), "--problem", "exercise6"]) == 2
    assert "not a text file" in capsys.readouterr().err
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (2 * 1_048_576 + 1))
    assert main([str(big), "--problem", "exercise6"]) == 2
    assert "too large" in capsys.readouterr().err


def test_a_one_megabyte_writeup_is_read(tmp_path, capsys):
    """Limit behaviour, not time: 1 MB of prose and equations (the seed's Exercise 6 repeated) is graded."""
    seed = SEED.read_text(encoding="utf-8")
    path = tmp_path / "long.md"
    path.write_text((seed + "\n") * (1_048_576 // len(seed)), encoding="utf-8")
    assert path.stat().st_size > 900_000
    code = main([str(path), "--problem", "exercise6"])
    assert code == 0 and "Score:" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------------- batch, Gradescope


def test_batch_grades_writeups_when_the_problem_is_given(tmp_path):
    from grader.batch.run import grade_batch

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEED, src / "mosavireza_400222100_901_hw3.md")  # a Canvas file name
    shutil.copy(EXAMPLES / "exercise6_seed.yaml", src / "other.yaml")
    (src / "broken.tex").write_bytes(b"\x00\x01binary")
    # (a Canvas name in a plain folder is read as one only with --lms canvas: issue 14 item 5)
    result = grade_batch(src, tmp_path / "out", problem="exercise6", jobs=1, progress=False, lms="canvas")
    rows = {e["file"]: e for e in json.loads((tmp_path / "out" / "grades.json").read_text(encoding="utf-8"))["files"]}
    md = rows["mosavireza_400222100_901_hw3.md"]
    assert md["status"] == "graded" and md["score"] == 4.0
    assert rows["other.yaml"]["score"] == 4.0
    assert rows["broken.tex"]["status"] == "unusable" and "not a text file" in rows["broken.tex"]["error"]["message"]
    assert result.graded == 2 and result.unusable == 1
    # without the instructor's one problem (only a folder of problems) a write-up cannot be graded: it is skipped
    grade_batch(src, tmp_path / "out2", problems=EXAMPLES.parent / "problems", jobs=1, progress=False)
    rows = {e["file"]: e for e in json.loads((tmp_path / "out2" / "grades.json").read_text(encoding="utf-8"))["files"]}
    assert rows["mosavireza_400222100_901_hw3.md"]["status"] == "skipped"


def test_gradescope_grades_a_writeup_when_there_is_no_yaml(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    shutil.copy(ROOT / "problems" / "exercise6.yaml", root / "source" / "problem.yaml")
    shutil.copy(SEED, root / "submission" / "solution.md")
    assert main(["gradescope", "--root", str(root)]) == 0
    res = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert res["score"] == 4.0
    by_name = {t["name"].split(":")[0]: t for t in res["tests"]}
    assert "the slip is in line 132" in by_name["z1"]["output"]


# ---------------------------------------------------------------------------------------------------- more notations


def test_plain_text_writeup_without_math_delimiters(tmp_path, capsys):
    truth = oracle(**EX6)
    path = tmp_path / "hand.txt"
    path.write_text("\n".join([
        "Exercise 6 by hand",
        "",
        "1. z1 = -15*0.8 + 20*0.2 + 0.35 = -7.65",
        "2. h1 = sigmoid(z1) = 1/(1 + exp(7.65)) = 0.000475818",
        "   where sigmoid is the logistic function and x = the input",
        "delta_o1 = (o1 - t1)*o1*(1 - o1)",
        "         = (0.650011 - 0.9)*0.650011*(1 - 0.650011)",
        "         = -0.0568718",
        "w5_new = 40 - 0.3*(-0.0568718)*0.000475818 = 40.0000081",
    ]) + "\n", encoding="utf-8")
    code, result, _ = grade_json(capsys, str(path), "--problem", "exercise6")
    assert code == 0
    fields = result["fields"]
    for q, line in (("z1", 3), ("h1", 4), ("delta_o1", 8), ("w5_new", 9)):
        name = {"z1": "net_h1"}.get(q, q)
        assert fields[q]["verdict"] == "correct" and close(fields[q]["given"], truth[name]), q
        assert fields[q]["source"]["where"] == f"line {line}"
    assert sum(f["verdict"] == "missing" for f in fields.values()) == len(fields) - 4


def test_formula_without_numbers_is_checked_against_the_network(tmp_path, capsys):
    path = tmp_path / "formulas.md"
    path.write_text("$$net_{h1} = w_1 i_1 + w_3 i_2 + b_1$$\n\n$$net_{h2} = w_3 i_1 + w_4 i_2 + b_1$$\n\n"
                    "$$\\delta_{o1} = (out_{o1} - target_{o1}) \\, out_{o1} (1 - out_{o1})$$\n", encoding="utf-8")
    code, result, _ = grade_json(capsys, str(path), "--problem", "classic_222")
    assert code == 0
    flags = [(f["kind"], f["quantity"]) for f in result["flags"]]
    assert flags == [("wrong_formula", "net_h1")]  # net_h2 and delta_o1 are the network's
    assert "w_3 (w3, the weight from i1 to h2) does not belong" in result["flags"][0]["message"]
    assert "leaves out w2" in result["flags"][0]["message"]
    assert all(f["verdict"] == "missing" for f in result["fields"].values())  # formulas alone answer nothing


@pytest.mark.parametrize("digits", [4, 5, 8])
def test_numbers_put_into_a_formula_to_the_digits_kept_make_no_wrong_formula(tmp_path, digits):
    """``w4_new = w4 - 0.5*0.00099542 = ...`` is the network's formula with the gradient put in as the student
    rounded it. Before, a step was compared with the key to 1e-9, so 8 digits of the gradient gave a wrong_formula
    flag ("it leaves out eta, delta_h2, i2") and a luckier rounding none. Values from the textbook formulas."""
    from textbook import CLASSIC, CLASSIC_NETS, M, sig, textbook

    t = textbook(CLASSIC, CLASSIC_NETS)
    s = lambda q, d=digits: sig(t[q], d)  # noqa: E731
    path = tmp_path / "w.md"
    path.write_text(f"w4_new = w4 - 0.5*{s('grad_w4')} = {s('w4_new', 12)}\n\n"
                    f"net_o1 = w5*{s('h1')} + w6*{s('h2')} + b2 = {s('net_o1')}\n\n"
                    f"w7 ← w7 - 0.5*{s('grad_w7')} = {s('w7_new', 12)}\n", encoding="utf-8")
    result = Grader(problem="classic_222").grade_file(path)
    assert {f.quantity: f.verdict for f in result.fields if f.verdict != "missing"} == {
        "w4_new": "correct", "net_o1": "correct", "w7_new": "correct"}
    assert result.flags == ()
    # a wrong number put in is a wrong value, not a wrong formula: before, "it leaves out eta, delta_h2, i2" was
    # said of the network's own formula; a name that does not belong is still named (w3 in net_h1)
    wrong = tmp_path / "wrong.md"
    wrong.write_text(f"w4_new = w4 - 0.5*{sig(t['grad_w4'] * 3, 6)} = 0.29\n\n"
                     f"net_h1 = w1*0.05 + w3*0.1 + 0.35 = {sig(t['net_h1'] + M('0.005'), 6)}\n", encoding="utf-8")
    graded = Grader(problem="classic_222").grade_file(wrong)
    assert graded.field("w4_new").verdict == "incorrect" and graded.field("net_h1").verdict == "incorrect"
    assert [(f.kind, f.quantity) for f in graded.flags] == [("wrong_formula", "net_h1")]
    assert "w_3 (w3, the weight from i1 to h2) does not belong" in graded.flags[0].message
    assert "leaves out" not in graded.flags[0].message


WRITEUP_ALPHABET = st.sampled_from(
    ["$", "$$", "\\[", "\\]", "\\(", "\\)", "\n", "\n\n", "```\n", "```python\n", "\\begin{align}", "\\end{align}",
     "\\begin{split}", "\\end{split}", "&=", "\\\\", "=", "\\approx", ":=", " ", "z_1", "h_1", "w_5'", "\\delta_{o_1}",
     "o_1", "E_{total}", "net_{h1}", "0.5", "-15", "(", ")", "{", "}", "\\frac{", "\\cdot", "e^{", "\\sigma(",
     "\\text{Learning Rate}", ",", "\\quad", "Given:", "0.0003", "1e-5", "\\times 10^{-6}", "%", "\x00", "ß", "\t",
     # typed as plain text: names of words, an update's plus or mark, arrows, ½, a braced point, a layer letter
     "net h1", "E total", "w5+", "(new)", "=>", "->", "⇒", "\\Rightarrow", "\\implies", "½", "7{.}65", "^{o}", "_1",
     "**", "`", "# HW — Jo Kim, 400555666\n", "δo1", "so we get ", " and ", " which is tiny", ". ", "Step 3: ", "(1) ",
     # tables (Markdown's and LaTeX's), name: value lines
     "|", "|---|---|\n", "| Unit $j$ | $I_j$ |\n", "| Quantity | Formula | Value |\n", "New value", "Δw", ":",
     "h1: ", "\\begin{tabular}{ll}", "\\end{tabular}", "\\hline", "\\&", "4", "\\textbf{",
     # values said in words
     " is ", " equals ", "the net input of ", "the output of ", " approximately ", "if ", "the derivative of ",
     # HTML tables
     "<table>", "</table>", "<tr>", "<th>", "<td>", "</td>", "<TD class='x'>", "&minus;",
     # lead-ins, remarks, \intertext
     "\\therefore ", "∴", "\\text{so} ", "(4 d.p.)", "(\\text{output of } ", "\\textbf{", "\\intertext{", "\\ldots", "x10^",
     # typeset marks: a power of ten as text, an evaluation bar, a colour or font switch
     "\\text{e-}", "\\mathrm{e}", "|_{w_5=", "\\right|", "\\left.", "\\color{blue} ", "{\\bf "]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(WRITEUP_ALPHABET, max_size=60).map("".join), st.sampled_from(["md", "tex", "txt"]))
def test_any_writeup_text_reads_into_a_submission_or_a_clear_error(text, kind):
    from grader.errors import GraderError

    try:
        sub = writeup_submission(text, kind, "w.md", _KEY, "exercise6")
    except GraderError as error:  # only the documented limits
        assert error.message
        return
    for q, answer in sub.answers.items():
        assert q in _KEY.graph.nodes and answer.line >= 1
        assert answer.value.parsed is not None


_KEY = solve(load_problem(ROOT / "problems" / "exercise6.yaml"))
