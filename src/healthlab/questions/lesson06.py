"""Exercises of lesson 06, "Trees, rules and explanations".

Every question registers itself here with :func:`healthlab.checks.register`. Answers that come
from the heart disease data are computed from it, with the lesson's own choices (columns with
under 10% missing, median imputation inside a pipeline, a stratified 75/25 split and a tree of
depth 3, all with ``random_state=42``), never typed in.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("06.trace-tree", "no disease").correct
True
>>> evaluate_answer("06.patient-explanation", "You will be fine.").correct  # never "right"
False

Tolerances follow the course rule: a number is right within half a unit of the last decimal
place the task asks for (2 places for the AND rule's sensitivity: ``abs_tol=0.005``).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.questions.lesson03 import forgot_brackets

__all__ = [
    "DEPTHS",
    "EXPLANATION_LOOKS_FOR",
    "MAX_MISSING",
    "NEW_PATIENT",
    "SEED",
    "TEST_SIZE",
    "TREE_DEPTH",
    "depth_table",
    "heart_features",
    "heart_split",
    "permutation_table",
    "rule_predictions",
    "tree_model",
]

#: The random seed every lesson uses.
SEED = 42
#: Share of patients kept aside for testing.
TEST_SIZE = 0.25
#: Columns with this share of missing values or more are left out.
MAX_MISSING = 0.10
#: Depth of the tree the lesson draws.
TREE_DEPTH = 3
#: The depths compared in section 6 ("when is a simpler model better?").
DEPTHS = (1, 2, 3, 4, 5, 10, 20)
#: "Your turn 2": the patient the student follows through the tree by hand. Measurements the
#: task does not give are missing (the pipeline's imputer fills them).
NEW_PATIENT = {"age": 60, "sex": 0, "cp": 1, "exang": 0, "oldpeak": 0.5}


@cache
def _heart() -> Any:
    from healthlab import datasets

    return datasets.load("heart-disease", zero_as_missing=True)


@cache
def heart_features() -> tuple[str, ...]:
    """The measurement columns the lesson keeps: fewer than 10% of values missing.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> heart_features()[:3]
    ('age', 'sex', 'cp')
    """
    measurements = _heart().drop(columns=["num", "disease", "site"])
    share = measurements.isna().mean()
    return tuple(share[share < MAX_MISSING].index)


@cache
def heart_split() -> tuple[Any, Any, Any, Any]:
    """The lesson's stratified train/test split: (X_train, X_test, y_train, y_test).

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = heart_split()
    >>> len(X_train), len(X_test)
    (690, 230)
    """
    from sklearn.model_selection import train_test_split

    df = _heart()
    X = df[list(heart_features())]
    y = df["disease"]
    return tuple(train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=SEED))


def _pipeline(depth: int | None) -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    return make_pipeline(
        SimpleImputer(strategy="median"),
        DecisionTreeClassifier(max_depth=depth, random_state=SEED),
    )


@cache
def tree_model() -> Any:
    """The lesson's fitted pipeline: median imputation, then a depth-3 decision tree.

    Examples
    --------
    >>> tree_model()[-1].get_depth()
    3
    """
    X_train, _, y_train, _ = heart_split()
    return _pipeline(TREE_DEPTH).fit(X_train, y_train)


def rule_predictions(X: Any, *, combine: str = "or") -> Any:
    """The hand-made rule: asymptomatic chest pain (cp = 4) OR/AND exercise angina (exang = 1).

    Parameters
    ----------
    X : pandas.DataFrame
        Patients with columns ``cp`` and ``exang``.
    combine : {"or", "and"}, default "or"
        How to join the two conditions.

    Returns
    -------
    pandas.Series of 0/1

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"cp": [4, 1, 4], "exang": [0, 1, 1]})
    >>> rule_predictions(X).tolist(), rule_predictions(X, combine="and").tolist()
    ([1, 1, 1], [0, 0, 1])
    """
    if combine not in ("or", "and"):
        raise ValueError(f"combine must be 'or' or 'and', got {combine!r}")
    asymptomatic = X["cp"] == 4
    angina = X["exang"] == 1
    flagged = (asymptomatic | angina) if combine == "or" else (asymptomatic & angina)
    return flagged.astype(int)


def _test_metric(predictions_of: str, measure: str) -> float:
    from healthlab import evaluate

    _, X_test, _, y_test = heart_split()
    if predictions_of == "tree":
        predictions = tree_model().predict(X_test)
    else:
        predictions = rule_predictions(X_test, combine=predictions_of)
    return float(evaluate.clinical_metrics(y_test, predictions).loc[measure, "value"])


@cache
def permutation_table() -> Any:
    """Permutation importance of the lesson's tree on the test patients (20 repeats).

    Returns
    -------
    pandas.DataFrame
        Indexed by feature, with ``mean`` and ``sd``, largest mean first.

    Examples
    --------
    >>> permutation_table().index[0]
    'cp'
    """
    import pandas as pd
    from sklearn.inspection import permutation_importance

    _, X_test, _, y_test = heart_split()
    result = permutation_importance(tree_model(), X_test, y_test, n_repeats=20, random_state=SEED)
    table = pd.DataFrame(
        {"mean": result.importances_mean, "sd": result.importances_std},
        index=list(heart_features()),
    )
    return table.sort_values("mean", ascending=False, kind="stable")


@cache
def depth_table() -> Any:
    """Training and 5-fold cross-validated accuracy of trees of each depth in :data:`DEPTHS`.

    Examples
    --------
    >>> list(depth_table().columns)
    ['training accuracy', 'cross-validated accuracy']
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    X_train, _, y_train, _ = heart_split()
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    rows = []
    for depth in DEPTHS:
        scores = cross_val_score(_pipeline(depth), X_train, y_train, cv=cv, scoring="accuracy")
        fitted = _pipeline(depth).fit(X_train, y_train)
        rows.append(
            {
                "max_depth": depth,
                "training accuracy": fitted.score(X_train, y_train),
                "cross-validated accuracy": scores.mean(),
            }
        )
    return pd.DataFrame(rows).set_index("max_depth")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _near(value_of: Any, *, abs_tol: float = 0.005) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        return _is_number(answer) and math.isclose(float(answer), value_of(), abs_tol=abs_tol)

    return matches


# --- Your turn 1: the AND rule ----------------------------------------------------------------

register(
    Question(
        "06.and-rule-sensitivity",
        expected=lambda: _test_metric("and", "sensitivity"),
        kind="number",
        abs_tol=0.005,  # the task asks for 2 decimal places or more
        hints=(
            "In pandas, & means AND. Exercise-induced angina is coded exang == 1.",
            'The sensitivity is in the table: and_metrics.loc["sensitivity", "value"]',
        ),
        mistakes=(
            forgot_brackets("evaluate.clinical_metrics(y_test, and_predictions)"),
            Mistake(
                _near(lambda: _test_metric("or", "sensitivity")),
                "That is the sensitivity of the OR rule. Use & (AND) to join the two conditions.",
            ),
            Mistake(
                _near(lambda: _test_metric("and", "specificity")),
                "That is the specificity of the AND rule. The question asks for sensitivity: "
                "the share of patients WITH disease that the rule flags.",
            ),
            Mistake(
                _near(lambda: _test_metric("tree", "sensitivity")),
                "That is the tree's sensitivity. Use the table of the AND rule, and_metrics.",
            ),
        ),
        praise="Demanding both signs misses about half of the patients with disease, but the "
        "ones it flags almost all have it: a rule for confirming, not for screening.",
    )
)

# --- Your turn 2: follow the tree by hand -----------------------------------------------------


@cache
def _new_patient_prediction() -> str:
    import pandas as pd

    row = {column: NEW_PATIENT.get(column, float("nan")) for column in heart_features()}
    label = int(tree_model().predict(pd.DataFrame([row]))[0])
    return "disease" if label == 1 else "no disease"


register(
    Question(
        "06.trace-tree",
        expected=_new_patient_prediction,
        kind="choice",
        options=("disease", "no disease"),
        hints=(
            "Start at the top box. If the answer to its question is 'yes' (True), go left; "
            "if 'no' (False), go right.",
            "Sex is coded 1 = male and 0 = female; typical angina is chest pain code 1.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: (
                    isinstance(a, str)
                    and a.strip().casefold() in {"disease", "no disease"}
                    and a.strip().casefold() != e
                ),
                "Not quite. Go back to the top and follow one question at a time: is each "
                "answer True (left) or False (right)? Remember sex 0 means female.",
            ),
            Mistake(
                lambda a, e: a in (0, 1, "0", "1"),
                'Answer in words: "disease" or "no disease".',
            ),
        ),
        praise="You read the tree like a flowchart: that is what makes trees easy to check.",
    )
)

# --- Your turn 3: the most important measurement ----------------------------------------------

_ALIASES = {
    "cp": {"cp", "chest pain", "chest pain type"},
    "exang": {"exang", "exercise angina", "exercise-induced angina", "exercise induced angina"},
    "oldpeak": {"oldpeak", "st depression"},
    "age": {"age"},
    "sex": {"sex"},
    "thalach": {"thalach", "maximum heart rate", "max heart rate"},
    "trestbps": {"trestbps", "blood pressure", "resting blood pressure"},
    "fbs": {"fbs", "fasting blood sugar"},
    "restecg": {"restecg", "resting ecg"},
}


def _column_named(answer: Any) -> str | None:
    """The column a text answer names: case, quotes, a final full stop, hyphens, underscores
    and extra spaces do not matter ("Chest pain type." -> "cp").

    Examples
    --------
    >>> _column_named("Chest pain type."), _column_named(" CP "), _column_named("banana")
    ('cp', 'cp', None)
    """
    if not isinstance(answer, str):
        return None
    text = answer.strip().strip("\"'").strip().rstrip(".!").strip().casefold()
    text = " ".join(text.replace("_", " ").replace("-", " ").split())
    for column, names in _ALIASES.items():
        names = {" ".join(n.replace("-", " ").split()) for n in names}
        if text in names:
            return column
    return None


def _same_column(answer: Any, expected: Any) -> bool:
    return _column_named(answer) == expected


def _unused_column(answer: Any, expected: Any) -> bool:
    column = _column_named(answer)
    return column is not None and float(permutation_table().loc[column, "mean"]) == 0.0


def _other_used_column(answer: Any, expected: Any) -> bool:
    column = _column_named(answer)
    return column is not None and column != expected


register(
    Question(
        "06.top-permutation",
        expected=lambda: str(permutation_table().index[0]),
        kind="custom",
        compare=_same_column,
        hints=(
            "Look at the table with the column 'permutation importance', sorted largest first.",
            'Give the column name in quotes, exactly as in the table, e.g. "age".',
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not isinstance(a, str),
                'The answer should be a column name, as text in quotes, like "age".',
            ),
            Mistake(
                lambda a, e: isinstance(a, str) and _column_named(a) is None,
                "That is not one of the measurement columns the tree used. Copy the name from "
                "the importance table.",
            ),
            Mistake(
                _unused_column,
                "Shuffling that column changes nothing: the tree never asks about it. Look for "
                "the biggest drop in accuracy.",
            ),
            Mistake(
                _other_used_column,
                "The tree does use that measurement, but another one matters more. Look at the "
                "top of the permutation importance column.",
            ),
        ),
        praise="Shuffling the chest pain type costs the most accuracy: the tree leans on it "
        "more than on anything else.",
    )
)

# --- Your turn 4: choose a depth --------------------------------------------------------------


def _best_cv_depth() -> int:
    table = depth_table()
    return int(table["cross-validated accuracy"].idxmax())


def _best_training_depth(answer: Any, expected: Any) -> bool:
    table = depth_table()
    best_training = int(table["training accuracy"].idxmax())
    return _is_number(answer) and int(answer) == best_training != expected


register(
    Question(
        "06.best-depth",
        expected=_best_cv_depth,
        kind="integer",
        hints=(
            "Look only at the 'cross-validated accuracy' column of depth_table.",
            "Find the largest number in that column, then read the max_depth on the same row.",
        ),
        mistakes=(
            forgot_brackets('depth_table["cross-validated accuracy"].idxmax()'),
            Mistake(
                _best_training_depth,
                "That depth is best on the TRAINING patients, which it has memorised. Which "
                "depth is best when tested on patients it did not learn from?",
            ),
            Mistake(
                lambda a, e: _is_number(a) and 0 < float(a) < 1,
                "That looks like an accuracy. The answer is the max_depth (a whole number) on "
                "the row with the best cross-validated accuracy.",
            ),
        ),
        praise="A shallow tree generalises best here: more questions only fit the training "
        "patients' quirks.",
    )
)

# --- Your turn 5 (make): explain a prediction to a patient (a written answer) -----------------

#: What a good explanation to the patient contains: shown to the student, who checks their own.
EXPLANATION_LOOKS_FOR = (
    "says, in everyday words, which of their results the computer looked at (no codes such as "
    "cp or oldpeak, no words such as leaf or threshold)",
    "gives the chance as a natural frequency, e.g. 'about 1 in 7 people with results like "
    "yours had a narrowed artery'",
    "says it is not certain: the computer shows how often people like them had heart disease "
    "in past data, not whether they have it",
    "says what happens next and who decides (the angiogram, and the doctor who goes through "
    "the result with them)",
)

register(
    Question(
        "06.patient-explanation",
        expected=None,
        kind="open",
        looks_for=EXPLANATION_LOOKS_FOR,
        min_words=20,
        hints=(
            "Say which of their results the computer looked at, in everyday words.",
            "Say what the result means (how often people like them had disease) and what will "
            "happen next (for example, the angiogram).",
        ),
    )
)


# --- warm-up: remember lesson 05 ------------------------------------------------------------

_WARMUP_ERRORS = (5, -15, 10)

register(
    Question(
        "06.warmup-r2-zero",
        expected="B",
        kind="choice",
        options=("A", "B", "C"),
        hints=("Lesson 05, section 4: R² = 1 is perfect. What was R² = 0?",),
        mistakes=(
            Mistake(
                lambda a, e: str(a).strip().upper() == "A",
                "Perfect is R² = 1. An R² of 0 is the other end: what simple guess does it match?",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "C",
                "No error at all would be R² = 1. R² = 0 means the model does no better than one "
                "simple guess for everyone: which?",
            ),
        ),
        praise="R² = 0: no better than predicting the average for everyone.",
    )
)

register(
    Question(
        "06.warmup-mae",
        expected=sum(abs(e) for e in _WARMUP_ERRORS) / len(_WARMUP_ERRORS),
        kind="number",
        rel_tol=1e-6,
        hints=("Drop the minus signs, add the three sizes of error, divide by 3.",),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and math.isclose(a, 0, abs_tol=1e-9),
                "The minus sign of -15 cancelled the others. Mean ABSOLUTE error drops the "
                "minus signs first.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and math.isclose(a, 30),
                "That is the total error. Mean means average: divide by the 3 patients.",
            ),
            Mistake(
                lambda a, e: (
                    _is_number(a)
                    and math.isclose(a, sum(x * x for x in _WARMUP_ERRORS) / 3, rel_tol=1e-6)
                ),
                "You squared the errors. Mean absolute error just drops the minus signs.",
            ),
        ),
        praise="(5 + 15 + 10) / 3 = 10 points, on average.",
    )
)
