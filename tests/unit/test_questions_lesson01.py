"""Lesson 01 exercises: right answers pass, typical wrong answers get their hint, and every
number the lesson's text states matches a fresh computation from the data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lessonkit import UNANSWERED
from lessonkit import answer_name as _answer_name
from lessonkit import joined as _joined
from lessonkit import message as _message
from lessonkit import teacher_solutions as _teacher_solutions

from healthlab import datasets
from healthlab.checks import _REGISTRY, evaluate_answer
from healthlab.questions import lesson01

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01-patient-records.ipynb"


@pytest.fixture(scope="module")
def heart() -> pd.DataFrame:
    return datasets.load("heart-disease")


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return datasets.load("heart-disease", zero_as_missing=True)


@pytest.fixture(scope="module")
def cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _markdown(cells: list[dict]) -> str:
    text = "\n".join(_joined(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.sub(r"\s+", " ", text)  # sentences may wrap across lines


def _output_of(cells: list[dict], code: str) -> str:
    found = [c for c in cells if c["cell_type"] == "code" and code in _joined(c["source"])]
    assert len(found) == 1, code
    parts = []
    for out in found[0]["outputs"]:
        parts.append(_joined(out.get("text", "")))
        parts.append(_joined(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)


# --- right answers, written the way a student would -------------------------------------------


def test_right_answers_pass(heart, clean) -> None:
    over_60 = heart[heart["age"] > 60]
    with_disease = clean[clean["disease"] == 1]
    prevalence = heart.groupby("site")["disease"].mean()["Hungary"] * 100
    older = clean[clean["age"] > 60]
    my_table = older.groupby("disease")[["age", "trestbps", "thalach"]].mean()
    answers = {
        "01.warmup-pulse": [68, 17 * 4, 68.0],
        "01.warmup-equals": [False],
        "01.warmup-bmi-band": ["C", " c "],
        "01.bp-unit": [
            "mmHg",
            "mm Hg",
            "MMHG",
            "mm Hg.",
            "mm of mercury",
            "mm mercury",
            "millimetres of mercury",
            "Millimeters of Mercury",
            "millimetre of mercury",
            heart.attrs["columns"]["trestbps"]["unit"],
        ],
        "01.over-60": [len(over_60), int((heart["age"] > 60).sum()), (heart["age"] > 60).sum()],
        "01.missing-order": [[2, 3, 1], (2, 3, 1)],
        "01.chol-disease": [with_disease["chol"].mean(), round(with_disease["chol"].mean(), 1)],
        "01.prevalence": [prevalence, round(prevalence, 1)],
        "01.make-table": [my_table, my_table.T, my_table.round(1), my_table.reset_index()],
    }
    for question_id, right in answers.items():
        for answer in right:
            feedback = evaluate_answer(question_id, answer)
            assert feedback.correct, (question_id, answer, feedback.message)


def test_every_question_is_in_the_lesson_and_unanswered_cells_say_so(cells) -> None:
    used = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        ids = re.findall(r'check\("(01\.[\w-]+)"', _joined(cell["source"]))
        used.update(ids)
        if ids:
            text = "".join(_joined(o.get("text", "")) for o in cell["outputs"])
            assert text == UNANSWERED + "\n"
    registered = {qid for qid in _REGISTRY if qid.startswith("01.")}
    assert used == registered
    warmups = {qid for qid in used if qid.startswith("01.warmup-")}
    assert 2 <= len(warmups) <= 3 and 4 <= len(used - warmups) <= 6
    for question_id in used:
        assert _message(question_id, ...) == UNANSWERED


# --- typical wrong answers --------------------------------------------------------------------


def test_unit_mistakes(heart) -> None:
    assert "cholesterol" in _message("01.bp-unit", "mg/dL")
    assert "heart rate" in _message("01.bp-unit", "beats/min")
    assert "sex and cp" in _message("01.bp-unit", "code")
    assert "asks for its unit" in _message("01.bp-unit", "Resting systolic blood pressure")
    assert "should be text" in _message("01.bp-unit", 120)
    assert "Nearly" in _message("01.bp-unit", "mercury")
    for wrong in ("mm", "kPa", "cm of mercury", "mmol/L", ""):
        assert not evaluate_answer("01.bp-unit", wrong).correct, wrong
    assert "None" in _message("01.bp-unit", None)


def test_filter_mistakes(heart) -> None:
    age = heart["age"]
    assert "exactly 60" in _message("01.over-60", int((age >= 60).sum()))
    assert "younger than 60" in _message("01.over-60", int((age < 60).sum()))
    assert "60 or younger" in _message("01.over-60", int((age <= 60).sum()))
    assert "every patient" in _message("01.over-60", len(heart))
    assert "Remove the quotes" in _message("01.over-60", str(int((age > 60).sum())))
    assert "single number" in _message("01.over-60", heart[age > 60])


def test_parsons_mistakes() -> None:
    assert "without quotes" in _message("01.missing-order", ["2", "3", "1"])
    assert "before line 3 has turned the 0 into NaN" in _message("01.missing-order", [2, 1, 3])
    for order in ([1, 2, 3], [3, 2, 1], [1, 3, 2], [3, 1, 2]):
        assert "Line 2 makes fixed_bp" in _message("01.missing-order", order)
    assert "needs 3" in _message("01.missing-order", [2, 3])


def test_parsons_lines_really_run_only_in_the_right_order(cells) -> None:
    block = re.search(
        r"```python\n(.*?)```",
        "\n".join(_joined(c["source"]) for c in cells if c["cell_type"] == "markdown"),
        re.S,
    ).group(1)
    lines = dict(row.split(maxsplit=1) for row in block.strip().splitlines())
    from itertools import permutations

    heart = datasets.load("heart-disease")
    answers = {}
    for order in permutations(["1", "2", "3"]):
        namespace = {"heart": heart, "np": np}
        try:
            exec("\n".join(lines[i] for i in order), namespace)
        except NameError:
            continue
        answers[tuple(int(i) for i in order)] = int(namespace["answer"])
    missing = int(heart["trestbps"].isna().sum())
    zeros = int((heart["trestbps"] == 0).sum())
    assert zeros == 1 and heart.loc[heart["trestbps"] == 0, "site"].tolist() == ["VA Long Beach"]
    # only the right order counts the fixed table; counting first runs but misses the zero
    assert answers == {tuple(lesson01.PARSONS_ORDER): missing + zeros, (2, 1, 3): missing}
    assert (heart["trestbps"] == 0).sum() == 1, "the lines must not change heart itself"
    assert "One patient from Long Beach has a resting blood pressure (`trestbps`) of 0" in (
        _markdown(cells)
    )


def test_cholesterol_mistakes(heart, clean) -> None:
    def mean(df, disease=None):
        chol = df["chol"] if disease is None else df.loc[df["disease"] == disease, "chol"]
        return chol.mean()

    assert "still counts the zeros" in _message("01.chol-disease", mean(heart, 1))
    assert "without heart disease. Keep" in _message("01.chol-disease", mean(clean, 0))
    assert "zeros still in" in _message("01.chol-disease", mean(heart, 0))
    assert "every patient. Keep" in _message("01.chol-disease", mean(clean))
    assert "zeros included" in _message("01.chol-disease", mean(heart))


def test_prevalence_mistakes(heart) -> None:
    hungary = heart[heart["site"] == "Hungary"]["disease"]
    assert "proportion (between 0 and 1)" in _message("01.prevalence", hungary.mean())
    assert "how many Hungarian patients" in _message("01.prevalence", int(hungary.sum()))
    assert "WITHOUT heart disease" in _message("01.prevalence", (1 - hungary.mean()) * 100)
    assert "all four sites" in _message("01.prevalence", heart["disease"].mean() * 100)
    cleveland = heart[heart["site"] == "Cleveland"]["disease"].mean() * 100
    assert "another site" in _message("01.prevalence", cleveland)


def test_make_table_mistakes(clean) -> None:
    columns = ["age", "trestbps", "thalach"]
    all_ages = clean.groupby("disease")[columns].mean()
    assert "every age" in _message("01.make-table", all_ages)
    assert "should be a table" in _message("01.make-table", 65.5)
    older = clean[clean["age"] > 60]
    medians = older.groupby("disease")[columns].median()
    assert not evaluate_answer("01.make-table", medians).correct


def test_hints_do_not_give_the_numbers_away(heart, clean) -> None:
    from healthlab.checks import _find

    secrets = {
        "01.over-60": str(int((heart["age"] > 60).sum())),
        "01.chol-disease": f"{clean.loc[clean['disease'] == 1, 'chol'].mean():.0f}",
        "01.prevalence": "36",
    }
    for question_id, secret in secrets.items():
        question = _find(question_id)
        for text in (*question.hints, *(m.hint for m in question.mistakes), question.praise):
            assert secret not in text, (question_id, text)


# --- what the text says is what the data says -------------------------------------------------


def test_numbers_in_the_text_match_the_data(cells, heart, clean) -> None:
    text = _markdown(cells)
    swiss = heart[heart["site"] == "Switzerland"]
    assert f"Every one of the {len(swiss)} Swiss patients has a cholesterol of 0" in text
    assert (swiss["chol"] == 0).all()
    va_zero = int(((heart["site"] == "VA Long Beach") & (heart["chol"] == 0)).sum())
    assert f"{va_zero} patients from Long Beach have the same problem" in text
    assert "920 patients and 16 columns" in text and heart.shape == (920, 16)

    by_disease = heart.groupby("disease")["chol"].mean()
    assert by_disease[1] < by_disease[0]  # the artefact the lesson explains
    assert f"about {by_disease[1]:.0f} against {by_disease[0]:.0f} mg/dL" in text
    fixed = clean.groupby("disease")["chol"].mean()
    assert fixed[1] > fixed[0]  # and the praise of 01.chol-disease says so

    kept = heart.dropna()["site"].value_counts()
    assert f"Only {len(heart.dropna())} patients are left, and {kept['Cleveland']} of them" in text

    age = clean.groupby("disease")["age"].mean()
    men = clean.groupby("disease")["sex"].mean() * 100
    assert f"({age[1]:.0f} against {age[0]:.0f} years)" in text
    assert f"({men[1]:.0f}% against {men[0]:.0f}%)" in text
    missing = clean["chol"].isna().groupby(clean["disease"]).mean()
    assert 0.30 < missing[1] < 0.34 and "almost a third of them" in text


def test_stored_outputs_match_the_data(cells, heart, clean) -> None:
    assert "(920, 16)" in _output_of(cells, "heart.shape")
    assert "0.0    123" in _output_of(cells, 'swiss["chol"].value_counts()')
    assert str(len(heart[heart["age"] > 70])) == _output_of(cells, "len(over_70)").strip()
    table = _output_of(cells, "table1 = pd.DataFrame")
    n = clean["disease"].value_counts()
    assert f"No heart disease (n = {n[0]})" in table and f"Heart disease (n = {n[1]})" in table


def test_the_deliberate_error_is_marked(cells) -> None:
    errors = [c for c in cells if any(o["output_type"] == "error" for o in c.get("outputs", []))]
    assert len(errors) == 1
    cell = errors[0]
    assert "NBVAL" not in _joined(cell["source"])  # the marker is the tag only
    assert "raises-exception" in cell["metadata"]["tags"]
    error = next(o for o in cell["outputs"] if o["output_type"] == "error")
    assert error["ename"] == "KeyError"


def test_card_link_and_loader_option_exist(cells) -> None:
    assert "../datasets/heart-disease.md" in _markdown(cells)
    assert (NOTEBOOK.parent / "../datasets/heart-disease.md").resolve().is_file()
    card = datasets.describe("heart-disease", show=False)
    assert "zero_as_missing" in card["loading_options"]


# --- the worked answers in the teacher notes are right ----------------------------------------

TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "01-patient-records.md"


def test_teacher_notes_answers_pass(cells, heart, clean) -> None:
    solutions = _teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == {qid for qid in _REGISTRY if qid.startswith("01.")}
    for question_id, code in solutions.items():
        namespace = {
            "heart": heart,
            "clean": clean,
            "datasets": datasets,
            "check": lambda *a: None,
            "print": lambda *a: None,
        }
        exec(code, namespace)
        answer = namespace[_answer_name(cells, question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)


# --- the review's fixes ---------------------------------------------------------------------


def test_warm_up_questions_match_the_module(cells) -> None:
    text = "\n".join(_joined(c["source"]) for c in cells if c["cell_type"] == "code")
    assert f"counts {lesson01.WARMUP_BEATS_IN_15_SECONDS} beats in 15 seconds" in text
    assert f"BMI of exactly {lesson01.WARMUP_BMI}" in text
    for letter, band in lesson01.WARMUP_BMI_OPTIONS:
        assert f'{letter} "{band}"' in text
    # the band really is the one lesson 00's function gives
    lesson00 = json.loads((NOTEBOOK.parent / "00-welcome.ipynb").read_text(encoding="utf-8"))
    source = next(
        _joined(c["source"])
        for c in lesson00["cells"]
        if c["cell_type"] == "code" and "def bmi_category" in _joined(c["source"])
    )
    namespace: dict = {}
    exec(source, namespace)
    band = namespace["bmi_category"](lesson01.WARMUP_BMI)
    assert dict(lesson01.WARMUP_BMI_OPTIONS)["C"] == band
    assert evaluate_answer("01.warmup-bmi-band", "C").correct
    assert "25 is not less than 25" in _message("01.warmup-bmi-band", "B")
    assert "30-second count" in _message("01.warmup-pulse", 34)
    assert "two equals signs" in _message("01.warmup-equals", True)


def test_five_hospitals_in_four_centres(cells) -> None:
    text = _markdown(cells)
    assert "five hospitals in four centres" in text
    assert "four hospitals" not in text
    card = datasets.describe("heart-disease", show=False)
    for place in ("Cleveland", "Budapest", "Zurich", "Basel", "Long Beach"):
        assert place in card["population"] and place in text


def test_heart_terms_are_glossed_in_plain_english(cells, heart) -> None:
    text = _markdown(cells)
    for term in (
        "**ST depression** (`oldpeak`)",
        "**thallium scan** (`thal`)",
        "**fluoroscopy** (`ca`)",
        "**exercise-induced angina** (`exang`)",
        "*ST-T wave abnormality*",
        "*left ventricular hypertrophy*",
        "*typical angina*",
        "*asymptomatic*",
        "**fasting blood sugar** (`fbs`)",
    ):
        assert term in text, term
    dictionary = heart.attrs["columns"]
    assert "dipped during exercise" in dictionary["oldpeak"]["description"]
    assert (
        "reversible defect (a part short of blood only in exercise)"
        in (dictionary["thal"]["description"])
    )
    assert "does not explain what 1, 2, 3 and 4" in dictionary["num"]["description"]


def test_the_copy_and_loc_section_shows_what_it_says(cells, heart) -> None:
    fixed = heart.copy()
    fixed.loc[fixed["chol"] == 0, "chol"] = np.nan
    missing, zeros = int(fixed["chol"].isna().sum()), int((heart["chol"] == 0).sum())
    already = int(heart["chol"].isna().sum())
    assert (missing, zeros, already) == (202, 172, 30)
    text = _markdown(cells)
    assert f"{missing} cholesterol values are now missing: the {already} that were missing" in text
    assert f"plus the {zeros} zeros" in text and f"still has its {zeros} zeros" in text
    assert f"Missing cholesterol values in fixed: {missing}" in _output_of(
        cells, 'fixed.loc[fixed["chol"] == 0'
    )
    shown = _output_of(cells, 'print(f"Cholesterol zeros in heart')
    assert shown == f"Cholesterol zeros in heart: {zeros}\nCholesterol zeros in fixed: 0\n"
    swiss = fixed.loc[fixed["site"] == "Switzerland", "chol"]
    assert f"{swiss.isna().sum()} of {len(swiss)}" in _output_of(cells, "swiss_chol = fixed.loc")
    # the loader's option is the same fix for cholesterol
    clean = datasets.load("heart-disease", zero_as_missing=True)
    assert clean["chol"].equals(fixed["chol"])


def test_lesson_declares_what_it_first_teaches() -> None:
    meta = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["metadata"]["healthlab"]
    assert {"copy", "loc-assign", "nan", "loc"} <= set(meta["introduces"])


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
