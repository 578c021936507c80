"""Instant feedback on lesson exercises.

A lesson exercise ends with ``check("04.sensitivity", answer)``. The check prints one short,
kind message: either "Well done" or a hint that helps without giving the answer away. It never
raises, whatever the student passes in, so a wrong answer never looks like a broken lesson.

The questions themselves live in one place, a module per lesson in
:mod:`healthlab.questions` (``healthlab/questions/lesson04.py`` holds every ``04.*``
question). Answers that come from data are computed there from the data, never typed in.

Examples
--------
>>> from healthlab.checks import Question, evaluate_answer, register
>>> q = register(Question("demo.bmi", expected=lambda: 70 / 1.75**2, kind="number",
...                       abs_tol=0.05, hints=("BMI is weight (kg) divided by height (m) squared.",)))
>>> evaluate_answer("demo.bmi", 22.86).correct
True
>>> evaluate_answer("demo.bmi", "22.86").message
'Your answer is text (it is in quotes). Remove the quotes so that Python sees a number.'
"""

from __future__ import annotations

import importlib
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Mistake",
    "Question",
    "Feedback",
    "check",
    "hint",
    "evaluate_answer",
    "register",
    "is_number",
    "is_rounding_of",
    "false_certainty",
]

KINDS = ("number", "integer", "text", "choice", "sequence", "orders", "bool", "custom", "open")

WELL_DONE = "Well done: that is right."
UNANSWERED = "Replace the ... with your answer, then run the cell again."
SAVED = (
    "Saved for your teacher. This check cannot mark written answers, so it has not judged yours."
)
#: Words that promise more than any test or model can: a warning sign in an explanation.
FALSE_CERTAINTY = (
    "definitely",
    "certainly",
    "for sure",
    "100%",
    "guaranteed",
    "no chance",
    "impossible",
    "nothing to worry about",
    "no need for tests",
    "no need for any tests",
    "no need to worry",
    "can go home",
    "always right",
    "never wrong",
)


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and the hint it deserves.

    Parameters
    ----------
    matches : callable
        ``matches(answer, expected) -> bool``; True when the answer shows this mistake.
        It may raise: a mistake whose test fails is simply skipped.
    hint : str
        What to say, in plain English, without giving the answer away.
    """

    matches: Callable[[Any, Any], bool]
    hint: str


@dataclass(frozen=True)
class Question:
    """One exercise that :func:`check` can mark.

    Parameters
    ----------
    id : str
        ``"NN.short-name"``: the lesson number, a dot and a name, e.g. ``"04.sensitivity"``.
    expected : object or callable
        The right answer, or a function with no arguments that computes it (from data,
        so that the answer follows the data). Computed the first time it is needed.
    kind : {"number", "integer", "text", "choice", "sequence", "orders", "bool", "custom", "open"}
        How to compare. ``"number"`` allows ``rel_tol``/``abs_tol``; ``"text"`` ignores case,
        spaces at the ends and a final full stop, and ``expected`` may be a set of accepted
        texts; ``"choice"`` is a letter or option from ``options``; ``"sequence"`` is an ordered
        list (e.g. a reorder-the-lines task); ``"orders"`` is the same when several orders are
        right (``expected`` lists them all); ``"custom"`` calls ``compare(answer, expected)``;
        ``"open"`` is a written answer that no machine can mark: it is never called right, the
        student is told it is saved for the teacher and what a good answer contains
        (``looks_for``), with a warning for false certainty.
    rel_tol, abs_tol : float
        Tolerances for numbers, as in :func:`math.isclose`.
    hints : sequence of str
        Hints shown one at a time by :func:`hint`, gentlest first.
    mistakes : sequence of Mistake
        Typical wrong answers with their own hint, tried before the generic ones.
    options : sequence of str, optional
        For ``kind="choice"``: the valid options, so an invalid one gets its own message.
    compare : callable, optional
        For ``kind="custom"``: ``compare(answer, expected) -> bool``.
    praise : str
        Extra words after "Well done", e.g. what the right answer means clinically.
    looks_for : sequence of str
        For ``kind="open"``: what a good answer contains, shown to the student as a checklist.
    min_words : int
        For ``kind="open"``: fewer words than this gets a "say a little more" note.
    """

    id: str
    expected: Any
    kind: str = "number"
    rel_tol: float = 1e-6
    abs_tol: float = 0.0
    hints: Sequence[str] = ()
    mistakes: Sequence[Mistake] = ()
    options: Sequence[str] | None = None
    compare: Callable[[Any, Any], bool] | None = None
    praise: str = ""
    looks_for: Sequence[str] = ()
    min_words: int = 0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r} for {self.id!r}")
        if "." not in self.id:
            raise ValueError(f"question id must look like 'NN.name', got {self.id!r}")
        if self.kind == "custom" and self.compare is None:
            raise ValueError(f"question {self.id!r} has kind='custom' but no compare function")
        if self.kind == "open" and not self.looks_for:
            raise ValueError(
                f"question {self.id!r} has kind='open' but no looks_for: say what a good "
                "answer contains, so the student can check their own work"
            )

    def expected_value(self) -> Any:
        """The right answer, computed once."""
        if "value" not in self._cache:
            value = self.expected() if callable(self.expected) else self.expected
            self._cache["value"] = value
        return self._cache["value"]


@dataclass(frozen=True)
class Feedback:
    """The result of marking one answer: ``correct`` and the ``message`` shown.

    ``judged`` is False when the check could not mark the answer (a written answer for the
    teacher): such feedback is never ``correct``.
    """

    correct: bool
    message: str
    judged: bool = True

    def __str__(self) -> str:
        return self.message


_REGISTRY: dict[str, Question] = {}
_HINTS_SHOWN: dict[str, int] = {}


def register(question: Question) -> Question:
    """Add a question to the registry (a later one with the same id replaces it)."""
    _REGISTRY[question.id] = question
    return question


def _find(question_id: str) -> Question:
    if question_id not in _REGISTRY:
        lesson = question_id.split(".", 1)[0]
        if lesson.isdigit():
            try:
                importlib.import_module(f"healthlab.questions.lesson{lesson}")
            except ModuleNotFoundError:
                pass
    if question_id not in _REGISTRY:
        raise KeyError(question_id)
    return _REGISTRY[question_id]


# --- comparing -------------------------------------------------------------------------------


def is_number(x: Any) -> bool:
    """True for one real number (int, float or a numpy scalar such as ``np.int64``), never bool.

    Examples
    --------
    >>> import numpy as np
    >>> [is_number(v) for v in (3, 2.5, np.int64(7), True, "3", [3])]
    [True, True, True, False, False, False]
    """
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _decimal_places(x: float) -> int | None:
    """How many decimal places ``x`` is written with (``0.25`` -> 2, ``3.0`` -> 0)."""
    text = repr(float(x))
    if not math.isfinite(x) or "e" in text:
        return None
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def is_rounding_of(answer: float, expected: float, *, proportion: bool = False) -> bool:
    """True when ``answer`` is ``expected`` rounded to the decimal places ``answer`` shows.

    That is: ``answer`` has ``d`` decimal places and lies within half a unit of the ``d``-th
    place of ``expected``. A proportion (between 0 and 1) rounded to a whole number says
    nothing about it, so for ``proportion=True`` at least one decimal place is needed.

    Examples
    --------
    >>> is_rounding_of(0.99, 0.989, proportion=True)
    True
    >>> is_rounding_of(0.98, 0.989, proportion=True)   # a different number, not a rounding
    False
    >>> is_rounding_of(1, 0.989, proportion=True)
    False
    >>> is_rounding_of(23, 22.86)
    True
    """
    if not (is_number(answer) and is_number(expected)):
        return False
    a, e = float(answer), float(expected)
    if not (math.isfinite(a) and math.isfinite(e)):
        return False
    places = _decimal_places(a)
    if places is None or places > 8 or (proportion and places < 1):
        return False
    return abs(a - e) <= 0.5 * 10.0**-places * (1 + 1e-9)


def _as_text(x: Any) -> str:
    return str(x).strip().rstrip(".").strip().casefold()


def _same(question: Question, answer: Any, expected: Any) -> bool:
    kind = question.kind
    if kind == "number":
        return is_number(answer) and math.isclose(
            float(answer), float(expected), rel_tol=question.rel_tol, abs_tol=question.abs_tol
        )
    if kind == "integer":
        return is_number(answer) and float(answer) == float(expected)
    if kind == "bool":
        return isinstance(answer, bool) and answer == bool(expected)
    if kind in ("text", "choice"):
        accepted = expected if isinstance(expected, (set, frozenset, tuple, list)) else {expected}
        return isinstance(answer, str) and _as_text(answer) in {_as_text(e) for e in accepted}
    if kind == "sequence":
        return isinstance(answer, (list, tuple)) and list(answer) == list(expected)
    if kind == "orders":
        return isinstance(answer, (list, tuple)) and list(answer) in [list(o) for o in expected]
    assert question.compare is not None
    return bool(question.compare(answer, expected))


def _generic_hint(question: Question, answer: Any, expected: Any) -> str | None:
    """Hints that apply to every question of a kind: wrong type, rounding, percentages."""
    kind = question.kind
    if answer is Ellipsis:
        return UNANSWERED
    if answer is None:
        return (
            "Your answer is None (nothing). Did you forget to give it a value, or use print() "
            "where the value itself was needed?"
        )
    if kind in ("number", "integer"):
        if isinstance(answer, str):
            try:
                float(answer)
            except ValueError:
                return "The answer should be a number, not text."
            return (
                "Your answer is text (it is in quotes). Remove the quotes so that Python sees "
                "a number."
            )
        if isinstance(answer, bool) or not is_number(answer):
            return f"The answer should be a single number, but you gave a {type(answer).__name__}."
        a, e = float(answer), float(expected)
        if math.isnan(a):
            return "Your answer is NaN ('not a number'): a missing value crept in somewhere."
        if e != 0 and (
            math.isclose(a, e * 100, rel_tol=1e-3) or math.isclose(a * 100, e, rel_tol=1e-3)
        ):
            return (
                "Very close: check whether the answer should be a proportion (between 0 and 1) "
                "or a percentage (between 0 and 100)."
            )
        if kind == "number" and is_rounding_of(a, e, proportion=0 <= e <= 1):
            return "Close, but rounded too much. Give more decimal places (or do not round)."
    if kind in ("text", "choice") and not isinstance(answer, str):
        return 'The answer should be text, inside quotes, like "this".'
    if kind == "choice" and question.options is not None:
        if _as_text(answer) not in {_as_text(o) for o in question.options}:
            return f"Choose one of: {', '.join(question.options)}."
    if kind == "bool" and not isinstance(answer, bool):
        return "The answer should be True or False (with a capital letter and no quotes)."
    if kind in ("sequence", "orders"):
        if kind == "orders":
            expected = list(expected)[0]  # the pieces are the same in every accepted order
        if not isinstance(answer, (list, tuple)):
            return "The answer should be a list in square brackets, like [2, 1, 3]."
        if sorted(map(repr, answer)) == sorted(map(repr, expected)):
            return "You have all the right pieces, but not in the right order."
        if len(answer) != len(expected):
            return f"Your list has {len(answer)} items; it needs {len(expected)}."
    return None


def false_certainty(text: str) -> list[str]:
    """The words of :data:`FALSE_CERTAINTY` that ``text`` uses, in the order of that list.

    Examples
    --------
    >>> false_certainty("You definitely do not have heart disease, so you can go home.")
    ['definitely', 'can go home']
    """
    lowered = " ".join(str(text).casefold().split())
    return [phrase for phrase in FALSE_CERTAINTY if phrase in lowered]


def _open_feedback(question: Question, answer: Any) -> Feedback:
    """Feedback on a written answer: never "right"; what to look for; warnings."""
    if not isinstance(answer, str):
        return Feedback(
            False,
            'Write your answer as text, inside quotes, like "The nurse decides because ...".',
            judged=False,
        )
    words = answer.split()
    lines = [SAVED + " Your answer stays in this notebook for your teacher to read."]
    if not words:
        lines = ["Your answer is empty: write it between the quotes, then run the cell again."]
    elif len(words) < question.min_words:
        lines.append(
            f"It is short ({len(words)} words). A good answer usually needs at least "
            f"{question.min_words}."
        )
    distinct = {w.strip(".,;:!?").casefold() for w in words}
    if len(words) >= 6 and len(distinct) <= len(words) / 3:
        lines.append("It repeats the same few words: say it in your own sentences.")
    for phrase in false_certainty(answer):
        lines.append(
            f'Careful: "{phrase}" promises more than any test or model can. Say how sure '
            "you are, and what should happen next."
        )
    lines.append("Check your answer against this list. A good answer:")
    lines.extend(f"- {item}" for item in question.looks_for)
    return Feedback(False, "\n".join(lines), judged=False)


def evaluate_answer(question_id: str, answer: Any) -> Feedback:
    """Mark ``answer`` for ``question_id`` and return the :class:`Feedback`, without printing.

    Never raises: a problem with the question itself is reported as a message.
    """
    try:
        question = _find(question_id)
    except KeyError:
        return Feedback(
            False,
            f"There is no exercise called {question_id!r}. Check the name in the check(...) line.",
        )
    if answer is Ellipsis:  # answered before any work, so an unanswered cell costs nothing
        return Feedback(False, UNANSWERED)
    if question.kind == "open":
        return _open_feedback(question, answer)
    try:
        expected = question.expected_value()
    except Exception as exc:  # a broken data file must not look like a wrong answer
        return Feedback(
            False, f"This exercise could not work out its answer ({exc}). Tell your teacher."
        )
    try:
        if _same(question, answer, expected):
            return Feedback(True, f"{WELL_DONE} {question.praise}".strip())
    except Exception:
        pass
    for mistake in question.mistakes:
        try:
            if mistake.matches(answer, expected):
                return Feedback(False, mistake.hint)
        except Exception:
            continue
    try:
        generic = _generic_hint(question, answer, expected)
    except Exception:
        generic = None
    if generic:
        return Feedback(False, generic)
    tail = " Type hint(" + repr(question_id) + ") for a clue." if question.hints else ""
    return Feedback(False, "Not yet: have another go." + tail)


def check(question_id: str, answer: Any) -> None:
    """Print instant feedback on an exercise answer.

    Parameters
    ----------
    question_id : str
        The exercise, e.g. ``"00.bmi"``.
    answer : object
        The student's answer.

    Examples
    --------
    >>> from healthlab.checks import check
    >>> check("00.bmi", ...)
    Replace the ... with your answer, then run the cell again.
    """
    try:
        feedback = evaluate_answer(question_id, answer)
        print(feedback.message)
    except Exception:  # pragma: no cover - evaluate_answer already never raises
        print("The check could not read this answer. Look at it again, then re-run the cell.")


def hint(question_id: str) -> None:
    """Print the next hint for an exercise (each call shows one more, then repeats the last)."""
    try:
        question = _find(question_id)
    except KeyError:
        print(f"There is no exercise called {question_id!r}.")
        return
    if not question.hints:
        print("There is no hint for this one: read the question again, slowly.")
        return
    shown = _HINTS_SHOWN.get(question_id, 0)
    index = min(shown, len(question.hints) - 1)
    _HINTS_SHOWN[question_id] = shown + 1
    print(f"Hint {index + 1} of {len(question.hints)}: {question.hints[index]}")
