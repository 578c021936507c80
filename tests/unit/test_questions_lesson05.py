"""Lesson 05 "Predicting a number": its checks, and the numbers its text states.

The right answers pass, typical wrong answers get their own hint, an unanswered exercise gets
the "Replace the ..." message, and every model number written in the lesson's markdown (and in
its stored outputs) equals a fresh computation with scikit-learn.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from lessonkit import answer_name, teacher_solutions
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.tree import DecisionTreeRegressor

from healthlab import datasets
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson05

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "05-predicting-a-number.ipynb"
TEACHER_NOTES = LESSON.parent / "teacher-notes" / "05-predicting-a-number.md"
WARMUPS = {"05.warmup-sensitivity", "05.warmup-ppv-prevalence"}
SEED = 42
REPLACE = "Replace the ... with your answer, then run the cell again."


# --- a fresh computation, written out as the lesson does it ----------------------------------


@pytest.fixture(scope="module")
def data():
    df = datasets.load("diabetes")
    X = df.drop(columns="progression")
    y = df["progression"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
    return X, y, X_train, X_test, y_train, y_test


@pytest.fixture(scope="module")
def numbers(data):
    X, y, X_train, X_test, y_train, y_test = data
    out = {}
    bmi = LinearRegression().fit(X_train[["bmi"]], y_train)
    out["slope"], out["intercept"] = bmi.coef_[0], bmi.intercept_
    model = LinearRegression().fit(X_train, y_train)
    pred = model.predict(X_test)
    out["mae"], out["r2"] = mean_absolute_error(y_test, pred), r2_score(y_test, pred)
    out["train_mae"] = mean_absolute_error(y_train, model.predict(X_train))
    base = DummyRegressor(strategy="mean").fit(X_train, y_train)
    out["base_pred"] = base.predict(X_test)[0]
    out["base_mae"] = mean_absolute_error(y_test, base.predict(X_test))
    out["base_train_mae"] = mean_absolute_error(y_train, base.predict(X_train))
    out["base_r2"] = r2_score(y_test, base.predict(X_test))
    residuals = y_test - pred
    out["above"], out["below"] = int((residuals > 0).sum()), int((residuals < 0).sum())
    out["within50"] = int((residuals.abs() <= 50).sum())
    out["over100"] = int((residuals.abs() >= 100).sum())
    out["largest"] = residuals.abs().max()
    tree = DecisionTreeRegressor(random_state=SEED).fit(X_train, y_train)
    out["tree_train"] = mean_absolute_error(y_train, tree.predict(X_train))
    out["tree_test"] = mean_absolute_error(y_test, tree.predict(X_test))
    cv = KFold(n_splits=10, shuffle=True, random_state=SEED)
    folds = cross_val_score(LinearRegression(), X, y, cv=cv, scoring="r2")
    out["fold_min"], out["fold_max"], out["cv_r2"] = folds.min(), folds.max(), folds.mean()
    out["cv_mae"] = -cross_val_score(
        LinearRegression(), X, y, cv=cv, scoring="neg_mean_absolute_error"
    ).mean()
    out["base_cv_r2"] = cross_val_score(DummyRegressor(), X, y, cv=cv, scoring="r2").mean()
    out["base_cv_mae"] = -cross_val_score(
        DummyRegressor(), X, y, cv=cv, scoring="neg_mean_absolute_error"
    ).mean()
    out["in_sample"] = LinearRegression().fit(X, y).score(X, y)
    return out


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(LESSON.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    outputs = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    # Lines of the markdown are joined, and the typographic minus read as "-", so a phrase
    # can be found wherever the line breaks fall.
    flat = re.sub(r"\s*\n\s*", " ", markdown).replace("\u2212", "-")
    return {
        "markdown": flat,
        "outputs": "\n".join(outputs),
        "code": code,
        "cells": nb["cells"],
        "metadata": nb["metadata"],
    }


def message(question_id, answer):
    return evaluate_answer(question_id, answer).message


# --- the exercises ---------------------------------------------------------------------------


def test_every_check_in_the_lesson_is_registered_here(notebook):
    used = set(re.findall(r'check\("(05\.[^"]+)"', notebook["code"]))
    assert used == WARMUPS | {
        "05.mae-by-hand",
        "05.workflow-order",
        "05.median-baseline-mae",
        "05.overfit",
        "05.three-columns-cv",
        "05.my-model",
    }
    for question_id in used:
        assert message(question_id, ...) == REPLACE, question_id


def test_unanswered_exercises_store_the_replace_message(notebook):
    assert notebook["outputs"].count(REPLACE) == 8


def test_mae_by_hand():
    assert evaluate_answer("05.mae-by-hand", (10 + 30 + 0) / 3).correct
    assert "rounded too much" in message("05.mae-by-hand", 13.33)  # exact value asked for
    assert "Drop the minus signs" in message("05.mae-by-hand", (10 - 30 + 0) / 3)
    assert "cancelled" in message("05.mae-by-hand", 20 / 3)
    assert "squared" in message("05.mae-by-hand", (100 + 900 + 0) / 3)
    assert "total error" in message("05.mae-by-hand", 40)
    assert "divide by 3 patients" in message("05.mae-by-hand", 20)


def test_mae_by_hand_numbers_match_the_lesson(notebook):
    assert "actual = [150, 200, 100]" in notebook["code"]
    assert "predicted = [140, 230, 100]" in notebook["code"]
    assert lesson05.ACTUAL == (150, 200, 100) and lesson05.PREDICTED == (140, 230, 100)


def test_workflow_order():
    assert evaluate_answer("05.workflow-order", [2, 4, 1, 5, 3]).correct
    assert evaluate_answer("05.workflow-order", [4, 2, 1, 5, 3]).correct
    assert evaluate_answer("05.workflow-order", (2, 4, 1, 5, 3)).correct
    assert "square brackets" in message("05.workflow-order", "2, 4, 1, 5, 3")
    assert "exactly once" in message("05.workflow-order", [2, 4, 1, 5])
    assert "until line 4 creates it" in message("05.workflow-order", [2, 1, 4, 5, 3])
    assert "which line makes them" in message("05.workflow-order", [4, 1, 2, 5, 3])
    assert "fitting must come before" in message("05.workflow-order", [2, 4, 5, 1, 3])
    assert "once you have the predictions" in message("05.workflow-order", [2, 4, 1, 3, 5])


def test_median_baseline(data):
    _, _, X_train, X_test, y_train, y_test = data
    median = DummyRegressor(strategy="median").fit(X_train, y_train)
    right = mean_absolute_error(y_test, median.predict(X_test))
    assert evaluate_answer("05.median-baseline-mae", right).correct
    mean = DummyRegressor(strategy="mean").fit(X_train, y_train)
    assert "Change the strategy" in message(
        "05.median-baseline-mae", mean_absolute_error(y_test, mean.predict(X_test))
    )
    assert "training patients" in message(
        "05.median-baseline-mae", mean_absolute_error(y_train, median.predict(X_train))
    )
    assert "R²" in message("05.median-baseline-mae", r2_score(y_test, median.predict(X_test)))
    assert "rounded too much" in message("05.median-baseline-mae", round(right))
    assert "rounded too much" in message("05.median-baseline-mae", round(right, 2))
    assert "add () to call it" in message("05.median-baseline-mae", mean_absolute_error)


def test_overfit():
    assert evaluate_answer("05.overfit", "B").correct
    assert evaluate_answer("05.overfit", "b").correct
    assert "underfitting" in message("05.overfit", "C")
    assert "what you want" in message("05.overfit", "A")
    assert "Choose one of" in message("05.overfit", "D")


def test_three_columns(data):
    X, y, *_ = data
    cv = KFold(n_splits=10, shuffle=True, random_state=SEED)
    columns = ["bmi", "bp", "log_triglycerides"]
    scores = cross_val_score(LinearRegression(), X[columns], y, cv=cv, scoring="r2")
    assert evaluate_answer("05.three-columns-cv", scores.mean()).correct
    assert "scores.mean()" in message("05.three-columns-cv", scores)
    assert "add () to call it" in message("05.three-columns-cv", scores.mean)
    everything = cross_val_score(LinearRegression(), X, y, cv=cv, scoring="r2").mean()
    assert "all ten measurements" in message("05.three-columns-cv", everything)
    unshuffled = cross_val_score(LinearRegression(), X[columns], y, cv=10, scoring="r2").mean()
    assert "not shuffled" in message("05.three-columns-cv", unshuffled)


def test_three_column_names_exist_in_the_data(data):
    X = data[0]
    assert set(lesson05.THREE_COLUMNS) <= set(X.columns)


def test_my_model_recomputes_the_test_r2_from_the_model(data):
    X, y, X_train, X_test, y_train, y_test = data
    columns = ["bmi", "bp", "log_triglycerides", "hdl"]
    honest = LinearRegression().fit(X_train[columns], y_train)
    assert r2_score(y_test, honest.predict(X_test[columns])) > 0
    assert evaluate_answer("05.my-model", honest).correct
    assert lesson05.r2_on_test_set(honest) == pytest.approx(
        r2_score(y_test, honest.predict(X_test[columns]))
    )
    # a number is never taken on trust, not even the in-sample 0.518
    in_sample = LinearRegression().fit(X, y).score(X, y)
    for number in (in_sample, 0.31, -0.02, 44.5):
        assert "not a score" in message("05.my-model", number)
    leaky = LinearRegression().fit(X[columns], y)
    assert "all 442 patients" in message("05.my-model", leaky)
    on_test = LinearRegression().fit(X_test[columns], y_test)
    assert "did not learn from the 331 training patients" in message("05.my-model", on_test)
    useless = LinearRegression().fit(X_train[["sex"]], y_train)
    assert r2_score(y_test, useless.predict(X_test[["sex"]])) <= 0
    assert "no better than predicting the average" in message("05.my-model", useless)
    assert "not been trained" in message("05.my-model", LinearRegression())
    assert "add () to make one" in message("05.my-model", LinearRegression)
    assert "add () to call it" in message("05.my-model", LinearRegression().fit)
    bare = LinearRegression().fit(X_train[columns].to_numpy(), y_train)
    assert "named columns" in message("05.my-model", bare)
    assert "Those look like scores" in message("05.my-model", [0.4] * 10)
    assert not evaluate_answer("05.my-model", "0.4").correct


def test_warmups():
    assert evaluate_answer("05.warmup-sensitivity", 45 / 50).correct
    assert "upside down" in message("05.warmup-sensitivity", 50 / 45)
    assert "share the test misses" in message("05.warmup-sensitivity", 5 / 50)
    assert "percentage" in message("05.warmup-sensitivity", 90)
    assert evaluate_answer("05.warmup-ppv-prevalence", False).correct
    assert "about 9%" in message("05.warmup-ppv-prevalence", True)
    assert "no quotes" in message("05.warmup-ppv-prevalence", "False")


def test_warmup_ppv_hint_matches_lesson_04():
    from healthlab import evaluate

    table = evaluate.ppv_npv_at_prevalence(0.9, 0.91, [0.01, 0.5])
    assert round(100 * table["ppv"][0]) == 9 and round(100 * table["ppv"][1]) == 91


def test_teacher_notes_answers_pass(data, notebook):
    from sklearn.metrics import r2_score as r2

    X, y, X_train, X_test, y_train, y_test = data
    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == WARMUPS | {
        "05.mae-by-hand",
        "05.workflow-order",
        "05.median-baseline-mae",
        "05.overfit",
        "05.three-columns-cv",
        "05.my-model",
    }
    for question_id, code in solutions.items():
        namespace = {
            "X": X, "y": y, "X_train": X_train, "X_test": X_test, "y_train": y_train,
            "y_test": y_test, "cv": KFold(n_splits=10, shuffle=True, random_state=SEED),
            "DummyRegressor": DummyRegressor, "LinearRegression": LinearRegression,
            "mean_absolute_error": mean_absolute_error, "cross_val_score": cross_val_score,
            "r2_score": r2, "print": lambda *a: None,
        }  # fmt: skip
        exec(code, namespace)
        answer = namespace[answer_name(notebook["cells"], question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)


def test_unanswered_checks_compute_nothing(notebook):
    import time

    used = set(re.findall(r'check\("(05\.[^"]+)"', notebook["code"]))
    start = time.perf_counter()
    for question_id in used:
        assert message(question_id, ...) == REPLACE
    assert time.perf_counter() - start < 0.5


def test_alt_texts_quote_the_fitted_numbers(data, numbers, notebook):
    X, y, X_train, X_test, y_train, y_test = data
    alts = [
        out["metadata"]["image/png"]["alt"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    df = datasets.load("diabetes")
    scatter, line, residual, bars = alts
    assert f"BMI from about {df['bmi'].min():.0f} to {df['bmi'].max():.0f} kg/m²" in scatter
    assert f"from {df['progression'].min():.0f} to {df['progression'].max():.0f}" in scatter
    bmi = LinearRegression().fit(X_train[["bmi"]], y_train)
    at = bmi.intercept_ + bmi.coef_[0] * np.array([18.0, 43.0])
    assert f"from about {at[0]:.0f} at BMI 18 to about {at[1]:.0f} at BMI 43" in line
    assert round(at[1]) == 327  # the review's check: the line is at about 327, not 250
    pred = LinearRegression().fit(X_train, y_train).predict(X_test)
    res = y_test - pred
    assert f"from about {pred.min():.0f} to {pred.max():.0f} on the x-axis" in residual
    assert f"from about {res.min():.0f} to +{res.max():.0f}" in residual
    low = pred < np.median(pred)
    assert res[low].std() < res[~low].std()  # "the spread is narrower for low predictions"
    n = numbers
    assert f"Baseline: {n['base_train_mae']:.1f} training, {n['base_mae']:.1f} test" in bars
    assert f"Linear regression: {n['train_mae']:.1f} training, {n['mae']:.1f} test" in bars
    assert f"Deep tree: {n['tree_train']:.1f} training but {n['tree_test']:.1f} test" in bars
    # the alt texts are f-strings built from the numbers, never typed in
    code = notebook["code"]
    assert code.count('plots.show(fig, alt=f"') + code.count('alt="The same scatter') >= 3
    assert "about 250 at BMI 43" not in code


def test_story_does_not_claim_a_diabetes_type(notebook):
    text = notebook["markdown"]
    assert "hundreds of people with type 2 diabetes" not in text
    assert "The data do not say which type of diabetes these 442 patients had" in text
    card = (LESSON.parents[1] / "datasets" / "diabetes.md").read_text()
    assert "diabetes type" in card  # the card lists the type as not recorded


def test_title_metadata_and_warmup(notebook):
    cells = notebook["cells"]
    title = "".join(cells[0]["source"])
    assert "HEE" not in title
    assert "HEE AI and Digital Healthcare Capability Framework" in TEACHER_NOTES.read_text()
    assert notebook["metadata"]["healthlab"] == {"introduces": []}
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 04")
    ids = {
        m for c in cells[3:5] for m in re.findall(r'check\("(05\.[\w-]+)"', "".join(c["source"]))
    }
    assert ids == WARMUPS
    notes = TEACHER_NOTES.read_text()
    for heading in (
        "## Support for students who need it",
        "## Before the lesson: sensitive topics",
        "## Hinge question and exit ticket",
        "## If the computers or the server fail (unplugged)",
    ):
        assert heading in notes, heading


# --- the numbers the text states --------------------------------------------------------------


def test_text_states_the_computed_numbers(numbers, notebook):
    n = numbers
    text = notebook["markdown"]
    phrases = [
        f"The **slope** is {n['slope']:.2f}",
        f"The **intercept** ({n['intercept']:.1f})",
        f"is **{n['mae']:.1f} points** away",
        f"R² is **{n['r2']:.2f}**",
        f"Is an MAE of {n['mae']:.1f} good?",
        f"The baseline predicts {n['base_pred']:.1f} for everyone and is wrong by "
        f"**{n['base_mae']:.1f} points** on average, against {n['mae']:.1f}",
        f"Its R² is {n['base_r2']:.2f}",
        f"cut the typical error by {round(n['base_mae'] - n['mae'])} points, more than a third",
        f"{n['above']} patients progressed more than predicted and {n['below']} less",
        f"{n['within50']} of the 111 test patients are within 50 points",
        f"But {n['over100']} patients are 100 or more points out, and the largest miss is "
        f"{n['largest']:.0f} points",
        f"(MAE {n['tree_train']:.1f}: it has memorised",
        f"its error is **{n['tree_test']:.1f}**",
        f"worse than the linear regression ({n['mae']:.1f}) and not far from the baseline "
        f"({n['base_mae']:.1f})",
        f"our test R² of {n['r2']:.2f}",
        f"The ten scores run from {n['fold_min']:.2f} to {n['fold_max']:.2f}",
        f"Our single test R² of {n['r2']:.2f}",
        f"The mean, **{n['cv_r2']:.2f}**",
        f"(R² {n['cv_r2']:.2f}) and is wrong by {n['cv_mae']:.2f} points",
        f"(R² {n['base_cv_r2']:.2f}) and is wrong by {n['base_cv_mae']:.2f} points",
        f"**{n['in_sample']:.3f}**, the same as the published figure",
        f"higher than our cross-validated {n['cv_r2']:.2f}",
        f"our {n['cv_r2']:.2f} is close",
        f"typically about {n['cv_mae']:.0f} points out",
        f"scores about {n['cv_r2']:.2f} when cross-validated",
    ]
    missing = [p for p in phrases if p not in text]
    assert not missing, "the lesson text no longer matches the computation:\n" + "\n".join(missing)


def test_stored_outputs_show_the_same_numbers(numbers, notebook):
    n = numbers
    outputs = notebook["outputs"]
    for shown in [
        f"Slope: {n['slope']:.2f} points per 1 kg/m² of BMI",
        f"Test MAE: {n['mae']:.1f} points",
        f"Test R²: {n['r2']:.2f}",
        f"Baseline always predicts: {n['base_pred']:.1f}",
        f"Baseline test MAE: {n['base_mae']:.1f} points",
        f"Within 50 points: {n['within50']} of 111",
        f"Largest miss: {n['largest']:.0f} points",
        f"Mean R²: {n['cv_r2']:.2f}",
        f"all 442 patients): {n['in_sample']:.3f}",
    ]:
        assert shown in outputs, shown
    table = re.search(r"Deep tree\s+([\d.]+)\s+([\d.]+)", outputs)
    assert table and float(table.group(1)) == round(n["tree_train"], 1)
    assert float(table.group(2)) == round(n["tree_test"], 1)


def test_numbers_agree_with_the_published_baseline(numbers):
    # clinical-facts.md: Efron et al. (2004) OLS in-sample R2 0.518; 10-fold CV about 0.47-0.48.
    assert round(numbers["in_sample"], 3) == 0.518
    assert abs(numbers["cv_r2"] - 0.475) < 0.02
    assert numbers["tree_train"] == 0.0 and numbers["tree_test"] > numbers["mae"]


def test_the_lesson_cites_its_sources(notebook):
    text = notebook["markdown"]
    assert "Efron B, Hastie T, Johnstone I, Tibshirani R (2004)" in text
    assert "Annals of Statistics* 32(2): 407-499" in text
    assert "scikit-learn.org/stable/datasets/toy_dataset.html#diabetes-dataset" in text
