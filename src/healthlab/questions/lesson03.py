"""Exercises of lesson 03, "A first diagnostic model" (``notebooks/03-first-diagnostic-model.ipynb``).

The lesson splits the Wisconsin breast cancer data into a training and a test set and trains a
scaled logistic regression. :func:`lesson_split` and :func:`lesson_model` rebuild exactly the
same split and model, so that every answer below is computed from the data, as the lesson
computes it. Lesson 04 uses the same model and imports them from here.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("03.test-size", 426).message
'That is the size of the training set. The question asks about the test set.'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from healthlab.checks import Mistake, Question, register

__all__ = [
    "SEED",
    "TEST_SIZE",
    "Split",
    "lesson_split",
    "lesson_model",
    "lesson_baseline",
    "uncalled",
    "forgot_brackets",
    "rows_learned_from",
]

#: The lesson's random seed (``SEED = 42`` in the setup cell).
SEED = 42
#: The share of aspirates kept back for the test set.
TEST_SIZE = 0.25


class Split(NamedTuple):
    """The four parts of the lesson's train/test split (pandas DataFrames and Series)."""

    X_train: Any
    X_test: Any
    y_train: Any
    y_test: Any


@lru_cache(maxsize=1)
def lesson_split() -> Split:
    """The stratified train/test split of lesson 03 (and 04), built as the lesson builds it.

    Returns
    -------
    Split
        ``X_train, X_test, y_train, y_test`` from ``datasets.load("breast-cancer")`` with the
        label ``malignant`` (1 = malignant), ``test_size=0.25``, ``stratify=y`` and
        ``random_state=42``.

    Examples
    --------
    >>> split = lesson_split()
    >>> len(split.X_train), len(split.X_test), int(split.y_test.sum())
    (426, 143, 53)
    """
    from sklearn.model_selection import train_test_split

    from healthlab import datasets

    df = datasets.load("breast-cancer")
    X = df.drop(columns="malignant")
    y = df["malignant"]
    return Split(*train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=SEED))


@lru_cache(maxsize=1)
def lesson_model() -> Any:
    """The lesson's model: a scaler and a logistic regression, trained on the training set.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))`` fitted on
        ``lesson_split().X_train`` and ``y_train``.

    Examples
    --------
    >>> from sklearn.metrics import accuracy_score
    >>> split = lesson_split()
    >>> round(accuracy_score(split.y_test, lesson_model().predict(split.X_test)), 3)
    0.965
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    split = lesson_split()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return model.fit(split.X_train, split.y_train)


@lru_cache(maxsize=1)
def lesson_baseline() -> Any:
    """The "always say benign" baseline: ``DummyClassifier(strategy="most_frequent")``.

    Examples
    --------
    >>> from sklearn.metrics import accuracy_score
    >>> split = lesson_split()
    >>> round(accuracy_score(split.y_test, lesson_baseline().predict(split.X_test)), 3)
    0.629
    """
    from sklearn.dummy import DummyClassifier

    split = lesson_split()
    return DummyClassifier(strategy="most_frequent").fit(split.X_train, split.y_train)


def _accuracy(model: Any, X: Any, y: Any) -> float:
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(y, model.predict(X)))


def uncalled(answer: Any) -> bool:
    """True when the answer is a function, method or class itself rather than its result.

    ``df["malignant"].sum`` (no brackets) is the method, not the count; ``LogisticRegression``
    is the recipe, not a model. Fitted models, tables and numbers are never callable.

    Examples
    --------
    >>> uncalled(len), uncalled(len([1, 2])), uncalled("text")
    (True, False, False)
    """
    return callable(answer)


def forgot_brackets(example: str) -> Mistake:
    """The mistake "a function or method passed instead of its result", with an example call.

    Examples
    --------
    >>> from healthlab.checks import Question, evaluate_answer, register
    >>> _ = register(Question("demo.count", expected=3, kind="integer",
    ...                       mistakes=(forgot_brackets("len(X_test)"),)))
    >>> print(evaluate_answer("demo.count", len).message)
    That is a function (or method) itself, not its result: add () to call it, for example len(X_test).
    """
    return Mistake(
        lambda a, e: uncalled(a),
        f"That is a function (or method) itself, not its result: add () to call it, for "
        f"example {example}.",
    )


def _tried(answer: Any) -> bool:
    """False for an exercise left as ``...`` (or None), which gets the standard message."""
    return answer is not Ellipsis and answer is not None


def _near(answer: Any, value: float, tol: float = 0.0006) -> bool:
    return (
        isinstance(answer, (int, float))
        and not isinstance(answer, bool)
        and abs(float(answer) - value) <= tol
    )


def _is_table(answer: Any) -> bool:
    return hasattr(answer, "shape") and getattr(answer, "ndim", 0) >= 1


# --- warm-up: remember lesson 02 (charts) ------------------------------------------------------

_CHARTS = ("histogram", "box plot", "scatter plot", "bar chart")


def _chart(answer: Any) -> str | None:
    """The chart a text answer names ("Box plot", "boxplot", "box" -> "box plot")."""
    if not isinstance(answer, str):
        return None
    text = " ".join(answer.strip().rstrip(".").casefold().replace("-", " ").split())
    text = {"boxplot": "box plot", "box": "box plot", "scatter": "scatter plot"}.get(text, text)
    text = {"bar": "bar chart", "bar graph": "bar chart", "scatter graph": "scatter plot"}.get(
        text, text
    )
    return text if text in _CHARTS else None


register(
    Question(
        "03.warmup-chart",
        expected="box plot",
        kind="custom",
        compare=lambda a, e: _chart(a) == e,
        hints=("Which chart in lesson 02 drew a box for each group, with its median as a line?",),
        mistakes=(
            Mistake(
                lambda a, e: not isinstance(a, str),
                'The answer should be the name of a chart, as text in quotes, like "histogram".',
            ),
            Mistake(
                lambda a, e: _chart(a) == "histogram",
                "A histogram shows how ONE measurement is spread out. Which chart puts the "
                "groups side by side, each with its median and middle half?",
            ),
            Mistake(
                lambda a, e: _chart(a) == "scatter plot",
                "A scatter plot shows two measurements together, one dot per patient. Which "
                "chart compares one measurement between groups?",
            ),
            Mistake(
                lambda a, e: _chart(a) == "bar chart",
                "A bar chart shows one number per group, such as a percentage. Which chart "
                "shows the whole spread of a measurement in each group?",
            ),
            Mistake(
                lambda a, e: _chart(a) is None,
                "Choose one of: " + ", ".join(_CHARTS) + ".",
            ),
        ),
        praise="A box plot: the line is the median, the box the middle half of the patients.",
    )
)

register(
    Question(
        "03.warmup-truncated-axis",
        expected=True,
        kind="bool",
        hints=("Lesson 02, section 6: what did the axis that starts at 120 do to the bars?",),
        mistakes=(
            Mistake(
                lambda a, e: a is False,
                "Look back at lesson 02: the same two numbers, drawn with the axis starting at "
                "120 instead of 0, made a small difference look much bigger than it is.",
            ),
        ),
        praise="A bar's length is what the eye compares, so a bar chart's axis must start at 0.",
    )
)

# --- 1. count the cancers --------------------------------------------------------------------


def _malignant_count() -> int:
    from healthlab import datasets

    return int(datasets.load("breast-cancer")["malignant"].sum())


register(
    Question(
        "03.count-malignant",
        expected=_malignant_count,
        kind="integer",
        hints=(
            "In the malignant column, 1 means malignant and 0 means benign.",
            "Adding up a column of 1s and 0s counts the 1s. Which pandas method adds up a column?",
        ),
        mistakes=(
            forgot_brackets('df["malignant"].sum()'),
            Mistake(
                lambda a, e: _is_table(a),
                "Your answer is a whole table of counts. The question needs one number: the "
                "number of malignant aspirates.",
            ),
            Mistake(
                lambda a, e: a == 569 - e,
                "That is the number of benign aspirates. Which code stands for malignant, 0 or 1?",
            ),
            Mistake(
                lambda a, e: a == 569,
                "That is every aspirate (the number of rows). Count only the malignant ones.",
            ),
            Mistake(
                lambda a, e: _near(a, e / 569, 0.005),
                "That is the share (proportion) of aspirates that are malignant. The question "
                "asks how many: add the column up rather than taking its mean.",
            ),
        ),
        praise="Over a third of the aspirates in this data set were malignant.",
    )
)

# --- 2. the size of the test set --------------------------------------------------------------

register(
    Question(
        "03.test-size",
        expected=lambda: len(lesson_split().X_test),
        kind="integer",
        hints=(
            "The test set is X_test (its answers are in y_test).",
            "len(...) counts the rows of a table.",
        ),
        mistakes=(
            forgot_brackets("len(X_test)"),
            Mistake(
                lambda a, e: isinstance(a, tuple),
                "X_test.shape gives two numbers: (rows, columns). The number of aspirates is "
                "the number of rows.",
            ),
            Mistake(
                lambda a, e: a == len(lesson_split().X_train),
                "That is the size of the training set. The question asks about the test set.",
            ),
            Mistake(
                lambda a, e: a == 569,
                "That is the whole data set. The test set is the quarter kept back.",
            ),
            Mistake(
                lambda a, e: a == 0.25,
                "0.25 is the share kept back for testing. The question asks how many aspirates "
                "that is.",
            ),
            Mistake(
                lambda a, e: a in (30, 31),
                "That is the number of columns. Each aspirate is a row: count the rows.",
            ),
        ),
        praise="A quarter of the aspirates, kept back to test the model fairly.",
    )
)

# --- 3. put the steps in order (Parsons) -----------------------------------------------------

_ORDER = [2, 1, 4, 3]


def _position(answer: list, item: int) -> int:
    return list(answer).index(item)


register(
    Question(
        "03.workflow-order",
        expected=_ORDER,
        kind="sequence",
        hints=(
            "Which of the four lines makes X_train and X_test? Nothing else can run before it.",
            "A model must learn (fit) before it can predict, and y_pred must exist before you "
            "can measure its accuracy.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: len(a) > 0 and all(isinstance(x, str) for x in a),
                "Write the line numbers as numbers, without quotes: for example [4, 3, 2, 1].",
            ),
            Mistake(
                lambda a, e: sorted(a) == [1, 2, 3, 4] and a[0] != 2,
                "X_train, X_test, y_train and y_test do not exist until the data is split. "
                "Which line must come first?",
            ),
            Mistake(
                lambda a, e: sorted(a) == [1, 2, 3, 4] and _position(a, 4) < _position(a, 1),
                "The model has to be trained (fit) before it can predict.",
            ),
            Mistake(
                lambda a, e: sorted(a) == [1, 2, 3, 4] and _position(a, 3) < _position(a, 4),
                "The accuracy line uses y_pred, so the predictions must be made first.",
            ),
        ),
        praise="Split, train, predict, measure: the shape of almost every supervised model.",
    )
)

# --- 4. the baseline on the training set ------------------------------------------------------


def _baseline_train() -> float:
    split = lesson_split()
    return _accuracy(lesson_baseline(), split.X_train, split.y_train)


def _baseline_test() -> float:
    split = lesson_split()
    return _accuracy(lesson_baseline(), split.X_test, split.y_test)


def _model_accuracies() -> tuple[float, float]:
    split = lesson_split()
    model = lesson_model()
    return (
        _accuracy(model, split.X_train, split.y_train),
        _accuracy(model, split.X_test, split.y_test),
    )


register(
    Question(
        "03.baseline-train",
        expected=_baseline_train,
        kind="number",
        abs_tol=0.0005,  # the task asks for 3 decimal places
        hints=(
            "Predict with always_benign.predict(X_train), then compare with y_train.",
            "accuracy_score(true answers, predictions) gives the share that match.",
        ),
        mistakes=(
            forgot_brackets("accuracy_score(y_train, always_benign.predict(X_train))"),
            Mistake(
                lambda a, e: _near(a, _baseline_test()),
                "That is the baseline's accuracy on the test set. The question asks about the "
                "training set: use X_train and y_train.",
            ),
            Mistake(
                lambda a, e: _near(a, 1 - e),
                "That is the share of malignant aspirates in the training set. The baseline "
                "says benign to everyone, so it is right for the benign ones.",
            ),
            Mistake(
                lambda a, e: any(_near(a, acc) for acc in _model_accuracies()),
                "That is the accuracy of the logistic regression model. The question asks about "
                "always_benign.",
            ),
        ),
        praise="It is the share of benign aspirates in the training set, as you would expect "
        "from a rule that always says benign.",
    )
)

# --- 5. accuracy when the disease is rare (worked example) -------------------------------------

_CLINIC_PEOPLE = 1000
_CLINIC_ILL = 10

register(
    Question(
        "03.rare-accuracy",
        expected=lambda: (_CLINIC_PEOPLE - _CLINIC_ILL) / _CLINIC_PEOPLE,
        kind="number",
        rel_tol=1e-6,  # an exact calculation
        hints=(
            "Saying 'healthy' to everyone is right for every person who is healthy.",
            "How many of the 1,000 are healthy? Accuracy is that number divided by 1,000.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, (_CLINIC_PEOPLE - _CLINIC_ILL) / _CLINIC_ILL, 1e-9),
                "Check what you divided by. (1000 - 10) / 10 divides by the 10 people with the "
                "disease. Accuracy is the share of ALL the people tested that the model gets "
                "right, so divide by the 1,000 people tested.",
            ),
            Mistake(
                lambda a, e: _near(a, 1 - e, 1e-9),
                "That is the share who have the disease: exactly the people the model gets "
                "wrong. Accuracy is the share it gets right.",
            ),
            Mistake(
                lambda a, e: a == _CLINIC_PEOPLE - _CLINIC_ILL,
                "That is how many people it gets right. Divide by the number of people tested to "
                "get a proportion.",
            ),
            Mistake(
                lambda a, e: a == _CLINIC_ILL,
                "10 is the number of people with the disease. The question asks for the "
                "accuracy, the share of all 1,000 that the model gets right.",
            ),
        ),
        praise="99% accurate, and it finds none of the 10 people with the disease.",
    )
)

# --- 6. make: a model with three measurements ---------------------------------------------------


def _columns(model: Any) -> list[str]:
    """The columns a fitted model was trained on (raises if it cannot tell)."""
    return [str(c) for c in model.feature_names_in_]


def _is_fitted(model: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    return True


def _test_accuracy(model: Any) -> float:
    split = lesson_split()
    return _accuracy(model, split.X_test[_columns(model)], split.y_test)


def rows_learned_from(model: Any) -> int | None:
    """How many rows a fitted model learned from, if it records it (else None).

    A scaler records the rows it has seen (``n_samples_seen_``); a pipeline is asked step by
    step. A logistic regression on its own does not record it.

    Examples
    --------
    >>> rows_learned_from(lesson_model())
    426
    """
    import numpy as np

    steps = [step for _, step in getattr(model, "steps", [])] or [model]
    for step in steps:
        seen = getattr(step, "n_samples_seen_", None)
        if seen is not None:
            return int(np.max(seen))
    return None


def _learned_from(model: Any) -> str:
    """ "train" (the lesson's training rows), "all" (training AND test rows), or "other".

    Uses the rows the model records; a model that records none is refitted on the training
    rows (and on all rows) and compared, prediction by prediction.
    """
    import numpy as np
    import pandas as pd
    from sklearn.base import clone

    split = lesson_split()
    n_train, n_test = len(split.X_train), len(split.X_test)
    seen = rows_learned_from(model)
    if seen is not None:
        if seen == n_train:
            return "train"
        return "all" if seen == n_train + n_test else "other"
    columns = _columns(model)
    X_all = pd.concat([split.X_train[columns], split.X_test[columns]])
    y_all = pd.concat([split.y_train, split.y_test])
    method = "predict_proba" if hasattr(model, "predict_proba") else "predict"
    theirs = getattr(model, method)(X_all)
    for label, (X, y) in {
        "train": (split.X_train[columns], split.y_train),
        "all": (X_all, y_all),
    }.items():
        ours = getattr(clone(model).fit(X, y), method)(X_all)
        if np.allclose(ours, theirs, atol=1e-6):
            return label
    return "train"  # a model we cannot reproduce (e.g. a random one): give it the benefit


def _beats_baseline(answer: Any, baseline: float) -> bool:
    if not hasattr(answer, "predict") or not _is_fitted(answer):
        return False
    return (
        len(_columns(answer)) == 3
        and _learned_from(answer) == "train"
        and _test_accuracy(answer) > baseline
    )


register(
    Question(
        "03.three-features",
        expected=_baseline_test,
        kind="custom",
        compare=_beats_baseline,
        hints=(
            "Pick three names, e.g. three = ['mean_radius', 'mean_texture', 'mean_smoothness'], "
            "then train on X_train[three].",
            "Build the model as in section 5, then call .fit(X_train[three], y_train) and set "
            "answer to the model.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, type),
                "That is the recipe for a model, not a model: add () to make one, then train "
                "it with .fit(...).",
            ),
            Mistake(
                lambda a, e: uncalled(a),
                "That is a method itself, not its result: add () to call it, for example "
                "small_model.fit(X_train[three], y_train). Then set answer to small_model.",
            ),
            Mistake(
                lambda a, e: _tried(a) and not hasattr(a, "predict"),
                "Set answer to your trained model itself (the variable you called .fit on), not "
                "a number or a list.",
            ),
            Mistake(
                lambda a, e: _tried(a) and not _is_fitted(a),
                "Your model has not been trained yet: call .fit(...) with your three columns of "
                "X_train, and y_train.",
            ),
            Mistake(
                lambda a, e: _tried(a) and not hasattr(a, "feature_names_in_"),
                "Train your model on a table with named columns, such as X_train[three], so that "
                "the check can see which three measurements you chose.",
            ),
            Mistake(
                lambda a, e: _tried(a) and len(_columns(a)) != 3,
                "Your model uses a different number of measurements. The task asks for exactly "
                "three: select them with X_train[[name1, name2, name3]].",
            ),
            Mistake(
                lambda a, e: _tried(a) and _learned_from(a) == "all",
                "Your model learned from all 569 aspirates: the training set AND the test set. "
                "Then the test is not fair, because the model has already seen the test "
                "answers (this is called leakage). Train it on X_train[three] and y_train only.",
            ),
            Mistake(
                lambda a, e: _tried(a) and _learned_from(a) == "other",
                "Your model did not learn from the 426 training aspirates. Train it on "
                "X_train[three] and y_train (not X_test, and not the whole table).",
            ),
            Mistake(
                lambda a, e: _tried(a) and _test_accuracy(a) <= e,
                "Your model is no better than always saying benign on the test set. Try three "
                "other measurements, and check that you trained it on y_train.",
            ),
        ),
        praise="Your three-measurement model beats 'always say benign' on the test set. "
        "Print its accuracy and compare it with the model that uses all 30 measurements.",
    )
)
