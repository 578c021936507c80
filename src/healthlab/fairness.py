"""Fairness checks: does a model, a score or a device work as well for every group of people?

Three questions, one per kind of harm the course looks at:

- **Errors by group**: does a model miss the disease more often in one group (lower
  sensitivity), or raise more false alarms (higher false-positive rate)?
  :func:`subgroup_rates` gives both, with intervals, one row per group, and says in a
  ``caution`` column when a group is too small to compare (instead of printing a warning).
  :func:`calibration_by_group` asks whether the predicted risks match what happened in each
  group.
- **A label that stands in for need** (Obermeyer et al. 2019, Science 366:447): flag the people
  with the highest scores for extra help and see who is chosen (:func:`flag_top`,
  :func:`selection_by_group`), and how sick each group is at the same score
  (:func:`need_at_same_score`).
- **A measurement that is wrong more often for some people** (Sjoding et al. 2020, NEJM
  383:2477): how often a pulse oximeter reads 92-96% while the arterial oxygen saturation is
  below 88%, "occult hypoxaemia" (:func:`occult_hypoxaemia`).

Every function checks its inputs at the top and says what to do about a mistake. Intervals are
Wilson score intervals, as in :mod:`healthlab.evaluate`, which this module builds on.

Examples
--------
>>> import pandas as pd
>>> people = pd.DataFrame({
...     "group": ["A", "A", "A", "A", "B", "B", "B", "B"],
...     "cost": [900, 800, 100, 50, 400, 300, 60, 40],
...     "need": [3, 3, 0, 0, 4, 3, 0, 0],
... })
>>> table = selection_by_group(people, score="cost", group="group", top_share=0.25,
...                            need="need")
>>> table.reset_index()[["group", "people", "flagged", "share_of_flagged", "mean_need_flagged"]]
  group  people  flagged  share_of_flagged  mean_need_flagged
0     A       4        2               1.0                3.0
1     B       4        0               0.0                NaN
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from healthlab.evaluate import (
    MIN_CASES_PER_GROUP,
    _as_1d,
    _binary,
    _confidence,
    _numeric,
    _probabilities,
    _same_length,
    _wilson,
)

__all__ = [
    "OCCULT_SAO2_BELOW",
    "OCCULT_SPO2_RANGE",
    "calibration_by_group",
    "flag_top",
    "need_at_same_score",
    "occult_hypoxaemia",
    "selection_by_group",
    "subgroup_rates",
]

#: Pulse-oximeter readings (SpO2, %) that look reassuring: the band Sjoding et al. (2020) studied.
OCCULT_SPO2_RANGE = (92, 96)
#: Arterial oxygen saturation (SaO2, %) below this, from a blood gas, is hypoxaemia.
OCCULT_SAO2_BELOW = 88


# ---------------------------------------------------------------------------------------------
# Input checks (private)
# ---------------------------------------------------------------------------------------------


def _groups(values: Any, name: str = "groups") -> np.ndarray:
    labels = _as_1d(values, name)
    missing = pd.isna(pd.Series(labels, dtype=object)).to_numpy()
    if missing.any():
        raise ValueError(
            f"{name} has {int(missing.sum())} missing values; fill them first, e.g. "
            "df['sex'].fillna('not recorded'), so that those people form their own group."
        )
    return labels


def _order(values: Any, labels: np.ndarray) -> list[Any]:
    """Groups in a stable order: a categorical's order, else sorted, else as first seen."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (labels == c).any()]
    order = list(pd.unique(pd.Series(labels, dtype=object)))
    try:
        return sorted(order)
    except TypeError:
        return order


def _table(data: Any, name: str = "data") -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame (a table of people), such as "
            f"datasets.load('patient-cohort'); got {type(data).__name__}."
        )
    if data.empty:
        raise ValueError(f"{name} is empty; it needs one row per person.")
    return data


def _column(data: pd.DataFrame, column: Any, parameter: str) -> pd.Series:
    if not isinstance(column, str):
        raise TypeError(
            f"{parameter} must be the name of a column, in quotes, e.g. {parameter}="
            f"'{data.columns[0]}'; got {type(column).__name__} {column!r}."
        )
    if column not in data.columns:
        raise KeyError(
            f"{parameter}={column!r} is not a column of the table; its columns are "
            f"{list(map(str, data.columns))}."
        )
    return data[column]


def _share(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise TypeError(f"{name} must be a number between 0 and 1, such as 0.03; got {value!r}.")
    if not 0 < value <= 1:
        hint = ""
        if 1 < value <= 100:
            hint = f" Write a percentage as a proportion: {value:g}% is {value / 100:g}."
        raise ValueError(f"{name} must be above 0 and at most 1; got {value!r}.{hint}")
    return float(value)


# ---------------------------------------------------------------------------------------------
# Errors by group
# ---------------------------------------------------------------------------------------------


def subgroup_rates(
    y_true: Any,
    y_pred: Any,
    groups: Any,
    *,
    confidence: float = 0.95,
    min_cases: int = MIN_CASES_PER_GROUP,
) -> pd.DataFrame:
    """Sensitivity and false-positive rate for each group, one row per group, with intervals.

    The two error rates a fairness audit of a diagnostic model looks at first: **sensitivity**
    (of the people in the group who have the condition, the share the model finds; a low value
    means their illness is missed) and the **false-positive rate** (of the people in the group
    without the condition, the share wrongly flagged; it is 1 - specificity). The numbers come
    from :func:`healthlab.evaluate.subgroup_metrics`; this function puts them side by side and
    turns its small-group warning into a ``caution`` column you can read in the table.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth (1 = has the condition).
    y_pred : array-like of 0/1 or bool
        The prediction (1 = flagged).
    groups : array-like
        The group of each person, e.g. ``df["site"]``; no missing values.
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.
    min_cases : int, default 10
        A group with fewer than this many people with the condition, or without it, gets a
        ``caution``: its sensitivity or false-positive rate rests on too few people to compare.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, with columns ``people``, ``with_condition``, ``found`` (true
        positives), ``sensitivity``, ``sens_low``, ``sens_high``, ``without_condition``,
        ``false_alarms`` (false positives), ``fpr`` (false-positive rate), ``fpr_low``,
        ``fpr_high``, ``prevalence`` and ``caution`` ("" when the group is big enough).
        A rate whose denominator is 0 is NaN.

    Raises
    ------
    ValueError
        If the inputs differ in length, are not 0/1, or ``groups`` has missing values.

    See Also
    --------
    healthlab.evaluate.subgroup_metrics : every clinical measure by group, in long format.

    Examples
    --------
    >>> y_true = [1] * 20 + [0] * 20 + [1] * 4 + [0] * 20
    >>> y_pred = [1] * 18 + [0] * 2 + [1] * 2 + [0] * 18 + [1] * 2 + [0] * 2 + [1] * 5 + [0] * 15
    >>> sex = ["male"] * 40 + ["female"] * 24
    >>> rates = subgroup_rates(y_true, y_pred, sex)
    >>> rates.reset_index()[["group", "with_condition", "sensitivity", "fpr"]]
        group  with_condition  sensitivity   fpr
    0  female               4          0.5  0.25
    1    male              20          0.9  0.10
    >>> print(rates.loc["female", "caution"])
    only 4 with the condition: too few to compare
    """
    from healthlab.evaluate import subgroup_metrics

    if isinstance(min_cases, bool) or not isinstance(min_cases, numbers.Integral) or min_cases < 0:
        raise ValueError(f"min_cases must be a whole number, 0 or more; got {min_cases!r}.")
    with warnings.catch_warnings():
        # The small-group warning becomes the caution column below.
        warnings.simplefilter("ignore", UserWarning)
        long = subgroup_metrics(
            y_true, y_pred, groups, confidence=confidence, min_cases=int(min_cases)
        )
    rows = []
    for group, part in long.groupby("group", sort=False):
        m = part.set_index("measure")
        positives = int(m.loc["sensitivity", "denominator"])
        negatives = int(m.loc["specificity", "denominator"])
        caution = []
        if positives < min_cases:
            caution.append(f"only {positives} with the condition")
        if negatives < min_cases:
            caution.append(f"only {negatives} without the condition")
        spec = float(m.loc["specificity", "value"])
        rows.append(
            {
                "group": group,
                "people": int(part["n"].iloc[0]),
                "with_condition": positives,
                "found": int(m.loc["sensitivity", "numerator"]),
                "sensitivity": float(m.loc["sensitivity", "value"]),
                "sens_low": float(m.loc["sensitivity", "ci_low"]),
                "sens_high": float(m.loc["sensitivity", "ci_high"]),
                "without_condition": negatives,
                "false_alarms": negatives - int(m.loc["specificity", "numerator"]),
                "fpr": 1 - spec,
                "fpr_low": 1 - float(m.loc["specificity", "ci_high"]),
                "fpr_high": 1 - float(m.loc["specificity", "ci_low"]),
                "prevalence": float(m.loc["prevalence", "value"]),
                "caution": (" and ".join(caution) + ": too few to compare") if caution else "",
            }
        )
    table = pd.DataFrame(rows).set_index("group")
    table.attrs.update({"confidence": float(confidence), "min_cases": int(min_cases)})
    return table


def calibration_by_group(
    y_true: Any, y_prob: Any, groups: Any, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Does the predicted risk match what happened, in each group? (calibration by group)

    For each group, the average predicted risk beside the share who really had the outcome
    (calibration-in-the-large, Van Calster et al. 2019, BMC Med 17:230). A model that gives a
    group an average risk of 0.37 when 0.24 of them had the outcome over-estimates that group's
    risk. Being calibrated in every group is one meaning of "fair"; equal error rates is another,
    and when groups have different base rates a score cannot have both (Kleinberg et al. 2016;
    Chouldechova 2017).

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened (1 = had the outcome).
    y_prob : array-like of float
        Predicted probabilities, between 0 and 1, e.g. ``model.predict_proba(X)[:, 1]``.
    groups : array-like
        The group of each person; no missing values.
    confidence : float, default 0.95
        Confidence level of the Wilson interval of the observed share.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, with columns ``people``, ``events`` (people with the outcome),
        ``observed`` (``events / people``), ``ci_low``, ``ci_high``, ``mean_predicted`` and
        ``difference`` (``mean_predicted - observed``: above 0 over-estimates the group's risk).

    Raises
    ------
    ValueError
        If the inputs differ in length, ``y_true`` is not 0/1, ``y_prob`` is outside 0 to 1,
        or ``groups`` has missing values.

    See Also
    --------
    healthlab.evaluate.calibration_table : calibration in bins of predicted risk.

    Examples
    --------
    >>> y_true = [1, 0, 0, 0, 1, 1, 1, 0]
    >>> y_prob = [0.5, 0.5, 0.5, 0.5, 0.6, 0.8, 0.7, 0.3]
    >>> table = calibration_by_group(y_true, y_prob, ["F"] * 4 + ["M"] * 4)
    >>> table[["people", "observed", "mean_predicted"]].round(2).to_dict("index")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'F': {'people': 4, 'observed': 0.25, 'mean_predicted': 0.5},
     'M': {'people': 4, 'observed': 0.75, 'mean_predicted': 0.6}}
    """
    confidence = _confidence(confidence)
    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    labels = _groups(groups)
    _same_length(y_true=truth, y_prob=prob, groups=labels)
    rows = []
    for group in _order(groups, labels):
        members = labels == group
        n, events = int(members.sum()), int(truth[members].sum())
        low, high = _wilson(events, n, confidence)
        mean_predicted = float(prob[members].mean())
        rows.append(
            {
                "group": group.item() if isinstance(group, np.generic) else group,
                "people": n,
                "events": events,
                "observed": events / n,
                "ci_low": low,
                "ci_high": high,
                "mean_predicted": mean_predicted,
                "difference": mean_predicted - events / n,
            }
        )
    table = pd.DataFrame(rows).set_index("group")
    table.attrs["confidence"] = confidence
    return table


# ---------------------------------------------------------------------------------------------
# Who is chosen for extra help? (a score that stands in for need)
# ---------------------------------------------------------------------------------------------


def flag_top(scores: Any, top_share: float = 0.03) -> np.ndarray:
    """Flag the people with the highest scores: the top ``top_share`` of them.

    Parameters
    ----------
    scores : array-like of numbers
        One score per person (a predicted cost, a number of conditions, a risk).
    top_share : float, default 0.03
        The share to flag, above 0 and at most 1 (0.03 flags the top 3%). The number flagged
        is ``top_share * len(scores)`` rounded to a whole number (at least 1).

    Returns
    -------
    numpy.ndarray of bool
        True for each flagged person, in the order of ``scores``. People with the same score
        at the cut-off are taken in the order they appear (a stable sort), so the result never
        changes from one run to the next.

    Raises
    ------
    ValueError
        If a score is missing or ``top_share`` is not above 0 and at most 1.

    Examples
    --------
    >>> flag_top([10, 50, 20, 50, 5], top_share=0.4).tolist()
    [False, True, False, True, False]
    """
    values = _numeric(scores, "scores")
    share = _share(top_share, "top_share")
    k = max(1, int(round(share * len(values))))
    order = np.argsort(-values, kind="stable")
    flagged = np.zeros(len(values), dtype=bool)
    flagged[order[:k]] = True
    return flagged


def selection_by_group(
    data: pd.DataFrame,
    score: str,
    group: str,
    *,
    top_share: float = 0.03,
    need: str | None = None,
) -> pd.DataFrame:
    """Flag the top ``top_share`` of people by ``score`` and show who is chosen, group by group.

    The audit of Obermeyer et al. (2019, Science 366:447): a programme offers extra help to the
    people with the highest scores. If the score follows something that stands in for need
    (a *proxy*, such as health-care cost) rather than need itself, a group that receives less
    care for the same need is chosen less often, and the people of that group who are chosen
    are sicker than others with the same score.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    score : str
        The column to rank by, highest first (e.g. ``"annual_cost_gbp"``).
    group : str
        The column of groups (e.g. ``"ethnic_group"``); no missing values.
    top_share : float, default 0.03
        The share of all people to flag (0.03 = the top 3%); see :func:`flag_top`.
    need : str, optional
        A column measuring true need (e.g. ``"chronic_conditions"``); if given, the average
        need of each group's flagged people is added.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, with columns ``people``, ``share_of_population``, ``flagged``,
        ``flagged_rate`` (the share of the group that is flagged), ``share_of_flagged`` (the
        group's share of everyone flagged) and, with ``need``, ``mean_need_flagged`` (NaN when
        nobody in the group is flagged). ``attrs`` holds ``n_flagged`` and ``cut_off`` (the
        lowest score that was flagged).

    Raises
    ------
    KeyError
        If a column is not in ``data``.
    ValueError
        If ``score`` has missing values, ``group`` has missing values or ``top_share`` is not
        above 0 and at most 1.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"cost": [5, 40, 30, 10], "group": ["A", "A", "B", "B"]})
    >>> table = selection_by_group(people, "cost", "group", top_share=0.5)
    >>> table["flagged"].to_dict(), table.attrs["cut_off"]
    ({'A': 1, 'B': 1}, 30.0)
    """
    data = _table(data)
    scores = _numeric(_column(data, score, "score"), f"the {score} column")
    group_values = _column(data, group, "group")
    labels = _groups(group_values, f"the {group} column")
    need_values = None
    if need is not None:
        need_values = _numeric(_column(data, need, "need"), f"the {need} column")
    flagged = flag_top(scores, top_share)
    rows = []
    for name in _order(group_values, labels):
        members = labels == name
        chosen = members & flagged
        row = {
            group: name.item() if isinstance(name, np.generic) else name,
            "people": int(members.sum()),
            "share_of_population": float(members.mean()),
            "flagged": int(chosen.sum()),
            "flagged_rate": float(chosen.sum() / members.sum()),
            "share_of_flagged": float(chosen.sum() / flagged.sum()),
        }
        if need_values is not None:
            row["mean_need_flagged"] = (
                float(need_values[chosen].mean()) if chosen.any() else math.nan
            )
        rows.append(row)
    table = pd.DataFrame(rows).set_index(group)
    table.attrs.update(
        {
            "n_flagged": int(flagged.sum()),
            "cut_off": float(scores[flagged].min()),
            "top_share": float(top_share),
            "score": score,
        }
    )
    return table


def need_at_same_score(
    data: pd.DataFrame, score: str, need: str, group: str, *, bins: int = 10
) -> pd.DataFrame:
    """The average need of each group at each level of the score (tenths of the score by default).

    The figure at the heart of Obermeyer et al. (2019): if the score measured need fairly,
    people with the same score would be equally sick whatever their group. People are put into
    ``bins`` equal-sized bins by their rank on ``score`` (bin 1 = the lowest scores; ties are
    split in the order the rows appear, so every bin has the same number of people).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    score : str
        The score column (e.g. ``"annual_cost_gbp"``).
    need : str
        The column that measures true need (e.g. ``"chronic_conditions"``).
    group : str
        The column of groups; no missing values.
    bins : int, default 10
        How many bins (10 gives tenths, "deciles").

    Returns
    -------
    pandas.DataFrame
        One row per bin (index ``score_bin``, 1 to ``bins``), one column per group: the mean
        need of that group's people in that bin (NaN if none). ``attrs["counts"]`` holds the
        number of people behind each mean.

    Raises
    ------
    KeyError
        If a column is not in ``data``.
    ValueError
        If a value is missing or ``bins`` is not a whole number from 1 to the number of rows.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"cost": [1, 2, 3, 4], "need": [0, 1, 1, 3],
    ...                        "group": ["A", "B", "A", "B"]})
    >>> need_at_same_score(people, "cost", "need", "group", bins=2).to_dict("index")
    {1: {'A': 0.0, 'B': 1.0}, 2: {'A': 1.0, 'B': 3.0}}
    """
    data = _table(data)
    scores = _numeric(_column(data, score, "score"), f"the {score} column")
    need_values = _numeric(_column(data, need, "need"), f"the {need} column")
    group_values = _column(data, group, "group")
    labels = _groups(group_values, f"the {group} column")
    n = len(scores)
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or not 1 <= bins <= n:
        raise ValueError(f"bins must be a whole number from 1 to {n} (the people); got {bins!r}.")
    rank = np.empty(n, dtype=int)
    rank[np.argsort(scores, kind="stable")] = np.arange(n)
    bin_of = rank * int(bins) // n + 1
    frame = pd.DataFrame({"score_bin": bin_of, "group": labels, "need": need_values})
    means = frame.pivot_table(
        index="score_bin", columns="group", values="need", aggfunc="mean", observed=False
    )
    counts = frame.pivot_table(
        index="score_bin", columns="group", values="need", aggfunc="size", observed=False
    )
    order = _order(group_values, labels)
    means = means.reindex(index=range(1, int(bins) + 1), columns=order)
    counts = counts.reindex(index=range(1, int(bins) + 1), columns=order).fillna(0).astype(int)
    means.columns.name = group
    means.attrs["counts"] = counts
    return means


# ---------------------------------------------------------------------------------------------
# A measurement that is wrong more often for some people (pulse oximetry)
# ---------------------------------------------------------------------------------------------


def _percent_pair(value: Any, name: str) -> tuple[float, float]:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 2
        or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
        or not 0 <= value[0] <= value[1] <= 100
    ):
        raise ValueError(
            f"{name} must be a pair (lowest, highest) of saturations in %, such as (92, 96); "
            f"got {value!r}."
        )
    return float(value[0]), float(value[1])


def occult_hypoxaemia(
    data: pd.DataFrame,
    group: str | None = "ethnic_group",
    *,
    spo2: str = "spo2",
    sao2: str = "sao2",
    spo2_range: tuple[float, float] = OCCULT_SPO2_RANGE,
    sao2_below: float = OCCULT_SAO2_BELOW,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How often a reassuring pulse-oximeter reading hides a low oxygen level, by group.

    *Occult hypoxaemia* (Sjoding et al. 2020, NEJM 383:2477): the pulse oximeter reads a
    saturation (SpO2) of 92-96%, which looks acceptable, while the arterial blood gas taken at
    the same time shows a true saturation (SaO2) below 88%. Only readings inside
    ``spo2_range`` count; the rate is the share of them with SaO2 below ``sao2_below``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per pair of readings taken at the same time, e.g.
        ``datasets.load("patient-cohort")``.
    group : str or None, default "ethnic_group"
        The column of groups; ``None`` gives one row for everyone (``"all"``).
    spo2, sao2 : str, default "spo2" and "sao2"
        The columns of the pulse-oximeter reading and the blood-gas value, in %.
    spo2_range : (float, float), default (92, 96)
        The reassuring band of readings, both ends included.
    sao2_below : float, default 88
        A true saturation below this is hypoxaemia.
    confidence : float, default 0.95
        Confidence level of the Wilson interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, with columns ``readings`` (pairs with SpO2 in the band),
        ``occult`` (of those, SaO2 below ``sao2_below``), ``rate`` (``occult / readings``,
        NaN with no readings), ``ci_low`` and ``ci_high``.

    Raises
    ------
    KeyError
        If a column is not in ``data``.
    ValueError
        If a reading is missing or the band is not a pair of percentages.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"spo2": [95, 93, 94, 99, 92], "sao2": [86, 90, 95, 85, 87],
    ...                       "ethnic_group": ["Black", "Black", "White", "White", "White"]})
    >>> occult_hypoxaemia(pairs)[["readings", "occult", "rate"]].to_dict("index")
    {'Black': {'readings': 2, 'occult': 1, 'rate': 0.5}, 'White': {'readings': 2, 'occult': 1, 'rate': 0.5}}
    """
    data = _table(data)
    low, high = _percent_pair(spo2_range, "spo2_range")
    if isinstance(sao2_below, bool) or not isinstance(sao2_below, numbers.Real):
        raise ValueError(f"sao2_below must be a saturation in %, such as 88; got {sao2_below!r}.")
    confidence = _confidence(confidence)
    reading = _numeric(_column(data, spo2, "spo2"), f"the {spo2} column")
    truth = _numeric(_column(data, sao2, "sao2"), f"the {sao2} column")
    if group is None:
        group_values, name = pd.Series(["all"] * len(data)), "group"
    else:
        group_values, name = _column(data, group, "group"), group
    labels = _groups(group_values, f"the {name} column")
    in_band = (reading >= low) & (reading <= high)
    hidden = in_band & (truth < sao2_below)
    rows = []
    for g in _order(group_values, labels):
        members = labels == g
        n, k = int((members & in_band).sum()), int((members & hidden).sum())
        ci_low, ci_high = _wilson(k, n, confidence)
        rows.append(
            {
                name: g.item() if isinstance(g, np.generic) else g,
                "readings": n,
                "occult": k,
                "rate": k / n if n else math.nan,
                "ci_low": ci_low,
                "ci_high": ci_high,
            }
        )
    table = pd.DataFrame(rows).set_index(name)
    table.attrs.update(
        {"spo2_range": (low, high), "sao2_below": float(sao2_below), "confidence": confidence}
    )
    return table
