"""Exercises of lesson 07, "Early warning: can a model beat NEWS2?".

Notebook: ``notebooks/07-early-warning.ipynb``. Data: the synthetic ward observations
(``datasets/ward-observations.md``). Every answer that comes from the data is computed here with
the lesson's own choices, never typed in: NEWS2 from :func:`healthlab.scores.news2_frame`; the
label ``deteriorated`` (1 when ICU admission or death follows within 24 hours of the
observation set, as the data card defines it); a split by patient with
``GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=42)``; a scaled logistic
regression and a small random forest (the "tree ensemble") on the same vital signs.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("07.warmup-overfitting", "overfitting").correct
True
>>> evaluate_answer("07.news2-by-hand", 5).correct
True
>>> print(evaluate_answer("07.my-model", ...).message)
Replace the ... with your answer, then run the cell again.

Tolerances follow the course rule: an answer the task asks for "to one decimal place" is right
within half a unit of that place (``abs_tol=0.05``); the make task accepts an AUROC stated to
three decimal places.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from healthlab.checks import UNANSWERED, Mistake, Question, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "BEDS",
    "BY_HAND",
    "ENSEMBLE",
    "GAIN_THRESHOLD",
    "MY_MODEL_KEYS",
    "HOURS_BETWEEN_OBS",
    "LOWER_TRIGGER",
    "RCP_EXAMPLE",
    "SEED",
    "SENSIBLE_THRESHOLDS",
    "SHIFT_HOURS",
    "SPLIT_ORDERS",
    "TEST_SIZE",
    "TRIGGERS",
    "VITAL_SIGNS",
    "alerts_per_shift",
    "lesson_models",
    "net_benefit_table",
    "patient_split",
    "rows_learned",
    "scores_on_test_patients",
    "sets_per_shift",
    "ward",
]

#: The random seed every lesson uses.
SEED = 42
#: Share of PATIENTS kept aside for testing (all of each test patient's rows go to the test set).
TEST_SIZE = 0.3
#: The RCP trigger thresholds: 5 (key threshold for an urgent response), 7 (emergency response).
TRIGGERS = (5, 7)
#: "Your turn 2": a lower trigger, to see what it does to the nurses' workload.
LOWER_TRIGGER = 3
#: The imagined ward of the alarm-fatigue section: beds, hours in a shift, hours between sets.
BEDS = 30
SHIFT_HOURS = 12
HOURS_BETWEEN_OBS = 4
#: The inputs of both models: the vital signs NEWS2 uses, as numbers.
VITAL_SIGNS = (
    "respiration_rate",
    "spo2",
    "spo2_scale",
    "oxygen",
    "systolic_bp",
    "pulse",
    "not_alert",
    "temperature",
)
#: Settings of the lesson's tree ensemble (``RandomForestClassifier``): 50 trees, no leaf with
#: fewer than 20 sets of observations. A random forest runs on one CPU core by default, so it
#: stays quick on a shared school server.
ENSEMBLE = {"n_estimators": 50, "min_samples_leaf": 20}
#: The course's checked worked example, Harold (clinical-facts.md, scored on the RCP chart):
#: 2 + 2 + 0 + 2 + 2 + 0 + 1 = 9, high.
RCP_EXAMPLE = {
    "respiration_rate": 22,
    "spo2": 93,
    "on_oxygen": False,
    "systolic_bp": 98,
    "pulse": 112,
    "consciousness": "A",
    "temperature": 38.4,
}
#: "Your turn 1": a set of observations the student scores by hand.
BY_HAND = {
    "respiration_rate": 24,
    "spo2": 95,
    "on_oxygen": False,
    "systolic_bp": 115,
    "pulse": 105,
    "consciousness": "A",
    "temperature": 38.2,
}
#: The decision thresholds of the net benefit table (risks at which a ward might act).
SENSIBLE_THRESHOLDS = (0.05, 0.1, 0.2)
#: "Your turn 4": the threshold at which the gain in net benefit is read.
GAIN_THRESHOLD = 0.1
#: "Your turn 3" (Parsons problem): the right orders of the five lines. The two ``set`` lines
#: (3 and 5) may come in either order; the splitter (2) comes first and the overlap (1) last.
SPLIT_ORDERS = ((2, 4, 3, 5, 1), (2, 4, 5, 3, 1))


@cache
def ward() -> Any:
    """The ward observations with the lesson's extra columns.

    Returns
    -------
    pandas.DataFrame
        The data set plus ``news2`` (the NEWS2 total), ``band``, ``oxygen`` (1 on oxygen, 0 on
        air) and ``not_alert`` (1 for C, V, P or U, 0 for alert), as the lesson builds them.

    Examples
    --------
    >>> frame = ward()
    >>> len(frame), int(frame["deteriorated"].sum())
    (21890, 567)
    """
    from healthlab import datasets, scores

    frame = datasets.load("ward-observations")
    news = scores.news2_frame(frame)
    frame["news2"] = news["total"]
    frame["band"] = news["band"]
    frame["oxygen"] = frame["on_oxygen"].astype(int)
    frame["not_alert"] = (frame["consciousness"] != "A").astype(int)
    return frame


def sets_per_shift() -> float:
    """Sets of observations taken on the imagined ward in one shift (30 x 12 / 4 = 90).

    Examples
    --------
    >>> sets_per_shift()
    90.0
    """
    return BEDS * SHIFT_HOURS / HOURS_BETWEEN_OBS


def alerts_per_shift(trigger: int) -> float:
    """NEWS2 alerts per shift on the imagined ward: share of sets at or above ``trigger`` x 90.

    Examples
    --------
    >>> round(alerts_per_shift(5), 2)
    2.87
    """
    return float((ward()["news2"] >= trigger).mean()) * sets_per_shift()


@cache
def patient_split() -> tuple[Any, Any]:
    """Row positions of the training and test sets, split by patient as in the lesson.

    Returns
    -------
    tuple of (train_rows, test_rows)
        NumPy arrays of row positions (for ``.iloc``); no patient is in both.

    Examples
    --------
    >>> train_rows, test_rows = patient_split()
    >>> frame = ward()
    >>> set(frame["patient_id"].iloc[train_rows]) & set(frame["patient_id"].iloc[test_rows])
    set()
    """
    from sklearn.model_selection import GroupShuffleSplit

    frame = ward()
    splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
    X, y = frame[list(VITAL_SIGNS)], frame["deteriorated"]
    train_rows, test_rows = next(splitter.split(X, y, groups=frame["patient_id"]))
    return train_rows, test_rows


def _train_test() -> tuple[Any, Any, Any, Any]:
    frame = ward()
    train_rows, test_rows = patient_split()
    X, y = frame[list(VITAL_SIGNS)], frame["deteriorated"]
    return X.iloc[train_rows], X.iloc[test_rows], y.iloc[train_rows], y.iloc[test_rows]


@cache
def lesson_models() -> dict[str, Any]:
    """The lesson's two fitted models, trained on the training patients.

    Returns
    -------
    dict
        ``"logistic regression"``: ``StandardScaler`` then ``LogisticRegression(max_iter=1000)``;
        ``"tree ensemble"``: ``RandomForestClassifier`` with :data:`ENSEMBLE` and
        ``random_state=42``.

    Examples
    --------
    >>> sorted(lesson_models())
    ['logistic regression', 'tree ensemble']
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, _, y_train, _ = _train_test()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    ensemble = RandomForestClassifier(**ENSEMBLE, random_state=SEED)
    return {
        "logistic regression": logistic.fit(X_train, y_train),
        "tree ensemble": ensemble.fit(X_train, y_train),
    }


@cache
def scores_on_test_patients() -> dict[str, Any]:
    """NEWS2 and each model's predicted risk for every test observation set, and the truth.

    Returns
    -------
    dict
        ``"truth"`` (the label), ``"NEWS2"`` (totals), ``"logistic regression"`` and
        ``"tree ensemble"`` (probabilities), all NumPy arrays in the test set's order.

    Examples
    --------
    >>> scores = scores_on_test_patients()
    >>> len(scores["truth"]) == len(scores["NEWS2"])
    True
    """
    _, X_test, _, y_test = _train_test()
    _, test_rows = patient_split()
    result = {"truth": y_test.to_numpy(), "NEWS2": ward()["news2"].iloc[test_rows].to_numpy()}
    for name, model in lesson_models().items():
        result[name] = model.predict_proba(X_test)[:, 1]
    return result


@cache
def net_benefit_table() -> Any:
    """Net benefit of each strategy at :data:`SENSIBLE_THRESHOLDS` on the test patients.

    Returns
    -------
    pandas.DataFrame
        Indexed by threshold; columns ``logistic regression``, ``tree ensemble``,
        ``NEWS2 >= 5``, ``NEWS2 >= 7`` (the RCP triggers as fixed rules) and ``treat all``.

    Examples
    --------
    >>> list(net_benefit_table().columns)
    ['logistic regression', 'tree ensemble', 'NEWS2 >= 5', 'NEWS2 >= 7', 'treat all']
    """
    import pandas as pd

    from healthlab import evaluate

    scores = scores_on_test_patients()
    strategies = {
        "logistic regression": scores["logistic regression"],
        "tree ensemble": scores["tree ensemble"],
    }
    for trigger in TRIGGERS:
        strategies[f"NEWS2 >= {trigger}"] = (scores["NEWS2"] >= trigger).astype(float)
    cuts = list(SENSIBLE_THRESHOLDS)
    table = pd.DataFrame(
        {
            name: evaluate.net_benefit(scores["truth"], risk, cuts)["model"].to_numpy()
            for name, risk in strategies.items()
        },
        index=cuts,
    )
    first = strategies["logistic regression"]
    table["treat all"] = evaluate.net_benefit(scores["truth"], first, cuts)["treat_all"].to_numpy()
    return table


def _near(value_of: Any, *, abs_tol: float = 0.05) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        return (
            _is_number(answer)
            and math.isfinite(float(answer))
            and math.isclose(float(answer), value_of(), abs_tol=abs_tol)
        )

    return matches


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


# --- Warm-up: remember lesson 06 -------------------------------------------------------------

register(
    Question(
        "07.warmup-overfitting",
        expected="overfitting",
        kind="choice",
        options=("overfitting", "selection bias", "imputation"),
        hints=("It happens when a model learns its training patients too well.",),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, str) and a.strip().casefold() == "selection bias",
                "Selection bias was the 'asymptomatic chest pain' surprise: it is about which "
                "patients were sent for the test. This is about a model and its training "
                "patients.",
            ),
            Mistake(
                lambda a, e: isinstance(a, str) and a.strip().casefold() == "imputation",
                "Imputation is filling in missing values. What do you call a model that "
                "memorises its training patients and does worse on new ones?",
            ),
        ),
        praise="A model that memorises its training patients does worse on new ones. Today "
        "you will meet a sneakier way to fool yourself: the same patient in both sets.",
    )
)

register(
    Question(
        "07.warmup-importance",
        expected=False,
        kind="bool",
        hints=("Does importance describe the model, or the patient's body?",),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "Not quite. Importance describes the model, not the body: the tree simply "
                "asked other questions that carried similar information.",
            ),
        ),
        praise="An importance of 0 says what this model used, not what matters clinically.",
    )
)

register(
    Question(
        "07.warmup-depth",
        expected=3,
        kind="integer",
        hints=("The depth is the largest number of questions on the way from the top to a leaf.",),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and float(a) == 8,
                "8 was the number of leaves (end points) of the depth-3 tree. The depth counts "
                "the questions asked on the way down.",
            ),
        ),
        praise="Three questions at most: short enough to read, and to check.",
    )
)

# --- Your turn 1: NEWS2 by hand --------------------------------------------------------------


def _by_hand_total() -> int:
    from healthlab import scores

    return scores.news2(**BY_HAND).total


register(
    Question(
        "07.news2-by-hand",
        expected=_by_hand_total,
        kind="integer",
        hints=(
            "Go down the chart one row at a time: respiration rate, SpO2 (Scale 1), air or "
            "oxygen, systolic BP, pulse, consciousness, temperature. Write each score down.",
            "Five of the seven scores are small (0, 1 or 2). Add all seven.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, str),
                "Give the total as a number without quotes, like 4. The band comes next.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and float(a) == e - 1,
                "One short. Check the SpO2 (95% on air is in the 94-95 band) and the "
                "temperature (38.2 is in the 38.1-39.0 band).",
            ),
            Mistake(
                lambda a, e: _is_number(a) and float(a) == e + 1,
                "One too many. Check the respiration rate (24 is in the 21-24 band) and the "
                "pulse (105 is in the 91-110 band).",
            ),
            Mistake(
                lambda a, e: _is_number(a) and float(a) > 20,
                "NEWS2 totals go from 0 to 20: add the seven scores, not the readings.",
            ),
        ),
        praise="A total of 5: the RCP's key threshold for an urgent response, even though no "
        "single reading looks alarming on its own.",
    )
)

# --- Your turn 2: alarm fatigue at a lower trigger --------------------------------------------


def _share_flagged() -> float:
    return float((ward()["news2"] >= LOWER_TRIGGER).mean())


register(
    Question(
        "07.alerts-per-shift",
        expected=lambda: alerts_per_shift(LOWER_TRIGGER),
        kind="number",
        abs_tol=0.05,
        hints=(
            "First the share of all observation sets with NEWS2 of 3 or more: "
            '(ward["news2"] >= 3).mean().',
            "Then multiply that share by sets_per_shift (90 sets on the imagined ward).",
        ),
        mistakes=(
            Mistake(
                _near(lambda: alerts_per_shift(5)),
                "That is the number at the trigger of 5 (from the table above). Change the "
                "trigger to 3.",
            ),
            Mistake(
                _near(lambda: alerts_per_shift(7)),
                "That is the number at the trigger of 7. Change the trigger to 3.",
            ),
            Mistake(
                _near(_share_flagged, abs_tol=0.0005),
                "That is the share of observation sets with NEWS2 of 3 or more. Multiply it by "
                "sets_per_shift to get alerts per shift.",
            ),
            Mistake(
                lambda a, e: (
                    _is_number(a) and float(a) == float((ward()["news2"] >= LOWER_TRIGGER).sum())
                ),
                "That is how many sets in the whole data set reach 3: use .mean() (the share), "
                "not .sum(), then multiply by sets_per_shift.",
            ),
            Mistake(
                _near(lambda: float((ward()["news2"] > LOWER_TRIGGER).mean()) * sets_per_shift()),
                "Use >= (3 or more), not > (more than 3): a NEWS2 of exactly 3 counts.",
            ),
        ),
        praise="Lowering the trigger finds more patients who deteriorate, but look how many "
        "more alerts the nurses would have to answer in every shift.",
    )
)

# --- Your turn 3: a split by patient (Parsons) -------------------------------------------------


def _not_each_line_once(answer: Any, expected: Any) -> bool:
    return sorted(answer) != [1, 2, 3, 4, 5]


def _rows_before_split(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return min(items.index(3), items.index(5)) < items.index(4)


register(
    Question(
        "07.split-order",
        expected=SPLIT_ORDERS,
        kind="orders",
        hints=(
            "A line can only use a name (like splitter or train_rows) after another line has "
            "made it.",
            "Make the splitter, split, list each set's patients, then look for patients in both.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not None and not _is_list(a),
                "The answer should be a list of line numbers in square brackets, like "
                "[1, 2, 3, 4, 5].",
            ),
            Mistake(
                _not_each_line_once,
                "Use each of the five line numbers 1 to 5 exactly once.",
            ),
            Mistake(
                lambda a, e: list(a).index(4) < list(a).index(2),
                "Line 4 uses `splitter`, which does not exist until line 2 makes it.",
            ),
            Mistake(
                _rows_before_split,
                "Lines 3 and 5 use train_rows and test_rows: which line makes them?",
            ),
            Mistake(
                lambda a, e: list(a)[-1] != 1,
                "Line 1 compares the two sets of patients, so both must exist first.",
            ),
        ),
        praise="Split by patient, then prove it: no patient may be in both sets.",
    )
)

# --- Your turn 4: how much better, in net benefit? -------------------------------------------


def _gain(model: str, rule: str, threshold: float) -> float:
    table = net_benefit_table()
    return float((table.loc[threshold, model] - table.loc[threshold, rule]) * 1000)


register(
    Question(
        "07.net-benefit-gain",
        expected=lambda: _gain("logistic regression", "NEWS2 >= 5", GAIN_THRESHOLD),
        kind="number",
        abs_tol=0.05,
        hints=(
            'Read two numbers from the table `net` in the row 0.1: the "logistic regression" '
            'column and the "NEWS2 >= 5" column.',
            "Subtract the NEWS2 one from the model one, then multiply by 1000 to get net true "
            "alerts per 1,000 observation sets.",
        ),
        mistakes=(
            Mistake(
                _near(lambda: -_gain("logistic regression", "NEWS2 >= 5", GAIN_THRESHOLD)),
                "Right size, wrong sign: subtract NEWS2 from the model (model minus NEWS2).",
            ),
            Mistake(
                _near(
                    lambda: _gain("logistic regression", "NEWS2 >= 5", GAIN_THRESHOLD) / 1000,
                    abs_tol=0.00005,
                ),
                "That is the difference in net benefit per observation set. Multiply it by "
                "1000 to say it per 1,000 sets.",
            ),
            Mistake(
                _near(lambda: _gain("logistic regression", "NEWS2 >= 7", GAIN_THRESHOLD)),
                'That compares with NEWS2 >= 7. The question asks about the "NEWS2 >= 5" rule.',
            ),
            Mistake(
                _near(lambda: _gain("tree ensemble", "NEWS2 >= 5", GAIN_THRESHOLD)),
                "That is the tree ensemble. The question asks about the logistic regression.",
            ),
            Mistake(
                lambda a, e: any(
                    _near(lambda t=t: _gain("logistic regression", "NEWS2 >= 5", t))(a, e)
                    for t in SENSIBLE_THRESHOLDS
                    if t != GAIN_THRESHOLD
                ),
                "That is at a different threshold. Use the row for 0.1 (a 10% risk).",
            ),
        ),
        praise="About one or two extra deteriorating patients' observation sets flagged per "
        "1,000, net of false alarms: a real but small gain, on a synthetic ward.",
    )
)

# --- Your turn 5 (make): a model of your own --------------------------------------------------

#: The entries of the make task's answer: the fitted model, the test patients' table it is
#: measured on, and the AUROC the student worked out.
MY_MODEL_KEYS = ("model", "test", "auroc")


def _parts(answer: Any) -> tuple[Any, Any, Any]:
    return answer["model"], answer["test"], answer["auroc"]


def _columns(model: Any) -> list[str]:
    return [str(c) for c in model.feature_names_in_]


def _truth_of(rows: Any) -> Any:
    return ward()["deteriorated"].loc[rows.index]


def _same_rows(table: Any, which: str) -> bool:
    import pandas as pd

    train_rows, test_rows = patient_split()
    wanted = ward().index[test_rows if which == "test" else train_rows]
    return (
        isinstance(table, pd.DataFrame)
        and len(table) == len(wanted)
        and set(table.index) == set(wanted)
    )


def _risk(model: Any, table: Any, method: str = "predict_proba") -> Any:
    if method == "predict_proba":
        return model.predict_proba(table)[:, 1]
    return model.predict(table)


def _auroc_on(model: Any, table: Any, method: str = "predict_proba") -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(_truth_of(table), _risk(model, table, method)))


def _stated(answer: Any) -> float:
    value = answer["auroc"]
    if not _is_number(value) or not math.isfinite(float(value)):
        raise TypeError("auroc is not a number")
    return float(value)


def _leaks(table: Any) -> bool:
    truth = _truth_of(table).to_numpy()
    for column in table.columns:
        values = table[column]
        if str(column) == "deteriorated":
            return True
        try:
            if (values.to_numpy(dtype=float) == truth).all():
                return True
        except (TypeError, ValueError):
            continue
    return False


def rows_learned(model: Any) -> int | None:
    """How many rows a fitted scikit-learn model learned from, when the model shows it.

    Read from what the fitted model keeps: a scaler's ``n_samples_seen_``, a nearest-neighbour
    model's ``n_samples_fit_``, a decision tree's root node, or the row numbers a forest drew
    (a lower bound: the largest row number + 1). For a pipeline, its first step that shows it.
    ``None`` when the model keeps no such record (a bare ``LogisticRegression``, say).

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rows_learned(DecisionTreeClassifier().fit([[0], [1], [2]], [0, 1, 1]))
    3
    """
    steps = [step for _, step in model.steps] if hasattr(model, "steps") else [model]
    for step in steps:
        seen = getattr(step, "n_samples_seen_", None)
        if seen is not None:
            seen = int(max(seen)) if hasattr(seen, "__len__") else int(seen)
            return seen
        if getattr(step, "n_samples_fit_", None) is not None:
            return int(step.n_samples_fit_)
        tree = getattr(step, "tree_", None)
        if tree is not None:
            return int(tree.n_node_samples[0])
        try:
            drawn = step.estimators_samples_
        except Exception:
            drawn = None
        if drawn is not None and len(drawn):
            return int(max(int(max(rows)) for rows in drawn if len(rows))) + 1
    return None


def _learned_from_more_than_training(answer: Any, expected: Any) -> bool:
    train_rows, _ = patient_split()
    learned = rows_learned(_parts(answer)[0])
    return learned is not None and learned > len(train_rows)


def _good_model(answer: Any, expected: Any) -> bool:
    model, table, _ = _parts(answer)
    if not _same_rows(table, "test") or list(table.columns) != _columns(model) or _leaks(table):
        return False
    if _learned_from_more_than_training(answer, expected):
        return False
    return math.isclose(_stated(answer), _auroc_on(model, table), abs_tol=0.0005)


def _not_fitted(answer: Any, expected: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(_parts(answer)[0])
    except NotFittedError:
        return True
    return False


def _matches_train_auroc(answer: Any, expected: Any) -> bool:
    model, table, _ = _parts(answer)
    train_rows, _ = patient_split()
    train = ward().iloc[train_rows][list(table.columns)]
    return math.isclose(_stated(answer), _auroc_on(model, train), abs_tol=0.0005)


def _matches_predict(answer: Any, expected: Any) -> bool:
    model, table, _ = _parts(answer)
    return math.isclose(_stated(answer), _auroc_on(model, table, "predict"), abs_tol=0.0005)


register(
    Question(
        "07.my-model",
        expected=None,
        kind="custom",
        compare=_good_model,
        hints=(
            "Copy the cell that makes the tree ensemble, change a setting (n_estimators, "
            "min_samples_leaf) or the columns, and fit it with my_model.fit(my_train, y_train).",
            "Then my_auroc = roc_auc_score(y_test, my_model.predict_proba(my_test)[:, 1]).",
        ),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, dict) and any(v is Ellipsis for v in a.values()),
                UNANSWERED,
            ),
            Mistake(
                lambda a, e: not isinstance(a, dict) or not set(MY_MODEL_KEYS) <= set(a),
                'The answer should be a dict with three entries: {"model": my_model, "test": '
                'my_test, "auroc": my_auroc}.',
            ),
            Mistake(
                lambda a, e: not hasattr(a["model"], "fit"),
                'answer["model"] should be your scikit-learn model (the thing you called .fit '
                "on), not a number or a table.",
            ),
            Mistake(
                _not_fitted,
                "Your model has not been trained yet: call my_model.fit(my_train, y_train) first.",
            ),
            Mistake(
                lambda a, e: not hasattr(a["model"], "predict_proba"),
                "This check needs a model that gives risks (predict_proba), such as "
                "LogisticRegression or RandomForestClassifier.",
            ),
            Mistake(
                lambda a, e: _same_rows(a["test"], "train"),
                'answer["test"] holds the training patients. Give the test patients\' rows: '
                "my_test = ward.iloc[test_rows][columns].",
            ),
            Mistake(
                lambda a, e: not _same_rows(a["test"], "test"),
                'answer["test"] should be the table of the test patients\' rows: my_test = '
                "ward.iloc[test_rows][columns].",
            ),
            Mistake(
                lambda a, e: not hasattr(a["model"], "feature_names_in_"),
                "Fit your model on a table with column names (my_train), so the check can "
                "match its columns with my_test.",
            ),
            Mistake(
                lambda a, e: list(a["test"].columns) != _columns(a["model"]),
                "my_test must have the same columns, in the same order, as the table you "
                "trained on: make both from the same `columns` list.",
            ),
            Mistake(
                lambda a, e: _leaks(a["test"]),
                "One of your columns is `deteriorated` (or a copy of it): the answer itself. "
                "That is leakage, not a prediction: leave it out of `columns`.",
            ),
            Mistake(
                _learned_from_more_than_training,
                "Your model learned from more rows than the training patients have: it has seen "
                "test patients too. That is leakage, and its AUROC on them means nothing. Fit it "
                "on the training patients only: my_model.fit(my_train, y_train).",
            ),
            Mistake(
                lambda a, e: (not _is_number(a["auroc"])) or not math.isfinite(_stated(a)),
                'answer["auroc"] should be one number: roc_auc_score(y_test, ...).',
            ),
            Mistake(
                lambda a, e: _stated(a) > 1,
                "An AUROC is between 0 and 1. Give it as a proportion, like 0.8.",
            ),
            Mistake(
                _matches_train_auroc,
                "That is the AUROC on the training patients, which the model has already seen. "
                "Measure it on the test patients (my_test and y_test).",
            ),
            Mistake(
                _matches_predict,
                "You used predict (0 or 1) instead of predict_proba(my_test)[:, 1] (the risk): "
                "an AUROC needs the risk, so that every threshold can be tried.",
            ),
            Mistake(
                lambda a, e: True,
                "The AUROC you gave does not match your model's AUROC on my_test. Use "
                "roc_auc_score(y_test, my_model.predict_proba(my_test)[:, 1]).",
            ),
        ),
        praise="Your AUROC matches a fresh computation on the test patients. Now compare it "
        "with NEWS2 and the lesson's models: is the difference bigger than the intervals?",
    )
)
