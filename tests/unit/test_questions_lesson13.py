"""Lesson 13's exercises, and the numbers its text states, against a fresh computation.

Everything is rebuilt here from the committed CSV with scikit-learn, NumPy, pandas and SciPy:
the Cleveland model and its cross-validated risks, the AUROC at every hospital with the
Hanley-McNeil interval written out, the calibration intercept and slope by maximum likelihood
with SciPy, the imitation of the 1,025-row web copy and both of its splits. Nothing here uses
``healthlab.modelcard``, ``healthlab.evaluate`` or ``healthlab.questions.lesson13`` to get a
number that the lesson states.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lessonkit import answer_name, teacher_solutions
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logit

from healthlab.checks import evaluate_answer
from healthlab.modelcard import PROMPTS, SECTIONS, template
from healthlab.questions import lesson13

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "13-from-lab-to-hospital.ipynb"
TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "13-from-lab-to-hospital.md"
WARMUPS = {"13.warmup-k1", "13.warmup-hash", "13.warmup-caldicott"}
EXERCISES = WARMUPS | {
    "13.external-order",
    "13.nine-columns-va",
    "13.unseen-accuracy",
    "13.epic-auroc",
    "13.nice-tier",
    "13.model-card",
}
REPLACE = "Replace the ... with your answer, then run the cell again."
SITES = ("Cleveland", "Hungary", "Switzerland", "VA Long Beach")
NINE = ["age", "sex", "cp", "trestbps", "fbs", "restecg", "thalach", "exang", "oldpeak"]
COMPLETE = "Every required section is there and filled in"


def message(question_id: str, answer) -> str:
    return evaluate_answer(question_id, answer).message


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


# --- a fresh computation ------------------------------------------------------------------------


def hanley_mcneil(y, p) -> tuple[float, float, float]:
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score(y, p)
    n1 = int(np.sum(y))
    n0 = len(y) - n1
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    se = math.sqrt(
        (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0)
    )
    return auc, max(0.0, auc - 1.959963984540054 * se), min(1.0, auc + 1.959963984540054 * se)


def calibration(y, p) -> tuple[float, float]:
    """Calibration intercept (logit offset) and slope, by maximum likelihood with SciPy."""
    y = np.asarray(y, dtype=float)
    x = logit(np.clip(p, 1e-15, 1 - 1e-15))

    def nll(q):
        q = np.clip(q, 1e-15, 1 - 1e-15)
        return -np.sum(y * np.log(q) + (1 - y) * np.log(1 - q))

    intercept = minimize_scalar(lambda a: nll(expit(a + x)), bounds=(-20, 20), method="bounded").x
    slope = minimize(lambda ab: nll(expit(ab[0] + ab[1] * x)), [0.0, 1.0], method="Nelder-Mead",
                     options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000}).x[1]  # fmt: skip
    return float(intercept), float(slope)


def site_numbers(truth: pd.Series, risk: np.ndarray, site: pd.Series) -> pd.DataFrame:
    rows = {}
    for name in SITES:
        y, p = truth[site == name].to_numpy(), risk[(site == name).to_numpy()]
        auc, low, high = hanley_mcneil(y, p)
        intercept, slope = calibration(y, p)
        rows[name] = {
            "people": len(y), "with": int(y.sum()), "without": int(len(y) - y.sum()),
            "prevalence": y.mean(), "mean_predicted": p.mean(), "auroc": auc, "low": low,
            "high": high, "intercept": intercept, "slope": slope, "brier": np.mean((p - y) ** 2),
        }  # fmt: skip
    return pd.DataFrame(rows).T


@pytest.fixture(scope="module")
def fresh():
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import (
        GroupShuffleSplit,
        StratifiedKFold,
        cross_val_predict,
        train_test_split,
    )
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    raw = pd.read_csv(ROOT / "datasets" / "heart-disease.csv")
    df = raw.copy()
    df.loc[df["chol"] == 0, "chol"] = np.nan  # "not measured", as zero_as_missing=True does
    df.loc[df["trestbps"] == 0, "trestbps"] = np.nan
    measurements = [c for c in df.columns if c not in ("num", "disease", "site")]
    assert len(measurements) == 13
    cleveland, others = df[df["site"] == "Cleveland"], df[df["site"] != "Cleveland"]
    truth = pd.concat([cleveland["disease"], others["disease"]])
    site = pd.concat([cleveland["site"], others["site"]])

    def pipeline():
        return make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000)
        )

    def validate(columns):
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
        internal = cross_val_predict(pipeline(), cleveland[columns], cleveland["disease"],
                                     cv=folds, method="predict_proba")[:, 1]  # fmt: skip
        model = pipeline().fit(cleveland[columns], cleveland["disease"])
        external = model.predict_proba(others[columns])[:, 1]
        return model, site_numbers(truth, np.concatenate([internal, external]), site)

    model, table = validate(measurements)
    nine_model, nine_table = validate(NINE)
    va = df[df["site"] == "VA Long Beach"]

    # the imitation of the web copy, built as the lesson says: 302 of 303, 723 repeats, shuffled
    rows = cleveland.reset_index(drop=True).assign(patient_id=np.arange(1, 304))
    kept = rows.sample(n=302, random_state=42)
    repeats = kept.sample(n=723, replace=True, random_state=42)
    copy = pd.concat([kept, repeats]).sample(frac=1, random_state=42).reset_index(drop=True)
    X, y = copy[measurements], copy["disease"]

    def tree():
        return make_pipeline(
            SimpleImputer(strategy="median"), DecisionTreeClassifier(random_state=42)
        )

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
    leaky = tree().fit(X_train, y_train)
    seen = copy.loc[X_test.index, "patient_id"].isin(set(copy.loc[X_train.index, "patient_id"]))
    seen = seen.to_numpy()
    leaky_predictions = leaky.predict(X_test)
    right = leaky_predictions == y_test.to_numpy()
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=42)
    train_rows, test_rows = next(splitter.split(X, y, groups=copy["patient_id"]))
    honest = tree().fit(X.iloc[train_rows], y.iloc[train_rows])
    honest_truth = y.iloc[test_rows]

    va_risk_13 = model.predict_proba(va[measurements])[:, 1]
    return {
        "raw": raw,
        "df": df,
        "measurements": measurements,
        "cleveland": cleveland,
        "model": model,
        "table": table,
        "nine_model": nine_model,
        "nine_table": nine_table,
        "nine_in_sample": roc_auc_score(
            cleveland["disease"], nine_model.predict_proba(cleveland[NINE])[:, 1]
        ),
        "va": va,
        "va_risk": nine_model.predict_proba(va[NINE])[:, 1],
        "va_risk_13": va_risk_13,
        "copy": copy,
        "seen": seen,
        "truth_test": y_test.to_numpy(),
        "leaky_predictions": leaky_predictions,
        "leaky_accuracy": right.mean(),
        "leaky_auroc": roc_auc_score(y_test, leaky.predict_proba(X_test)[:, 1]),
        "seen_accuracy": right[seen].mean(),
        "unseen_accuracy": right[~seen].mean(),
        "unseen_right": int(right[~seen].sum()),
        "patients_in_both_random": len(
            set(copy.loc[X_train.index, "patient_id"]) & set(copy.loc[X_test.index, "patient_id"])
        ),
        "honest_accuracy": (honest.predict(X.iloc[test_rows]) == honest_truth).mean(),
        "honest_auroc": roc_auc_score(honest_truth, honest.predict_proba(X.iloc[test_rows])[:, 1]),
        "train_ids": set(copy["patient_id"].iloc[train_rows]),
        "test_ids": set(copy["patient_id"].iloc[test_rows]),
        "n_test_rows": len(test_rows),
        "n_test_rows_random": len(X_test),
        "month": pd.DataFrame({"disease": va["disease"].to_numpy(), "risk": va_risk_13})
        .groupby(np.repeat([1, 2, 3, 4], 50))
        .mean(),
    }


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    markdown = "\n".join(
        "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"
    )
    markdown = re.sub(r"\s*\n\s*", " ", markdown)  # sentences may wrap across lines
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    outputs = []
    for cell in code:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
    return {
        "markdown": markdown,
        "code": code,
        "sources": "\n".join("".join(cell["source"]) for cell in code),
        "outputs": "\n".join(outputs),
        "cells": nb["cells"],
        "metadata": nb["metadata"],
    }


def states(text: str, phrase: str, *values: float) -> None:
    """``phrase`` (with ``{}`` for each number) is in ``text``, and each number it shows is the
    fresh value rounded to the decimal places it is shown with (within half a unit of the last
    place, so that a value on a rounding boundary cannot make the test flaky)."""
    pattern = re.escape(phrase).replace(r"\{\}", r"(-?\d+(?:\.\d+)?)")
    found = re.search(pattern, text)
    assert found, f"the lesson does not say: {phrase}"
    for shown, value in zip(found.groups(), values, strict=True):
        places = len(shown.split(".")[1]) if "." in shown else 0
        assert abs(float(shown) - value) <= 0.5 * 10**-places + 1e-9, (phrase, shown, value)


# --- the numbers the lesson states ----------------------------------------------------------------


def test_internal_validation(fresh, notebook):
    c = fresh["table"].loc["Cleveland"]
    assert (c["people"], c["with"]) == (303, 139)
    assert "Cleveland: 303 patients, 139 with heart disease" in notebook["outputs"]
    states(notebook["outputs"], "Internal validation at Cleveland: AUROC {}", c["auroc"])
    states(notebook["markdown"], "An AUROC of {}.", c["auroc"])
    states(notebook["markdown"], "has an AUROC of {}. Would your ward", c["auroc"])


def test_external_aurocs(fresh, notebook):
    t, text = fresh["table"], notebook["markdown"]
    states(
        text, "At Hungary the AUROC is {}, almost as good as at home.", t.loc["Hungary", "auroc"]
    )
    states(
        text,
        "At Switzerland it falls to {} and at VA Long Beach to {}: far from the {} in the email.",
        t.loc["Switzerland", "auroc"], t.loc["VA Long Beach", "auroc"], t.loc["Cleveland", "auroc"],
    )  # fmt: skip
    s, v, c = t.loc["Switzerland"], t.loc["VA Long Beach"], t.loc["Cleveland"]
    states(text, "Look at Switzerland's interval: from {} to {}.", s["low"], s["high"])
    assert s["without"] == 8 and s["people"] == 123
    assert "Only 8 of its 123 patients did *not* have heart disease" in text
    states(text, "its interval, {} to {}, lies wholly below Cleveland's, {} to {}.",
           v["low"], v["high"], c["low"], c["high"])  # fmt: skip
    assert v["high"] < c["low"]
    assert "only 8 without the condition: too few to be sure" in notebook["outputs"]
    # the Parsons task's praise: typed in order, the lines print Hungary's row of the table
    assert f"{t.loc['Hungary', 'auroc']:.3f}" == "0.879"
    assert "the lines print 0.879" in TEACHER_NOTES.read_text()


def test_calibration_numbers(fresh, notebook):
    t, text = fresh["table"], notebook["markdown"]
    states(
        text,
        "At Cleveland the model's average risk, {}, matches",
        t.loc["Cleveland", "mean_predicted"],
    )
    assert abs(t.loc["Cleveland", "mean_predicted"] - t.loc["Cleveland", "prevalence"]) < 0.005
    s, v, h = t.loc["Switzerland"], t.loc["VA Long Beach"], t.loc["Hungary"]
    states(text, "**Switzerland:** {} of the patients had heart disease, but the model's average risk was {}.",
           s["prevalence"], s["mean_predicted"])  # fmt: skip
    states(text, "**VA Long Beach:** {} had heart disease; the average risk was {}.",
           v["prevalence"], v["mean_predicted"])  # fmt: skip
    assert v["prevalence"] == 0.745 and f"{v['mean_predicted']:.2f}" == "0.48"
    states(text, "**Hungary:** {} had heart disease; the average risk was {}: a little too low.",
           h["prevalence"], h["mean_predicted"])  # fmt: skip
    states(text, "{} at Cleveland, {} at Hungary, {} at Long Beach and about {} at Switzerland.",
           t.loc["Cleveland", "intercept"], h["intercept"], v["intercept"], s["intercept"])  # fmt: skip
    assert abs(s["intercept"] - 3.4) < 0.05  # "about 3.4"
    states(text, "is {} at Switzerland and {} at Long Beach.", s["slope"], v["slope"])
    states(text, "more than twice as high there as at home: {} and {} against {}.",
           s["brier"], v["brier"], t.loc["Cleveland", "brier"])  # fmt: skip
    assert min(s["brier"], v["brier"]) > 2 * t.loc["Cleveland", "brier"]
    # "about three in four of those patients had heart disease" (Long Beach)
    assert 0.7 < v["prevalence"] < 0.8
    for name in SITES:  # the figure's alt text quotes the table
        states(notebook["outputs"], f"{name}: {{}} had heart disease, average risk {{}}",
               t.loc[name, "prevalence"], t.loc[name, "mean_predicted"])  # fmt: skip


def test_reasons_case_mix_and_missing_values(fresh, notebook):
    df, text = fresh["df"], notebook["markdown"]
    by_site = df.groupby("site")
    age, men = by_site["age"].mean(), by_site["sex"].mean()
    no_pain = (df["cp"] == 4).groupby(df["site"]).mean()
    states(text, "The Long Beach patients are older ({} on average, against {} at Cleveland) and almost all men ({}).",
           age["VA Long Beach"], age["Cleveland"], men["VA Long Beach"])  # fmt: skip
    assert f"({men['VA Long Beach']:.2f})" == "(0.97)"
    states(text, "At Switzerland {} of the patients had no chest pain, against {} at Cleveland.",
           no_pain["Switzerland"], no_pain["Cleveland"])  # fmt: skip
    missing = df[["ca", "thal", "chol"]].isna().groupby(df["site"]).mean()
    states(text, "At Hungary {} of the patients have no `ca` and {} no `thal`; at Long Beach {} and {};",
           missing.loc["Hungary", "ca"], missing.loc["Hungary", "thal"],
           missing.loc["VA Long Beach", "ca"], missing.loc["VA Long Beach", "thal"])  # fmt: skip
    assert (
        missing.loc["Switzerland", "chol"] == 1.0
        and "every Swiss patient lacks cholesterol" in text
    )
    assert missing.loc["Cleveland"].max() < 0.02  # "almost nothing is missing"
    cleveland = fresh["cleveland"]
    assert cleveland["ca"].median() == 0 and cleveland["thal"].median() == 3
    assert "Filled in for a missing ca: 0 arteries; for a missing thal: 3" in notebook["outputs"]
    # "two of the measurements the model leaned on most": the two largest scaled coefficients
    coef = pd.Series(np.abs(fresh["model"][-1].coef_[0]), index=fresh["measurements"])
    assert set(coef.nlargest(2).index) == {"ca", "thal"}
    signed = pd.Series(fresh["model"][-1].coef_[0], index=fresh["measurements"])
    assert signed["ca"] > 0 and signed["thal"] > 0  # "the higher ca and thal, the higher the risk"
    assert cleveland["ca"].min() == 0 and cleveland["thal"].min() == 3  # 0 and 3: the lowest risk
    assert "they are the two measurements it leans on most" in notebook["markdown"]
    assert "Cleveland, where 46% of the patients had heart disease" in text
    assert "as in Switzerland (93%)" in text


def test_nine_column_model(fresh, notebook):
    t, n, text = fresh["table"], fresh["nine_table"], notebook["markdown"]
    states(
        text, "an AUROC of {} against {}.", n.loc["Cleveland", "auroc"], t.loc["Cleveland", "auroc"]
    )
    assert n.loc["Cleveland", "auroc"] < t.loc["Cleveland", "auroc"]
    states(text, "{} at Long Beach against {}, and {} at Switzerland against {}.",
           n.loc["VA Long Beach", "auroc"], t.loc["VA Long Beach", "auroc"],
           n.loc["Switzerland", "auroc"], t.loc["Switzerland", "auroc"])  # fmt: skip
    assert n.loc["VA Long Beach", "auroc"] > t.loc["VA Long Beach", "auroc"]
    assert n.loc["Switzerland", "auroc"] > t.loc["Switzerland", "auroc"]
    v, v13 = n.loc["VA Long Beach"], t.loc["VA Long Beach"]
    states(text, "an average of {} for a hospital where {} had heart disease (calibration intercept {}, against {}).",
           v["mean_predicted"], v["prevalence"], v["intercept"], v13["intercept"])  # fmt: skip
    states(text, "It still under-estimates the Swiss patients' risk ({} against {})",
           n.loc["Switzerland", "mean_predicted"], n.loc["Switzerland", "prevalence"])  # fmt: skip
    # Your turn 2's praise quotes the 13-column model's AUROC at Long Beach
    assert f"{v13['auroc']:.2f}" == "0.69"
    praise = message("13.nine-columns-va", v["auroc"])
    assert "Well done" in praise and "0.69 at Long Beach" in praise


def test_leakage_demonstration(fresh, notebook):
    copy, text, outputs = fresh["copy"], notebook["markdown"], notebook["outputs"]
    assert len(copy) == 1025 and copy["patient_id"].nunique() == 302
    assert len(copy) - copy["patient_id"].nunique() == 723
    assert "1025 rows, 302 different patients" in outputs
    most = copy["patient_id"].value_counts().max()
    assert f"The most repeated patient appears {most} times" in outputs
    # the acceptance item: the random split scores higher than the split by patient ...
    assert fresh["leaky_accuracy"] > fresh["honest_accuracy"] + 0.1
    assert fresh["leaky_auroc"] > fresh["honest_auroc"] + 0.1
    # ... and in the split by patient no original patient is on both sides
    assert fresh["train_ids"].isdisjoint(fresh["test_ids"])
    assert len(fresh["train_ids"]) + len(fresh["test_ids"]) == 302
    assert fresh["patients_in_both_random"] > 100  # the random split mixes them
    states(
        outputs,
        "Split by row: accuracy {}, AUROC {}",
        fresh["leaky_accuracy"],
        fresh["leaky_auroc"],
    )
    states(text, "An accuracy of {}: nearly perfect", fresh["leaky_accuracy"])
    seen, n = int(fresh["seen"].sum()), len(fresh["seen"])
    assert (seen, n) == (221, fresh["n_test_rows_random"])
    assert f"{seen} of the {n} test rows are patients the tree had already seen" in text
    assert f"{seen} of {n} test rows are copies of a patient the tree trained on" in outputs
    assert fresh["seen_accuracy"] == 1.0 and "Accuracy on those rows: 1.000" in outputs
    assert "On those it is right every time" in text
    assert f"Only {n - seen} test rows belong to patients the tree did not train on" in text
    states(
        outputs,
        "Split by patient: accuracy {}, AUROC {}",
        fresh["honest_accuracy"],
        fresh["honest_auroc"],
    )
    states(text, "the same tree scores an accuracy of {} and an AUROC of {}, on",
           fresh["honest_accuracy"], fresh["honest_auroc"])  # fmt: skip
    test_patients = len(fresh["test_ids"])
    assert (
        f"on {fresh['n_test_rows']} test rows from {test_patients} patients, none of whom" in text
    )
    assert (
        f"Test: {fresh['n_test_rows']} rows from {test_patients} patients; patients in both sets: 0"
        in outputs
    )
    # Your turn 3's answer is the unseen rows' accuracy (stated in the teacher notes)
    states(
        re.sub(r"\s+", " ", TEACHER_NOTES.read_text()), "{} (24 of 36)", fresh["unseen_accuracy"]
    )
    assert (fresh["unseen_right"], n - seen) == (24, 36)
    assert round(3 * fresh["unseen_accuracy"]) == 2  # the praise: "about two times in three"
    assert "two times in three" in message("13.unseen-accuracy", fresh["unseen_accuracy"])


def test_shortcut_and_monitoring(fresh, notebook):
    raw, text = fresh["raw"], notebook["markdown"]
    zero = pd.crosstab(raw["chol"] == 0, raw["site"])
    assert zero.loc[True, "Switzerland"] == 123 and zero.loc[True, "VA Long Beach"] == 49
    assert zero.loc[True, "Cleveland"] == 0 and zero.loc[True, "Hungary"] == 0
    assert "Every Swiss patient, and 49 Long Beach patients, has a cholesterol of 0" in text
    prevalence = raw.groupby("site")["disease"].mean()
    assert set(prevalence.nlargest(2).index) == {"Switzerland", "VA Long Beach"}
    month = fresh["month"]
    states(text, "between {} and {} of the patients had heart disease, about three in four, while the model's average risk stayed between {} and {}.",
           month["disease"].min(), month["disease"].max(), month["risk"].min(), month["risk"].max())  # fmt: skip


def test_key_points_repeat_the_lesson_numbers(fresh, notebook):
    points = notebook["markdown"].split("## Key points", 1)[1].split("## Further reading")[0]
    t = fresh["table"]
    states(points, "AUROC was {} at home (internal validation) but {} at Hungary, {} at Switzerland and {} at VA Long Beach",
           *(t.loc[s, "auroc"] for s in SITES))  # fmt: skip
    states(points, "({} at Switzerland, {} at Long Beach)", t.loc["Switzerland", "prevalence"],
           t.loc["VA Long Beach", "prevalence"])  # fmt: skip
    states(points, "the model's average risk was only {} and {}.", t.loc["Switzerland", "mean_predicted"],
           t.loc["VA Long Beach", "mean_predicted"])  # fmt: skip
    states(
        points,
        "gave an accuracy of {}, a split by patient {}.",
        fresh["leaky_accuracy"],
        fresh["honest_accuracy"],
    )


def test_real_numbers_come_from_clinical_facts(notebook):
    # clinical-facts.md: "Landmark cases", "Part 4: responsible AI", "UK frameworks"
    text = notebook["markdown"]
    assert "27,697 patients with 38,455 hospital admissions, of which 7% involved sepsis" in text
    assert "The AUROC was **0.63**" in text and "between 0.76 and 0.83" in text
    assert (
        "reviewed 62 models that used chest images" in text
        and "None was of potential clinical use" in text
    )
    assert "found almost all of them at high risk of **bias**" in text
    assert "Zech and colleagues" in text and "could tell which hospital an X-ray came from" in text
    for words in ("**class I**", "**IIa**", "**IIb**", "**III**", "UK MDR 2002", "**AI Airlock**",
                  "**tier A:**", "**tier B:**", "**tier C:**", "standard 4", "**DCB0129**",
                  "**DCB0160**", "**Clinical Safety Officer**", "**hazard log**", "**safety case**",
                  "TRIPOD+AI", "(Mitchell and colleagues, 2019)", "*A buyer's guide to AI in health and care* (2020)"):  # fmt: skip
        assert words in text, words
    assert "302 different patients**; the other **723 rows are repeats**" in text
    further = text.split("## Further reading", 1)[1]
    for source in ("Zech JR", "Roberts M", "Wynants L", "Wong A", "Mitchell M", "Collins GS",
                   "Van Calster B", "ecd7", "clinical-risk-management-standards", "buyers-guide",
                   "uksi/2002/618", "Caldicott"):  # fmt: skip
        assert source in further, source


def test_text_says_what_is_imitated_and_what_is_real(notebook):
    text = notebook["markdown"]
    assert (
        "We do not download it. We build an imitation of it from the course's own Cleveland rows, with a fixed seed"
        in text
    )
    assert "Ade and the hospital are made up" in text
    assert "kept = cleveland_rows.sample(n=302, random_state=SEED)" in notebook["sources"]
    assert "urllib" not in notebook["sources"] and "http" not in notebook["sources"]


# --- the exercises -------------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE


def test_warmups():
    assert correct("13.warmup-k1", "B") and correct("13.warmup-k1", " b ")
    assert "k = 2" in message("13.warmup-k1", "A")
    assert "counts people, not columns" in message("13.warmup-k1", "C")
    assert "Choose one of" in message("13.warmup-k1", "D")
    assert correct("13.warmup-hash", False)
    assert "hash them all" in message("13.warmup-hash", True)
    assert "True or False" in message("13.warmup-hash", "False")
    assert correct("13.warmup-caldicott", 8) and correct("13.warmup-caldicott", 8.0)
    assert not correct("13.warmup-caldicott", 7)
    assert "Remove the quotes" in message("13.warmup-caldicott", "8")


def test_external_order():
    for order in lesson13.EXTERNAL_ORDERS:
        assert correct("13.external-order", list(order))
    assert "not learned anything until line 3" in message("13.external-order", [1, 2, 3, 4])
    assert "does not exist until line 1" in message("13.external-order", [3, 2, 1, 4])
    assert "does not exist until line 2" in message("13.external-order", [1, 3, 4, 2])
    assert "exactly once" in message("13.external-order", [1, 1, 2, 4])
    assert "square brackets" in message("13.external-order", "1324")


def test_nine_columns_va(fresh):
    nine, t = fresh["nine_table"], fresh["table"]
    value = nine.loc["VA Long Beach", "auroc"]
    assert correct("13.nine-columns-va", value) and correct("13.nine-columns-va", round(value, 2))
    assert "13-column model" in message("13.nine-columns-va", t.loc["VA Long Beach", "auroc"])
    assert "Check the order" in message("13.nine-columns-va", 1 - value)
    assert "at Cleveland, where it learned" in message(
        "13.nine-columns-va", nine.loc["Cleveland", "auroc"]
    )
    assert "at Cleveland, where it learned" in message(
        "13.nine-columns-va", fresh["nine_in_sample"]
    )
    for site in ("Hungary", "Switzerland"):
        assert "another hospital" in message("13.nine-columns-va", nine.loc[site, "auroc"])
    assert "rounded too much" in message("13.nine-columns-va", round(value, 1))
    assert "percentage" in message("13.nine-columns-va", 100 * value)


def test_unseen_accuracy(fresh):
    value = fresh["unseen_accuracy"]
    assert correct("13.unseen-accuracy", value) and correct("13.unseen-accuracy", round(value, 3))
    assert "HAD seen" in message("13.unseen-accuracy", fresh["seen_accuracy"])
    assert "all 257 test rows" in message("13.unseen-accuracy", fresh["leaky_accuracy"])
    assert "got wrong" in message("13.unseen-accuracy", 1 - value)
    assert "split by patient" in message("13.unseen-accuracy", fresh["honest_accuracy"])
    assert ".mean() instead" in message("13.unseen-accuracy", fresh["unseen_right"])
    assert "rounded too much" in message("13.unseen-accuracy", round(value, 2))


def test_epic_auroc_and_nice_tier():
    assert correct("13.epic-auroc", "B")
    assert "That is accuracy" in message("13.epic-auroc", "A")
    assert "That is sensitivity" in message("13.epic-auroc", "C")
    assert correct("13.nice-tier", "C") and correct("13.nice-tier", "c")
    assert "more efficient" in message("13.nice-tier", "A")
    assert "manage their own health" in message("13.nice-tier", "B")


def card(**overrides: str | None) -> str:
    """The teacher notes' example card with some sections replaced (None drops one)."""
    text = teacher_solutions(TEACHER_NOTES)["13.model-card"]
    namespace: dict = {}
    exec(text, namespace)
    result = namespace["my_card"]
    for section, new in overrides.items():
        start = result.index(f"## {section}\n")
        end = result.find("\n## ", start + 1)
        end = len(result) if end == -1 else end + 1
        result = result[:start] + ("" if new is None else f"## {section}\n{new}\n") + result[end:]
    return result


def test_model_card_is_saved_never_marked_right():
    feedback = evaluate_answer("13.model-card", card())
    assert not feedback.correct
    assert feedback.message.startswith(COMPLETE)
    assert "for your teacher to read" in feedback.message
    assert (
        "- gives the AUROC at home and at each other hospital, with intervals" in feedback.message
    )


def test_model_card_mistakes():
    assert "between triple quotes" in message("13.model-card", 42)
    assert "cannot find any of the required headings" in message("13.model-card", "My card.")
    assert "only the template's prompts" in message("13.model-card", template())
    for section in SECTIONS:
        for broken in (card(**{section: None}), card(**{section: f"_Prompt: {PROMPTS[section]}_"})):
            text = message("13.model-card", broken)
            assert text.startswith(
                f'The section "{section}" is missing, or still holds only its prompt'
            )
            assert PROMPTS[section] in text
    no_numbers = card(
        **{"External validation": "It did worse at Hungary, Switzerland and Long Beach."}
    )
    assert "gives no numbers" in message("13.model-card", no_numbers)
    no_sites = card(
        **{"External validation": "AUROC 0.88, 0.70 and 0.69 at three other hospitals."}
    )
    assert "name each hospital" in message("13.model-card", no_sites)
    sure = card(Contact="Ade. The model is definitely safe for every patient on the ward.")
    assert "promises more than any model can" in message("13.model-card", sure)
    swiss = card(
        **{"External validation": "Budapest 0.88, Zurich and Basel 0.70, VA Long Beach 0.69."}
    )
    assert message("13.model-card", swiss).startswith(COMPLETE)


@pytest.mark.parametrize(
    "junk", [None, "text", [1, 2], pd.DataFrame({"a": [1]}), 3.5, True, {"a": 1}]
)
def test_check_never_raises_on_junk(junk):
    for question_id in EXERCISES:
        feedback = evaluate_answer(question_id, junk)
        assert isinstance(feedback.message, str) and feedback.message
        assert not feedback.correct


def test_teacher_notes_answers_pass(fresh, notebook):
    from sklearn.metrics import roc_auc_score

    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    for question_id, code in solutions.items():
        namespace = {
            "roc_auc_score": roc_auc_score,
            "va": fresh["va"],
            "va_risk": fresh["va_risk"],
            "leaky_predictions": fresh["leaky_predictions"],
            "seen": fresh["seen"],
            "truth_test": fresh["truth_test"],
        }
        exec(code, namespace)
        answer = namespace[answer_name(notebook["code"], question_id)]
        if question_id == "13.model-card":
            assert message(question_id, answer).startswith(COMPLETE)
        else:
            assert correct(question_id, answer), (question_id, code)


def test_unanswered_checks_compute_nothing():
    import time

    start = time.perf_counter()
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE
    assert time.perf_counter() - start < 0.5


def test_question_module_numbers_match_the_fresh_ones(fresh):
    for name in SITES:
        assert lesson13.site_auroc(name) == pytest.approx(fresh["table"].loc[name, "auroc"])
        assert lesson13.site_auroc(name, lesson13.NINE) == pytest.approx(
            fresh["nine_table"].loc[name, "auroc"]
        )
    assert lesson13.web_copy().equals(fresh["copy"])


# --- the notebook's shape --------------------------------------------------------------------


def test_warmup_comes_right_after_the_setup_cell(notebook):
    cells = notebook["cells"]
    assert cells[1]["cell_type"] == "code" and "SEED = 42" in "".join(cells[1]["source"])
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 12")
    warmups = [re.search(r'check\("(13\.[\w-]+)"', "".join(c["source"])) for c in cells[3:8]]
    assert {w.group(1) for w in warmups if w} == WARMUPS


def test_title_and_metadata(notebook):
    title = "".join(notebook["cells"][0]["source"])
    assert title.startswith("# Lesson 13: From lab to hospital")
    assert "HEE" not in title
    assert "HEE AI and Digital Healthcare Capability Framework" in TEACHER_NOTES.read_text()
    assert "**Time:** about 60 minutes (32 minutes teaching, 28 minutes exercises)." in title
    assert "(../datasets/heart-disease.md)" in title
    assert notebook["metadata"]["healthlab"] == {"introduces": []}


def test_teacher_notes_have_the_support_sections():
    notes = TEACHER_NOTES.read_text()
    for heading in (
        "## Support for students who need it",
        "## Before the lesson: a sensitive topic",
        "## Hinge question and exit ticket",
        "## If the computers or the server fail (unplugged)",
        "### Stop and think: the alert on your ward (discussion plan",
        "### Stop and think: would you switch it on? (discussion plan",
    ):
        assert heading in notes, heading


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        found = re.findall(r'check\("(13\.[\w-]+)", (\w+)\)', "".join(cell["source"]))
        for question_id, name in found:
            ids.add(question_id)
            assert f"{name} = ..." in "".join(cell["source"])  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == REPLACE
    assert ids == EXERCISES


def test_stop_and_think_boxes_have_no_code(notebook):
    cells = notebook["cells"]
    boxes = [
        i for i, c in enumerate(cells) if "".join(c["source"]).startswith("### Stop and think")
    ]
    assert len(boxes) == 2
    for i in boxes:
        assert cells[i]["cell_type"] == "markdown" and "There is no code for this box" in "".join(
            cells[i]["source"]
        )
