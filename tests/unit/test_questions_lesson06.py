"""Lesson 06 "Trees, rules and explanations": its checks, and the numbers its text states.

The right answers pass, typical wrong answers get their own hint, an unanswered exercise gets
the "Replace the ..." message, and every model number written in the lesson's markdown (and in
its stored outputs) equals a fresh computation with scikit-learn and healthlab.evaluate.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from healthlab import datasets, evaluate
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson06

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "06-trees-rules-explanations.ipynb"
SEED = 42
REPLACE = "Replace the ... with your answer, then run the cell again."


def tree_pipeline(depth):
    return make_pipeline(
        SimpleImputer(strategy="median"),
        DecisionTreeClassifier(max_depth=depth, random_state=SEED),
    )


# --- a fresh computation, written out as the lesson does it ----------------------------------


@pytest.fixture(scope="module")
def data():
    df = datasets.load("heart-disease", zero_as_missing=True)
    share = df.drop(columns=["num", "disease", "site"]).isna().mean()
    features = list(share[share < 0.10].index)
    X, y = df[features], df["disease"]
    split = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    return df, share, features, split


@pytest.fixture(scope="module")
def fitted(data):
    _, _, _, (X_train, X_test, y_train, y_test) = data
    return tree_pipeline(3).fit(X_train, y_train)


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(LESSON.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    outputs = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
    flat = re.sub(r"\s*\n\s*", " ", markdown).replace("\u2212", "-")
    flat_code = re.sub(r'"\s*\n\s*"', "", code)  # alt texts are split over several lines
    return {"markdown": flat, "code": code, "flat_code": flat_code, "outputs": "\n".join(outputs)}


def message(question_id, answer):
    return evaluate_answer(question_id, answer).message


def metric(y_true, y_pred, measure):
    return float(evaluate.clinical_metrics(y_true, y_pred).loc[measure, "value"])


# --- the exercises ---------------------------------------------------------------------------


def test_every_check_in_the_lesson_is_registered_here(notebook):
    used = set(re.findall(r'check\("(06\.[^"]+)"', notebook["code"]))
    assert used == {
        "06.and-rule-sensitivity",
        "06.trace-tree",
        "06.top-permutation",
        "06.best-depth",
        "06.patient-explanation",
    }
    for question_id in used - {"06.patient-explanation"}:
        assert message(question_id, ...) == REPLACE, question_id


def test_unanswered_exercises_store_the_replace_message(notebook):
    assert notebook["outputs"].count(REPLACE) == 4
    assert "Replace the ... with your explanation" in notebook["outputs"]


def test_the_lesson_uses_the_same_recipe_as_the_checks(data):
    _, _, features, (X_train, X_test, _, _) = data
    assert list(lesson06.heart_features()) == features
    assert lesson06.heart_split()[1].index.equals(X_test.index)


def test_and_rule_sensitivity(data, fitted):
    _, _, _, (_, X_test, _, y_test) = data
    both = ((X_test["cp"] == 4) & (X_test["exang"] == 1)).astype(int)
    either = ((X_test["cp"] == 4) | (X_test["exang"] == 1)).astype(int)
    right = metric(y_test, both, "sensitivity")
    assert evaluate_answer("06.and-rule-sensitivity", right).correct
    assert "OR rule" in message("06.and-rule-sensitivity", metric(y_test, either, "sensitivity"))
    assert "specificity of the AND rule" in message(
        "06.and-rule-sensitivity", metric(y_test, both, "specificity")
    )
    tree_sens = metric(y_test, fitted.predict(X_test), "sensitivity")
    assert "tree's sensitivity" in message("06.and-rule-sensitivity", tree_sens)
    assert "percentage" in message("06.and-rule-sensitivity", right * 100)
    assert 0.4 < right < 0.6  # the praise says it "misses about half"


def test_trace_tree_matches_a_hand_walk_of_the_lesson_tree(fitted, notebook):
    tree = fitted[-1].tree_
    names = lesson06.heart_features()
    patient = lesson06.NEW_PATIENT
    node = 0
    while tree.children_left[node] != -1:  # follow the questions exactly as a student would
        name = names[tree.feature[node]]
        assert name in patient, f"the tree asks about {name}, which the task does not give"
        go_left = patient[name] <= tree.threshold[node]
        node = tree.children_left[node] if go_left else tree.children_right[node]
    by_hand = "disease" if tree.value[node][0].argmax() == 1 else "no disease"
    assert by_hand == "no disease"
    assert evaluate_answer("06.trace-tree", by_hand).correct
    assert evaluate_answer("06.trace-tree", "No disease").correct
    assert "sex 0 means female" in message("06.trace-tree", "disease")
    assert "in words" in message("06.trace-tree", 0)
    assert "Choose one of" in message("06.trace-tree", "maybe")
    task = notebook["markdown"]
    assert "a 60-year-old woman (`sex` = 0) with typical angina (`cp` = 1)" in task
    assert "no exercise-induced angina (`exang` = 0)" in task
    assert "ST depression (`oldpeak`) of 0.5 mm" in task


def test_top_permutation(data, fitted):
    _, _, features, (_, X_test, _, y_test) = data
    result = permutation_importance(fitted, X_test, y_test, n_repeats=20, random_state=SEED)
    ranked = pd.Series(result.importances_mean, index=features).sort_values(ascending=False)
    top = ranked.index[0]
    assert evaluate_answer("06.top-permutation", top).correct
    assert evaluate_answer("06.top-permutation", "chest pain type").correct
    unused = ranked[ranked == 0].index[0]
    assert "never asks about it" in message("06.top-permutation", unused)
    assert "another one matters more" in message("06.top-permutation", ranked.index[1])
    assert "not one of the measurement columns" in message("06.top-permutation", "banana")
    assert "as text in quotes" in message("06.top-permutation", 3)


def test_best_depth(data):
    _, _, _, (X_train, _, y_train, _) = data
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    cv_scores = {
        d: cross_val_score(tree_pipeline(d), X_train, y_train, cv=cv).mean()
        for d in lesson06.DEPTHS
    }
    best = max(cv_scores, key=cv_scores.get)
    assert evaluate_answer("06.best-depth", best).correct
    assert "TRAINING patients" in message("06.best-depth", 20)
    assert "looks like an accuracy" in message("06.best-depth", round(cv_scores[best], 3))


def test_patient_explanation():
    good = (
        "The computer compared your results with hundreds of earlier patients. You had chest "
        "pain during the exercise test, and most people like you had a narrowed artery. The "
        "angiogram will tell us for certain."
    )
    assert evaluate_answer("06.patient-explanation", good).correct
    assert "Replace the ..." in message("06.patient-explanation", "\n...\n")
    assert "very short" in message("06.patient-explanation", "You probably have heart disease.")
    assert "column codes" in message("06.patient-explanation", good + " Your cp was 4.")
    assert "for programmers" in message("06.patient-explanation", good + " You reached a leaf.")
    assert "as text" in message("06.patient-explanation", 42)


def test_the_lessons_own_patient_explanation_passes_the_check(notebook):
    found = re.search(r"\*\*To the patient\*\*[^*]*\*\"(.+?)\"\*", notebook["markdown"])
    assert found, "the example explanation for the patient has moved"
    assert evaluate_answer("06.patient-explanation", found.group(1)).correct


# --- the numbers the text states --------------------------------------------------------------


def test_missing_value_decision_matches_the_data(data, notebook):
    _, share, features, _ = data
    assert features == [
        "age", "sex", "cp", "trestbps", "fbs", "restecg", "thalach", "exang", "oldpeak"
    ]  # fmt: skip
    text = notebook["markdown"]
    assert "Two thirds of the `ca` values are missing" in text and 0.6 < share["ca"] < 0.7
    assert "half of `thal`" in text and 0.45 < share["thal"] < 0.55
    assert "a third of `slope`" in text and 0.3 < share["slope"] < 0.37
    assert "a fifth of `chol`" in text and 0.18 < share["chol"] < 0.25
    assert "fewer than 1 in 10" in text and share[features].max() < 0.10


def test_text_states_the_computed_numbers(data, fitted, notebook):
    df, _, _, (X_train, X_test, y_train, y_test) = data
    text = notebook["markdown"]
    tree_table = evaluate.clinical_metrics(y_test, fitted.predict(X_test))
    rule = ((X_test["cp"] == 4) | (X_test["exang"] == 1)).astype(int)
    rule_table = evaluate.clinical_metrics(y_test, rule)
    t, r = tree_table["value"], rule_table["value"]
    n = tree_table.loc[["sensitivity", "specificity"], ["numerator", "denominator"]]
    asymptomatic = df[df["cp"] == 4]
    leaf_of = fitted[-1].apply(fitted[:-1].transform(X_train))
    leaves = pd.crosstab(leaf_of, y_train.to_numpy())
    big_leaf = leaves[1].idxmax()
    rule_train = ((X_train["cp"] == 4) | (X_train["exang"] == 1)).astype(int)
    phrases = [
        f"finds {n.loc['sensitivity', 'numerator']} of the {n.loc['sensitivity', 'denominator']} "
        f"patients with disease (sensitivity {t['sensitivity']:.2f})",
        f"correctly clears {n.loc['specificity', 'numerator']} of the "
        f"{n.loc['specificity', 'denominator']} without (specificity {t['specificity']:.2f})",
        f"Its accuracy is {t['accuracy']:.2f}",
        f"{int(asymptomatic['disease'].sum())} of the {len(asymptomatic)} patients with "
        f'"asymptomatic" chest pain had disease ({asymptomatic["disease"].mean():.0%})',
        f"sensitivity {r['sensitivity']:.2f} against {t['sensitivity']:.2f}, specificity "
        f"{r['specificity']:.2f} against {t['specificity']:.2f}, accuracy {r['accuracy']:.2f} "
        f"against {t['accuracy']:.2f}",
        f"accuracy {rule_table.loc['accuracy', 'ci_low']:.2f} to "
        f"{rule_table.loc['accuracy', 'ci_high']:.2f} for the rule, "
        f"{tree_table.loc['accuracy', 'ci_low']:.2f} to "
        f"{tree_table.loc['accuracy', 'ci_high']:.2f} for the tree",
        f"{leaves.loc[big_leaf, 1]} of {leaves.loc[big_leaf].sum()} had disease",
        f"{leaves.loc[big_leaf, 1] / leaves.loc[big_leaf].sum():.0%} of the "
        f"{leaves.loc[big_leaf].sum()} training patients had disease",
        "OR rule? It has nothing to learn",
        f"{(rule_train == y_train).mean():.3f}, against",
    ]
    missing = [p for p in phrases if p not in text]
    assert not missing, "the lesson text no longer matches the computation:\n" + "\n".join(missing)
    assert r["accuracy"] > t["accuracy"]  # "the OR rule does better than the tree"
    assert rule_table.loc["accuracy", "ci_low"] < tree_table.loc["accuracy", "ci_high"]


def test_importance_text_matches(data, fitted, notebook):
    _, _, features, (_, X_test, _, y_test) = data
    text = notebook["markdown"]
    result = permutation_importance(fitted, X_test, y_test, n_repeats=20, random_state=SEED)
    perm = pd.Series(result.importances_mean, index=features).sort_values(ascending=False)
    tree = pd.Series(fitted[-1].feature_importances_, index=features).sort_values(ascending=False)
    assert f"costs the tree {perm['cp']:.3f} of its accuracy" in text
    assert f"Age comes next, at {perm['age']:.3f}" in text
    assert list(perm.index[:2]) == ["cp", "age"] and tree.index[0] == "cp"
    unused = sorted(perm[perm == 0].index)
    assert unused == ["fbs", "restecg", "thalach", "trestbps"]
    assert "(`fbs`, `trestbps`, `thalach` and `restecg`) score exactly 0" in text
    # "`exang` and `oldpeak` swap places" between the two kinds of importance
    assert (tree["exang"] > tree["oldpeak"]) and (perm["exang"] < perm["oldpeak"])
    alt = notebook["flat_code"]
    assert f"cp {perm['cp']:.3f}, far ahead of age {perm['age']:.3f}" in alt


def test_explained_patient_matches_the_first_test_patient(data, fitted, notebook):
    _, _, _, (_, X_test, _, _) = data
    patient = X_test.iloc[0]
    text = notebook["markdown"]
    assert f"This {patient['age']:g}-year-old man" in text and patient["sex"] == 1
    assert patient["cp"] == 4 and patient["exang"] == 1
    assert f"{patient['oldpeak']:g} mm of ST depression" in text
    chance = fitted.predict_proba(X_test.iloc[[0]])[0, 1]
    assert f"{chance:.0%} of the" in text
    assert f"About {round(chance * 10)} in 10 people with results like yours" in text
    assert "A 46-year-old man is waiting" in text and patient["age"] == 46


def test_depth_text_matches(data, notebook):
    _, _, _, (X_train, _, y_train, _) = data
    table = lesson06.depth_table()
    text = notebook["markdown"]
    deepest = tree_pipeline(20).fit(X_train, y_train)
    assert f"up to {table.loc[20, 'training accuracy']:.3f} at depth 20" in text
    assert f"with {deepest[-1].get_n_leaves()} leaves" in text
    cv = table["cross-validated accuracy"]
    assert f"highest at depth {cv.idxmax()} ({cv.max():.3f})" in text
    assert f"about {cv[10]:.2f} for depths 10 and 20" in text and round(cv[20], 2) == 0.71
    assert f"Depth 1, a single question about chest pain type, scores {cv[1]:.3f}" in text
    assert f"only {round((cv.max() - cv[1]) * 100)} percentage points below the best" in text
    assert f"against {cv[3]:.3f} for the depth-3 tree" in text


def test_tree_alt_text_describes_the_tree(fitted, notebook):
    tree = fitted[-1]
    leaves = [i for i in range(tree.tree_.node_count) if tree.tree_.children_left[i] == -1]
    disease_leaves = sum(tree.tree_.value[i][0].argmax() == 1 for i in leaves)
    alt = notebook["flat_code"]
    assert f"Decision tree diagram with {len(leaves)} leaves" in alt
    assert (
        f"{len(leaves) - disease_leaves} leaves predict no disease and {disease_leaves} predict "
        "disease" in alt
    )
    left, right = tree.tree_.children_left[0], tree.tree_.children_right[0]
    assert f"True branch ({tree.tree_.n_node_samples[left]} patients)" in alt
    assert f"False branch ({tree.tree_.n_node_samples[right]} patients)" in alt


def test_the_lesson_cites_its_sources(notebook):
    text = notebook["markdown"]
    assert "https://doi.org/10.24432/C52P4X" in text
    assert "Caldicott Principles" in text
    assert "Explaining decisions made with AI" in text


def test_teacher_notes_model_answer_passes_and_matches_patient_five(data, fitted):
    notes = LESSON.parent / "teacher-notes" / "06-trees-rules-explanations.md"
    quoted = re.search(r'^> "(.+?)"$', notes.read_text(), re.DOTALL | re.MULTILINE)
    assert quoted, "the model answer for Your turn 5 has moved"
    answer = quoted.group(1).replace("\n> ", " ")
    assert evaluate_answer("06.patient-explanation", answer).correct
    _, _, _, (_, X_test, _, _) = data
    patient = X_test.iloc[5]
    assert (patient["age"], patient["sex"], patient["cp"], patient["exang"]) == (37, 1, 2, 0)
    chance = fitted.predict_proba(X_test.iloc[[5]])[0, 1]
    assert round(1 / chance) == 7  # "About 1 in 7 people with results like yours"
