"""Exercises of lesson 05, "Predicting a number".

Every question registers itself here with :func:`healthlab.checks.register`. Answers that come
from the diabetes data are computed from it (with the lesson's own split and folds), never typed
in, so the checks follow the data.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("05.mae-by-hand", (10 + 30 + 0) / 3).correct
True
>>> print(evaluate_answer("05.mae-by-hand", (10 - 30 + 0) / 3).message)
Some errors are negative. Drop the minus signs (take the absolute value) before you average.
>>> evaluate_answer("05.overfit", "B").correct
True

Tolerances follow the course rule: the tasks ask for calculations, not rounded numbers, so an
answer is right within ``rel_tol=1e-6`` of the computed value.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number
from healthlab.questions.lesson03 import forgot_brackets, rows_learned_from

__all__ = [
    "ACTUAL",
    "PREDICTED",
    "SEED",
    "TEST_SIZE",
    "THREE_COLUMNS",
    "TARGET",
    "WORKFLOW_ORDERS",
    "diabetes_split",
    "diabetes_folds",
    "r2_on_test_set",
]

#: The random seed every lesson uses.
SEED = 42
#: Share of patients kept aside for testing in the lesson.
TEST_SIZE = 0.25
#: The column the lesson predicts.
TARGET = "progression"
#: "Your turn 1": three patients' actual and predicted progression scores.
ACTUAL = (150, 200, 100)
PREDICTED = (140, 230, 100)
#: "Your turn 5": the three columns of the smaller model.
THREE_COLUMNS = ("bmi", "bp", "log_triglycerides")
#: "Your turn 2" (Parsons problem): the right orders of the five lines. Creating the model
#: (line 4) may come before or after the split (line 2); the rest is fixed.
WORKFLOW_ORDERS = ((2, 4, 1, 5, 3), (4, 2, 1, 5, 3))


@cache
def _diabetes() -> Any:
    from healthlab import datasets

    return datasets.load("diabetes")


def diabetes_split() -> tuple[Any, Any, Any, Any]:
    """The lesson's train/test split of the diabetes data.

    Returns
    -------
    tuple of (X_train, X_test, y_train, y_test)
        The ten measurements and the progression score, split 75/25 with ``random_state=42``,
        exactly as in the lesson.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = diabetes_split()
    >>> len(X_train), len(X_test)
    (331, 111)
    """
    from sklearn.model_selection import train_test_split

    df = _diabetes()
    X = df.drop(columns=TARGET)
    y = df[TARGET]
    return tuple(train_test_split(X, y, test_size=TEST_SIZE, random_state=SEED))


def diabetes_folds(*, shuffle: bool = True) -> Any:
    """The lesson's 10-fold cross-validation (shuffled with ``random_state=42``).

    Parameters
    ----------
    shuffle : bool, default True
        ``False`` gives the unshuffled folds (a typical slip, used to recognise it).

    Returns
    -------
    sklearn.model_selection.KFold

    Examples
    --------
    >>> diabetes_folds().get_n_splits()
    10
    """
    from sklearn.model_selection import KFold

    if shuffle:
        return KFold(n_splits=10, shuffle=True, random_state=SEED)
    return KFold(n_splits=10)


def _test_mae(strategy: str, *, on: str = "test") -> float:
    from sklearn.dummy import DummyRegressor
    from sklearn.metrics import mean_absolute_error

    X_train, X_test, y_train, y_test = diabetes_split()
    model = DummyRegressor(strategy=strategy).fit(X_train, y_train)
    if on == "train":
        return float(mean_absolute_error(y_train, model.predict(X_train)))
    return float(mean_absolute_error(y_test, model.predict(X_test)))


def _test_r2(strategy: str) -> float:
    from sklearn.dummy import DummyRegressor
    from sklearn.metrics import r2_score

    X_train, X_test, y_train, y_test = diabetes_split()
    model = DummyRegressor(strategy=strategy).fit(X_train, y_train)
    return float(r2_score(y_test, model.predict(X_test)))


def _cv_r2(columns: tuple[str, ...] | None, *, shuffle: bool = True) -> float:
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import cross_val_score

    df = _diabetes()
    X = df.drop(columns=TARGET)
    if columns is not None:
        X = X[list(columns)]
    scores = cross_val_score(
        LinearRegression(), X, df[TARGET], cv=diabetes_folds(shuffle=shuffle), scoring="r2"
    )
    return float(scores.mean())


def _near(value_of: Any, *, rel: float = 1e-3, abs_tol: float = 0.0) -> Any:
    """A matcher: True when the answer is a number close to ``value_of()``."""

    def matches(answer: Any, expected: Any) -> bool:
        value = value_of() if callable(value_of) else value_of
        return _is_number(answer) and math.isclose(
            float(answer), float(value), rel_tol=rel, abs_tol=abs_tol
        )

    return matches


# --- Your turn 1: mean absolute error by hand -------------------------------------------------

_ERRORS = [a - p for a, p in zip(ACTUAL, PREDICTED, strict=True)]

register(
    Question(
        "05.mae-by-hand",
        expected=lambda: sum(abs(e) for e in _ERRORS) / len(_ERRORS),
        kind="number",
        rel_tol=1e-6,  # the task asks for a calculation
        hints=(
            "Write each error without its minus sign: 10, 30 and 0.",
            "Add the three sizes of error together, then divide by how many patients there are.",
        ),
        mistakes=(
            Mistake(
                _near(sum(_ERRORS) / len(_ERRORS), abs_tol=0.05),
                "Some errors are negative. Drop the minus signs (take the absolute value) "
                "before you average.",
            ),
            Mistake(
                _near(abs(sum(_ERRORS) / len(_ERRORS)), abs_tol=0.05),
                "The minus sign of -30 cancelled part of the +10. Make every error positive "
                "first, then average.",
            ),
            Mistake(
                _near(sum(e * e for e in _ERRORS) / len(_ERRORS), abs_tol=0.05),
                "You squared the errors. Mean ABSOLUTE error just drops the minus signs; "
                "no squaring.",
            ),
            Mistake(
                _near(sum(abs(e) for e in _ERRORS), abs_tol=0.05),
                "That is the total error. Mean means average: divide by the number of patients.",
            ),
            Mistake(
                _near(sum(abs(e) for e in _ERRORS) / 2, abs_tol=0.05),
                "The third patient's error of 0 still counts: divide by 3 patients, not 2.",
            ),
        ),
        praise="On average the predictions are about 13 points away from the truth.",
    )
)

# --- Your turn 2: put the lines in order (Parsons problem) ------------------------------------


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


def _not_each_line_once(answer: Any, expected: Any) -> bool:
    return _is_list(answer) and sorted(answer) != [1, 2, 3, 4, 5]


def _predict_before_fit(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return items.index(5) < items.index(1)


def _fit_before_model(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return items.index(1) < items.index(4)


def _uses_split_before_made(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return items.index(1) < items.index(2)


def _score_not_last(answer: Any, expected: Any) -> bool:
    return list(answer)[-1] != 3


register(
    Question(
        "05.workflow-order",
        expected=WORKFLOW_ORDERS,
        kind="orders",
        hints=(
            "A line can only use a name (like X_train or model) after another line has made it.",
            "Split the patients and create the model first; measure the error last.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list of line numbers in square brackets, like "
                "[1, 2, 3, 4, 5].",
            ),
            Mistake(
                _not_each_line_once,
                "Use each of the five line numbers 1 to 5 exactly once.",
            ),
            Mistake(
                _fit_before_model,
                "Line 1 fits `model`, but `model` does not exist until line 4 creates it.",
            ),
            Mistake(
                _uses_split_before_made,
                "Line 1 uses X_train and y_train: which line makes them?",
            ),
            Mistake(
                _predict_before_fit,
                "The model predicts before it has learned anything: fitting must come before "
                "predicting.",
            ),
            Mistake(
                _score_not_last,
                "You can only measure the error once you have the predictions.",
            ),
        ),
        praise="Split, create, fit, predict, measure: the same five steps for almost any model.",
    )
)

# --- Your turn 3: a median baseline ----------------------------------------------------------

register(
    Question(
        "05.median-baseline-mae",
        expected=lambda: _test_mae("median"),
        kind="number",
        rel_tol=1e-6,  # "do not round"
        hints=(
            'Fill in strategy="median", then predict for X_test.',
            "answer = mean_absolute_error(y_test, median_baseline.predict(X_test))",
        ),
        mistakes=(
            forgot_brackets("mean_absolute_error(y_test, median_baseline.predict(X_test))"),
            Mistake(
                _near(lambda: _test_mae("mean"), rel=1e-4),
                "That is the MAE of the baseline that predicts the mean. Change the strategy "
                'to "median".',
            ),
            Mistake(
                _near(lambda: _test_mae("median", on="train"), rel=1e-4),
                "That is the error on the training patients. Measure it on the test set "
                "(X_test and y_test).",
            ),
            Mistake(
                _near(lambda: _test_r2("median"), abs_tol=1e-3),
                "That looks like an R² score. The question asks for the mean absolute error.",
            ),
        ),
        praise="Predicting the median gives a similar error to the mean: still far worse than "
        "the linear regression.",
    )
)

# --- Your turn 4: which model is overfitting? -------------------------------------------------

register(
    Question(
        "05.overfit",
        expected="B",
        kind="choice",
        options=("A", "B", "C"),
        hints=(
            "Overfitting means doing much better on the training patients than on new ones.",
            "For each model, compare the training MAE with the test MAE. Where is the gap?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: str(a).strip().upper() == "A",
                "Model A does about as well on new patients as on its training patients: that "
                "is what you want. Look for a big gap between the two columns.",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "C",
                "Model C is equally poor on both: it is too simple (underfitting), not "
                "overfitting. Look for a big gap between the two columns.",
            ),
        ),
        praise="Model B is almost perfect on its training patients but poor on new ones: it "
        "has memorised them.",
    )
)

# --- Your turn 5: a smaller model, cross-validated --------------------------------------------


def _all_scores(answer: Any, expected: Any) -> bool:
    return hasattr(answer, "__len__") and not isinstance(answer, str) and len(answer) == 10


register(
    Question(
        "05.three-columns-cv",
        expected=lambda: _cv_r2(THREE_COLUMNS),
        kind="number",
        rel_tol=1e-6,  # "do not round it"
        hints=(
            'The three column names are in the column table: "bmi", "bp" and "log_triglycerides".',
            "cross_val_score gives ten scores, one per fold. Their average is scores.mean().",
        ),
        mistakes=(
            forgot_brackets("scores.mean()"),
            Mistake(
                _all_scores,
                "You gave all ten fold scores. The answer is their average: use scores.mean().",
            ),
            Mistake(
                _near(lambda: _cv_r2(None), rel=1e-4),
                "That is the score of the model with all ten measurements. Use only the three "
                "columns named in the task.",
            ),
            Mistake(
                _near(lambda: _cv_r2(THREE_COLUMNS, shuffle=False), rel=1e-4),
                "Your folds were not shuffled. Use the `cv` made earlier in the lesson "
                "(KFold with shuffle=True and random_state=SEED).",
            ),
        ),
        praise="Three measurements explain almost as much as all ten: a smaller model can be "
        "nearly as good and easier to use in clinic.",
    )
)

# --- Your turn 6 (make): your own model -----------------------------------------------------


def _columns(model: Any) -> list[str]:
    return [str(c) for c in model.feature_names_in_]


def _is_fitted(model: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except (NotFittedError, TypeError):
        return False
    return True


def _learned_from(model: Any) -> str:
    """ "train" (the lesson's 331 training patients), "all" (all 442), "test" or "other"."""
    import numpy as np
    import pandas as pd
    from sklearn.base import clone

    X_train, X_test, y_train, y_test = diabetes_split()
    seen = rows_learned_from(model)
    sizes = {len(X_train): "train", len(X_train) + len(X_test): "all", len(X_test): "test"}
    if seen is not None:
        return sizes.get(seen, "other")
    columns = _columns(model)
    X_all = pd.concat([X_train, X_test])[columns]
    y_all = pd.concat([y_train, y_test])
    theirs = model.predict(X_all)
    for label, (X, y) in {
        "train": (X_train[columns], y_train),
        "all": (X_all, y_all),
        "test": (X_test[columns], y_test),
    }.items():
        if np.allclose(clone(model).fit(X, y).predict(X_all), theirs, rtol=1e-6, atol=1e-6):
            return label
    return "train"  # a model we cannot reproduce (e.g. a random one): give it the benefit


def r2_on_test_set(model: Any) -> float:
    """R² of a fitted model on the lesson's 111 test patients, using the model's own columns.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> X_train, X_test, y_train, y_test = diabetes_split()
    >>> round(r2_on_test_set(LinearRegression().fit(X_train[["bmi"]], y_train)), 2)
    0.32
    """
    from sklearn.metrics import r2_score

    _, X_test, _, y_test = diabetes_split()
    return float(r2_score(y_test, model.predict(X_test[_columns(model)])))


def _usable(answer: Any) -> bool:
    return hasattr(answer, "predict") and not isinstance(answer, type) and _is_fitted(answer)


def _honest_model(answer: Any, floor: float) -> bool:
    return (
        _usable(answer)
        and hasattr(answer, "feature_names_in_")
        and _learned_from(answer) == "train"
        and r2_on_test_set(answer) > floor
    )


register(
    Question(
        "05.my-model",
        expected=0.0,  # R² 0: no better than predicting the average for every test patient
        kind="custom",
        compare=_honest_model,
        hints=(
            "Copy the cell of section 2 that trains `model`, and use X_train[my_columns] "
            "instead of X_train.",
            "my_model = LinearRegression().fit(X_train[my_columns], y_train), then answer = "
            "my_model.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, type),
                "That is the recipe for a model, not a model: add () to make one, then train "
                "it with .fit(X_train[my_columns], y_train).",
            ),
            Mistake(
                lambda a, e: callable(a),
                "That is a method itself, not its result: add () to call it, for example "
                "my_model.fit(X_train[my_columns], y_train). Then set answer to my_model.",
            ),
            Mistake(
                lambda a, e: _is_number(a),
                "Set answer to your trained model itself, not a score: the check works out your "
                "model's R² on the test patients from the model and its columns.",
            ),
            Mistake(
                lambda a, e: _all_scores(a, e),
                "Those look like scores. Set answer to your trained model itself.",
            ),
            Mistake(
                lambda a, e: not hasattr(a, "predict"),
                "Set answer to your trained model itself (the variable you called .fit on).",
            ),
            Mistake(
                lambda a, e: not _is_fitted(a),
                "Your model has not been trained yet: call .fit(X_train[my_columns], y_train).",
            ),
            Mistake(
                lambda a, e: not hasattr(a, "feature_names_in_"),
                "Train your model on a table with named columns, X_train[my_columns], so that "
                "the check can see which measurements you chose.",
            ),
            Mistake(
                lambda a, e: _learned_from(a) == "all",
                "Your model learned from all 442 patients, including the 111 test patients. "
                "Scored on patients it has seen, it looks better than it is (an in-sample "
                "score, like the 0.518 in section 9). Train it on X_train[my_columns] and "
                "y_train only.",
            ),
            Mistake(
                lambda a, e: _learned_from(a) in ("test", "other"),
                "Your model did not learn from the 331 training patients. Train it on "
                "X_train[my_columns] and y_train (not X_test, and not the whole table).",
            ),
            Mistake(
                lambda a, e: r2_on_test_set(a) <= e,
                "On the test patients your model is no better than predicting the average "
                "(its R² is 0 or below). Try other measurements, and check that you trained "
                "it on y_train.",
            ),
        ),
        praise="The check worked out your model's R² on the 111 test patients: it explains "
        "some of the differences between them. Print it yourself, r2_score(y_test, my_model.predict(X_test[my_columns]))"
        ", and compare it with the baseline (-0.01) and with all ten measurements (0.48) in a "
        "comment.",
    )
)


# --- warm-up: remember lesson 04 ------------------------------------------------------------

_FOUND, _WITH_DISEASE = 45, 50

register(
    Question(
        "05.warmup-sensitivity",
        expected=_FOUND / _WITH_DISEASE,
        kind="number",
        rel_tol=1e-6,
        hints=("Sensitivity = the people the test finds / all the people with the disease.",),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and math.isclose(a, _WITH_DISEASE / _FOUND),
                "The fraction is upside down: divide the people found (45) by everyone with "
                "the disease (50).",
            ),
            Mistake(
                lambda a, e: _is_number(a) and math.isclose(a, 1 - e),
                "That is the share the test misses. Sensitivity is the share it finds.",
            ),
        ),
        praise="0.9: the test finds 9 in 10 of the people who have the disease.",
    )
)

register(
    Question(
        "05.warmup-ppv-prevalence",
        expected=False,
        kind="bool",
        hints=("Lesson 04, section 6: what happened to the PPV when the disease was rarer?",),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "Look back at lesson 04: the same test had a PPV of about 9% when 1 in 100 "
                "had the disease and about 91% when 1 in 2 did.",
            ),
        ),
        praise="The PPV depends on how common the disease is where the test is used.",
    )
)
