"""Lesson 00 exercises: right answers pass, typical wrong answers get their hint, and the numbers
the lesson shows the student are the numbers the checks use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lessonkit import answer_name, teacher_solutions
from lessonkit import joined as _joined
from lessonkit import message as _message

from healthlab.checks import evaluate_answer
from healthlab.questions import lesson00

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "00-welcome.ipynb"


@pytest.fixture(scope="module")
def cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _code_cell_with(cells: list[dict], text: str) -> dict:
    found = [c for c in cells if c["cell_type"] == "code" and text in _source(c)]
    assert len(found) == 1, f"expected one code cell containing {text!r}, found {len(found)}"
    return found[0]


def _markdown(cells: list[dict]) -> str:
    return "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")


# --- right answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        ("00.ai-role", "B"),
        ("00.ai-role", " b "),
        ("00.run-order", [4, 2, 3, 1]),
        ("00.run-order", [2, 4, 3, 1]),
        ("00.run-order", (4, 2, 3, 1)),
        ("00.heart-rate", 19 * 4),
        ("00.heart-rate", 19 / 15 * 60),
        ("00.bmi", 95 / 1.82**2),
        ("00.bmi", round(95 / 1.82**2, 1)),
        ("00.pulse-30s", 41 * 2),
        ("00.pulse-30s", 41 / 30 * 60),
    ],
)
def test_right_answer_passes(question_id: str, answer: object) -> None:
    feedback = evaluate_answer(question_id, answer)
    assert feedback.correct, feedback.message
    assert feedback.message.startswith("Well done")


def test_unanswered_exercise_asks_for_an_answer() -> None:
    for question_id in (
        "00.ai-role",
        "00.run-order",
        "00.heart-rate",
        "00.bmi",
        "00.pulse-category",
        "00.pulse-30s",
    ):
        assert _message(question_id, ...) == (
            "Replace the ... with your answer, then run the cell again."
        )


# --- typical wrong answers get the hint meant for them ---------------------------------------


@pytest.mark.parametrize(
    ("question_id", "answer", "fragment"),
    [
        ("00.ai-role", "A", "healthcare professional reviewing"),
        ("00.ai-role", "c", "not asked to read scans"),
        ("00.ai-role", "D", "already used for real patients"),
        ("00.ai-role", "E", "Choose one of: A, B, C, D"),
        ("00.ai-role", 2, "should be text"),
        ("00.run-order", ["4", "2", "3", "1"], "without quotes"),
        ("00.run-order", [1, 2, 3], "exactly once"),
        ("00.run-order", [4, 2, 1, 3], "Which line should come last"),
        ("00.run-order", [1, 2, 3, 4], "Which line should come last"),
        ("00.run-order", [3, 2, 4, 1], "has not been given a value yet"),
        ("00.run-order", [4, 3, 2, 1], "has not been given a value yet"),
        ("00.run-order", "4231", "list in square brackets"),
        ("00.heart-rate", 38, "30-second count"),
        ("00.heart-rate", 19, "beats in 15 seconds"),
        ("00.heart-rate", 19 / 4, "You divided"),
        ("00.heart-rate", 19 * 60, "counted in 1 second"),
        ("00.heart-rate", 19 * 15, "225 seconds"),
        ("00.heart-rate", "76", "Remove the quotes"),
        ("00.bmi", 95 / 1.82, "height squared"),
        ("00.bmi", 95 / 182**2, "metres"),
        ("00.bmi", 95 / 1.82 * 1.82, "left to right"),
        ("00.bmi", (95 / 1.82) ** 2, "squared the whole answer"),
        ("00.bmi", 95 * 1.82**2, "You multiplied"),
        ("00.bmi", 95 / (1.82 * 2), "* 2 doubles"),
        ("00.bmi", 95 / 1.82 * 2, "* 2 doubles"),
        ("00.bmi", 29, "rounded too much"),
        ("00.pulse-30s", 41 * 4, "15-second count"),
        ("00.pulse-30s", 41, "beats in 30 seconds"),
        ("00.pulse-30s", 41 / 2, "You divided"),
        ("00.pulse-30s", "82 bpm", "number, not text"),
    ],
)
def test_typical_mistake_gets_its_hint(question_id: str, answer: object, fragment: str) -> None:
    feedback = evaluate_answer(question_id, answer)
    assert not feedback.correct
    assert fragment in feedback.message


def test_hints_never_give_the_number_away() -> None:
    from healthlab.checks import _find

    for question_id, secret in (
        ("00.heart-rate", "76"),
        ("00.bmi", "28.6"),
        ("00.pulse-30s", "82"),
    ):
        question = _find(question_id)
        for text in (*question.hints, *(m.hint for m in question.mistakes)):
            assert secret not in text, (question_id, text)


# --- the lesson and the checks agree ----------------------------------------------------------


def test_every_check_in_the_lesson_is_registered_and_every_question_is_used(cells) -> None:
    used = set()
    for cell in cells:
        if cell["cell_type"] == "code":
            used.update(re.findall(r'check\("(00\.[\w-]+)"', _source(cell)))
    from healthlab.checks import _REGISTRY

    registered = {qid for qid in _REGISTRY if qid.startswith("00.")}
    assert used == registered
    assert len(used) >= 4
    for question_id in used:
        assert "no exercise called" not in _message(question_id, ...)


def test_exercise_cells_store_the_unanswered_message(cells) -> None:
    for cell in cells:
        if cell["cell_type"] == "code" and 'check("00.' in _source(cell):
            text = "".join(_joined(o.get("text", "")) for o in cell["outputs"])
            assert text == "Replace the ... with your answer, then run the cell again.\n"


def test_heart_rate_numbers_match(cells) -> None:
    n = lesson00.BEATS_IN_15_SECONDS
    assert f"{n} beats in 15 seconds" in _markdown(cells)
    _code_cell_with(cells, f"beats_in_15_seconds = {n}\n")
    n30 = lesson00.BEATS_IN_30_SECONDS
    assert f"{n30} beats in 30 seconds" in _markdown(cells)


def test_patient_b_numbers_match(cells) -> None:
    h, w = lesson00.PATIENT_B_HEIGHT_M, lesson00.PATIENT_B_WEIGHT_KG
    assert f"**{h} m** tall and weighs **{w} kg**" in _markdown(cells)
    cell = _code_cell_with(cells, 'check("00.bmi"')
    assert f"height_m = {h}\n" in _source(cell)
    assert f"weight_kg = {w}\n" in _source(cell)
    from healthlab.checks import _find

    praise = _find("00.bmi").praise
    assert f"about {round(w / h**2, 1)} kg/m²" in praise


def test_worked_examples_show_what_the_text_says(cells) -> None:
    minutes = _code_cell_with(cells, "24 * 60")
    assert _joined(minutes["outputs"][0]["data"]["text/plain"]) == "1440"
    assert "There are 1,440 minutes in a day." in _markdown(cells)
    heart = _code_cell_with(cells, "beats_in_15_seconds = 18")
    assert _joined(heart["outputs"][0]["data"]["text/plain"]) == "72"
    bmi = _code_cell_with(cells, "round(bmi, 1)")
    assert (
        _joined(bmi["outputs"][0]["text"]) == f"Patient A's BMI is {round(55 / 1.60**2, 1)} kg/m²\n"
    )


def test_parsons_lines_run_in_the_accepted_orders_only(cells) -> None:
    block = re.search(r"```python\n(.*?)```", _markdown(cells), re.S).group(1)
    lines = {}
    for row in block.strip().splitlines():
        number, code = row.split(maxsplit=1)
        lines[int(number)] = code
    assert sorted(lines) == [1, 2, 3, 4]

    def runs(order: list[int]) -> bool:
        namespace: dict = {"print": lambda *a: None}
        try:
            exec("\n".join(lines[i] for i in order), namespace)
        except NameError:
            return False
        return True

    from itertools import permutations

    working = {order for order in permutations([1, 2, 3, 4]) if runs(list(order))}
    assert working == set(lesson00.RUN_ORDERS)
    assert "70 minutes before she reached hospital" in _markdown(cells)
    assert "minutes_before_arrival = 70" in lines[4]
    assert "= 25" in lines[2]


def test_deliberate_error_cell_is_marked_for_nbval_and_jupyterlab(cells) -> None:
    errors = [c for c in cells if any(o["output_type"] == "error" for o in c.get("outputs", []))]
    assert len(errors) == 1
    cell = errors[0]
    assert "NBVAL" not in _source(cell)  # the marker is the tag: students never see it
    assert "raises-exception" in cell["metadata"].get("tags", [])
    error = next(o for o in cell["outputs"] if o["output_type"] == "error")
    assert error["ename"] == "NameError"
    # the friendly note follows the normal error message and suggests the right name
    note = "".join(_joined(o["data"]["text/plain"]) for o in cell["outputs"] if "data" in o)
    assert "'heart_rate'" in note


# --- the worked answers in the teacher notes are right ----------------------------------------

TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "00-welcome.md"


def test_teacher_notes_answers_pass(cells) -> None:
    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == {qid for qid in lesson00_ids(cells)}
    for question_id, code in solutions.items():
        namespace: dict = {"check": lambda *a: None, "print": lambda *a: None}
        exec(code, namespace)
        answer = namespace[answer_name(cells, question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)


def lesson00_ids(cells: list[dict]) -> set[str]:
    return {
        qid
        for cell in cells
        if cell["cell_type"] == "code"
        for qid in re.findall(r'check\("(00\.[\w-]+)"', _source(cell))
    }


# --- Your turn 5: a function with if / elif / else ------------------------------------------


def _pulse(comparison):
    """A pulse_category as a student might write it, with ``comparison`` in the elif."""
    namespace: dict = {}
    exec(
        "def pulse_category(heart_rate):\n"
        "    if heart_rate < 60:\n"
        "        return 'slow'\n"
        f"    elif {comparison}:\n"
        "        return 'normal'\n"
        "    else:\n"
        "        return 'fast'\n",
        namespace,
    )
    return namespace["pulse_category"]


@pytest.mark.parametrize(
    "comparison", ["heart_rate <= 100", "60 <= heart_rate <= 100", "heart_rate < 101"]
)
def test_pulse_category_right_functions_pass(comparison) -> None:
    assert evaluate_answer("00.pulse-category", _pulse(comparison)).correct


def test_pulse_category_checks_every_edge() -> None:
    cases = dict(lesson00.PULSE_CASES)
    assert {59, 60, 100, 101} <= set(cases)
    assert all(
        cases[r] == "normal" for r in cases if lesson00.PULSE_LOW <= r <= lesson00.PULSE_HIGH
    )
    assert all(cases[r] != "normal" for r in cases if not 60 <= r <= 100)


@pytest.mark.parametrize(
    ("comparison", "fragment"),
    [
        ("...", "Replace the ... with your answer"),
        ("heart_rate < 100", "exactly 100 is still in the usual range"),
        ("heart_rate < 200", "above 100 should be fast"),
        ("heart_rate > 100", "72 is in the usual range"),
    ],
)
def test_pulse_category_mistakes(comparison, fragment) -> None:
    assert fragment in _message("00.pulse-category", _pulse(comparison))


def test_pulse_category_other_mistakes() -> None:
    def prints(heart_rate):
        print("normal")

    def breaks(heart_rate):
        return heart_rate.upper()

    assert "did you use print instead of return" in _message("00.pulse-category", prints)
    assert "stopped with an error" in _message("00.pulse-category", breaks)
    assert "without brackets" in _message("00.pulse-category", "normal")
    for junk in (None, 3, [1], {"a": 1}, lambda: 1):
        evaluate_answer("00.pulse-category", junk)  # never raises


def test_bmi_function_in_the_lesson_follows_the_nhs_bands(cells) -> None:
    cell = _code_cell_with(cells, "def bmi_category(bmi):")
    namespace: dict = {}
    exec(_source(cell), namespace)
    bmi_category = namespace["bmi_category"]
    nhs = [
        (18.4, "underweight"),
        (18.5, "healthy weight"),
        (24.9, "healthy weight"),
        (25, "overweight"),
        (29.9, "overweight"),
        (30, "obese"),
    ]
    for value, band in nhs:
        assert bmi_category(value) == band, value
    text = _markdown(cells)
    assert "below 18.5 underweight, 18.5 to 24.9 the healthy range, 25 to\n29.9 overweight" in text
    # the stored outputs of the calls and of the loop are what the function gives
    for call in ("bmi_category(21.5)", "bmi_category(25)"):
        shown = _joined(_code_cell_with(cells, call)["outputs"][0]["data"]["text/plain"])
        assert shown == repr(eval(call, namespace))
    loop = _code_cell_with(cells, "for patient_bmi in")
    printed = _joined(loop["outputs"][0]["text"]).splitlines()
    values = [17.2, 21.5, 28.7, 33.0]
    assert printed == [f"BMI {v}: {bmi_category(v)}" for v in values]
    assert set(bmi_category(v) for v in values) == {b for _, b in nhs}  # one of each band


def test_facts_follow_the_review(cells) -> None:
    text = _markdown(cells)
    assert "PH46" not in text.replace("it replaced\n  PH46", "")  # NG246 replaced PH46
    assert "NG246" in text and "January 2025" in text
    assert "South Asian" in text and "African-Caribbean family background" in text
    assert "**independently**" in text and "double reading" in text
    assert "being reviewed" not in text
    assert "(UK NSC, 2021)" in text
    # what JupyterLab shows: [ ]: before a cell has run, [*]: while running, a number after
    assert "Empty brackets, `[ ]:`, mean the cell has not been run" in text
    assert "`[*]:`" in text
    title = _source(cells[0])
    assert "HEE" not in title and "Capability Framework" not in title


def test_lesson_declares_what_it_first_teaches() -> None:
    meta = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["metadata"]["healthlab"]
    assert {"def", "return", "if", "for", "comparison", "list"} <= set(meta["introduces"])


def test_teacher_notes_support_every_classroom() -> None:
    """Support, sensitive topics, a hinge question or exit ticket, an unplugged fallback, HEE."""
    notes = TEACHER_NOTES.read_text(encoding="utf-8")
    for heading in (
        "## Support for students who need it",
        "## Sensitive topics: pre-warn the class",
        "## Hinge question and exit ticket",
        "## Unplugged fallback (no computers, or the server is down)",
    ):
        assert heading in notes, heading
    support = notes.split("## Support for students who need it", 1)[1].split("\n## ", 1)[0]
    assert "**Key words**" in support and "**Scaffolded make task" in support
    assert "```python" in support  # the scaffolded version itself
    assert "HEE AI and Digital Healthcare Capability Framework" in notes
    assert '"users"' in notes
