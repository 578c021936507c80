"""healthlab.checks: right answers pass, typical mistakes get their hint, nothing ever raises."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from healthlab.checks import (
    WELL_DONE,
    Mistake,
    Question,
    check,
    evaluate_answer,
    hint,
    register,
)


@pytest.fixture(autouse=True)
def questions():
    register(
        Question(
            "99.bmi",
            expected=lambda: 70 / 1.75**2,
            abs_tol=0.01,
            hints=("Divide the weight by the height squared.", "Height must be in metres."),
            mistakes=(Mistake(lambda a, e: math.isclose(a, 70 / 1.75), "Square the height."),),
        )
    )
    register(Question("99.count", expected=920, kind="integer"))
    register(Question("99.site", expected={"Switzerland", "CH"}, kind="text"))
    register(Question("99.letter", expected="b", kind="choice", options=("a", "b", "c")))
    register(Question("99.order", expected=[3, 1, 2], kind="sequence"))
    register(Question("99.flag", expected=True, kind="bool"))
    register(Question("99.broken", expected=lambda: 1 / 0))
    register(Question("99.frame", expected=3, kind="custom", compare=lambda a, e: len(a) == e))


@pytest.mark.parametrize(
    ("qid", "answer"),
    [
        ("99.bmi", 22.857),
        ("99.bmi", np.float64(22.86)),
        ("99.count", 920),
        ("99.count", np.int64(920)),
        ("99.count", 920.0),
        ("99.site", "  switzerland. "),
        ("99.site", "CH"),
        ("99.letter", "B"),
        ("99.order", (3, 1, 2)),
        ("99.flag", True),
        ("99.frame", pd.DataFrame({"a": [1, 2, 3]})),
    ],
)
def test_right_answers_pass(qid, answer):
    feedback = evaluate_answer(qid, answer)
    assert feedback.correct, feedback.message
    assert feedback.message.startswith(WELL_DONE)


@pytest.mark.parametrize(
    ("qid", "answer", "expected_hint"),
    [
        ("99.bmi", ..., "Replace the ..."),
        ("99.bmi", None, "None"),
        ("99.bmi", "22.86", "Remove the quotes"),
        ("99.bmi", "twenty", "should be a number"),
        ("99.bmi", 70 / 1.75, "Square the height."),
        ("99.bmi", 23, "rounded too much"),
        ("99.bmi", 2285.7, "proportion"),
        ("99.bmi", [22.86], "single number"),
        ("99.bmi", True, "single number"),
        ("99.bmi", float("nan"), "NaN"),
        ("99.bmi", 22.0, "Not yet"),  # near, but not a rounding of 22.857: no "rounded" hint
        ("99.bmi", 22.9, "rounded too much"),
        ("99.count", 919, "Not yet"),
        ("99.site", 3, "should be text"),
        ("99.letter", "d", "Choose one of: a, b, c"),
        ("99.order", [1, 2, 3], "not in the right order"),
        ("99.order", [3, 1], "needs 3"),
        ("99.order", "3, 1, 2", "list in square brackets"),
        ("99.flag", "True", "True or False"),
        ("99.frame", object(), "Not yet"),
    ],
)
def test_typical_mistakes_get_their_hint(qid, answer, expected_hint):
    feedback = evaluate_answer(qid, answer)
    assert not feedback.correct
    assert expected_hint in feedback.message


def test_unknown_question_and_broken_question_do_not_raise(capsys):
    check("99.nope", 1)
    assert "no exercise called '99.nope'" in capsys.readouterr().out
    check("99.broken", 1)
    assert "Tell your teacher" in capsys.readouterr().out


@pytest.mark.parametrize(
    "weird", [object(), lambda: 1, {"a": 1}, b"bytes", np.array([1, 2]), pd.NA]
)
def test_check_never_raises(weird, capsys):
    for qid in ("99.bmi", "99.count", "99.site", "99.letter", "99.order", "99.flag", "99.frame"):
        check(qid, weird)
        assert capsys.readouterr().out.strip()


def test_hints_come_one_at_a_time_then_repeat_the_last(capsys):
    hint("99.bmi")
    hint("99.bmi")
    hint("99.bmi")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Hint 1 of 2: Divide the weight by the height squared.",
        "Hint 2 of 2: Height must be in metres.",
        "Hint 2 of 2: Height must be in metres.",
    ]


def test_wrong_answer_points_to_hint_when_there_is_one():
    assert "hint('99.bmi')" in evaluate_answer("99.bmi", 30.0).message


def test_expected_value_is_computed_once():
    calls = []
    question = register(Question("99.once", expected=lambda: calls.append(1) or 5, kind="integer"))
    evaluate_answer("99.once", 5)
    evaluate_answer("99.once", 4)
    assert calls == [1]
    assert question.expected_value() == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "nodot", "expected": 1}, "must look like 'NN.name'"),
        ({"id": "99.k", "expected": 1, "kind": "numbr"}, "kind must be one of"),
        ({"id": "99.c", "expected": 1, "kind": "custom"}, "no compare function"),
    ],
)
def test_bad_question_definitions_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Question(**kwargs)


def test_orders_accepts_any_of_several_right_orders():
    register(Question("99.orders", expected=((2, 1, 3), (1, 2, 3)), kind="orders"))
    assert evaluate_answer("99.orders", [2, 1, 3]).correct
    assert evaluate_answer("99.orders", (1, 2, 3)).correct
    assert "not in the right order" in evaluate_answer("99.orders", [3, 2, 1]).message
    assert "needs 3" in evaluate_answer("99.orders", [1, 2]).message


# --- the "rounded too much" hint is only for real roundings -----------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from healthlab.checks import UNANSWERED, false_certainty, is_rounding_of  # noqa: E402


@pytest.mark.parametrize(
    ("answer", "expected", "proportion", "rounded"),
    [
        (0.99, 0.989, True, True),
        (0.98, 0.989, True, False),  # the PPV given for the specificity: a different number
        (0.965, 0.989, True, False),  # the accuracy
        (1, 0.989, True, False),  # 0 decimals says nothing about a proportion
        (0, 0.3, True, False),
        (0.9, 0.925, True, True),
        (23, 22.857, False, True),
        (22, 22.857, False, False),
    ],
)
def test_is_rounding_of(answer, expected, proportion, rounded):
    assert is_rounding_of(answer, expected, proportion=proportion) is rounded


@given(
    expected=st.floats(min_value=0, max_value=1, allow_nan=False),
    answer=st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_rounded_hint_only_for_a_rounding_of_the_right_answer(expected, answer):
    register(Question("99.prop", expected=expected, kind="number", abs_tol=1e-9))
    message = evaluate_answer("99.prop", answer).message
    if "rounded too much" in message:
        places = len(repr(float(answer)).split(".")[1].rstrip("0")) if "." in repr(answer) else 0
        assert places >= 1
        assert round(expected, places) == pytest.approx(answer, abs=0.5 * 10**-places)
        assert abs(answer - expected) <= 0.5 * 10**-places * (1 + 1e-9)


def test_unanswered_does_not_compute_the_answer():
    calls = []
    register(Question("99.slow", expected=lambda: calls.append(1) or 1.0))
    assert evaluate_answer("99.slow", ...).message == UNANSWERED
    assert calls == []


# --- open (written) answers are never called right ---------------------------------------------

OPEN = Question(
    "99.explain",
    expected=None,
    kind="open",
    looks_for=("says who makes the decision", "gives one reason"),
    min_words=15,
)


@pytest.mark.parametrize(
    "answer",
    [
        "blah " * 20,
        "You definitely do not have heart disease, there is no need for tests and you can go home.",
        "The nurse decides, because the model has not seen the patient and the nurse has; "
        "the model is one piece of evidence among several that the team weighs together.",
        "",
        "...",
        42,
        None,
        ["a", "list"],
    ],
)
def test_open_answers_are_never_right(answer):
    register(OPEN)
    feedback = evaluate_answer("99.explain", answer)
    assert not feedback.correct
    assert not feedback.judged
    assert "right" not in feedback.message.replace("write", "").casefold().split("a good answer")[0]
    assert WELL_DONE not in feedback.message


def test_open_answer_feedback_says_what_is_wrong():
    register(OPEN)
    blah = evaluate_answer("99.explain", "blah " * 20).message
    assert "cannot mark" in blah and "repeats" in blah
    assert "- says who makes the decision" in blah
    sure = evaluate_answer(
        "99.explain", "You definitely do not have heart disease ... you can go home."
    ).message
    assert '"definitely"' in sure and '"can go home"' in sure and "short" in sure
    assert evaluate_answer("99.explain", ...).message == UNANSWERED
    assert "text, inside quotes" in evaluate_answer("99.explain", 42).message


def test_open_question_needs_a_checklist():
    with pytest.raises(ValueError, match="looks_for"):
        Question("99.bad", expected=None, kind="open")


def test_false_certainty_words():
    assert false_certainty("It is certainly fine; no need for tests.") == [
        "certainly",
        "no need for tests",
    ]
    assert false_certainty("The model suggests a low risk; the nurse should check.") == []
