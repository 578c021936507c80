"""evaluate.auroc: AUROC with a (cluster) bootstrap interval, added for lesson 07.

The quick weighted form inside ``auroc`` is checked against the slow, obvious computation:
build each resample row by row and call scikit-learn's ``roc_auc_score`` on it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from healthlab import evaluate


def naive_bootstrap(y, scores, groups, n_boot, seed):
    """Resample whole groups with the same random draws as evaluate.auroc, the slow way."""
    codes = pd.factorize(pd.Series(groups, dtype=object))[0]
    rows_of = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        picked = rng.integers(0, len(rows_of), len(rows_of))
        rows = np.concatenate([rows_of[g] for g in picked])
        if 0 < y[rows].sum() < len(rows):
            values.append([roc_auc_score(y[rows], s[rows]) for s in scores])
    return np.array(values)


@pytest.fixture(scope="module")
def clustered():
    """60 'patients' with 1 to 6 rows each; tied integer scores (like NEWS2) and a smooth one."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 7, 60)
    groups = np.repeat([f"P{i:02d}" for i in range(60)], sizes)
    sick = np.repeat(rng.random(60) < 0.3, sizes)
    y = (sick & (rng.random(len(groups)) < 0.7)).astype(int)
    tied = rng.integers(0, 4, len(y)) + 2 * y
    smooth = rng.normal(0, 1, len(y)) + 1.2 * y
    return y, tied, smooth, groups


def test_point_estimate_is_scikit_learns(clustered):
    y, tied, smooth, groups = clustered
    table = evaluate.auroc(y, {"tied": tied, "smooth": smooth}, groups=groups, n_boot=200)
    assert table.loc["tied", "auroc"] == pytest.approx(roc_auc_score(y, tied), abs=1e-12)
    assert table.loc["smooth", "auroc"] == pytest.approx(roc_auc_score(y, smooth), abs=1e-12)
    assert table.loc["smooth", "difference"] == pytest.approx(
        roc_auc_score(y, smooth) - roc_auc_score(y, tied), abs=1e-12
    )


def test_intervals_equal_the_slow_cluster_bootstrap(clustered):
    y, tied, smooth, groups = clustered
    table = evaluate.auroc(y, {"tied": tied, "smooth": smooth}, groups=groups, n_boot=300, seed=3)
    slow = naive_bootstrap(y, [tied, smooth], groups, 300, 3)
    assert table.attrs["skipped"] == 300 - len(slow)
    low, high = np.percentile(slow, [2.5, 97.5], axis=0)
    assert table["ci_low"].to_numpy() == pytest.approx(low, abs=1e-12)
    assert table["ci_high"].to_numpy() == pytest.approx(high, abs=1e-12)
    diff_low, diff_high = np.percentile(slow[:, 1] - slow[:, 0], [2.5, 97.5])
    assert table.loc["smooth", "difference_ci_low"] == pytest.approx(diff_low, abs=1e-12)
    assert table.loc["smooth", "difference_ci_high"] == pytest.approx(diff_high, abs=1e-12)
    assert math.isnan(table.loc["tied", "difference"])
    assert math.isnan(table.loc["tied", "difference_ci_low"])


def test_without_groups_every_row_is_resampled_alone(clustered):
    y, tied, _, _ = clustered
    table = evaluate.auroc(y, tied, n_boot=200, seed=5)
    slow = naive_bootstrap(y, [tied], np.arange(len(y)), 200, 5)
    low, high = np.percentile(slow[:, 0], [2.5, 97.5])
    assert list(table.index) == ["score"]
    assert table.loc["score", "ci_low"] == pytest.approx(low, abs=1e-12)
    assert table.loc["score", "ci_high"] == pytest.approx(high, abs=1e-12)


def test_repeated_rows_need_the_cluster_bootstrap():
    # Each person's row copied 5 times: resampling rows pretends there are 5x as many people
    # and gives a much narrower interval; resampling people gives about the original width.
    rng = np.random.default_rng(11)
    y = np.repeat([0, 1], 60)
    score = rng.normal(0, 1, 120) + y
    once = evaluate.auroc(y, score, n_boot=500, seed=1)
    copied_y, copied_score = np.repeat(y, 5), np.repeat(score, 5)
    people = np.repeat(np.arange(120), 5)
    by_row = evaluate.auroc(copied_y, copied_score, n_boot=500, seed=1)
    by_person = evaluate.auroc(copied_y, copied_score, groups=people, n_boot=500, seed=1)

    def width(t):
        return float(t["ci_high"].iloc[0] - t["ci_low"].iloc[0])

    assert width(by_row) < 0.6 * width(once)
    assert width(by_person) == pytest.approx(width(once), rel=0.25)
    assert by_person.attrs["n_groups"] == 120 and by_person.attrs["n"] == 600


def test_same_seed_same_interval_and_attrs(clustered):
    y, tied, smooth, groups = clustered
    first = evaluate.auroc(y, {"a": tied, "b": smooth}, groups=groups, n_boot=200, seed=9)
    second = evaluate.auroc(y, {"a": tied, "b": smooth}, groups=groups, n_boot=200, seed=9)
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs["reference"] == "a"
    assert first.attrs["n_positive"] == int(y.sum())
    assert first.attrs["confidence"] == 0.95
    assert list(first.columns) == [
        "auroc",
        "ci_low",
        "ci_high",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
    ]


def test_a_wider_confidence_gives_a_wider_interval(clustered):
    y, _, smooth, groups = clustered
    narrow = evaluate.auroc(y, smooth, groups=groups, confidence=0.8, n_boot=300)
    wide = evaluate.auroc(y, smooth, groups=groups, confidence=0.99, n_boot=300)
    assert wide.loc["score", "ci_low"] < narrow.loc["score", "ci_low"]
    assert wide.loc["score", "ci_high"] > narrow.loc["score", "ci_high"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"y_true": [1, 1, 1], "y_score": [0.2, 0.4, 0.9]}, "both outcomes"),
        ({"y_true": [0, 1, 0], "y_score": [0.2, 0.4]}, "same length"),
        ({"y_true": [0, 1, 2], "y_score": [0.2, 0.4, 0.9]}, "only 0 and 1"),
        ({"y_true": [0, 1], "y_score": {}}, "empty dict"),
        ({"y_true": [0, 1], "y_score": [0.1, 0.9], "n_boot": 10}, "n_boot"),
        ({"y_true": [0, 1], "y_score": [0.1, 0.9], "seed": -1}, "seed"),
        ({"y_true": [0, 1], "y_score": [0.1, 0.9], "confidence": 95}, "confidence"),
        ({"y_true": [0, 1], "y_score": [0.1, 0.9], "groups": ["a", None]}, "missing"),
        ({"y_true": [0, 1], "y_score": [0.1, 0.9], "groups": ["a"]}, "same length"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, words):
    with pytest.raises((ValueError, TypeError), match=words):
        evaluate.auroc(**kwargs)


def test_too_few_cases_to_bootstrap():
    # One person holds the only cases (two rows): no interval can be drawn from one person.
    y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    with pytest.raises(ValueError, match="too few groups"):
        evaluate.auroc(y, list(range(10)), groups=list("aabcdefghi"), n_boot=200)
    # Without groups each row is a person: two cases are enough.
    assert evaluate.auroc(y, list(range(10)), n_boot=200).attrs["n_groups"] == 10


def test_public_and_documented():
    assert "auroc" in evaluate.__all__
    assert "Examples" in evaluate.auroc.__doc__ and "Returns" in evaluate.auroc.__doc__
