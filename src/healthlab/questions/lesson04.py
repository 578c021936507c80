"""Exercises of lesson 04, "Is the test any good?" (``notebooks/04-is-the-test-any-good.ipynb``).

The lesson rebuilds lesson 03's model; the answers here come from the same split and model
(:func:`healthlab.questions.lesson03.lesson_model`) and from :mod:`healthlab.evaluate`, so they
follow the data. The mammography numbers are Gigerenzer's teaching example (prevalence 1%,
sensitivity 90%, false-positive rate 9%), as in ``clinical-facts.md``.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("04.patient-question", "npv").message
"NPV is about a negative result. Margaret's result was positive."

Tolerances follow the course rule: an answer the task asks to compute exactly is right within
``rel_tol=1e-6``; a threshold is one of the table's values.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number
from healthlab.questions.lesson03 import forgot_brackets, lesson_model, lesson_split

__all__ = [
    "MAMMOGRAM",
    "THRESHOLDS",
    "SCREENING_PREVALENCE",
    "lesson_scores",
    "model_metrics",
    "model_threshold_table",
]

#: Gigerenzer's mammography example: sensitivity, specificity (1 - false-positive rate 9%),
#: prevalence.
MAMMOGRAM = {"sensitivity": 0.90, "specificity": 0.91, "prevalence": 0.01}
#: The thresholds of the lesson's threshold table.
THRESHOLDS = (0.05, 0.1, 0.3, 0.5, 0.7, 0.9)
#: The prevalence of the "our model in a screening population" exercise.
SCREENING_PREVALENCE = 0.01
#: Most cancers the screening threshold may miss in the test set.
MAX_MISSED = 1


def lesson_scores() -> Any:
    """The model's probability of malignant for each test aspirate (``predict_proba[:, 1]``).

    Examples
    --------
    >>> scores = lesson_scores()
    >>> len(scores), bool(((scores >= 0) & (scores <= 1)).all())
    (143, True)
    """
    return lesson_model().predict_proba(lesson_split().X_test)[:, 1]


@lru_cache(maxsize=1)
def model_metrics() -> Any:
    """``evaluate.clinical_metrics`` of the lesson model on the test set (threshold 0.5).

    Examples
    --------
    >>> round(float(model_metrics().loc["sensitivity", "value"]), 3)
    0.925
    """
    from healthlab import evaluate

    split = lesson_split()
    return evaluate.clinical_metrics(split.y_test, lesson_model().predict(split.X_test))


@lru_cache(maxsize=1)
def model_threshold_table() -> Any:
    """``evaluate.threshold_table`` of the lesson model on the test set at :data:`THRESHOLDS`.

    Examples
    --------
    >>> model_threshold_table()["fn"].tolist()
    [0, 1, 2, 4, 5, 10]
    """
    from healthlab import evaluate

    return evaluate.threshold_table(lesson_split().y_test, lesson_scores(), list(THRESHOLDS))


def _value(measure: str) -> float:
    return float(model_metrics().loc[measure, "value"])


def _near(answer: Any, value: float, tol: float = 0.0006) -> bool:
    return (
        isinstance(answer, (int, float))
        and not isinstance(answer, bool)
        and abs(float(answer) - value) <= tol
    )


def _is_table(answer: Any) -> bool:
    return hasattr(answer, "shape") and getattr(answer, "ndim", 0) >= 1


# --- 1. specificity (fill in the blank) --------------------------------------------------------

register(
    Question(
        "04.specificity",
        expected=lambda: _value("specificity"),
        kind="number",
        rel_tol=1e-6,  # computed exactly from tn and fp
        hints=(
            "Specificity is about the people who really do NOT have cancer.",
            "Of the benign aspirates (true negatives plus false positives), what share did the "
            "model call benign?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, _value("sensitivity")),
                "That is the sensitivity, which is about the people with cancer. Specificity is "
                "about the people without it.",
            ),
            Mistake(
                lambda a, e: _near(a, 1 - e),
                "That is the share of benign aspirates wrongly flagged (the false-positive "
                "rate). Specificity is the share correctly cleared.",
            ),
            Mistake(
                lambda a, e: _near(a, _value("npv")),
                "You divided by all the negative results (tn + fn): that gives the NPV. "
                "Specificity divides by everyone who is really benign: tn + fp.",
            ),
        ),
        praise="The model correctly clears almost every benign lump.",
    )
)

# --- 2. which measure answers the patient's question --------------------------------------------

register(
    Question(
        "04.patient-question",
        expected=("ppv", "positive predictive value"),
        kind="choice",
        options=("sensitivity", "specificity", "ppv", "npv"),
        hints=(
            "Margaret starts from her result (positive), not from the truth.",
            "Which measure starts from a positive result and asks how often it is right?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().lower() == "sensitivity",
                "Sensitivity starts from women who have cancer and asks how many test positive. "
                "Margaret starts from her positive result and asks the reverse.",
            ),
            Mistake(
                lambda a, e: a.strip().lower() == "specificity",
                "Specificity starts from women who do not have cancer. Margaret starts from her "
                "positive result.",
            ),
            Mistake(
                lambda a, e: a.strip().lower() == "npv",
                "NPV is about a negative result. Margaret's result was positive.",
            ),
        ),
        praise="The PPV: of all the positive results, the share that really are cancer.",
    )
)

# --- 3. our model in a screening population -----------------------------------------------------


def _model_ppv_npv_at(prevalence: float) -> tuple[float, float]:
    from healthlab import evaluate

    row = evaluate.ppv_npv_at_prevalence(_value("sensitivity"), _value("specificity"), prevalence)
    return float(row["ppv"][0]), float(row["npv"][0])


def _rounded_inputs_ppv() -> float:
    """The PPV a student gets by typing the sensitivity and specificity rounded to 3 places."""
    from healthlab import evaluate

    sens, spec = round(_value("sensitivity"), 3), round(_value("specificity"), 3)
    return float(evaluate.ppv_npv_at_prevalence(sens, spec, SCREENING_PREVALENCE)["ppv"][0])


def _mammogram_ppv() -> float:
    from healthlab import evaluate

    row = evaluate.ppv_npv_at_prevalence(
        MAMMOGRAM["sensitivity"], MAMMOGRAM["specificity"], SCREENING_PREVALENCE
    )
    return float(row["ppv"][0])


register(
    Question(
        "04.model-ppv-screening",
        expected=lambda: _model_ppv_npv_at(SCREENING_PREVALENCE)[0],
        kind="number",
        rel_tol=1e-6,  # computed exactly from the metrics table
        hints=(
            "evaluate.ppv_npv_at_prevalence(sensitivity, specificity, prevalence) with the "
            "model's sensitivity and specificity and a prevalence of 0.01.",
            "The function returns a table: take its 'ppv' column, then the first value with [0].",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_table(a),
                "Your answer is a table (or a column). Pick one number: the 'ppv' column, then "
                "its first value, [0].",
            ),
            forgot_brackets("evaluate.ppv_npv_at_prevalence(sens, spec, 0.01)"),
            Mistake(
                lambda a, e: _near(a, _rounded_inputs_ppv(), 1e-6),
                "Close, but you typed in rounded values (such as 0.925 and 0.989). Use "
                'metrics.loc["sensitivity", "value"] and metrics.loc["specificity", "value"] '
                "themselves, so that nothing is rounded before the end.",
            ),
            Mistake(
                lambda a, e: _near(a, _value("ppv")),
                "That is the PPV in our test set, where 37% of aspirates were malignant. Use a "
                "prevalence of 0.01 (1%).",
            ),
            Mistake(
                lambda a, e: _near(a, _mammogram_ppv()),
                "That is the mammogram's PPV (sensitivity 0.90, specificity 0.91). Use our "
                "model's sensitivity and specificity from the metrics table.",
            ),
            Mistake(
                lambda a, e: _near(a, _model_ppv_npv_at(SCREENING_PREVALENCE)[1]),
                "That is the NPV. Pick the 'ppv' column.",
            ),
            Mistake(
                lambda a, e: _near(a, _value("sensitivity")) or _near(a, _value("specificity")),
                "That is the sensitivity or specificity you started from. Put both into "
                "evaluate.ppv_npv_at_prevalence with a prevalence of 0.01.",
            ),
        ),
        praise="Even a model with about 99% specificity gives more false alarms than true "
        "cancers when only 1 in 100 people has the disease.",
    )
)

# --- 4. a threshold for screening (read the threshold table) ------------------------------------


def _screening_threshold() -> float:
    table = model_threshold_table()
    safe = table[table["fn"] <= MAX_MISSED]
    return float(safe["threshold"].max())


def _missed_at(threshold: float) -> int:
    table = model_threshold_table()
    return int(table.loc[(table["threshold"] - threshold).abs() < 1e-9, "fn"].iloc[0])


def _in_list(answer: Any) -> bool:
    return any(_near(answer, t, 1e-9) for t in THRESHOLDS)


register(
    Question(
        "04.screening-threshold",
        expected=_screening_threshold,
        kind="number",
        abs_tol=1e-9,
        hints=(
            "Look at the fn column (false negatives: missed cancers) of the threshold table.",
            "Find every threshold where fn is 0 or 1, then choose the highest of them.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: not _in_list(a) and _near(a, 100 * e, 1e-6),
                "Write the threshold as a proportion, as in the table (for example 0.3, not 30).",
            ),
            Mistake(
                lambda a, e: isinstance(a, (int, float)) and not _in_list(a),
                "Choose one of the thresholds in the table: "
                + ", ".join(f"{t:g}" for t in THRESHOLDS)
                + ".",
            ),
            Mistake(
                lambda a, e: a < e,
                "That threshold also misses at most one cancer, but a higher one in the table "
                "still does, with fewer false alarms.",
            ),
            Mistake(
                lambda a, e: a > e and _missed_at(a) > MAX_MISSED,
                "At that threshold the model misses more than one cancer: look at the fn "
                "(false negatives) column.",
            ),
        ),
        praise="A low threshold finds almost every cancer; the price is more false alarms, "
        "which are checked by further tests.",
    )
)

# --- 5. the negative likelihood ratio (fill in the blank) --------------------------------------

register(
    Question(
        "04.lr-negative",
        expected=lambda: (1 - MAMMOGRAM["sensitivity"]) / MAMMOGRAM["specificity"],
        kind="number",
        rel_tol=1e-6,  # an exact calculation
        hints=(
            "LR- = (1 - sensitivity) / specificity.",
            "The specificity of the mammogram is 1 minus its false-positive rate of 9%.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, MAMMOGRAM["sensitivity"] / (1 - MAMMOGRAM["specificity"])),
                "That is the positive likelihood ratio, LR+. The question asks for LR-.",
            ),
            Mistake(
                lambda a, e: _near(
                    a, (1 - MAMMOGRAM["sensitivity"]) / (1 - MAMMOGRAM["specificity"]), 0.001
                ),
                "Divide by the specificity (0.91), not by the false-positive rate (0.09).",
            ),
            Mistake(
                lambda a, e: _near(a, MAMMOGRAM["sensitivity"] / MAMMOGRAM["specificity"]),
                "The top of the fraction is 1 - sensitivity: the share of cancers the test misses.",
            ),
        ),
        praise="About 0.11: a negative mammogram makes cancer about 9 times less likely, in odds.",
    )
)

# --- 6. make: a threshold for a fast track to urgent biopsy -------------------------------------

_DEFAULT_THRESHOLD = 0.5


def false_positives_at(threshold: float) -> int:
    """False positives of the lesson model on the test set at ``threshold`` (score >= it).

    Examples
    --------
    >>> false_positives_at(0.5), false_positives_at(0.51), false_positives_at(0.7)
    (1, 1, 0)
    """
    from healthlab import evaluate

    table = evaluate.threshold_table(lesson_split().y_test, lesson_scores(), [float(threshold)])
    return int(table["fp"].iloc[0])


def _in_range(answer: Any) -> bool:
    return _is_number(answer) and 0 < float(answer) < 1


def _fewer_false_alarms(answer: Any, default: float) -> bool:
    return (
        _in_range(answer)
        and float(answer) > default
        and false_positives_at(answer) < false_positives_at(default)
    )


register(
    Question(
        "04.fast-track-threshold",
        expected=_DEFAULT_THRESHOLD,
        kind="custom",
        compare=_fewer_false_alarms,
        hints=(
            "On a fast track a false positive is the costly mistake. Which column of the "
            "threshold table counts false positives?",
            "A higher threshold flags fewer people. Try thresholds such as 0.6, 0.8 and 0.95 "
            "and compare fp, fn and ppv with the row for 0.5.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, str),
                "Give the threshold as a number without quotes, for example 0.8.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and 1 < a <= 100,
                "Give the threshold as a proportion between 0 and 1, for example 0.8 rather "
                "than 80.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and (a <= 0 or a >= 1),
                "A threshold must be between 0 and 1: 0 would flag everyone and 1 no one.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and a == e,
                "0.5 is the threshold the model already uses. For a fast track, would you move "
                "it up or down?",
            ),
            Mistake(
                lambda a, e: _is_number(a) and a < e,
                "A threshold below 0.5 flags more people, so it raises more false alarms: that "
                "suits a safety net. For a fast track, which way should it move?",
            ),
            Mistake(
                lambda a, e: _in_range(a) and false_positives_at(a) >= false_positives_at(e),
                "Right direction, but on the test set your threshold raises exactly as many "
                "false alarms as 0.5 does, so it changes nothing for the fast track. Look at "
                "the fp column of your table and move the threshold further up.",
            ),
        ),
        praise="Your threshold gives fewer false positives than 0.5 on the test set (a higher "
        "PPV), at the cost of missing more cancers: a woman who is not fast-tracked still has "
        "the usual assessment. The test set has only 90 benign aspirates, so this is an "
        "estimate, and a threshold chosen on the test set looks better there than it will on "
        "new patients. Check your sentence names both the gain and the cost.",
    )
)


# --- warm-up: remember lesson 03 ------------------------------------------------------------------

register(
    Question(
        "04.warmup-baseline-cancers",
        expected=0,
        kind="integer",
        hints=("'Always say benign' never says malignant. How many cancers can it find?",),
        mistakes=(
            Mistake(
                lambda a, e: a == 53,
                "53 is how many cancers there were in the test set. 'Always say benign' says "
                "benign to every patient: how many of those 53 does it find?",
            ),
            Mistake(
                lambda a, e: _is_number(a) and (0 < a < 1 or a in (62.9, 37.1)),
                "That is an accuracy or a share. The question asks for a count of cancers found.",
            ),
        ),
        praise="None: a rule can score 62.9% accuracy and find no cancer at all.",
    )
)

register(
    Question(
        "04.warmup-test-set",
        expected="B",
        kind="choice",
        options=("A", "B", "C"),
        hints=("Think of the exam analogy in lesson 03.",),
        mistakes=(
            Mistake(
                lambda a, e: str(a).strip().upper() == "A",
                "Keeping patients back gives the model fewer to learn from, not faster "
                "training. Why do we hide them from it?",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "C",
                "A test set does not make the model better: it only measures it. What does it "
                "let us measure fairly?",
            ),
        ),
        praise="The test set shows how the model does on cases it has never seen, like an "
        "exam with new questions.",
    )
)
