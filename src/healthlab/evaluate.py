"""Clinical evaluation of a test or a model, in the words a clinician uses.

A diagnostic test and a machine-learning model are judged the same way: how many people with
the condition does it find (sensitivity), how many without it does it clear (specificity), and
what does a positive result mean for the person in front of you (PPV). This module turns
true labels and predictions into those numbers, with confidence intervals and the counts behind
them, and adds the tools for risk models: thresholds, calibration, net benefit and subgroups.

Conventions used everywhere in this module:

- ``1`` (or ``True``) means *has the condition* / *test positive*; ``0`` (or ``False``) means
  *does not have it* / *test negative*.
- A score or probability is *flagged* (test positive) when it is **greater than or equal to**
  the threshold.
- A measure whose denominator is zero (for example sensitivity when nobody has the condition)
  is ``NaN``, never ``0``, and the ``note`` column says why.

Formulas and reference values follow ``clinical-facts.md`` of the course: sensitivity
TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP), NPV TN/(TN+FN), prevalence (TP+FN)/N,
LR+ = sens/(1-spec), LR- = (1-sens)/spec; net benefit after Vickers & Elkin (2006, Med Decis
Making 26:565); calibration after Van Calster et al. (2019, BMC Med 17:230).

The metrics come from scikit-learn (``confusion_matrix``, ``roc_auc_score``,
``brier_score_loss``) and SciPy (``binomtest(...).proportion_ci(method="wilson")``); this module
only arranges them the clinical way and checks the inputs. scikit-learn and SciPy are imported
inside the functions that use them so that ``import healthlab.evaluate`` stays quick.

Examples
--------
>>> from healthlab.evaluate import clinical_metrics
>>> y_true = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
>>> y_pred = [1, 1, 1, 0, 0, 0, 0, 0, 1, 0]
>>> table = clinical_metrics(y_true, y_pred)
>>> float(table.loc["sensitivity", "value"])
0.75
>>> table.attrs["counts"]
{'TP': 3, 'FP': 1, 'TN': 5, 'FN': 1}
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "clinical_metrics",
    "confusion_table",
    "ppv_npv_at_prevalence",
    "natural_frequencies",
    "threshold_table",
    "calibration_table",
    "calibration_in_the_large",
    "calibration_slope",
    "brier_score",
    "net_benefit",
    "auroc",
    "subgroup_metrics",
    "MIN_CASES_PER_GROUP",
]

#: A subgroup with fewer than this many people with the condition, or fewer than this many
#: without it, triggers a warning in :func:`subgroup_metrics`: its sensitivity or specificity
#: rests on so few people that the interval is too wide to compare groups.
MIN_CASES_PER_GROUP = 10

_MEASURES = (
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "accuracy",
    "prevalence",
    "lr_positive",
    "lr_negative",
)

# ---------------------------------------------------------------------------------------------
# Input checks (private): each names the parameter, shows the bad value and says what to do.
# ---------------------------------------------------------------------------------------------


def _as_1d(values: Any, name: str) -> np.ndarray:
    if values is None:
        raise TypeError(f"{name} is None; pass a list, NumPy array or pandas column of values.")
    if isinstance(values, (str, bytes)):
        raise TypeError(
            f"{name} must be a list, NumPy array or pandas column of values, not the text "
            f"{values!r}."
        )
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{name} must be one column, but a table with {values.shape[1]} columns "
                f"({', '.join(map(str, values.columns[:5]))}) was given; pick one, "
                f"e.g. df['{values.columns[0]}']."
            )
        values = values.iloc[:, 0]
    arr = np.asarray(values)
    if arr.ndim == 0:
        raise TypeError(
            f"{name} must be a list or array of values, one per person; got the single value "
            f"{values!r}."
        )
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional (one value per person); got an array of shape "
            f"{arr.shape}. For predict_proba output use [:, 1], the probability of the condition."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty; it needs one value per person.")
    return arr


def _python_value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _found_values(arr: np.ndarray, limit: int = 10) -> str:
    unique = pd.unique(pd.Series(arr, dtype=object if arr.dtype.kind in "OUS" else None))
    values = [_python_value(v) for v in unique]
    try:
        values = sorted(values)
    except TypeError:
        values = sorted(values, key=repr)
    shown = repr(values[:limit])
    if len(values) > limit:
        shown = shown[:-1] + f", ... ({len(values)} different values)]"
    return shown


def _binary(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as an int array of 0/1, or raise naming ``name``."""
    arr = _as_1d(values, name)
    if arr.dtype.kind == "b":
        return arr.astype(int)
    ok = arr.dtype.kind in "iuf"
    if ok:
        ok = bool(np.all((arr == 0) | (arr == 1)))
    elif arr.dtype.kind == "O":
        ok = all(
            isinstance(v, (bool, np.bool_, numbers.Real)) and not isinstance(v, str) and v in (0, 1)
            for v in arr
        )
    if ok:
        return arr.astype(int)
    message = (
        f"{name} must contain only 0 and 1 (or True/False); found values {_found_values(arr)}."
    )
    if arr.dtype.kind in "fO" and pd.isna(pd.Series(arr, dtype=object)).any():
        message += f" {name} has missing values (NaN/None): remove or fill them first."
    elif arr.dtype.kind in "f" and np.all((arr >= 0) & (arr <= 1)):
        message += (
            " These look like probabilities: choose a threshold first, "
            f"e.g. {name} = (y_prob >= 0.5).astype(int)."
        )
    elif arr.dtype.kind in "OUS":
        message += (
            " Turn text labels into numbers first: 1 for the condition, 0 otherwise, "
            "e.g. (labels == 'malignant').astype(int)."
        )
    raise ValueError(message)


def _numeric(values: Any, name: str) -> np.ndarray:
    arr = _as_1d(values, name)
    if arr.dtype.kind == "b":
        arr = arr.astype(float)
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must contain numbers; found values {_found_values(arr)}. "
            "Use a column of scores or probabilities, not labels."
        )
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"{name} has {int(bad.sum())} missing or infinite values (NaN/inf) at positions "
            f"{np.flatnonzero(bad)[:5].tolist()}; remove or fill them first."
        )
    return arr


def _probabilities(values: Any, name: str) -> np.ndarray:
    arr = _numeric(values, name)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(
            f"{name} must be probabilities between 0 and 1; found values from {arr.min():g} "
            f"to {arr.max():g}. Use model.predict_proba(X)[:, 1], not decision_function or a "
            "raw score."
        )
    return arr


def _thresholds(values: Any, name: str = "thresholds") -> np.ndarray:
    arr = _numeric(np.atleast_1d(np.asarray(values, dtype=object)).tolist(), name)
    bad = arr[(arr <= 0) | (arr >= 1)]
    if bad.size:
        raise ValueError(
            f"{name} must be strictly between 0 and 1 (a risk such as 0.1 for 10%); found "
            f"{_found_values(bad)}. A threshold of 0 or 1 means treating everyone or no one."
        )
    return arr


def _proportion(value: Any, name: str) -> np.ndarray:
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number between 0 and 1; got {value!r}.")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number between 0 and 1; got {value!r}.") from None
    if np.isnan(arr).any() or (arr < 0).any() or (arr > 1).any():
        shown = (
            value if arr.ndim == 0 else _found_values(arr[(arr < 0) | (arr > 1) | np.isnan(arr)])
        )
        hint = ""
        if arr.ndim == 0 and 1 < float(arr) <= 100:
            hint = f" Write a percentage as a proportion: {float(arr):g}% is {float(arr) / 100:g}."
        raise ValueError(f"{name} must be between 0 and 1; got {shown}.{hint}")
    return arr


def _same_length(**arrays: np.ndarray) -> None:
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        names = list(lengths)
        together = ", ".join(names[:-1]) + " and " + names[-1]
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(
            f"{together} must have the same length (one value per person); {described}."
        )


def _confidence(confidence: Any) -> float:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0 < confidence < 1
    ):
        raise ValueError(
            f"confidence must be a number strictly between 0 and 1, such as 0.95 for a 95% "
            f"interval; got {confidence!r}."
        )
    return float(confidence)


# ---------------------------------------------------------------------------------------------
# Counting and intervals (private)
# ---------------------------------------------------------------------------------------------


def _counts(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, int]:
    from sklearn.metrics import confusion_matrix

    tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return {"TP": int(tp), "FP": int(fp), "TN": int(tn), "FN": int(fn)}


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for k successes out of n (NaN when n is 0)."""
    if n == 0:
        return math.nan, math.nan
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


_EMPTY_NOTES = {
    "sensitivity": "nobody in y_true has the condition (TP + FN = 0)",
    "specificity": "everybody in y_true has the condition (TN + FP = 0)",
    "ppv": "nobody was predicted positive (TP + FP = 0)",
    "npv": "nobody was predicted negative (TN + FN = 0)",
}


def _metric_rows(counts: dict[str, int], confidence: float | None) -> list[dict[str, Any]]:
    """Rows of the clinical-metrics table from the four counts."""
    tp, fp, tn, fn = counts["TP"], counts["FP"], counts["TN"], counts["FN"]
    n = tp + fp + tn + fn
    fractions = {
        "sensitivity": (tp, tp + fn),
        "specificity": (tn, tn + fp),
        "ppv": (tp, tp + fp),
        "npv": (tn, tn + fn),
        "accuracy": (tp + tn, n),
        "prevalence": (tp + fn, n),
    }
    rows = []
    for measure, (num, den) in fractions.items():
        if den == 0:
            value, low, high = math.nan, math.nan, math.nan
            note = f"{measure} cannot be calculated: {_EMPTY_NOTES[measure]}"
        else:
            value = num / den
            low, high = _wilson(num, den, confidence) if confidence else (math.nan, math.nan)
            note = ""
        rows.append(
            {
                "measure": measure,
                "value": value,
                "ci_low": low,
                "ci_high": high,
                "numerator": num,
                "denominator": den,
                "note": note,
            }
        )
    sens = rows[0]["value"]
    spec = rows[1]["value"]
    z = _z(confidence) if confidence else None
    # LR+ = sens / (1 - spec) = [TP/(TP+FN)] / [FP/(FP+TN)]; LR- = (1 - sens) / spec
    # = [FN/(TP+FN)] / [TN/(FP+TN)]. Written with the counts so that 810/900 gives exactly 9.
    for measure, top_cell, bottom_cell in (("lr_positive", tp, fp), ("lr_negative", fn, tn)):
        low = high = math.nan
        note = ""
        if math.isnan(sens) or math.isnan(spec):
            value = math.nan
            note = f"{measure} cannot be calculated: it needs both sensitivity and specificity"
        elif bottom_cell == 0:
            value = math.nan
            reason = (
                "there are no false positives (specificity is 1)"
                if measure == "lr_positive"
                else "there are no true negatives (specificity is 0)"
            )
            note = f"{measure} cannot be calculated: {reason}, so it would be infinite or undefined"
        else:
            value = top_cell * (fp + tn) / ((tp + fn) * bottom_cell)
            if z is not None and top_cell > 0:
                se = math.sqrt(1 / top_cell - 1 / (tp + fn) + 1 / bottom_cell - 1 / (fp + tn))
                low, high = value * math.exp(-z * se), value * math.exp(z * se)
            elif z is not None:
                cells = "TP and FP" if measure == "lr_positive" else "FN and TN"
                note = f"no interval for {measure}: the log method needs {cells} both above 0"
        rows.append(
            {
                "measure": measure,
                "value": value,
                "ci_low": low,
                "ci_high": high,
                "numerator": pd.NA,
                "denominator": pd.NA,
                "note": note,
            }
        )
    return rows


def _metrics_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).set_index("measure")
    frame["numerator"] = frame["numerator"].astype("Int64")
    frame["denominator"] = frame["denominator"].astype("Int64")
    frame["note"] = frame["note"].astype(str)
    return frame


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def clinical_metrics(y_true: Any, y_pred: Any, *, confidence: float = 0.95) -> pd.DataFrame:
    """Sensitivity, specificity, PPV, NPV and friends, with intervals and counts.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth for each person: 1 (or True) = has the condition.
    y_pred : array-like of 0/1 or bool
        The test result or model prediction for each person: 1 = positive. To turn
        probabilities into predictions choose a threshold first, e.g. ``y_prob >= 0.5``.
    confidence : float, default 0.95
        Confidence level of the intervals (0.95 gives 95% intervals).

    Returns
    -------
    pandas.DataFrame
        One row per measure, indexed by ``measure``: ``sensitivity`` TP/(TP+FN),
        ``specificity`` TN/(TN+FP), ``ppv`` TP/(TP+FP), ``npv`` TN/(TN+FN), ``accuracy``
        (TP+TN)/N, ``prevalence`` (TP+FN)/N, ``lr_positive`` sens/(1-spec) and
        ``lr_negative`` (1-sens)/spec. Columns:

        - ``value``: the estimate (``NaN`` when its denominator is zero);
        - ``ci_low``, ``ci_high``: the Wilson score interval for the six proportions; for the
          likelihood ratios the log method of Simel, Samsa & Matchar (1991, J Clin Epidemiol
          44:763), which needs the two cells it takes logs of to be above zero;
        - ``numerator``, ``denominator``: the counts behind a proportion (``<NA>`` for the
          likelihood ratios, which are ratios of proportions);
        - ``note``: empty, or why a value or an interval is missing.

        ``table.attrs["counts"]`` holds the four counts as a dict with keys ``"TP"``, ``"FP"``,
        ``"TN"``, ``"FN"``; ``table.attrs["confidence"]`` the confidence level.

    Raises
    ------
    ValueError
        If the inputs differ in length, are not binary, or ``confidence`` is not in (0, 1).

    See Also
    --------
    confusion_table : the same counts as a 2 x 2 table with clinical names.
    ppv_npv_at_prevalence : PPV and NPV at another prevalence (Bayes' theorem).

    Notes
    -----
    The counts come from :func:`sklearn.metrics.confusion_matrix` and the Wilson intervals
    from :meth:`scipy.stats.binomtest` (``proportion_ci(method="wilson")``; Wilson 1927, J Am
    Stat Assoc 22:209). The Wilson interval
    behaves well for small counts and for proportions near 0 or 1, where the textbook
    "plus or minus 1.96 standard errors" interval fails.

    Examples
    --------
    A test that finds 90 of 100 people with the condition and wrongly flags 90 of 900 without it:

    >>> y_true = [1] * 100 + [0] * 900
    >>> y_pred = [1] * 90 + [0] * 10 + [1] * 90 + [0] * 810
    >>> table = clinical_metrics(y_true, y_pred)
    >>> table[["value", "ci_low", "ci_high"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
                 value  ci_low  ci_high
    measure
    sensitivity  0.900   0.826    0.945
    specificity  0.900   0.879    0.918
    ppv          0.500   0.428    0.572
    npv          0.988   0.978    0.993
    accuracy     0.900   0.880    0.917
    prevalence   0.100   0.083    0.120
    lr_positive  9.000   7.320   11.065
    lr_negative  0.111   0.062    0.200
    >>> [int(n) for n in table.loc["ppv", ["numerator", "denominator"]]]
    [90, 180]
    """
    confidence = _confidence(confidence)
    truth = _binary(y_true, "y_true")
    pred = _binary(y_pred, "y_pred")
    _same_length(y_true=truth, y_pred=pred)
    counts = _counts(truth, pred)
    table = _metrics_frame(_metric_rows(counts, confidence))
    table.attrs["counts"] = counts
    table.attrs["confidence"] = confidence
    return table


_CELL_NAMES = (("true negative", "false positive"), ("false negative", "true positive"))


def confusion_table(
    y_true: Any,
    y_pred: Any,
    labels: Sequence[str] = ("no disease", "disease"),
    *,
    names: bool = True,
) -> pd.DataFrame:
    """The 2 x 2 table of truth against prediction, with clinical names and totals.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth: 1 (or True) = has the condition.
    y_pred : array-like of 0/1 or bool
        The prediction or test result: 1 = positive.
    labels : pair of str, default ("no disease", "disease")
        Words for 0 and for 1, e.g. ``("benign", "malignant")``.
    names : bool, default True
        If True, each of the four cells reads like ``"true positive: 42"`` so that the clinical
        name sits beside the count. If False, the cells are plain integers to calculate with.

    Returns
    -------
    pandas.DataFrame
        Rows are the truth (``"truth: <label>"`` and ``"total"``), columns the prediction
        (``"predicted: <label>"`` and ``"total"``). The totals are integers.
        ``table.attrs["counts"]`` holds the counts as a dict with keys ``"TP"``, ``"FP"``,
        ``"TN"``, ``"FN"``.

    Raises
    ------
    ValueError
        If the inputs differ in length or are not binary, or ``labels`` is not two texts.

    See Also
    --------
    clinical_metrics : the measures calculated from these counts.

    Examples
    --------
    >>> y_true = [1, 1, 1, 0, 0, 0, 0, 0]
    >>> y_pred = [1, 1, 0, 1, 0, 0, 0, 0]
    >>> confusion_table(y_true, y_pred, labels=("benign", "malignant"))
                      predicted: benign predicted: malignant total
    truth: benign      true negative: 4    false positive: 1     5
    truth: malignant  false negative: 1     true positive: 2     3
    total                             5                    3     8
    >>> confusion_table(y_true, y_pred, names=False).loc["truth: disease", "predicted: disease"]
    np.int64(2)
    """
    if (
        isinstance(labels, str)
        or not isinstance(labels, Sequence)
        or len(labels) != 2
        or not all(isinstance(label, str) for label in labels)
    ):
        raise ValueError(
            "labels must be two texts, the word for 0 then the word for 1, such as "
            f"('no disease', 'disease'); got {labels!r}."
        )
    truth = _binary(y_true, "y_true")
    pred = _binary(y_pred, "y_pred")
    _same_length(y_true=truth, y_pred=pred)
    counts = _counts(truth, pred)
    grid = [[counts["TN"], counts["FP"]], [counts["FN"], counts["TP"]]]
    rows = [f"truth: {label}" for label in labels] + ["total"]
    columns = [f"predicted: {label}" for label in labels] + ["total"]
    numbers_grid = [
        [*grid[0], sum(grid[0])],
        [*grid[1], sum(grid[1])],
        [grid[0][0] + grid[1][0], grid[0][1] + grid[1][1], sum(map(sum, grid))],
    ]
    table = pd.DataFrame(numbers_grid, index=rows, columns=columns)
    if names:
        table = table.astype(object)
        for i in range(2):
            for j in range(2):
                table.iloc[i, j] = f"{_CELL_NAMES[i][j]}: {grid[i][j]}"
    table.attrs["counts"] = counts
    return table


def ppv_npv_at_prevalence(sensitivity: Any, specificity: Any, prevalence: Any) -> pd.DataFrame:
    """PPV and NPV of a test at a given prevalence, by Bayes' theorem.

    The same test means different things in different places: a positive result is far less
    likely to be right in a screening population (low prevalence) than in a specialist clinic
    (high prevalence). This is the screening paradox.

    Parameters
    ----------
    sensitivity : float or array-like
        Proportion of people with the condition who test positive, between 0 and 1.
    specificity : float or array-like
        Proportion of people without the condition who test negative, between 0 and 1
        (1 minus the false-positive rate).
    prevalence : float or array-like
        Proportion of the population with the condition (the pre-test probability),
        between 0 and 1. Pass several values to see how PPV changes.

    Returns
    -------
    pandas.DataFrame
        One row per combination (the arguments are broadcast against each other) with columns
        ``sensitivity``, ``specificity``, ``prevalence``, ``ppv``, ``npv`` and ``note``.
        ``ppv = sens*p / (sens*p + (1-spec)*(1-p))`` and
        ``npv = spec*(1-p) / (spec*(1-p) + (1-sens)*p)``; ``NaN`` with a note when nobody would
        test positive (or negative).

    Raises
    ------
    ValueError
        If an argument is outside 0 to 1 (a percentage such as 90 gets a hint).

    See Also
    --------
    natural_frequencies : the same calculation in counts of people.

    Examples
    --------
    Mammography screening (Gigerenzer): prevalence 1%, sensitivity 90%, false-positive rate
    9% (so specificity 91%). Only about 1 in 10 positive results is cancer:

    >>> ppv_npv_at_prevalence(0.9, 0.91, [0.01, 0.1, 0.5]).drop(columns="note").round(3)
       sensitivity  specificity  prevalence    ppv    npv
    0          0.9         0.91        0.01  0.092  0.999
    1          0.9         0.91        0.10  0.526  0.988
    2          0.9         0.91        0.50  0.909  0.901
    """
    sens = _proportion(sensitivity, "sensitivity")
    spec = _proportion(specificity, "specificity")
    prev = _proportion(prevalence, "prevalence")
    sens, spec, prev = np.broadcast_arrays(
        np.atleast_1d(sens), np.atleast_1d(spec), np.atleast_1d(prev)
    )
    positives = sens * prev + (1 - spec) * (1 - prev)
    negatives = spec * (1 - prev) + (1 - sens) * prev
    with np.errstate(divide="ignore", invalid="ignore"):
        ppv = np.where(positives > 0, sens * prev / np.where(positives > 0, positives, 1), np.nan)
        npv = np.where(
            negatives > 0, spec * (1 - prev) / np.where(negatives > 0, negatives, 1), np.nan
        )
    notes = []
    for pos, neg in zip(positives, negatives, strict=True):
        parts = []
        if pos == 0:
            parts.append("ppv cannot be calculated: nobody would test positive")
        if neg == 0:
            parts.append("npv cannot be calculated: nobody would test negative")
        notes.append("; ".join(parts))
    return pd.DataFrame(
        {
            "sensitivity": sens.astype(float),
            "specificity": spec.astype(float),
            "prevalence": prev.astype(float),
            "ppv": ppv,
            "npv": npv,
            "note": notes,
        }
    )


def _whole(x: float) -> int:
    """Round half up to a whole number of people."""
    return int(math.floor(x + 0.5))


def natural_frequencies(
    sensitivity: float, specificity: float, prevalence: float, population: int = 1000
) -> pd.DataFrame:
    """The screening story in whole people, as a teacher draws it on the board.

    "Of 1,000 women screened, 10 have breast cancer; 9 of them test positive. Of the 990
    without cancer, 89 also test positive. So 9 of the 98 positive results are cancer."
    (Gigerenzer's natural frequencies: Gigerenzer et al. 2007, Psychol Sci Public Interest
    8:53; Hoffrage & Gigerenzer 1998, Acad Med 73:538.)

    Parameters
    ----------
    sensitivity : float
        Proportion of people with the condition who test positive (0 to 1).
    specificity : float
        Proportion of people without the condition who test negative (0 to 1). If you are
        given a false-positive rate, specificity is 1 minus it: a 9% false-positive rate is a
        specificity of 0.91.
    prevalence : float
        Proportion of the population with the condition (0 to 1).
    population : int, default 1000
        How many people to imagine.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``quantity`` with columns ``count`` (whole people), ``out_of`` (the group
        the count is taken from), ``proportion`` (``count / out_of``) and ``meaning`` (a plain
        English sentence). Rows: ``population``, ``with_condition``, ``true_positives``,
        ``false_negatives``, ``without_condition``, ``false_positives``, ``true_negatives``,
        ``test_positive``, ``test_negative``, ``ppv`` (true positives out of all positives) and
        ``npv`` (true negatives out of all negatives).

        Counts are rounded to whole people (halves round up), so ``proportion`` in the ``ppv``
        row can differ slightly from the exact Bayes value of
        :func:`ppv_npv_at_prevalence`; ``table.attrs["exact_ppv"]`` and
        ``table.attrs["exact_npv"]`` hold the exact values.

    Raises
    ------
    ValueError
        If a proportion is outside 0 to 1 or ``population`` is not a positive whole number.

    Examples
    --------
    >>> table = natural_frequencies(sensitivity=0.9, specificity=0.91, prevalence=0.01)
    >>> table[["count", "out_of"]]  # doctest: +NORMALIZE_WHITESPACE
                       count  out_of
    quantity
    population          1000    1000
    with_condition        10    1000
    true_positives         9      10
    false_negatives        1      10
    without_condition    990    1000
    false_positives       89     990
    true_negatives       901     990
    test_positive         98    1000
    test_negative        902    1000
    ppv                    9      98
    npv                  901     902
    >>> print(table.loc["ppv", "meaning"])
    9 of the 98 people who test positive have the condition (9.2%).

    Eddy's version (1%, 80%, false-positive rate 9.6%; Eddy 1982, in Kahneman, Slovic &
    Tversky, *Judgment under Uncertainty*) gives a PPV of about 7.8%:

    >>> round(float(natural_frequencies(0.8, 1 - 0.096, 0.01).loc["ppv", "proportion"]), 3)
    0.078
    """
    sens = float(_proportion(sensitivity, "sensitivity"))
    spec = float(_proportion(specificity, "specificity"))
    prev = float(_proportion(prevalence, "prevalence"))
    if (
        isinstance(population, bool)
        or not isinstance(population, numbers.Integral)
        or population <= 0
    ):
        raise ValueError(
            f"population must be a positive whole number of people, such as 1000; got "
            f"{population!r}."
        )
    population = int(population)
    ill = _whole(population * prev)
    well = population - ill
    tp = _whole(ill * sens)
    fn = ill - tp
    fp = _whole(well * (1 - spec))
    tn = well - fp
    pos, neg = tp + fp, tn + fn

    def pct(k: int, n: int) -> str:
        return f" ({100 * k / n:.1f}%)" if n else ""

    rows = [
        ("population", population, population, f"{population} people are tested."),
        (
            "with_condition",
            ill,
            population,
            f"{ill} of them have the condition{pct(ill, population)}.",
        ),
        ("true_positives", tp, ill, f"{tp} of the {ill} with the condition test positive."),
        (
            "false_negatives",
            fn,
            ill,
            f"{fn} of the {ill} with the condition test negative (missed).",
        ),
        ("without_condition", well, population, f"{well} do not have the condition."),
        (
            "false_positives",
            fp,
            well,
            f"{fp} of the {well} without the condition test positive (false alarms).",
        ),
        ("true_negatives", tn, well, f"{tn} of the {well} without the condition test negative."),
        ("test_positive", pos, population, f"{pos} people test positive in total ({tp} + {fp})."),
        ("test_negative", neg, population, f"{neg} people test negative in total ({tn} + {fn})."),
        (
            "ppv",
            tp,
            pos,
            f"{tp} of the {pos} people who test positive have the condition{pct(tp, pos)}.",
        ),
        (
            "npv",
            tn,
            neg,
            f"{tn} of the {neg} people who test negative are free of it{pct(tn, neg)}.",
        ),
    ]
    table = pd.DataFrame(rows, columns=["quantity", "count", "out_of", "meaning"]).set_index(
        "quantity"
    )
    out_of = table["out_of"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table.insert(
            2,
            "proportion",
            np.where(out_of > 0, table["count"] / np.where(out_of > 0, out_of, 1), np.nan),
        )
    exact = ppv_npv_at_prevalence(sens, spec, prev)
    table.attrs["exact_ppv"] = float(exact.loc[0, "ppv"])
    table.attrs["exact_npv"] = float(exact.loc[0, "npv"])
    return table


def threshold_table(y_true: Any, y_score: Any, thresholds: Any) -> pd.DataFrame:
    """What happens at each threshold: who is found, who is cleared, how many are flagged.

    A person is flagged (test positive) when their score is **at or above** the threshold.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth (1 = has the condition).
    y_score : array-like of numbers
        A probability (``model.predict_proba(X)[:, 1]``) or any score where higher means more
        likely to have the condition, such as a NEWS2 total.
    thresholds : float or array-like of float
        The cut-offs to try, e.g. ``[0.1, 0.3, 0.5]`` for probabilities or ``[5, 7]`` for NEWS2.
        For probabilities they must lie between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per threshold with columns ``threshold``, ``sensitivity``, ``specificity``,
        ``ppv``, ``npv``, ``flagged_per_1000`` (how many people in every 1,000 would be flagged,
        the workload of the alarm), the counts ``tp``, ``fp``, ``tn``, ``fn``, and ``note``
        (why a value is ``NaN``, e.g. nobody flagged so no PPV).

    Raises
    ------
    ValueError
        If the inputs differ in length, ``y_true`` is not binary, a value is missing, or the
        scores are probabilities and a threshold lies outside 0 to 1.

    Examples
    --------
    >>> y_true = [0, 0, 0, 0, 1, 0, 1, 1]
    >>> y_prob = [0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.9]
    >>> threshold_table(y_true, y_prob, [0.25, 0.5])[
    ...     ["threshold", "sensitivity", "specificity", "ppv", "flagged_per_1000"]
    ... ]
       threshold  sensitivity  specificity       ppv  flagged_per_1000
    0       0.25     1.000000          0.6  0.600000             625.0
    1       0.50     0.666667          0.8  0.666667             375.0
    """
    truth = _binary(y_true, "y_true")
    scores = _numeric(y_score, "y_score")
    _same_length(y_true=truth, y_score=scores)
    cuts = _numeric(np.atleast_1d(np.asarray(thresholds, dtype=object)).tolist(), "thresholds")
    cuts = np.round(cuts, 12)  # np.arange(0.1, 1, 0.1) gives 0.30000000000000004: show 0.3
    if scores.min() >= 0 and scores.max() <= 1 and ((cuts < 0) | (cuts > 1)).any():
        bad = cuts[(cuts < 0) | (cuts > 1)]
        raise ValueError(
            f"thresholds must be between 0 and 1 because y_score holds probabilities; found "
            f"{_found_values(bad)}. Write 30% as 0.3."
        )
    rows = []
    for cut in cuts:
        counts = _counts(truth, (scores >= cut).astype(int))
        metrics = {row["measure"]: row for row in _metric_rows(counts, None)}
        notes = [metrics[m]["note"] for m in ("sensitivity", "specificity", "ppv", "npv")]
        rows.append(
            {
                "threshold": float(cut),
                "sensitivity": metrics["sensitivity"]["value"],
                "specificity": metrics["specificity"]["value"],
                "ppv": metrics["ppv"]["value"],
                "npv": metrics["npv"]["value"],
                "flagged_per_1000": 1000 * (counts["TP"] + counts["FP"]) / len(truth),
                "tp": counts["TP"],
                "fp": counts["FP"],
                "tn": counts["TN"],
                "fn": counts["FN"],
                "note": "; ".join(note for note in notes if note),
            }
        )
    return pd.DataFrame(rows)


def calibration_table(
    y_true: Any,
    y_prob: Any,
    n_bins: int = 10,
    strategy: str = "quantile",
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Predicted risk against what happened, group by group (the reliability diagram).

    People are put into bins by predicted risk; in a well-calibrated model, about 20% of the
    people given a 20% risk have the outcome.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened (1 = had the outcome).
    y_prob : array-like of float
        The predicted probability of the outcome, between 0 and 1.
    n_bins : int, default 10
        How many bins.
    strategy : {"quantile", "uniform"}, default "quantile"
        ``"quantile"``: bins with about the same number of people (tenths of risk, "deciles");
        ``"uniform"``: bins of equal width from 0 to 1 (0-0.1, 0.1-0.2, ...).
    confidence : float, default 0.95
        Confidence level of the Wilson interval for the observed proportion in each bin.

    Returns
    -------
    pandas.DataFrame
        One row per bin that contains people (empty bins are left out, as in scikit-learn),
        with columns ``bin`` (1, 2, ...), ``prob_low`` and ``prob_high`` (the bin edges),
        ``n`` (people), ``events`` (people with the outcome), ``mean_predicted`` (average
        predicted risk), ``observed`` (``events / n``), ``ci_low`` and ``ci_high``.
        A person whose risk equals an inner edge belongs to the lower bin.
        ``mean_predicted`` and ``observed`` equal :func:`sklearn.calibration.calibration_curve`'s
        ``prob_pred`` and ``prob_true``.

    Raises
    ------
    ValueError
        If the inputs differ in length, ``y_true`` is not binary, ``y_prob`` is outside
        0 to 1, ``n_bins`` is below 1 or ``strategy`` is unknown.

    See Also
    --------
    calibration_in_the_large, calibration_slope, brier_score : one-number summaries.

    Examples
    --------
    >>> y_true = [0, 0, 1, 0, 1, 1]
    >>> y_prob = [0.1, 0.2, 0.3, 0.6, 0.7, 0.9]
    >>> calibration_table(y_true, y_prob, n_bins=2, strategy="uniform")[
    ...     ["bin", "n", "events", "mean_predicted", "observed"]
    ... ]
       bin  n  events  mean_predicted  observed
    0    1  3       1        0.200000  0.333333
    1    2  3       2        0.733333  0.666667
    """
    confidence = _confidence(confidence)
    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    _same_length(y_true=truth, y_prob=prob)
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral) or n_bins < 1:
        raise ValueError(f"n_bins must be a whole number of bins, 1 or more; got {n_bins!r}.")
    if strategy == "quantile":
        edges = np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        raise ValueError(f'strategy must be "quantile" or "uniform"; got {strategy!r}.')
    # The same binning as sklearn.calibration.calibration_curve, kept with its counts.
    bin_ids = np.searchsorted(edges[1:-1], prob)
    rows = []
    for b in range(n_bins):
        members = bin_ids == b
        n = int(members.sum())
        if n == 0:
            continue
        events = int(truth[members].sum())
        low, high = _wilson(events, n, confidence)
        rows.append(
            {
                "bin": b + 1,
                "prob_low": float(edges[b]),
                "prob_high": float(edges[b + 1]),
                "n": n,
                "events": events,
                "mean_predicted": float(prob[members].mean()),
                "observed": events / n,
                "ci_low": low,
                "ci_high": high,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs.update({"strategy": strategy, "n_bins": int(n_bins), "confidence": confidence})
    return table


_EPS = 1e-15  # probabilities are clipped to [eps, 1 - eps] before taking logits


def _logit(prob: np.ndarray) -> np.ndarray:
    from scipy.special import logit

    return logit(np.clip(prob, _EPS, 1 - _EPS))


def _both_outcomes(truth: np.ndarray, what: str) -> None:
    if truth.min() == truth.max():
        raise ValueError(
            f"y_true must contain both outcomes (some 1s and some 0s) to estimate {what}; "
            f"it contains only {truth[0]}s."
        )


def calibration_in_the_large(y_true: Any, y_prob: Any) -> float:
    """Calibration-in-the-large: does the model over- or under-estimate risk on average?

    This is the calibration intercept of Van Calster et al. (2019, BMC Med 17:230): the ``a``
    in ``logit(P(outcome)) = a + logit(y_prob)`` (the model's logit used as an offset),
    fitted by maximum likelihood. It is 0 when the average predicted risk matches the
    observed rate; negative when the model over-estimates risk; positive when it
    under-estimates.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened; both outcomes must occur.
    y_prob : array-like of float
        Predicted probabilities, between 0 and 1 (clipped to 1e-15 and 1 - 1e-15 before
        taking logits).

    Returns
    -------
    float
        The calibration intercept (0 is ideal).

    Raises
    ------
    ValueError
        If the inputs are invalid or ``y_true`` holds only one outcome.

    Examples
    --------
    A model that predicts 20% for everyone when 10% have the outcome over-estimates risk:

    >>> y_true = [1] * 10 + [0] * 90
    >>> round(calibration_in_the_large(y_true, [0.2] * 100), 3)
    -0.811
    """
    from scipy.optimize import brentq
    from scipy.special import expit

    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    _same_length(y_true=truth, y_prob=prob)
    _both_outcomes(truth, "calibration-in-the-large")
    offset = _logit(prob)
    observed = truth.sum()

    def score(a: float) -> float:  # derivative of the log-likelihood in a
        return float(observed - expit(a + offset).sum())

    return float(brentq(score, -50.0, 50.0, xtol=1e-12))


def calibration_slope(y_true: Any, y_prob: Any) -> float:
    """Calibration slope: are the predicted risks too extreme or too modest?

    Van Calster et al. (2019, BMC Med 17:230): the slope ``b`` of a logistic recalibration
    ``logit(P(outcome)) = a + b * logit(y_prob)``. A slope of 1 is ideal; below 1 the
    predictions are too extreme (high risks too high, low risks too low), the usual sign of
    overfitting; above 1 they are too modest.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened; both outcomes must occur.
    y_prob : array-like of float
        Predicted probabilities, between 0 and 1 (clipped to 1e-15 and 1 - 1e-15 before
        taking logits).

    Returns
    -------
    float
        The calibration slope (1 is ideal).

    Raises
    ------
    ValueError
        If the inputs are invalid or ``y_true`` holds only one outcome.

    Notes
    -----
    Fitted with :class:`sklearn.linear_model.LogisticRegression` without a penalty
    (``C=inf``).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import expit, logit
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.05, 0.95, 20_000)
    >>> y_true = rng.random(20_000) < risk
    >>> too_extreme = expit(2 * logit(risk))   # risks pushed towards 0 and 1
    >>> round(calibration_slope(y_true, risk), 1), round(calibration_slope(y_true, too_extreme), 1)
    (1.0, 0.5)
    """
    from sklearn.linear_model import LogisticRegression

    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    _same_length(y_true=truth, y_prob=prob)
    _both_outcomes(truth, "the calibration slope")
    x = _logit(prob).reshape(-1, 1)
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x, truth)
    return float(model.coef_[0, 0])


def brier_score(y_true: Any, y_prob: Any) -> float:
    """Brier score: the mean squared difference between predicted risk and what happened.

    0 is perfect; predicting the overall rate ``p`` for everybody scores ``p * (1 - p)``
    (0.09 when 10% have the outcome), a useful bar to beat.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened.
    y_prob : array-like of float
        Predicted probabilities, between 0 and 1.

    Returns
    -------
    float
        ``mean((y_prob - y_true) ** 2)``, from :func:`sklearn.metrics.brier_score_loss`.

    Examples
    --------
    >>> round(brier_score([1, 0, 0, 1], [0.9, 0.2, 0.1, 0.6]), 4)
    0.055
    """
    from sklearn.metrics import brier_score_loss

    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    _same_length(y_true=truth, y_prob=prob)
    return float(brier_score_loss(truth, prob, pos_label=1))


def net_benefit(y_true: Any, y_prob: Any, thresholds: Any) -> pd.DataFrame:
    """Net benefit of acting on the model, of treating everyone and of treating no one.

    Decision curve analysis (Vickers & Elkin 2006, Med Decis Making 26:565). A threshold
    probability ``pt`` says how many false alarms one true case is worth: at ``pt = 0.1`` a
    clinician would treat 9 people unnecessarily to treat 1 who needs it. Net benefit counts
    true positives and subtracts false positives weighted by ``pt / (1 - pt)``:

    ``NB = TP/n - FP/n * pt / (1 - pt)``

    Treat everyone: ``p - (1 - p) * pt / (1 - pt)`` (``p`` the prevalence); treat no one: 0.
    A model is worth using at the thresholds where its net benefit beats both.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened (1 = had the outcome).
    y_prob : array-like of float
        Predicted probabilities, between 0 and 1; a person is treated when
        ``y_prob >= pt``.
    thresholds : float or array-like of float
        Threshold probabilities, strictly between 0 and 1, e.g. ``np.arange(0.01, 0.5, 0.01)``.

    Returns
    -------
    pandas.DataFrame
        One row per threshold with columns ``threshold``, ``model``, ``treat_all`` and
        ``treat_none`` (net benefit in true positives per person).

    Raises
    ------
    ValueError
        If the inputs differ in length, ``y_true`` is not binary, ``y_prob`` is outside
        0 to 1, or a threshold is not strictly between 0 and 1.

    Examples
    --------
    The worked example in ``clinical-facts.md``: 1,000 people, prevalence 10%, sensitivity
    0.8, specificity 0.7, threshold 10%. Model 0.05; treat-all 0:

    >>> y_true = [1] * 100 + [0] * 900
    >>> y_prob = [0.9] * 80 + [0.0] * 20 + [0.9] * 270 + [0.0] * 630
    >>> net_benefit(y_true, y_prob, [0.1, 0.2]).round(4)
       threshold   model  treat_all  treat_none
    0        0.1  0.0500      0.000         0.0
    1        0.2  0.0125     -0.125         0.0
    """
    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    _same_length(y_true=truth, y_prob=prob)
    cuts = np.round(_thresholds(thresholds), 12)
    n = len(truth)
    prevalence = truth.mean()
    rows = []
    for pt in cuts:
        counts = _counts(truth, (prob >= pt).astype(int))
        weight = pt / (1 - pt)
        rows.append(
            {
                "threshold": float(pt),
                "model": counts["TP"] / n - counts["FP"] / n * weight,
                "treat_all": float(prevalence - (1 - prevalence) * weight),
                "treat_none": 0.0,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs.update({"n": n, "prevalence": float(prevalence)})
    return table


def _auroc_row(truth: np.ndarray, scores: np.ndarray, confidence: float) -> dict[str, Any]:
    """AUROC with the Hanley & McNeil (1982) interval, or NaN and a note."""
    from sklearn.metrics import roc_auc_score

    n_pos = int(truth.sum())
    n_neg = len(truth) - n_pos
    row = {"measure": "auroc", "numerator": pd.NA, "denominator": pd.NA}
    if n_pos == 0 or n_neg == 0:
        missing = "nobody has the condition" if n_pos == 0 else "everybody has the condition"
        return {
            **row,
            "value": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "note": f"auroc cannot be calculated: {missing}",
        }
    auc = float(roc_auc_score(truth, scores))
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    half = _z(confidence) * math.sqrt(max(variance, 0.0))
    return {
        **row,
        "value": auc,
        "ci_low": max(0.0, auc - half),
        "ci_high": min(1.0, auc + half),
        "note": "",
    }


def _weighted_auroc(sorted_truth: np.ndarray, blocks: np.ndarray, weights: np.ndarray) -> float:
    """AUROC when each row counts ``weights`` times (a bootstrap resample), ties counting half.

    ``sorted_truth`` and ``weights`` are in the order of the score, lowest first, and
    ``blocks`` numbers the runs of tied scores (0, 0, 1, 2, 2, ...). This is the Mann-Whitney
    form of the area: the same value as :func:`sklearn.metrics.roc_auc_score` on the rows
    repeated ``weights`` times, but quick enough to repeat a thousand times.
    """
    positive = np.bincount(blocks, weights=weights * sorted_truth)
    negative = np.bincount(blocks, weights=weights * (1 - sorted_truth))
    below = np.cumsum(negative) - negative
    return float((positive * (below + negative / 2)).sum() / (positive.sum() * negative.sum()))


def auroc(
    y_true: Any,
    y_score: Any,
    *,
    groups: Any = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """AUROC with a bootstrap confidence interval, for one score or several on the same people.

    The AUROC (the c-statistic) is the chance that a randomly chosen person with the condition
    scores higher than a randomly chosen person without it (ties count half); 0.5 is chance
    and 1 is perfect. The interval comes from the bootstrap: the data are resampled with
    replacement ``n_boot`` times, the AUROC is worked out again each time, and the middle
    ``confidence`` share of those values is the interval (the percentile method).

    When one person gives several rows (a patient's observations every 4 hours), the rows are
    not independent, and resampling single rows makes the interval too narrow. Pass ``groups``
    (for example ``df["patient_id"]``) to resample whole groups instead: a *cluster bootstrap*.

    With several scores (a dict), every resample is shared by all of them, so the table also
    gives each score's difference from the first one (the reference, for example NEWS2), with
    an interval for the difference: a paired comparison on the same people.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth (1 = has the condition); both outcomes must occur.
    y_score : array-like of numbers, or dict of name -> array-like
        Scores or probabilities (higher = more likely to have the condition), such as a NEWS2
        total or ``model.predict_proba(X)[:, 1]``. A dict such as
        ``{"NEWS2": news2, "model": p}`` compares several; the first entry is the reference.
    groups : array-like, optional
        The group (person) of each row, with no missing values; whole groups are resampled.
        By default every row is its own group.
    confidence : float, default 0.95
        Confidence level of the intervals.
    n_boot : int, default 1000
        Number of bootstrap resamples (at least 100).
    seed : int, default 0
        Seed of the random number generator, so the interval is the same every time.

    Returns
    -------
    pandas.DataFrame
        One row per score, indexed by name (``"score"`` for a single array), with columns
        ``auroc`` (from :func:`sklearn.metrics.roc_auc_score` on all the rows), ``ci_low``,
        ``ci_high``, ``difference`` (this score's AUROC minus the reference's; NaN in the
        reference's own row), ``difference_ci_low`` and ``difference_ci_high``.
        ``table.attrs`` holds ``n`` (rows), ``n_positive``, ``n_groups``, ``n_boot``,
        ``confidence``, ``reference`` and ``skipped`` (resamples left out because they held
        only one outcome).

    Raises
    ------
    ValueError
        If the inputs differ in length, ``y_true`` is not binary or holds one outcome only,
        ``groups`` has missing values, or ``n_boot`` or ``confidence`` is out of range.

    Notes
    -----
    Hanley & McNeil's (1982) formula, used by :func:`subgroup_metrics`, assumes independent
    people and cannot give the interval of a paired difference; the bootstrap does both.
    Each resample is held as a count of how often every row was drawn, and its AUROC is
    computed from the rows sorted by score (the Mann-Whitney form, ties counting half): the
    same value as scikit-learn gives on the resampled rows, much faster.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> y_true = np.repeat([0, 1], 100)
    >>> weak = rng.normal(0, 1, 200) + 0.5 * y_true
    >>> strong = rng.normal(0, 1, 200) + 1.5 * y_true
    >>> table = auroc(y_true, {"weak": weak, "strong": strong}, n_boot=200)
    >>> table[["auroc", "ci_low", "ci_high", "difference"]].round(2)
            auroc  ci_low  ci_high  difference
    weak     0.65    0.57     0.73         NaN
    strong   0.90    0.85     0.94        0.26
    >>> table.attrs["reference"]
    'weak'
    """
    from collections.abc import Mapping

    from sklearn.metrics import roc_auc_score

    confidence = _confidence(confidence)
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 100:
        raise ValueError(f"n_boot must be a whole number, 100 or more; got {n_boot!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number, 0 or more; got {seed!r}.")
    truth = _binary(y_true, "y_true")
    if isinstance(y_score, Mapping):
        if not y_score:
            raise ValueError("y_score is an empty dict; give at least one name -> scores entry.")
        named = {str(k): _numeric(v, f"y_score[{k!r}]") for k, v in y_score.items()}
    else:
        named = {"score": _numeric(y_score, "y_score")}
    for name, scores in named.items():
        _same_length(
            y_true=truth, **{"y_score" if len(named) == 1 else f"y_score[{name!r}]": scores}
        )
    _both_outcomes(truth, "the AUROC")
    if groups is None:
        codes = np.arange(len(truth))
    else:
        labels = _as_1d(groups, "groups")
        _same_length(y_true=truth, groups=labels)
        series = pd.Series(labels, dtype=object)
        if series.isna().any():
            raise ValueError(
                f"groups has {int(series.isna().sum())} missing values; every row needs its "
                "group (for example its patient_id)."
            )
        codes = pd.factorize(series)[0]
    n_groups = int(codes.max()) + 1
    with_case = np.bincount(codes, weights=truth, minlength=n_groups) > 0
    without_case = np.bincount(codes, weights=1 - truth, minlength=n_groups) > 0
    if with_case.sum() < 2 or without_case.sum() < 2:
        raise ValueError(
            f"too few groups for a bootstrap interval: {int(with_case.sum())} with the "
            f"condition and {int(without_case.sum())} without; at least 2 of each are needed."
        )
    prepared = []
    for scores in named.values():
        order = np.argsort(scores, kind="stable")
        blocks = np.concatenate([[0], np.cumsum(np.diff(scores[order]) != 0)])
        prepared.append((order, truth[order].astype(float), blocks))
    rng = np.random.default_rng(seed)
    resampled = np.full((n_boot, len(named)), np.nan)
    for b in range(n_boot):
        # How many times each row is drawn: its group's count in this resample.
        weights = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)[codes]
        drawn = weights @ truth
        if 0 < drawn < weights.sum():
            resampled[b] = [
                _weighted_auroc(sorted_truth, blocks, weights[order].astype(float))
                for order, sorted_truth, blocks in prepared
            ]
    skipped = int(np.isnan(resampled[:, 0]).sum())
    kept = resampled[~np.isnan(resampled[:, 0])]
    if len(kept) < n_boot / 2:
        raise ValueError(
            f"only {len(kept)} of {n_boot} resamples held both outcomes: too few people with "
            f"(or without) the condition ({int(truth.sum())} of {len(truth)} rows) for a "
            "bootstrap interval."
        )
    tail = 100 * (1 - confidence) / 2
    estimates = np.array([float(roc_auc_score(truth, scores)) for scores in named.values()])
    low, high = np.percentile(kept, [tail, 100 - tail], axis=0)
    differences = kept - kept[:, [0]]
    diff_low, diff_high = np.percentile(differences, [tail, 100 - tail], axis=0)
    table = pd.DataFrame(
        {
            "auroc": estimates,
            "ci_low": low,
            "ci_high": high,
            "difference": estimates - estimates[0],
            "difference_ci_low": diff_low,
            "difference_ci_high": diff_high,
        },
        index=list(named),
    )
    table.iloc[0, 3:] = np.nan
    table.attrs.update(
        {
            "n": len(truth),
            "n_positive": int(truth.sum()),
            "n_groups": n_groups,
            "n_boot": int(n_boot),
            "confidence": confidence,
            "reference": next(iter(named)),
            "skipped": skipped,
        }
    )
    return table


def subgroup_metrics(
    y_true: Any,
    y_pred: Any,
    groups: Any,
    y_score: Any = None,
    *,
    confidence: float = 0.95,
    min_cases: int = MIN_CASES_PER_GROUP,
) -> pd.DataFrame:
    """The clinical measures for each group of people, and the largest gap between groups.

    Does the model find the disease as well in women as in men, in every hospital, in every
    ethnic group? A gap in sensitivity means one group's illness is missed more often.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth (1 = has the condition).
    y_pred : array-like of 0/1 or bool
        The prediction (1 = positive).
    groups : array-like
        The group of each person, e.g. ``df["sex"]``; no missing values
        (fill them first, e.g. ``df["sex"].fillna("not recorded")``).
    y_score : array-like of numbers, optional
        Scores or probabilities; if given, the AUROC of each group is added with the
        Hanley & McNeil (1982, Radiology 143:29) interval.
    confidence : float, default 0.95
        Confidence level of the intervals.
    min_cases : int, default :data:`MIN_CASES_PER_GROUP` (10)
        The warning rule: a group with fewer than ``min_cases`` people with the condition, or
        fewer than ``min_cases`` without it, gets a ``UserWarning`` that names it, because its
        sensitivity or specificity rests on too few people to compare it with other groups.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per group and measure, with columns ``group``, ``measure``
        (the measures of :func:`clinical_metrics`, plus ``auroc`` if ``y_score`` is given),
        ``value``, ``ci_low``, ``ci_high``, ``numerator``, ``denominator``, ``n`` (people in
        the group) and ``note``. Select one measure with
        ``table[table["measure"] == "sensitivity"]``.

        ``table.attrs["gaps"]`` is a DataFrame indexed by measure with ``highest_group``,
        ``highest``, ``lowest_group``, ``lowest``, ``gap`` (highest minus lowest, among all the
        groups where the measure could be calculated) and ``note`` (which of the two groups,
        if any, is below the ``min_cases`` rule), proportions first, largest gap first.

    Warns
    -----
    UserWarning
        For each group below the ``min_cases`` rule.

    Raises
    ------
    ValueError
        If the inputs differ in length, are not binary, or ``groups`` has missing values.

    Examples
    --------
    >>> y_true = [1] * 20 + [0] * 20 + [1] * 20 + [0] * 20
    >>> y_pred = [1] * 18 + [0] * 2 + [0] * 20 + [1] * 12 + [0] * 8 + [0] * 20
    >>> sex = ["female"] * 40 + ["male"] * 40
    >>> table = subgroup_metrics(y_true, y_pred, sex)
    >>> table[table["measure"] == "sensitivity"][["group", "value", "numerator", "denominator"]]
        group  value  numerator  denominator
    0  female    0.9         18           20
    8    male    0.6         12           20
    >>> gaps = table.attrs["gaps"]
    >>> gaps.loc["sensitivity", "highest_group"], gaps.loc["sensitivity", "lowest_group"]
    ('female', 'male')
    >>> round(float(gaps.loc["sensitivity", "gap"]), 2)
    0.3
    """
    confidence = _confidence(confidence)
    truth = _binary(y_true, "y_true")
    pred = _binary(y_pred, "y_pred")
    labels = _as_1d(groups, "groups")
    missing = pd.isna(pd.Series(labels, dtype=object)).to_numpy()
    if missing.any():
        raise ValueError(
            f"groups has {int(missing.sum())} missing values; fill them first, e.g. "
            "df['sex'].fillna('not recorded'), so that those people form their own group."
        )
    arrays = {"y_true": truth, "y_pred": pred, "groups": labels}
    scores = None
    if y_score is not None:
        scores = _numeric(y_score, "y_score")
        arrays["y_score"] = scores
    _same_length(**arrays)
    if isinstance(min_cases, bool) or not isinstance(min_cases, numbers.Integral) or min_cases < 0:
        raise ValueError(f"min_cases must be a whole number, 0 or more; got {min_cases!r}.")

    if isinstance(groups, pd.Series) and isinstance(groups.dtype, pd.CategoricalDtype):
        order = [c for c in groups.cat.categories if (labels == c).any()]
    else:
        order = list(pd.unique(pd.Series(labels, dtype=object)))
        try:
            order = sorted(order)
        except TypeError:
            pass

    frames = []
    small_groups = set()
    for group in order:
        members = labels == group
        group_truth, group_pred = truth[members], pred[members]
        counts = _counts(group_truth, group_pred)
        positives, negatives = counts["TP"] + counts["FN"], counts["TN"] + counts["FP"]
        if positives < min_cases or negatives < min_cases:
            small_groups.add(_python_value(group))
            warnings.warn(
                f"Group {_python_value(group)!r} has only {positives} people with the condition "
                f"and {negatives} without (the rule is at least {min_cases} of each): its "
                "measures rest on too few people to compare it with other groups. Look at the "
                "intervals, and collect more data or combine groups before drawing conclusions.",
                UserWarning,
                stacklevel=2,
            )
        rows = _metric_rows(counts, confidence)
        if scores is not None:
            rows.append(_auroc_row(group_truth, scores[members], confidence))
        frame = _metrics_frame(rows).reset_index()
        frame.insert(0, "group", _python_value(group))
        frame["n"] = int(members.sum())
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table = table[
        ["group", "measure", "value", "ci_low", "ci_high", "numerator", "denominator", "n", "note"]
    ]

    gaps = []
    for measure, part in table.groupby("measure", sort=False):
        known = part.dropna(subset=["value"])
        if known.empty:
            continue
        top = known.loc[known["value"].idxmax()]
        bottom = known.loc[known["value"].idxmin()]
        gaps.append(
            {
                "measure": measure,
                "highest_group": top["group"],
                "highest": float(top["value"]),
                "lowest_group": bottom["group"],
                "lowest": float(bottom["value"]),
                "gap": float(top["value"] - bottom["value"]),
                "note": "; ".join(
                    f"{g!r} is below the {min_cases}-case rule: treat with caution"
                    for g in dict.fromkeys([top["group"], bottom["group"]])
                    if g in small_groups
                ),
            }
        )
    gap_table = pd.DataFrame(gaps).set_index("measure")
    # Likelihood ratios are not on a 0-1 scale; keep proportions first, then by size of gap.
    gap_table["_ratio"] = gap_table.index.str.startswith("lr_")
    gap_table = gap_table.sort_values(["_ratio", "gap"], ascending=[True, False]).drop(
        columns="_ratio"
    )
    table.attrs["gaps"] = gap_table
    table.attrs["confidence"] = confidence
    return table
