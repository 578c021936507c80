"""Tests for healthlab.evaluate: reference values from clinical-facts.md, agreement with
scikit-learn, invariants (hypothesis), input checks and zero denominators."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, logit
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

from healthlab import evaluate
from healthlab.evaluate import (
    brier_score,
    calibration_in_the_large,
    calibration_slope,
    calibration_table,
    clinical_metrics,
    confusion_table,
    natural_frequencies,
    net_benefit,
    ppv_npv_at_prevalence,
    subgroup_metrics,
    threshold_table,
)

MEASURES = [
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "accuracy",
    "prevalence",
    "lr_positive",
    "lr_negative",
]


def labels_from_counts(tp: int, fp: int, tn: int, fn: int) -> tuple[np.ndarray, np.ndarray]:
    """Truth and prediction arrays with exactly these four counts."""
    y_true = np.array([1] * tp + [0] * fp + [0] * tn + [1] * fn)
    y_pred = np.array([1] * tp + [1] * fp + [0] * tn + [0] * fn)
    return y_true, y_pred


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out (Wilson 1927), independent of SciPy."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture
def screening() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A reproducible screening data set: truth, probabilities and 0.5-threshold predictions."""
    rng = np.random.default_rng(2026)
    y_true = (rng.random(800) < 0.25).astype(int)
    score = 1.5 * y_true + rng.normal(0, 1, 800)
    y_prob = expit(1.2 * score - 1.8)
    return y_true, y_prob, (y_prob >= 0.5).astype(int)


# ------------------------------------------------------------------------- clinical_metrics


def test_clinical_metrics_layout_and_counts():
    y_true, y_pred = labels_from_counts(tp=90, fp=90, tn=810, fn=10)
    table = clinical_metrics(y_true, y_pred)
    assert list(table.index) == MEASURES
    assert table.index.name == "measure"
    assert list(table.columns) == [
        "value",
        "ci_low",
        "ci_high",
        "numerator",
        "denominator",
        "note",
    ]
    assert table.attrs["counts"] == {"TP": 90, "FP": 90, "TN": 810, "FN": 10}
    assert table.attrs["confidence"] == 0.95
    expected = {
        "sensitivity": (90, 100),
        "specificity": (810, 900),
        "ppv": (90, 180),
        "npv": (810, 820),
        "accuracy": (900, 1000),
        "prevalence": (100, 1000),
    }
    for measure, (num, den) in expected.items():
        row = table.loc[measure]
        assert (row["numerator"], row["denominator"]) == (num, den)
        assert row["value"] == pytest.approx(num / den)
        low, high = wilson_by_hand(num, den)
        assert row["ci_low"] == pytest.approx(low, abs=1e-9)
        assert row["ci_high"] == pytest.approx(high, abs=1e-9)
        assert row["note"] == ""
    assert table.loc["lr_positive", "value"] == pytest.approx(0.9 / 0.1)
    assert table.loc["lr_negative", "value"] == pytest.approx(0.1 / 0.9)
    assert pd.isna(table.loc["lr_positive", "numerator"])


def test_likelihood_ratio_interval_is_the_log_method():
    tp, fp, tn, fn = 45, 30, 170, 5
    table = clinical_metrics(*labels_from_counts(tp, fp, tn, fn))
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    z = 1.959963984540054
    se_pos = math.sqrt(1 / tp - 1 / (tp + fn) + 1 / fp - 1 / (fp + tn))
    lr_pos = sens / (1 - spec)
    assert table.loc["lr_positive", "ci_low"] == pytest.approx(lr_pos * math.exp(-z * se_pos))
    assert table.loc["lr_positive", "ci_high"] == pytest.approx(lr_pos * math.exp(z * se_pos))
    se_neg = math.sqrt(1 / fn - 1 / (tp + fn) + 1 / tn - 1 / (tn + fp))
    lr_neg = (1 - sens) / spec
    assert table.loc["lr_negative", "ci_low"] == pytest.approx(lr_neg * math.exp(-z * se_neg))
    assert table.loc["lr_negative", "ci_high"] == pytest.approx(lr_neg * math.exp(z * se_neg))


def test_confidence_level_changes_the_width():
    y_true, y_pred = labels_from_counts(30, 10, 50, 10)
    narrow = clinical_metrics(y_true, y_pred, confidence=0.8)
    wide = clinical_metrics(y_true, y_pred, confidence=0.99)
    for measure in MEASURES[:6]:
        assert (narrow.loc[measure, "ci_high"] - narrow.loc[measure, "ci_low"]) < (
            wide.loc[measure, "ci_high"] - wide.loc[measure, "ci_low"]
        )
    low, high = wilson_by_hand(30, 40, z=2.5758293035489004)
    assert wide.loc["sensitivity", "ci_low"] == pytest.approx(low)
    assert wide.loc["sensitivity", "ci_high"] == pytest.approx(high)


def test_clinical_metrics_agrees_with_scikit_learn(screening):
    y_true, _, y_pred = screening
    table = clinical_metrics(y_true, y_pred)
    assert table.loc["sensitivity", "value"] == pytest.approx(recall_score(y_true, y_pred))
    assert table.loc["specificity", "value"] == pytest.approx(
        recall_score(y_true, y_pred, pos_label=0)
    )
    assert table.loc["ppv", "value"] == pytest.approx(precision_score(y_true, y_pred))
    assert table.loc["npv", "value"] == pytest.approx(precision_score(y_true, y_pred, pos_label=0))
    assert table.loc["accuracy", "value"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert table.loc["prevalence", "value"] == pytest.approx(y_true.mean())


@pytest.mark.parametrize(
    "y_true",
    [
        pd.Series([1, 1, 0, 0], dtype="Int64"),
        pd.Series([True, True, False, False], dtype="boolean"),
        pd.Series([1, 1, 0, 0]).astype("category"),
        pd.DataFrame({"target": [1, 1, 0, 0]}),
    ],
)
def test_clinical_metrics_accepts_pandas_types(y_true):
    table = clinical_metrics(y_true, [1, 0, 0, 1])
    assert table.attrs["counts"] == {"TP": 1, "FP": 1, "TN": 1, "FN": 1}


def test_clinical_metrics_accepts_bool_series_and_float_labels():
    y_true = pd.Series([True, True, False, False])
    y_pred = np.array([1.0, 0.0, 0.0, 1.0])
    table = clinical_metrics(y_true, y_pred)
    assert table.attrs["counts"] == {"TP": 1, "FP": 1, "TN": 1, "FN": 1}


def test_zero_denominators_give_nan_and_a_note():
    # Nobody has the condition and nobody is flagged.
    table = clinical_metrics([0, 0, 0, 0], [0, 0, 0, 0])
    for measure in ("sensitivity", "ppv", "lr_positive", "lr_negative"):
        assert math.isnan(table.loc[measure, "value"]), measure
        assert measure in table.loc[measure, "note"]
        assert "cannot be calculated" in table.loc[measure, "note"]
    assert "TP + FN = 0" in table.loc["sensitivity", "note"]
    assert "TP + FP = 0" in table.loc["ppv", "note"]
    assert table.loc["specificity", "value"] == 1.0
    assert table.loc["npv", "value"] == 1.0
    assert table.loc["prevalence", "value"] == 0.0
    assert math.isnan(table.loc["sensitivity", "ci_low"])


def test_infinite_likelihood_ratio_is_nan_with_note():
    table = clinical_metrics(*labels_from_counts(tp=8, fp=0, tn=10, fn=2))
    assert math.isnan(table.loc["lr_positive", "value"])
    assert "no false positives" in table.loc["lr_positive", "note"]
    assert "infinite" in table.loc["lr_positive", "note"]
    # LR- exists (0.2 / 1) but FN and TN are both > 0, so it has an interval too.
    assert table.loc["lr_negative", "value"] == pytest.approx(0.2)
    assert table.loc["lr_negative", "note"] == ""


def test_likelihood_ratio_without_interval_says_why():
    table = clinical_metrics(*labels_from_counts(tp=10, fp=5, tn=15, fn=0))
    assert table.loc["lr_negative", "value"] == 0.0
    assert math.isnan(table.loc["lr_negative", "ci_low"])
    assert "FN and TN" in table.loc["lr_negative", "note"]


# ------------------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "message"),
    [
        (
            ["benign", "malignant"],
            [0, 1],
            ValueError,
            "y_true must contain only 0 and 1 (or True/False); found values ['benign', 'malignant']",
        ),
        (
            [0, 1, 2],
            [0, 1, 1],
            ValueError,
            "y_true must contain only 0 and 1 (or True/False); found values [0, 1, 2]",
        ),
        ([0, 1, 1], [0.2, 0.7, 0.9], ValueError, "These look like probabilities"),
        ([0, 1, 1], [0, 1], ValueError, "y_true and y_pred must have the same length"),
        ([0, 1, np.nan], [0, 1, 1], ValueError, "y_true has missing values (NaN/None)"),
        ([0, 1, None], [0, 1, 1], ValueError, "y_true has missing values (NaN/None)"),
        (
            pd.Series([0, 1, None], dtype="Int64"),
            [0, 1, 1],
            ValueError,
            "y_true has missing values (NaN/None)",
        ),
        ([], [], ValueError, "y_true is empty"),
        (1, [1], TypeError, "y_true must be a list or array of values"),
        ("0101", [0, 1, 0, 1], TypeError, "y_true must be a list, NumPy array or pandas column"),
        ([[0, 1], [1, 0]], [0, 1, 1, 0], ValueError, "y_true must be one-dimensional"),
    ],
)
def test_bad_labels_name_the_parameter(y_true, y_pred, error, message):
    with pytest.raises(error) as info:
        clinical_metrics(y_true, y_pred)
    assert message in str(info.value)


def test_text_labels_get_a_hint():
    with pytest.raises(ValueError, match=r"y_pred must contain only 0 and 1") as info:
        clinical_metrics([0, 1], np.array(["no", "yes"]))
    assert "found values ['no', 'yes']" in str(info.value)
    assert "(labels == 'malignant').astype(int)" in str(info.value)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.1, "0.95", True])
def test_bad_confidence(confidence):
    with pytest.raises(ValueError, match="confidence must be a number strictly between 0 and 1"):
        clinical_metrics([0, 1], [0, 1], confidence=confidence)


def test_probability_checks():
    with pytest.raises(
        ValueError,
        match=r"y_prob must be probabilities between 0 and 1; found values from -0.5 to 2",
    ):
        brier_score([0, 1], [-0.5, 2])
    with pytest.raises(ValueError, match=r"y_prob has 1 missing or infinite values"):
        brier_score([0, 1], [0.5, np.nan])
    with pytest.raises(
        TypeError, match=r"y_prob must contain numbers; found values \['high', 'low'\]"
    ):
        brier_score([0, 1], ["low", "high"])
    with pytest.raises(
        ValueError,
        match=r"y_true and y_prob must have the same length \(one value per person\); y_true has 2, y_prob has 3",
    ):
        brier_score([0, 1], [0.1, 0.2, 0.3])


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2, [0.1, 1.0]])
def test_net_benefit_thresholds_strictly_inside_0_1(bad):
    with pytest.raises(ValueError, match="thresholds must be strictly between 0 and 1"):
        net_benefit([0, 1], [0.2, 0.8], bad)


# ------------------------------------------------------------------------- confusion_table


def test_confusion_table_names_cells_and_margins():
    y_true, y_pred = labels_from_counts(tp=42, fp=5, tn=50, fn=3)
    table = confusion_table(y_true, y_pred, labels=("benign", "malignant"))
    assert list(table.index) == ["truth: benign", "truth: malignant", "total"]
    assert list(table.columns) == ["predicted: benign", "predicted: malignant", "total"]
    assert table.loc["truth: malignant", "predicted: malignant"] == "true positive: 42"
    assert table.loc["truth: malignant", "predicted: benign"] == "false negative: 3"
    assert table.loc["truth: benign", "predicted: malignant"] == "false positive: 5"
    assert table.loc["truth: benign", "predicted: benign"] == "true negative: 50"
    assert table.loc["truth: malignant", "total"] == 45
    assert table.loc["total", "predicted: malignant"] == 47
    assert table.loc["total", "total"] == 100
    assert table.attrs["counts"] == {"TP": 42, "FP": 5, "TN": 50, "FN": 3}


def test_confusion_table_numbers_agree_with_scikit_learn(screening):
    from sklearn.metrics import confusion_matrix

    y_true, _, y_pred = screening
    table = confusion_table(y_true, y_pred, names=False)
    assert table.iloc[:2, :2].to_numpy().tolist() == confusion_matrix(y_true, y_pred).tolist()
    assert table.to_numpy().dtype.kind == "i"
    assert table.loc["total", "total"] == len(y_true)


@pytest.mark.parametrize("labels", ["disease", ("a",), ("a", "b", "c"), (0, 1)])
def test_confusion_table_bad_labels(labels):
    with pytest.raises(ValueError, match="labels must be two texts"):
        confusion_table([0, 1], [0, 1], labels=labels)


# ------------------------------------------------------------------ Bayes and natural frequencies


def test_mammography_natural_frequencies_match_clinical_facts():
    # clinical-facts.md: prevalence 1%, sensitivity 90%, false-positive rate 9%
    table = natural_frequencies(sensitivity=0.9, specificity=1 - 0.09, prevalence=0.01)
    counts = table["count"].to_dict()
    assert counts["population"] == 1000
    assert counts["with_condition"] == 10
    assert counts["true_positives"] == 9
    assert counts["without_condition"] == 990
    assert counts["false_positives"] == 89
    assert counts["test_positive"] == 98
    assert (table.loc["ppv", "count"], table.loc["ppv", "out_of"]) == (9, 98)
    assert table.loc["ppv", "proportion"] == pytest.approx(9 / 98)
    assert "9 of the 98" in table.loc["ppv", "meaning"]
    # "about 1 in 10"
    assert 0.085 < table.attrs["exact_ppv"] < 0.1


def test_eddy_version_gives_7_8_percent():
    table = natural_frequencies(0.8, 1 - 0.096, 0.01)
    assert round(table.loc["ppv", "proportion"], 3) == 0.078
    bayes = ppv_npv_at_prevalence(0.8, 1 - 0.096, 0.01)
    assert round(float(bayes.loc[0, "ppv"]), 3) == 0.078


def test_natural_frequencies_other_population_and_checks():
    table = natural_frequencies(0.9, 0.91, 0.01, population=10_000)
    assert table.loc["true_positives", "count"] == 90
    assert table.loc["false_positives", "count"] == 891
    with pytest.raises(ValueError, match="population must be a positive whole number"):
        natural_frequencies(0.9, 0.91, 0.01, population=0)
    with pytest.raises(ValueError, match="population must be a positive whole number"):
        natural_frequencies(0.9, 0.91, 0.01, population=1000.5)
    with pytest.raises(
        ValueError,
        match=r"sensitivity must be between 0 and 1; got 90\. Write a percentage as a proportion: 90% is 0\.9",
    ):
        natural_frequencies(90, 0.91, 0.01)


def test_ppv_npv_at_prevalence_formula_and_broadcasting():
    table = ppv_npv_at_prevalence(0.9, 0.91, [0.01, 0.1, 0.5])
    assert list(table.columns) == ["sensitivity", "specificity", "prevalence", "ppv", "npv", "note"]
    p = np.array([0.01, 0.1, 0.5])
    expected_ppv = 0.9 * p / (0.9 * p + 0.09 * (1 - p))
    expected_npv = 0.91 * (1 - p) / (0.91 * (1 - p) + 0.1 * p)
    np.testing.assert_allclose(table["ppv"], expected_ppv)
    np.testing.assert_allclose(table["npv"], expected_npv)
    # The screening paradox: PPV rises with prevalence.
    assert table["ppv"].is_monotonic_increasing


def test_ppv_npv_zero_denominator():
    table = ppv_npv_at_prevalence(0.9, 1.0, 0.0)
    assert math.isnan(table.loc[0, "ppv"])
    assert "nobody would test positive" in table.loc[0, "note"]
    assert table.loc[0, "npv"] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"sensitivity": 1.2, "specificity": 0.9, "prevalence": 0.1},
            "sensitivity must be between 0 and 1; got 1.2",
        ),
        (
            {"sensitivity": 0.9, "specificity": -0.1, "prevalence": 0.1},
            "specificity must be between 0 and 1",
        ),
        (
            {"sensitivity": 0.9, "specificity": 0.9, "prevalence": [0.1, 2]},
            "prevalence must be between 0 and 1; got [2.0]",
        ),
        (
            {"sensitivity": "high", "specificity": 0.9, "prevalence": 0.1},
            "sensitivity must be a number between 0 and 1; got 'high'",
        ),
    ],
)
def test_ppv_npv_bad_inputs(kwargs, message):
    with pytest.raises((ValueError, TypeError)) as info:
        ppv_npv_at_prevalence(**kwargs)
    assert message in str(info.value)


# ------------------------------------------------------------------------- threshold_table


def test_threshold_table_counts_and_flagging_rule(screening):
    y_true, y_prob, _ = screening
    table = threshold_table(y_true, y_prob, [0.2, 0.5])
    row = table.iloc[1]
    flagged = y_prob >= 0.5
    assert row["tp"] == int((flagged & (y_true == 1)).sum())
    assert row["fp"] == int((flagged & (y_true == 0)).sum())
    assert row["sensitivity"] == pytest.approx(recall_score(y_true, flagged))
    assert row["ppv"] == pytest.approx(precision_score(y_true, flagged))
    assert row["flagged_per_1000"] == pytest.approx(1000 * flagged.mean())
    assert table["sensitivity"].iloc[0] >= table["sensitivity"].iloc[1]
    assert table["specificity"].iloc[0] <= table["specificity"].iloc[1]


def test_threshold_table_with_integer_scores_like_news2():
    y_true = [0, 0, 1, 1, 0, 1, 0, 1]
    news2 = [1, 3, 5, 7, 2, 9, 5, 4]
    table = threshold_table(y_true, news2, [5, 7])
    assert table["tp"].tolist() == [3, 2]
    assert table["fp"].tolist() == [1, 0]


def test_threshold_table_nobody_flagged_notes_ppv():
    table = threshold_table([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], [0.9])
    assert math.isnan(table.loc[0, "ppv"])
    assert "TP + FP = 0" in table.loc[0, "note"]
    assert table.loc[0, "flagged_per_1000"] == 0


def test_threshold_table_percentage_thresholds_on_probabilities():
    with pytest.raises(
        ValueError,
        match="thresholds must be between 0 and 1 because y_score holds probabilities; found \\[50.0\\]",
    ):
        threshold_table([0, 1], [0.2, 0.8], [50])


# ------------------------------------------------------------------------- calibration


def test_calibration_table_agrees_with_scikit_learn(screening):
    y_true, y_prob, _ = screening
    for strategy in ("quantile", "uniform"):
        table = calibration_table(y_true, y_prob, n_bins=8, strategy=strategy)
        prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=8, strategy=strategy)
        np.testing.assert_allclose(table["observed"], prob_true)
        np.testing.assert_allclose(table["mean_predicted"], prob_pred)
        assert table["n"].sum() == len(y_true)
        assert table["events"].sum() == y_true.sum()
        assert (
            (table["ci_low"] <= table["observed"]) & (table["observed"] <= table["ci_high"])
        ).all()


def test_calibration_table_bad_arguments():
    with pytest.raises(
        ValueError, match='strategy must be "quantile" or "uniform"; got \'deciles\''
    ):
        calibration_table([0, 1], [0.1, 0.9], strategy="deciles")
    with pytest.raises(ValueError, match="n_bins must be a whole number of bins, 1 or more; got 0"):
        calibration_table([0, 1], [0.1, 0.9], n_bins=0)


def test_calibration_in_the_large_constant_prediction():
    # A model that says 20% for everyone when 10% have the outcome: logit(0.1) - logit(0.2).
    y_true = [1] * 10 + [0] * 90
    assert calibration_in_the_large(y_true, [0.2] * 100) == pytest.approx(
        logit(0.1) - logit(0.2), abs=1e-9
    )
    assert calibration_in_the_large(y_true, [0.1] * 100) == pytest.approx(0, abs=1e-9)


def test_calibration_slope_recovers_known_miscalibration():
    rng = np.random.default_rng(7)
    risk = rng.uniform(0.02, 0.98, 40_000)
    y_true = (rng.random(40_000) < risk).astype(int)
    assert calibration_slope(y_true, risk) == pytest.approx(1.0, abs=0.05)
    assert calibration_slope(y_true, expit(2 * logit(risk))) == pytest.approx(0.5, abs=0.03)
    assert calibration_slope(y_true, expit(0.5 * logit(risk))) == pytest.approx(2.0, abs=0.1)


def test_calibration_needs_both_outcomes():
    for function in (calibration_slope, calibration_in_the_large):
        with pytest.raises(ValueError, match="y_true must contain both outcomes"):
            function([1, 1, 1], [0.2, 0.5, 0.9])


def test_calibration_handles_probabilities_of_exactly_0_and_1():
    value = calibration_slope([0, 0, 1, 1, 0, 1], [0.0, 0.3, 0.6, 1.0, 0.5, 0.4])
    assert math.isfinite(value)


def test_brier_score_matches_scikit_learn(screening):
    y_true, y_prob, _ = screening
    assert brier_score(y_true, y_prob) == pytest.approx(brier_score_loss(y_true, y_prob))
    assert brier_score([1, 0], [1.0, 0.0]) == 0.0


# ------------------------------------------------------------------------- net benefit


def test_net_benefit_worked_example_from_clinical_facts():
    # n = 1000, prevalence 10%, sensitivity 0.8, specificity 0.7, threshold 10%.
    y_true, y_pred = labels_from_counts(tp=80, fp=270, tn=630, fn=20)
    table = net_benefit(y_true, y_pred * 0.9, [0.1])
    assert list(table.columns) == ["threshold", "model", "treat_all", "treat_none"]
    assert table.loc[0, "model"] == pytest.approx(0.05)
    assert table.loc[0, "treat_all"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc[0, "treat_none"] == 0.0


def test_net_benefit_is_not_the_wrong_form_without_prevalence():
    # "sens - w*FPR" would give 0.8 - 0.3/9 = 0.767; the right answer is 0.05.
    y_true, y_pred = labels_from_counts(tp=80, fp=270, tn=630, fn=20)
    model = net_benefit(y_true, y_pred * 0.9, [0.1]).loc[0, "model"]
    assert model != pytest.approx(0.8 - 0.3 * (0.1 / 0.9))


# ------------------------------------------------------------------------- subgroups


def test_subgroup_metrics_per_group_and_gap(screening):
    y_true, y_prob, y_pred = screening
    groups = np.where(np.arange(len(y_true)) % 2 == 0, "site A", "site B")
    table = subgroup_metrics(y_true, y_pred, groups, y_score=y_prob)
    assert list(table.columns) == [
        "group",
        "measure",
        "value",
        "ci_low",
        "ci_high",
        "numerator",
        "denominator",
        "n",
        "note",
    ]
    assert sorted(table["group"].unique()) == ["site A", "site B"]
    for site in ("site A", "site B"):
        members = groups == site
        own = clinical_metrics(y_true[members], y_pred[members])
        part = table[table["group"] == site].set_index("measure")
        pd.testing.assert_series_equal(part.loc[MEASURES, "value"], own["value"], check_names=False)
        assert part.loc["auroc", "value"] == pytest.approx(
            roc_auc_score(y_true[members], y_prob[members])
        )
        assert (
            part.loc["auroc", "ci_low"] < part.loc["auroc", "value"] < part.loc["auroc", "ci_high"]
        )
        assert (part["n"] == members.sum()).all()
    gaps = table.attrs["gaps"]
    sens = table[table["measure"] == "sensitivity"].set_index("group")["value"]
    assert gaps.loc["sensitivity", "gap"] == pytest.approx(sens.max() - sens.min())
    assert gaps.loc["sensitivity", "highest_group"] == sens.idxmax()


def test_subgroup_warning_rule_names_the_small_group():
    y_true = [1] * 30 + [0] * 30 + [1] * 4 + [0] * 20
    y_pred = [1] * 25 + [0] * 35 + [1] * 2 + [0] * 22
    groups = ["large"] * 60 + ["small"] * 24
    with pytest.warns(
        UserWarning, match=r"Group 'small' has only 4 people with the condition and 20 without"
    ):
        table = subgroup_metrics(y_true, y_pred, groups)
    assert "'small' is below the 10-case rule" in table.attrs["gaps"].loc["sensitivity", "note"]
    # A large enough group raises no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        subgroup_metrics(y_true[:60], y_pred[:60], groups[:60])


def test_subgroup_with_one_outcome_only_has_nan_auroc():
    y_true = [1, 0] * 10 + [0] * 10
    y_score = np.linspace(0, 1, 30)
    groups = ["A"] * 20 + ["B"] * 10
    with pytest.warns(UserWarning):
        table = subgroup_metrics(y_true, (y_score > 0.5).astype(int), groups, y_score=y_score)
    row = table[(table["group"] == "B") & (table["measure"] == "auroc")].iloc[0]
    assert math.isnan(row["value"])
    assert "nobody has the condition" in row["note"]


def test_subgroup_missing_groups_raise():
    with pytest.raises(ValueError, match="groups has 1 missing values; fill them first"):
        subgroup_metrics([0, 1, 1], [0, 1, 0], ["a", None, "b"])
    with pytest.raises(ValueError, match="y_true, y_pred and groups must have the same length"):
        subgroup_metrics([0, 1, 1], [0, 1, 0], ["a", "b"])


# ------------------------------------------------------------------------- invariants

counts_strategy = st.tuples(
    st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60)
).filter(lambda c: sum(c) > 0)


@settings(max_examples=60, deadline=None)
@given(counts_strategy)
def test_proportions_and_intervals_lie_in_0_1(counts):
    table = clinical_metrics(*labels_from_counts(*counts))
    part = table.loc[MEASURES[:6]]
    known = part.dropna(subset=["value"])
    assert ((known["value"] >= 0) & (known["value"] <= 1)).all()
    assert ((known["ci_low"] >= 0) & (known["ci_low"] <= known["value"] + 1e-12)).all()
    assert ((known["ci_high"] <= 1) & (known["ci_high"] >= known["value"] - 1e-12)).all()
    # Every NaN comes with a note.
    assert (part.loc[part["value"].isna(), "note"] != "").all()
    lr = table.loc[["lr_positive", "lr_negative"]].dropna(subset=["value"])
    assert (lr["value"] >= 0).all()


@settings(max_examples=60, deadline=None)
@given(counts_strategy)
def test_ppv_from_bayes_equals_ppv_from_counts(counts):
    tp, fp, tn, fn = counts
    table = clinical_metrics(*labels_from_counts(tp, fp, tn, fn))
    sens, spec, prev = (table.loc[m, "value"] for m in ("sensitivity", "specificity", "prevalence"))
    if any(math.isnan(v) for v in (sens, spec)):
        return
    bayes = ppv_npv_at_prevalence(sens, spec, prev)
    for measure in ("ppv", "npv"):
        from_counts = table.loc[measure, "value"]
        from_bayes = bayes.loc[0, measure]
        if math.isnan(from_counts):
            assert math.isnan(from_bayes)
        else:
            assert from_bayes == pytest.approx(from_counts)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=80),
    st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5),
)
def test_net_benefit_invariants(people, thresholds):
    y_true = np.array([p[0] for p in people], dtype=int)
    y_prob = np.array([p[1] for p in people])
    table = net_benefit(y_true, y_prob, thresholds)
    assert (table["treat_none"] == 0).all()
    n = len(y_true)
    prevalence = y_true.mean()
    for row in table.itertuples():
        flagged = y_prob >= row.threshold
        tp = int((flagged & (y_true == 1)).sum())
        fp = int((flagged & (y_true == 0)).sum())
        weight = row.threshold / (1 - row.threshold)
        assert row.model == pytest.approx(tp / n - fp / n * weight)
        assert row.treat_all == pytest.approx(prevalence - (1 - prevalence) * weight)
        # Net benefit can never exceed the prevalence (every case found, no false alarms).
        assert row.model <= prevalence + 1e-12


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_bayes_outputs_are_probabilities(sens, spec, prev):
    table = ppv_npv_at_prevalence(sens, spec, prev)
    for measure in ("ppv", "npv"):
        value = table.loc[0, measure]
        assert math.isnan(value) or 0 <= value <= 1 + 1e-12


# ------------------------------------------------------------------------- import cost


def test_import_is_light():
    code = (
        "import sys, healthlab.evaluate; "
        "print(sorted(m for m in ('sklearn', 'scipy', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_public_names_are_documented():
    for name in evaluate.__all__:
        obj = getattr(evaluate, name)
        if callable(obj):
            assert "Examples" in obj.__doc__, name
            assert "Returns" in obj.__doc__, name
