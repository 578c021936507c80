"""Lesson 11's exercises, and the numbers its text states, against a fresh computation.

The heart disease tree is rebuilt here with scikit-learn (lesson 06's choices, worked out again
from the data), and every rate is counted again with NumPy and pandas from the committed data
files, with Wilson intervals from SciPy: independently of ``healthlab.fairness``,
``healthlab.evaluate`` and ``healthlab.questions.lesson11``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lessonkit import answer_name, teacher_solutions
from scipy.stats import binomtest

from healthlab import datasets, evaluate, fairness
from healthlab.checks import SAVED, evaluate_answer
from healthlab.questions import lesson11

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "11-fairness.ipynb"
TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "11-fairness.md"
WARMUPS = {"11.warmup-keyword", "11.warmup-bag"}
EXERCISES = WARMUPS | {
    "11.fpr-men",
    "11.relabel",
    "11.occult-order",
    "11.toy-fpr",
    "11.age-audit",
    "11.age-audit-sentences",
}
REPLACE = "Replace the ... with your answer, then run the cell again."


def message(question_id: str, answer) -> str:
    return evaluate_answer(question_id, answer).message


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


def wilson(k: int, n: int) -> tuple[float, float]:
    ci = binomtest(int(k), int(n)).proportion_ci(method="wilson")
    return ci.low, ci.high


def counts(truth: np.ndarray, flagged: np.ndarray) -> dict[str, int]:
    return {
        "tp": int((flagged & truth).sum()),
        "fn": int((~flagged & truth).sum()),
        "fp": int((flagged & ~truth).sum()),
        "tn": int((~flagged & ~truth).sum()),
    }


# --- a fresh computation, as the lesson does it -----------------------------------------------


@pytest.fixture(scope="module")
def heart():
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    raw = pd.read_csv(ROOT / "datasets" / "heart-disease.csv")
    df = raw.copy()
    df.loc[df["chol"] == 0, "chol"] = np.nan  # lesson 06: a zero means "not measured"
    df.loc[df["trestbps"] == 0, "trestbps"] = np.nan
    share = df.drop(columns=["num", "disease", "site"]).isna().mean()
    features = list(share[share < 0.10].index)
    X_train, X_test, y_train, y_test = train_test_split(
        df[features], df["disease"], test_size=0.25, stratify=df["disease"], random_state=42
    )
    model = make_pipeline(
        SimpleImputer(strategy="median"), DecisionTreeClassifier(max_depth=3, random_state=42)
    ).fit(X_train, y_train)
    predictions = model.predict(X_test)
    truth = y_test.to_numpy() == 1
    flagged = predictions == 1
    sex = raw.loc[X_test.index, "sex"].map({0: "female", 1: "male"}).to_numpy()
    site = raw.loc[X_test.index, "site"].to_numpy()

    def by(labels):
        return {g: counts(truth[labels == g], flagged[labels == g]) for g in np.unique(labels)}

    return {
        "raw": raw,
        "features": features,
        "X_test": X_test,
        "y_test": y_test,
        "predictions": predictions,
        "sex": by(sex),
        "site": by(site),
        "age": lambda cut: by(np.where(X_test["age"].to_numpy() >= cut, "older", "younger")),
        "n_test": len(y_test),
        "ill": int(truth.sum()),
    }


@pytest.fixture(scope="module")
def cohort():
    return pd.read_csv(ROOT / "datasets" / "patient-cohort.csv")


@pytest.fixture(scope="module")
def flagged(cohort):
    k = int(0.03 * len(cohort))
    by_cost = cohort.sort_values("annual_cost_gbp", ascending=False, kind="stable").head(k)
    by_need = cohort.sort_values("chronic_conditions", ascending=False, kind="stable").head(k)
    # the need ranking does not depend on how ties at the cut-off are broken
    by_need_cost_ties = cohort.sort_values(
        ["chronic_conditions", "annual_cost_gbp"], ascending=False
    ).head(k)
    assert (by_need["ethnic_group"] == "Black").sum() == (
        by_need_cost_ties["ethnic_group"] == "Black"
    ).sum()
    return {"k": k, "cost": by_cost, "need": by_need}


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    markdown = "\n".join(
        "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"
    )
    markdown = re.sub(r"\s*\n\s*", " ", markdown)  # sentences may wrap across lines
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    sources = "\n".join("".join(cell["source"]) for cell in code)
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


def f2(x: float) -> str:
    return f"{x:.2f}"


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


# --- the numbers the lesson states ---------------------------------------------------------------


def test_the_model_is_lesson_06s(heart, notebook):
    from healthlab.questions import lesson06

    assert f"features = {heart['features']!r}".replace("'", '"') in notebook["sources"]
    assert tuple(heart["features"]) == lesson06.heart_features()
    assert "test_size=0.25, stratify=" in notebook["sources"]
    assert 'SimpleImputer(strategy="median")' in notebook["sources"]
    assert "DecisionTreeClassifier(max_depth=3, random_state=SEED)" in notebook["sources"]
    assert (
        f"{heart['n_test']} test patients, {heart['ill']} with heart disease"
        in (notebook["outputs"])
    )
    assert "the same choices" in notebook["markdown"] and "lesson 06" in notebook["markdown"]


def test_text_states_who_is_in_the_test_set(heart, notebook):
    women = sum(heart["sex"]["female"].values())
    raw = heart["raw"]
    text = notebook["markdown"]
    assert f"Only {women} of the {heart['n_test']} test patients are women" in text
    assert (
        f"the whole data set has {(raw['sex'] == 0).sum()} women and {(raw['sex'] == 1).sum()} men"
        in text
    )


def test_text_states_the_rates_by_sex(heart, notebook):
    w, m = heart["sex"]["female"], heart["sex"]["male"]
    sens_w, sens_m = w["tp"] / (w["tp"] + w["fn"]), m["tp"] / (m["tp"] + m["fn"])
    spec_w, spec_m = w["tn"] / (w["tn"] + w["fp"]), m["tn"] / (m["tn"] + m["fp"])
    text = notebook["markdown"]
    assert (
        f"The tree finds {m['tp']} of the {m['tp'] + m['fn']} men with heart disease "
        f"(sensitivity {f2(sens_m)}), but only {w['tp']} of the {w['tp'] + w['fn']} women "
        f"with it ({f2(sens_w)})." in text
    )
    # "about 1 in 3 of the women ... about 1 in 6 of the men" are missed
    assert round((w["tp"] + w["fn"]) / w["fn"]) == 3 and round((m["tp"] + m["fn"]) / m["fn"]) == 6
    assert "misses about 1 in 3 of the women who have heart disease, and about 1 in 6" in text
    assert f"Specificity goes the other way: {f2(spec_w)} for women, {f2(spec_m)} for men." in text
    fpr_w = w["fp"] / (w["fp"] + w["tn"])
    assert f"For women it is {w['fp']} of {w['fp'] + w['tn']}, or {f2(fpr_w)}." in text
    low_w, high_w = wilson(w["tp"], w["tp"] + w["fn"])
    low_m, high_m = wilson(m["tp"], m["tp"] + m["fn"])
    assert (
        f"just {w['tp'] + w['fn']} women with heart disease, so its interval runs from "
        f"{f2(low_w)} to {f2(high_w)}" in text
    )
    assert f"rests on {m['tp'] + m['fn']} men, and runs from {f2(low_m)} to {f2(high_m)}" in text
    assert low_m < high_w  # "The two intervals overlap"
    assert f"female: {f2(sens_w)} ({f2(low_w)} to {f2(high_w)})" in notebook["outputs"]


def test_text_states_how_intervals_shrink(notebook):
    small, large = wilson(7, 11), wilson(70, 110)
    text = notebook["markdown"]
    assert f"its width falls from {f2(small[1] - small[0])} to {f2(large[1] - large[0])}" in text
    ratio = (small[1] - small[0]) / (large[1] - large[0])
    assert 2.5 < ratio < 3.5  # "about three times narrower"
    assert "about three times narrower" in text
    assert (
        f"70 of 110 found: 0.64, 95% interval {f2(large[0])} to {f2(large[1])}"
        in (notebook["outputs"])
    )


def test_text_states_the_rates_by_site(heart, notebook):
    text = notebook["markdown"]
    for site in ("Cleveland", "Hungary", "Switzerland", "VA Long Beach"):
        c = heart["site"][site]
        people = sum(c.values())
        assert f"**{site}** ({people}" in text, site
    c = heart["site"]["Cleveland"]
    assert (
        f"sensitivity {f2(c['tp'] / (c['tp'] + c['fn']))} ({c['tp']} of {c['tp'] + c['fn']}), "
        f"false-positive rate {f2(c['fp'] / (c['fp'] + c['tn']))} ({c['fp']} of "
        f"{c['fp'] + c['tn']})" in text
    )
    h = heart["site"]["Hungary"]
    assert (
        f"Sensitivity {f2(h['tp'] / (h['tp'] + h['fn']))} ({h['tp']} of {h['tp'] + h['fn']})"
        in (text)
    )
    sens = {s: c["tp"] / (c["tp"] + c["fn"]) for s, c in heart["site"].items()}
    assert min(sens, key=sens.get) == "Hungary"  # "the tree misses the most here"
    v = heart["site"]["VA Long Beach"]
    assert (
        f"{v['fp']} of its {v['fp'] + v['tn']} patients without heart disease were flagged, a "
        f"false-positive rate of {f2(v['fp'] / (v['fp'] + v['tn']))}" in text
    )
    s = heart["site"]["Switzerland"]
    low, high = wilson(s["fp"], s["fp"] + s["tn"])
    assert f"only {s['fp'] + s['tn']} of its test patients had no heart disease" in text
    assert (
        f"{s['fp']} of {s['fp'] + s['tn']} ({f2(s['fp'] / (s['fp'] + s['tn']))}), has an "
        f"interval from {f2(low)} to {f2(high)}" in text
    )
    prevalence = {site: (c["tp"] + c["fn"]) / sum(c.values()) for site, c in heart["site"].items()}
    assert min(prevalence, key=prevalence.get) == "Hungary"
    assert max(prevalence, key=prevalence.get) == "Switzerland"
    assert (
        f"runs from {f2(prevalence['Hungary'])} in Hungary to {f2(prevalence['Switzerland'])} in "
        "Switzerland" in text
    )
    assert "only 2 without the condition: too few to compare" in notebook["outputs"]


def test_text_states_the_cohort_means(cohort, notebook):
    means = cohort.groupby("ethnic_group")[["chronic_conditions", "annual_cost_gbp"]].mean()
    assert means["chronic_conditions"].idxmax() == "Black"
    assert means["annual_cost_gbp"].idxmin() == "Black"
    b, w = means.loc["Black"], means.loc["White"]
    assert (
        f"Black patients have the most long-term conditions on average "
        f"({f2(b['chronic_conditions'])}, against {f2(w['chronic_conditions'])} for White "
        f"patients) but the lowest costs (£{b['annual_cost_gbp']:.0f}, against "
        f"£{w['annual_cost_gbp']:.0f})." in notebook["markdown"]
    )


def test_text_states_who_is_flagged_by_cost_and_by_need(cohort, flagged, notebook):
    text = notebook["markdown"]
    k = flagged["k"]
    black_share = (cohort["ethnic_group"] == "Black").mean()
    by_cost, by_need = flagged["cost"], flagged["need"]
    black_cost = int((by_cost["ethnic_group"] == "Black").sum())
    black_need = int((by_need["ethnic_group"] == "Black").sum())
    assert f"{k} people are flagged (3% of 5,000)" in text
    assert (
        f"Black patients are {pct(black_share)} of the cohort but only {pct(black_cost / k)} of "
        f"the people flagged ({black_cost} people)" in text
    )
    need = by_cost.groupby("ethnic_group")["chronic_conditions"].mean()
    assert (
        f"flagged have {f2(need['Black'])} long-term conditions on average; the White patients, "
        f"{f2(need['White'])}" in text
    )
    need_after = by_need.groupby("ethnic_group")["chronic_conditions"].mean()
    assert (
        f"Black patients make up {pct(black_need / k)} of those flagged ({black_need} people) "
        f"instead of {pct(black_cost / k)} ({black_cost} people): more than their "
        f"{pct(black_share)} share" in text
    )
    assert (
        f"about equally sick ({f2(need_after['Black'])} and {f2(need_after['White'])} "
        "conditions on average)" in text
    )


def test_text_states_need_at_the_same_score(cohort, notebook):
    rank = cohort["annual_cost_gbp"].rank(method="first")
    tenth = pd.qcut(rank, 10, labels=False) + 1
    need = cohort.groupby([tenth, cohort["ethnic_group"]])["chronic_conditions"].mean().unstack()
    top = need.loc[10]
    assert (
        f"in the top tenth of costs, Black patients have {f2(top['Black'])} conditions on "
        f"average and White patients {f2(top['White'])}" in notebook["markdown"]
    )
    for t in (7, 8, 9, 10):  # "the Black line is always the highest ... White the lowest or close"
        assert need.loc[t].idxmax() == "Black"
        assert need.loc[t, "White"] - need.loc[t].min() < 0.01
    assert (need.loc[1:6].max(axis=None)) < 0.35  # "almost nobody has a condition"
    assert f"In the highest tenth: Black {f2(top['Black'])}" in notebook["outputs"]


def test_text_states_occult_hypoxaemia(cohort, notebook):
    band = cohort[cohort["spo2"].between(92, 96)]
    hidden = (band["sao2"] < 88).groupby(band["ethnic_group"]).agg(["sum", "size", "mean"])
    text = notebook["markdown"]
    b, w = hidden.loc["Black"], hidden.loc["White"]
    assert (
        f"hides low oxygen in {pct(b['mean'])} of Black patients' readings ({b['sum']:.0f} of "
        f"{b['size']:.0f}) and in {pct(w['mean'])} of White patients' readings "
        f"({w['sum']:.0f} of {w['size']:,.0f})" in text
    )
    assert 4 < b["mean"] / w["mean"] < 5  # "more than four times as often"
    assert (
        f"The Asian ({pct(hidden.loc['Asian', 'mean'])}), Mixed ({pct(hidden.loc['Mixed', 'mean'])}) "
        f"and Other ({pct(hidden.loc['Other', 'mean'])}) groups are in between" in text
    )
    assert (
        f"Mixed ({hidden.loc['Mixed', 'size']:.0f} readings) and Other "
        f"({hidden.loc['Other', 'size']:.0f})" in text
    )
    assert hidden["size"].nsmallest(2).index.tolist() == ["Mixed", "Other"]
    assert f"Black {pct(b['mean'])}" in notebook["outputs"]  # the figure's alt text


def test_text_states_the_real_numbers_from_clinical_facts(notebook):
    # clinical-facts.md, "Landmark cases" and "Part 4"
    text = notebook["markdown"]
    assert "from **17.7% to 46.5%**" in text
    assert "11.7% of Black patients and 3.6% of White patients at one hospital" in text
    assert "in 17.0% and 6.2% across many hospitals" in text
    assert "reported in March 2024" in text and "Professor Dame Margaret Whitehead" in text
    assert "made 18 recommendations, 8 of them about AI" in text
    assert "Kleinberg, Mullainathan and Raghavan 2016; Chouldechova 2017" in text
    assert "its standard 4 is to consider health inequalities and bias" in text
    assert "[11.7, 3.6]" in notebook["sources"] and "[17.0, 6.2]" in notebook["sources"]


def test_text_states_the_toy_example(notebook):
    text = notebook["markdown"]
    rates = {g: lesson11.toy_rates(g) for g in "AB"}
    assert "Group A's base rate is 0.45 and group B's is 0.24." in text
    assert (400 + 50) / 1000 == 0.45 and (160 + 80) / 1000 == 0.24
    assert "finds 400 of the 450 ill people (0.889), and wrongly flags 100 of the 550" in text
    assert 400 / 450 == pytest.approx(rates["A"]["sensitivity"])
    assert f"{100 / 550:.3f}" == "0.182" == f"{rates['A']['fpr']:.3f}"
    assert "finds 160 of its 240 ill people, 0.667" in text
    assert "Group A: sensitivity 0.889, false-positive rate 0.182" in notebook["outputs"]


def test_text_states_the_base_rates_by_sex(heart, notebook):
    w, m = heart["sex"]["female"], heart["sex"]["male"]
    assert (
        f"{f2((w['tp'] + w['fn']) / sum(w.values()))} of the women in the test set had heart "
        f"disease, and {f2((m['tp'] + m['fn']) / sum(m.values()))} of the men"
        in notebook["markdown"]
    )


def test_key_points_repeat_the_lesson_numbers(heart, notebook):
    points = notebook["markdown"].split("## Key points", 1)[1].split("## Further reading")[0]
    w, m, v = heart["sex"]["female"], heart["sex"]["male"], heart["site"]["VA Long Beach"]
    assert f"in {f2(m['tp'] / (m['tp'] + m['fn']))} of the men" in points
    assert f"only {f2(w['tp'] / (w['tp'] + w['fn']))} of the women" in points
    assert f"flagged {v['fp']} of the {v['fp'] + v['tn']} patients who did not have it" in points
    low, high = wilson(w["tp"], w["tp"] + w["fn"])
    assert f"{w['tp'] + w['fn']} women with heart disease give an interval from {f2(low)}" in points
    assert "ranking by cost flagged 10.0% Black patients and ranking by need 18.7%" in points
    assert "17.7% and 46.5%" in points and "11.7% and 3.6%" in points
    assert "12.3% of Black and 2.8% of White" in points


def test_text_says_what_is_synthetic_and_what_is_real(notebook):
    text = notebook["markdown"]
    assert "The heart data is real. Everyone in the cohort is made up" in text
    assert "These numbers are our choice, made to copy the study. They are not measurements" in text
    assert (
        "the values we chose for the Asian, Mixed and Other groups are our own assumption" in text
    )
    assert "the dots with error bars are invented patients" in text


# --- the exercises ----------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE


def test_warmups():
    assert correct("11.warmup-keyword", True)
    assert "cannot tell that 'denies'" in message("11.warmup-keyword", False)
    assert "True or False" in message("11.warmup-keyword", "True")
    assert correct("11.warmup-bag", True)
    assert "not their order" in message("11.warmup-bag", False)


def test_fpr_men(heart):
    m = heart["sex"]["male"]
    fpr = m["fp"] / (m["fp"] + m["tn"])
    assert correct("11.fpr-men", fpr) and correct("11.fpr-men", round(fpr, 2))
    assert "specificity" in message("11.fpr-men", 1 - fpr)
    w = heart["sex"]["female"]
    assert "for women" in message("11.fpr-men", w["fp"] / (w["fp"] + w["tn"]))
    assert "sensitivity" in message("11.fpr-men", m["tp"] / (m["tp"] + m["fn"]))
    for slip in (m["fp"] / sum(m.values()), m["fn"] / (m["tp"] + m["fn"]), 0.16):
        assert "WITHOUT heart disease" in message("11.fpr-men", slip)
    assert "percentage" in message("11.fpr-men", 100 * fpr)


def test_relabel(cohort):
    right = fairness.selection_by_group(
        cohort, score="chronic_conditions", group="ethnic_group", top_share=0.03,
        need="chronic_conditions",
    )  # fmt: skip
    assert correct("11.relabel", right)
    by_cost = fairness.selection_by_group(
        cohort, score="annual_cost_gbp", group="ethnic_group", top_share=0.03,
        need="chronic_conditions",
    )  # fmt: skip
    assert "still ranked by cost" in message("11.relabel", by_cost)
    age = fairness.selection_by_group(cohort, score="age", group="ethnic_group", top_share=0.03)
    assert "true need" in message("11.relabel", age)
    wider = fairness.selection_by_group(
        cohort, score="chronic_conditions", group="ethnic_group", top_share=0.1
    )
    assert "top_share=0.03" in message("11.relabel", wider)
    by_sex = fairness.selection_by_group(
        cohort, score="chronic_conditions", group="sex", top_share=0.03, need="chronic_conditions"
    )
    assert 'group="ethnic_group"' in message("11.relabel", by_sex)
    no_need = fairness.selection_by_group(
        cohort, score="chronic_conditions", group="ethnic_group", top_share=0.03
    )
    assert 'need="chronic_conditions"' in message("11.relabel", no_need)
    assert "gives back" in message("11.relabel", 0.187)
    assert "did not come from" in message("11.relabel", cohort)


def test_occult_order(cohort):
    for order in lesson11.OCCULT_ORDERS:
        assert correct("11.occult-order", list(order))
    # the lines, run in that order, give the Black row of the lesson's table
    in_band = cohort["spo2"].between(92, 96)
    black = cohort["ethnic_group"] == "Black"
    readings = cohort[in_band & black]
    assert f"{(readings['sao2'] < 88).mean():.3f}" == "0.123"
    assert "Line 3 uses in_band and black" in message("11.occult-order", [1, 3, 2, 4])
    assert "readings does not exist" in message("11.occult-order", [1, 2, 4, 3])
    assert "exactly once" in message("11.occult-order", [1, 1, 3, 4])
    assert "square brackets" in message("11.occult-order", "1234")


def test_toy_fpr():
    assert correct("11.toy-fpr", 40 / 760) and correct("11.toy-fpr", 0.053)
    assert "divides by everyone flagged" in message("11.toy-fpr", 40 / 200)
    assert "all 1,000 people" in message("11.toy-fpr", 40 / 1000)
    assert "group A" in message("11.toy-fpr", 100 / 550)
    assert "specificity" in message("11.toy-fpr", 720 / 760)
    assert "sensitivity" in message("11.toy-fpr", 160 / 240)
    assert "rounded too much" in message("11.toy-fpr", 0.05)


def test_age_audit(heart):
    y_test, predictions, X_test = heart["y_test"], heart["predictions"], heart["X_test"]
    for groups in (
        X_test["age"] >= 60,
        X_test["age"] >= 50,
        pd.cut(X_test["age"], [0, 45, 60, 99]),
    ):
        assert correct("11.age-audit", fairness.subgroup_rates(y_test, predictions, groups))
    sex = heart["raw"].loc[X_test.index, "sex"]
    for groups in (sex, sex.map({0: "female", 1: "male"}), heart["raw"].loc[X_test.index, "site"]):
        audit = fairness.subgroup_rates(y_test, predictions, groups)
        assert "already done" in message("11.age-audit", audit)
    everyone = fairness.subgroup_rates(y_test, predictions, ["all"] * len(y_test))
    assert "one group" in message("11.age-audit", everyone)
    wrong_truth = fairness.subgroup_rates(1 - y_test, predictions, X_test["age"] >= 60)
    assert "y_test" in message("11.age-audit", wrong_truth)
    wrong_predictions = fairness.subgroup_rates(y_test, 1 - predictions, X_test["age"] >= 60)
    assert "predictions" in message("11.age-audit", wrong_predictions)
    half = fairness.subgroup_rates(y_test[:100], predictions[:100], X_test["age"][:100] >= 60)
    assert "230 test patients" in message("11.age-audit", half)
    long = evaluate.subgroup_metrics(y_test, predictions, X_test["age"] >= 60)
    assert "did not come from fairness.subgroup_rates" in message("11.age-audit", long)
    assert "gives back" in message("11.age-audit", 0.71)


def test_age_audit_numbers_in_the_teacher_notes(heart):
    notes = re.sub(r"\s*\n\s*", " ", TEACHER_NOTES.read_text())
    young, old = heart["age"](60)["younger"], heart["age"](60)["older"]
    sens_y = young["tp"] / (young["tp"] + young["fn"])
    assert f"sensitivity {f2(sens_y)} ({young['tp']} of {young['tp'] + young['fn']}" in notes
    assert f"({young['fp']} of {young['fp'] + young['tn']})" in notes
    assert old["fn"] == 0 and f"sensitivity 1.00 ({old['tp']} of {old['tp']}" in notes
    assert f"({old['fp']} of {old['fp'] + old['tn']}, " in notes


def test_age_audit_sentences_are_saved_not_marked():
    feedback = evaluate_answer(
        "11.age-audit-sentences",
        "The tree found heart disease in all 49 older patients who had it but only 55 of the 78 "
        "younger ones, and the intervals do not overlap, so we need more data on younger people.",
    )
    assert not feedback.correct and SAVED in feedback.message
    assert "names the age group" in feedback.message
    assert "Careful" in message("11.age-audit-sentences", "It is definitely fine for everyone.")


@pytest.mark.parametrize("junk", [None, "text", [1, 2], pd.DataFrame({"a": [1]}), 3.5, True])
def test_check_never_raises_on_junk(junk):
    for question_id in EXERCISES:
        feedback = evaluate_answer(question_id, junk)
        assert isinstance(feedback.message, str) and feedback.message
        assert not feedback.correct or (question_id.startswith("11.warmup") and junk is True)


def test_teacher_notes_answers_pass(heart, cohort, notebook):
    from healthlab import datasets as ds

    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    by_sex = evaluate.subgroup_metrics(
        heart["y_test"],
        heart["predictions"],
        groups=ds.load("heart-disease", decode=True).loc[heart["X_test"].index, "sex"],
    )
    toy = pd.DataFrame({"high_risk": [500, 200], "low_risk": [500, 800]}, index=["A", "B"])
    toy["ill_flagged"] = toy["high_risk"] * 8 // 10
    toy["well_flagged"] = toy["high_risk"] - toy["ill_flagged"]
    toy["ill_missed"] = toy["low_risk"] * 1 // 10
    toy["well_not_flagged"] = toy["low_risk"] - toy["ill_missed"]
    for question_id, code in solutions.items():
        namespace = {
            "by_sex": by_sex,
            "fairness": fairness,
            "cohort": datasets.load("patient-cohort"),
            "toy": toy,
            "X_test": heart["X_test"],
            "y_test": heart["y_test"],
            "predictions": heart["predictions"],
        }
        exec(code, namespace)
        answer = namespace[answer_name(notebook["code"], question_id)]
        if question_id == "11.age-audit-sentences":
            assert SAVED in message(question_id, answer)
        else:
            assert correct(question_id, answer), (question_id, code)


def test_unanswered_checks_compute_nothing():
    import time

    start = time.perf_counter()
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE
    assert time.perf_counter() - start < 0.5


# --- the notebook's shape ---------------------------------------------------------------------


def test_warmup_comes_right_after_the_setup_cell(notebook):
    cells = notebook["cells"]
    assert cells[1]["cell_type"] == "code" and "SEED = 42" in "".join(cells[1]["source"])
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 10")
    warmups = [re.search(r'check\("(11\.[\w-]+)"', "".join(c["source"])) for c in cells[3:6]]
    assert {w.group(1) for w in warmups if w} == WARMUPS


def test_title_and_metadata(notebook):
    title = "".join(notebook["cells"][0]["source"])
    assert title.startswith("# Lesson 11: Fairness")
    assert "HEE" not in title  # the framework line lives in the teacher notes
    assert "HEE AI and Digital Healthcare Capability Framework" in TEACHER_NOTES.read_text()
    assert "**Time:** about 60 minutes (30 minutes teaching, 30 minutes exercises)." in title
    assert "(../datasets/heart-disease.md)" in title and "(../datasets/patient-cohort.md)" in title
    assert notebook["metadata"]["healthlab"] == {"introduces": []}


def test_teacher_notes_have_the_support_sections():
    notes = TEACHER_NOTES.read_text()
    for heading in (
        "## Support for students who need it",
        "## Before the lesson: a sensitive topic",
        "## Hinge question and exit ticket",
        "## If the computers or the server fail (unplugged)",
        '### Stop and think: "Does that work on my skin?" (discussion plan',
        "### Stop and think: should a model know your sex or your ethnic group? (discussion plan",
    ):
        assert heading in notes, heading


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        found = re.findall(r'check\("(11\.[\w-]+)", (\w+)\)', "".join(cell["source"]))
        for question_id, name in found:
            ids.add(question_id)
            assert f"{name} = ..." in "".join(cell["source"])  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == REPLACE
    assert ids == EXERCISES
