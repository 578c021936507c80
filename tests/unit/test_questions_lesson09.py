"""Lesson 09 "Heart signals": its checks, and the numbers its text states.

The right answers pass, typical wrong answers get their own hint, an unanswered exercise gets
the "Replace the ..." message, the teacher notes' worked answers pass, and every number the
lesson's markdown (and alt text) states equals a fresh computation: the ECG with scipy and
NumPy directly (not healthlab.signals), the classifier with scikit-learn's confusion matrix,
the screening numbers with Bayes' rule and the Apple Heart Study with clinical-facts.md.
"""

from __future__ import annotations

import json
import re
from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lessonkit import UNANSWERED, answer_name, joined, message, teacher_solutions
from scipy.signal import butter, find_peaks, sosfiltfilt
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from healthlab import datasets, evaluate, signals
from healthlab.checks import _REGISTRY, evaluate_answer
from healthlab.questions import lesson09

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "09-signals.ipynb"
NOTES = ROOT / "notebooks" / "teacher-notes" / "09-signals.md"
SEED = 42


def correct(question_id, answer):
    return evaluate_answer(question_id, answer).correct


# --- a fresh computation ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ecg():
    """Lead II, the interference the lesson adds, and the cleaned signal, with scipy directly."""
    df = datasets.load("ecg")
    rate = df.attrs["sampling_rate_hz"]
    t = df["time_s"].to_numpy()
    lead = df["II"].to_numpy()
    rng = np.random.default_rng(SEED)
    raw = (
        lead
        + 0.4 * np.sin(2 * np.pi * 0.25 * t)
        + 0.1 * np.sin(2 * np.pi * 50 * t)
        + rng.normal(0, 0.03, size=len(t))
    )
    high = butter(2, 0.5, btype="highpass", fs=rate, output="sos")
    low = butter(4, 40, btype="lowpass", fs=rate, output="sos")
    clean = sosfiltfilt(low, sosfiltfilt(high, raw))
    peaks = find_peaks(clean, distance=int(0.3 * rate), prominence=0.5)[0]
    rr = np.diff(peaks) / rate
    return {
        "df": df,
        "rate": rate,
        "lead": lead,
        "raw": raw,
        "clean": clean,
        "peaks": peaks,
        "rr": rr,
    }


@pytest.fixture(scope="module")
def rhythm():
    people = signals.simulate_recordings(n_sinus=200, n_af=200, n_beats=60, seed=SEED)
    X, y = people[["rr_sd_ms", "rmssd_ms"]], people["af"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    predictions = model.predict(X_test)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_test, predictions).ravel())
    young = signals.simulate_recordings(
        n_sinus=100, n_af=0, seed=SEED + 1, sinus_variation=(0.06, 0.12)
    )
    return {
        "people": people,
        "X_train": X_train,
        "X_test": X_test,
        "y_train": y_train,
        "y_test": y_test,
        "model": model,
        "predictions": predictions,
        "tn": tn,
        "fp": fp,
        "fn": fn,
        "tp": tp,
        "sens": tp / (tp + fn),
        "spec": tn / (tn + fp),
        "young_flags": model.predict(young[["rr_sd_ms", "rmssd_ms"]]),
    }


def bayes_ppv(sens, spec, p):
    return sens * p / (sens * p + (1 - spec) * (1 - p))


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = nb["cells"]
    markdown = "\n".join(joined(c["source"]) for c in cells if c["cell_type"] == "markdown")
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    sources = "\n".join(joined(c["source"]) for c in code_cells)
    outputs = []
    for cell in code_cells:
        for out in cell.get("outputs", []):
            outputs.append(joined(out.get("text", "")))
            outputs.append(joined(out.get("data", {}).get("text/plain", "")))
    return {
        "nb": nb,
        "cells": cells,
        "markdown": re.sub(r"\s*\n\s*", " ", markdown),
        "code": code_cells,
        "sources": sources,
        "outputs": "\n".join(outputs),
    }


def lesson_ids(notebook) -> set[str]:
    return {
        qid
        for cell in notebook["code"]
        for qid in re.findall(r'check\("(09\.[\w-]+)"', joined(cell["source"]))
    }


# --- every exercise ---------------------------------------------------------------------------


def test_the_lesson_uses_exactly_the_registered_questions(notebook):
    registered = {qid for qid in _REGISTRY if qid.startswith("09.")}
    assert lesson_ids(notebook) == registered
    assert len(registered) == 8  # 3 warm-up + 5 Your turn


def test_unanswered_exercises_ask_for_an_answer_and_are_stored_unanswered(notebook):
    for question_id in lesson_ids(notebook):
        assert message(question_id, ...) == UNANSWERED
    for cell in notebook["code"]:
        if "check(" in joined(cell["source"]):
            assert re.search(r"^\w+ = \.\.\.$", joined(cell["source"]), re.M)
            stored = "".join(joined(o.get("text", "")) for o in cell["outputs"])
            assert stored.strip() == UNANSWERED


@pytest.mark.parametrize(
    "junk", [None, "text", [1, 2], pd.DataFrame({"a": [1]}), {"a": 1}, float("nan"), True, object()]
)
def test_check_never_raises_on_junk(notebook, junk):
    for question_id in lesson_ids(notebook):
        feedback = evaluate_answer(question_id, junk)
        assert isinstance(feedback.message, str) and feedback.message
        assert not feedback.correct


def test_warmup_water_hu():
    assert correct("09.warmup-water-hu", 0)
    assert correct("09.warmup-water-hu", 0.0)
    assert "air" in message("09.warmup-water-hu", -1000)
    assert "bone" in message("09.warmup-water-hu", 1000)
    assert "fat" in message("09.warmup-water-hu", -100)
    assert "soft tissue" in message("09.warmup-water-hu", 40)


def test_warmup_hu_formula():
    assert correct("09.warmup-hu-formula", 1100 * 1 + (-1024))
    assert correct("09.warmup-hu-formula", 76)
    assert "smaller" in message("09.warmup-hu-formula", 2124)
    assert "stored value" in message("09.warmup-hu-formula", 1100)
    assert "sign" in message("09.warmup-hu-formula", -76)


def test_warmup_burned_in():
    for right in ("BurnedInAnnotation", "burnedinannotation", " BurnedInAnnotation "):
        assert correct("09.warmup-burned-in", right)
    for header in ("PatientName", "InstitutionName", "AccessionNumber"):
        assert "does not warn" in message("09.warmup-burned-in", header)
    assert "Choose one of" in message("09.warmup-burned-in", "PixelData")


def test_large_squares():
    assert correct("09.large-squares", 60 / (4 * 0.2))
    assert correct("09.large-squares", 75)
    assert "counts squares, not seconds" in message("09.large-squares", 60 / 4)
    assert "small (1 mm) square" in message("09.large-squares", 60 / (4 * 0.04))
    assert "RR interval" in message("09.large-squares", 0.8)
    assert "one large square" in message("09.large-squares", 300)
    assert "beats per second" in message("09.large-squares", 1.25)


def test_distance(ecg):
    assert ecg["rate"] == 1000
    assert correct("09.distance", 0.3 * 1000)
    assert correct("09.distance", 300)
    assert "distance counts samples" in message("09.distance", 0.3)
    assert "You divided" in message("09.distance", 0.3 / 1000)
    for wrong in (3, 30, 3000):
        assert "sampling rate" in message("09.distance", wrong)
    assert "fastest heart rate" in message("09.distance", 200)


def test_pipeline_orders_are_exactly_the_orders_that_run(notebook):
    # the lines in the lesson are the module's, and exactly the accepted orders run
    markdown = "\n".join(joined(c["source"]) for c in notebook["cells"])
    for number, line in lesson09.PIPELINE_LINES.items():
        assert f"{number}   {line}" in markdown
    t = np.arange(0, 6, 1 / 500)
    raw = np.exp(-(((t % 0.8) - 0.4) ** 2) / 0.0002)
    working = set()
    for order in permutations(lesson09.PIPELINE_LINES):
        namespace = {"signals": signals, "raw": raw, "rate": 500.0}
        try:
            for number in order:
                exec(lesson09.PIPELINE_LINES[number], namespace)
        except NameError:
            continue
        working.add(order)
    assert working == set(lesson09.PIPELINE_ORDERS)


def test_pipeline_order():
    for order in lesson09.PIPELINE_ORDERS:
        assert correct("09.pipeline-order", list(order))
    assert "square brackets" in message("09.pipeline-order", "2, 4, 1, 3, 5")
    assert "without quotes" in message("09.pipeline-order", ["2", "4", "1", "3", "5"])
    assert "exactly once" in message("09.pipeline-order", [2, 4, 1, 3, 3])
    assert "makes clean must come first" in message("09.pipeline-order", [4, 2, 1, 3, 5])
    assert "peaks must be found first" in message("09.pipeline-order", [2, 1, 4, 3, 5])
    assert "line 1 must come before them" in message("09.pipeline-order", [2, 4, 3, 1, 5])


def test_rare_ppv(rhythm):
    sens, spec = rhythm["sens"], rhythm["spec"]
    expected = bayes_ppv(sens, spec, 0.001)
    assert correct("09.rare-ppv", expected)
    assert correct("09.rare-ppv", round(expected, 3))
    table = evaluate.ppv_npv_at_prevalence(sens, spec, 0.001)
    assert correct("09.rare-ppv", table["ppv"][0])
    assert "a table" in message("09.rare-ppv", table["ppv"])
    assert "1 in 100" in message("09.rare-ppv", bayes_ppv(sens, spec, 0.01))
    for population in (1000, 10_000):
        nf = evaluate.natural_frequencies(sens, spec, 0.001, population=population)
        assert "rounds to whole people" in message("09.rare-ppv", nf.loc["ppv", "proportion"])
        assert round(nf.loc["ppv", "proportion"], 3) == 0.048  # the teacher notes say so
    assert "half the people had AF" in message(
        "09.rare-ppv", rhythm["tp"] / (rhythm["tp"] + rhythm["fp"])
    )
    assert "NPV" in message("09.rare-ppv", table["npv"][0])
    assert "started from" in message("09.rare-ppv", sens)
    assert "percentage" in message("09.rare-ppv", 100 * expected)
    # the praise says "fewer than 1 alert in 20", the notes "about 0.046"
    assert expected < 1 / 20 and f"{expected:.3f}" == "0.046"


def test_my_rule(rhythm):
    X_test, y_test = rhythm["X_test"], rhythm["y_test"]
    assert correct("09.my-rule", X_test["rr_sd_ms"] > 50)
    assert correct("09.my-rule", (X_test["rmssd_ms"] > 80).astype(int).to_numpy())
    assert correct("09.my-rule", list((X_test["rr_sd_ms"] > 60).astype(int)))
    # the thresholds the teacher notes say pass, and the edges that do not
    for threshold in (40, 50, 60, 70):
        assert correct("09.my-rule", X_test["rr_sd_ms"] > threshold), threshold
    for threshold in (50, 80, 110):
        assert correct("09.my-rule", X_test["rmssd_ms"] > threshold), threshold
    assert "sensitivity" in message("09.my-rule", X_test["rr_sd_ms"] > 100)
    assert "specificity" in message("09.my-rule", X_test["rmssd_ms"] > 30)
    assert "true answers" in message("09.my-rule", y_test)
    assert "logistic regression" in message("09.my-rule", rhythm["predictions"])
    assert "different number of people" in message("09.my-rule", rhythm["X_train"]["rr_sd_ms"] > 50)
    assert "one prediction per test person" in message("09.my-rule", 50)
    assert "one prediction per test person" in message("09.my-rule", X_test["rr_sd_ms"])
    assert "specificity" in message("09.my-rule", np.ones(len(y_test)))


def test_teacher_notes_answers_pass(notebook, rhythm):
    solutions = teacher_solutions(NOTES)
    assert set(solutions) == lesson_ids(notebook)
    for question_id, code in solutions.items():
        namespace = {
            "np": np,
            "evaluate": evaluate,
            "signals": signals,
            "sens": rhythm["sens"],
            "spec": rhythm["spec"],
            "X_train": rhythm["X_train"],
            "X_test": rhythm["X_test"],
            "y_train": rhythm["y_train"],
            "check": lambda *a: None,
            "print": lambda *a: None,
        }
        exec(code, namespace)
        answer = namespace[answer_name(notebook["cells"], question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)


# --- the numbers the lesson states --------------------------------------------------------------


def test_text_states_the_ecg_and_its_paper(ecg, notebook):
    text, outputs, sources = notebook["markdown"], notebook["outputs"], notebook["sources"]
    df, rate, lead = ecg["df"], ecg["rate"], ecg["lead"]
    assert (
        f"{len(df)} samples at {rate:.0f} samples per second: {len(df) / rate:.0f} seconds"
        in outputs
    )
    # clinical-facts.md: 25 mm/s (small square 0.04 s, large 0.2 s), 10 mm/mV
    assert "| one small square (1 mm) | 0.04 s | 0.1 mV |" in text
    assert "| one large square (5 mm) | 0.2 s | 0.5 mV |" in text
    assert 1 / 25 == 0.04 and 5 / 25 == 0.2
    first5 = find_peaks(lead[: int(5 * rate)], distance=300, prominence=0.5)[0]
    gaps = np.diff(first5) / rate / 0.2  # in large squares
    assert len(first5) == 5 and np.all(np.abs(gaps - 5) < 0.3)
    assert "There are 5 R waves in 5 seconds, each about 5 large squares (1 second)" in text
    assert "Five tall, sharp R waves" in sources
    assert "here 300 ÷ 5 = 60 beats per minute" in text
    assert f"from {lead[:5000].min():.2f} to {lead[:5000].max():.2f} mV" in outputs


def test_text_states_the_filter_results(ecg, notebook):
    text, outputs = notebook["markdown"], notebook["outputs"]
    lead, raw, clean = ecg["lead"], ecg["raw"], ecg["clean"]
    assert f"Lead II: {lead.min():.2f} to {lead.max():.2f} mV" in outputs
    assert f"With interference: {raw.min():.2f} to {raw.max():.2f} mV" in outputs
    assert f"Cleaned: {clean.min():.2f} to {clean.max():.2f} mV" in outputs
    assert f"the tallest R wave fell from {lead.max():.2f} to {clean.max():.2f} mV" in text
    assert (
        f"The middle of the trace moved from {np.median(lead):.2f} to {np.median(clean):.2f} mV"
        in text
    )
    assert (
        f"Largest difference from the original lead II: {np.abs(clean - lead).max():.2f} mV"
        in outputs
    )
    # the data card: band-pass 0.05 to 300 Hz
    assert "0.05 to 300 Hz" in datasets.load("ecg").attrs["data_card"]["text"]
    assert "kept everything from 0.05 to 300 Hz" in text


def test_text_states_the_peak_counts(ecg, notebook):
    text = notebook["markdown"]
    clean, raw = ecg["clean"], ecg["raw"]
    counts = {
        "none": len(find_peaks(clean)[0]),
        "height": len(find_peaks(clean, height=0.5)[0]),
        "distance": len(find_peaks(clean, distance=300)[0]),
        "prominence": len(find_peaks(clean, prominence=0.5)[0]),
        "both": len(find_peaks(clean, distance=300, prominence=0.5)[0]),
        "raw height": len(find_peaks(raw, height=0.5)[0]),
    }
    assert f"{counts['none']} peaks" in notebook["outputs"]
    assert f"`height=0.5` finds {counts['height']}, but only because" in text
    assert f"the same setting finds {counts['raw height']} peaks" in text
    assert f"but it still finds {counts['distance']}" in text
    t_waves = counts["prominence"] - counts["both"]
    assert (
        f"`prominence=0.5` finds {counts['prominence']}: the 10 R waves and {t_waves} T waves"
        in text
    )
    assert counts["both"] == counts["height"] == 10
    assert "find exactly the 10 R waves" in text
    # the T waves that prominence alone finds come about a quarter of a second after an R wave
    extra = np.setdiff1d(find_peaks(clean, prominence=0.5)[0], ecg["peaks"])
    delays = [(p - ecg["peaks"][ecg["peaks"] < p].max()) / ecg["rate"] for p in extra]
    assert all(0.2 <= d <= 0.3 for d in delays)


def test_text_states_rr_heart_rate_and_rmssd(ecg, notebook):
    text, outputs = notebook["markdown"], notebook["outputs"]
    peaks, rr, rate = ecg["peaks"], ecg["rr"], ecg["rate"]
    bpm = 60 / rr
    assert np.array_equal(signals.find_r_peaks(ecg["clean"], rate), peaks)
    assert (
        f"{len(peaks)} R-peaks give {len(rr)} RR intervals, from {rr.min():.3f} to {rr.max():.3f} s"
        in text
    )
    assert (
        f"the heart rate goes from {bpm.min():.1f} to {bpm.max():.1f} beats per minute, and its mean is {bpm.mean():.1f}"
        in text
    )
    inside = int(((bpm >= 60) & (bpm <= 100)).sum())
    assert (
        f"and so are {inside} of the {len(bpm)} beats; one is at {bpm.min():.1f}, just below"
        in text
    )
    assert inside == len(bpm) - 1 and bpm.min() < 60 <= bpm.mean() <= 100  # 60-100: clinical-facts
    assert f"Inside the resting range 60-100: {inside} of {len(bpm)} beats" in outputs
    rmssd = 1000 * np.sqrt(np.mean(np.diff(rr) ** 2))
    assert f"The RMSSD is {rmssd:.1f} **milliseconds**" in text
    assert f"RMSSD from signals.rmssd: {rmssd:.1f} ms" in outputs
    notes = NOTES.read_text(encoding="utf-8")
    diffs = ", ".join(f"{d:.0f}" for d in 1000 * np.diff(rr))
    assert f"(differences in ms:\n  {diffs}" in notes or diffs in re.sub(r"\s+", " ", notes)


def test_text_states_the_simulated_pair(notebook):
    text = notebook["markdown"]
    sinus = signals.simulate_rr("sinus", 60, seed=SEED)
    af = signals.simulate_rr("af", 60, seed=SEED)
    hr = [60 / sinus.mean(), 60 / af.mean()]
    sd = [1000 * sinus.std(ddof=1), 1000 * af.std(ddof=1)]
    rm = [1000 * np.sqrt(np.mean(np.diff(x) ** 2)) for x in (sinus, af)]
    assert (
        f"The heart rates are almost the same ({hr[0]:.1f} and {hr[1]:.1f} beats per minute)"
        in text
    )
    assert (
        f"both are much larger in AF ({sd[1]:.1f} and {rm[1]:.1f} ms) than in sinus rhythm ({sd[0]:.1f} and {rm[0]:.1f} ms)"
        in text
    )
    # the tachogram's alt text, stored with the figure
    assert f"stays between {sinus.min():.2f} and {sinus.max():.2f} s" in notebook["outputs"]
    assert f"jumps from {af.min():.2f} to {af.max():.2f} s" in notebook["outputs"]


def test_text_states_the_classifier(rhythm, notebook):
    text = notebook["markdown"]
    tp, fp, tn, fn = rhythm["tp"], rhythm["fp"], rhythm["tn"], rhythm["fn"]
    assert (
        f"finds {tp} of the {tp + fn} with AF (sensitivity {rhythm['sens']:.3f}) and correctly "
        f"clears {tn} of the {tn + fp} in sinus rhythm (specificity {rhythm['spec']:.3f})" in text
    )
    low, high = binomtest(tp, tp + fn).proportion_ci(method="wilson")
    assert f"anywhere from about {low:.2f} to {high:.2f}" in text
    assert f"true negative: {tn}" in notebook["outputs"]
    assert f"true positive: {tp}" in notebook["outputs"]
    people = rhythm["people"]
    medians = people.groupby("rhythm")[["rr_sd_ms", "rmssd_ms"]].median()
    assert (
        f"(medians {medians.loc['sinus', 'rr_sd_ms']:.1f} and {medians.loc['sinus', 'rmssd_ms']:.1f} ms)"
        in notebook["outputs"]
    )  # the scatter plot's alt text
    assert f"(medians {medians.loc['af', 'rr_sd_ms']:.1f} and" in notebook["outputs"]
    # the module's lesson model is the lesson's model
    assert (lesson09.lesson_model().predict(rhythm["X_test"]) == rhythm["predictions"]).all()
    assert "one person in ten also has occasional **ectopic beats**" in text
    assert "one person in ten has" in signals.simulate_recordings.__doc__


def test_text_states_the_screening_paradox(rhythm, notebook):
    text = notebook["markdown"]
    sens, spec = rhythm["sens"], rhythm["spec"]
    n, p = 10_000, 0.01
    with_af = round(n * p)
    alerted = round(sens * with_af)
    false_alarms = round((1 - spec) * (n - with_af))
    assert (
        f"Of 10,000 watch wearers, {with_af} have AF and the classifier alerts {alerted} of them. "
        f"But it also alerts {false_alarms} of the {n - with_af:,} without AF" in text
    )
    total = alerted + false_alarms
    assert (
        f"So {total} people get an alert, and only {alerted} of them have AF: **about 1 in 3**"
        in text
    )
    assert abs(alerted / total - 1 / 3) < 0.02
    assert (
        f"{alerted} of the {total} people who test positive have the condition"
        in notebook["outputs"]
    )
    assert f"sensitivity of {sens:.2f} and a specificity of {spec:.2f}" in text


def test_text_states_the_apple_heart_study(rhythm, notebook):
    # clinical-facts.md: 419,297 participants; 2,161 (0.52%) notified; of 450 returned patches,
    # 34% had AF; PPV 0.84 on a simultaneous ECG; adults aged 22 and over.
    text = notebook["markdown"]
    assert f"{2161 / 419297:.2%}" == "0.52%"
    assert "Notified: 2,161 of 419,297 people (0.52%)" in notebook["outputs"]
    assert "419,297 people with an Apple Watch took part" in text
    assert "Only 0.52% got a notification" in text
    assert "450 returned it, and **34%** of them had AF on the patch" in text
    assert "in **84%** of cases: a positive predictive value of 0.84" in text
    assert "**everyone in the study was an adult aged 22 or over**" in text
    assert "Everyone in the Apple Heart Study was 22 or over" in text  # Stop and think
    assert "Jess is 17" in text
    flagged = int(rhythm["young_flags"].sum())
    spec_young = 1 - rhythm["young_flags"].mean()
    assert f"{flagged} of the 100 are flagged" in text
    assert f"the specificity falls from {rhythm['spec']:.2f} to {spec_young:.2f}" in text
    assert f"Flagged as AF: {flagged} of 100 healthy young people" in notebook["outputs"]


def test_the_key_clinical_facts_are_cited(notebook):
    text = notebook["markdown"]
    further = text.split("## Further reading", 1)[1]
    for source in ("Perez MV", "Wolf PA", "NG196", "Hampton", "check-my-pulse", "Kligfield",
                   "Task Force", "Sinus arrhythmia", "find_peaks"):  # fmt: skip
        assert source in further, source
    assert "about five times more likely" in text  # clinical-facts.md: about five-fold


def test_notebook_metadata_and_title(notebook):
    nb = notebook["nb"]
    assert nb["metadata"]["healthlab"] == {"introduces": []}
    title = joined(notebook["cells"][0]["source"])
    assert title.startswith("# Lesson 09: ")
    assert "**Time:** about 60 minutes (35 minutes teaching, 25 minutes exercises)." in title
    assert "HEE" not in title  # the framework line lives in the teacher notes
    assert "Capability Framework" in NOTES.read_text(encoding="utf-8")
    assert joined(notebook["cells"][2]["source"]).startswith("## Warm-up: remember lesson 08")
