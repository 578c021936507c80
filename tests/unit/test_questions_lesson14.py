"""Lesson 14's checks, and the numbers its text states, against a fresh computation.

The worked example (breast cancer aspirates) is rebuilt here from scikit-learn's own copy of
the data, with scikit-learn's split, pipeline and metrics and SciPy's Wilson intervals,
independently of ``healthlab.capstone`` and ``healthlab.evaluate``. The bootstrap intervals of
the AUROC have no independent recipe, so the text is compared with the stored output for those.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from lessonkit import UNANSWERED, teacher_solutions

from healthlab import capstone, evaluate, modelcard
from healthlab.checks import SAVED, WELL_DONE, evaluate_answer
from healthlab.questions import lesson14

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "14-capstone.ipynb"
TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "14-capstone.md"
WARMUPS = {"14.warmup-epic", "14.warmup-dcb0160", "14.warmup-web-copy"}
EXERCISES = WARMUPS | {
    "14.plan-order",
    "14.no-leakage",
    "14.test-metrics",
    "14.audit-sentences",
    "14.model-card",
    "14.brief",
}
OPEN = {"14.audit-sentences", "14.brief"}
JUNK = (None, "text", [1, 2], 3.5, pd.DataFrame({"a": [1]}), {"model": None}, (1, 2, 3), 0)


def message(question_id: str, answer) -> str:
    return evaluate_answer(question_id, answer).message


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


# --- the worked example, rebuilt independently ---------------------------------------------------


@pytest.fixture(scope="module")
def fresh():
    from scipy.stats import binomtest
    from sklearn.datasets import load_breast_cancer
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    raw = load_breast_cancer()
    X = pd.DataFrame(raw.data)
    y = pd.Series(1 - raw.target)  # 1 = malignant
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=42
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    risk = model.predict_proba(X_test)[:, 1]
    flagged = (risk >= 0.5).astype(int)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_test, flagged).ravel())

    def wilson(k, n):
        ci = binomtest(k, n).proportion_ci(method="wilson")
        return ci.low, ci.high

    radius = raw.data[:, list(raw.feature_names).index("mean radius")]
    smaller = pd.Series(radius < 15)
    groups = {}
    for name, members in (
        ("smaller", smaller.loc[y_test.index]),
        ("larger", ~smaller.loc[y_test.index]),
    ):
        truth, flags = y_test[members.to_numpy()], flagged[members.to_numpy()]
        with_condition = int(truth.sum())
        found = int(((truth == 1) & (flags == 1)).sum())
        groups[name] = {
            "with": with_condition,
            "found": found,
            "sens": found / with_condition,
            "ci": wilson(found, with_condition),
            "without": int((truth == 0).sum()),
            "false_alarms": int(((truth == 0) & (flags == 1)).sum()),
        }
    baseline = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    train_flags = (model.predict_proba(X_train)[:, 1] >= 0.5).astype(int)
    ttn, tfp, tfn, ttp = confusion_matrix(y_train, train_flags).ravel()
    return {
        "n_train": len(y_train),
        "n_test": len(y_test),
        "train_malignant": int(y_train.sum()),
        "test_malignant": int(y_test.sum()),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "flagged": int(flagged.sum()),
        "sens": tp / (tp + fn),
        "spec": tn / (tn + fp),
        "sens_ci": wilson(tp, tp + fn),
        "spec_ci": wilson(tn, tn + fp),
        "ppv": tp / (tp + fp),
        "npv": tn / (tn + fn),
        "auroc": float(roc_auc_score(y_test, risk)),
        "baseline_accuracy": float((baseline.predict(X_test) == y_test).mean()),
        "train_sens": ttp / (ttp + tfn),
        "train_spec": ttn / (ttn + tfp),
        "groups": groups,
        "smaller_all": (int(smaller.sum()), int(y[smaller].sum())),
        "larger_all": (int((~smaller).sum()), int(y[~smaller].sum())),
    }


@pytest.fixture(scope="module")
def scaffold():
    """The objects the lesson's cells make, as the lesson makes them (for the checks)."""
    project = capstone.load_question("malignancy")
    train_rows, test_rows = capstone.split(project, seed=42)
    X_train, y_train = project.X.iloc[train_rows], project.y.iloc[train_rows]
    X_test, y_test = project.X.iloc[test_rows], project.y.iloc[test_rows]
    model = capstone.starter_model("malignancy", seed=42).fit(X_train, y_train)
    risk = model.predict_proba(X_test)[:, 1]
    flagged = (risk >= 0.5).astype(int)
    return {
        "capstone": capstone,
        "project": project,
        "question": project.question,
        "train_rows": train_rows,
        "test_rows": test_rows,
        "X_train": X_train,
        "y_train": y_train,
        "X_test": X_test,
        "y_test": y_test,
        "model": model,
        "threshold": 0.5,
        "metrics": evaluate.clinical_metrics(y_test, flagged),
        "SEED": 42,
    }


def metrics_answer(s, model=None, reported=None, train=None, test=None):
    m = s["metrics"]
    return {
        "model": s["model"] if model is None else model,
        "train": (s["X_train"], s["y_train"]) if train is None else train,
        "test": (s["X_test"], s["y_test"]) if test is None else test,
        "reported": reported
        if reported is not None
        else {
            "threshold": 0.5,
            "sensitivity": round(m.loc["sensitivity", "value"], 3),
            "specificity": round(m.loc["specificity", "value"], 3),
        },
    }


# --- every exercise ------------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer(scaffold):
    for question_id in EXERCISES:
        assert message(question_id, ...) == UNANSWERED
    # the cells hand in containers with a blank inside: the same message, with no work done
    assert message("14.no-leakage", (scaffold["project"].ids, ...)) == UNANSWERED
    answer = metrics_answer(
        scaffold, reported={"threshold": 0.5, "sensitivity": ..., "specificity": ...}
    )
    assert message("14.test-metrics", answer) == UNANSWERED


def test_check_never_raises_on_junk():
    for question_id in EXERCISES:
        for junk in JUNK:
            feedback = evaluate_answer(question_id, junk)
            assert isinstance(feedback.message, str) and feedback.message
            assert not feedback.correct, (question_id, junk)


def test_warmups():
    assert correct("14.warmup-epic", 0.63) and correct("14.warmup-epic", 0.634)
    assert not correct("14.warmup-epic", 0.64)
    for developer in (0.76, 0.8, 0.83):
        assert "developer reported" in message("14.warmup-epic", developer)
    assert "share of admissions" in message("14.warmup-epic", 0.07)
    assert "coin toss" in message("14.warmup-epic", 0.5)
    assert "percentage" in message("14.warmup-epic", 63)
    assert correct("14.warmup-dcb0160", "B") and correct("14.warmup-dcb0160", " b ")
    assert "DCB0129" in message("14.warmup-dcb0160", "A")
    assert "MHRA regulates" in message("14.warmup-dcb0160", "C")
    assert "Choose one of" in message("14.warmup-dcb0160", "D")
    assert correct("14.warmup-web-copy", True)
    assert "723 repeated rows" in message("14.warmup-web-copy", False)
    assert "True or False" in message("14.warmup-web-copy", "True")
    # the facts behind them (clinical-facts.md; lesson 13)
    assert lesson14.EPIC == {
        "external_auroc": 0.63,
        "developer": (0.76, 0.83),
        "sepsis_share": 0.07,
    }
    assert 1025 - 302 == 723  # the web copy: 1,025 rows, 302 different patients (lesson 13)


def test_plan_order():
    for order in lesson14.PLAN_ORDERS:
        assert correct("14.plan-order", list(order))
    assert len(lesson14.PLAN_ORDERS) == 3
    # every accepted order respects the dependencies: load, split, make rows, fit, predict
    for order in lesson14.PLAN_ORDERS:
        at = {line: i for i, line in enumerate(order)}
        assert at[4] < at[2] < min(at[5], at[6])
        assert at[5] < at[1] < at[3] and at[6] < at[3]
    assert "exactly once" in message("14.plan-order", [4, 2, 5, 6, 1, 1])
    assert "Start by loading" in message("14.plan-order", [2, 4, 5, 6, 1, 3])
    assert "Split the rows" in message("14.plan-order", [4, 5, 2, 6, 1, 3])
    assert "cannot come before line 5" in message("14.plan-order", [4, 2, 1, 5, 6, 3])
    assert "needs a trained model" in message("14.plan-order", [4, 2, 5, 6, 3, 1])
    assert "needs a trained model" in message("14.plan-order", [4, 2, 5, 1, 3, 6])
    assert "list" in message("14.plan-order", "4, 2, 5, 6, 1, 3")


def test_no_leakage(scaffold):
    project, train_rows, test_rows = (
        scaffold["project"],
        scaffold["train_rows"],
        scaffold["test_rows"],
    )
    train_ids, test_ids = project.ids.iloc[train_rows], project.ids.iloc[test_rows]
    assert correct("14.no-leakage", (train_ids, test_ids))
    assert "never saw" in message("14.no-leakage", (train_ids, test_ids))
    assert correct("14.no-leakage", [list(train_ids), set(test_ids)])
    assert "in both the training and the test set" in message(
        "14.no-leakage", (train_ids, pd.concat([test_ids, train_ids.iloc[:3]]))
    )
    assert "row numbers" in message("14.no-leakage", (train_rows, test_rows))
    assert "row numbers" in message(
        "14.no-leakage", (scaffold["X_train"].index, scaffold["X_test"].index)
    )
    assert "whole table" in message("14.no-leakage", (scaffold["X_train"], scaffold["X_test"]))
    assert "same ids twice" in message("14.no-leakage", (test_ids, test_ids))
    assert "empty" in message("14.no-leakage", (train_ids, []))
    assert "round brackets" in message("14.no-leakage", train_ids)
    assert "not a single value" in message("14.no-leakage", ("FNA001", test_ids))


def test_no_leakage_catches_a_row_split_of_the_ward():
    from sklearn.model_selection import train_test_split

    ward = capstone.load_question("deterioration")
    rows_train, rows_test = train_test_split(ward.ids, test_size=0.3, random_state=42)
    assert "in both the training and the test set" in message(
        "14.no-leakage", (rows_train, rows_test)
    )
    train_rows, test_rows = capstone.split(ward)
    assert correct("14.no-leakage", (ward.ids.iloc[train_rows], ward.ids.iloc[test_rows]))


def test_test_metrics_right_answers(scaffold):
    m = scaffold["metrics"]
    assert correct("14.test-metrics", metrics_answer(scaffold))
    unrounded = {
        "threshold": 0.5,
        "sensitivity": m.loc["sensitivity", "value"],
        "specificity": m.loc["specificity", "value"],
        "auroc": 0.996,
        "ppv": 0.98,
    }
    assert correct("14.test-metrics", metrics_answer(scaffold, reported=unrounded))
    feedback = message("14.test-metrics", metrics_answer(scaffold))
    assert feedback.startswith(WELL_DONE) and "training rows only" in feedback
    no_threshold = {"sensitivity": 0.925, "specificity": 0.989}  # 0.5 by default
    assert correct("14.test-metrics", metrics_answer(scaffold, reported=no_threshold))


def test_test_metrics_typical_mistakes(scaffold, fresh):
    s = scaffold
    on_train = {
        "threshold": 0.5,
        "sensitivity": fresh["train_sens"],
        "specificity": fresh["train_spec"],
    }
    assert "numbers on the training rows" in message(
        "14.test-metrics", metrics_answer(s, reported=on_train)
    )
    leaky = capstone.starter_model("malignancy").fit(s["project"].X, s["project"].y)
    assert "learned from the test rows" in message(
        "14.test-metrics", metrics_answer(s, model=leaky)
    )
    swapped = capstone.starter_model("malignancy").fit(s["X_test"], s["y_test"])
    assert "learned from the test rows" in message(
        "14.test-metrics", metrics_answer(s, model=swapped)
    )
    wrong = {"threshold": 0.5, "sensitivity": 0.925, "specificity": 0.95}
    assert "metrics_match" in message("14.test-metrics", metrics_answer(s, reported=wrong))
    other_threshold = {"threshold": 0.3, "sensitivity": 0.925, "specificity": 0.989}
    assert "at your threshold" in message(
        "14.test-metrics", metrics_answer(s, reported=other_threshold)
    )
    assert "proportions" in message(
        "14.test-metrics", metrics_answer(s, reported={"sensitivity": 92.5, "specificity": 98.9})
    )
    assert "at least the sensitivity and the specificity" in message(
        "14.test-metrics", metrics_answer(s, reported={"sensitivity": 0.925})
    )
    assert "spelt like that" in message(
        "14.test-metrics",
        metrics_answer(s, reported={"sensitivity": 0.925, "specificity": 0.989, "recall": 0.9}),
    )
    assert "without quotes" in message(
        "14.test-metrics",
        metrics_answer(s, reported={"sensitivity": "0.925", "specificity": 0.989}),
    )
    assert "threshold must be between 0 and 1" in message(
        "14.test-metrics",
        metrics_answer(s, reported={"threshold": 50, "sensitivity": 0.925, "specificity": 0.989}),
    )
    assert "should be a dict" in message(
        "14.test-metrics", metrics_answer(s, reported=[0.925, 0.989])
    )
    assert "has not been trained" in message(
        "14.test-metrics", metrics_answer(s, model=capstone.starter_model("malignancy"))
    )
    assert "trained model" in message("14.test-metrics", metrics_answer(s, model="model"))
    assert "rows are in both" in message(
        "14.test-metrics", metrics_answer(s, train=(s["project"].X, s["project"].y))
    )
    assert "same rows" in message(
        "14.test-metrics", metrics_answer(s, test=(s["X_test"], s["y_train"]))
    )
    assert "same columns" in message(
        "14.test-metrics", metrics_answer(s, test=(s["X_test"].iloc[:, :5], s["y_test"]))
    )
    assert "two things in round brackets" in message(
        "14.test-metrics", {**metrics_answer(s), "train": s["X_train"]}
    )
    assert "The answer should be the dict" in message("14.test-metrics", (s["model"], s["X_test"]))


def test_test_metrics_cannot_confirm_a_model_with_randomness(scaffold):
    from sklearn.ensemble import RandomForestClassifier

    s = scaffold
    forest = RandomForestClassifier(n_estimators=20).fit(s["X_train"], s["y_train"])  # no seed
    reported = {"threshold": 0.5}
    table = capstone.metrics_match(
        forest, s["X_test"], s["y_test"], {"sensitivity": 0.5, "specificity": 0.5}
    )
    reported.update({m: float(table.loc[m, "recomputed"]) for m in ("sensitivity", "specificity")})
    feedback = evaluate_answer(
        "14.test-metrics", metrics_answer(s, model=forest, reported=reported)
    )
    assert not feedback.correct and "cannot confirm" in feedback.message
    seeded = RandomForestClassifier(n_estimators=20, random_state=42).fit(
        s["X_train"], s["y_train"]
    )
    table = capstone.metrics_match(
        seeded, s["X_test"], s["y_test"], {"sensitivity": 0.5, "specificity": 0.5}
    )
    reported.update({m: float(table.loc[m, "recomputed"]) for m in ("sensitivity", "specificity")})
    assert correct("14.test-metrics", metrics_answer(s, model=seeded, reported=reported))


def test_test_metrics_works_for_every_question():
    for name in capstone.QUESTIONS:
        project = capstone.load_question(name)
        train_rows, test_rows = capstone.split(project)
        X_train, y_train = project.X.iloc[train_rows], project.y.iloc[train_rows]
        X_test, y_test = project.X.iloc[test_rows], project.y.iloc[test_rows]
        model = capstone.starter_model(name).fit(X_train, y_train)
        threshold = project.question.threshold
        flags = (model.predict_proba(X_test)[:, 1] >= threshold).astype(int)
        values = evaluate.clinical_metrics(y_test, flags)["value"]
        reported = {
            "threshold": threshold,
            "sensitivity": values["sensitivity"],
            "specificity": values["specificity"],
        }
        answer = {
            "model": model,
            "train": (X_train, y_train),
            "test": (X_test, y_test),
            "reported": reported,
        }
        assert correct("14.test-metrics", answer), name


def test_the_diagnosis_is_remembered_for_one_answer(scaffold, monkeypatch):
    answer = metrics_answer(scaffold)
    assert lesson14.metrics_problem(answer) is None
    calls = []
    monkeypatch.setattr(lesson14, "_diagnose", lambda a: calls.append(a) or "mismatch")
    assert lesson14.metrics_problem(answer) is None and not calls  # the same answer: no refits
    assert lesson14.metrics_problem(dict(answer)) == "mismatch" and len(calls) == 1


def test_open_answers_are_never_marked_right():
    for question_id in OPEN:
        feedback = evaluate_answer(question_id, "The model found 12 of the 15 cancers. " * 3)
        assert not feedback.correct and not feedback.judged
        assert SAVED in feedback.message
    brief = message("14.brief", "It definitely works, so switch it on.")
    assert "short" in brief and '"definitely"' in brief and "300-400 words" in brief
    assert "who makes it" in brief
    assert "caution column" in message("14.audit-sentences", "The model misses more women.")


# --- the model card --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    markdown_cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    markdown = re.sub(r"\s*\n\s*(>\s*)?", " ", "\n".join(markdown_cells))  # join wrapped lines
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    outputs = []
    for cell in code:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
    card = next(s for s in markdown_cells if s.startswith("> **Worked example: model card"))
    brief = next(s for s in markdown_cells if s.startswith("> **To:** Tom"))
    return {
        "nb": nb,
        "cells": nb["cells"],
        "markdown": markdown,
        "code": code,
        "sources": "\n".join("".join(c["source"]) for c in code),
        "outputs": "\n".join(outputs),
        "card": re.sub(r"^> ?", "", card, flags=re.M),
        "brief": re.sub(r"^> ?", "", brief, flags=re.M),
    }


def test_the_worked_example_card_is_complete(notebook):
    report = modelcard.check_model_card(notebook["card"])
    assert report.attrs["complete"] and (report["note"] == "").all(), report
    feedback = evaluate_answer("14.model-card", notebook["card"])
    assert not feedback.correct
    assert feedback.message.startswith("Every required section is there and filled in")
    assert "only see the shape" in feedback.message and "teacher" in feedback.message


def test_model_card_typical_mistakes(notebook):
    card = notebook["card"]
    assert "only the template's prompts" in message("14.model-card", modelcard.template())
    assert "cannot find any of the required headings" in message(
        "14.model-card", "My model is good."
    )
    without = re.sub(r"#### Fairness\n.*?(?=####)", "", card, flags=re.S)
    assert 'The section "Fairness" is missing' in message("14.model-card", without)
    short = re.sub(r"(#### Contact\n).*", r"\1Me.", card, flags=re.S)
    assert "only a word or two" in message("14.model-card", short)
    no_numbers = re.sub(
        r"(#### Evaluation\n).*?(?=####)",
        r"\1It works well on the test rows, we think.\n",
        card,
        flags=re.S,
    )
    assert "Evaluation section gives no numbers" in message("14.model-card", no_numbers)
    certain = card.replace(
        "This is a teaching example", "It is definitely safe. This is a teaching example"
    )
    assert "promises more than any model can" in message("14.model-card", certain)
    assert "triple quotes" in message("14.model-card", ["## Model details"])
    for section in modelcard.SECTIONS:  # every section can be named
        assert any(section in m.hint for m in lesson14._card_mistakes())


# --- the teacher notes ------------------------------------------------------------------------------


def test_teacher_notes_answers(scaffold, notebook):
    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    for question_id, code in solutions.items():
        namespace = dict(scaffold)
        exec(code, namespace)
        if question_id == "14.no-leakage":
            answer = (namespace["train_ids"], namespace["test_ids"])
        else:
            name = {
                "14.audit-sentences": "my_audit_sentences",
                "14.model-card": "my_card",
                "14.brief": "my_brief",
            }
            answer = namespace[name.get(question_id, "answer")]
        feedback = evaluate_answer(question_id, answer)
        if question_id in OPEN:
            assert (
                not feedback.correct
                and SAVED in feedback.message
                and "short" not in feedback.message
            )
        elif question_id == "14.model-card":
            assert feedback.message.startswith("Every required section is there"), feedback.message
        else:
            assert feedback.correct, (question_id, feedback.message)
    jo = solutions["14.brief"].split('"""')[1]
    assert 300 <= len(jo.split()) <= 400


def test_teacher_notes_numbers(fresh):
    notes = TEACHER_NOTES.read_text(encoding="utf-8")
    flat = re.sub(r"\s*\n\s*", " ", notes)
    assert (
        f"sensitivity {fresh['train_sens']:.3f} and specificity {fresh['train_spec']:.3f} on the training rows"
        in flat
    )
    assert (
        f"sensitivity is {fresh['train_sens']:.3f} on the training rows and {fresh['sens']:.3f} on the test rows"
        in flat
    )
    assert f"TP {fresh['tp']}, FP {fresh['fp']}, TN {fresh['tn']}, FN {fresh['fn']}" in flat
    brief_words = len(
        re.sub(
            r"^> ?",
            "",
            next(
                "".join(c["source"])
                for c in json.loads(NOTEBOOK.read_text())["cells"]
                if "".join(c["source"]).startswith("> **To:** Tom")
            ),
            flags=re.M,
        ).split()
    )
    assert f"(section 9, {brief_words} words)" in flat
    assert "HEE AI and Digital Healthcare Capability Framework" in notes
    for heading in (
        "## Support for students who need it",
        "## Before the lesson: sensitive topics",
        "## Hinge question and exit tickets",
        "## If the computers or the server fail (unplugged)",
        "## A plan over four sessions",
        "## Helping a student choose a question",
        "## What strong, medium and weak work looks like (for the capstone mark scheme)",
    ):
        assert heading in notes, heading


def test_teacher_notes_starter_table_matches_a_fresh_run():
    from healthlab import fairness

    flat = re.sub(r"\s*\n\s*", " ", TEACHER_NOTES.read_text(encoding="utf-8"))
    for name in capstone.QUESTIONS:
        project = capstone.load_question(name)
        train_rows, test_rows = capstone.split(project)
        X_train, y_train = project.X.iloc[train_rows], project.y.iloc[train_rows]
        X_test, y_test = project.X.iloc[test_rows], project.y.iloc[test_rows]
        model = capstone.starter_model(name).fit(X_train, y_train)
        threshold = project.question.threshold
        risk = model.predict_proba(X_test)[:, 1]
        m = evaluate.clinical_metrics(y_test, (risk >= threshold).astype(int))
        au = evaluate.auroc(y_test, risk, groups=project.ids.iloc[test_rows], seed=42).iloc[0]
        base = 1 - y_test.mean()  # every training set has more rows without the outcome
        row = (
            f"| {name} ({threshold:g}) |"
            f"{{}}| {int(y_test.sum())} | "
            f"{m.loc['sensitivity', 'value']:.3f} ({m.loc['sensitivity', 'ci_low']:.3f}-{m.loc['sensitivity', 'ci_high']:.3f}) | "
            f"{m.loc['specificity', 'value']:.3f} ({m.loc['specificity', 'ci_low']:.3f}-{m.loc['specificity', 'ci_high']:.3f}) | "
            f"{au['auroc']:.3f} ({au['ci_low']:.3f}-{au['ci_high']:.3f}) | {base:.3f} |"
        )
        start, end = row.split("{}")
        assert start in flat and end in flat, (name, row)
        audit = fairness.subgroup_rates(
            y_test, (risk >= threshold).astype(int), project.groups.iloc[test_rows]
        )
        for group, r in audit.iterrows():
            assert f"{r['found']} of {r['with_condition']}" in flat, (name, group)
    assert "AUROC 0.809 against 0.764 (0.708 to 0.822), difference 0.045 (0.003 to 0.088)" in flat


# --- the notebook: text, stored outputs and exercises stay in step --------------------------------


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        source = "".join(cell["source"])
        found = re.findall(r'check\("(14\.[\w-]+)"', source)
        if found:
            ids.update(found)
            assert "..." in source, source  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == UNANSWERED
    assert ids == EXERCISES


def test_title_metadata_and_warmup(notebook):
    cells = notebook["cells"]
    title = "".join(cells[0]["source"])
    assert title.startswith("# Lesson 14: Capstone")
    assert "**Time:** about 60 minutes (20 minutes teaching, 40 minutes exercises)." in title
    assert "HEE" not in title
    assert notebook["nb"]["metadata"]["healthlab"] == {"introduces": []}
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 13")
    warm = {
        m for c in cells[3:8] for m in re.findall(r'check\("(14\.[\w-]+)"', "".join(c["source"]))
    }
    assert warm == WARMUPS
    text = notebook["markdown"]
    assert text.count("**Predict:**") >= 5 and text.count("### Stop and think") == 2
    assert text.count("### Your turn") == 6 and "### Your turn 6 (make)" in text
    assert 'QUESTION = "malignancy"' in notebook["sources"]


def test_text_states_the_worked_example(fresh, notebook):
    text, outputs = notebook["markdown"], notebook["outputs"]
    f = fresh
    small_n, small_m = f["smaller_all"]
    large_n, large_m = f["larger_all"]
    assert (
        f"Of the {small_n} aspirates with smaller nuclei, {small_m} were malignant "
        f"({100 * small_m / small_n:.0f}%); of the {large_n} with larger nuclei, {large_m} were "
        f"({100 * large_m / large_n:.0f}%)" in text
    )
    assert (
        f"{f['n_train']} aspirates to learn from, and {f['n_test']} to test on, "
        f"{f['test_malignant']} of them malignant" in text
    )
    assert f"Training: {f['n_train']} rows, {f['train_malignant']} with the outcome" in outputs
    assert f"Test: {f['n_test']} rows, {f['test_malignant']} with the outcome" in outputs
    assert f"right about {100 * f['baseline_accuracy']:.1f}% of the time" in text
    assert f"finds none of the {f['test_malignant']} cancers" in text
    assert f"Threshold 0.5: {f['flagged']} of {f['n_test']} test rows flagged" in outputs
    low, high = f["sens_ci"]
    slow, shigh = f["spec_ci"]
    assert (
        f"The model found {f['tp']} of the {f['tp'] + f['fn']} cancers: a sensitivity of "
        f"{f['sens']:.3f}, with a 95% interval from {low:.3f} to {high:.3f}" in text
    )
    assert (
        f"It cleared {f['tn']} of the {f['tn'] + f['fp']} benign lumps: a specificity of "
        f"{f['spec']:.3f} ({slow:.3f} to {shigh:.3f})" in text
    )
    assert f"The PPV ({f['ppv']:.3f})" in text
    assert "sensitivity 0.925 0.821 0.970 49 53" in re.sub(r"\s+", " ", outputs)


def test_text_states_the_aurocs(fresh, notebook):
    text = notebook["markdown"]
    stored = re.search(
        r"model\s+(\d\.\d+)\s+(\d\.\d+)\s+(\d\.\d+)\s+(\d\.\d+)", notebook["outputs"]
    )
    assert stored and float(stored.group(1)) == round(fresh["auroc"], 3)
    ci_low, ci_high = float(stored.group(2)), float(stored.group(3))
    assert (
        f"The model's AUROC is {fresh['auroc']:.3f} (95% interval {ci_low:.3f} to {ci_high:.3f}); "
        "the baseline's is 0.500" in text
    )
    assert (
        f"AUROC {fresh['auroc']:.3f} (95% interval {ci_low:.3f} to {ci_high:.3f})"
        in _alts(notebook)[0]
    )


def _alts(notebook):
    return [
        out["metadata"]["image/png"]["alt"]
        for cell in notebook["code"]
        for out in cell["outputs"]
        if "image/png" in out.get("data", {})
    ]


def test_text_states_the_audit(fresh, notebook):
    text = notebook["markdown"]
    s, big = fresh["groups"]["smaller"], fresh["groups"]["larger"]
    assert (
        f"The model found {s['found']} of the {s['with']} cancers with smaller nuclei (sensitivity "
        f"{s['sens']:.2f}, 95% interval {s['ci'][0]:.2f} to {s['ci'][1]:.2f}), and {big['found']} of "
        f"the {big['with']} with larger nuclei ({big['sens']:.2f}, {big['ci'][0]:.2f} to {big['ci'][1]:.2f})"
        in text
    )
    missed_small, missed = s["with"] - s["found"], fresh["fn"]
    words = {3: "Three", 4: "four"}
    assert f"{words[missed_small]} of its {words[missed]} missed cancers had smaller nuclei" in text
    assert f"the larger-nuclei group held only {big['without']} benign lumps" in text
    alt = _alts(notebook)[1]
    assert (
        f"{s['found']} of {s['with']} found, {s['sens']:.2f} ({s['ci'][0]:.2f} to {s['ci'][1]:.2f})"
        in alt
    )
    assert f"{big['found']} of {big['with']} found" in alt


def test_ward_row_split_leaks(notebook):
    from sklearn.model_selection import train_test_split

    from healthlab import datasets

    ward = datasets.load("ward-observations")
    train, test = train_test_split(ward["patient_id"], test_size=0.3, random_state=42)
    both = len(set(train) & set(test))
    assert f"Split by row: {both} of 800 patients on both sides" in notebook["outputs"]
    assert (
        f"Split by row, {both} of the 800 patients have rows on both sides" in notebook["markdown"]
    )
    assert "Split by patient: 0 patients on both sides" in notebook["outputs"]


def test_worked_example_card_and_brief_numbers(fresh, notebook):
    f = fresh
    card = re.sub(r"\s+", " ", notebook["card"])
    low, high = f["sens_ci"]
    slow, shigh = f["spec_ci"]
    assert (
        f"sensitivity {f['sens']:.3f} ({f['tp']} of {f['tp'] + f['fn']}; 95% interval {low:.3f} "
        f"to {high:.3f}), specificity {f['spec']:.3f} ({f['tn']} of {f['tn'] + f['fp']}; "
        f"{slow:.3f} to {shigh:.3f}), AUROC {f['auroc']:.3f}" in card
    )
    assert f"accuracy {f['baseline_accuracy']:.3f}, sensitivity 0" in card
    assert f"{f['n_train']} samples for training and {f['n_test']} for testing" in card
    s, big = f["groups"]["smaller"], f["groups"]["larger"]
    assert (
        f"{s['found']} of {s['with']} cancers with smaller nuclei found ({s['sens']:.2f}, {s['ci'][0]:.2f} to {s['ci'][1]:.2f})"
        in card
    )
    assert (
        f"{big['found']} of {big['with']} with larger nuclei ({big['sens']:.2f}, {big['ci'][0]:.2f} to {big['ci'][1]:.2f})"
        in card
    )
    assert f"It missed {f['fn']} of the {f['tp'] + f['fn']} cancers" in card
    assert "0.91 at home to 0.69" in card  # lesson 13's key points
    brief = re.sub(r"\s+", " ", notebook["brief"])
    assert 300 <= len(notebook["brief"].split()) <= 400
    assert (
        f"trained a simple model on {f['n_train']} women's samples and tested it on {f['n_test']}"
        in brief
    )
    assert (
        f"It found {f['tp']} of the {f['tp'] + f['fn']} cancers, a sensitivity of {100 * f['sens']:.1f}%"
        in brief
    )
    assert f"anywhere from about {100 * low:.0f}% to {100 * high:.0f}%" in brief
    assert f"wrongly flagged {f['fp']} of the {f['tn'] + f['fp']} women without cancer" in brief
    assert f"right {100 * f['baseline_accuracy']:.0f}% of the time" in brief
    assert (
        f"It missed {s['with'] - s['found']} of the {s['with']} cancers whose cells had smaller nuclei, and {big['with'] - big['found']} of the {big['with']}"
        in brief
    )
    assert f"It missed {f['fn']} cancers in {f['tp'] + f['fn']}" in brief
    assert "DCB0160" in brief and "triple assessment" in brief
    key_points = notebook["markdown"].split("## Key points")[1]
    assert (
        f"found {f['tp']} of {f['tp'] + f['fn']} cancers (sensitivity {f['sens']:.3f}, {low:.3f} to {high:.3f})"
        in key_points
    )


def test_facts_are_cited(notebook):
    text = notebook["markdown"]
    reading = text.split("## Further reading")[1]
    for source in (
        "Mitchell M et al. (2019)",
        "Collins GS et al. (2024)",
        "Wong A et al. (2021)",
        "DCB0129 and DCB0160",
        "Evidence standards framework",
        "Breast Cancer Wisconsin",
        "Heart Disease [Dataset]",
        "Breast cancer in women: diagnosis",
    ):
        assert source in reading, source
    assert "AUROC 0.63 against the developer's 0.76-0.83" in reading
    assert "between 0.76 and 0.83" in text  # the warm-up, as clinical-facts.md states it
