"""Lesson 03's exercises, and the numbers its text states, against a fresh computation.

The expected values here are computed independently of ``healthlab.questions.lesson03`` (with
scikit-learn directly), so a mistake in the question module cannot hide itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lessonkit import answer_name, teacher_solutions

from healthlab import datasets
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson03

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03-first-diagnostic-model.ipynb"
TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "03-first-diagnostic-model.md"
WARMUPS = {"03.warmup-chart", "03.warmup-truncated-axis"}
EXERCISES = WARMUPS | {
    "03.count-malignant",
    "03.test-size",
    "03.workflow-order",
    "03.baseline-train",
    "03.rare-accuracy",
    "03.three-features",
}
REPLACE = "Replace the ... with your answer, then run the cell again."


# --- a fresh computation, as the lesson does it -----------------------------------------------


@pytest.fixture(scope="module")
def fresh():
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = datasets.load("breast-cancer")
    X = df.drop(columns="malignant")
    y = df["malignant"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=42
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    dummy = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    y_pred = model.predict(X_test)
    benign = list(y_test[y_test == 0].index)
    malignant = list(y_test[y_test == 1].sample(3, random_state=42).index)
    rare = benign + malignant
    rare_pred = model.predict(X_test.loc[rare])
    return {
        "df": df,
        "X_train": X_train,
        "X_test": X_test,
        "y_train": y_train,
        "y_test": y_test,
        "model": model,
        "dummy": dummy,
        "accuracy": accuracy_score(y_test, y_pred),
        "correct": int((y_pred == y_test).sum()),
        "missed": int(((y_pred == 0) & (y_test == 1)).sum()),
        "baseline_test": accuracy_score(y_test, dummy.predict(X_test)),
        "baseline_train": accuracy_score(y_train, dummy.predict(X_train)),
        "rare_baseline": accuracy_score(y_test.loc[rare], dummy.predict(X_test.loc[rare])),
        "rare_model": accuracy_score(y_test.loc[rare], rare_pred),
        "rare_found": int(rare_pred[-3:].sum()),
        "ruth_probability": float(model.predict_proba(X_test.iloc[[0]])[0, 1]),
        "ruth_truth": int(y_test.iloc[0]),
    }


def message(question_id: str, answer) -> str:
    return evaluate_answer(question_id, answer).message


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


# --- the lesson's split and model match the fresh ones -----------------------------------------


def test_lesson_split_and_model_match_a_fresh_computation(fresh):
    split = lesson03.lesson_split()
    assert list(split.X_test.index) == list(fresh["X_test"].index)
    assert list(split.y_train.index) == list(fresh["y_train"].index)
    assert (
        lesson03.lesson_model().predict(split.X_test) == fresh["model"].predict(fresh["X_test"])
    ).all()


# --- every exercise: the right answer passes, typical mistakes get their hint -------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE


def test_count_malignant(fresh):
    df = fresh["df"]
    assert correct("03.count-malignant", df["malignant"].sum())
    assert correct("03.count-malignant", 212)
    assert "benign" in message("03.count-malignant", int((df["malignant"] == 0).sum()))
    assert "every aspirate" in message("03.count-malignant", len(df))
    assert "share" in message("03.count-malignant", df["malignant"].mean())
    assert "whole table" in message("03.count-malignant", df["malignant"].value_counts())
    assert "quotes" in message("03.count-malignant", "212")


def test_test_size(fresh):
    assert correct("03.test-size", len(fresh["X_test"]))
    assert correct("03.test-size", len(fresh["y_test"]))
    assert "training set" in message("03.test-size", len(fresh["X_train"]))
    assert "(rows, columns)" in message("03.test-size", fresh["X_test"].shape)
    assert "whole data set" in message("03.test-size", 569)
    assert "share kept back" in message("03.test-size", 0.25)
    assert "columns" in message("03.test-size", fresh["X_test"].shape[1])


def test_workflow_order():
    assert correct("03.workflow-order", [2, 1, 4, 3])
    assert correct("03.workflow-order", (2, 1, 4, 3))
    assert "do not exist until the data is split" in message("03.workflow-order", [1, 2, 4, 3])
    assert "trained (fit) before it can predict" in message("03.workflow-order", [2, 4, 1, 3])
    assert "uses y_pred" in message("03.workflow-order", [2, 1, 3, 4])
    assert "without quotes" in message("03.workflow-order", ["2", "1", "4", "3"])
    assert "needs 4" in message("03.workflow-order", [2, 1, 4])


def test_baseline_train(fresh):
    assert correct("03.baseline-train", fresh["baseline_train"])
    assert correct("03.baseline-train", round(fresh["baseline_train"], 3))  # "3 decimal places"
    assert "rounded too much" in message("03.baseline-train", round(fresh["baseline_train"], 2))
    assert "test set" in message("03.baseline-train", fresh["baseline_test"])
    assert "share of malignant" in message("03.baseline-train", 1 - fresh["baseline_train"])
    assert "logistic regression" in message("03.baseline-train", fresh["accuracy"])
    assert "percentage" in message("03.baseline-train", 100 * fresh["baseline_train"])


def test_warmup_chart():
    for right in ("box plot", "Box plot.", "boxplot", " box "):
        assert correct("03.warmup-chart", right)
    assert "ONE measurement" in message("03.warmup-chart", "histogram")
    assert "two measurements" in message("03.warmup-chart", "scatter plot")
    assert "one number per group" in message("03.warmup-chart", "bar chart")
    assert "Choose one of" in message("03.warmup-chart", "pie chart")
    assert "as text in quotes" in message("03.warmup-chart", 2)


def test_warmup_truncated_axis():
    assert correct("03.warmup-truncated-axis", True)
    assert "look much bigger" in message("03.warmup-truncated-axis", False)
    assert "no quotes" in message("03.warmup-truncated-axis", "True")


def test_a_function_passed_without_brackets_gets_add_brackets(fresh):
    df = fresh["df"]
    assert "add () to call it" in message("03.count-malignant", df["malignant"].sum)
    assert "add () to call it" in message("03.test-size", len)
    assert "add () to call it" in message("03.baseline-train", fresh["dummy"].predict)


def test_rare_accuracy():
    assert correct("03.rare-accuracy", (1000 - 10) / 1000)
    assert correct("03.rare-accuracy", 0.99)
    hint_for_ten = message("03.rare-accuracy", (1000 - 10) / 10)
    assert "what you divided by" in hint_for_ten and "1,000 people tested" in hint_for_ten
    assert "percentage" not in hint_for_ten
    assert "share who have the disease" in message("03.rare-accuracy", 10 / 1000)
    assert "Divide by the number of people" in message("03.rare-accuracy", 990)
    assert "10 is the number" in message("03.rare-accuracy", 10)


def test_three_features(fresh):
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    three = ["mean_radius", "mean_texture", "mean_smoothness"]
    X_train, y_train = fresh["X_train"], fresh["y_train"]

    def pipeline():
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))

    assert correct("03.three-features", pipeline().fit(X_train[three], y_train))
    assert "model itself" in message("03.three-features", 0.9)
    assert "not been trained" in message("03.three-features", pipeline())
    assert "exactly three" in message("03.three-features", fresh["model"])
    assert "named columns" in message(
        "03.three-features", pipeline().fit(X_train[three].to_numpy(), y_train.to_numpy())
    )
    useless = DummyClassifier(strategy="most_frequent").fit(X_train[three], y_train)
    assert "no better than always saying benign" in message("03.three-features", useless)
    assert "add () to make one" in message("03.three-features", LogisticRegression)
    assert "add () to call it" in message("03.three-features", pipeline().fit)


def test_three_features_detects_a_model_trained_on_the_test_set_too(fresh):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    three = ["worst_radius", "worst_concave_points", "worst_texture"]
    X_all = pd.concat([fresh["X_train"], fresh["X_test"]])
    y_all = pd.concat([fresh["y_train"], fresh["y_test"]])
    leaky = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    leaky.fit(X_all[three], y_all)
    assert not correct("03.three-features", leaky)
    assert "leakage" in message("03.three-features", leaky)
    # a model without a scaler records no row count: the check refits it to find out
    bare = LogisticRegression(max_iter=1000).fit(X_all[three], y_all)
    assert "leakage" in message("03.three-features", bare)
    honest = LogisticRegression(max_iter=1000).fit(fresh["X_train"][three], fresh["y_train"])
    assert correct("03.three-features", honest)
    on_test = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    on_test.fit(fresh["X_test"][three], fresh["y_test"])
    assert "did not learn from the 426 training aspirates" in message("03.three-features", on_test)
    assert lesson03.rows_learned_from(leaky) == 569


def test_teacher_notes_answers_pass(fresh, notebook):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    for question_id, code in solutions.items():
        namespace = {
            **fresh,
            "always_benign": fresh["dummy"],
            "accuracy_score": accuracy_score,
            "make_pipeline": make_pipeline,
            "StandardScaler": StandardScaler,
            "LogisticRegression": LogisticRegression,
            "print": lambda *a: None,
        }
        exec(code, namespace)
        answer = namespace[answer_name(notebook["code"], question_id)]
        assert correct(question_id, answer), (question_id, code)


def test_unanswered_checks_compute_nothing():
    import time

    start = time.perf_counter()
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE
    assert time.perf_counter() - start < 0.5


# --- the notebook: text, stored outputs and exercises stay in step ------------------------------


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    markdown = "\n".join(
        "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"
    )
    markdown = re.sub(r"\s*\n#?\s*", " ", markdown)  # sentences may wrap across lines
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    outputs = "\n".join(
        "".join(out.get("text", "")) for cell in code for out in cell.get("outputs", [])
    )
    return {
        "markdown": markdown,
        "code": code,
        "outputs": outputs,
        "cells": nb["cells"],
        "metadata": nb["metadata"],
    }


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def test_text_states_the_counts_of_the_data(fresh, notebook):
    y = fresh["df"]["malignant"]
    assert (
        f"{int(y.sum())} malignant and {int((y == 0).sum())} benign aspirates"
        in (notebook["markdown"])
    )
    assert (
        f"only ever seen the {len(fresh['X_train'])} training aspirates" in (notebook["markdown"])
    )


def test_text_and_outputs_state_the_model_accuracy(fresh, notebook):
    n = len(fresh["y_test"])
    sentence = (
        f"The model got {fresh['correct']} of the {n} test aspirates right: an accuracy of "
        f"{pct(fresh['accuracy'])}."
    )
    assert sentence in notebook["markdown"]
    assert f"Correct: {fresh['correct']} of {n} test aspirates" in notebook["outputs"]
    assert f"Accuracy: {pct(fresh['accuracy'])}" in notebook["outputs"]
    # every later mention of the model's accuracy uses the same number
    stated = set(re.findall(r"our model's (\d+\.\d)% on the full test set", notebook["markdown"]))
    stated |= set(re.findall(r"So our model's (\d+\.\d)% really", notebook["markdown"]))
    assert stated == {f"{100 * fresh['accuracy']:.1f}"}


def test_text_and_outputs_state_the_baseline(fresh, notebook):
    base = pct(fresh["baseline_test"])
    cancers = int(fresh["y_test"].sum())
    assert (
        f"is right {base} of the time, and finds none of the {cancers} cancers"
        in (notebook["markdown"])
    )
    assert f"Always benign accuracy: {base}" in notebook["outputs"]
    assert f"Cancers found: 0 of {cancers}" in notebook["outputs"]
    assert f"still scored {base}" in notebook["markdown"]


def test_text_and_outputs_state_the_rare_disease_example(fresh, notebook):
    text = notebook["markdown"]
    assert f'"Always benign" now scores {pct(fresh["rare_baseline"])}' in text
    assert f"close to our model's {pct(fresh['rare_model'])} on this rare set" in text
    assert f"our model found {fresh['rare_found']} of the 3 cancers" in text
    assert fresh["rare_baseline"] > fresh["accuracy"]  # the point the section makes
    assert f"Always benign accuracy: {pct(fresh['rare_baseline'])}" in notebook["outputs"]
    assert f"Our model accuracy:     {pct(fresh['rare_model'])}" in notebook["outputs"]
    assert f"Cancers found by the model: {fresh['rare_found']} of 3" in notebook["outputs"]


def test_text_states_the_missed_cancers_and_ruths_prediction(fresh, notebook):
    cancers = int(fresh["y_test"].sum())
    found = cancers - fresh["missed"]
    assert f"It found {found} of the {cancers} cancers." in notebook["markdown"]
    assert f"Cancers found: {found} of {cancers}" in notebook["outputs"]
    assert f"Our model missed {fresh['missed']} of the {cancers} cancers" in notebook["markdown"]
    assert "almost certain this aspirate is malignant, and it is right" in notebook["markdown"]
    assert fresh["ruth_probability"] > 0.95 and fresh["ruth_truth"] == 1
    assert f"Probability of malignant: {fresh['ruth_probability']:.3f}" in notebook["outputs"]


def test_text_quotes_the_checked_reference_accuracy(notebook):
    # clinical-facts.md: scaled logistic regression, stratified 10-fold CV, about 0.977-0.979
    text = notebook["markdown"]
    assert "about 97.7% to 97.9%" in text
    assert "researchers report" not in text  # the course computed it: say so
    assert "course authors' own check" in text and "not a published result" in text


def test_text_states_how_predict_turns_a_probability_into_a_label(fresh, notebook):
    # scikit-learn's LogisticRegression.predict: decision_function > 0, i.e. probability > 0.5
    import numpy as np

    model, X_test = fresh["model"], fresh["X_test"]
    scores = model.decision_function(X_test)
    assert (model.predict(X_test) == (scores > 0)).all()
    assert np.allclose(model.predict_proba(X_test)[:, 1] > 0.5, scores > 0)
    text = notebook["markdown"]
    assert 'if the probability is more than 0.5, the model says "malignant"' in text
    assert "when the probability of malignant is more than 0.5" in text
    assert "0.5 or more" not in text


def test_benign_and_malignant_rows_are_shown_before_the_predict_prompt(notebook):
    cells = notebook["cells"]
    prompt = next(
        i for i, c in enumerate(cells) if "**Predict:** compare Ruth's" in "".join(c["source"])
    )
    shown = [c for c in cells[:prompt] if 'groupby("malignant").head(3)' in "".join(c["source"])]
    assert shown, "show benign and malignant rows before asking for a prediction"
    table = "".join(shown[-1]["outputs"][0]["data"]["text/plain"])
    labels = [line.split()[-1] for line in table.splitlines()[1:]]
    assert labels == ["0", "0", "0", "1", "1", "1"]


def test_warmup_comes_right_after_the_setup_cell(notebook):
    cells = notebook["cells"]
    assert cells[1]["cell_type"] == "code" and "SEED = 42" in "".join(cells[1]["source"])
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 02")
    warmups = [re.search(r'check\("(03\.[\w-]+)"', "".join(c["source"])) for c in cells[3:5]]
    assert {w.group(1) for w in warmups if w} == WARMUPS


def test_title_and_metadata(notebook):
    title = "".join(notebook["cells"][0]["source"])
    assert "HEE" not in title  # the framework line lives in the teacher notes
    assert "HEE AI and Digital Healthcare Capability Framework" in TEACHER_NOTES.read_text()
    assert "**Time:** about 60 minutes (30 minutes teaching, 30 minutes exercises)." in title
    assert notebook["metadata"]["healthlab"] == {"introduces": []}


def test_teacher_notes_have_the_support_sections():
    notes = TEACHER_NOTES.read_text()
    for heading in (
        "## Support for students who need it",
        "## Before the lesson: a sensitive topic",
        "## Hinge question and exit ticket",
        "## If the computers or the server fail (unplugged)",
    ):
        assert heading in notes, heading


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        found = re.findall(r'check\("(03\.[\w-]+)", answer\)', "".join(cell["source"]))
        if found:
            ids.update(found)
            assert "answer = ..." in "".join(cell["source"])  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == REPLACE
    assert ids == EXERCISES
