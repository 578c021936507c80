"""The capstone project: four clinical questions, each ready to load, split and check.

Lesson 14 asks every student to take one clinical question from start to finish: the question,
its data, an honest split, a baseline and a model, clinical measures with intervals, a subgroup
audit, a model card and a one-page brief. This module holds what the four questions need so
that the lesson's scaffold stays short, and the two checks a computer can do honestly:

- :data:`QUESTIONS` and :func:`menu`: the four questions, each a :class:`ClinicalQuestion`
  (its data set, outcome, the id that keeps a patient's rows together, the group to audit, how
  to split, the decision it supports and who makes it).
- :func:`load_question`: the data of one question as a :class:`Project` (the table, the model
  inputs ``X``, the outcome ``y``, the audit ``groups`` and the ``ids``).
- :func:`starter_model`: a simple scikit-learn model that works for the question, to start
  from (the lessons that taught it are named in the menu).
- :func:`split`: the question's split, by patient or by hospital, as row positions.
- :func:`leakage`: the ids that are in both the training and the test set (none is the goal).
- :func:`metrics_match`: recompute the measures a student reports from their model on the
  test set, and say which match.

The splits are the ones earlier lessons used, so the numbers can be recognised: a stratified
split for the breast cancer aspirates (lesson 03) and the triage notes (lesson 10), a split by
patient with ``GroupShuffleSplit`` for the ward (lesson 07), and a split by hospital for heart
disease (learn at Cleveland, test at the three other sites: external validation).

Examples
--------
>>> from healthlab import capstone
>>> sorted(capstone.QUESTIONS)
['deterioration', 'heart-sites', 'malignancy', 'urgency']
>>> project = capstone.load_question("malignancy")
>>> len(project.X), int(project.y.sum()), project.ids.iloc[0]
(569, 212, 'FNA001')
>>> train_rows, test_rows = capstone.split(project, seed=42)
>>> len(train_rows), len(test_rows)
(426, 143)
>>> capstone.leakage(project.ids.iloc[train_rows], project.ids.iloc[test_rows])
[]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MEASURES",
    "QUESTIONS",
    "ClinicalQuestion",
    "Project",
    "leakage",
    "load_question",
    "menu",
    "metrics_match",
    "split",
    "starter_model",
]

#: The measures :func:`metrics_match` can recompute, besides the ``threshold`` it uses.
MEASURES = ("sensitivity", "specificity", "ppv", "npv", "accuracy", "auroc")


@dataclass(frozen=True)
class ClinicalQuestion:
    """One question of the capstone menu.

    Attributes
    ----------
    name : str
        What to pass to :func:`load_question`, e.g. ``"malignancy"``.
    question : str
        The clinical question, in plain words.
    decision : str
        The decision an answer would support, and who makes it.
    current_practice : str
        What happens now, without a model: what any model must be compared with.
    dataset : str
        The course data set (:func:`healthlab.datasets.load`).
    outcome : str
        The column the model predicts (1 = yes).
    row : str
        What one row of the data is ("aspirate", "set of observations", ...).
    id_column : str
        The id that keeps one person's (or one attendance's) rows together.
    group : str
        The name of the subgroup used for the audit, e.g. ``"age band"``.
    split : str
        How the data are split into training and test rows, in words.
    test_size : float or None
        The share of ids kept for the test set (None when the split is by hospital).
    threshold : float
        A starting threshold for turning a risk into a flag: a clinical choice to revisit.
    starter : str
        The starter model, in words.
    lessons : str
        The lessons that taught what the question needs.
    """

    name: str
    question: str
    decision: str
    current_practice: str
    dataset: str
    outcome: str
    row: str
    id_column: str
    group: str
    split: str
    test_size: float | None
    threshold: float
    starter: str
    lessons: str


@dataclass(frozen=True)
class Project:
    """The data of one capstone question, as :func:`load_question` returns it.

    Attributes
    ----------
    question : ClinicalQuestion
        The menu entry.
    data : pandas.DataFrame
        The whole table, with the id and audit-group columns added.
    X : pandas.DataFrame or pandas.Series
        The model's inputs (for the triage notes, the text of each note).
    y : pandas.Series
        The outcome, 0 or 1.
    groups : pandas.Series
        The audit group of each row.
    ids : pandas.Series
        The id of each row: rows with the same id belong to the same person and must stay
        on the same side of the split.
    """

    question: ClinicalQuestion
    data: pd.DataFrame
    X: Any
    y: pd.Series
    groups: pd.Series
    ids: pd.Series

    def __repr__(self) -> str:
        q = self.question
        return (
            f"Project({q.name!r}: {len(self.data)} rows ({q.row}s), {self.ids.nunique()} ids, "
            f"{q.outcome} = 1 in {int(self.y.sum())})"
        )


_QUESTION_LIST = (
    ClinicalQuestion(
        name="malignancy",
        question="Can measurements of the cells in a needle sample (a fine-needle aspirate) "
        "of a breast lump tell a malignant lump from a benign one?",
        decision="How urgently the breast team follows up each woman; the team decides, and "
        "a biopsy confirms the diagnosis.",
        current_practice="Triple assessment: examination, imaging and a biopsy read by a "
        "pathologist.",
        dataset="breast-cancer",
        outcome="malignant",
        row="aspirate",
        id_column="aspirate_id",
        group="nucleus size",
        split="by woman (each gave one aspirate): a stratified random split, as in lesson 03",
        test_size=0.25,
        threshold=0.5,
        starter="scaled logistic regression (lesson 03)",
        lessons="03, 04",
    ),
    ClinicalQuestion(
        name="deterioration",
        question="Can a model warn, from one set of routine observations, that an adult on a "
        "ward will be admitted to intensive care or die within 24 hours?",
        decision="When the nurse calls a doctor for an urgent review; the nurse and the doctor "
        "decide.",
        current_practice="NEWS2, scored by the nurse at the bedside (lesson 07).",
        dataset="ward-observations",
        outcome="deteriorated",
        row="set of observations",
        id_column="patient_id",
        group="age band",
        split="by patient, with GroupShuffleSplit, as in lesson 07",
        test_size=0.3,
        threshold=0.1,
        starter="scaled logistic regression on NEWS2's vital signs (lesson 07)",
        lessons="07",
    ),
    ClinicalQuestion(
        name="heart-sites",
        question="A heart disease model learned at one hospital (Cleveland): does it still "
        "work at three other hospitals?",
        decision="Which referred patients go first for a coronary angiogram; the cardiologist "
        "decides.",
        current_practice="The cardiologist's assessment, then angiography.",
        dataset="heart-disease",
        outcome="disease",
        row="patient",
        id_column="patient_id",
        group="site",
        split="by hospital: learn at Cleveland, test at Hungary, Switzerland and VA Long Beach "
        "(external validation, lesson 13)",
        test_size=None,
        threshold=0.5,
        starter="missing values filled with the median, then scaled logistic regression "
        "(lessons 06 and 11)",
        lessons="06, 11, 13",
    ),
    ClinicalQuestion(
        name="urgency",
        question="Can a model read an emergency department triage note and flag the patients "
        "who should be seen urgently?",
        decision="The order in which patients are seen; the triage nurse decides.",
        current_practice="The triage nurse's own judgement.",
        dataset="triage-notes",
        outcome="urgent",
        row="note",
        id_column="note_id",
        group="age band",
        split="by note (each is one attendance): a stratified random split, as in lesson 10",
        test_size=0.25,
        threshold=0.5,
        starter="bag of words, then logistic regression (lesson 10)",
        lessons="10",
    ),
)

#: The capstone menu: name -> :class:`ClinicalQuestion`.
QUESTIONS: Mapping[str, ClinicalQuestion] = MappingProxyType({q.name: q for q in _QUESTION_LIST})

#: The model inputs of the ward question: NEWS2's vital signs as numbers (lesson 07).
WARD_INPUTS = (
    "respiration_rate",
    "spo2",
    "spo2_scale",
    "oxygen",
    "systolic_bp",
    "pulse",
    "not_alert",
    "temperature",
)
#: The model inputs of the heart question: the nine measurements of lessons 06 and 11.
HEART_INPUTS = ("age", "sex", "cp", "trestbps", "fbs", "restecg", "thalach", "exang", "oldpeak")
#: Breast aspirates with a mean nucleus radius below this (image units) form the
#: "smaller nuclei" audit group.
NUCLEUS_CUT = 15
#: The hospital the heart-sites model learns at; the other three are the test sites.
HEART_TRAIN_SITES = ("Cleveland",)


def _question(name: Any) -> ClinicalQuestion:
    if not isinstance(name, str):
        raise TypeError(
            f"The question must be its name as text, one of {', '.join(map(repr, QUESTIONS))}; "
            f"got {type(name).__name__}: {name!r}"
        )
    key = name.strip().casefold()
    if key not in QUESTIONS:
        raise ValueError(
            f"There is no capstone question called {name!r}. Choose one of: "
            f"{', '.join(map(repr, QUESTIONS))}."
        )
    return QUESTIONS[key]


def menu() -> pd.DataFrame:
    """The four capstone questions as a table, one row each.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``name`` (what to pass to :func:`load_question`), with the columns
        ``question``, ``data``, ``outcome``, ``one row is``, ``split``, ``audit by`` and
        ``lessons``.

    Examples
    --------
    >>> table = menu()
    >>> table.index.tolist()
    ['malignancy', 'deterioration', 'heart-sites', 'urgency']
    >>> table.loc["deterioration", "data"]
    'ward-observations'
    """
    rows = [
        {
            "name": q.name,
            "question": q.question,
            "data": q.dataset,
            "outcome": q.outcome,
            "one row is": f"one {q.row}",
            "split": q.split.split(":")[0].split(",")[0],
            "audit by": q.group,
            "lessons": q.lessons,
        }
        for q in _QUESTION_LIST
    ]
    return pd.DataFrame(rows).set_index("name")


def _numbered(prefix: str, n: int, width: int = 3) -> pd.Series:
    return pd.Series([f"{prefix}{i + 1:0{width}d}" for i in range(n)])


def _malignancy() -> tuple[pd.DataFrame, Any]:
    from healthlab import datasets

    df = datasets.load("breast-cancer")
    df.insert(0, "aspirate_id", _numbered("FNA", len(df)))
    df["nucleus size"] = np.where(
        df["mean_radius"] < NUCLEUS_CUT,
        f"smaller nuclei (radius under {NUCLEUS_CUT})",
        f"larger nuclei (radius {NUCLEUS_CUT} or more)",
    )
    inputs = [c for c in df.columns if c not in ("aspirate_id", "malignant", "nucleus size")]
    return df, df[inputs]


def _deterioration() -> tuple[pd.DataFrame, Any]:
    from healthlab import datasets

    df = datasets.load("ward-observations")
    df["oxygen"] = df["on_oxygen"].astype(int)
    df["not_alert"] = (df["consciousness"] != "A").astype(int)
    df["age band"] = pd.cut(
        df["age"], [0, 64, 79, 200], labels=["18-64", "65-79", "80 and over"]
    ).astype(str)
    return df, df[list(WARD_INPUTS)]


def _heart_sites() -> tuple[pd.DataFrame, Any]:
    from healthlab import datasets

    df = datasets.load("heart-disease", zero_as_missing=True)
    df.insert(0, "patient_id", _numbered("H", len(df)))
    return df, df[list(HEART_INPUTS)]


def _urgency() -> tuple[pd.DataFrame, Any]:
    from healthlab import datasets

    df = datasets.load("triage-notes")
    df["age band"] = np.where(df["age"] >= 75, "75 and over", "under 75")
    return df, df["note"]


_LOADERS: dict[str, Callable[[], tuple[pd.DataFrame, Any]]] = {
    "malignancy": _malignancy,
    "deterioration": _deterioration,
    "heart-sites": _heart_sites,
    "urgency": _urgency,
}


def load_question(name: str) -> Project:
    """Load the data of one capstone question, ready for a model.

    Parameters
    ----------
    name : str
        One of ``"malignancy"``, ``"deterioration"``, ``"heart-sites"`` or ``"urgency"``
        (see :func:`menu`); case does not matter.

    Returns
    -------
    Project
        ``data`` (the whole table, with an id column added where the data set has none, and
        the audit group as a column), ``X`` (the inputs of the starter model: a table, or for
        ``"urgency"`` the text of the notes), ``y`` (the outcome, 0 or 1), ``groups`` (the
        audit group), ``ids`` (one id per row) and ``question`` (the menu entry). All share
        the index of ``data``, 0 to n - 1.

    Raises
    ------
    ValueError
        If ``name`` is not one of the four questions; the message lists them.
    TypeError
        If ``name`` is not text.

    Examples
    --------
    >>> ward = load_question("deterioration")
    >>> ward.ids.nunique(), len(ward.X), list(ward.X.columns[:3])
    (800, 21890, ['respiration_rate', 'spo2', 'spo2_scale'])
    >>> ward.groups.value_counts().sort_index().index.tolist()
    ['18-64', '65-79', '80 and over']
    >>> load_question("sepsis")
    Traceback (most recent call last):
    ...
    ValueError: There is no capstone question called 'sepsis'. Choose one of: 'malignancy', \
'deterioration', 'heart-sites', 'urgency'.
    """
    question = _question(name)
    data, X = _LOADERS[question.name]()
    y = data[question.outcome].astype(int).rename(question.outcome)
    groups = data[question.group].rename(question.group)
    ids = data[question.id_column].rename(question.id_column)
    return Project(question=question, data=data, X=X, y=y, groups=groups, ids=ids)


def starter_model(name: str, *, seed: int = 42) -> Any:
    """A simple, unfitted scikit-learn model that works for the question's inputs.

    A place to start, not the answer: change it, and say in your model card what you tried.

    Parameters
    ----------
    name : str
        The question (see :func:`menu`).
    seed : int, default 42
        Not used by the starter models (logistic regression has no randomness), but kept so
        that a model you put in their place can be given ``random_state=seed``.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``"malignancy"`` and ``"deterioration"``: scaling, then logistic regression.
        ``"heart-sites"``: missing values filled with the training median, scaling, then
        logistic regression. ``"urgency"``: a bag of words (``CountVectorizer``), then
        logistic regression.

    Examples
    --------
    >>> starter_model("urgency")
    Pipeline(steps=[('countvectorizer', CountVectorizer()),
                    ('logisticregression', LogisticRegression(max_iter=1000))])
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    question = _question(name)
    _check_seed(seed)
    classifier = LogisticRegression(max_iter=1000)
    if question.name == "urgency":
        return make_pipeline(CountVectorizer(), classifier)
    if question.name == "heart-sites":
        return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), classifier)
    return make_pipeline(StandardScaler(), classifier)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number, 0 or more; got {seed!r}")
    return int(seed)


def split(
    project: Project, *, test_size: float | None = None, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Split a project's rows into training and test rows, keeping each id on one side.

    - ``"malignancy"`` and ``"urgency"``: every row has its own id (one aspirate per woman,
      one note per attendance), so a stratified random split (scikit-learn's
      ``train_test_split`` with ``stratify=y``) keeps the share with the outcome the same in
      both sets. With ``seed=42`` this is the split of lessons 03 and 10.
    - ``"deterioration"``: a patient has many rows, so whole patients go to one side
      (``GroupShuffleSplit`` with ``groups=ids``), as in lesson 07.
    - ``"heart-sites"``: the model learns at Cleveland and is tested at the other three
      hospitals (external validation); ``test_size`` and ``seed`` do not apply.

    Parameters
    ----------
    project : Project
        From :func:`load_question`.
    test_size : float, optional
        The share of ids for the test set, between 0 and 1; the question's own
        (``project.question.test_size``) by default.
    seed : int, default 42
        The random seed, so the split is the same every time.

    Returns
    -------
    train_rows, test_rows : numpy.ndarray of int
        Row positions, in order, for ``.iloc``: ``project.X.iloc[train_rows]``.

    Raises
    ------
    TypeError
        If ``project`` is not a :class:`Project`.
    ValueError
        If ``test_size`` is not between 0 and 1, is given for ``"heart-sites"``, or ``seed``
        is not a whole number.

    Examples
    --------
    >>> ward = load_question("deterioration")
    >>> train_rows, test_rows = split(ward, seed=42)
    >>> ward.ids.iloc[train_rows].nunique(), ward.ids.iloc[test_rows].nunique()
    (560, 240)
    >>> heart = load_question("heart-sites")
    >>> train_rows, test_rows = split(heart)
    >>> sorted(heart.data["site"].iloc[test_rows].unique())
    ['Hungary', 'Switzerland', 'VA Long Beach']
    """
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    if not isinstance(project, Project):
        raise TypeError(
            f"project must come from capstone.load_question(...), got {type(project).__name__}"
        )
    seed = _check_seed(seed)
    question = project.question
    if question.test_size is None:
        if test_size is not None:
            raise ValueError(
                f"The {question.name!r} question splits by hospital ({question.split}), so "
                f"test_size does not apply; got test_size={test_size!r}."
            )
        at_home = project.data["site"].isin(HEART_TRAIN_SITES).to_numpy()
        return np.flatnonzero(at_home), np.flatnonzero(~at_home)
    size = question.test_size if test_size is None else test_size
    if isinstance(size, bool) or not isinstance(size, numbers.Real) or not 0 < size < 1:
        raise ValueError(
            f"test_size must be a share between 0 and 1 (for example 0.25); got {size!r}."
        )
    positions = np.arange(len(project.ids))
    if project.ids.is_unique:
        train_rows, test_rows = train_test_split(
            positions, test_size=float(size), stratify=project.y, random_state=seed
        )
        return np.sort(train_rows), np.sort(test_rows)
    splitter = GroupShuffleSplit(n_splits=1, test_size=float(size), random_state=seed)
    train_rows, test_rows = next(splitter.split(positions, project.y, groups=project.ids))
    return np.sort(train_rows), np.sort(test_rows)


def _ids(values: Any, name: str) -> list[Any]:
    if values is None or isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(
            f"{name} must be the ids of the rows (a list or a pandas column such as "
            f"project.ids.iloc[rows]), got {type(values).__name__}: {values!r}"
        )
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name} is a whole table; give one column of ids, such as "
            "project.ids.iloc[train_rows]."
        )
    items = list(values)
    missing = [v for v in items if v is None or (isinstance(v, float) and math.isnan(v))]
    if missing:
        raise ValueError(f"{name} has {len(missing)} missing ids; every row needs an id.")
    return items


def leakage(train_ids: Any, test_ids: Any) -> list[Any]:
    """The ids that are in both the training set and the test set: none is the goal.

    If one patient's rows are on both sides, the test set is not new to the model: it can
    score well by recognising the patient rather than by spotting the disease (leakage,
    lessons 07 and 13).

    Parameters
    ----------
    train_ids, test_ids : array-like
        The id of every training row and every test row (an id may repeat on one side: a
        patient has many rows).

    Returns
    -------
    list
        The ids found on both sides, sorted; an empty list when there are none.

    Raises
    ------
    TypeError
        If either is not a list or column of ids (a single value, text, or a whole table).
    ValueError
        If either holds missing ids.

    Examples
    --------
    >>> leakage(["W001", "W001", "W002"], ["W003", "W004"])
    []
    >>> leakage(["W001", "W002", "W003"], ["W003", "W002", "W009"])
    ['W002', 'W003']
    """
    train, test = _ids(train_ids, "train_ids"), _ids(test_ids, "test_ids")
    shared = set(train) & set(test)
    try:
        return sorted(shared)
    except TypeError:
        return sorted(shared, key=repr)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"reported[{name!r}] must be a number, got {type(value).__name__}: {value!r}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"reported[{name!r}] must be a number, got {value!r}")
    return value


def metrics_match(
    model: Any, X_test: Any, y_test: Any, reported: Mapping[str, Any], *, tol: float = 0.0005
) -> pd.DataFrame:
    """Recompute the measures you report from your model on the test set, and compare.

    The model's risk for each test row is ``model.predict_proba(X_test)[:, 1]``; a row is
    flagged when its risk is at least ``reported["threshold"]`` (0.5 if you give none). The
    measures are worked out from those flags (the AUROC from the risks) and set beside the
    numbers you reported.

    Parameters
    ----------
    model : fitted scikit-learn classifier
        Anything with ``predict_proba``.
    X_test : pandas.DataFrame, pandas.Series or array-like
        The test rows, in the form the model was trained on.
    y_test : array-like of 0/1
        The truth for the test rows.
    reported : dict
        The numbers you report, as proportions: any of :data:`MEASURES`, and optionally
        ``"threshold"``. For example ``{"threshold": 0.5, "sensitivity": 0.925}``.
    tol : float, default 0.0005
        How far a reported number may be from the recomputed one: 0.0005 accepts any number
        correctly rounded to 3 decimal places.

    Returns
    -------
    pandas.DataFrame
        One row per reported measure, indexed by ``measure``, with ``reported``,
        ``recomputed`` and ``matches`` (True when within ``tol``). ``table.attrs`` holds the
        ``threshold`` used and ``n`` (test rows).

    Raises
    ------
    ValueError
        If ``reported`` names an unknown measure, a value is not a number, nothing but the
        threshold is reported, the threshold is not between 0 and 1, or ``X_test`` and
        ``y_test`` differ in length.
    TypeError
        If ``reported`` is not a dict, or the model has no ``predict_proba``.

    Examples
    --------
    >>> project = load_question("malignancy")
    >>> train_rows, test_rows = split(project)
    >>> model = starter_model("malignancy").fit(project.X.iloc[train_rows],
    ...                                         project.y.iloc[train_rows])
    >>> X_test, y_test = project.X.iloc[test_rows], project.y.iloc[test_rows]
    >>> metrics_match(model, X_test, y_test, {"sensitivity": 0.925, "specificity": 0.95})
    ... # doctest: +NORMALIZE_WHITESPACE
                 reported  recomputed  matches
    measure
    sensitivity     0.925    0.924528     True
    specificity     0.950    0.988889    False
    """
    from sklearn.metrics import roc_auc_score

    from healthlab.evaluate import _binary, clinical_metrics

    if not isinstance(reported, Mapping):
        raise TypeError(
            'reported must be a dict such as {"sensitivity": 0.925, "specificity": 0.989}, '
            f"got {type(reported).__name__}"
        )
    unknown = [k for k in reported if k not in MEASURES and k != "threshold"]
    if unknown:
        raise ValueError(
            f"reported has {unknown[0]!r}, which is not a measure this can recompute. Use "
            f"'threshold' and any of: {', '.join(MEASURES)}."
        )
    values = {k: _number(v, k) for k, v in reported.items()}
    threshold = values.pop("threshold", 0.5)
    if not 0 < threshold < 1:
        raise ValueError(f"reported['threshold'] must be between 0 and 1, got {threshold!r}")
    if not values:
        raise ValueError(
            "reported holds no measure: add at least one, e.g. its sensitivity and specificity."
        )
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"model must be a fitted classifier with predict_proba, got {type(model).__name__}"
        )
    truth = _binary(y_test, "y_test")
    if len(X_test) != len(truth):
        raise ValueError(
            f"X_test has {len(X_test)} rows but y_test has {len(truth)}: use the same test rows."
        )
    risk = np.asarray(model.predict_proba(X_test))[:, 1]
    table = clinical_metrics(truth, (risk >= threshold).astype(int))
    rows = []
    for measure, value in values.items():
        if measure == "auroc":
            recomputed = float(roc_auc_score(truth, risk))
        else:
            recomputed = float(table.loc[measure, "value"])
        rows.append(
            {
                "measure": measure,
                "reported": value,
                "recomputed": recomputed,
                "matches": bool(
                    math.isfinite(recomputed) and abs(value - recomputed) <= tol * (1 + 1e-9)
                ),
            }
        )
    result = pd.DataFrame(rows).set_index("measure")
    result.attrs.update({"threshold": threshold, "n": len(truth)})
    return result
