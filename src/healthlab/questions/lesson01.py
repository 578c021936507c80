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
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGE_CUT_OFF", "MAKE_COLUMNS", "PARSONS_ORDER", "PREVALENCE_SITE"]

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


# --- Your turn 1: a unit from the data dictionary ---------------------------------------------

register(
    Question(
        "01.bp-unit",
        expected=lambda: {
            _heart().attrs["columns"]["trestbps"]["unit"],
            "mm Hg",
            "millimetres of mercury",
            "millimeters of mercury",
        },
        kind="text",
        hints=(
            "The data dictionary has a row for every column, with its description and unit.",
            "Find the row for trestbps and read its unit column.",
        ),
        mistakes=(
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
                lambda a, e: isinstance(a, str) and "blood pressure" in a.casefold(),
                "That is what trestbps measures. The question asks for its unit.",
            ),
        ),
        praise="Blood pressure is measured in millimetres of mercury (mmHg).",
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
            "Which line makes clean? Which line makes swiss? Which line uses swiss?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_list(a) and any(isinstance(x, str) for x in a),
                "Write the line numbers as numbers, without quotes: like [1, 2, 3].",
            ),
            Mistake(
                lambda a, e: _is_list(a) and sorted(a) == [1, 2, 3] and list(a)[-1] != 1,
                "Line 1 counts the missing values in swiss, so it has to wait until swiss exists.",
            ),
            Mistake(
                lambda a, e: _is_list(a) and list(a) == [3, 2, 1],
                "Line 3 picks rows out of clean, but clean has not been loaded yet.",
            ),
        ),
        praise="Load, then filter, then count: the shape of most data questions.",
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
        praise="Prevalence differs a lot between the four hospitals: keep that in mind when "
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
