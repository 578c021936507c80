"""Exercises of lesson 02, "Seeing the data".

Answers that come from the heart disease data are computed from
:func:`healthlab.datasets.load`; the chart questions look at the matplotlib ``Axes`` the student
drew (title, axis labels, something plotted), never at the pixels.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("02.which-chart", ["D", "C", "A", "B"]).correct
True
>>> print(evaluate_answer("02.which-chart", ["D", "C", "B", "A"]).message)
Look again at question 3: one measurement, all patients, how is it spread out?
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

__all__ = ["CHART_ORDERS", "CHART_ANSWERS", "CHART_QUESTIONS"]

#: Parsons problem: the line orders that draw the chart (the label may come before or after
#: the bars, but the figure must exist first and be shown last).
CHART_ORDERS = ((2, 3, 4, 1), (2, 4, 3, 1))

#: Matching exercise: question -> chart letter (A histogram, B box plot, C scatter, D bar).
CHART_QUESTIONS = (
    ("What percentage of patients at each hospital had heart disease?", "D"),
    ("Does maximum heart rate fall as people get older?", "C"),
    ("How are cholesterol values spread out across all the patients?", "A"),
    ("Do patients with and without heart disease differ in maximum heart rate?", "B"),
)
CHART_ANSWERS = [letter for _, letter in CHART_QUESTIONS]

_WHY = {
    "A": "one measurement, all patients, how is it spread out?",
    "B": "one measurement, compared between groups.",
    "C": "two measurements for each patient: does one change with the other?",
    "D": "one number (a percentage) for each group.",
}


@cache
def _heart(zero_as_missing: bool = True) -> pd.DataFrame:
    from healthlab import datasets

    return datasets.load("heart-disease", zero_as_missing=zero_as_missing)


def _near(value: Callable[[], float], abs_tol: float) -> Callable[[Any, Any], bool]:
    def matches(answer: Any, expected: Any) -> bool:
        return _is_number(answer) and math.isclose(float(answer), value(), abs_tol=abs_tol)

    return matches


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


# --- Your turn 1: put the chart lines in order ------------------------------------------------

register(
    Question(
        "02.chart-order",
        expected=CHART_ORDERS,
        kind="orders",
        hints=(
            "You need a figure and axes before you can draw on them.",
            "Showing the figure closes it, so it must come last.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list in square brackets, like [1, 2, 3, 4].",
            ),
            Mistake(
                lambda a, e: _is_list(a) and any(isinstance(x, str) for x in a),
                "Write the line numbers as numbers, without quotes: like [1, 2, 3, 4].",
            ),
            Mistake(
                lambda a, e: sorted(a) != [1, 2, 3, 4],
                "Use each of the line numbers 1, 2, 3 and 4 exactly once.",
            ),
            Mistake(
                lambda a, e: list(a)[0] != 2,
                "Lines 1, 3 and 4 all use fig or ax. Which line makes them?",
            ),
            Mistake(
                lambda a, e: list(a)[-1] != 1,
                "plots.show displays the figure and then closes it, so nothing can be added "
                "after it. Which line should come last?",
            ),
        ),
        praise="Make the figure, draw, label, show: every chart in this course has that shape.",
    )
)

# --- Your turn 2: which chart answers which question? -----------------------------------------


def _letters(answer: Any) -> list[str] | None:
    if not _is_list(answer) or not all(isinstance(x, str) for x in answer):
        return None
    return [x.strip().upper() for x in answer]


def _wrong_at(position: int) -> Callable[[Any, Any], bool]:
    def matches(answer: Any, expected: Any) -> bool:
        letters = _letters(answer)
        return letters is not None and len(letters) == 4 and letters[position] != expected[position]

    return matches


register(
    Question(
        "02.which-chart",
        expected=CHART_ANSWERS,
        kind="custom",
        compare=lambda a, e: _letters(a) == list(e),
        hints=(
            "Ask of each question: how many measurements, and is it about groups?",
            "A histogram shows one measurement's spread; a box plot compares groups; a scatter "
            "plot shows two measurements; a bar chart shows one number per group.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and _letters(a) is None,
                'The answer should be a list of four letters in quotes, like ["A", "B", "C", "D"].',
            ),
            Mistake(
                lambda a, e: len(_letters(a)) != 4,
                "Give one letter for each of the four questions: a list of four letters.",
            ),
            *(
                Mistake(
                    _wrong_at(i),
                    f"Look again at question {i + 1}: {_WHY[CHART_QUESTIONS[i][1]]}",
                )
                for i in range(4)
            ),
        ),
        praise="Choosing the chart starts with the question, not with the data.",
    )
)

# --- Your turn 3: the middle line of a box ----------------------------------------------------


def _thalach(disease: int, how: str) -> Callable[[], float]:
    def compute() -> float:
        heart = _heart()
        values = heart.loc[heart["disease"] == disease, "thalach"]
        return float(getattr(values, how)())

    return compute


register(
    Question(
        "02.median-hr",
        expected=_thalach(0, "median"),
        kind="number",
        abs_tol=0.01,
        hints=(
            "The line across the middle of each box is the median: the middle value when the "
            "values are put in order.",
            "Keep the rows where disease is 0, take the thalach column, then .median().",
        ),
        mistakes=(
            Mistake(
                _near(_thalach(0, "mean"), 0.01),
                "That is the mean (the average). The line in the box is the median: use .median().",
            ),
            Mistake(
                _near(_thalach(1, "median"), 0.01),
                "That is the group WITH heart disease. The question asks about patients "
                "without it (disease = 0).",
            ),
            Mistake(
                _near(_thalach(1, "mean"), 0.01),
                "That is the mean of the group WITH heart disease. Use disease = 0 and .median().",
            ),
        ),
        praise="Half the patients without heart disease reached a higher maximum heart rate "
        "than this, half a lower one.",
    )
)

# --- Your turn 4: the base rate ---------------------------------------------------------------


def _women(what: str) -> Callable[[], float]:
    def compute() -> float:
        heart = _heart()
        women = heart[heart["sex"] == 0]
        if what == "prevalence":
            return float(women["disease"].mean() * 100)
        if what == "count":
            return float(women["disease"].sum())
        if what == "share-of-cases":
            return float((heart.loc[heart["disease"] == 1, "sex"] == 0).mean() * 100)
        if what == "men":
            return float(heart.loc[heart["sex"] == 1, "disease"].mean() * 100)
        raise ValueError(what)

    return compute


register(
    Question(
        "02.women-prevalence",
        expected=_women("prevalence"),
        kind="number",
        abs_tol=0.06,
        hints=(
            "Keep only the women (sex = 0), then work out the percentage of them with heart "
            "disease.",
            "The mean of the disease column is a proportion; multiply by 100.",
        ),
        mistakes=(
            Mistake(
                _near(_women("share-of-cases"), 0.06),
                "That is the share of heart-disease patients who are women: the chart without "
                "a base rate. Divide by the number of women instead.",
            ),
            Mistake(
                _near(_women("count"), 0),
                "That is how many women had heart disease. The question asks for a percentage "
                "of all the women.",
            ),
            Mistake(
                _near(_women("men"), 0.06),
                "That is the percentage for men (sex = 1). Women are coded 0.",
            ),
        ),
        praise="About 1 woman in 4 here had heart disease: fewer than the men, but not nine "
        "times fewer, as the counts chart suggested.",
    )
)

# --- Your turn 5 (make): your own accessible chart --------------------------------------------


def _is_axes(answer: Any) -> bool:
    try:
        from matplotlib.axes import Axes
    except ImportError:  # pragma: no cover
        return False
    return isinstance(answer, Axes)


def _has_drawing(ax: Any) -> bool:
    return bool(ax.patches or ax.lines or ax.collections or ax.containers)


def _chart_is_complete(answer: Any, expected: Any) -> bool:
    return (
        _is_axes(answer)
        and _has_drawing(answer)
        and bool(answer.get_title().strip())
        and bool(answer.get_xlabel().strip())
        and bool(answer.get_ylabel().strip())
    )


register(
    Question(
        "02.make-chart",
        expected=None,
        kind="custom",
        compare=_chart_is_complete,
        hints=(
            "Start with fig, ax = plt.subplots(), then draw with ax.bar(...).",
            "Give it ax.set_title(...), ax.set_xlabel(...) and ax.set_ylabel(...) with units, "
            'then check("02.make-chart", ax).',
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_axes(a),
                "Pass the axes you drew on (the ax from fig, ax = plt.subplots()), not the "
                "figure or the data.",
            ),
            Mistake(
                lambda a, e: not _has_drawing(a),
                "These axes are empty: draw something on them, for example ax.bar(...).",
            ),
            Mistake(
                lambda a, e: not a.get_title().strip(),
                "Your chart needs a title that says what it shows: ax.set_title(...).",
            ),
            Mistake(
                lambda a, e: not a.get_xlabel().strip(),
                "Label the x-axis: ax.set_xlabel(...).",
            ),
            Mistake(
                lambda a, e: not a.get_ylabel().strip(),
                "Label the y-axis, with its unit (for example %): ax.set_ylabel(...).",
            ),
        ),
        praise="Now make sure your alt text says what the chart shows, in words.",
    )
)
