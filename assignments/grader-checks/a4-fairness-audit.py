"""Grader-side checks of assignment a4-fairness-audit (see healthlab.grading.probes).

For every autograded test cell, the checks that award its mark. The grader rebuilds the
company's model and its audit itself, chooses new inputs for the student's functions on every
run (ages and cuts, patients and groups, tables of intervals, other hospitals' patients), and
compares what the student's kernel returns with its own answers. None of this file reaches
the student. Messages say what is wrong, never what the right answer is.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from healthlab.grading.probes import Check

SEED = 42
FEATURES = ["age", "sex", "cp", "trestbps", "fbs", "restecg", "thalach", "exang", "oldpeak"]
AUDIT_COLUMNS = ["people", "with_condition", "sensitivity", "sens_low", "sens_high",
                 "without_condition", "fpr", "fpr_low", "fpr_high"]  # fmt: skip
SITES = ["Cleveland", "Hungary", "Switzerland", "VA Long Beach"]
KEYS = {"patients", "auroc", "sensitivity", "fpr"}

# -- the grader's own model and answers ----------------------------------------------------------


@lru_cache(maxsize=1)
def heart() -> pd.DataFrame:
    from healthlab import datasets

    return datasets.load("heart-disease", zero_as_missing=True)


@lru_cache(maxsize=1)
def company() -> dict:
    """The notebook's model, split and test patients' groups, rebuilt here."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from healthlab import datasets

    table = heart()
    development = table[table["site"].isin(["Cleveland", "Hungary"])]
    X_train, X_test, y_train, y_test = train_test_split(
        development[FEATURES], development["disease"], test_size=0.3,
        stratify=development["disease"], random_state=SEED,
    )  # fmt: skip
    model = make_pipeline(
        SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000)
    )
    model.fit(X_train, y_train)
    sex = datasets.load("heart-disease", decode=True).loc[X_test.index, "sex"]
    groups = sex + ", " + age_band(X_test["age"], 55)
    return {"model": model, "y": y_test, "pred": model.predict(X_test), "groups": groups}


def age_band(ages: pd.Series, cut: int) -> pd.Series:
    bands = pd.Series(f"under {cut}", index=ages.index)
    bands.loc[ages >= cut] = f"{cut} and over"
    return bands


def audit(y_true, y_pred, groups) -> pd.DataFrame:
    from healthlab import fairness

    return fairness.subgroup_rates(y_true, y_pred, groups=groups)[AUDIT_COLUMNS]


@lru_cache(maxsize=1)
def reference_audit() -> pd.DataFrame:
    from healthlab import fairness

    ref = company()
    return fairness.subgroup_rates(ref["y"], ref["pred"], groups=ref["groups"])


def widest(table: pd.DataFrame, low: str, high: str):
    return (table[high] - table[low]).idxmax()


def check_at_site(table: pd.DataFrame, site: str) -> dict:
    from sklearn.metrics import roc_auc_score

    model = company()["model"]
    here = table[table["site"] == site]
    truth = here["disease"].to_numpy()
    flagged = model.predict(here[FEATURES])
    return {
        "patients": len(here),
        "auroc": float(roc_auc_score(truth, model.predict_proba(here[FEATURES])[:, 1])),
        "sensitivity": float(((flagged == 1) & (truth == 1)).sum() / (truth == 1).sum()),
        "fpr": float(((flagged == 1) & (truth == 0)).sum() / (truth == 0).sum()),
    }


# -- inputs made up for each run -----------------------------------------------------------------


def random_ages(rng) -> dict:
    n = rng.randint(6, 15)
    cut = rng.randint(30, 75)
    ages = [rng.randint(18, 95) for _ in range(n)]
    at, below = rng.sample(range(n), 2)
    ages[at], ages[below] = cut, cut - 1  # an age equal to the cut is "<cut> and over"
    if rng.random() < 0.5:
        index = rng.sample(range(1000), n)
    else:
        index = [f"p{i}" for i in rng.sample(range(1000), n)]
    return {"ages": pd.Series(ages, index=index), "cut": cut}


def random_patients(rng) -> dict:
    """Made-up truth, predictions and groups, every group with and without the condition."""
    names = rng.sample(["Leeds", "Derby", "Truro", "Hull", "Wigan", "Ely"], rng.randint(2, 4))
    y, p, g = [], [], []
    for name in names:
        for _ in range(rng.randint(15, 50)):
            y.append(rng.randint(0, 1))
            p.append(rng.randint(0, 1))
            g.append(name)
        y[-6:] = [1, 1, 1, 0, 0, 0]  # both outcomes, and both answers, in every group
        p[-6:] = [1, 0, rng.randint(0, 1), 1, 0, rng.randint(0, 1)]
    order = list(range(len(y)))
    rng.shuffle(order)
    return {
        "y": np.array(y)[order],
        "p": np.array(p)[order],
        "g": np.array(g)[order],
    }


def random_intervals(rng) -> dict:
    """A table of intervals whose widest is neither the highest top, nor the lowest bottom, nor
    the first or the last row."""
    n = rng.randint(3, 6)
    labels = rng.sample(["women", "men", "under 40", "over 80", "site A", "site B", "x", "y"], n)
    while True:
        low = [round(rng.uniform(0, 0.6), 3) for _ in range(n)]
        high = [round(lo + rng.uniform(0.05, 0.4), 3) for lo in low]
        widths = [h - lo for lo, h in zip(low, high, strict=True)]
        best = widths.index(max(widths))
        unique = sorted(widths)[-1] - sorted(widths)[-2] > 0.01
        ends = best in (0, n - 1)  # not the first or last row: position alone cannot find it
        if unique and not ends and best != high.index(max(high)) and best != low.index(min(low)):
            break
    low_name, high_name = rng.choice([("lo", "hi"), ("from", "to"), ("ci_a", "ci_b")])
    table = pd.DataFrame(
        {"value": [round((a + b) / 2, 3) for a, b in zip(low, high, strict=True)],
         low_name: low, high_name: high},
        index=labels,
    )  # fmt: skip
    return {"t": table, "low": low_name, "high": high_name}


def random_site(rng) -> dict:
    """Some, never all, of one hospital's patients (at least a third of those with heart
    disease and of those without, and 3 or more of each), mixed with patients of the other
    hospitals, in a random order."""
    table = heart()
    site = rng.choice(SITES)
    here = table[table["site"] == site]
    ill = here[here["disease"] == 1]
    well = here[here["disease"] == 0]
    n_ill = rng.randint(max(3, len(ill) // 3), len(ill) - 1)
    n_well = rng.randint(max(3, len(well) // 3), len(well) - 1)
    keep = pd.concat(
        [
            ill.sample(n=n_ill, random_state=rng.randint(0, 10**6)),
            well.sample(n=n_well, random_state=rng.randint(0, 10**6)),
            table[table["site"] != site].sample(n=rng.randint(20, 200),
                                                random_state=rng.randint(0, 10**6)),
        ]
    )  # fmt: skip
    return {"t": keep.sample(frac=1, random_state=rng.randint(0, 10**6)), "s": site}


# -- comparing -----------------------------------------------------------------------------------


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _near(a, b, tol: float = 1e-9) -> bool:
    if not (_number(a) and _number(b)):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol


def same_bands(reply, expected: pd.Series) -> bool:
    return (
        isinstance(reply, dict)
        and reply.get("__type__") == "Series"
        and reply["index"] == list(expected.index)
        and reply["values"] == list(expected)
    )


def same_audit(reply, expected: pd.DataFrame) -> bool:
    if not (isinstance(reply, dict) and reply.get("__type__") == "DataFrame"):
        return False
    if [str(c) for c in reply["columns"]] != AUDIT_COLUMNS:
        return False
    rows = dict(zip([str(i) for i in reply["index"]], reply["values"], strict=True))
    if set(rows) != {str(i) for i in expected.index} or len(rows) != len(expected):
        return False
    return all(
        _near(rows[str(label)][j], float(expected.loc[label, column]))
        for label in expected.index
        for j, column in enumerate(AUDIT_COLUMNS)
    )


def same_labels(reply, expected) -> bool:
    return isinstance(reply, list) and reply == list(expected)


def why_and_count(reply, expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == 2
        and isinstance(reply[0], str)
        and reply[0].strip().upper() == expected[0]
        and type(reply[1]) is int
        and reply[1] == expected[1]
    )


def site_shape(reply, expected: dict) -> bool:
    return (
        isinstance(reply, dict)
        and set(reply) == KEYS
        and type(reply["patients"]) is int
        and reply["patients"] == expected["patients"]
        and all(_number(reply[k]) and 0 <= reply[k] <= 1 for k in ("auroc", "sensitivity", "fpr"))
    )


def site_values(reply, expected: dict) -> bool:
    return (
        isinstance(reply, dict)
        and set(reply) == KEYS
        and reply["patients"] == expected["patients"]
        and all(_near(reply[k], expected[k]) for k in ("auroc", "sensitivity", "fpr"))
    )


def _widest_expected(_given) -> list:
    ref = reference_audit()
    return [widest(ref, "sens_low", "sens_high"), widest(ref, "fpr_low", "fpr_high")]


def _why_expected(_given) -> list:
    ref = reference_audit()
    return ["B", int(ref.loc[widest(ref, "sens_low", "sens_high"), "with_condition"])]


# -- the checks ----------------------------------------------------------------------------------

CHECKS = [
    # Task 1: age_band and audit
    Check(
        "a4_age_band",
        ask="age_band(given['ages'], given['cut'])",
        given=random_ages,
        expect=lambda g: age_band(g["ages"], g["cut"]),
        compare=same_bands,
        message="Task 1: for other ages and another cut, age_band did not give 'under <cut>' "
        "and '<cut> and over' (an age equal to the cut is '<cut> and over'), with the same "
        "index as the ages.",
    ),
    Check(
        "a4_audit_others",
        ask="audit(given['y'], given['p'], given['g'])",
        given=random_patients,
        expect=lambda g: audit(g["y"], g["p"], g["g"]),
        compare=same_audit,
        message="Task 1: for other patients and groups, audit did not give the columns of "
        "AUDIT_COLUMNS, in order, with the right rates for each group (is the truth first, "
        "then the predictions?).",
    ),
    Check(
        "a4_audit_values",
        ask="by_group",
        expect=lambda g: audit(company()["y"], company()["pred"], company()["groups"]),
        compare=same_audit,
        message="Task 1: by_group is not the audit of the test patients' predictions for the "
        "four groups of sex and age band (under 55, 55 and over).",
    ),
    # Task 2: the widest interval
    Check(
        "a4_widest_others",
        ask="widest(given['t'], given['low'], given['high'])",
        given=random_intervals,
        expect=lambda g: widest(g["t"], g["low"], g["high"]),
        compare=lambda reply, expected: isinstance(reply, str) and reply == expected,
        message="Task 2: for another table, widest did not give the label of the group whose "
        "interval (high minus low) is widest.",
    ),
    Check(
        "a4_widest_values",
        ask="[widest_sens, widest_fpr]",
        expect=_widest_expected,
        compare=same_labels,
        message="Task 2: widest_sens or widest_fpr is not the group with the widest interval "
        "for that rate in ref_audit.",
    ),
    Check(
        "a4_widest_why",
        ask="[why_widest, int(behind_widest)]",
        expect=_why_expected,
        compare=why_and_count,
        message="Task 2: why_widest is not the best explanation, or behind_widest is not the "
        "number of patients with heart disease that the widest sensitivity rests on.",
    ),
    # Task 3: another site
    Check(
        "a4_site_type",
        ask="check_at_site(model, given['t'], given['s'])",
        given=random_site,
        expect=lambda g: check_at_site(g["t"], g["s"]),
        compare=site_shape,
        message="Task 3: check_at_site should return a dictionary with the keys patients (the "
        "number of that site's patients in the table), auroc, sensitivity and fpr (numbers "
        "from 0 to 1).",
    ),
    Check(
        "a4_site_values",
        ask="va_check",
        expect=lambda g: check_at_site(heart(), "VA Long Beach"),
        compare=site_values,
        message="Task 3: va_check does not hold the right numbers for the model at VA Long Beach.",
    ),
    Check(
        "a4_site_others",
        ask="check_at_site(model, given['t'], given['s'])",
        given=random_site,
        expect=lambda g: check_at_site(g["t"], g["s"]),
        compare=site_values,
        message="Task 3: for another hospital's patients, check_at_site gave the wrong AUROC, "
        "sensitivity or false-positive rate (use the model's risks for the AUROC and its yes/no "
        "answers for the rates).",
    ),
]
