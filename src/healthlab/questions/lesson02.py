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
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHART_ANSWERS", "CHART_ORDERS", "CHART_QUESTIONS", "DROPNA_OPTIONS", "MAKE_GROUP"]

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


# --- Warm-up: remember lesson 01 -------------------------------------------------------------

#: Warm-up 3: what heart.dropna() did in lesson 01 (choice).
DROPNA_OPTIONS = (
    ("A", "It kept every patient and filled the gaps with 0."),
    ("B", "It kept 299 patients, 297 of them from Cleveland."),
    ("C", "It removed only the missing cholesterol values."),
    ("D", "It removed the Swiss patients only."),
)

register(
    Question(
        "02.warmup-swiss-chol",
        expected=0,
        kind="integer",
        hints=("It was a number nobody alive can have.",),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, float) and math.isnan(a),
                "That was the trap: isna() said none of the Swiss values was missing. They were "
                "all written as one number instead. Which?",
            ),
        ),
        praise="All 123 were recorded as 0: missing values in disguise, which isna() cannot see.",
    )
)

register(
    Question(
        "02.warmup-copy",
        expected=False,
        kind="bool",
        hints=("heart.copy() makes a second, separate table.",),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "fixed = heart.copy() makes a separate table, so changing fixed leaves heart "
                "as it was. Without .copy(), both names would point at the same table.",
            ),
        ),
        praise="The copy is separate: the original records stay as they arrived.",
    )
)

register(
    Question(
        "02.warmup-dropna",
        expected="B",
        kind="choice",
        options=tuple(letter for letter, _ in DROPNA_OPTIONS),
        hints=("dropna() drops every row that has ANY missing value.",),
        mistakes=(
            Mistake(
                lambda a, e: str(a).strip().upper() == "A",
                "dropna() never fills gaps: it drops whole rows that have any gap.",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "C",
                "dropna() on a whole table drops whole rows (patients), not single values.",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "D",
                "Other hospitals lost patients too: Hungary and Long Beach kept only 1 each.",
            ),
        ),
        praise="Dropping rows quietly changed who was in the data: nearly only Cleveland was left.",
    )
)

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
#
# The check reads the chart the student drew: the bars and their heights (compared with the
# percentages it computes from the data), the words under the bars, the labels, the numbers on
# the bars, where the axis starts and the alt text given to plots.show. It names the first
# thing that is wrong, so a histogram of age or a chart of counts is never called right.

#: The column that splits the patients into the two groups of the make task.
MAKE_GROUP = "exang"
_NEGATIVE = re.compile(r"\b(no|not|without|none|never)\b|n't\b", re.IGNORECASE)
_CODE_LABEL = re.compile(r"\s*(exang\s*[=:]?\s*)?([01](\.0)?|true|false|nan)\s*", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _is_axes(answer: Any) -> bool:
    try:
        from matplotlib.axes import Axes
    except ImportError:  # pragma: no cover
        return False
    return isinstance(answer, Axes)


def _has_drawing(ax: Any) -> bool:
    return bool(ax.patches or ax.lines or ax.collections or ax.containers)


@cache
def _make_numbers() -> dict[str, tuple[float, float]]:
    """For exang 0 and 1: the right percentages and the typical wrong bar heights."""
    heart = _heart()
    groups = heart.dropna(subset=[MAKE_GROUP]).groupby(MAKE_GROUP)["disease"]
    percent = groups.mean() * 100
    pair = lambda s: (float(s.loc[0]), float(s.loc[1]))  # noqa: E731
    return {
        "percent": pair(percent),
        "proportions": pair(percent / 100),
        "without": pair(100 - percent),
        "counts-patients": pair(groups.size()),
        "counts-cases": pair(groups.sum()),
    }


def _bars(ax: Any) -> tuple[list[tuple[float, float]], bool]:
    """(centre, length) of every bar drawn with ax.bar, ax.barh or ax.hist; True if horizontal."""
    from matplotlib.container import BarContainer

    bars, horizontal = [], False
    for container in ax.containers:
        if not isinstance(container, BarContainer):
            continue
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        for patch in container.patches:
            if horizontal:
                bars.append((patch.get_y() + patch.get_height() / 2, patch.get_width()))
            else:
                bars.append((patch.get_x() + patch.get_width() / 2, patch.get_height()))
    return bars, horizontal


def _bar_names(ax: Any, centres: list[float], horizontal: bool) -> list[str]:
    """The tick label under (or beside) each bar; "" where a bar has none."""
    axis = ax.yaxis if horizontal else ax.xaxis
    ticks = list(axis.get_majorticklocs())
    labels = axis.get_major_formatter().format_ticks(ticks)
    names = []
    for centre in centres:
        near = [
            label for tick, label in zip(ticks, labels, strict=True) if abs(tick - centre) < 0.3
        ]
        names.append(near[0].strip() if near else "")
    return names


def _matches(heights: list[float], pair: tuple[float, float], tol: float) -> bool:
    return len(heights) == 2 and all(
        math.isclose(h, want, abs_tol=tol)
        for h, want in zip(sorted(heights), sorted(pair), strict=True)
    )


def _numbers_in_text(text: str) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text)]


def _says(numbers: list[float], value: float) -> bool:
    return any(math.isclose(n, value, abs_tol=0.51) for n in numbers)


def _chart_problem(ax: Any) -> str | None:
    """The first thing wrong with the student's chart, or None when nothing is."""
    if not _is_axes(ax):
        return "not-axes"
    if not _has_drawing(ax):
        return "empty"
    bars, horizontal = _bars(ax)
    if not bars:
        return "not-bars"
    if len(bars) > 2:
        return "too-many-bars"
    if len(bars) < 2:
        return "too-few-bars"
    heights = [height for _, height in bars]
    numbers = _make_numbers()
    if not _matches(heights, numbers["percent"], 0.51):
        for wrong, tol in (
            ("counts-patients", 0.5),
            ("counts-cases", 0.5),
            ("proportions", 0.0051),
            ("without", 0.51),
        ):
            if _matches(heights, numbers[wrong], tol):
                return wrong
        return "heights"
    if not ax.get_title().strip():
        return "title"
    if not ax.get_xlabel().strip():
        return "xlabel"
    if not ax.get_ylabel().strip():
        return "ylabel"
    value_label = ax.get_xlabel() if horizontal else ax.get_ylabel()
    if not re.search(r"%|per ?cent", value_label, re.IGNORECASE):
        return "unit"
    names = _bar_names(ax, [centre for centre, _ in bars], horizontal)
    if any(not re.search(r"[A-Za-z]{2,}", n) or _CODE_LABEL.fullmatch(n) for n in names):
        return "codes"
    with_angina = min(range(2), key=lambda i: abs(heights[i] - numbers["percent"][1]))
    if _NEGATIVE.search(names[with_angina]) and not _NEGATIVE.search(names[1 - with_angina]):
        return "swapped"
    on_bars = [n for text in ax.texts for n in _numbers_in_text(text.get_text())]
    if not all(_says(on_bars, value) for value in numbers["percent"]):
        return "bar-numbers"
    low = (ax.get_xlim() if horizontal else ax.get_ylim())[0]
    if low > 0:
        return "truncated"
    from healthlab.plots import alt_text

    alt = alt_text(ax)
    if len(alt.split()) < 6:
        return "no-alt"
    if not all(_says(_numbers_in_text(alt), value) for value in numbers["percent"]):
        return "alt-numbers"
    return None


_CHART_HINTS = {
    "not-axes": "Pass the axes you drew on (the ax from fig, ax = plt.subplots()), not the "
    "figure or the data.",
    "empty": "These axes are empty: draw something on them, for example ax.bar(...).",
    "not-bars": "The task asks for a bar chart: draw it with ax.bar(names, percentages).",
    "too-many-bars": "Your chart has more than two bars. The task asks for one bar for each "
    "exang group, so two bars. (A histogram, such as one of age, answers a different question.)",
    "too-few-bars": "Your chart has only one bar. The task asks for one bar for each exang "
    "group: patients without and with angina on exercise.",
    "counts-patients": "Your bars show how many patients are in each exang group. The task asks "
    "for the percentage of each group who had heart disease: group by exang, take the mean "
    "of disease, and multiply by 100.",
    "counts-cases": "Your bars count the patients with heart disease in each group: counts "
    "without a base rate, the trap of section 6. Show the percentage of each group instead "
    "(the mean of disease, times 100).",
    "proportions": "Your bars are proportions (between 0 and 1). The task asks for "
    "percentages: multiply by 100.",
    "without": "Your bars show the percentage WITHOUT heart disease. The mean of disease is "
    "the share WITH it.",
    "heights": "Your two bars are not the percentages with heart disease in the two exang "
    "groups. Group by exang, take the mean of disease, and multiply by 100.",
    "title": "Your chart needs a title that says what it shows: ax.set_title(...).",
    "xlabel": "Label the x-axis: ax.set_xlabel(...).",
    "ylabel": "Label the y-axis, with its unit (for example %): ax.set_ylabel(...).",
    "unit": "Give the axis of the percentages its unit: put (%) in its label.",
    "codes": 'Name the bars in words (for example "No angina on exercise"), not with the '
    "codes 0 and 1: give ax.bar a list of two names.",
    "swapped": "Your bar names look the wrong way round: exang 1 means angina WAS brought on "
    "by exercise. Check which percentage belongs to which group.",
    "bar-numbers": "Write the percentage on each bar: bars = ax.bar(...), then "
    'ax.bar_label(bars, fmt="%.0f%%").',
    "truncated": "A bar chart's axis must start at 0 (section 6): ax.set_ylim(0, 100).",
    "no-alt": 'Show the chart with plots.show(fig, alt="...") above the check line, with alt '
    "text that describes it in a sentence.",
    "alt-numbers": "Your alt text should give the two percentages, so that someone who "
    "cannot see the chart learns what it shows.",
}


register(
    Question(
        "02.make-chart",
        expected=None,
        kind="custom",
        compare=lambda a, e: _chart_problem(a) is None,
        hints=(
            'Start with angina = heart.groupby("exang")["disease"].mean() * 100, then '
            "fig, ax = plt.subplots() and bars = ax.bar([...two names...], angina).",
            'Then ax.bar_label(bars, fmt="%.0f%%"), a title, both axis labels (the y label '
            "with %), and plots.show(fig, alt=...) with both percentages in the alt text.",
        ),
        mistakes=tuple(
            Mistake(lambda a, e, key=key: _chart_problem(a) == key, text)
            for key, text in _CHART_HINTS.items()
        ),
        praise="The check read your chart: two bars at the right heights, named in words, "
        "labelled, starting at 0, with the percentages on the bars and in the alt text.",
    )
)
