"""Lesson 05 "Predicting a number": its checks, and the numbers its text states.

The right answers pass, typical wrong answers get their own hint, an unanswered exercise gets
the "Replace the ..." message, and every model number written in the lesson's markdown (and in
its stored outputs) equals a fresh computation with scikit-learn.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.tree import DecisionTreeRegressor

from healthlab import datasets
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson05

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "05-predicting-a-number.ipynb"
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
    return {"markdown": flat, "outputs": "\n".join(outputs), "code": code}


def message(question_id, answer):
    return evaluate_answer(question_id, answer).message


# --- the exercises ---------------------------------------------------------------------------


def test_every_check_in_the_lesson_is_registered_here(notebook):
    used = set(re.findall(r'check\("(05\.[^"]+)"', notebook["code"]))
    assert used == {
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
    assert notebook["outputs"].count(REPLACE) == 6


def test_mae_by_hand():
    assert evaluate_answer("05.mae-by-hand", (10 + 30 + 0) / 3).correct
    assert evaluate_answer("05.mae-by-hand", 13.33).correct
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
    everything = cross_val_score(LinearRegression(), X, y, cv=cv, scoring="r2").mean()
    assert "all ten measurements" in message("05.three-columns-cv", everything)
    unshuffled = cross_val_score(LinearRegression(), X[columns], y, cv=10, scoring="r2").mean()
    assert "not shuffled" in message("05.three-columns-cv", unshuffled)


def test_three_column_names_exist_in_the_data(data):
    X = data[0]
    assert set(lesson05.THREE_COLUMNS) <= set(X.columns)


def test_my_model_is_lenient_but_not_blind(data):
    assert evaluate_answer("05.my-model", 0.31).correct
    assert evaluate_answer("05.my-model", -0.02).correct
    assert "mean absolute error" in message("05.my-model", 44.5)
    assert "scores.mean()" in message("05.my-model", [0.4] * 10)
    assert not evaluate_answer("05.my-model", "0.4").correct


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
