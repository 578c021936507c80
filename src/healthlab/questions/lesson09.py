"""Exercises of lesson 09, "Heart signals" (``notebooks/09-signals.ipynb``).

The warm-up recalls lesson 08 with facts from ``clinical-facts.md`` (Part 3: Hounsfield units
and DICOM de-identification), so it does not depend on lesson 08's code. The ECG answers follow
the data (the sampling rate comes from ``datasets.load("ecg")``); the rhythm answers come from
the same simulated people, split and logistic regression as the lesson
(:func:`lesson_people`, :func:`lesson_split`, :func:`lesson_model`).

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("09.warmup-water-hu", -1000).message
'-1000 HU is air. Water is the zero point of the scale.'
>>> evaluate_answer("09.large-squares", 60 / 4).message  # doctest: +ELLIPSIS
'60 / 4 counts squares, not seconds...'
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "SEED",
    "FEATURES",
    "MIN_RR",
    "LARGE_SQUARES",
    "PIPELINE_LINES",
    "PIPELINE_ORDERS",
    "WATCH_PREVALENCE",
    "RARE_PREVALENCE",
    "RULE_TARGET",
    "lesson_people",
    "lesson_split",
    "lesson_model",
    "lesson_metrics",
]

SEED = 42
#: The two rhythm features the classifier uses.
FEATURES = ("rr_sd_ms", "rmssd_ms")
#: The shortest RR interval the R-peak finder allows (seconds): 200 beats per minute.
MIN_RR = 0.3
#: Your turn 1: large squares between two R waves on "another patient's strip".
LARGE_SQUARES = 4
#: Your turn 3 (Parsons): the jumbled lines of the heart-rate pipeline, numbered as shown.
PIPELINE_LINES = {
    1: "rr = signals.rr_intervals(r_peaks, rate)",
    2: "clean = signals.lowpass(signals.remove_baseline(raw, rate), rate)",
    3: "bpm = signals.heart_rate(rr)",
    4: "r_peaks = signals.find_r_peaks(clean, rate)",
    5: "hrv = signals.rmssd(rr)",
}
#: Orders that work: heart rate and RMSSD both need only rr, so either may come first.
PIPELINE_ORDERS = ((2, 4, 1, 3, 5), (2, 4, 1, 5, 3))
#: The lesson's teaching prevalence of AF among watch wearers (section 8).
WATCH_PREVALENCE = 0.01
#: Your turn 4: a much rarer group (a teaching number, not a measured prevalence).
RARE_PREVALENCE = 0.001
#: Your turn 5: the sensitivity and specificity a student's rule must both reach on the test set.
RULE_TARGET = 0.90


class Split(NamedTuple):
    X_train: Any
    X_test: Any
    y_train: Any
    y_test: Any


# --- the lesson's simulated people, split and model (computed once, when first needed) ---------


@lru_cache(maxsize=1)
def lesson_people() -> Any:
    """The 400 simulated people of section 7: ``signals.simulate_recordings(200, 200, seed=42)``.

    Examples
    --------
    >>> lesson_people()["rhythm"].value_counts().to_dict()
    {'sinus': 200, 'af': 200}
    """
    from healthlab import signals

    return signals.simulate_recordings(n_sinus=200, n_af=200, n_beats=60, seed=SEED)


@lru_cache(maxsize=1)
def lesson_split() -> Split:
    """The lesson's stratified 75/25 split of :func:`lesson_people` (``random_state=42``).

    Examples
    --------
    >>> len(lesson_split().y_test)
    100
    """
    from sklearn.model_selection import train_test_split

    people = lesson_people()
    X = people[list(FEATURES)]
    y = people["af"]
    return Split(*train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED))


@lru_cache(maxsize=1)
def lesson_model() -> Any:
    """The lesson's scaled logistic regression, fitted on the training people.

    Examples
    --------
    >>> int(lesson_model().predict(lesson_split().X_test).sum())
    49
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    split = lesson_split()
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(split.X_train, split.y_train)


@lru_cache(maxsize=1)
def lesson_metrics() -> Any:
    """``evaluate.clinical_metrics`` of the lesson model on the 100 test people.

    Examples
    --------
    >>> round(float(lesson_metrics().loc["specificity", "value"]), 2)
    0.98
    """
    from healthlab import evaluate

    split = lesson_split()
    return evaluate.clinical_metrics(split.y_test, lesson_model().predict(split.X_test))


def _value(measure: str) -> float:
    return float(lesson_metrics().loc[measure, "value"])


def _near(answer: Any, value: float, tol: float) -> bool:
    return _is_number(answer) and math.isclose(float(answer), value, rel_tol=0, abs_tol=tol)


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


def _ecg_rate() -> float:
    from healthlab import datasets

    return float(datasets.load("ecg").attrs["sampling_rate_hz"])


# --- warm-up: remember lesson 08 (clinical-facts.md, Part 3) -----------------------------------

register(
    Question(
        "09.warmup-water-hu",
        expected=0,
        kind="integer",
        hints=(
            "The Hounsfield scale is built around two fixed points: air and water.",
            "Air is -1000 HU. Water is the zero point.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, -1000, 0.5),
                "-1000 HU is air. Water is the zero point of the scale.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and a >= 300,
                "That is bone (from about +300 for spongy bone to over +1000 for dense bone). "
                "Water is lower.",
            ),
            Mistake(
                lambda a, e: _near(a, -100, 20),
                "About -100 HU is fat, which floats on water. Water itself is the zero point.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and 20 <= a <= 80,
                "That is soft tissue or blood (about +20 to +80 HU), a little denser than water.",
            ),
        ),
        praise="Water is 0 HU and air -1000 HU: the two fixed points of the Hounsfield scale.",
    )
)

register(
    Question(
        "09.warmup-hu-formula",
        expected=1100 * 1 + (-1024),
        kind="number",
        hints=(
            "HU = stored value x RescaleSlope + RescaleIntercept.",
            "1100 x 1, then add the intercept, which is a negative number.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, 1100 + 1024, 1e-9),
                "The intercept is -1024, so adding it makes the number smaller.",
            ),
            Mistake(
                lambda a, e: _near(a, 1100, 1e-9),
                "That is the stored value. Turn it into HU: multiply by RescaleSlope, then add "
                "RescaleIntercept.",
            ),
            Mistake(
                lambda a, e: _near(a, -e, 1e-9),
                "Check the sign: 1100 + (-1024) is above zero.",
            ),
        ),
        praise="76 HU is in the range of soft tissue and blood (about +20 to +80 HU).",
    )
)

register(
    Question(
        "09.warmup-burned-in",
        expected=("BurnedInAnnotation", "burned in annotation", "(0028,0301)"),
        kind="choice",
        options=("PatientName", "BurnedInAnnotation", "InstitutionName", "AccessionNumber"),
        hints=("The word you need describes text that is part of the picture, not the header.",),
        mistakes=(
            Mistake(
                lambda a, e: (
                    a.strip().lower() in ("patientname", "institutionname", "accessionnumber")
                ),
                "That element is in the header, and it must be removed or replaced, but it does "
                "not warn about text inside the pixels.",
            ),
        ),
        praise="BurnedInAnnotation (0028,0301): if it says YES, a cleaned header is not enough, "
        "because a name or date may be written in the image itself.",
    )
)

# --- Your turn 1: heart rate from ECG paper ----------------------------------------------------

_LARGE_SQUARE_S = 0.2  # 5 mm at 25 mm/s
_SMALL_SQUARE_S = 0.04  # 1 mm at 25 mm/s

register(
    Question(
        "09.large-squares",
        expected=lambda: 60 / (LARGE_SQUARES * _LARGE_SQUARE_S),
        kind="number",
        hints=(
            "First turn the squares into seconds: one large square is 0.2 seconds.",
            "Heart rate = 60 / (the RR interval in seconds).",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, 60 / LARGE_SQUARES, 1e-6),
                "60 / 4 counts squares, not seconds. Multiply the 4 squares by the seconds in "
                "one large square first.",
            ),
            Mistake(
                lambda a, e: _near(a, 60 / (LARGE_SQUARES * _SMALL_SQUARE_S), 1e-6),
                "0.04 s is a small (1 mm) square. The R waves are 4 large (5 mm) squares apart.",
            ),
            Mistake(
                lambda a, e: _near(a, LARGE_SQUARES * _LARGE_SQUARE_S, 1e-6),
                "That is the RR interval in seconds. The heart rate is 60 divided by it.",
            ),
            Mistake(
                lambda a, e: _near(a, 60 / _LARGE_SQUARE_S, 1e-6),
                "That is 60 divided by one large square. The R waves are 4 large squares apart.",
            ),
            Mistake(
                lambda a, e: _near(a, 1 / (LARGE_SQUARES * _LARGE_SQUARE_S), 1e-6),
                "That is beats per second. Multiply by 60 for beats per minute.",
            ),
        ),
        praise="75 beats per minute. The nurses' shortcut gives the same: 300 / 4 large squares.",
    )
)

# --- Your turn 2: find_peaks counts samples, not seconds --------------------------------------

register(
    Question(
        "09.distance",
        expected=lambda: MIN_RR * _ecg_rate(),
        kind="number",
        hints=(
            "The ECG has 1000 samples in every second.",
            "0.3 seconds is 0.3 times the number of samples in one second.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, MIN_RR, 1e-9),
                "0.3 is in seconds, but distance counts samples. How many samples are there in "
                "one second?",
            ),
            Mistake(
                lambda a, e: _near(a, MIN_RR / _ecg_rate(), 1e-9),
                "You divided. There are 1000 samples in each second, so 0.3 seconds holds more "
                "samples than 1.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and any(_near(a, e * f, 1e-6) for f in (0.01, 0.1, 10)),
                "Check the sampling rate: the ECG has 1000 samples per second "
                "(ecg.attrs['sampling_rate_hz']).",
            ),
            Mistake(
                lambda a, e: _near(a, 60 / MIN_RR, 1e-6),
                "200 is the fastest heart rate in beats per minute. The question asks how many "
                "samples 0.3 seconds is.",
            ),
        ),
        praise="300 samples: find_peaks keeps only the taller of two peaks closer than 0.3 s.",
    )
)

# --- Your turn 3: put the pipeline in order (Parsons) ------------------------------------------


def _position(answer: Any, line: int) -> int:
    return list(answer).index(line)


register(
    Question(
        "09.pipeline-order",
        expected=PIPELINE_ORDERS,
        kind="orders",
        hints=(
            "Each line uses a variable that an earlier line must make. Start with the line that "
            "uses only raw and rate.",
            "clean, then the peaks, then the RR intervals; heart rate and RMSSD both need only rr.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list in square brackets, like [1, 2, 3, 4, 5].",
            ),
            Mistake(
                lambda a, e: any(isinstance(x, str) for x in a),
                "Write the line numbers as numbers, without quotes: like [1, 2, 3, 4, 5].",
            ),
            Mistake(
                lambda a, e: sorted(a) != [1, 2, 3, 4, 5],
                "Use each of the line numbers 1 to 5 exactly once.",
            ),
            Mistake(
                lambda a, e: _position(a, 4) < _position(a, 2),
                "Line 4 looks for peaks in clean, so the line that makes clean must come first.",
            ),
            Mistake(
                lambda a, e: _position(a, 1) < _position(a, 4),
                "Line 1 measures the gaps between r_peaks, so the peaks must be found first.",
            ),
            Mistake(
                lambda a, e: min(_position(a, 3), _position(a, 5)) < _position(a, 1),
                "The heart rate and the RMSSD are both worked out from rr, so line 1 must come "
                "before them.",
            ),
        ),
        praise="Clean the signal, find the peaks, measure the gaps, then the heart rate and the "
        "RMSSD (in either order: both need only rr).",
    )
)

# --- Your turn 4: the same classifier in a much rarer group ------------------------------------


def _bayes_ppv(prevalence: float) -> float:
    sens, spec = _value("sensitivity"), _value("specificity")
    return sens * prevalence / (sens * prevalence + (1 - spec) * (1 - prevalence))


def _bayes_npv(prevalence: float) -> float:
    sens, spec = _value("sensitivity"), _value("specificity")
    return spec * (1 - prevalence) / (spec * (1 - prevalence) + (1 - sens) * prevalence)


def _rounded_ppv(population: int) -> float:
    from healthlab import evaluate

    table = evaluate.natural_frequencies(
        _value("sensitivity"), _value("specificity"), RARE_PREVALENCE, population=population
    )
    return float(table.loc["ppv", "proportion"])


def _is_table(answer: Any) -> bool:
    return hasattr(answer, "shape") and getattr(answer, "ndim", 0) >= 1


register(
    Question(
        "09.rare-ppv",
        expected=lambda: _bayes_ppv(RARE_PREVALENCE),
        kind="number",
        abs_tol=0.0005,
        hints=(
            "evaluate.ppv_npv_at_prevalence(sens, spec, 0.001), with sens and spec from section 8.",
            "The function returns a table: take its 'ppv' column, then the first value with [0].",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_table(a),
                "Your answer is a table (or a column). Pick one number: the 'ppv' column, then "
                "its first value, [0].",
            ),
            Mistake(
                lambda a, e: (
                    _near(a, _bayes_ppv(WATCH_PREVALENCE), 0.0005) or _near(a, 1 / 3, 0.0005)
                ),
                "That is the PPV at 1 in 100, from section 8. This group is rarer: 1 in 1,000 "
                "(0.001).",
            ),
            Mistake(
                lambda a, e: any(_near(a, _rounded_ppv(n), 1e-6) for n in (1000, 10_000, 100_000)),
                "natural_frequencies rounds to whole people, so its PPV is only roughly right. "
                "Use evaluate.ppv_npv_at_prevalence for the exact value.",
            ),
            Mistake(
                lambda a, e: _near(a, _value("ppv"), 0.0005),
                "That is the PPV in the test set, where half the people had AF. Use a "
                "prevalence of 0.001.",
            ),
            Mistake(
                lambda a, e: _near(a, _bayes_npv(RARE_PREVALENCE), 0.0005),
                "That is the NPV. Pick the 'ppv' column.",
            ),
            Mistake(
                lambda a, e: (
                    _near(a, _value("sensitivity"), 0.0005)
                    or _near(a, _value("specificity"), 0.0005)
                ),
                "That is the sensitivity or specificity you started from. Put both into "
                "evaluate.ppv_npv_at_prevalence with a prevalence of 0.001.",
            ),
        ),
        praise="About 1 alert in 20 would be AF: the rarer the condition, the more of the "
        "alerts are false alarms, even from the same classifier.",
    )
)

# --- Your turn 5 (make): a rule of your own, checked on the test people ------------------------


def _flags(answer: Any) -> Any:
    """``answer`` as a 0/1 int array, or None when it is not one prediction per person."""
    import numpy as np

    if answer is None or answer is Ellipsis or isinstance(answer, (str, bytes, dict)):
        return None
    arr = np.asarray(answer)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1 or arr.size == 0:
        return None
    if arr.dtype.kind == "b":
        return arr.astype(int)
    if arr.dtype.kind in "iuf" and np.isin(arr, (0, 1)).all():
        return arr.astype(int)
    return None


def _rates(flags: Any, truth: Any) -> tuple[float, float]:
    import numpy as np

    truth = np.asarray(truth)
    sens = float(flags[truth == 1].mean())
    spec = float(1 - flags[truth == 0].mean())
    return sens, spec


def _copies_truth(answer: Any, truth: Any) -> bool:
    flags = _flags(answer)
    return flags is not None and len(flags) == len(truth) and bool((flags == truth).all())


def _copies_model(answer: Any) -> bool:
    flags = _flags(answer)
    split = lesson_split()
    predictions = lesson_model().predict(split.X_test)
    return (
        flags is not None and len(flags) == len(predictions) and bool((flags == predictions).all())
    )


def _good_rule(answer: Any, truth: Any) -> bool:
    flags = _flags(answer)
    if flags is None or len(flags) != len(truth):
        return False
    if _copies_truth(answer, truth) or _copies_model(answer):
        return False
    sens, spec = _rates(flags, truth)
    return sens >= RULE_TARGET and spec >= RULE_TARGET


def _test_labels() -> Any:
    return lesson_split().y_test.to_numpy()


register(
    Question(
        "09.my-rule",
        expected=_test_labels,
        kind="custom",
        compare=_good_rule,
        hints=(
            "Pick one feature, rr_sd_ms or rmssd_ms. Compare its values for sinus and AF in the "
            "training people, for example X_train.groupby(y_train).median().",
            "Then my_flags = X_test['rmssd_ms'] > your_threshold. Lower the threshold to find "
            "more AF; raise it for fewer false alarms.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _flags(a) is None,
                "Give one prediction per test person, True/False or 1/0: for example "
                "my_flags = X_test['rmssd_ms'] > 100 (with a threshold you chose).",
            ),
            Mistake(
                lambda a, e: len(_flags(a)) != len(e),
                "Your rule gives a prediction for a different number of people than the 100 in "
                "the test set. Use X_test, not X_train or people.",
            ),
            Mistake(
                lambda a, e: _copies_truth(a, e),
                "Those are the true answers (y_test), not your rule's predictions.",
            ),
            Mistake(
                lambda a, e: _copies_model(a),
                "Those are the logistic regression's predictions. Make your own rule: one "
                "feature and a threshold.",
            ),
            Mistake(
                lambda a, e: _rates(_flags(a), e)[0] < RULE_TARGET,
                "Your rule misses too many people with AF: its sensitivity on the test set is "
                "below 0.90. Try a lower threshold.",
            ),
            Mistake(
                lambda a, e: _rates(_flags(a), e)[1] < RULE_TARGET,
                "Your rule raises too many false alarms: its specificity on the test set is "
                "below 0.90. Try a higher threshold.",
            ),
        ),
        praise="Your rule finds at least 90% of the AF recordings and clears at least 90% of the "
        "sinus ones in the test set. Check that your comment says which of the two you would "
        "keep higher for a watch, and why.",
    )
)
