"""Exercises of lesson 01, "Patient records".

Answers come from the UCI heart disease data through :func:`healthlab.datasets.load`, computed
the first time a question is checked, never typed in. The typical wrong answers are computed
the same way (the same sum with the wrong column, the wrong group, zeros kept as values, ...),
so each one gets the hint meant for it.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("01.bp-unit", "mmHg").correct
True
>>> print(evaluate_answer("01.bp-unit", "mg/dL").message)
mg/dL is the unit of cholesterol (chol). Look up trestbps in the data dictionary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AGE_CUT_OFF",
    "MAKE_COLUMNS",
    "PARSONS_ORDER",
    "PREVALENCE_SITE",
    "WARMUP_BEATS_IN_15_SECONDS",
    "WARMUP_BMI",
    "WARMUP_BMI_OPTIONS",
]

#: "Older than this" in the filtering exercise and the make task.
AGE_CUT_OFF = 60
#: The site whose prevalence the student works out.
PREVALENCE_SITE = "Hungary"
#: The columns of the student's own Table 1 in the make task.
MAKE_COLUMNS = ("age", "trestbps", "thalach")
#: The right order of the scrambled lines in the Parsons problem.
PARSONS_ORDER = [2, 3, 1]


@cache
def _heart(zero_as_missing: bool = False) -> pd.DataFrame:
    from healthlab import datasets

    return datasets.load("heart-disease", zero_as_missing=zero_as_missing)


def _near(value: Callable[[], float], *, abs_tol: float = 0.05) -> Callable[[Any, Any], bool]:
    """A matcher: True when the answer is a number within ``abs_tol`` of ``value()``."""

    def matches(answer: Any, expected: Any) -> bool:
        return _is_number(answer) and math.isclose(float(answer), float(value()), abs_tol=abs_tol)

    return matches


def _text_is(*options: str) -> Callable[[Any, Any], bool]:
    accepted = {o.casefold().replace(" ", "") for o in options}
    return lambda a, e: isinstance(a, str) and a.casefold().replace(" ", "").rstrip(".") in accepted


# --- Warm-up: remember lesson 00 -------------------------------------------------------------

#: Warm-up 1: beats counted in 15 seconds.
WARMUP_BEATS_IN_15_SECONDS = 17
#: Warm-up 3: the BMI whose NHS band the student names (exactly on a boundary).
WARMUP_BMI = 25.0
#: Warm-up 3: the options, as in lesson 00's bmi_category function.
WARMUP_BMI_OPTIONS = (
    ("A", "underweight"),
    ("B", "healthy weight"),
    ("C", "overweight"),
    ("D", "obese"),
)

register(
    Question(
        "01.warmup-pulse",
        expected=lambda: WARMUP_BEATS_IN_15_SECONDS * 4,
        kind="number",
        abs_tol=0.01,
        hints=("A minute holds four lots of 15 seconds.",),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and float(a) == WARMUP_BEATS_IN_15_SECONDS * 2,
                "Multiplying by 2 is the rule for a 30-second count. This count took 15 seconds.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and float(a) == WARMUP_BEATS_IN_15_SECONDS,
                "That is the count in 15 seconds. Heart rate is beats in a whole minute.",
            ),
        ),
        praise="Beats in 15 seconds times 4.",
    )
)

register(
    Question(
        "01.warmup-equals",
        expected=False,
        kind="bool",
        hints=("In Python, = puts the value on the right into the name on the left.",),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "In Python = means store, not 'is equal to': heart_rate = 72 puts 72 into "
                "heart_rate. Asking whether two values are equal needs two equals signs, ==.",
            ),
        ),
        praise="= stores a value; == asks whether two values are equal (you will use it today).",
    )
)

register(
    Question(
        "01.warmup-bmi-band",
        expected="C",
        kind="choice",
        options=tuple(letter for letter, _ in WARMUP_BMI_OPTIONS),
        hints=(
            "The NHS bands: below 18.5 underweight, 18.5 to 24.9 healthy weight, 25 to 29.9 "
            "overweight, 30 or more obese.",
            "Is 25 less than 25? Then which branch of bmi_category runs?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: str(a).strip().upper() == "B",
                "25 is not less than 25, so bmi < 25 is False and bmi_category moves on to the "
                "next branch. A BMI of exactly 25 is already overweight.",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() in ("A", "D"),
                "Look at the NHS bands again: where does 25 fall?",
            ),
        ),
        praise="Edges matter: 25 is the first value of the overweight band.",
    )
)


# --- Your turn 1: a unit from the data dictionary ---------------------------------------------

#: Accepted spellings of millimetres of mercury, once spaces, dots and capitals are ignored.
_MMHG = re.compile(r"(mm|millimet(re|er)s?)(of)?(hg|mercury)")


def _unit_key(answer: str) -> str:
    return re.sub(r"[^a-z]", "", answer.casefold())


def _is_mmhg(answer: Any, expected: Any) -> bool:
    return isinstance(answer, str) and bool(_MMHG.fullmatch(_unit_key(answer)))


register(
    Question(
        "01.bp-unit",
        expected=lambda: _heart().attrs["columns"]["trestbps"]["unit"],
        kind="custom",
        compare=_is_mmhg,
        hints=(
            "The data dictionary has a row for every column, with its description and unit.",
            "Find the row for trestbps and read its unit column.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not None and not isinstance(a, str),
                'The answer should be text, inside quotes, like "this".',
            ),
            Mistake(
                _text_is("mg/dL", "mg/dl"),
                "mg/dL is the unit of cholesterol (chol). Look up trestbps in the data dictionary.",
            ),
            Mistake(
                _text_is("beats/min", "bpm", "beats per minute"),
                "That is the unit of a heart rate (thalach). Look up trestbps.",
            ),
            Mistake(
                _text_is("code"),
                "code is the unit of columns like sex and cp. Look up trestbps.",
            ),
            Mistake(
                lambda a, e: "blood pressure" in a.casefold(),
                "That is what trestbps measures. The question asks for its unit.",
            ),
            Mistake(
                lambda a, e: "mercury" in a.casefold() or "hg" in _unit_key(a),
                "Nearly: blood pressure is measured in millimetres of mercury. Write it as mmHg, "
                "or in words.",
            ),
        ),
        praise="Blood pressure is measured in millimetres of mercury (mmHg): how high the "
        "pressure would push a column of mercury.",
    )
)

# --- Your turn 2: filtering rows --------------------------------------------------------------


def _count_age(test: Callable[[Any], Any]) -> Callable[[], float]:
    return lambda: float(test(_heart()["age"]).sum())


register(
    Question(
        "01.over-60",
        expected=_count_age(lambda age: age > AGE_CUT_OFF),
        kind="integer",
        hints=(
            "heart['age'] > 60 gives True for each patient older than 60. Put it inside "
            "heart[...] to keep only those rows.",
            "len(table) counts the rows of a table.",
        ),
        mistakes=(
            Mistake(
                _near(_count_age(lambda age: age >= AGE_CUT_OFF), abs_tol=0),
                ">= also keeps patients who are exactly 60. 'Older than 60' needs >.",
            ),
            Mistake(
                _near(_count_age(lambda age: age < AGE_CUT_OFF), abs_tol=0),
                "That counts patients younger than 60. Which way should the > point?",
            ),
            Mistake(
                _near(_count_age(lambda age: age <= AGE_CUT_OFF), abs_tol=0),
                "That counts patients aged 60 or younger. Which way should the > point?",
            ),
            Mistake(
                _near(lambda: float(len(_heart())), abs_tol=0),
                "That is every patient in the table. Filter the rows first, then count.",
            ),
        ),
        praise="Filtering with a True/False test is how you pick out any group of patients.",
    )
)

# --- Your turn 3: put the lines in order (Parsons problem) ------------------------------------


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


register(
    Question(
        "01.missing-order",
        expected=PARSONS_ORDER,
        kind="sequence",
        hints=(
            "A line can only use a name that an earlier line has made.",
            "Which line makes fixed_bp? Which line changes it? When should you count?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_list(a) and any(isinstance(x, str) for x in a),
                "Write the line numbers as numbers, without quotes: like [1, 2, 3].",
            ),
            Mistake(
                lambda a, e: _is_list(a) and list(a) == [2, 1, 3],
                "Line 1 counts the missing values before line 3 has turned the 0 into NaN, so "
                "it would miss one. Count last.",
            ),
            Mistake(
                lambda a, e: _is_list(a) and sorted(a) == [1, 2, 3] and list(a)[0] != 2,
                "Line 2 makes fixed_bp, and the other two lines both use it: which must come "
                "first?",
            ),
        ),
        praise="Copy, then change the copy, then count: the original heart table is untouched.",
    )
)

# --- Your turn 4: cholesterol once the zeros are gone -----------------------------------------


def _chol_mean(*, zero_as_missing: bool, disease: int | None) -> Callable[[], float]:
    def compute() -> float:
        chol = _heart(zero_as_missing)["chol"]
        if disease is not None:
            chol = chol[_heart(zero_as_missing)["disease"] == disease]
        return float(chol.mean())

    return compute


register(
    Question(
        "01.chol-disease",
        expected=_chol_mean(zero_as_missing=True, disease=1),
        kind="number",
        abs_tol=0.05,
        hints=(
            "Use the clean table, where the zeros are NaN: pandas leaves NaN out of a mean.",
            "Keep the rows where disease is 1, take the chol column, then .mean().",
        ),
        mistakes=(
            Mistake(
                _near(_chol_mean(zero_as_missing=False, disease=1)),
                "That mean still counts the zeros as real cholesterol values. Use clean, the "
                "table loaded with zero_as_missing=True.",
            ),
            Mistake(
                _near(_chol_mean(zero_as_missing=True, disease=0)),
                "That is the group without heart disease. Keep the rows where disease is 1.",
            ),
            Mistake(
                _near(_chol_mean(zero_as_missing=False, disease=0)),
                "That is the group without heart disease, with the zeros still in. Use clean "
                "and keep the rows where disease is 1.",
            ),
            Mistake(
                _near(_chol_mean(zero_as_missing=True, disease=None)),
                "That is the mean of every patient. Keep only the rows where disease is 1.",
            ),
            Mistake(
                _near(_chol_mean(zero_as_missing=False, disease=None)),
                "That is every patient, zeros included. Use clean and keep only disease 1.",
            ),
        ),
        praise="Without the fake zeros, patients with heart disease have slightly HIGHER "
        "cholesterol on average, not lower.",
    )
)

# --- Your turn 5: prevalence at one site ------------------------------------------------------


def _site_disease(site: str | None, *, what: str = "percent") -> Callable[[], float]:
    def compute() -> float:
        heart = _heart()
        rows = heart if site is None else heart[heart["site"] == site]
        if what == "count":
            return float(rows["disease"].sum())
        if what == "percent-without":
            return float((1 - rows["disease"].mean()) * 100)
        return float(rows["disease"].mean() * 100)

    return compute


def _other_site(answer: Any, expected: Any) -> bool:
    heart = _heart()
    others = heart.loc[heart["site"] != PREVALENCE_SITE, "site"].unique()
    return any(_near(_site_disease(str(site)), abs_tol=0.06)(answer, expected) for site in others)


register(
    Question(
        "01.prevalence",
        expected=_site_disease(PREVALENCE_SITE),
        kind="number",
        abs_tol=0.06,
        hints=(
            "disease is 1 for heart disease and 0 for none, so its mean is the proportion "
            "with heart disease.",
            "Group by site, take the mean of disease, and multiply by 100 for a percentage.",
        ),
        mistakes=(
            Mistake(
                _near(_site_disease(PREVALENCE_SITE, what="count"), abs_tol=0),
                "That is how many Hungarian patients had heart disease. Prevalence is a "
                "percentage of all the patients there.",
            ),
            Mistake(
                _near(_site_disease(PREVALENCE_SITE, what="percent-without"), abs_tol=0.06),
                "That is the percentage WITHOUT heart disease (disease = 0).",
            ),
            Mistake(
                _near(_site_disease(None), abs_tol=0.06),
                "That is all four sites together. The question asks about Hungary only.",
            ),
            Mistake(_other_site, "That is another site's prevalence. Find the Hungary row."),
        ),
        praise="Prevalence differs a lot between the four centres: keep that in mind when "
        "a model trained at one is used at another.",
    )
)

# --- Your turn 6 (make): your own Table 1 -----------------------------------------------------


def _make_expected() -> pd.DataFrame:
    heart = _heart(True)
    older = heart[heart["age"] > AGE_CUT_OFF]
    return older.groupby("disease")[list(MAKE_COLUMNS)].mean()


def _numbers_in(answer: Any) -> list[float]:
    import pandas as pd

    values = pd.DataFrame(answer).apply(pd.to_numeric, errors="coerce").to_numpy().ravel()
    return [float(v) for v in values if not math.isnan(v)]


def _holds_all(answer: Any, means: pd.DataFrame) -> bool:
    import pandas as pd

    if not isinstance(answer, (pd.DataFrame, pd.Series)):
        return False
    found = _numbers_in(answer)
    return all(
        any(math.isclose(v, x, abs_tol=0.051) for x in found) for v in means.to_numpy().ravel()
    )


def _all_ages(answer: Any, expected: Any) -> bool:
    return _holds_all(answer, _heart(True).groupby("disease")[list(MAKE_COLUMNS)].mean())


def _not_a_table(answer: Any, expected: Any) -> bool:
    import pandas as pd

    return answer is not Ellipsis and not isinstance(answer, (pd.DataFrame, pd.Series))


register(
    Question(
        "01.make-table",
        expected=_make_expected,
        kind="custom",
        compare=_holds_all,
        hints=(
            "Start by keeping only the patients older than 60, as in Your turn 2.",
            "Then group that smaller table by disease and take the mean of the three columns, "
            "as in the Table 1 cell.",
        ),
        mistakes=(
            Mistake(
                _not_a_table,
                "Your answer should be a table (a DataFrame), for example the result of "
                "older.groupby('disease')[[...]].mean().",
            ),
            Mistake(
                _all_ages,
                "Those are the means for patients of every age. Keep only the patients older "
                "than 60 first.",
            ),
        ),
        praise="Your table can be rounded or turned round (.T) and still be right.",
    )
)
