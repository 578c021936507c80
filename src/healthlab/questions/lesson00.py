"""Exercises of lesson 00, "Welcome to AI in healthcare".

Every question registers itself here with :func:`healthlab.checks.register`. The numbers that the
lesson gives the student (a pulse count, a patient's height and weight) are module constants, so
the lesson, these checks and the tests all read the same values.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("00.heart-rate", 76).correct
True
>>> print(evaluate_answer("00.heart-rate", 38).message)
Multiplying by 2 is right for a 30-second count. How many 15-second blocks fit in one minute?
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from healthlab.checks import UNANSWERED, Mistake, Question, register

__all__ = [
    "BEATS_IN_15_SECONDS",
    "BEATS_IN_30_SECONDS",
    "PATIENT_B_HEIGHT_M",
    "PATIENT_B_WEIGHT_KG",
    "PULSE_CASES",
    "PULSE_HIGH",
    "PULSE_LOW",
    "RUN_ORDERS",
]

#: Beats a nurse counts in 15 seconds in the "Your turn 3" exercise.
BEATS_IN_15_SECONDS = 19
#: Beats counted in 30 seconds in the final "make" task.
BEATS_IN_30_SECONDS = 41
#: Patient B's height (metres) and weight (kilograms) in the BMI exercise.
PATIENT_B_HEIGHT_M = 1.82
PATIENT_B_WEIGHT_KG = 95
#: The right orders of the scrambled stroke-timeline lines (Parsons problem): lines 2 and 4
#: may swap, because neither uses the other.
RUN_ORDERS = ((4, 2, 3, 1), (2, 4, 3, 1))


def _near(value: float, *, rel: float = 1e-3) -> Any:
    """A matcher: True when the answer is a number close to ``value``."""

    def matches(answer: Any, expected: Any) -> bool:
        return (
            isinstance(answer, (int, float))
            and not isinstance(answer, bool)
            and math.isclose(float(answer), value, rel_tol=rel)
        )

    return matches


# --- Your turn 1: who decides? ----------------------------------------------------------------

register(
    Question(
        "00.ai-role",
        expected="B",
        kind="choice",
        options=("A", "B", "C", "D"),
        hints=(
            "Read the stroke example again: what does NICE say must happen to the software's "
            "result?",
            "In all three examples the AI is a helper. Who is it helping?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: str(a).strip().upper() == "A",
                "Not in the NHS today. NICE says the stroke software should only be used with a "
                "healthcare professional reviewing the scan. Who makes the decision?",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "C",
                "Patients are told their results and take part in decisions about their care, "
                "but they are not asked to read scans. Who reads them?",
            ),
            Mistake(
                lambda a, e: str(a).strip().upper() == "D",
                "The stroke software is already used for real patients in NHS hospitals. Look "
                "again at what happens to its result.",
            ),
        ),
        praise="In each example a trained professional checks the AI's result and decides.",
    )
)

# --- Your turn 2: put the lines in order (Parsons problem) ------------------------------------


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


def _strings_of_numbers(answer: Any, expected: Any) -> bool:
    return _is_list(answer) and any(isinstance(x, str) for x in answer)


def _not_each_line_once(answer: Any, expected: Any) -> bool:
    return _is_list(answer) and sorted(answer) != [1, 2, 3, 4]


def _print_not_last(answer: Any, expected: Any) -> bool:
    return list(answer)[-1] != 1


def _sum_too_early(answer: Any, expected: Any) -> bool:
    items = list(answer)
    return items.index(3) < items.index(2) or items.index(3) < items.index(4)


register(
    Question(
        "00.run-order",
        expected=RUN_ORDERS,
        kind="orders",
        hints=(
            "Python runs lines from the top down. A name must be given a value before any "
            "line uses it.",
            "Which lines use no other name at all? Those can go first.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list in square brackets, like [1, 2, 3, 4].",
            ),
            Mistake(
                _strings_of_numbers,
                "Write the line numbers as numbers, without quotes: like [1, 2, 3, 4].",
            ),
            Mistake(
                _not_each_line_once,
                "Use each of the line numbers 1, 2, 3 and 4 exactly once.",
            ),
            Mistake(
                _print_not_last,
                "The print line shows total_minutes, so total_minutes must already have a "
                "value when it runs. Which line should come last?",
            ),
            Mistake(
                _sum_too_early,
                "Line 3 adds two times together, but at that point one of them has not been "
                "given a value yet.",
            ),
        ),
        praise="Lines 2 and 4 can swap places: both give a value before line 3 uses it.",
    )
)

# --- Your turn 3: heart rate from a 15-second count -------------------------------------------

register(
    Question(
        "00.heart-rate",
        expected=lambda: BEATS_IN_15_SECONDS * 4,
        kind="number",
        abs_tol=0.01,
        hints=(
            "Heart rate is measured in beats per minute. How many lots of 15 seconds are in "
            "one minute?",
            "Multiply the count by that number. In Python, * means multiply.",
        ),
        mistakes=(
            Mistake(
                _near(BEATS_IN_15_SECONDS * 2),
                "Multiplying by 2 is right for a 30-second count. How many 15-second blocks fit "
                "in one minute?",
            ),
            Mistake(
                _near(BEATS_IN_15_SECONDS),
                "That is the number of beats in 15 seconds. Heart rate is beats in one whole "
                "minute.",
            ),
            Mistake(
                _near(BEATS_IN_15_SECONDS / 4),
                "You divided. A minute is longer than 15 seconds, so the heart beats more times "
                "in a minute: multiply instead.",
            ),
            Mistake(
                _near(BEATS_IN_15_SECONDS * 60),
                "Multiplying by 60 would be right if the beats were counted in 1 second. They "
                "were counted in 15 seconds.",
            ),
            Mistake(
                _near(BEATS_IN_15_SECONDS * 15),
                "Multiplying by 15 gives beats in 225 seconds. How many 15-second blocks are in "
                "60 seconds?",
            ),
        ),
        praise=f"{BEATS_IN_15_SECONDS} beats in 15 seconds is {BEATS_IN_15_SECONDS * 4} beats "
        "per minute.",
    )
)

# --- Your turn 4: body mass index -------------------------------------------------------------

_H, _W = PATIENT_B_HEIGHT_M, PATIENT_B_WEIGHT_KG

register(
    Question(
        "00.bmi",
        expected=lambda: PATIENT_B_WEIGHT_KG / PATIENT_B_HEIGHT_M**2,
        kind="number",
        abs_tol=0.05,
        hints=(
            "BMI is weight in kilograms divided by height in metres squared.",
            "In Python, 'squared' is written ** 2, so height squared is height_m ** 2.",
            "Your line should look like: bmi = weight_kg / ... ** 2 (fill in the name).",
        ),
        mistakes=(
            Mistake(
                _near(_W / _H),
                "You divided by the height once. BMI divides by the height squared (height "
                "times height): use ** 2.",
            ),
            Mistake(
                _near(_W / (_H * 100) ** 2),
                "That number is tiny: the height must be in metres (1.82), not centimetres.",
            ),
            Mistake(
                _near(_W),
                "Python works out / and * from left to right, so weight / height * height just "
                "gives the weight back. Use ** 2, or put the bottom line in brackets.",
            ),
            Mistake(
                _near((_W / _H) ** 2),
                "You squared the whole answer. Only the height should be squared.",
            ),
            Mistake(
                _near(_W * _H**2),
                "You multiplied. BMI divides the weight by the squared height.",
            ),
            Mistake(
                lambda a, e: _near(_W / (_H * 2))(a, e) or _near(_W / _H * 2)(a, e),
                "* 2 doubles a number. Squared means a number times itself, which Python "
                "writes as ** 2.",
            ),
        ),
        praise="Patient B's BMI is about 28.7 kg/m².",
    )
)

# --- Your turn 5: finish a function with if / elif / else -------------------------------------

#: The usual adult resting heart rate range (NHS): 60 to 100 beats per minute.
PULSE_LOW, PULSE_HIGH = 60, 100
#: Heart rates the check tries the student's function on, with the category each should get.
PULSE_CASES = (
    (38, "slow"),
    (59, "slow"),
    (60, "normal"),
    (72, "normal"),
    (100, "normal"),
    (101, "fast"),
    (130, "fast"),
)


def _pulse_results(function: Any) -> dict[int, Any]:
    """What the student's function returns for each test heart rate (an error is recorded)."""
    results = {}
    for rate, _ in PULSE_CASES:
        try:
            value = function(rate)
        except Exception as exc:  # a student's function may fail in any way
            value = exc
        results[rate] = value.strip().casefold() if isinstance(value, str) else value
    return results


def _pulse_right(answer: Any, expected: Any) -> bool:
    if not callable(answer) or _has_blank(answer):
        return False
    results = _pulse_results(answer)
    return all(results[rate] == want for rate, want in PULSE_CASES)


def _has_blank(function: Any) -> bool:
    """True while the function still holds the ``...`` blank of the exercise."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    if any(c is Ellipsis for c in code.co_consts):
        return True
    try:  # a newer Python may fold "elif ...:" away; the source still shows the blank
        import inspect

        return "..." in inspect.getsource(function)
    except (OSError, TypeError):
        return False


def _pulse_says(rate: int, wrong: Any) -> Callable[[Any, Any], bool]:
    return lambda a, e: callable(a) and _pulse_results(a)[rate] == wrong


def _pulse_gives(kind: type) -> Callable[[Any, Any], bool]:
    return lambda a, e: callable(a) and any(isinstance(v, kind) for v in _pulse_results(a).values())


register(
    Question(
        "00.pulse-category",
        expected=None,
        kind="custom",
        compare=_pulse_right,
        hints=(
            "The usual adult resting heart rate is 60 to 100 beats per minute, and 100 itself "
            "is still in that range.",
            "Replace the ... with a comparison that is True for 60 up to and including 100. "
            "The if line already caught everything below 60.",
            "<= means 'less than or equal to'.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: not callable(a),
                'Pass the function itself, without brackets: check("00.pulse-category", '
                "pulse_category). The check then tries it on several heart rates.",
            ),
            Mistake(lambda a, e: _has_blank(a), UNANSWERED),
            Mistake(
                _pulse_gives(type(None)),
                "For some heart rates your function gave back None (nothing). Every branch "
                "needs a return line: did you use print instead of return?",
            ),
            Mistake(
                _pulse_gives(Exception),
                "Your function stopped with an error for some heart rates. Run "
                "pulse_category(72) in a new cell to see the error.",
            ),
            Mistake(
                lambda a, e: _pulse_results(a)[72] != "normal",
                "A heart rate of 72 is in the usual range, so your function should return "
                '"normal" for it.',
            ),
            Mistake(
                _pulse_says(100, "fast"),
                "A heart rate of exactly 100 is still in the usual range (60 to 100), but your "
                "function says fast. Check < and <= in your elif line.",
            ),
            Mistake(
                lambda a, e: _pulse_says(101, "normal")(a, e) or _pulse_says(130, "normal")(a, e),
                "Heart rates above 100 should be fast, but your function says normal: the elif "
                "comparison lets too much through.",
            ),
            Mistake(
                lambda a, e: _pulse_results(a)[59] != "slow",
                "The if line for heart rates below 60 was already right: put it back as it was.",
            ),
        ),
        praise="The check tried your function on seven heart rates, including the edges 59, 60, "
        "100 and 101: it works for all of them.",
    )
)

# --- Make: heart rate from a 30-second count --------------------------------------------------

register(
    Question(
        "00.pulse-30s",
        expected=lambda: BEATS_IN_30_SECONDS * 2,
        kind="number",
        abs_tol=0.01,
        hints=(
            "Start with a variable for the count, e.g. beats_in_30_seconds = ...",
            "How many lots of 30 seconds are in one minute?",
        ),
        mistakes=(
            Mistake(
                _near(BEATS_IN_30_SECONDS * 4),
                "Multiplying by 4 is the rule for a 15-second count. This count took 30 seconds.",
            ),
            Mistake(
                _near(BEATS_IN_30_SECONDS),
                "That is the number of beats in 30 seconds. Heart rate is beats per minute.",
            ),
            Mistake(
                _near(BEATS_IN_30_SECONDS / 2),
                "You divided. A minute is longer than 30 seconds, so multiply instead.",
            ),
        ),
        praise="You wrote a whole calculation from an empty cell.",
    )
)
