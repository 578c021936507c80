"""healthlab.fairness: each function against a small hand-worked example, and its errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from healthlab import fairness


def wilson(k: int, n: int) -> tuple[float, float]:
    ci = binomtest(k, n).proportion_ci(method="wilson")
    return ci.low, ci.high


# --- subgroup_rates --------------------------------------------------------------------------


@pytest.fixture
def two_groups():
    # women: 4 ill (2 found), 20 well (5 false alarms); men: 20 ill (18 found), 20 well (2)
    y_true = [1] * 4 + [0] * 20 + [1] * 20 + [0] * 20
    y_pred = [1, 1, 0, 0] + [1] * 5 + [0] * 15 + [1] * 18 + [0] * 2 + [1] * 2 + [0] * 18
    groups = ["female"] * 24 + ["male"] * 40
    return y_true, y_pred, groups


def test_subgroup_rates_counts_rates_and_intervals(two_groups):
    rates = fairness.subgroup_rates(*two_groups)
    assert list(rates.index) == ["female", "male"]
    women = rates.loc["female"]
    assert (women["people"], women["with_condition"], women["found"]) == (24, 4, 2)
    assert (women["without_condition"], women["false_alarms"]) == (20, 5)
    assert women["sensitivity"] == pytest.approx(0.5)
    assert women["fpr"] == pytest.approx(0.25)
    assert women["prevalence"] == pytest.approx(4 / 24)
    assert (women["sens_low"], women["sens_high"]) == pytest.approx(wilson(2, 4))
    assert (women["fpr_low"], women["fpr_high"]) == pytest.approx(wilson(5, 20))
    men = rates.loc["male"]
    assert men["sensitivity"] == pytest.approx(0.9) and men["fpr"] == pytest.approx(0.1)
    assert (men["fpr_low"], men["fpr_high"]) == pytest.approx(wilson(2, 20))


def test_subgroup_rates_turns_the_small_group_warning_into_a_caution(two_groups):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        rates = fairness.subgroup_rates(*two_groups)
    assert rates.loc["female", "caution"] == "only 4 with the condition: too few to compare"
    assert rates.loc["male", "caution"] == ""
    quiet = fairness.subgroup_rates(*two_groups, min_cases=4)
    assert set(quiet["caution"]) == {""}
    both = fairness.subgroup_rates([1, 0, 0], [1, 0, 1], ["a"] * 3)
    assert both.loc["a", "caution"] == (
        "only 1 with the condition and only 2 without the condition: too few to compare"
    )


def test_subgroup_rates_gives_nan_when_nobody_is_ill():
    rates = fairness.subgroup_rates([0, 0, 1, 0], [1, 0, 1, 0], ["a", "a", "b", "b"])
    assert math.isnan(rates.loc["a", "sensitivity"])
    assert rates.loc["a", "fpr"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"groups": ["a", None, "b", "b"]}, ValueError, "missing values"),
        ({"groups": ["a", "b"]}, ValueError, "same length"),
        ({"y_pred": [0.2, 0.9, 0.1, 0.7]}, ValueError, "probabilities"),
        ({"min_cases": -1}, ValueError, "min_cases"),
    ],
)
def test_subgroup_rates_errors_say_what_to_do(kwargs, error, words):
    args = {"y_true": [1, 0, 1, 0], "y_pred": [1, 0, 0, 0], "groups": ["a", "a", "b", "b"]}
    args.update(kwargs)
    with pytest.raises(error, match=words):
        fairness.subgroup_rates(**args)


# --- calibration_by_group --------------------------------------------------------------------


def test_calibration_by_group():
    table = fairness.calibration_by_group(
        [1, 0, 0, 0, 1, 1, 1, 0], [0.5, 0.5, 0.5, 0.5, 0.6, 0.8, 0.7, 0.3], ["F"] * 4 + ["M"] * 4
    )
    assert table.loc["F", "observed"] == 0.25
    assert table.loc["F", "mean_predicted"] == pytest.approx(0.5)
    assert table.loc["M", "difference"] == pytest.approx(0.6 - 0.75)
    assert (table.loc["M", "ci_low"], table.loc["M", "ci_high"]) == pytest.approx(wilson(3, 4))
    with pytest.raises(ValueError, match="between 0 and 1"):
        fairness.calibration_by_group([1, 0], [1.2, 0.1], ["a", "b"])


# --- flag_top and selection_by_group ---------------------------------------------------------


def test_flag_top_takes_ties_in_row_order():
    assert fairness.flag_top([3, 5, 5, 1], top_share=0.25).tolist() == [False, True, False, False]
    assert fairness.flag_top([3, 5, 5, 1], top_share=0.5).tolist() == [False, True, True, False]
    assert fairness.flag_top([1, 2, 3], top_share=0.01).sum() == 1  # at least one
    with pytest.raises(ValueError, match="3% is 0.03"):
        fairness.flag_top([1, 2, 3], top_share=3)
    with pytest.raises(TypeError, match="number between 0 and 1"):
        fairness.flag_top([1, 2, 3], top_share="3%")
    with pytest.raises(ValueError, match="missing"):
        fairness.flag_top([1, np.nan, 3])


@pytest.fixture
def people():
    return pd.DataFrame(
        {
            "group": ["A", "A", "A", "A", "B", "B", "B", "B"],
            "cost": [900, 800, 100, 50, 400, 300, 60, 40],
            "need": [3, 3, 0, 0, 4, 3, 0, 0],
        }
    )


def test_selection_by_group_by_cost_and_by_need(people):
    by_cost = fairness.selection_by_group(people, "cost", "group", top_share=0.25, need="need")
    assert by_cost["flagged"].to_dict() == {"A": 2, "B": 0}
    assert by_cost["share_of_flagged"].to_dict() == {"A": 1.0, "B": 0.0}
    assert by_cost["share_of_population"].to_dict() == {"A": 0.5, "B": 0.5}
    assert by_cost.loc["A", "mean_need_flagged"] == 3.0
    assert math.isnan(by_cost.loc["B", "mean_need_flagged"])
    assert by_cost.attrs["n_flagged"] == 2 and by_cost.attrs["cut_off"] == 800
    assert by_cost.attrs["score"] == "cost" and by_cost.index.name == "group"
    by_need = fairness.selection_by_group(people, "need", "group", top_share=0.25, need="need")
    # need 4 (row 4) first, then the first need-3 row in row order (row 0)
    assert by_need["flagged"].to_dict() == {"A": 1, "B": 1}
    assert by_need["flagged_rate"].to_dict() == {"A": 0.25, "B": 0.25}


def test_selection_by_group_errors(people):
    with pytest.raises(KeyError, match="columns are"):
        fairness.selection_by_group(people, "price", "group")
    with pytest.raises(TypeError, match="name of a column"):
        fairness.selection_by_group(people, ..., "group")
    with pytest.raises(TypeError, match="DataFrame"):
        fairness.selection_by_group(people.to_dict(), "cost", "group")
    with pytest.raises(ValueError, match="missing values"):
        fairness.selection_by_group(people.assign(group=["A"] * 7 + [None]), "cost", "group")
    with pytest.raises(TypeError, match="must contain numbers"):
        fairness.selection_by_group(people, "group", "group")


# --- need_at_same_score ----------------------------------------------------------------------


def test_need_at_same_score_uses_equal_bins_of_rank(people):
    table = fairness.need_at_same_score(people, "cost", "need", "group", bins=2)
    # lowest four costs: 40 (B, 0), 50 (A, 0), 60 (B, 0), 100 (A, 0); highest four the rest
    assert table.to_dict("index") == {1: {"A": 0.0, "B": 0.0}, 2: {"A": 3.0, "B": 3.5}}
    assert table.attrs["counts"].to_dict("index") == {1: {"A": 2, "B": 2}, 2: {"A": 2, "B": 2}}
    tied = pd.DataFrame({"s": [1, 1, 1, 1], "n": [0, 1, 2, 3], "g": ["x"] * 4})
    assert fairness.need_at_same_score(tied, "s", "n", "g", bins=2)["x"].tolist() == [0.5, 2.5]
    with pytest.raises(ValueError, match="bins"):
        fairness.need_at_same_score(people, "cost", "need", "group", bins=0)


# --- occult_hypoxaemia -----------------------------------------------------------------------


def test_occult_hypoxaemia_counts_only_the_reassuring_band():
    pairs = pd.DataFrame(
        {
            "spo2": [95, 93, 94, 99, 92, 96, 91],
            "sao2": [86, 90, 95, 85, 87, 88, 80],
            "ethnic_group": ["Black", "Black", "White", "White", "White", "White", "White"],
        }
    )
    table = fairness.occult_hypoxaemia(pairs)
    assert table.loc["Black", ["readings", "occult"]].tolist() == [2, 1]
    # White: 94, 92 and 96 are in the band; only SaO2 87 is below 88 (88 itself is not)
    assert table.loc["White", ["readings", "occult"]].tolist() == [3, 1]
    assert (table.loc["White", "ci_low"], table.loc["White", "ci_high"]) == pytest.approx(
        wilson(1, 3)
    )
    everyone = fairness.occult_hypoxaemia(pairs, group=None)
    assert everyone.loc["all", "readings"] == 5 and everyone.loc["all", "occult"] == 2
    wider = fairness.occult_hypoxaemia(pairs, spo2_range=(90, 100), sao2_below=90)
    assert wider.loc["White", ["readings", "occult"]].tolist() == [5, 4]


def test_occult_hypoxaemia_with_no_readings_in_the_band_is_nan():
    pairs = pd.DataFrame({"spo2": [99, 95], "sao2": [98, 86], "ethnic_group": ["A", "B"]})
    table = fairness.occult_hypoxaemia(pairs)
    assert table.loc["A", "readings"] == 0 and math.isnan(table.loc["A", "rate"])


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"spo2_range": (96, 92)}, ValueError, "pair"),
        ({"spo2_range": 92}, ValueError, "pair"),
        ({"sao2_below": "88"}, ValueError, "sao2_below"),
        ({"group": "ethnicity"}, KeyError, "not a column"),
        ({"spo2": "SpO2"}, KeyError, "not a column"),
    ],
)
def test_occult_hypoxaemia_errors(kwargs, error, words):
    pairs = pd.DataFrame({"spo2": [95], "sao2": [86], "ethnic_group": ["A"]})
    with pytest.raises(error, match=words):
        fairness.occult_hypoxaemia(pairs, **kwargs)
