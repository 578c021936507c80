"""Exercises of lesson 11, "Fairness".

Every question registers itself here with :func:`healthlab.checks.register`. Answers that come
from data are computed from it, never typed in: the heart disease tree is lesson 06's (the same
nine columns, median imputation inside a pipeline, stratified 75/25 split, depth 3, seed 42, from
:mod:`healthlab.questions.lesson06`), and the cohort answers come from the committed synthetic
patient cohort.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("11.warmup-keyword", True).correct
True
>>> evaluate_answer("11.occult-order", [2, 1, 3, 4]).correct
True
>>> print(evaluate_answer("11.toy-fpr", 40 / 200).message)  # doctest: +ELLIPSIS
That divides by everyone flagged in group B...
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "OCCULT_ORDERS",
    "SEED",
    "TOP_SHARE",
    "TOY",
    "TOY_HIGH_RISK_ILL",
    "TOY_LOW_RISK_ILL",
    "cohort",
    "heart_predictions",
    "selection",
    "heart_groups",
    "toy_rates",
]

#: The random seed every lesson uses.
SEED = 42
#: The share of the cohort flagged for extra help (the top 3%).
TOP_SHARE = 0.03
#: "Your turn 2" (Parsons problem): lines 1 (the SpO2 band) and 2 (Black patients) may come in
#: either order; line 3 uses both, line 4 uses line 3.
OCCULT_ORDERS = ((1, 2, 3, 4), (2, 1, 3, 4))
#: Section 5's two groups of 1,000 people: how many the calibrated score calls high and low risk.
TOY = {"A": (500, 500), "B": (200, 800)}
#: In BOTH groups, 8 in 10 "high risk" people are ill and 1 in 10 "low risk" people are ill.
TOY_HIGH_RISK_ILL = (8, 10)
TOY_LOW_RISK_ILL = (1, 10)


# --- data the answers come from ----------------------------------------------------------------


def heart_predictions() -> tuple[Any, Any]:
    """Lesson 06's tree on its 230 test patients: ``(y_test, predictions)``.

    Examples
    --------
    >>> y_test, predictions = heart_predictions()
    >>> len(y_test), int(predictions.sum())
    (230, 140)
    """
    from healthlab.questions import lesson06

    _, X_test, _, y_test = lesson06.heart_split()
    return y_test, lesson06.tree_model().predict(X_test)


@cache
def heart_groups(column: str) -> Any:
    """The test patients' ``sex`` or ``site``, in words, in the order of the test set.

    Examples
    --------
    >>> heart_groups("sex").value_counts().to_dict()
    {'male': 184, 'female': 46}
    """
    from healthlab import datasets
    from healthlab.questions import lesson06

    _, X_test, _, _ = lesson06.heart_split()
    return datasets.load("heart-disease", decode=True).loc[X_test.index, column]


@cache
def _sex_rates() -> Any:
    from healthlab import fairness

    y_test, predictions = heart_predictions()
    return fairness.subgroup_rates(y_test, predictions, heart_groups("sex"))


@cache
def cohort() -> Any:
    """The synthetic patient cohort (5,000 fictional adults).

    Examples
    --------
    >>> len(cohort())
    5000
    """
    from healthlab import datasets

    return datasets.load("patient-cohort")


@cache
def selection(score: str) -> Any:
    """The top 3% of the cohort by ``score``, by ethnic group (see ``fairness.selection_by_group``).

    Examples
    --------
    >>> int(selection("annual_cost_gbp")["flagged"].sum())
    150
    """
    from healthlab import fairness

    return fairness.selection_by_group(
        cohort(),
        score=score,
        group="ethnic_group",
        top_share=TOP_SHARE,
        need="chronic_conditions",
    )


def toy_rates(group: str) -> dict[str, float]:
    """Sensitivity, false-positive rate and the near-misses students give, for a toy group.

    Examples
    --------
    >>> round(toy_rates("A")["fpr"], 3), round(toy_rates("B")["fpr"], 3)
    (0.182, 0.053)
    """
    high, low = TOY[group]
    ill_flagged = high * TOY_HIGH_RISK_ILL[0] // TOY_HIGH_RISK_ILL[1]
    well_flagged = high - ill_flagged
    ill_missed = low * TOY_LOW_RISK_ILL[0] // TOY_LOW_RISK_ILL[1]
    well_not_flagged = low - ill_missed
    return {
        "sensitivity": ill_flagged / (ill_flagged + ill_missed),
        "fpr": well_flagged / (well_flagged + well_not_flagged),
        "specificity": well_not_flagged / (well_flagged + well_not_flagged),
        "well_of_flagged": well_flagged / high,
        "well_of_everyone": well_flagged / (high + low),
    }


def _near(value_of: Any, *, abs_tol: float) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        return _is_number(answer) and math.isclose(float(answer), value_of(), abs_tol=abs_tol)

    return matches


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


def _not_a_table(answer: Any, expected: Any) -> bool:
    import pandas as pd

    return answer is not Ellipsis and answer is not None and not isinstance(answer, pd.DataFrame)


# --- warm-up: lesson 10 ------------------------------------------------------------------------

register(
    Question(
        "11.warmup-keyword",
        expected=True,
        kind="bool",
        hints=("Does the note contain the two words 'chest pain', one after the other?",),
        mistakes=(
            Mistake(
                lambda a, e: a is False,
                "Look at the note again: the words 'chest pain' are in it. A keyword search "
                "only looks for the words; it cannot tell that 'denies' turns them around.",
            ),
        ),
        praise="The words are there but the meaning is the opposite: negation fools a keyword "
        "search, and a model that only counts words.",
    )
)

register(
    Question(
        "11.warmup-bag",
        expected=True,
        kind="bool",
        hints=("List the words of each note. Does each note have the same words, as often?",),
        mistakes=(
            Mistake(
                lambda a, e: a is False,
                "A bag of words keeps which words appear and how often, not their order: both "
                "notes contain 'no', 'fever' and 'cough' once each.",
            ),
        ),
        praise="Two notes that mean opposite things can look the same to a bag-of-words model.",
    )
)

# --- Your turn 1: the false-positive rate for men ------------------------------------------------


def _rate(group: str, column: str) -> float:
    return float(_sex_rates().loc[group, column])


def _false_alarms_of_all_men() -> float:
    men = _sex_rates().loc["male"]
    return float(men["false_alarms"] / men["people"])


register(
    Question(
        "11.fpr-men",
        expected=lambda: _rate("male", "fpr"),
        kind="number",
        abs_tol=0.005,
        hints=(
            "Find the men's specificity in the table: the share of men WITHOUT heart disease "
            "whom the tree correctly cleared.",
            "The false-positive rate is 1 minus the specificity.",
        ),
        mistakes=(
            Mistake(
                _near(lambda: 1 - _rate("male", "fpr"), abs_tol=0.005),
                "That is the men's specificity (the share correctly cleared). The false-positive "
                "rate is the share wrongly flagged: 1 minus the specificity.",
            ),
            Mistake(
                _near(lambda: _rate("female", "fpr"), abs_tol=0.005),
                "That is the false-positive rate for women. Use the row for men.",
            ),
            Mistake(
                _near(lambda: _rate("male", "sensitivity"), abs_tol=0.005),
                "That is the men's sensitivity, about the men WITH heart disease. The "
                "false-positive rate is about the men without it.",
            ),
            Mistake(
                lambda a, e: (
                    _near(lambda: 1 - _rate("male", "sensitivity"), abs_tol=0.005)(a, e)
                    or _near(_false_alarms_of_all_men, abs_tol=0.005)(a, e)
                ),
                "Start from the men WITHOUT heart disease: divide the false alarms by them (the "
                "specificity's denominator), not by all the men. It is not 1 minus the "
                "sensitivity either: that is about the men who are ill.",
            ),
        ),
        praise="The tree wrongly flags far more of the healthy men than of the healthy women, "
        "and misses more of the women who are ill.",
    )
)

# --- Your turn 2 (Parsons): occult hypoxaemia by hand ---------------------------------------------


def _not_each_line_once(answer: Any, expected: Any) -> bool:
    return _is_list(answer) and sorted(answer) != [1, 2, 3, 4]


def _filters_before_masks(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return items.index(3) < max(items.index(1), items.index(2))


def _rate_before_rows(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return items.index(4) < items.index(3)


register(
    Question(
        "11.occult-order",
        expected=OCCULT_ORDERS,
        kind="orders",
        hints=(
            "A line can only use a name (like in_band or readings) after another line has made it.",
            "Make the two True/False columns first, then pick the rows, then measure.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list of line numbers in square brackets, like "
                "[1, 2, 3, 4].",
            ),
            Mistake(_not_each_line_once, "Use each of the four line numbers 1 to 4 exactly once."),
            Mistake(
                _filters_before_masks,
                "Line 3 uses in_band and black: both must exist before it runs. Which lines "
                "make them?",
            ),
            Mistake(
                _rate_before_rows,
                "Line 4 measures the rows in readings, but readings does not exist until line 3 "
                "picks them.",
            ),
        ),
        praise="Lines 1 and 2 can swap: neither uses the other. Type the lines in a new cell in "
        "your order: you should get 0.123, the Black row of the table below.",
    )
)

# --- Your turn 3: change the label -------------------------------------------------------------


def _same_selection(answer: Any, expected: Any) -> bool:
    import pandas as pd

    if not isinstance(answer, pd.DataFrame):
        return False
    right = selection("chronic_conditions")
    return (
        answer.attrs.get("score") == "chronic_conditions"
        and answer.attrs.get("n_flagged") == right.attrs["n_flagged"]
        and list(answer.index) == list(right.index)
        and "mean_need_flagged" in answer.columns
        and answer["flagged"].tolist() == right["flagged"].tolist()
    )


def _attr(answer: Any, key: str) -> Any:
    return answer.attrs.get(key)


register(
    Question(
        "11.relabel",
        expected=lambda: selection("chronic_conditions"),
        kind="custom",
        compare=_same_selection,
        hints=(
            "Copy the three lines that made by_cost, then change only the score.",
            'The column of true need is "chronic_conditions" (in quotes).',
        ),
        mistakes=(
            Mistake(
                _not_a_table,
                "Set by_need to the table that fairness.selection_by_group(...) gives back.",
            ),
            Mistake(
                lambda a, e: "share_of_flagged" not in a.columns,
                "That table did not come from fairness.selection_by_group. Copy the call that "
                "made by_cost.",
            ),
            Mistake(
                lambda a, e: _attr(a, "score") == "annual_cost_gbp",
                'That is still ranked by cost. Change score to "chronic_conditions".',
            ),
            Mistake(
                lambda a, e: _attr(a, "score") != "chronic_conditions",
                'Rank by the column of true need: score="chronic_conditions".',
            ),
            Mistake(
                lambda a, e: a.index.name != "ethnic_group",
                'Keep group="ethnic_group", so that you can compare with by_cost.',
            ),
            Mistake(
                lambda a, e: _attr(a, "n_flagged") != e.attrs["n_flagged"],
                "Keep top_share=0.03, so that both rankings flag the same 150 people.",
            ),
            Mistake(
                lambda a, e: "mean_need_flagged" not in a.columns,
                'Keep need="chronic_conditions", so that you can see how sick the flagged '
                "people are.",
            ),
        ),
        praise="Now compare its share_of_flagged and mean_need_flagged columns with by_cost's.",
    )
)

# --- Your turn 4: the false-positive rate of toy group B ------------------------------------------

register(
    Question(
        "11.toy-fpr",
        expected=lambda: toy_rates("B")["fpr"],
        kind="number",
        abs_tol=0.0005,
        hints=(
            "The false-positive rate starts from the people who are WELL: how many of them "
            "were flagged?",
            "In group B: well_flagged / (well_flagged + well_not_flagged).",
        ),
        mistakes=(
            Mistake(
                _near(lambda: toy_rates("B")["well_of_flagged"], abs_tol=0.0005),
                "That divides by everyone flagged in group B. The false-positive rate divides by "
                "everyone who is well: well_flagged + well_not_flagged.",
            ),
            Mistake(
                _near(lambda: toy_rates("B")["well_of_everyone"], abs_tol=0.0005),
                "That divides by all 1,000 people. Divide by the people who are well only.",
            ),
            Mistake(
                _near(lambda: toy_rates("A")["fpr"], abs_tol=0.0005),
                'That is group A\'s false-positive rate. Use b = toy.loc["B"].',
            ),
            Mistake(
                _near(lambda: toy_rates("B")["specificity"], abs_tol=0.0005),
                "That is group B's specificity, the share of well people NOT flagged. The "
                "false-positive rate is the share of well people flagged.",
            ),
            Mistake(
                _near(lambda: toy_rates("B")["sensitivity"], abs_tol=0.0005),
                "That is group B's sensitivity, about the ill people. The false-positive rate is "
                "about the well people.",
            ),
        ),
        praise="Same calibrated score, different base rates, different error rates: group B "
        "gets fewer false alarms and more missed illness.",
    )
)

# --- Your turn 5 (make): audit the tree by age -----------------------------------------------------

_RATE_COLUMNS = ("people", "with_condition", "found", "without_condition", "false_alarms")


@cache
def _test_totals() -> dict[str, int]:
    y_test, predictions = heart_predictions()
    truth = y_test.to_numpy()
    return {
        "people": len(truth),
        "with_condition": int(truth.sum()),
        "found": int(((predictions == 1) & (truth == 1)).sum()),
        "without_condition": int((truth == 0).sum()),
        "false_alarms": int(((predictions == 1) & (truth == 0)).sum()),
    }


def _looks_like_rates(answer: Any) -> bool:
    return set(_RATE_COLUMNS) | {"sensitivity", "fpr", "caution"} <= set(answer.columns)


def _totals_match(answer: Any, *columns: str) -> bool:
    totals = _test_totals()
    return all(int(answer[c].sum()) == totals[c] for c in columns)


def _same_sizes_as(answer: Any, column: str) -> bool:
    sizes = sorted(heart_groups(column).value_counts().tolist())
    return sorted(int(n) for n in answer["people"]) == sizes


def _is_sex_or_site(answer: Any) -> bool:
    labels = {str(g) for g in answer.index}
    is_sex = labels <= {"female", "male", "0", "1", "F", "M"} and _same_sizes_as(answer, "sex")
    is_site = labels == {str(g) for g in heart_groups("site").unique()}
    return is_sex or is_site


def _good_audit(answer: Any, expected: Any) -> bool:
    import pandas as pd

    return (
        isinstance(answer, pd.DataFrame)
        and _looks_like_rates(answer)
        and len(answer) >= 2
        and _totals_match(answer, *_RATE_COLUMNS)
        and not _is_sex_or_site(answer)
    )


register(
    Question(
        "11.age-audit",
        expected=None,
        kind="custom",
        compare=_good_audit,
        hints=(
            "fairness.subgroup_rates needs three things: the truth (y_test), the tree's "
            "predictions (predictions) and a group for each test patient (age_group).",
            "my_audit = fairness.subgroup_rates(y_test, predictions, groups=age_group)",
        ),
        mistakes=(
            Mistake(
                _not_a_table,
                "Set my_audit to the table that fairness.subgroup_rates(...) gives back.",
            ),
            Mistake(
                lambda a, e: not _looks_like_rates(a),
                "That table did not come from fairness.subgroup_rates. Use it as in section 2.",
            ),
            Mistake(
                lambda a, e: int(a["people"].sum()) != _test_totals()["people"],
                "Your table does not cover the 230 test patients. Use y_test and predictions, "
                "and a group for each test patient, such as X_test['age'] >= 60.",
            ),
            Mistake(
                lambda a, e: not _totals_match(a, "with_condition", "without_condition"),
                "Use y_test, the truth for the test patients, as the first argument.",
            ),
            Mistake(
                lambda a, e: not _totals_match(a, "found", "false_alarms"),
                "Use the tree's predictions on the test patients (predictions) as the second "
                "argument.",
            ),
            Mistake(
                lambda a, e: len(a) < 2,
                "Everyone is in one group. Split the patients by age, e.g. X_test['age'] >= 60.",
            ),
            Mistake(
                lambda a, e: _is_sex_or_site(a),
                "That is the grouping by sex or by hospital, which you have already done. "
                "Group the patients by age.",
            ),
        ),
        praise="Now read it: which age group has the lower sensitivity, and do the intervals "
        "overlap? Does the caution column warn about a group? Write your sentence below.",
    )
)

register(
    Question(
        "11.age-audit-sentences",
        expected=None,
        kind="open",
        looks_for=(
            "names the age group that the tree misses more often",
            "gives the two sensitivities, or the counts behind them (found of with the condition)",
            "says whether the two intervals overlap, or what the caution column says",
            "says what should happen next: more data, a closer look, or telling the people who "
            "use the tree",
        ),
        min_words=25,
    )
)
