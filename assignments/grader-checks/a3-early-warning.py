"""Grader-side checks of assignment a3-early-warning (see healthlab.grading.probes).

For every autograded test cell, the checks that award its mark. The grader scores the ward,
makes the lesson's split and the company's model itself, chooses new inputs for the student's
functions on every run (respiration rates around the chart's edges, made-up observations with
SpO2 Scale 2 patients, new scores and thresholds, other patients to split, a new ward to
compare), and compares what the student's kernel returns with its own answers. None of this
file reaches the student. Messages say what is wrong, never what the right answer is.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from healthlab.grading.probes import Check

SEED = 42
SETS_PER_SHIFT = 24 * 12 / 4
EDGES = (8, 9, 11, 12, 20, 21, 24, 25)
INPUTS = ["respiration_rate", "spo2", "spo2_scale", "oxygen", "systolic_bp", "pulse",
          "not_alert", "temperature", "age"]  # fmt: skip
AUROC_COLUMNS = ("auroc", "ci_low", "ci_high", "difference", "difference_ci_low",
                 "difference_ci_high")  # fmt: skip

# -- the grader's own answers --------------------------------------------------------------------


def respiration_score(rate: int) -> int:
    """The RCP chart's respiration rate row (clinical-facts.md)."""
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


@lru_cache(maxsize=1)
def ward() -> pd.DataFrame:
    from healthlab import datasets

    return datasets.load("ward-observations")


def news2_totals(obs: pd.DataFrame) -> pd.Series:
    from healthlab import scores

    return scores.news2_frame(obs)["total"]


@lru_cache(maxsize=1)
def ward_totals() -> np.ndarray:
    return news2_totals(ward()).to_numpy()


def patient_split(table: pd.DataFrame, seed: int) -> tuple[list[int], list[int]]:
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=seed)
    train, test = next(splitter.split(table, groups=table["patient_id"]))
    return [int(i) for i in train], [int(i) for i in test]


def patients_in_both(table: pd.DataFrame, rows_a, rows_b) -> int:
    ids = table["patient_id"]
    return len(set(ids.iloc[list(rows_a)]) & set(ids.iloc[list(rows_b)]))


@lru_cache(maxsize=1)
def row_overlap() -> int:
    from sklearn.model_selection import train_test_split

    rows_train, rows_test = train_test_split(
        np.arange(len(ward())), test_size=0.3, random_state=SEED
    )
    return patients_in_both(ward(), rows_train, rows_test)


@lru_cache(maxsize=1)
def test_patients() -> dict:
    """The reference cell's test set and the company's model, rebuilt here."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    table = ward().copy()
    table["oxygen"] = table["on_oxygen"].astype(int)
    table["not_alert"] = (table["consciousness"] != "A").astype(int)
    train, test = patient_split(table, SEED)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(table[INPUTS].iloc[train], table["deteriorated"].iloc[train])
    return {
        "y": table["deteriorated"].iloc[test].to_numpy(),
        "news2": ward_totals()[test],
        "risk": model.predict_proba(table[INPUTS].iloc[test])[:, 1],
        "patients": table["patient_id"].iloc[test].to_numpy(),
    }


def auroc_table(y, news2, risk, patients) -> pd.DataFrame:
    from healthlab import evaluate

    return evaluate.auroc(y, {"NEWS2": news2, "model": risk}, groups=patients, seed=SEED)


# -- inputs made up for each run -----------------------------------------------------------------


def random_rates(rng) -> dict:
    """Every edge of the chart, rates near the edges and a few anywhere, in a random order."""
    rates = list(EDGES) + [edge + rng.choice([-2, -1, 1, 2]) for edge in EDGES]
    rates += [rng.randint(0, 60) for _ in range(6)]
    rng.shuffle(rates)
    return {"rates": rates}


def random_observations(rng) -> dict:
    """Made-up sets of observations, some on SpO2 Scale 2 and on oxygen, with a shuffled index."""
    n = rng.randint(6, 14)
    scale = [2, 2] + [rng.choice([1, 1, 2]) for _ in range(n - 2)]
    obs = pd.DataFrame(
        {
            "respiration_rate": [rng.randint(6, 34) for _ in range(n)],
            "spo2": [rng.randint(84, 100) for _ in range(n)],
            "spo2_scale": scale,
            "on_oxygen": [True, True] + [rng.random() < 0.4 for _ in range(n - 2)],
            "systolic_bp": [rng.randint(80, 230) for _ in range(n)],
            "pulse": [rng.randint(38, 140) for _ in range(n)],
            "consciousness": [rng.choice("AAAACVPU") for _ in range(n)],
            "temperature": [round(rng.uniform(34.6, 39.8), 1) for _ in range(n)],
        },
        index=rng.sample(range(100, 999), n),
    )
    obs.loc[obs.index[:2], "spo2"] = [rng.randint(93, 98), rng.randint(95, 100)]
    return {"obs": obs}


def random_scores(rng) -> dict:
    """NEWS2-like totals or a model's risks, and a threshold that some scores equal."""
    n = rng.randint(8, 40)
    if rng.random() < 0.5:
        values = [rng.randint(0, 12) for _ in range(n)]
    else:
        values = [round(rng.random() ** 2, 2) for _ in range(n)]
    threshold = rng.choice(values[1:])
    values[0] = threshold  # a score equal to the threshold is an alert
    return {
        "a": np.array(values),
        "s": pd.Series(values, index=rng.sample(range(1000), n)),
        "th": threshold,
        "n": rng.randint(20, 150),
    }


def ward_rows(rng) -> dict:
    return {"rows": sorted(rng.sample(range(len(ward())), 3000))}


def ward_part(rng) -> dict:
    """Another group of the ward's patients (a random 60 to 250 of them) and another seed."""
    ids = sorted(ward()["patient_id"].unique())
    chosen = set(rng.sample(ids, rng.randint(60, 200)))
    part = ward()[ward()["patient_id"].isin(chosen)]
    if rng.random() < 0.5:
        part = part.reset_index(drop=True)
    return {"t": part, "seed": rng.randint(0, 10_000)}


def random_ids(rng) -> dict:
    """A small table of patient ids and two random lists of row positions."""
    n = rng.randint(10, 40)
    names = [f"P{i:03d}" for i in rng.sample(range(1000), rng.randint(3, 10))]
    table = pd.DataFrame({"patient_id": [rng.choice(names) for _ in range(n)]})
    table.index = rng.sample(range(5000), n)  # positions, not labels: .iloc is needed
    rows = list(range(n))
    rng.shuffle(rows)
    cut = rng.randint(2, n - 2)
    return {"t": table, "a": rows[:cut], "b": rows[cut:]}


def random_ward(rng) -> dict:
    """A made-up test set: patients with several sets each, NEWS2 totals and a model's risks."""
    n_patients = rng.randint(25, 60)
    patients, y, news2, risk = [], [], [], []
    for p in range(n_patients):
        worse = rng.random() < 0.35
        for k in range(rng.randint(2, 6)):
            label = 1 if worse and k >= 1 else 0
            patients.append(f"W{p:03d}")
            y.append(label)
            news2.append(min(20, rng.randint(0, 5) + 3 * label * rng.randint(0, 2)))
            risk.append(round(min(0.99, rng.random() * 0.4 + 0.3 * label * rng.random()), 3))
    y[0], y[-1] = 1, 0  # both outcomes
    return {"y": np.array(y), "n2": np.array(news2), "r": np.array(risk), "p": np.array(patients)}


# -- comparing -----------------------------------------------------------------------------------


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _values(reply) -> list | None:
    if isinstance(reply, list):
        return reply
    if isinstance(reply, dict) and reply.get("__type__") in ("ndarray", "Series"):
        return reply["values"]
    return None


def _near(a, b, tol: float = 1e-9) -> bool:
    if not (_number(a) and _number(b)):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol


def whole_scores(reply, expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == len(expected)
        and all(type(r) is int and r in (0, 1, 2, 3) for r in reply)
    )


def same_scores(reply, expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == len(expected)
        and all(type(r) is int and r == e for r, e in zip(reply, expected, strict=True))
    )


def series_keeps_index(reply, expected: pd.Series) -> bool:
    return (
        isinstance(reply, dict)
        and reply.get("__type__") == "Series"
        and reply["index"] == [int(i) for i in expected.index]
        and len(reply["values"]) == len(expected)
    )


def series_values(reply, expected: pd.Series) -> bool:
    got = _values(reply)
    return (
        isinstance(reply, dict)
        and reply.get("__type__") == "Series"
        and got is not None
        and len(got) == len(expected)
        and all(_near(g, float(e)) for g, e in zip(got, expected.to_numpy(), strict=True))
    )


def ward_column(reply, expected: dict) -> bool:
    if not (isinstance(reply, list) and len(reply) == 3):
        return False
    length, total, sample = reply
    got = _values(sample)
    return (
        length == expected["length"]
        and _near(total, expected["sum"])
        and got is not None
        and len(got) == len(expected["sample"])
        and all(_near(g, e) for g, e in zip(got, expected["sample"], strict=True))
    )


def shares(reply, _expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == 2
        and all(_number(r) and 0 <= r <= 1 for r in reply)
    )


def close_numbers(reply, expected) -> bool:
    return (
        isinstance(reply, list)
        and len(reply) == len(expected)
        and all(_near(r, e) for r, e in zip(reply, expected, strict=True))
    )


def same_positions(reply, expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 2):
        return False
    parts = [_values(r) for r in reply]
    return all(p is not None and list(p) == e for p, e in zip(parts, expected, strict=True))


def ward_split(reply, expected) -> bool:
    """The ward's training rows (too many to send: their count and sum) and test rows."""
    if not (isinstance(reply, list) and len(reply) == 3):
        return False
    train, test = expected
    got_test = _values(reply[2])
    return (
        reply[0] == len(train)
        and _near(reply[1], float(sum(train)))
        and got_test is not None
        and list(got_test) == test
    )


def same_count(reply, expected) -> bool:
    return type(reply) is int and reply == expected


def letter(reply, expected) -> bool:
    return isinstance(reply, str) and reply.strip().upper() == expected


def auroc_frame(reply, expected: pd.DataFrame) -> bool:
    if not (isinstance(reply, dict) and reply.get("__type__") == "DataFrame"):
        return False
    if reply["index"] != ["NEWS2", "model"]:
        return False
    columns = [str(c) for c in reply["columns"]]
    if not set(AUROC_COLUMNS) <= set(columns):
        return False
    rows = dict(zip(reply["index"], reply["values"], strict=True))
    return all(
        _near(rows[name][columns.index(col)], float(expected.loc[name, col]))
        for name in ("NEWS2", "model")
        for col in AUROC_COLUMNS
    )


def compare_values(reply, expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 4):
        return False
    return close_numbers(reply[:3], expected[:3]) and auroc_frame(reply[3], expected[3])


@lru_cache(maxsize=1)
def _reference_values_once() -> tuple:
    ref = test_patients()
    return (
        SETS_PER_SHIFT,
        float((ref["news2"] >= 5).mean()) * SETS_PER_SHIFT,
        float((ref["risk"] >= 0.15).mean()) * SETS_PER_SHIFT,
        auroc_table(ref["y"], ref["news2"], ref["risk"], ref["patients"]),
    )


def _reference_values(_given) -> list:
    return list(_reference_values_once())


# -- the checks ----------------------------------------------------------------------------------

CHECKS = [
    # Task 1: respiration_score
    Check(
        "a3_respiration_type",
        ask="[respiration_score(rate) for rate in given['rates']]",
        given=random_rates,
        expect=lambda g: g["rates"],
        compare=whole_scores,
        message="Task 1: respiration_score should return a whole number, 0, 1, 2 or 3, for "
        "every respiration rate.",
    ),
    Check(
        "a3_respiration_values",
        ask="[respiration_score(rate) for rate in given['rates']]",
        given=lambda rng: {"rates": list(EDGES)},
        expect=lambda g: [respiration_score(r) for r in g["rates"]],
        compare=same_scores,
        message="Task 1: respiration_score gives the wrong score at an edge of a band (8 and "
        "9, 11 and 12, 20 and 21, or 24 and 25): check each < and <=.",
    ),
    Check(
        "a3_respiration_others",
        ask="[respiration_score(rate) for rate in given['rates']]",
        given=random_rates,
        expect=lambda g: [respiration_score(r) for r in g["rates"]],
        compare=same_scores,
        message="Task 1: respiration_score does not follow the chart for some other "
        "respiration rates.",
    ),
    # Task 2: news2_totals
    Check(
        "a3_news2_type",
        ask="news2_totals(given['obs'])",
        given=random_observations,
        expect=lambda g: g["obs"]["respiration_rate"],
        compare=series_keeps_index,
        message="Task 2: news2_totals(obs) should return a pandas Series with one total for "
        "each row of obs, with the same index, in the same order.",
    ),
    Check(
        "a3_news2_values",
        ask="[len(ward['news2']), ward['news2'].sum(), ward['news2'].iloc[given['rows']]]",
        given=ward_rows,
        expect=lambda g: {
            "length": len(ward_totals()),
            "sum": float(ward_totals().sum()),
            "sample": [float(v) for v in ward_totals()[g["rows"]]],
        },
        compare=ward_column,
        message="Task 2: the ward's column news2 does not hold the right NEWS2 total for every "
        "set of observations.",
    ),
    Check(
        "a3_news2_others",
        ask="news2_totals(given['obs'])",
        given=random_observations,
        expect=lambda g: news2_totals(g["obs"]),
        compare=series_values,
        message="Task 2: news2_totals gave the wrong totals for other observations, some of "
        "them from patients whose SpO2 is scored on Scale 2 (let news2_frame use the "
        "spo2_scale column).",
    ),
    # Task 3: alert_rate
    Check(
        "a3_alert_rate_type",
        ask="[alert_rate(given['a'], given['th']), alert_rate(given['s'], given['th'])]",
        given=random_scores,
        expect=lambda g: None,
        compare=shares,
        message="Task 3: alert_rate should return one number between 0 and 1 (a share, not a "
        "count or a percentage), for a NumPy array and for a pandas Series.",
    ),
    Check(
        "a3_alert_rate_values",
        ask="[rate_5, rate_3]",
        expect=lambda g: [float((ward_totals() >= 5).mean()), float((ward_totals() >= 3).mean())],
        compare=close_numbers,
        message="Task 3: rate_5 and rate_3 are not the shares of the reference totals news2_ref "
        "at or above 5 and 3.",
    ),
    Check(
        "a3_alert_rate_others",
        ask="[alert_rate(given['a'], given['th']), alert_rate(given['s'], given['th']), "
        "alert_rate(given['s'], given['s'].max() + 1), alert_rate(given['a'], given['a'].min())]",
        given=random_scores,
        expect=lambda g: [float((g["a"] >= g["th"]).mean())] * 2 + [0.0, 1.0],
        compare=close_numbers,
        message="Task 3: alert_rate gave the wrong share for other scores and thresholds (a score "
        "equal to the threshold is an alert).",
    ),
    # Task 4: the split by patient
    Check(
        "a3_split_patients",
        ask="split_by_patient(given['t'], given['seed'])",
        given=ward_part,
        expect=lambda g: list(patient_split(g["t"], g["seed"])),
        compare=same_positions,
        message="Task 4: for other patients and another seed, split_by_patient did not give the "
        "row positions of GroupShuffleSplit's split (30% of the patients in the test part, "
        "groups=table['patient_id'], random_state=seed), training rows first.",
    ),
    Check(
        "a3_split_patients",
        ask="[len(train_rows), sum(train_rows), test_rows]",
        expect=lambda g: list(patient_split(ward(), SEED)),
        compare=ward_split,
        message="Task 4: train_rows and test_rows are not split_by_patient(ward, SEED).",
    ),
    Check(
        "a3_split_overlap",
        ask="patients_in_both(given['t'], given['a'], given['b'])",
        given=random_ids,
        expect=lambda g: patients_in_both(g["t"], g["a"], g["b"]),
        compare=same_count,
        message="Task 4: patients_in_both gave the wrong number of patients for another table "
        "(the rows are positions, for .iloc; count each patient once).",
    ),
    Check(
        "a3_split_overlap",
        ask="[overlap_by_patient, overlap_by_row]",
        expect=lambda g: [0, row_overlap()],
        compare=lambda reply, expected: (
            isinstance(reply, list)
            and len(reply) == 2
            and all(same_count(r, e) for r, e in zip(reply, expected, strict=True))
        ),
        message="Task 4: overlap_by_patient and overlap_by_row are not the numbers of patients "
        "in both parts of your split and of the split by row.",
    ),
    Check(
        "a3_split_why",
        ask="leak_reason",
        expect=lambda g: "B",
        compare=letter,
        message="Task 4: leak_reason is not the best reason to split by patient.",
    ),
    # Task 5: the model against NEWS2
    Check(
        "a3_compare_auroc",
        ask="compare_with_news2(given['y'], given['n2'], given['r'], given['p'])",
        given=random_ward,
        expect=lambda g: auroc_table(g["y"], g["n2"], g["r"], g["p"]),
        compare=auroc_frame,
        message="Task 5: for another ward, compare_with_news2 did not give evaluate.auroc's "
        "table with rows NEWS2 (first) and model, resampling whole patients "
        "(groups=patients) with seed=SEED.",
    ),
    Check(
        "a3_compare_alerts",
        ask="[alerts_per_shift(given['a'], given['th'], given['n']), "
        "alerts_per_shift(given['s'], given['th'], given['n'])]",
        given=random_scores,
        expect=lambda g: [float((g["a"] >= g["th"]).mean()) * g["n"]] * 2,
        compare=close_numbers,
        message="Task 5: alerts_per_shift gave the wrong number for other scores, thresholds and "
        "wards (the share of sets at or above the threshold, times the sets in a shift).",
    ),
    Check(
        "a3_compare_values",
        ask="[sets_per_shift, news2_alerts, model_alerts, comparison]",
        expect=_reference_values,
        compare=compare_values,
        message="Task 5: sets_per_shift, news2_alerts, model_alerts or comparison is not right "
        "for the 24-bed ward and the test patients (NEWS2 5 or more; a risk of 0.15 or more).",
    ),
]
