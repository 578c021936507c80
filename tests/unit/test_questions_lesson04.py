"""Lesson 04's exercises, and the numbers its text states, against a fresh computation.

The model is rebuilt here with scikit-learn, and the clinical numbers are recomputed from the
confusion matrix with the formulas of clinical-facts.md, independently of
``healthlab.questions.lesson04`` and of ``healthlab.evaluate``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from lessonkit import answer_name, teacher_solutions

from healthlab import datasets
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson04

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "04-is-the-test-any-good.ipynb"
TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "04-is-the-test-any-good.md"
WARMUPS = {"04.warmup-baseline-cancers", "04.warmup-test-set"}
EXERCISES = WARMUPS | {
    "04.specificity",
    "04.patient-question",
    "04.model-ppv-screening",
    "04.screening-threshold",
    "04.lr-negative",
    "04.fast-track-threshold",
}
REPLACE = "Replace the ... with your answer, then run the cell again."


def bayes_ppv(sens: float, spec: float, p: float) -> float:
    return sens * p / (sens * p + (1 - spec) * (1 - p))


@pytest.fixture(scope="module")
def fresh():
    from scipy.stats import binomtest
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix, roc_auc_score
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
    y_pred = model.predict(X_test)
    score = model.predict_proba(X_test)[:, 1]
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_test, y_pred).ravel())
    sens, spec = tp / (tp + fn), tn / (tn + fp)

    def at(threshold):
        flagged = score >= threshold
        return {
            "tp": int((flagged & (y_test == 1)).sum()),
            "fp": int((flagged & (y_test == 0)).sum()),
            "fn": int((~flagged & (y_test == 1)).sum()),
            "sens": float((flagged & (y_test == 1)).sum() / (y_test == 1).sum()),
            "spec": float((~flagged & (y_test == 0)).sum() / (y_test == 0).sum()),
        }

    sens_ci = binomtest(tp, tp + fn).proportion_ci(method="wilson")
    lr_pos = sens / (1 - spec)
    z = 1.959963984540054
    se = np.sqrt(1 / tp - 1 / (tp + fn) + 1 / fp - 1 / (fp + tn))  # Simel et al. log method
    return {
        "n": len(y_test),
        "accuracy": float((y_pred == y_test).mean()),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "sens": sens,
        "spec": spec,
        "ppv": tp / (tp + fp),
        "npv": tn / (tn + fn),
        "prevalence": float(y_test.mean()),
        "sens_ci": (sens_ci.low, sens_ci.high),
        "lr_pos": lr_pos,
        "lr_pos_ci": (lr_pos * np.exp(-z * se), lr_pos * np.exp(z * se)),
        "lr_neg": (1 - sens) / spec,
        "auroc": float(roc_auc_score(y_test, score)),
        "at": at,
        "y_test": y_test,
        "y_pred": y_pred,
        "score": score,
        "n_cancers": int(y_test.sum()),
    }


def message(question_id: str, answer) -> str:
    return evaluate_answer(question_id, answer).message


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


# --- exercises ---------------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE


def test_specificity(fresh):
    tn, fp, fn = fresh["tn"], fresh["fp"], fresh["fn"]
    assert correct("04.specificity", tn / (tn + fp))
    # the task asks for the calculation itself: exact (course rule), 0.989 is "rounded"
    assert "rounded too much" in message("04.specificity", round(tn / (tn + fp), 3))
    assert "sensitivity" in message("04.specificity", fresh["sens"])
    assert "false-positive rate" in message("04.specificity", fp / (tn + fp))
    assert "NPV" in message("04.specificity", tn / (tn + fn))
    assert "percentage" in message("04.specificity", 100 * tn / (tn + fp))


def test_patient_question():
    for right in ("ppv", "PPV", " Ppv ", "positive predictive value"):
        assert correct("04.patient-question", right)
    assert "starts from women who have cancer" in message("04.patient-question", "sensitivity")
    assert "do not have cancer" in message("04.patient-question", "specificity")
    assert "negative result" in message("04.patient-question", "npv")
    assert "Choose one of" in message("04.patient-question", "accuracy")
    assert "text" in message("04.patient-question", 3)


def test_model_ppv_screening(fresh):
    from healthlab import evaluate

    sens, spec = fresh["sens"], fresh["spec"]
    expected = bayes_ppv(sens, spec, 0.01)
    assert correct("04.model-ppv-screening", expected)
    table = evaluate.ppv_npv_at_prevalence(sens, spec, 0.01)
    assert correct("04.model-ppv-screening", table["ppv"][0])
    assert "a table" in message("04.model-ppv-screening", table["ppv"])
    assert "in our test set" in message("04.model-ppv-screening", fresh["ppv"])
    assert "mammogram" in message("04.model-ppv-screening", bayes_ppv(0.9, 0.91, 0.01))
    assert "NPV" in message("04.model-ppv-screening", table["npv"][0])
    assert "you started from" in message("04.model-ppv-screening", sens)
    rounded = bayes_ppv(round(sens, 3), round(spec, 3), 0.01)
    assert "rounded values" in message("04.model-ppv-screening", rounded)
    assert "add () to call it" in message("04.model-ppv-screening", evaluate.ppv_npv_at_prevalence)
    # the praise says "more false alarms than true cancers": keep it true
    assert expected < 0.5


def test_screening_threshold(fresh):
    thresholds = [0.05, 0.1, 0.3, 0.5, 0.7, 0.9]
    safe = [t for t in thresholds if fresh["at"](t)["fn"] <= 1]
    assert correct("04.screening-threshold", max(safe))
    assert "higher one" in message("04.screening-threshold", min(safe))
    unsafe = [t for t in thresholds if t > max(safe)]
    assert unsafe
    for t in unsafe:
        assert "misses more than one cancer" in message("04.screening-threshold", t)
    assert "proportion" in message("04.screening-threshold", 100 * max(safe))
    assert "one of the thresholds" in message("04.screening-threshold", 0.2)


def test_lr_negative():
    assert correct("04.lr-negative", (1 - 0.90) / 0.91)
    assert "rounded too much" in message("04.lr-negative", 0.11)  # exact value asked for
    assert "LR+" in message("04.lr-negative", 0.90 / (1 - 0.91))
    assert "not by the false-positive rate" in message("04.lr-negative", (1 - 0.90) / 0.09)
    assert "1 - sensitivity" in message("04.lr-negative", 0.90 / 0.91)


def test_fast_track_threshold(fresh):
    at_half = fresh["at"](0.5)["fp"]
    assert at_half == 1
    for good in (0.6, 0.8, 0.95):
        assert fresh["at"](good)["fp"] < at_half
        assert correct("04.fast-track-threshold", good)
    # above 0.5 but below the one false alarm's score: the same false positives as at 0.5
    for same in (0.51, 0.53):
        assert fresh["at"](same)["fp"] == at_half
        assert not correct("04.fast-track-threshold", same)
        assert "changes nothing" in message("04.fast-track-threshold", same)
    assert "already uses" in message("04.fast-track-threshold", 0.5)
    assert "suits a safety net" in message("04.fast-track-threshold", 0.2)
    assert "proportion" in message("04.fast-track-threshold", 80)
    assert "between 0 and 1" in message("04.fast-track-threshold", 1)
    assert "without quotes" in message("04.fast-track-threshold", "0.8")
    praise = message("04.fast-track-threshold", 0.7)
    assert "chosen on the test set" in praise and "90 benign" in praise
    assert lesson04.false_positives_at(0.7) == fresh["at"](0.7)["fp"]


def test_warmups(fresh):
    assert correct("04.warmup-baseline-cancers", 0)
    assert "53 is how many cancers" in message("04.warmup-baseline-cancers", 53)
    assert "accuracy or a share" in message("04.warmup-baseline-cancers", 0.629)
    assert fresh["n_cancers"] == 53
    assert correct("04.warmup-test-set", "B") and correct("04.warmup-test-set", "b")
    assert "not faster" in message("04.warmup-test-set", "A")
    assert "only measures it" in message("04.warmup-test-set", "C")
    assert "Choose one of" in message("04.warmup-test-set", "D")


def test_teacher_notes_answers_pass(fresh, notebook):
    from healthlab import evaluate

    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    namespace_base = {
        "evaluate": evaluate,
        "metrics": evaluate.clinical_metrics(fresh["y_test"], fresh["y_pred"]),
        "y_test": fresh["y_test"],
        "y_score": fresh["score"],
        "tn": fresh["tn"],
        "fp": fresh["fp"],
    }
    for question_id, code in solutions.items():
        namespace = dict(namespace_base)
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
    markdown = re.sub(r"\s*\n\s*", " ", markdown)  # sentences wrap across lines
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    sources = "\n".join("".join(cell["source"]) for cell in code)
    sources = re.sub(r'"\s*\n\s*"', "", sources)  # join implicitly concatenated strings
    outputs = []
    for cell in code:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
    return {
        "markdown": markdown,
        "code": code,
        "sources": sources,
        "outputs": "\n".join(outputs),
        "cells": nb["cells"],
        "metadata": nb["metadata"],
    }


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def test_text_states_the_rebuilt_model(fresh, notebook):
    text = notebook["markdown"]
    mistakes = fresh["fp"] + fresh["fn"]
    assert (
        f"{fresh['n']} test aspirates and an accuracy of {pct(fresh['accuracy'])}, so "
        f"{mistakes} mistakes" in text
    )
    assert f"accuracy {pct(fresh['accuracy'])}" in notebook["outputs"]


def test_text_states_the_confusion_table(fresh, notebook):
    text = notebook["markdown"]
    tp, fp, tn, fn = fresh["tp"], fresh["fp"], fresh["tn"], fresh["fn"]
    assert f"The model missed {fn} cancers (false negatives) and raised {fp} false alarm" in text
    assert f"It found {tp} of the {tp + fn} cancers" in text
    assert f"correctly reassured {tn} of the {tn + fp} people" in text
    assert f"true negative: {tn}" in notebook["outputs"]
    assert f"TP: {tp}  FP: {fp}  TN: {tn}  FN: {fn}" in notebook["outputs"]
    assert (
        f"{tn} true negatives, {fp} false positive, {fn} false negatives and {tp} true positives"
        in notebook["sources"]
    )  # the alt text of the confusion figure


def test_text_states_the_clinical_metrics(fresh, notebook):
    text = notebook["markdown"]
    tp, fp, tn, fn = fresh["tp"], fresh["fp"], fresh["tn"], fresh["fn"]
    assert f"The model finds {pct(fresh['sens'])} of cancers: {tp} of {tp + fn}." in text
    assert (
        f"sensitivity {fresh['sens']:.3f}, specificity {fresh['spec']:.3f}, PPV "
        f"{fresh['ppv']:.3f} ({tp} of the {tp + fp} positive results were cancer) and NPV "
        f"{fresh['npv']:.3f} ({tn} of the {tn + fn} negative results were benign)" in text
    )
    low, high = fresh["sens_ci"]
    assert f"test set had only {tp + fn} cancers" in text
    assert f"anything from about {low:.2f} to {high:.2f} fits" in text
    assert f"Our model's PPV was {100 * fresh['ppv']:.0f}%" in text
    assert f"But {100 * fresh['prevalence']:.0f}% of the aspirates in our test set" in text
    assert f"Sensitivity: {fresh['sens']:.3f}" in notebook["outputs"]


def test_text_states_the_screening_paradox(notebook):
    # clinical-facts.md: 1%, 90%, 9% -> 10 of 1,000 have cancer, 9 test positive, 89 of 990
    # without cancer also test positive; PPV 9/98, about 1 in 10.
    text = notebook["markdown"]
    assert "Of 1,000 women, 10 have cancer and 9 of them test positive" in text
    assert "89 of the 990 women *without* cancer also test positive" in text
    assert "So 98 women test positive, and only 9 of the 98 have cancer: **about 1 in 10**" in text
    assert "89 of the 98 women called back" in text
    assert "9 of the 98 people who test positive have the condition (9.2%)" in notebook["outputs"]
    sentence = (
        "from about {:.0f}% (when 1 in 1,000 has cancer) to {:.1f}% (1 in 100), {:.1f}% (1 in 10) "
        "and {:.1f}% (1 in 2)"
    ).format(*(100 * bayes_ppv(0.9, 0.91, p) for p in (0.001, 0.01, 0.1, 0.5)))
    assert sentence in text
    # the Predict prompt comes before the natural-frequency cell
    assert text.index("**Predict:** write down your answer as a percentage") < text.index(
        "Of 1,000 women, 10 have cancer"
    )


def test_text_states_auroc_and_thresholds(fresh, notebook):
    text = notebook["markdown"]
    assert f"Our model's AUROC is {fresh['auroc']:.3f} on the test set" in text
    assert f"AUROC: {fresh['auroc']:.3f}" in notebook["outputs"]
    assert f"AUROC {fresh['auroc']:.3f}" in notebook["sources"]  # alt text of the ROC figure
    low, high = fresh["at"](0.05), fresh["at"](0.9)
    assert low["fn"] == 0
    assert (
        f"At a threshold of 0.05 the model finds all {low['tp']} cancers, but raises "
        f"{low['fp']} false alarms" in text
    )
    assert high["fp"] == 0
    assert f"At 0.9 it raises no false alarms at all, but misses {high['fn']} cancers" in text
    # alt text of the threshold figure
    assert f"falls to about {fresh['at'](0.99)['sens']:.2f}" in notebook["sources"]
    assert f"rises from about {fresh['at'](0.01)['spec']:.2f}" in notebook["sources"]


def test_text_states_the_likelihood_ratios(fresh, notebook):
    text = notebook["markdown"]
    assert f"The mammogram's LR+ is {0.9 / 0.09:.0f}" in text
    assert "Mammogram LR+: 10.0" in notebook["outputs"]
    low, high = fresh["lr_pos_ci"]
    assert f"Our model's LR+ is about {fresh['lr_pos']:.0f}" in text
    assert f"from about {low:.0f} to {high:.0f}" in text
    assert f"had only {fresh['fp']} false positive" in text
    assert f"Its LR- (about {fresh['lr_neg']:.2f}) is below 0.1" in text


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        found = re.findall(r'check\("(04\.[\w-]+)", answer\)', "".join(cell["source"]))
        if found:
            ids.update(found)
            assert "answer = ..." in "".join(cell["source"])  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == REPLACE
    assert ids == EXERCISES


def test_question_module_uses_the_lesson_thresholds(notebook):
    assert f"thresholds = {list(lesson04.THRESHOLDS)}" in notebook["sources"]


def test_text_states_the_nhs_programme_figures_with_their_source(notebook):
    # NHS Digital, Breast Screening Programme, England: about 4% recalled, 8-9 cancers per
    # 1,000 screened (a fact for a clinician to check: see the report).
    text = notebook["markdown"]
    assert "About **4 in every 100** women screened are called back" in text
    assert "about **8 or 9 in every 1,000** women screened" in text
    recalled = 1000 * 4 / 100
    assert f"about {recalled:.0f} are called back" in text
    assert round(recalled / 8.5) == 5  # 40 recalled, 8 or 9 cancers: about 1 in 5
    assert "roughly **1 in 5** of the women called back has cancer" in text
    assert "digital.nhs.uk/data-and-information/publications/statistical/breast-screening" in text
    # the programme's figures come after the teaching numbers, with a question
    assert text.index("These are teaching numbers") < text.index("The NHS programme's own")
    assert "**Think:** why might the real programme's figures differ" in text


def test_tree_figure_quotes_the_natural_frequencies(notebook):
    from healthlab import evaluate

    story = evaluate.natural_frequencies(0.90, 0.91, 0.01, population=1000)["count"]
    figures = [
        out
        for cell in notebook["code"]
        if "plot_frequency_tree" in "".join(cell["source"])
        for out in cell["outputs"]
        if "image/png" in out.get("data", {})
    ]
    assert len(figures) == 1
    alt = figures[0]["metadata"]["image/png"]["alt"]
    assert f"{story['population']} women are tested" in alt
    assert f"{story['with_condition']} have breast cancer: {story['true_positives']} test" in alt
    assert f"{story['false_positives']} test positive (false alarms)" in alt
    assert f"So {story['test_positive']} women test positive" in alt


def test_case_mix_changes_sensitivity_and_specificity(notebook):
    heart = datasets.load("heart-disease").dropna(subset=["exang"])
    sens, spec = {}, {}
    for site, patients in heart.groupby("site"):
        truth, flag = patients["disease"] == 1, patients["exang"] == 1
        sens[site] = (truth & flag).sum() / truth.sum()
        spec[site] = (~truth & ~flag).sum() / (~truth).sum()
        assert (
            f"{site}: sensitivity {sens[site]:.2f}, specificity {spec[site]:.2f}"
            in notebook["outputs"]
        )
    low, high = min(sens, key=sens.get), max(sens, key=sens.get)
    text = notebook["markdown"]
    assert f"sensitivity from {sens[low]:.2f} ({low}) to {sens[high]:.2f} ({high})" in text
    low, high = min(spec, key=spec.get), max(spec, key=spec.get)
    assert f"specificity from {spec[low]:.2f} ({low}) to {spec[high]:.2f} ({high})" in text
    assert "**case mix**" in text


def test_thresholds_are_framed_honestly(notebook):
    text = notebook["markdown"]
    assert "confirm cancer before an operation" not in text
    assert "**triple assessment**" in text and "The biopsy confirms the diagnosis" in text
    assert "straight to an urgent biopsy" in text
    assert "**A warning about choosing on the test set.**" in text
    assert "choose the threshold on the **training** set only, using cross-validation" in text
    assert "0.5 or more" not in text
    assert "whenever the probability was more than 0.5" in text


def test_title_metadata_and_warmup(notebook):
    cells = notebook["cells"]
    title = "".join(cells[0]["source"])
    assert "HEE" not in title
    assert "HEE AI and Digital Healthcare Capability Framework" in TEACHER_NOTES.read_text()
    assert notebook["metadata"]["healthlab"] == {"introduces": ["slice"]}
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 03")
    ids = {
        m for c in cells[3:5] for m in re.findall(r'check\("(04\.[\w-]+)"', "".join(c["source"]))
    }
    assert ids == WARMUPS
    for heading in (
        "## Support for students who need it",
        "## Before the lesson: a sensitive topic",
        "## Hinge question and exit ticket",
        "## If the computers or the server fail (unplugged)",
    ):
        assert heading in TEACHER_NOTES.read_text(), heading
