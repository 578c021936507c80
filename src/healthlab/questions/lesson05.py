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
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

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
        abs_tol=0.05,
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
        rel_tol=1e-4,
        hints=(
            'Fill in strategy="median", then predict for X_test.',
            "answer = mean_absolute_error(y_test, median_baseline.predict(X_test))",
        ),
        mistakes=(
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
        rel_tol=1e-4,
        hints=(
            'The three column names are in the column table: "bmi", "bp" and "log_triglycerides".',
            "cross_val_score gives ten scores, one per fold. Their average is scores.mean().",
        ),
        mistakes=(
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


def _plausible_r2(answer: Any, expected: Any) -> bool:
    return _is_number(answer) and -1.0 <= float(answer) <= 1.0


register(
    Question(
        "05.my-model",
        expected=None,
        kind="custom",
        compare=_plausible_r2,
        hints=(
            "Copy the cross-validation cell from 'Your turn 5' and change the list of columns.",
            "Set answer to scores.mean(): one number, usually between 0 and 1.",
        ),
        mistakes=(
            Mistake(
                _all_scores,
                "You gave all ten fold scores. The answer is their average: use scores.mean().",
            ),
            Mistake(
                lambda a, e: _is_number(a) and float(a) > 1,
                "An R² can never be above 1. Did you give the mean absolute error instead?",
            ),
            Mistake(
                lambda a, e: _is_number(a) and float(a) < -1,
                "That R² is far below 0. Check that you used the `cv` from the lesson and the "
                "progression score as the target.",
            ),
        ),
        praise="Now compare it with the baseline and with the model that uses all ten "
        "measurements, and write what you found in a comment.",
    )
)
