"""Exercises of lesson 10, "Clinical text" (``notebooks/10-clinical-text.ipynb``).

The lesson reads the synthetic triage notes, searches them for red-flag keywords with and
without a negation rule (:mod:`healthlab.text`), and trains a bag-of-words model on a
stratified train/test split. The functions here rebuild the same searches, split and model,
so that every answer is computed from the data, as the lesson computes it. The warm-up asks
about lesson 09 (ECG signals), using the facts of ``clinical-facts.md`` "Part 3": heart rate =
60 / RR interval in seconds; ECG paper at 25 mm/s; atrial fibrillation is irregularly irregular.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("10.warmup-heart-rate", 60 * 0.8).message
'You multiplied. Heart rate = 60 divided by the RR interval in seconds.'
>>> evaluate_answer("10.pipeline-order", [3, 5, 4, 2, 1]).correct
True
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "SEED",
    "TEST_SIZE",
    "WARMUP_RR_SECONDS",
    "READ_NOTE_ID",
    "PAIR",
    "PIPELINE_LINES",
    "PIPELINE_ORDERS",
    "Split",
    "triage_notes",
    "has_red_flag",
    "keyword_flags",
    "keyword_metrics",
    "lesson_split",
    "word_model",
    "pair_probabilities",
    "fitted_on_training_notes",
]

#: The lesson's random seed (``SEED = 42`` in the setup cell).
SEED = 42
#: Share of the notes kept back for the test set.
TEST_SIZE = 0.25
#: Warm-up 1: the RR interval (seconds) whose heart rate the student works out.
WARMUP_RR_SECONDS = 0.8
#: Warm-up 2: ECG paper speed (mm per second) and the width of one large square (mm).
PAPER_SPEED_MM_PER_S = 25
LARGE_SQUARE_MM = 5
SMALL_SQUARE_MM = 1
#: Warm-up 3: the options for the rhythm of atrial fibrillation.
RHYTHM_OPTIONS = ("regular", "regularly irregular", "irregularly irregular")
#: Your turn 1: the note the student reads (the fifth note of the data set).
READ_NOTE_ID = "T0005"
#: Your turn 3: the window the student tries.
SMALL_WINDOW = 1
#: The two notes with the same words in a different order (Your turns 5 and 6).
PAIR = (
    "55M c/o SOB x2 days. chest pain, no sweating.",
    "55M c/o SOB x2 days. no chest pain, sweating.",
)
#: Your turn 6: the least gap between the two notes' probabilities that counts as "told apart".
MIN_GAP = 0.05
#: Your turn 4: the scrambled lines of the Parsons problem, by number.
PIPELINE_LINES = {
    1: "predictions = model.predict(X_test)",
    2: 'X_test = vectorizer.transform(test["note"])',
    3: "vectorizer = CountVectorizer()",
    4: 'model = LogisticRegression(max_iter=1000).fit(X_train, train["urgent"])',
    5: 'X_train = vectorizer.fit_transform(train["note"])',
}
#: The right orders: the vectorizer learns its words first; the test notes may be turned into
#: counts before or after the model is trained; predicting comes last.
PIPELINE_ORDERS = ((3, 5, 4, 2, 1), (3, 5, 2, 4, 1))


class Split(NamedTuple):
    """The lesson's training and test notes (pandas DataFrames with every column)."""

    train: Any
    test: Any


@lru_cache(maxsize=1)
def triage_notes() -> Any:
    """The triage notes, as ``datasets.load("triage-notes")`` gives them.

    Examples
    --------
    >>> triage_notes().shape
    (3000, 8)
    """
    from healthlab import datasets

    return datasets.load("triage-notes")


def has_red_flag() -> Any:
    """True for each note with at least one red flag present (``red_flags > 0``).

    Examples
    --------
    >>> int(has_red_flag().sum())
    1789
    """
    return triage_notes()["red_flags"] > 0


@lru_cache(maxsize=16)
def keyword_flags(handle_negation: bool, window: int = 5) -> Any:
    """``text.flag_notes`` of every note with ``text.RED_FLAGS``, as the lesson runs it.

    Examples
    --------
    >>> int(keyword_flags(False)["flagged"].sum())
    2735
    """
    from healthlab import text

    return text.flag_notes(
        triage_notes()["note"], text.RED_FLAGS, handle_negation=handle_negation, window=window
    )


@lru_cache(maxsize=16)
def keyword_metrics(handle_negation: bool, window: int = 5) -> Any:
    """``evaluate.clinical_metrics`` of a keyword search against ``red_flags > 0``.

    Examples
    --------
    >>> round(float(keyword_metrics(True, 5).loc["sensitivity", "value"]), 3)
    0.718
    """
    from healthlab import evaluate

    flags = keyword_flags(handle_negation, window)["flagged"]
    return evaluate.clinical_metrics(has_red_flag(), flags)


@lru_cache(maxsize=1)
def lesson_split() -> Split:
    """The stratified split of the notes (25% test, ``random_state=42``), as in the lesson.

    Examples
    --------
    >>> split = lesson_split()
    >>> len(split.train), len(split.test)
    (2250, 750)
    """
    from sklearn.model_selection import train_test_split

    notes = triage_notes()
    train, test = train_test_split(
        notes, test_size=TEST_SIZE, stratify=notes["urgent"], random_state=SEED
    )
    return Split(train, test)


@lru_cache(maxsize=4)
def word_model(ngram_range: tuple[int, int] = (1, 1)) -> Any:
    """The lesson's bag-of-words pipeline, trained on the training notes.

    Examples
    --------
    >>> model = word_model()
    >>> len(model[0].vocabulary_)
    467
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train = lesson_split().train
    model = make_pipeline(
        CountVectorizer(ngram_range=ngram_range), LogisticRegression(max_iter=1000)
    )
    return model.fit(train["note"], train["urgent"])


def pair_probabilities(model: Any) -> tuple[float, float]:
    """A fitted pipeline's probability of urgent for each note of :data:`PAIR`.

    Examples
    --------
    >>> first, second = pair_probabilities(word_model())
    >>> first == second
    True
    """
    probabilities = model.predict_proba(list(PAIR))[:, 1]
    return float(probabilities[0]), float(probabilities[1])


def _vectorizer_of(model: Any) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline) and isinstance(model[0], CountVectorizer):
        return model[0]
    return None


def fitted_on_training_notes(model: Any) -> bool:
    """True if the pipeline's vectorizer learned its words from the training notes only.

    It compares the vocabulary with that of a fresh vectorizer, with the same settings, fitted
    on the training notes: a vectorizer fitted on all the notes knows words that only the test
    notes contain.

    Examples
    --------
    >>> fitted_on_training_notes(word_model())
    True
    """
    from sklearn.base import clone

    vectorizer = _vectorizer_of(model)
    fresh = clone(vectorizer).fit(lesson_split().train["note"])
    return set(vectorizer.vocabulary_) == set(fresh.vocabulary_)


# --- helpers ---------------------------------------------------------------------------------


def _near(value: Any, tol: float = 0.0005) -> Any:
    """A matcher: True when the answer is a number within ``tol`` of ``value()``."""

    def matches(answer: Any, expected: Any) -> bool:
        target = value() if callable(value) else value
        return _is_number(answer) and abs(float(answer) - float(target)) <= tol

    return matches


def _is_one_of(*numbers: Any) -> Any:
    return lambda a, e: _is_number(a) and any(float(a) == float(n()) for n in numbers)


def _the_note() -> Any:
    notes = triage_notes()
    return notes.loc[notes["note_id"] == READ_NOTE_ID].iloc[0]


# --- Warm-up: remember lesson 09 -------------------------------------------------------------

register(
    Question(
        "10.warmup-heart-rate",
        expected=lambda: 60 / WARMUP_RR_SECONDS,
        kind="number",
        abs_tol=0.5,
        hints=("Heart rate = 60 divided by the RR interval in seconds.",),
        mistakes=(
            Mistake(
                _near(60 * WARMUP_RR_SECONDS, 0.01),
                "You multiplied. Heart rate = 60 divided by the RR interval in seconds.",
            ),
            Mistake(
                _near(WARMUP_RR_SECONDS / 60, 0.001),
                "The division is upside down: 60 goes on top, the RR interval underneath.",
            ),
        ),
        praise="60 / 0.8 = 75 beats per minute, inside the normal adult resting range (60-100).",
    )
)

register(
    Question(
        "10.warmup-large-square",
        expected=lambda: LARGE_SQUARE_MM / PAPER_SPEED_MM_PER_S,
        kind="number",
        rel_tol=1e-6,
        hints=("Time = distance / speed: 5 mm of paper at 25 mm every second.",),
        mistakes=(
            Mistake(
                _near(SMALL_SQUARE_MM / PAPER_SPEED_MM_PER_S, 1e-6),
                "That is one small (1 mm) square. A large square is 5 mm wide.",
            ),
            Mistake(
                _near(LARGE_SQUARE_MM * PAPER_SPEED_MM_PER_S, 1e-6),
                "You multiplied. Time = distance / speed: 5 mm divided by 25 mm per second.",
            ),
            Mistake(
                _near(PAPER_SPEED_MM_PER_S / LARGE_SQUARE_MM, 1e-6),
                "The division is upside down: the distance (5 mm) goes on top.",
            ),
            Mistake(
                _near(LARGE_SQUARE_MM, 1e-6),
                "That is the width in millimetres. The question asks for seconds.",
            ),
        ),
        praise="One large square is 0.2 seconds, and one small square 0.04 seconds.",
    )
)

register(
    Question(
        "10.warmup-af",
        expected="irregularly irregular",
        kind="choice",
        options=RHYTHM_OPTIONS,
        hints=("In atrial fibrillation the gaps between beats follow no pattern at all.",),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().casefold() == "regular",
                "A regular rhythm has equal gaps between beats. In atrial fibrillation the "
                "gaps keep changing.",
            ),
            Mistake(
                lambda a, e: a.strip().casefold() == "regularly irregular",
                "Regularly irregular means the gaps change in a repeating pattern. In atrial "
                "fibrillation there is no pattern at all.",
            ),
        ),
        praise="No repeating pattern, and no P waves: the commonest sustained arrhythmia.",
    )
)

# --- Your turn 1: read a note ----------------------------------------------------------------

register(
    Question(
        "10.read-note",
        expected=lambda: int(_the_note()["red_flags"]),
        kind="integer",
        hints=(
            "Read each finding between the commas. Which ones does the note say are there?",
            '"no", "not" and "nil" say a finding is absent. What is left?',
        ),
        mistakes=(
            Mistake(
                _is_one_of(lambda: _the_note()["red_flags"] + _the_note()["negated_flags"]),
                "You counted every finding the note mentions, including those it says are "
                "absent (no, not). Count only the ones that are present.",
            ),
            Mistake(
                _is_one_of(lambda: _the_note()["negated_flags"]),
                "That is how many findings the note rules out (no blood thinners, not confused, "
                "only mild pain). How many are present?",
            ),
            Mistake(
                lambda a, e: _is_number(a) and a == 0,
                "Look at the last finding before the observations. LOC = loss of "
                'consciousness; "witnessed" means someone saw it happen.',
            ),
        ),
        praise="Witnessed loss of consciousness is present; the rest are ruled out.",
    )
)

# --- Your turn 2: how often is the plain search fooled? -------------------------------------


def _fooled() -> int:
    flagged = keyword_flags(False)["flagged"]
    return int((flagged & (triage_notes()["red_flags"] == 0)).sum())


register(
    Question(
        "10.fooled",
        expected=_fooled,
        kind="integer",
        hints=(
            "A note fools the search when it is flagged but has no red flag present.",
            "Notes with no red flag present have red_flags == 0. Put 0 in the blank.",
        ),
        mistakes=(
            Mistake(
                _is_one_of(lambda: keyword_flags(False)["flagged"].sum()),
                "That is every flagged note. Keep only those with no red flag present "
                '(notes["red_flags"] == 0).',
            ),
            Mistake(
                _is_one_of(lambda: (keyword_flags(False)["flagged"] & has_red_flag()).sum()),
                "Those are the flagged notes that really do have a red flag (the search was "
                "right). Which notes have none?",
            ),
            Mistake(
                _is_one_of(lambda: (triage_notes()["red_flags"] == 0).sum()),
                "That is every note with no red flag. Keep only those the search flagged: "
                "join the two with &.",
            ),
        ),
        praise="All these notes were flagged for a red flag that is not there: most of them "
        "mention one only to deny it.",
    )
)

# --- Your turn 3: twiddle the window ---------------------------------------------------------


def _sensitivity(window: int) -> float:
    return float(keyword_metrics(True, window).loc["sensitivity", "value"])


def _sensitivity_for_urgent() -> float:
    from healthlab import evaluate

    flags = keyword_flags(True, SMALL_WINDOW)["flagged"]
    urgent = triage_notes()["urgent"] == 1
    return float(evaluate.clinical_metrics(urgent, flags).loc["sensitivity", "value"])


register(
    Question(
        "10.window-one",
        expected=lambda: _sensitivity(SMALL_WINDOW),
        kind="number",
        abs_tol=0.0005,
        hints=(
            'First rule_1 = text.flag_notes(notes["note"], text.RED_FLAGS, window=1).',
            'Then evaluate.clinical_metrics(has_red_flag, rule_1["flagged"]) gives a table: '
            'its .loc["sensitivity", "value"] is the share of notes with a real red flag that '
            "the rule flags.",
        ),
        mistakes=(
            Mistake(
                _near(lambda: _sensitivity(5)),
                "That is the sensitivity with the usual window of 5 words. Set window=1.",
            ),
            Mistake(
                lambda a, e: (
                    _is_number(a)
                    and math.isclose(
                        float(a),
                        float(keyword_metrics(False).loc["sensitivity", "value"]),
                        abs_tol=0.00003,
                    )
                ),
                "That is the plain search's sensitivity (handle_negation=False). Use the rule "
                "with window=1, which does handle negation.",
            ),
            Mistake(
                _near(_sensitivity_for_urgent),
                "That measures the rule against urgent, the nurse's decision. This section's "
                "truth is has_red_flag (a red flag is present): "
                'evaluate.clinical_metrics(has_red_flag, rule_1["flagged"]).',
            ),
            Mistake(
                _near(
                    lambda: float(keyword_metrics(True, SMALL_WINDOW).loc["specificity", "value"])
                ),
                'That is the specificity. The question asks for the "sensitivity".',
            ),
            Mistake(
                lambda a, e: any(_near(lambda w=w: _sensitivity(w))(a, e) for w in (2, 3, 4)),
                "That is the sensitivity with another window. Set window=1.",
            ),
        ),
        praise="With a window of 1 word, the rule finds almost every real red flag again.",
    )
)

# --- Your turn 4: order the lines (Parsons problem) -----------------------------------------


def _is_list(a: Any) -> bool:
    return isinstance(a, (list, tuple))


def _position(answer: Any, line: int) -> int:
    return list(answer).index(line)


def _each_line_once(answer: Any) -> bool:
    return sorted(answer) == sorted(PIPELINE_LINES)


register(
    Question(
        "10.pipeline-order",
        expected=PIPELINE_ORDERS,
        kind="orders",
        hints=(
            "A name must be made before a line can use it. Which line uses no other name?",
            "The vectorizer must learn its words from the training notes (fit_transform) "
            "before it can turn the test notes into counts (transform).",
        ),
        mistakes=(
            Mistake(
                lambda a, e: not _is_list(a),
                "The answer should be a list of the line numbers, like [1, 2, 3, 4, 5].",
            ),
            Mistake(
                lambda a, e: any(isinstance(x, str) for x in a),
                "Write the line numbers as numbers, without quotes: like [1, 2, 3, 4, 5].",
            ),
            Mistake(
                lambda a, e: not _each_line_once(a),
                "Use each of the line numbers 1 to 5 exactly once.",
            ),
            Mistake(
                lambda a, e: _position(a, 3) != 0,
                "Every other line uses the vectorizer or what it makes, so line 3 "
                "(vectorizer = CountVectorizer()) comes first.",
            ),
            Mistake(
                lambda a, e: _position(a, 2) < _position(a, 5),
                "The test notes are turned into counts (line 2) before the vectorizer has "
                "learned its words from the training notes (line 5).",
            ),
            Mistake(
                lambda a, e: _position(a, 4) < _position(a, 5),
                "The model is trained on X_train (line 4) before X_train exists (line 5).",
            ),
            Mistake(
                lambda a, e: _position(a, 1) != 4,
                "Predicting (line 1) needs both the trained model and X_test, so it comes last.",
            ),
        ),
        praise="Learn the words from the training notes, train, then turn the test notes into "
        "counts with the same words and predict. A pipeline does exactly this for you.",
    )
)

# --- Your turn 5: same words, same probability -----------------------------------------------


def _pair_gap() -> float:
    first, second = pair_probabilities(word_model())
    return first - second


register(
    Question(
        "10.same-bag",
        expected=_pair_gap,
        kind="number",
        abs_tol=0.0005,
        hints=(
            "probabilities[0] is the first note's probability of urgent, probabilities[1] the "
            "second's. Subtract one from the other.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: hasattr(a, "shape") and getattr(a, "ndim", 0) >= 1,
                "That is a list of numbers. Give one number: probabilities[0] - probabilities[1].",
            ),
            Mistake(
                lambda a, e: (
                    _is_number(a)
                    and any(
                        math.isclose(float(a), p, abs_tol=0.0005)
                        for p in pair_probabilities(word_model())
                    )
                    and not math.isclose(float(a), e, abs_tol=0.0005)
                ),
                "That is one note's probability. Subtract the second note's from the first's.",
            ),
        ),
        praise="Exactly 0: the two notes have the same words, so a bag of words cannot tell "
        "them apart, although they mean opposite things.",
    )
)

# --- Your turn 6 (make): a model that sees pairs of words -----------------------------------


def _max_ngram(model: Any) -> int:
    return int(_vectorizer_of(model).ngram_range[1])


def _is_fitted(model: Any) -> bool:
    return hasattr(_vectorizer_of(model), "vocabulary_") and hasattr(model[-1], "classes_")


def _tells_pair_apart(model: Any, expected: Any) -> bool:
    if _vectorizer_of(model) is None or not _is_fitted(model) or _max_ngram(model) < 2:
        return False
    if not fitted_on_training_notes(model):
        return False
    first, second = pair_probabilities(model)
    return first - second >= MIN_GAP


register(
    Question(
        "10.ngram-model",
        expected=None,
        kind="custom",
        compare=_tells_pair_apart,
        hints=(
            "Copy the pipeline from section 4 and give CountVectorizer the option "
            "ngram_range=(1, 2), so it counts single words and pairs of neighbouring words.",
            'Fit it on train["note"] and train["urgent"] (the training notes only), then pass '
            "the fitted pipeline to check.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _vectorizer_of(a) is None,
                "Pass the whole pipeline, made with make_pipeline(CountVectorizer(...), "
                "LogisticRegression(max_iter=1000)).",
            ),
            Mistake(
                lambda a, e: not _is_fitted(a),
                'The pipeline has not been trained yet: call my_model.fit(train["note"], '
                'train["urgent"]) first.',
            ),
            Mistake(
                lambda a, e: _max_ngram(a) < 2,
                "This vectorizer still counts single words only, so the two notes get the "
                "same probability. Give it ngram_range=(1, 2).",
            ),
            Mistake(
                lambda a, e: not fitted_on_training_notes(a),
                "This model learned words that only the test notes contain: it was fitted on "
                'more than the training notes. Fit it on train["note"] and train["urgent"].',
            ),
            Mistake(
                lambda a, e: pair_probabilities(a)[0] - pair_probabilities(a)[1] < MIN_GAP,
                "Your model does not yet give the note with chest pain a clearly higher "
                "probability than the note without it. Try ngram_range=(1, 2) with the other "
                "settings left as they were.",
            ),
        ),
        praise="Your model is trained on the training notes only and gives the note with "
        "chest pain a higher probability than the note that denies it: pairs of words keep a "
        "little of the word order. Now compare its sensitivity and specificity on the test "
        "notes with the word model's.",
    )
)
