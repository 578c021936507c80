"""Grader-side checks of assignment a2-diagnostic-model (see healthlab.grading.probes).

For every autograded test cell, the checks that award its mark. The grader makes the lesson's
split and model itself, chooses new inputs for the student's functions on every run, and
compares what the student's kernel returns with its own answers. None of this file reaches the
student. Messages say what is wrong, never what the right answer is.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from healthlab.grading.probes import Check

SEED = 42
CANDIDATES = [0.5, 0.4, 0.3, 0.2, 0.1, 0.05]

# -- the grader's own split, model and answers ---------------------------------------------------


@lru_cache(maxsize=1)
def split():
    from sklearn.model_selection import train_test_split

    from healthlab import datasets

    cancer = datasets.load("breast-cancer")
    X, y = cancer.drop(columns="malignant"), cancer["malignant"]
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)


@lru_cache(maxsize=1)
def reference():
    """The reference predictions the assignment hands out (lesson 03's model)."""
    from healthlab.questions.lesson03 import lesson_model, lesson_split

    ref = lesson_split()
    model = lesson_model()
    return (
        ref.y_test.to_numpy(),
        model.predict(ref.X_test),
        model.predict_proba(ref.X_test)[:, 1],
    )


def confusion_counts(y_true, y_pred) -> dict:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return {
        "TP": int(((y_true == 1) & (y_pred == 1)).sum()),
        "FN": int(((y_true == 1) & (y_pred == 0)).sum()),
        "FP": int(((y_true == 0) & (y_pred == 1)).sum()),
        "TN": int(((y_true == 0) & (y_pred == 0)).sum()),
    }


def sensitivity(c: dict) -> float:
    return c["TP"] / (c["TP"] + c["FN"])


def choose_threshold(y_true, probabilities, candidates, min_sensitivity):
    for threshold in candidates:
        flagged = (np.asarray(probabilities) >= threshold).astype(int)
        if sensitivity(confusion_counts(y_true, flagged)) >= min_sensitivity:
            return threshold
    return None


# -- inputs made up for each run -----------------------------------------------------------------


def test_rows_shuffled(rng) -> dict:
    """The test set in a new order: the student's model is asked about each row."""
    _, X_test, _, _ = split()
    order = list(range(len(X_test)))
    rng.shuffle(order)
    return {"X": X_test.iloc[order], "order": order}


def random_labels(rng) -> dict:
    n = rng.randint(1, 300)
    t = np.array([rng.randint(0, 1) for _ in range(n)])
    p = np.array([rng.randint(0, 1) for _ in range(n)])
    return {"t": t, "p": p, "ts": pd.Series(t), "ps": pd.Series(p)}


def random_counts(rng) -> dict:
    return {
        "cs": [
            {k: rng.randint(1, 500) for k in ("TP", "FN", "FP", "TN")}
            for _ in range(rng.randint(3, 6))
        ]
    }


def random_probabilities(rng) -> dict:
    p = [round(rng.random(), 2) for _ in range(rng.randint(5, 15))]
    threshold = rng.choice(p)  # a probability exactly at the threshold must be flagged
    return {"p": np.array(p), "th": threshold}


def _screening_set(rng) -> dict:
    n = rng.randint(8, 20)
    p = np.array([round(rng.random(), 3) for _ in range(n)])
    t = np.array([1 if rng.random() < q else 0 for q in p])
    t[0], t[1] = 1, 0
    candidates = sorted({round(rng.random(), 2) for _ in range(rng.randint(2, 5))}, reverse=True)
    return {"t": t, "p": p, "candidates": candidates, "min": rng.choice([0.5, 0.75, 0.9, 0.99])}


def random_screening(rng) -> dict:
    """Four made-up screening sets whose right thresholds are not all the same.

    With one set, a function that always returned the same threshold was right about one run
    in fifty; with answers that differ, no fixed answer can get the mark.
    """
    while True:
        sets = [_screening_set(rng) for _ in range(4)]
        answers = {choose_threshold(s["t"], s["p"], s["candidates"], s["min"]) for s in sets}
        if len(answers) > 1:
            return {"sets": sets}


def same_thresholds(reply, expected) -> bool:
    """The same threshold (or None) for every set, of the same type."""
    return (
        isinstance(reply, list)
        and len(reply) == len(expected)
        and all(r == e and type(r) is type(e) for r, e in zip(reply, expected, strict=True))
    )


# -- comparing -----------------------------------------------------------------------------------


def _values(reply) -> list | None:
    if isinstance(reply, list):
        return reply
    if isinstance(reply, dict) and reply.get("__type__") in ("ndarray", "Series"):
        return reply["values"]
    return None


def _is_count_dict(reply) -> bool:
    return (
        isinstance(reply, dict)
        and set(reply) == {"TP", "FN", "FP", "TN"}
        and all(type(v) is int for v in reply.values())
    )


def split_sizes(reply, _expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 8):
        return False
    n_xtr, n_xte, n_ytr, n_yte, ixtr, iytr, ixte, iyte = reply
    return (
        (n_xtr, n_xte, n_ytr, n_yte) == (426, 143, 426, 143)
        and ixtr == iytr
        and ixte == iyte
        and not set(map(str, ixtr)) & set(map(str, ixte))
    )


def split_stratified(reply, expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == 2
        and reply[0] == expected[0]
        and reply[1] == expected[1]
    )


def fit_outputs(reply, given) -> bool:
    if not (isinstance(reply, list) and len(reply) == 4):
        return False
    probs, preds, model_probs, model_preds = (_values(v) for v in reply)
    if None in (probs, preds, model_probs, model_preds) or len(probs) != 143 or len(preds) != 143:
        return False
    if not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in probs):
        return False
    if not set(preds) <= {0, 1}:
        return False
    order = given["order"]
    return all(
        abs(probs[i] - model_probs[k]) < 1e-9 and preds[i] == model_preds[k]
        for k, i in enumerate(order)
    )


def fit_training(reply, given) -> bool:
    if not (isinstance(reply, list) and len(reply) == 3):
        return False
    n_seen, mean, preds = reply[0], _values(reply[1]), _values(reply[2])
    X_train, _, _, y_test = split()
    if n_seen != len(X_train) or mean is None or preds is None or len(preds) != len(y_test):
        return False
    if not np.allclose(np.asarray(mean, dtype=float), X_train.mean().to_numpy()):
        return False
    truth = y_test.to_numpy()[given["order"]]
    return float((np.asarray(preds) == truth).mean()) > 0.95


def counts_type(reply, _expected) -> bool:
    return isinstance(reply, list) and len(reply) == 2 and all(_is_count_dict(r) for r in reply)


def counts_equal(reply, expected) -> bool:
    if isinstance(expected, list):
        return (
            isinstance(reply, list)
            and len(reply) == len(expected)
            and all(_is_count_dict(r) and r == e for r, e in zip(reply, expected, strict=True))
        )
    return _is_count_dict(reply) and reply == expected


def close_list(reply, expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == len(expected)
        and all(
            isinstance(r, (int, float)) and not isinstance(r, bool) and abs(r - e) < 1e-9
            for r, e in zip(reply, expected, strict=True)
        )
    )


def model_rates_from_own_counts(reply, _expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 3 and _is_count_dict(reply[2])):
        return False
    sens, spec, c = reply
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (sens, spec)):
        return False
    return (
        0 <= sens <= 1
        and 0 <= spec <= 1
        and abs(sens - c["TP"] / (c["TP"] + c["FN"])) < 1e-9  # error carried forward
        and abs(spec - c["TN"] / (c["TN"] + c["FP"])) < 1e-9
    )


def flags_equal(reply, expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == len(expected)):
        return False
    return all(
        _values(r) is not None and list(_values(r)) == e
        for r, e in zip(reply, expected, strict=True)
    )


# -- the checks ----------------------------------------------------------------------------------

CHECKS = [
    Check(
        "a2_split_sizes_tests",
        ask="[len(X_train), len(X_test), len(y_train), len(y_test), list(X_train.index), "
        "list(y_train.index), list(X_test.index), list(y_test.index)]",
        expect=lambda g: None,
        compare=split_sizes,
        message="Task 1: the four parts do not have the right sizes (test_size=0.25), or X and y "
        "are not in the same order, or a sample is in both parts.",
    ),
    Check(
        "a2_split_stratified_tests",
        ask="[list(X_test.index), int(y_train.sum())]",
        expect=lambda g: [list(split()[1].index), int(split()[2].sum())],
        compare=split_stratified,
        message="Task 1: this is not the stratified split made with random_state=SEED.",
    ),
    Check(
        "a2_fit_outputs_tests",
        ask="[probabilities, predictions, model.predict_proba(given['X'])[:, 1], "
        "model.predict(given['X'])]",
        given=test_rows_shuffled,
        expect=lambda g: g,
        compare=fit_outputs,
        message="Task 2: probabilities and predictions should be model.predict_proba(X_test)"
        "[:, 1] and model.predict(X_test): one probability (0 to 1) and one 0 or 1 for each "
        "test sample.",
    ),
    Check(
        "a2_fit_training_tests",
        ask="[model[0].n_samples_seen_, model[0].mean_, model.predict(given['X'])]",
        given=test_rows_shuffled,
        expect=lambda g: g,
        compare=fit_training,
        message="Task 2: the model should be a scaler and a logistic regression that learned "
        "from exactly the training set, and get more than 95% of the test samples right.",
    ),
    Check(
        "a2_counts_type_tests",
        ask="[confusion_counts(given['t'], given['p']), confusion_counts(given['ts'], given['ps'])]",
        given=random_labels,
        expect=lambda g: None,
        compare=counts_type,
        message="Task 3: confusion_counts should return a dictionary with the keys TP, FN, FP "
        "and TN and whole numbers as values, for arrays and for pandas Series.",
    ),
    Check(
        "a2_counts_reference_tests",
        ask="counts",
        expect=lambda g: confusion_counts(reference()[0], reference()[1]),
        compare=counts_equal,
        message="Task 3: counts does not hold the right TP, FN, FP and TN for the reference "
        "predictions.",
    ),
    Check(
        "a2_counts_other_tests",
        ask="[confusion_counts(given['t'], given['p']), "
        "confusion_counts(given['all_ill'], given['all_ill'])]",
        given=lambda rng: {**random_labels(rng), "all_ill": np.ones(rng.randint(2, 9), dtype=int)},
        expect=lambda g: [
            confusion_counts(g["t"], g["p"]),
            confusion_counts(g["all_ill"], g["all_ill"]),
        ],
        compare=counts_equal,
        message="Task 3: confusion_counts gave the wrong counts for new samples.",
    ),
    Check(
        "a2_sensitivity_tests",
        ask="[sensitivity(c) for c in given['cs']]",
        given=random_counts,
        expect=lambda g: [c["TP"] / (c["TP"] + c["FN"]) for c in g["cs"]],
        compare=close_list,
        message="Task 4: sensitivity gave the wrong value for other counts (TP / (TP + FN)).",
    ),
    Check(
        "a2_specificity_tests",
        ask="[specificity(c) for c in given['cs']]",
        given=random_counts,
        expect=lambda g: [c["TN"] / (c["TN"] + c["FP"]) for c in g["cs"]],
        compare=close_list,
        message="Task 4: specificity gave the wrong value for other counts (TN / (TN + FP)).",
    ),
    Check(
        "a2_sens_spec_model_tests",
        ask="[sens_model, spec_model, counts]",
        expect=lambda g: None,
        compare=model_rates_from_own_counts,
        message="Task 4: sens_model and spec_model should be the sensitivity and specificity "
        "of your counts from Task 3 (proportions between 0 and 1).",
    ),
    Check(
        "a2_predict_threshold_tests",
        ask="[predict_with_threshold(given['p'], given['th']), predict_with_threshold(given['p'], "
        "0.0), predict_with_threshold(given['p'], 1.01)]",
        given=random_probabilities,
        expect=lambda g: [
            [int(v) for v in g["p"] >= g["th"]],
            [1] * len(g["p"]),
            [0] * len(g["p"]),
        ],
        compare=flags_equal,
        message="Task 5: predict_with_threshold should give 1 where the probability is at or "
        "above the threshold (a probability equal to it is flagged), and 0 elsewhere.",
    ),
    Check(
        "a2_choose_threshold_tests",
        ask="[choose_threshold(s['t'], s['p'], s['candidates'], s['min']) for s in given['sets']]",
        given=random_screening,
        expect=lambda g: [
            choose_threshold(s["t"], s["p"], s["candidates"], s["min"]) for s in g["sets"]
        ],
        compare=same_thresholds,
        message="Task 5: choose_threshold should return the first (highest) candidate whose "
        "sensitivity is at least the minimum, or None when there is none.",
    ),
    Check(
        "a2_screening_threshold_tests",
        ask="screening_threshold",
        expect=lambda g: choose_threshold(reference()[0], reference()[2], CANDIDATES, 0.98),
        compare=lambda reply, expected: reply == expected,
        message="Task 5: screening_threshold is not the highest candidate that keeps the "
        "sensitivity at 0.98 or more on the reference probabilities.",
    ),
]
