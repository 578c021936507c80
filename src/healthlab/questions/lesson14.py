"""Exercises of lesson 14, the capstone (``notebooks/14-capstone.ipynb``).

A capstone student may work on any of the four questions of :mod:`healthlab.capstone`, so the
checks here never compare with one fixed answer. They check the *structure* of the work, which
a machine can verify honestly, from the objects the student hands in:

- ``14.no-leakage``: no id is in both the training and the test set (:func:`capstone.leakage`).
- ``14.test-metrics``: the numbers the student reports are what their model gives on the test
  rows (recomputed with :func:`capstone.metrics_match`), not on the training rows; and a fresh
  copy of the model, trained on the training rows alone, gives the same predictions, so the
  model did not learn from the test rows.
- ``14.model-card``: every section of :data:`healthlab.modelcard.SECTIONS` is there and filled
  in (:func:`healthlab.modelcard.check_model_card`). It never says "right": what the card says
  is for the teacher.

The audit sentences and the one-page brief are ``kind="open"``: saved for the teacher, with a
checklist. The warm-up facts are those of ``clinical-facts.md`` (Wong et al. 2021; DCB0129 and
DCB0160; the 1,025-row web copy of the Cleveland data, lesson 13).

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("14.warmup-epic", 0.63).correct
True
>>> evaluate_answer("14.no-leakage", (["W001", "W002"], ["W003"])).correct
True
>>> print(evaluate_answer("14.no-leakage", (["W001", "W002"], ["W002"])).message)
... # doctest: +ELLIPSIS
Some ids are in both the training and the test set...
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from healthlab.checks import UNANSWERED, Mistake, Question, false_certainty, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "BRIEF_WORDS",
    "EPIC",
    "PLAN_ORDERS",
    "SEED",
    "metrics_problem",
    "leakage_problem",
]

#: The random seed every lesson uses.
SEED = 42
#: Wong et al. 2021 (JAMA Intern Med 181:1065): the Epic Sepsis Model's AUROC at external
#: validation, the developer's reported range, and the share of admissions with sepsis.
EPIC = {"external_auroc": 0.63, "developer": (0.76, 0.83), "sepsis_share": 0.07}
#: Your turn 1 (Parsons). Lines: 1 fit, 2 split, 3 risk, 4 load, 5 training rows, 6 test rows.
#: Load (4) and split (2) come first; the model learns (1) after the training rows exist (5)
#: and predicts (3) after it has learned and the test rows exist (6).
PLAN_ORDERS = ((4, 2, 5, 6, 1, 3), (4, 2, 6, 5, 1, 3), (4, 2, 5, 1, 6, 3))
#: A one-page brief: about this many words.
BRIEF_WORDS = (300, 400)
#: Keys of the answer to ``14.test-metrics``.
METRICS_KEYS = ("model", "train", "test", "reported")


def _near(value: float, tol: float) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        return _is_number(answer) and math.isclose(float(answer), value, abs_tol=tol)

    return matches


# --- warm-up: remember lesson 13 -----------------------------------------------------------------

register(
    Question(
        "14.warmup-epic",
        expected=EPIC["external_auroc"],
        kind="number",
        abs_tol=0.005,  # 2 decimal places asked for
        hints=(
            "Wong and colleagues tested the Epic Sepsis Model on 38,455 admissions at another "
            "health system (2021). Its AUROC there was much lower than the developer's figures.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and EPIC["developer"][0] <= a <= EPIC["developer"][1],
                "That is in the range the developer reported (0.76 to 0.83). The question asks "
                "what the external validation found, at hospitals that were not the developer's.",
            ),
            Mistake(
                _near(EPIC["sepsis_share"], 1e-9),
                "0.07 (7%) is the share of admissions that had sepsis. The question asks for "
                "the AUROC.",
            ),
            Mistake(
                _near(0.5, 1e-9),
                "0.5 is a coin toss. The Epic model did better than chance, but much worse than "
                "its developer said.",
            ),
        ),
        praise="0.63, where 0.5 is a coin toss: far below the 0.76-0.83 its developer "
        "reported. A model must be tested where it will be used.",
    )
)

register(
    Question(
        "14.warmup-dcb0160",
        expected="B",
        kind="choice",
        options=("A", "B", "C"),
        hints=(
            "There are two standards: one for whoever makes health software, one for whoever "
            "uses it to care for patients.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().upper() == "A",
                "The company that makes the software follows DCB0129. DCB0160 is the other side: "
                "who is that?",
            ),
            Mistake(
                lambda a, e: a.strip().upper() == "C",
                "The MHRA regulates medical devices (UK MDR 2002). DCB0129 and DCB0160 are NHS "
                "clinical safety standards: one for the maker, one for the organisation using "
                "the software.",
            ),
        ),
        praise="The NHS organisation that deploys the software needs its own clinical risk "
        "management: a named Clinical Safety Officer, a hazard log and a safety case.",
    )
)

register(
    Question(
        "14.warmup-web-copy",
        expected=True,
        kind="bool",
        hints=("1,025 rows but only 302 different patients: where did the copies end up?",),
        mistakes=(
            Mistake(
                lambda a, e: a is False,
                "The copy has 723 repeated rows. Split at random, most test patients also have "
                "a copy in the training set, so the model has already seen them: the 99% is "
                "leakage, not skill.",
            ),
        ),
        praise="The test rows were not new patients: the model had seen copies of them. That "
        "is why this lesson checks that no patient is on both sides of the split.",
    )
)

# --- Your turn 1 (Parsons): the steps of the project, in order -------------------------------


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


def _each_line_once(answer: Any) -> bool:
    return _is_list(answer) and sorted(answer) == [1, 2, 3, 4, 5, 6]


def _before(answer: Any, first: int, then: int) -> bool:
    """True when line ``then`` comes before line ``first`` (so ``then`` runs too early)."""
    if not _each_line_once(answer):
        return False
    items = list(answer)
    return items.index(then) < items.index(first)


register(
    Question(
        "14.plan-order",
        expected=PLAN_ORDERS,
        kind="orders",
        hints=(
            "Which line must come first? Nothing can be split or trained before the data are "
            "loaded.",
            "A model can only predict after it has learned, and it can only learn once X_train "
            "and y_train exist.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_list(a) and sorted(a) != [1, 2, 3, 4, 5, 6],
                "Use each line number from 1 to 6 exactly once, as a list like [1, 2, 3, 4, 5, 6].",
            ),
            Mistake(
                lambda a, e: _each_line_once(a) and list(a)[0] != 4,
                "Start by loading the question's data (line 4): every other line uses project.",
            ),
            Mistake(
                lambda a, e: _each_line_once(a) and list(a)[1] != 2,
                "Split the rows (line 2) straight after loading: lines 5 and 6 need train_rows "
                "and test_rows.",
            ),
            Mistake(
                lambda a, e: _before(a, 5, 1),
                "Line 1 trains the model on X_train and y_train, which line 5 makes: it cannot "
                "come before line 5.",
            ),
            Mistake(
                lambda a, e: _before(a, 1, 3) or _before(a, 6, 3),
                "Line 3 asks the model for the test rows' risks: it needs a trained model "
                "(line 1) and X_test (line 6) first.",
            ),
        ),
        praise="Load, split, then train on the training rows only, and measure on the test rows "
        "last. Lines 5 and 6 may swap, and X_test can wait until just before it is used.",
    )
)

# --- Your turn 2: no patient in both sets -----------------------------------------------------------


def _has_ellipsis(value: Any, depth: int = 0) -> bool:
    if value is Ellipsis:
        return True
    if depth > 2:
        return False
    if isinstance(value, dict):
        return any(_has_ellipsis(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_ellipsis(v, depth + 1) for v in value)
    return False


def _integer_ids(values: Any) -> bool:
    try:
        return np.asarray(list(values)).dtype.kind in "iu"
    except Exception:
        return False


def leakage_problem(answer: Any) -> str | None:
    """What is wrong with an answer to ``14.no-leakage``, or None when no id is on both sides.

    Examples
    --------
    >>> leakage_problem((["FNA001", "FNA002"], ["FNA003"])) is None
    True
    >>> leakage_problem((["FNA001", "FNA002"], ["FNA002"]))
    'shared'
    >>> leakage_problem(([0, 1, 2], [3, 4]))
    'positions'
    """
    import pandas as pd

    from healthlab import capstone

    if _has_ellipsis(answer):
        return "unanswered"
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return "shape"
    train_ids, test_ids = answer
    if isinstance(train_ids, pd.DataFrame) or isinstance(test_ids, pd.DataFrame):
        return "table"
    try:
        shared = capstone.leakage(train_ids, test_ids)
    except (TypeError, ValueError):
        return "not-ids"
    if len(list(train_ids)) == 0 or len(list(test_ids)) == 0:
        return "empty"
    if _integer_ids(train_ids) and _integer_ids(test_ids):
        return "positions"
    if set(train_ids) == set(test_ids):
        return "same"
    if shared:
        return "shared"
    return None


def _leak_is(code: str) -> Any:
    return lambda a, e: leakage_problem(a) == code


register(
    Question(
        "14.no-leakage",
        expected=None,
        kind="custom",
        compare=lambda a, e: leakage_problem(a) is None,
        hints=(
            "The line above makes train_ids from train_rows. Make test_ids the same way, from "
            "test_rows.",
            "test_ids = project.ids.iloc[test_rows]",
        ),
        mistakes=(
            Mistake(_leak_is("unanswered"), UNANSWERED),
            Mistake(
                _leak_is("shape"),
                "Give the two sets of ids together in round brackets: (train_ids, test_ids).",
            ),
            Mistake(
                _leak_is("table"),
                "That is a whole table. Give one column of ids for each set: "
                "project.ids.iloc[train_rows] and project.ids.iloc[test_rows].",
            ),
            Mistake(
                _leak_is("not-ids"),
                "Each of the two should be a column of ids, one per row, such as "
                "project.ids.iloc[test_rows], not a single value or a piece of text.",
            ),
            Mistake(
                _leak_is("empty"),
                "One of your two sets of ids is empty. Use train_rows for the first and "
                "test_rows for the second.",
            ),
            Mistake(
                _leak_is("positions"),
                "Those look like row numbers, not ids. Row numbers are always different, even "
                "when two rows belong to the same patient. Use project.ids.iloc[test_rows].",
            ),
            Mistake(
                _leak_is("same"),
                "You gave the same ids twice. The first should be the training rows' ids "
                "(train_rows), the second the test rows' (test_rows).",
            ),
            Mistake(
                _leak_is("shared"),
                "Some ids are in both the training and the test set: the model would be tested "
                "on people it has already seen. Run capstone.leakage(train_ids, test_ids) to "
                "list them, then split by id with capstone.split(project).",
            ),
        ),
        praise="No id is in both sets, so every test row belongs to someone the model never "
        "saw. (The check compared the ids you gave it. If one person could appear under two "
        "ids, such as a patient who comes back to the emergency department, ids cannot show "
        "it: say so in your model card.)",
    )
)

# --- Your turn 3: the test-set numbers, recomputed ---------------------------------------------------

_LAST: dict[str, Any] = {"answer": None, "key": None, "problem": None}


def _concat(first: Any, second: Any) -> Any:
    import pandas as pd

    if isinstance(first, (pd.DataFrame, pd.Series)) and isinstance(
        second, (pd.DataFrame, pd.Series)
    ):
        return pd.concat([first, second])
    return np.concatenate([np.asarray(first), np.asarray(second)])


def _same_predictions(model: Any, other: Any, X: Any) -> bool:
    mine, theirs = np.asarray(model.predict_proba(X)), np.asarray(other.predict_proba(X))
    return mine.shape == theirs.shape and bool(np.allclose(mine, theirs, rtol=0, atol=1e-6))


def _refit(model: Any, X: Any, y: Any) -> Any:
    import warnings

    from sklearn.base import clone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(model).fit(X, y)


def _all_match(table: Any) -> bool:
    return bool(table["matches"].all())


def _diagnose(answer: dict) -> str | None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from healthlab import capstone

    model, reported = answer["model"], answer["reported"]
    (X_train, y_train), (X_test, y_test) = answer["train"], answer["test"]
    if not isinstance(reported, dict):
        return "reported-shape"
    unknown = [k for k in reported if k not in capstone.MEASURES and k != "threshold"]
    if unknown:
        return "reported-unknown"
    if not {"sensitivity", "specificity"} <= set(reported):
        return "reported-missing"
    values = {k: v for k, v in reported.items() if k != "threshold"}
    if not all(_is_number(v) and math.isfinite(float(v)) for v in reported.values()):
        return "reported-text"
    if any(1 < float(v) <= 100 for v in values.values()):
        return "percent"
    if not (0 < float(reported.get("threshold", 0.5)) < 1):
        return "threshold"
    if not (hasattr(model, "fit") and hasattr(model, "predict_proba")):
        return "not-model"
    try:
        check_is_fitted(model)
    except NotFittedError:
        return "not-fitted"
    except TypeError:
        return "not-model"
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        return "lengths"
    if hasattr(X_train, "index") and hasattr(X_test, "index"):
        if len(set(X_train.index) & set(X_test.index)):
            return "overlap"
    try:
        on_test = capstone.metrics_match(model, X_test, y_test, reported)
        on_train = capstone.metrics_match(model, X_train, y_train, reported)
    except Exception:
        return "cannot-predict"
    try:
        fresh = _refit(model, X_train, y_train)
        confirmed = _same_predictions(model, fresh, X_test)
        learned_test = not confirmed and (
            _same_predictions(model, _refit(model, X_test, y_test), X_test)
            or _same_predictions(
                model, _refit(model, _concat(X_train, X_test), _concat(y_train, y_test)), X_test
            )
        )
    except Exception:
        confirmed, learned_test = False, False
    if learned_test:
        return "learned-test"
    if _all_match(on_train) and not _all_match(on_test):
        return "training-numbers"
    if not _all_match(on_test):
        return "mismatch"
    if not confirmed:
        return "unconfirmed"
    return None


def _fingerprint(answer: dict) -> Any:
    try:
        risk = np.asarray(answer["model"].predict_proba(answer["test"][0]))
        return (risk.shape, risk.round(12).tobytes(), repr(sorted(answer["reported"].items())))
    except Exception:
        return None


def metrics_problem(answer: Any) -> str | None:
    """What is wrong with an answer to ``14.test-metrics``, or None when it is verified.

    The answer is ``{"model": model, "train": (X_train, y_train), "test": (X_test, y_test),
    "reported": {...}}``. None means: the reported numbers are what the model gives on the
    test rows, and a fresh copy of the model trained on the training rows alone makes the
    same predictions (so it learned from those rows only). The result is remembered for the
    same answer object, so that the refits run once per check.

    Examples
    --------
    >>> metrics_problem({"model": ..., "train": None, "test": None, "reported": None})
    'unanswered'
    >>> metrics_problem({"model": 1})
    'shape'
    """
    if _has_ellipsis(answer):
        return "unanswered"
    if not isinstance(answer, dict) or not set(METRICS_KEYS) <= set(answer):
        return "shape"
    pairs = (answer["train"], answer["test"])
    if not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs):
        return "pairs"
    key = _fingerprint(answer)
    if _LAST["answer"] is answer and _LAST["key"] == key and key is not None:
        return _LAST["problem"]
    try:
        problem = _diagnose(answer)
    except Exception:
        problem = "cannot-predict"
    _LAST.update(answer=answer, key=key, problem=problem)
    return problem


def _metrics_is(code: str) -> Any:
    return lambda a, e: metrics_problem(a) == code


register(
    Question(
        "14.test-metrics",
        expected=None,
        kind="custom",
        compare=lambda a, e: metrics_problem(a) is None,
        hints=(
            'Copy the sensitivity and specificity from the "value" column of the test-set '
            "table in section 6, to 3 decimal places.",
            'metrics.loc["specificity", "value"] gives the specificity without rounding.',
        ),
        mistakes=(
            Mistake(_metrics_is("unanswered"), UNANSWERED),
            Mistake(
                _metrics_is("shape"),
                'The answer should be the dict the cell makes: {"model": model, "train": '
                '(X_train, y_train), "test": (X_test, y_test), "reported": reported}.',
            ),
            Mistake(
                _metrics_is("pairs"),
                'answer["train"] should be (X_train, y_train) and answer["test"] should be '
                "(X_test, y_test): two things in round brackets each.",
            ),
            Mistake(
                _metrics_is("reported-shape"),
                'reported should be a dict, like {"threshold": threshold, "sensitivity": 0.925, '
                '"specificity": 0.989}.',
            ),
            Mistake(
                _metrics_is("reported-unknown"),
                "reported may only hold 'threshold' and the measures 'sensitivity', "
                "'specificity', 'ppv', 'npv', 'accuracy' and 'auroc' (spelt like that).",
            ),
            Mistake(
                _metrics_is("reported-missing"),
                "Report at least the sensitivity and the specificity: the two numbers every "
                "clinical test is judged by.",
            ),
            Mistake(
                _metrics_is("reported-text"),
                "Each value in reported should be a number, without quotes.",
            ),
            Mistake(
                _metrics_is("percent"),
                "Give the measures as proportions between 0 and 1 (0.925, not 92.5).",
            ),
            Mistake(
                _metrics_is("threshold"),
                "The threshold must be between 0 and 1: use the threshold you flagged with.",
            ),
            Mistake(
                _metrics_is("not-model"),
                'answer["model"] should be your trained model (the thing you called .fit on), '
                "one that gives risks with predict_proba.",
            ),
            Mistake(
                _metrics_is("not-fitted"),
                "Your model has not been trained yet: run model.fit(X_train, y_train) first.",
            ),
            Mistake(
                _metrics_is("lengths"),
                "X and y must hold the same rows: (X_train, y_train) and (X_test, y_test), "
                "made from the same train_rows and test_rows.",
            ),
            Mistake(
                _metrics_is("overlap"),
                "Some rows are in both X_train and X_test. The test rows must be new to the "
                "model: make both from capstone.split(project).",
            ),
            Mistake(
                _metrics_is("cannot-predict"),
                "Your model could not work out risks for X_test. Give it the test rows in the "
                "same form (the same columns) as the rows it learned from.",
            ),
            Mistake(
                _metrics_is("learned-test"),
                "Your model learned from the test rows: a fresh copy trained on them gives the "
                "same predictions. That is leakage. Train it on X_train and y_train only, then "
                "measure it on the test rows.",
            ),
            Mistake(
                _metrics_is("training-numbers"),
                "Those are your model's numbers on the training rows, which it has already seen, "
                "so they flatter it. Report what it scores on the test rows (section 6).",
            ),
            Mistake(
                _metrics_is("mismatch"),
                "At least one number is not what your model gives on the test rows at your "
                "threshold. Run capstone.metrics_match(model, X_test, y_test, reported) to see "
                "each one beside the recomputed value.",
            ),
            Mistake(
                _metrics_is("unconfirmed"),
                "Your numbers are what your model gives on the test rows: that part is right. "
                "But a fresh copy of your model, trained on X_train, gives different predictions, "
                "so the check cannot confirm which rows it learned from. If your model uses "
                "randomness, give it random_state=SEED; then train it on X_train and y_train "
                "only, and check again.",
            ),
        ),
        praise="The check recomputed your numbers from your model on the test rows, and a fresh "
        "copy of your model trained on X_train alone gives the same predictions: so it learned "
        "from the training rows only, and your numbers are honest test-set numbers. Put them in "
        "your model card with their intervals.",
    )
)

# --- Your turn 4: the subgroup audit, in words (open) -------------------------------------------

register(
    Question(
        "14.audit-sentences",
        expected=None,
        kind="open",
        looks_for=(
            "names the group the model misses more often (the lower sensitivity), or says "
            "that no gap can be seen",
            "gives the counts behind it: how many were found, of how many with the condition, "
            "in each group",
            "says how sure you can be: do the intervals overlap, and does the caution column "
            "warn about a small group?",
            "says who the data cannot tell you about at all (people it has too few of, or does "
            "not record)",
        ),
        min_words=30,
    )
)

# --- Your turn 5: the model card (its shape is checked; what it says is for the teacher) ----------

#: What a good capstone card contains, shown once every section is filled in.
CARD_LOOKS_FOR = (
    "names your question, the patients it is for, the decision it supports and who makes it",
    "gives the test-set results with their 95% intervals, and the baseline beside them",
    "says how the data were split (by patient or by hospital) and why",
    "reports the subgroup audit, with its counts and intervals, and who the data leave out",
    "says honestly what is not done yet: no Clinical Safety Officer, no hazard log, no "
    "external validation (unless your question has it), so it is not for use on patients",
)


@cache
def _card_report(answer: str) -> Any:
    from healthlab import modelcard

    return modelcard.check_model_card(answer)


def _section_missing(section: str) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        row = _card_report(answer).set_index("section").loc[section]
        return not row["present"] or row["words"] == 0

    return matches


def _no_evaluation_numbers(answer: Any, expected: Any) -> bool:
    import re

    from healthlab import modelcard

    text, inside = [], False
    for line in answer.splitlines():
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*)", line)
        if heading:
            inside = modelcard._section_of(heading.group(1)) == "Evaluation"
            continue
        if inside:
            text.append(line)
    return not re.search(r"\d\.\d", "\n".join(text))


@cache
def _card_mistakes() -> tuple[Mistake, ...]:
    from healthlab import modelcard

    mistakes = [
        Mistake(
            lambda a, e: not isinstance(a, str),
            'Put your model card between triple quotes, """like this""", so that it is text.',
        ),
        Mistake(
            lambda a, e: not _card_report(a)["present"].any(),
            "I cannot find any of the required headings. Start from the template: copy what "
            "print(modelcard.template()) shows, headings and all.",
        ),
        Mistake(
            lambda a, e: bool((_card_report(a)["words"] == 0).all()),
            "Your card still holds only the template's prompts. Write your own sentences under "
            "each heading.",
        ),
    ]
    for section in modelcard.SECTIONS:
        mistakes.append(
            Mistake(
                _section_missing(section),
                f'The section "{section}" is missing, or still holds only its prompt. It should '
                f"say: {modelcard.PROMPTS[section]} Run modelcard.check_model_card(my_card) to "
                "see every section.",
            )
        )
    mistakes += [
        Mistake(
            lambda a, e: bool(_card_report(a)["note"].str.startswith("short").any()),
            "Every section is there, but some have only a word or two. Run "
            "modelcard.check_model_card(my_card): its note column says which are short.",
        ),
        Mistake(
            _no_evaluation_numbers,
            "Your Evaluation section gives no numbers. Give the test-set sensitivity, "
            "specificity and AUROC, each with its 95% interval, from section 6.",
        ),
        Mistake(
            lambda a, e: bool(false_certainty(a)),
            'Careful: your card promises more than any model can (a word such as "definitely", '
            '"100%" or "guaranteed"). Say how sure the numbers let you be.',
        ),
        Mistake(
            lambda a, e: True,
            "Every required section is there and filled in, and your Evaluation section gives "
            "numbers. This check can only see the shape of your card, not whether it is true or "
            "clear: it stays in this notebook for your teacher to read. Before you hand it in, "
            "check that it:\n" + "\n".join(f"- {item}" for item in CARD_LOOKS_FOR),
        ),
    ]
    return tuple(mistakes)


class _CardMistakes(tuple):
    """The card's mistakes, built on first use (so importing this module stays cheap)."""

    def __iter__(self):  # type: ignore[override]
        return iter(_card_mistakes())


register(
    Question(
        "14.model-card",
        expected=None,
        kind="custom",
        compare=lambda answer, expected: False,  # the shape is checked; the content is not
        hints=(
            "Copy the text that print(modelcard.template(...)) shows, paste it between the "
            "triple quotes, and write under each heading. The worked example above shows how.",
            "Run modelcard.check_model_card(my_card) in a new cell: its note column says which "
            "sections still need words.",
        ),
        mistakes=_CardMistakes(),
    )
)

# --- Your turn 6 (make): the one-page brief for a ward manager (open) ----------------------------

register(
    Question(
        "14.brief",
        expected=None,
        kind="open",
        looks_for=(
            "states the question, and for which patients, in plain words",
            "gives the main result with its uncertainty (a 95% interval), measured on test "
            "patients the model never saw, beside the baseline or current practice",
            "says who it works less well for, or who the data could not check",
            "names the decision it would support and who makes it: the model advises, a person "
            "decides",
            "says what should happen next (for example: test it at another hospital, a "
            "clinical safety review under DCB0160, a pilot that is watched closely), or why "
            "not to use it",
            f"fits on one page: about {BRIEF_WORDS[0]}-{BRIEF_WORDS[1]} words (count them with "
            "len(my_brief.split())), with no code and no word a ward manager would not know",
        ),
        min_words=200,
    )
)
