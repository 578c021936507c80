"""healthlab.capstone: the four questions load, split, fit and check, against fresh computations.

The splits are rebuilt here with scikit-learn directly (the stratified split of lessons 03 and
10, ``GroupShuffleSplit`` for the ward, the Cleveland / other hospitals split), and the
recomputed measures with scikit-learn's own metrics, independently of the module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from healthlab import capstone, datasets

NAMES = ("malignancy", "deterioration", "heart-sites", "urgency")


@pytest.fixture(scope="module")
def projects():
    return {name: capstone.load_question(name) for name in NAMES}


# --- the menu ----------------------------------------------------------------------------------


def test_the_menu_has_four_questions_in_order():
    assert tuple(capstone.QUESTIONS) == NAMES
    table = capstone.menu()
    assert table.index.tolist() == list(NAMES)
    assert {"question", "data", "outcome", "one row is", "split", "audit by", "lessons"} <= set(
        table.columns
    )
    for name, question in capstone.QUESTIONS.items():
        assert question.name == name
        assert question.dataset in datasets.list_datasets()["name"].tolist()
        assert 0 < question.threshold < 1
        assert question.decision and question.current_practice and question.question
    with pytest.raises(TypeError):
        capstone.QUESTIONS["new"] = capstone.QUESTIONS["urgency"]  # read-only


def test_an_unknown_question_lists_the_four():
    with pytest.raises(ValueError) as error:
        capstone.load_question("sepsis")
    message = str(error.value)
    assert "'sepsis'" in message
    for name in NAMES:
        assert repr(name) in message
    with pytest.raises(TypeError, match="name as text"):
        capstone.load_question(3)
    with pytest.raises(ValueError, match="Choose one of"):
        capstone.starter_model("cancer")
    assert capstone.load_question(" Malignancy ").question.name == "malignancy"


# --- loading -----------------------------------------------------------------------------------


def test_every_project_is_consistent(projects):
    for name, project in projects.items():
        question = project.question
        n = len(project.data)
        assert len(project.X) == len(project.y) == len(project.groups) == len(project.ids) == n
        for part in (project.X, project.y, project.groups, project.ids):
            assert part.index.equals(pd.RangeIndex(n)), name
        assert set(project.y.unique()) == {0, 1}
        assert project.y.name == question.outcome
        assert not project.groups.isna().any() and not project.ids.isna().any()
        assert project.ids.map(type).eq(str).all(), "ids are text, never row numbers"
        inputs = project.X.columns if isinstance(project.X, pd.DataFrame) else [project.X.name]
        assert question.outcome not in inputs
        assert name in repr(project)


def test_malignancy_matches_scikit_learn(projects):
    from sklearn.datasets import load_breast_cancer

    project = projects["malignancy"]
    raw = load_breast_cancer()
    np.testing.assert_allclose(project.X.to_numpy(), raw.data)
    assert (project.y.to_numpy() == 1 - raw.target).all()  # 1 = malignant
    assert project.ids.is_unique and project.ids.iloc[0] == "FNA001"
    smaller = raw.data[:, list(raw.feature_names).index("mean radius")] < 15
    counts = project.groups.value_counts()
    assert counts[project.groups[smaller].iloc[0]] == smaller.sum() == 395
    malignant = 1 - raw.target
    assert malignant[smaller].sum() == 51 and malignant[~smaller].sum() == 161


def test_the_other_projects(projects):
    ward = projects["deterioration"]
    assert list(ward.X.columns) == list(capstone.WARD_INPUTS)
    assert ward.ids.nunique() == 800 and ward.y.sum() == 567
    assert (ward.data["oxygen"] == ward.data["on_oxygen"].astype(int)).all()
    assert sorted(ward.groups.unique()) == ["18-64", "65-79", "80 and over"]
    assert (ward.data.loc[ward.groups == "80 and over", "age"] >= 80).all()
    heart = projects["heart-sites"]
    assert list(heart.X.columns) == list(capstone.HEART_INPUTS)
    assert heart.X["trestbps"].isna().sum() > 0  # zero_as_missing: 0 means "not measured"
    assert heart.ids.is_unique and len(heart.ids) == 920
    triage = projects["urgency"]
    assert isinstance(triage.X, pd.Series) and triage.X.name == "note"
    assert (triage.data.loc[triage.groups == "75 and over", "age"] >= 75).all()


# --- splitting ---------------------------------------------------------------------------------


def test_malignancy_and_urgency_use_the_stratified_split_of_lessons_03_and_10(projects):
    for name, outcome in (("malignancy", "malignant"), ("urgency", "urgent")):
        project = projects[name]
        train_rows, test_rows = capstone.split(project, seed=42)
        _, test = train_test_split(
            project.data, test_size=0.25, stratify=project.data[outcome], random_state=42
        )
        assert sorted(test.index) == test_rows.tolist()
        assert sorted(set(range(len(project.data))) - set(test.index)) == train_rows.tolist()
    malignancy_test = capstone.split(projects["malignancy"])[1]
    assert (
        len(malignancy_test) == 143 and projects["malignancy"].y.iloc[malignancy_test].sum() == 53
    )
    urgency_test = capstone.split(projects["urgency"])[1]
    assert len(urgency_test) == 750 and projects["urgency"].y.iloc[urgency_test].sum() == 281


def test_deterioration_splits_by_patient_as_lesson_07(projects):
    ward = projects["deterioration"]
    train_rows, test_rows = capstone.split(ward, seed=42)
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=42)
    fresh_train, fresh_test = next(splitter.split(ward.data, groups=ward.data["patient_id"]))
    assert train_rows.tolist() == sorted(fresh_train) and test_rows.tolist() == sorted(fresh_test)
    train_ids, test_ids = set(ward.ids.iloc[train_rows]), set(ward.ids.iloc[test_rows])
    assert not train_ids & test_ids
    assert (len(train_ids), len(test_ids)) == (560, 240)
    other_train, _ = capstone.split(ward, test_size=0.5, seed=1)
    assert ward.ids.iloc[other_train].nunique() == 400


def test_heart_sites_learns_at_cleveland_and_tests_elsewhere(projects):
    heart = projects["heart-sites"]
    train_rows, test_rows = capstone.split(heart)
    sites = heart.data["site"]
    assert (sites.iloc[train_rows] == "Cleveland").all() and len(train_rows) == 303
    assert set(sites.iloc[test_rows]) == {"Hungary", "Switzerland", "VA Long Beach"}
    assert len(train_rows) + len(test_rows) == 920
    with pytest.raises(ValueError, match="splits by hospital"):
        capstone.split(heart, test_size=0.3)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2, "0.25", True])
def test_split_refuses_a_bad_test_size(projects, bad):
    with pytest.raises(ValueError, match="test_size"):
        capstone.split(projects["malignancy"], test_size=bad)


def test_split_refuses_a_bad_seed_or_project(projects):
    for bad in (-1, 2.5, "42", True):
        with pytest.raises(ValueError, match="seed"):
            capstone.split(projects["malignancy"], seed=bad)
    with pytest.raises(TypeError, match="load_question"):
        capstone.split(projects["malignancy"].data)


# --- leakage -----------------------------------------------------------------------------------


def test_leakage_lists_the_shared_ids():
    assert capstone.leakage(["W001", "W001", "W002"], ["W003"]) == []
    assert capstone.leakage(pd.Series(["b", "a", "c"]), np.array(["c", "b", "z"])) == ["b", "c"]
    assert capstone.leakage([1, "a"], ["a", 1]) == ["a", 1]  # mixed types: sorted by repr
    ward = capstone.load_question("deterioration")
    rows_train, rows_test = train_test_split(ward.ids, test_size=0.3, random_state=42)
    shared = capstone.leakage(rows_train, rows_test)
    assert len(shared) == len(set(rows_train) & set(rows_test)) == 793


@pytest.mark.parametrize("bad", [None, "W001", 7, pd.DataFrame({"id": ["a"]})])
def test_leakage_refuses_what_is_not_ids(bad):
    with pytest.raises(TypeError):
        capstone.leakage(bad, ["a"])
    with pytest.raises(TypeError):
        capstone.leakage(["a"], bad)


def test_leakage_refuses_missing_ids():
    with pytest.raises(ValueError, match="missing"):
        capstone.leakage(["a", None], ["b"])
    with pytest.raises(ValueError, match="missing"):
        capstone.leakage(["a"], [float("nan")])


# --- models and recomputed measures ------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(projects):
    project = projects["malignancy"]
    train_rows, test_rows = capstone.split(project)
    model = capstone.starter_model("malignancy").fit(
        project.X.iloc[train_rows], project.y.iloc[train_rows]
    )
    return model, project.X.iloc[test_rows], project.y.iloc[test_rows]


def test_metrics_match_recomputes_with_scikit_learn(fitted):
    model, X_test, y_test = fitted
    risk = model.predict_proba(X_test)[:, 1]
    for threshold in (0.5, 0.2):
        tn, fp, fn, tp = confusion_matrix(y_test, (risk >= threshold).astype(int)).ravel()
        truth = {
            "sensitivity": tp / (tp + fn),
            "specificity": tn / (tn + fp),
            "ppv": tp / (tp + fp),
            "npv": tn / (tn + fn),
            "accuracy": (tp + tn) / len(y_test),
            "auroc": roc_auc_score(y_test, risk),
        }
        reported = {"threshold": threshold, **{k: round(v, 3) for k, v in truth.items()}}
        table = capstone.metrics_match(model, X_test, y_test, reported)
        assert table.index.tolist() == list(truth)
        assert table["matches"].all()
        for measure, value in truth.items():
            assert table.loc[measure, "recomputed"] == pytest.approx(value, rel=1e-12)
        assert table.attrs == {"threshold": threshold, "n": len(y_test)}
    off = capstone.metrics_match(model, X_test, y_test, {"sensitivity": 0.92})
    assert not off.loc["sensitivity", "matches"]  # 0.92 is not 0.9245... to 3 decimal places
    assert capstone.metrics_match(model, X_test, y_test, {"sensitivity": 0.9245})["matches"].all()


def test_metrics_match_refuses_bad_reports(fitted):
    model, X_test, y_test = fitted
    with pytest.raises(ValueError, match="'recall'"):
        capstone.metrics_match(model, X_test, y_test, {"recall": 0.9})
    with pytest.raises(ValueError, match="must be a number"):
        capstone.metrics_match(model, X_test, y_test, {"sensitivity": "0.9"})
    with pytest.raises(ValueError, match="must be a number"):
        capstone.metrics_match(model, X_test, y_test, {"sensitivity": float("nan")})
    with pytest.raises(ValueError, match="threshold"):
        capstone.metrics_match(model, X_test, y_test, {"threshold": 1.5, "sensitivity": 0.9})
    with pytest.raises(ValueError, match="no measure"):
        capstone.metrics_match(model, X_test, y_test, {"threshold": 0.5})
    with pytest.raises(TypeError, match="dict"):
        capstone.metrics_match(model, X_test, y_test, [("sensitivity", 0.9)])
    with pytest.raises(TypeError, match="predict_proba"):
        capstone.metrics_match(object(), X_test, y_test, {"sensitivity": 0.9})
    with pytest.raises(ValueError, match="same test rows"):
        capstone.metrics_match(model, X_test, y_test.iloc[:-1], {"sensitivity": 0.9})


def test_starter_models_are_unfitted_pipelines():
    from sklearn.pipeline import Pipeline

    for name in NAMES:
        model = capstone.starter_model(name)
        assert isinstance(model, Pipeline)
        assert isinstance(model[-1], LogisticRegression)
        assert not hasattr(model[-1], "coef_")
    assert type(capstone.starter_model("urgency")[0]).__name__ == "CountVectorizer"
    assert type(capstone.starter_model("heart-sites")[0]).__name__ == "SimpleImputer"
    with pytest.raises(ValueError, match="seed"):
        capstone.starter_model("urgency", seed=-3)


def test_the_scaffold_runs_for_every_question(projects):
    """What the lesson does after QUESTION = ..., for each of the four questions."""
    import matplotlib

    matplotlib.use("Agg")
    from sklearn.dummy import DummyClassifier

    from healthlab import evaluate, fairness, plots

    for name, project in projects.items():
        train_rows, test_rows = capstone.split(project, seed=42)
        X_train, y_train = project.X.iloc[train_rows], project.y.iloc[train_rows]
        X_test, y_test = project.X.iloc[test_rows], project.y.iloc[test_rows]
        baseline = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
        assert (
            evaluate.clinical_metrics(y_test, baseline.predict(X_test)).loc["sensitivity", "value"]
            == 0
        ), name
        model = capstone.starter_model(name, seed=42).fit(X_train, y_train)
        risk = model.predict_proba(X_test)[:, 1]
        flagged = (risk >= project.question.threshold).astype(int)
        evaluate.clinical_metrics(y_test, flagged)
        scores = {"baseline": baseline.predict_proba(X_test)[:, 1], "model": risk}
        table = evaluate.auroc(y_test, scores, groups=project.ids.iloc[test_rows], seed=42)
        assert table.loc["model", "auroc"] > 0.75, name
        audit = fairness.subgroup_rates(y_test, flagged, groups=project.groups.iloc[test_rows])
        assert audit["people"].sum() == len(test_rows)
        by_group = evaluate.subgroup_metrics(
            y_test, flagged, project.groups.iloc[test_rows], min_cases=0
        )
        plots.close(plots.plot_subgroups(by_group, "sensitivity"))
        plots.close(plots.plot_roc(y_test, risk))


def test_news2_scores_the_ward_project(projects):
    """The lesson points deterioration students to scores.news2_frame(project.data)."""
    from healthlab import scores

    ward = projects["deterioration"]
    totals = scores.news2_frame(ward.data)["total"]
    assert len(totals) == len(ward.data) and totals.between(0, 20).all()
