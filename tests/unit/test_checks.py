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
        ("99.bmi", 22.0, "Close, but"),
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
