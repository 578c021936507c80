"""Lesson 10's exercises, and the numbers its text states, against a fresh computation.

The notes are read straight from the CSV file; the keyword search and the negation rule are
written out again here with the standard library (independently of ``healthlab.text``), and the
models are rebuilt with scikit-learn step by step (vectorizer, then logistic regression), so a
mistake in the library or the question module cannot hide behind itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lessonkit import UNANSWERED, answer_name, message, teacher_solutions
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from healthlab import evaluate, text
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson10

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "10-clinical-text.ipynb"
TEACHER_NOTES = ROOT / "notebooks" / "teacher-notes" / "10-clinical-text.md"
EXERCISES = {
    "10.warmup-heart-rate",
    "10.warmup-large-square",
    "10.warmup-af",
    "10.read-note",
    "10.fooled",
    "10.window-one",
    "10.pipeline-order",
    "10.same-bag",
    "10.ngram-model",
}
SEED = 42
NEGATIONS = ("no", "not", "nil", "denies", "denied", "without", "never", "negative for",
             "no evidence of", "did not", "didn't", "didnt")  # fmt: skip
PAIR = [
    "55M c/o SOB x2 days. chest pain, no sweating.",
    "55M c/o SOB x2 days. no chest pain, sweating.",
]


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


# --- an independent keyword search and negation rule ---------------------------------------


PATTERNS = {
    keyword: re.compile(
        r"(?<!\w)" + r"\s+".join(re.escape(w) for w in keyword.split()) + r"(?!\w)", re.I
    )
    for keyword in text.RED_FLAGS
}


def starts(note: str, keyword: str) -> list[int]:
    if keyword.lower() not in " ".join(note.lower().split()):  # quick test first
        return []
    return [m.start() for m in PATTERNS[keyword].finditer(note)]


def denied_at(note: str, start: int, window: int) -> bool:
    sentence = re.split(r"[.;:!?\n]", note[:start])[-1]
    words = re.findall(r"[a-z0-9/'%+-]+", sentence.lower())
    stops = [i for i, w in enumerate(words) if w in ("but", "however", "although")]
    if stops:
        words = words[stops[-1] + 1 :]
    padded = " " + " ".join(words[-window:]) + " "
    return any(f" {n} " in padded for n in NEGATIONS)


def flagged(note: str, negation: bool, window: int = 5) -> bool:
    for keyword in text.RED_FLAGS:
        found = starts(note, keyword)
        if found and not (negation and all(denied_at(note, s, window) for s in found)):
            return True
    return False


def sens_spec(truth, predicted) -> tuple[float, float, dict]:
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(truth, predicted, labels=[0, 1]).ravel())
    return tp / (tp + fn), tn / (tn + fp), {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


@pytest.fixture(scope="module")
def fresh():
    notes = pd.read_csv(ROOT / "datasets" / "triage-notes.csv", keep_default_na=False)
    truth = (notes["red_flags"] > 0).astype(int)
    out = {"notes": notes, "truth": truth}
    plain = notes["note"].map(lambda n: flagged(n, False))
    out["plain"] = plain
    out["plain_sens"], out["plain_spec"], out["plain_counts"] = sens_spec(truth, plain)
    for window in (1, 2, 3, 4, 5):
        flags = notes["note"].map(lambda n, w=window: flagged(n, True, w))
        out[f"rule{window}"] = flags
        out[f"sens{window}"], out[f"spec{window}"], out[f"counts{window}"] = sens_spec(truth, flags)
    train, test = train_test_split(
        notes, test_size=0.25, stratify=notes["urgent"], random_state=SEED
    )
    out["train"], out["test"] = train, test
    for name, ngrams in (("words", (1, 1)), ("bigrams", (1, 2))):
        vectorizer = CountVectorizer(ngram_range=ngrams)
        X_train = vectorizer.fit_transform(train["note"])
        model = LogisticRegression(max_iter=1000).fit(X_train, train["urgent"])
        predicted = model.predict(vectorizer.transform(test["note"]))
        sens, spec, counts = sens_spec(test["urgent"], predicted)
        out[name] = {
            "vectorizer": vectorizer,
            "model": model,
            "predicted": predicted,
            "probability": model.predict_proba(vectorizer.transform(test["note"]))[:, 1],
            "sens": sens,
            "spec": spec,
            "counts": counts,
            "pair": model.predict_proba(vectorizer.transform(PAIR))[:, 1],
            "features": len(vectorizer.vocabulary_),
        }
    return out


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    markdown = "\n".join(
        "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"
    )
    markdown = re.sub(r"\s*\n\s*", " ", markdown)  # sentences wrap across lines
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    outputs = []
    for cell in code:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
    return {
        "nb": nb,
        "cells": nb["cells"],
        "markdown": markdown,
        "code": code,
        "sources": "\n".join("".join(c["source"]) for c in code),
        "outputs": "\n".join(outputs),
    }


def n(x: int) -> str:
    return f"{x:,}"


# --- the numbers the lesson states ------------------------------------------------------------


def test_text_states_the_data(fresh, notebook):
    notes, text_ = fresh["notes"], notebook["markdown"]
    assert len(notes) == 3000 and "3,000 notes." in text_
    assert f"{notes['urgent'].mean():.0%} of the notes are urgent" in text_
    assert f"Urgent: {notes['urgent'].mean():.0%} of the notes" in notebook["outputs"]
    row = notes.loc[notes["note_id"] == "T0005"].iloc[0]
    note = re.sub(r"\s+", " ", row["note"])
    assert f'The fifth note above (T0005) says: *"{note}"*' in text_
    assert notes.loc[1, "note"].count("nil SOB") == 1  # "the second note says nil SOB"


def test_text_states_the_plain_search(fresh, notebook):
    text_, c = notebook["markdown"], fresh["plain_counts"]
    flagged_n = int(fresh["plain"].sum())
    positives, negatives = c["tp"] + c["fn"], c["tn"] + c["fp"]
    assert f"The plain search flags {n(flagged_n)} of the 3,000 notes" in text_
    assert f"Flagged: {flagged_n} of 3000 notes" in notebook["outputs"]
    assert (
        f"Sensitivity {fresh['plain_sens']:.3f}: the search finds {n(c['tp'])} of the "
        f"{n(positives)} notes with a red flag (the {c['fn']} it misses have a typo" in text_
    )
    missed = fresh["notes"].loc[(fresh["truth"] == 1) & ~fresh["plain"], "note"]
    assert any("pian 9/10" in m for m in missed)
    assert (
        f"But specificity is {fresh['plain_spec']:.3f}: of the {n(negatives)} notes with no red "
        f"flag, it clears only {n(c['tn'])}." in text_
    )
    assert f"(sensitivity {fresh['plain_sens']:.3f})" in text_  # key points
    assert f"(specificity {fresh['plain_spec']:.3f})" in text_


def test_text_states_the_false_alarms(fresh, notebook):
    notes, text_ = fresh["notes"], notebook["markdown"]
    fooled = notes[fresh["plain"] & (notes["red_flags"] == 0)]
    denying = fooled[fooled["negated_flags"] > 0]
    others = fooled[fooled["negated_flags"] == 0]
    assert (
        f"{len(fooled)} notes fool the search, and {len(denying)} of them mention a red flag "
        "only to deny it" in text_
    )
    assert f"(The other {len(others)} are notes whose complaint itself is chest pain" in text_
    assert set(others["presenting_complaint"]) <= {"chest pain", "shortness of breath"}
    assert (
        f"False alarms: {len(fooled)}, of which {len(denying)} deny a red flag"
        in (notebook["outputs"])
    )


def test_text_states_the_negation_rule(fresh, notebook):
    notes, text_, c = fresh["notes"], notebook["markdown"], fresh["counts5"]
    fooled_before = int((fresh["plain"] & (notes["red_flags"] == 0)).sum())
    assert (
        f"Specificity rose from {fresh['plain_spec']:.3f} to {fresh['spec5']:.3f}: the rule "
        f"cleared {fooled_before - c['fp']} of the false alarms, leaving {c['fp']} (every one "
        "of them a chest pain or breathlessness complaint" in text_
    )
    left = notes[fresh["rule5"] & (notes["red_flags"] == 0)]
    assert set(left["presenting_complaint"]) == {"chest pain", "shortness of breath"}
    assert (
        f"But sensitivity fell from {fresh['plain_sens']:.3f} to {fresh['sens5']:.3f}: the rule "
        f"now misses {c['fn']} notes that really do have a red flag" in text_
    )
    assert f"Will its sensitivity stay at {fresh['plain_sens']:.3f}?" in text_
    assert f"Flagged: {int(fresh['rule5'].sum())} of 3000 notes" in notebook["outputs"]
    first_missed = notes.loc[(fresh["truth"] == 1) & ~fresh["rule5"], "note"].iloc[0]
    assert "not confused, witnessed LOC" in first_missed
    assert 'In the first note "not" comes three words before "LOC"' in text_


def test_text_states_the_window_of_one(fresh, notebook):
    notes, text_, c = fresh["notes"], notebook["markdown"], fresh["counts1"]
    assert (
        f"With a window of 1 word, sensitivity is back to {fresh['sens1']:.3f} and specificity "
        f"is {fresh['spec1']:.3f}: the rule misses only the {c['fn']} notes with a typo" in text_
    )
    missed = notes.loc[(fresh["truth"] == 1) & ~fresh["rule1"], "note"]
    assert any("sohrt of breath" in m for m in missed)
    # "no lip or tongue swelling" now counts as a swollen tongue: "no" is 3 words back
    note = notes.loc[notes["note"].str.contains("no lip or tongue swelling"), "note"].iloc[0]
    start = starts(note, "tongue swelling")[0]
    assert not denied_at(note, start, 1) and denied_at(note, start, 3)
    assert text.flag_notes([note], ["tongue swelling"], window=1)["flagged"].all()
    for window in (1, 2, 3, 4, 5):
        row = f"{window} {fresh[f'sens{window}']:.3f} {fresh[f'spec{window}']:.3f}"
        assert row in re.sub(r"\s+", " ", notebook["outputs"])
    alt = (
        f"Plain keyword search: sensitivity {fresh['plain_sens']:.3f}, specificity "
        f"{fresh['plain_spec']:.3f}. Negation rule with a 5-word window: {fresh['sens5']:.3f} "
        f"and {fresh['spec5']:.3f}. Negation rule with a 1-word window: {fresh['sens1']:.3f} "
        f"and {fresh['spec1']:.3f}."
    )
    assert alt in notebook["outputs"]  # the figure's alt text, stored as text/plain


def test_the_bag_of_words_of_the_pair_is_the_same(notebook):
    vectorizer = CountVectorizer()
    counts = vectorizer.fit_transform(PAIR).toarray()
    assert (counts[0] == counts[1]).all()
    assert (
        json.dumps(PAIR[0]) in notebook["sources"] and json.dumps(PAIR[1]) in (notebook["sources"])
    )
    assert tuple(PAIR) == lesson10.PAIR
    # "CountVectorizer splits "pain 9/10" into "pain" and "10" and drops the one-character "9""
    assert vectorizer.build_analyzer()("pain 9/10") == ["pain", "10"]
    assert vectorizer.build_analyzer()("pain 3/10") == ["pain", "10"]


def test_text_states_the_word_model(fresh, notebook):
    text_, w = notebook["markdown"], fresh["words"]
    c = w["counts"]
    assert len(fresh["train"]) == 2250 and len(fresh["test"]) == 750
    urgent = c["tp"] + c["fn"]
    assert f"Training notes: 2250, test notes: 750 ({urgent} urgent)" in notebook["outputs"]
    assert (
        f"On the 750 test notes it finds {c['tp']} of the {urgent} urgent ones (sensitivity "
        f"{w['sens']:.3f}) and correctly clears {c['tn']} of the {c['tn'] + c['fp']} others "
        f"(specificity {w['spec']:.3f})" in text_
    )
    assert f"Vocabulary: {w['features']} words" in notebook["outputs"]
    assert f"with the word model's ({w['sens']:.3f} and {w['spec']:.3f})" in text_


def test_text_states_the_weights(fresh, notebook):
    text_, w = notebook["markdown"], fresh["words"]
    words = w["vectorizer"].get_feature_names_out()
    order = np.argsort(w["model"].coef_[0])
    most_negative = [str(words[i]) for i in order[:10]]
    most_positive = [str(words[i]) for i in order[::-1][:10]]
    assert set(most_negative[:4]) == {"denies", "no", "not", "nil"}
    assert 'push hardest towards "not urgent" are denies, no, not and nil' in text_
    for word in ("55m", "47f", "knee", "normal", "blanches"):
        assert word in most_negative, word
    for word in ("stridor", "cp", "swelling", "confused", "slurred", "haematemesis", "13",
                 "sweating"):  # fmt: skip
        assert word in most_positive, word
    # "sweating" only ever appears as "no sweating"
    lowered = fresh["notes"]["note"].str.lower()
    assert lowered.str.contains("sweating").any()
    assert not lowered.str.contains(r"(?<!no )sweating").any()
    coef = dict(zip(words, w["model"].coef_[0], strict=True))
    top = ", ".join(f"{word} {coef[word]:.2f}" for word in most_positive[:4])
    assert f"largest first: {top}." in notebook["outputs"]  # the figure's alt text


def test_text_states_the_same_probability_for_the_pair(fresh, notebook):
    first, second = fresh["words"]["pair"]
    assert first == second
    assert (
        f"The difference is 0: both notes get a probability of {first:.3f}."
        in (notebook["markdown"])
    )


def test_text_states_the_mistakes_on_negated_notes(fresh, notebook):
    test, w, text_ = fresh["test"], fresh["words"], notebook["markdown"]
    denied = ((test["red_flags"] == 0) & (test["negated_flags"] > 0)).to_numpy()
    by_plain = int(fresh["plain"].loc[test.index].to_numpy()[denied].sum())
    by_model = int(w["predicted"][denied].sum())
    assert (
        f"Of these {denied.sum()} notes, the plain search flagged {by_plain}, but the model "
        f"predicted only {by_model} as urgent" in text_
    )
    assert f"Test notes whose red flags are all denied: {denied.sum()}" in notebook["outputs"]
    missed = (
        (test["urgent"] == 1)
        & (w["predicted"] == 0)
        & (test["red_flags"] > 0)
        & (test["negated_flags"] > 0)
    ).to_numpy()
    assert f"The model missed {missed.sum()} such notes." in text_
    worst = test.loc[missed, "note"].to_numpy()[np.argsort(w["probability"][missed])][:3]
    assert "hit head" in worst[1] and "no loc" in worst[1] and "no blood thinners" in worst[1]
    assert "no head injury" in worst[0] and "apixaban" in worst[0]
    assert "denies chest pain" in worst[2] and "pain 10/10" in worst[2]


def test_text_states_the_bigram_model(fresh, notebook):
    text_, w, b = notebook["markdown"], fresh["words"], fresh["bigrams"]
    assert (
        f"it gave the first note (chest pain, no sweating) a probability of {b['pair'][0]:.3f} "
        f"and the second (no chest pain, sweating) {b['pair'][1]:.3f}" in text_
    )
    assert (
        f"with sensitivity {b['sens']:.3f} and specificity {b['spec']:.3f} against "
        f"{w['sens']:.3f} and {w['spec']:.3f} for single words" in text_
    )
    assert (
        f"It has {n(b['features'])} features instead of {w['features']} to learn from the same "
        f"{n(len(fresh['train']))} notes" in text_
    )


def test_text_states_the_tiny_language_model(fresh, notebook):
    notes = fresh["notes"]["note"]
    written = text.continue_note(notes, "72f", n_words=30, seed=SEED)
    assert written in notebook["outputs"]
    assert "loc" in written and "head injury" in written and "obs" in written
    assert (
        "The loss of consciousness, the head injury and the observations were made up"
        in (notebook["markdown"])
    )
    after = pd.Series(re.findall(r"\bdenies (\w+)", " ".join(notes).lower())).value_counts()
    table = re.sub(r"\s+", " ", notebook["outputs"])
    assert f"0 {after.index[0]} {after.iloc[0]} {after.iloc[0] / after.sum():.3f}" in table


# --- exercises -------------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == UNANSWERED


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        source = "".join(cell["source"])
        found = re.findall(r'check\("(10\.[\w-]+)", (\w+)\)', source)
        for question_id, name in found:
            ids.add(question_id)
            assert f"{name} = ..." in source  # no solution in the lesson
            printed = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert printed.strip() == UNANSWERED
    assert ids == EXERCISES


@pytest.mark.parametrize(
    "junk", [None, "seventy", [1, 2], pd.DataFrame({"a": [1]}), np.array([0.1, 0.2]), {}]
)
def test_check_never_raises_on_junk(junk):
    for question_id in EXERCISES:
        feedback = evaluate_answer(question_id, junk)
        assert not feedback.correct and feedback.message


def test_warmups():
    assert correct("10.warmup-heart-rate", 60 / 0.8) and correct("10.warmup-heart-rate", 75)
    assert "multiplied" in message("10.warmup-heart-rate", 60 * 0.8)
    assert "upside down" in message("10.warmup-heart-rate", 0.8 / 60)
    assert correct("10.warmup-large-square", 5 / 25) and correct("10.warmup-large-square", 0.2)
    assert "small (1 mm) square" in message("10.warmup-large-square", 0.04)
    assert "multiplied" in message("10.warmup-large-square", 125)
    assert "upside down" in message("10.warmup-large-square", 5)
    for right in ("irregularly irregular", "Irregularly irregular "):
        assert correct("10.warmup-af", right)
    assert "equal gaps" in message("10.warmup-af", "regular")
    assert "repeating pattern" in message("10.warmup-af", "regularly irregular")
    assert "Choose one of" in message("10.warmup-af", "fast")


def test_read_note(fresh):
    row = fresh["notes"].loc[fresh["notes"]["note_id"] == "T0005"].iloc[0]
    assert row["red_flags"] == 1 and row["negated_flags"] == 3
    assert correct("10.read-note", 1)
    assert "including those it says are absent" in message("10.read-note", 4)
    assert "rules out" in message("10.read-note", 3)
    assert "witnessed" in message("10.read-note", 0)


def test_fooled(fresh):
    notes = fresh["notes"]
    fooled = int((fresh["plain"] & (notes["red_flags"] == 0)).sum())
    assert correct("10.fooled", fooled)
    assert "every flagged note" in message("10.fooled", int(fresh["plain"].sum()))
    right_flags = int((fresh["plain"] & (notes["red_flags"] > 0)).sum())
    assert "really do have a red flag" in message("10.fooled", right_flags)
    assert "every note with no red flag" in message(
        "10.fooled", int((notes["red_flags"] == 0).sum())
    )


def test_window_one(fresh):
    assert correct("10.window-one", fresh["sens1"])
    assert correct("10.window-one", round(fresh["sens1"], 3))
    assert "usual window of 5" in message("10.window-one", fresh["sens5"])
    assert "specificity" in message("10.window-one", fresh["spec1"])
    assert "another window" in message("10.window-one", fresh["sens3"])
    assert "plain search's sensitivity" in message("10.window-one", fresh["plain_sens"])
    assert "plain search's sensitivity" in message("10.window-one", round(fresh["plain_sens"], 5))
    urgent = fresh["notes"]["urgent"]
    found = (fresh["rule1"].astype(bool) & (urgent == 1)).sum() / (urgent == 1).sum()
    assert "the nurse's decision" in message("10.window-one", float(found))
    assert "rounded too much" not in message("10.window-one", fresh["plain_sens"])


def test_pipeline_order():
    for right in ([3, 5, 4, 2, 1], [3, 5, 2, 4, 1], (3, 5, 4, 2, 1)):
        assert correct("10.pipeline-order", right)
    assert "line 3" in message("10.pipeline-order", [5, 3, 4, 2, 1])
    assert "before the vectorizer has learned" in message("10.pipeline-order", [3, 2, 5, 4, 1])
    assert "before X_train exists" in message("10.pipeline-order", [3, 4, 5, 2, 1])
    assert "comes last" in message("10.pipeline-order", [3, 5, 4, 1, 2])
    assert "exactly once" in message("10.pipeline-order", [3, 5, 4, 2, 2])
    assert "without quotes" in message("10.pipeline-order", ["3", "5", "4", "2", "1"])
    assert "list of the line numbers" in message("10.pipeline-order", 35421)


def test_same_bag(fresh):
    first, second = fresh["words"]["pair"]
    assert correct("10.same-bag", first - second) and correct("10.same-bag", 0)
    assert "one note's probability" in message("10.same-bag", float(first))
    assert "list of numbers" in message("10.same-bag", fresh["words"]["pair"])


def test_ngram_model(fresh):
    train = fresh["train"]

    def pipeline(**options):
        return make_pipeline(CountVectorizer(**options), LogisticRegression(max_iter=1000))

    good = pipeline(ngram_range=(1, 2)).fit(train["note"], train["urgent"])
    assert correct("10.ngram-model", good)
    other = pipeline(ngram_range=(1, 3), min_df=2)  # other reasonable settings pass too
    assert correct("10.ngram-model", other.fit(train["note"], train["urgent"]))
    words = pipeline().fit(train["note"], train["urgent"])
    assert "single words only" in message("10.ngram-model", words)
    assert "not been trained" in message("10.ngram-model", pipeline(ngram_range=(1, 2)))
    everything = pipeline(ngram_range=(1, 2)).fit(fresh["notes"]["note"], fresh["notes"]["urgent"])
    assert "only the test notes contain" in message("10.ngram-model", everything)
    assert "whole pipeline" in message("10.ngram-model", CountVectorizer())
    assert "whole pipeline" in message("10.ngram-model", "my model")


def test_teacher_solutions_pass(fresh, notebook):
    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    notes = fresh["notes"]
    word_model = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    word_model.fit(fresh["train"]["note"], fresh["train"]["urgent"])
    base = {
        "notes": notes,
        "plain": text.flag_notes(notes["note"], text.RED_FLAGS, handle_negation=False),
        "has_red_flag": notes["red_flags"] > 0,
        "text": text,
        "evaluate": evaluate,
        "pair": PAIR,
        "probabilities": word_model.predict_proba(PAIR)[:, 1],
        "train": fresh["train"],
        "test": fresh["test"],
        "make_pipeline": make_pipeline,
        "CountVectorizer": CountVectorizer,
        "LogisticRegression": LogisticRegression,
    }
    for question_id, code in solutions.items():
        namespace = dict(base)
        exec(code, namespace)
        answer = namespace[answer_name(notebook["cells"], question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)


# --- the lesson's shape --------------------------------------------------------------------


def test_title_cell_and_warm_up(notebook):
    cells = notebook["cells"]
    title = "".join(cells[0]["source"])
    assert title.startswith("# Lesson 10: Clinical text")
    assert re.search(
        r"\*\*Time:\*\* about 60 minutes \(\d+ minutes teaching, \d+ minutes exercises\)\.", title
    )
    assert "HEE" not in title  # it lives in the teacher notes
    assert "../datasets/triage-notes.md" in title
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 09")
    assert notebook["nb"]["metadata"]["healthlab"] == {"introduces": []}


def test_no_cell_stores_an_error_or_a_warning(notebook):
    for cell in notebook["code"]:
        for out in cell["outputs"]:
            assert out["output_type"] != "error"
            assert out.get("name") != "stderr"
