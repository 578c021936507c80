"""Exercises of lesson 12, "Privacy and data governance" (``notebooks/12-privacy-and-governance.ipynb``).

The lesson works on the synthetic patient cohort (``datasets.load("patient-cohort")``), whose
NHS numbers all come from the 999 test range. The answers that come from data are computed
here from the cohort with :mod:`healthlab.privacy` and :mod:`healthlab.linkage`, so they follow
the data. The warm-up questions are about lesson 11's facts in ``clinical-facts.md``
(Obermeyer et al. 2019; Sjoding et al. 2020).

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> print(evaluate_answer("12.check-digit", 3).message)
That is the remainder after dividing by 11. The check digit is 11 minus the remainder.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "CANDIDATES",
    "DIRECT_IDENTIFIERS",
    "EXERCISE_ROW",
    "GENERALISATION_STEPS",
    "HEALTH_COLUMNS",
    "K_TARGET",
    "PUBLIC_LIST",
    "QUASI_IDENTIFIERS",
    "RELEASE_COLUMNS",
    "STORY_NHS_NUMBER",
    "cohort",
    "generalised_cohort",
    "generalisation_table",
    "public_list",
    "release_problem",
]

#: Columns that name a person on their own.
DIRECT_IDENTIFIERS = ("nhs_number", "first_name", "last_name")
#: What the attacker's public list shares with the research table.
QUASI_IDENTIFIERS = ("date_of_birth", "sex", "postcode_district")
#: The health measures, which an attacker is after but does not know.
HEALTH_COLUMNS = ("chronic_conditions", "annual_cost_gbp", "sao2", "spo2")
#: The person the story follows (made up, like everyone in the cohort).
STORY_NHS_NUMBER = "9990990964"
#: The row whose check digit the students work out (Your turn 2).
EXERCISE_ROW = 3
#: The numbers the attacker tries: the million ten-digit numbers starting 9990.
CANDIDATES = range(9_990_000_000, 9_991_000_000)
#: Arguments of ``linkage.make_public_list`` in the lesson.
PUBLIC_LIST = {"n": 1000, "seed": 42}
#: The k the lesson aims for.
K_TARGET = 5
#: The generalisation steps of section 6: (label, quasi-identifier columns).
GENERALISATION_STEPS = (
    ("1. date of birth, sex, district", ("date_of_birth", "sex", "postcode_district")),
    ("2. age in years, sex, district", ("age", "sex", "postcode_district")),
    ("3. 10-year age band, sex, district", ("age_band", "sex", "postcode_district")),
    ("4. 10-year age band, sex, area", ("age_band", "sex", "area")),
    ("5. age band with 80+, sex, area", ("age_band_80", "sex", "area")),
)
#: Columns the released table of the make task must have.
RELEASE_COLUMNS = ("age_band", "sex", "area", "ethnic_group")
_FORBIDDEN = (*DIRECT_IDENTIFIERS, "date_of_birth", "age", "postcode_district")


@lru_cache(maxsize=1)
def cohort() -> Any:
    """The synthetic patient cohort (5,000 people).

    Examples
    --------
    >>> len(cohort())
    5000
    """
    from healthlab import datasets

    return datasets.load("patient-cohort")


def generalised_cohort() -> Any:
    """The cohort with the lesson's generalised columns: ``age_band`` (10-year bands),
    ``age_band_80`` (the same with one band for 80 and over) and ``area`` (groups of five
    postcode districts).

    Examples
    --------
    >>> first = generalised_cohort().loc[0]
    >>> first["postcode_district"], first["age_band"], first["age_band_80"], first["area"]
    ('ZZ40', '20-29', '20-29', 'ZZ36-ZZ40')
    """
    from healthlab import privacy

    table = cohort().copy()
    table["age_band"] = privacy.generalise_age(table["age"], width=10)
    table["age_band_80"] = privacy.generalise_age(table["age"], width=10, top=80)
    table["area"] = privacy.generalise_postcode(table["postcode_district"], width=5)
    return table


@lru_cache(maxsize=1)
def generalisation_table() -> Any:
    """k and the number of people unique on their quasi-identifiers at each step of section 6.

    Examples
    --------
    >>> generalisation_table()["k"].tolist()
    [1, 1, 1, 3, 8]
    """
    import pandas as pd

    from healthlab import privacy

    table = generalised_cohort()
    rows = []
    for label, columns in GENERALISATION_STEPS:
        counts = privacy.smallest_groups(table, list(columns), n=None)["count"]
        rows.append({"step": label, "k": int(counts.min()), "unique": int((counts == 1).sum())})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def public_list() -> Any:
    """The lesson's synthetic public list: ``linkage.make_public_list(cohort, n=1000, seed=42)``.

    Examples
    --------
    >>> len(public_list())
    1000
    """
    from healthlab import linkage

    return linkage.make_public_list(cohort(), **PUBLIC_LIST)


def _check_digit_of_row(row: int) -> int:
    from healthlab import privacy

    digit = privacy.nhs_check_digit(cohort().loc[row, "nhs_number"][:9])
    assert digit is not None  # every cohort number is valid
    return digit


def _weighted_total(row: int) -> int:
    first_nine = cohort().loc[row, "nhs_number"][:9]
    return sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))


def _reversed_weights_digit(row: int) -> int | None:
    """The check digit a student gets with the weights the wrong way round (2, 3, ..., 10)."""
    first_nine = cohort().loc[row, "nhs_number"][:9]
    total = sum(int(d) * w for d, w in zip(first_nine, range(2, 11), strict=True))
    digit = 11 - total % 11
    return 0 if digit == 11 else digit


def _column_names(answer: Any) -> set[str] | None:
    if isinstance(answer, str) or not isinstance(answer, (list, tuple, set, frozenset)):
        return None
    if not all(isinstance(a, str) for a in answer):
        return None
    return {a.strip().casefold() for a in answer}


# --- warm-up: remember lesson 11 ---------------------------------------------------------------

register(
    Question(
        "12.warmup-label",
        expected=("health costs", "costs", "cost", "health care costs", "healthcare costs"),
        kind="choice",
        options=("health costs", "number of long-term conditions", "ethnic group", "age"),
        hints=(
            "The label is what an algorithm learns to predict. Obermeyer's algorithm used "
            "something easy to measure in place of how ill people were.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: "condition" in a.casefold(),
                "Counting long-term conditions was the fix: a label closer to real health need. "
                "What did the original algorithm predict instead?",
            ),
            Mistake(
                lambda a, e: a.strip().casefold() in ("ethnic group", "age"),
                "That was not the label (the thing the algorithm was trained to predict). "
                "Think about money.",
            ),
        ),
        praise="Health costs were a proxy for need. Patients with less access to care cost "
        "less at the same level of illness, so they were flagged less often.",
    )
)

register(
    Question(
        "12.warmup-oximeter",
        expected=True,
        kind="bool",
        hints=(
            "Pulse oximeters over-read more on darker skin. If the reading is too high, is "
            "low oxygen missed more or less often?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is False,
                "Not quite. Think back to lesson 11: pulse oximeters over-read oxygen more "
                "on darker skin, so a low level hides behind a normal-looking reading.",
            ),
        ),
        praise="11.7% of Black patients against 3.6% of White patients in Sjoding et al.'s "
        "single-centre cohort.",
    )
)

# --- 1. direct identifiers (fill in the list) --------------------------------------------------

register(
    Question(
        "12.direct-identifiers",
        expected=DIRECT_IDENTIFIERS,
        kind="custom",
        compare=lambda a, e: _column_names(a) == set(e),
        hints=(
            "A direct identifier names one person on its own: who is this?",
            "Many people share a birthday or a postcode district; nobody shares an NHS number.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: isinstance(a, str),
                'Give a list of column names, in square brackets: ["column_1", "column_2"].',
            ),
            Mistake(
                lambda a, e: (
                    _column_names(a) is not None
                    and bool(_column_names(a) - set(cohort().columns.str.casefold()))
                ),
                "One of your names is not a column of the cohort. Copy the names from "
                "cohort.columns exactly.",
            ),
            Mistake(
                lambda a, e: bool(
                    _column_names(a) & {"date_of_birth", "postcode_district", "age", "sex"}
                ),
                "Date of birth, age, sex and postcode district are indirect identifiers: many "
                "people share each of them. Only together can they pick someone out.",
            ),
            Mistake(
                lambda a, e: bool(_column_names(a) & {"ethnic_group", "imd_quintile"}),
                "Ethnic group and deprivation quintile are shared by hundreds of people: they "
                "are indirect identifiers at most.",
            ),
            Mistake(
                lambda a, e: bool(_column_names(a) & set(HEALTH_COLUMNS)),
                "The health measures are what an attacker wants to learn, not what names "
                "someone. Leave them out.",
            ),
            Mistake(
                lambda a, e: _column_names(a) == {"first_name", "last_name"},
                "A name, yes; but one more column names a patient on its own, with no doubt "
                "at all.",
            ),
            Mistake(
                lambda a, e: _column_names(a) is not None and _column_names(a) < set(e),
                "Some of them, but not all: a person's name is in two columns.",
            ),
        ),
        praise="The NHS number and the name. Removing them is only the start: the indirect "
        "identifiers are still there.",
    )
)

# --- 2. an NHS check digit by hand ---------------------------------------------------------------

register(
    Question(
        "12.check-digit",
        expected=lambda: _check_digit_of_row(EXERCISE_ROW),
        kind="integer",
        hints=(
            "Multiply the nine digits by 10, 9, 8, 7, 6, 5, 4, 3 and 2, and add them up.",
            "Then work out 11 - total % 11 (and if that is 11, the check digit is 0).",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and a == _weighted_total(EXERCISE_ROW) % 11,
                "That is the remainder after dividing by 11. The check digit is 11 minus the "
                "remainder.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and a == _weighted_total(EXERCISE_ROW),
                "That is the weighted total. Now divide by 11, take the remainder, and subtract "
                "it from 11.",
            ),
            Mistake(
                lambda a, e: (
                    _is_number(a) and a == _reversed_weights_digit(EXERCISE_ROW) and a != e
                ),
                "Check the weights: the FIRST digit is multiplied by 10, the second by 9, and so "
                "on down to the ninth digit, multiplied by 2. You may have them the wrong way "
                "round.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and a >= 1_000_000_000,
                "That is the whole NHS number. The answer is its last digit, worked out from "
                "the first nine.",
            ),
            Mistake(
                lambda a, e: _is_number(a) and not 0 <= a <= 9,
                "A check digit is one digit, 0 to 9. Did you take the remainder with % 11?",
            ),
        ),
        praise="It matches the last digit of the person's NHS number: the number is well formed.",
    )
)

# --- 3. would a stronger hash help? --------------------------------------------------------------

register(
    Question(
        "12.stronger-hash",
        expected=False,
        kind="bool",
        hints=(
            "The attack did not break SHA-256. It hashed every possible number and looked the "
            "answers up. Could the attacker do that with SHA-512 too?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "A stronger hash still gives the same output for the same number, so the "
                "attacker just hashes every candidate with it too. The weakness is that there "
                "are so few possible NHS numbers. What would stop the attacker computing them?",
            ),
        ),
        praise="The problem is the small number of possible inputs, not the hash. Only a "
        "secret the attacker lacks (a key) stops the look-up.",
    )
)

# --- 4. reorder the lines: generalise, drop, then check ------------------------------------------

register(
    Question(
        "12.generalise-order",
        expected=(["C", "D", "B", "A"], ["D", "C", "B", "A"]),
        kind="orders",
        hints=(
            "You cannot make an age band from a column you have already dropped.",
            "Check k last, on the table you would release.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: (
                    sorted(str(x).upper() for x in a) == ["A", "B", "C", "D"]
                    and any(str(x).islower() for x in a)
                ),
                'Use the capital letters, as in the list: "A", "B", "C", "D".',
            ),
            Mistake(
                lambda a, e: (
                    sorted(a) == ["A", "B", "C", "D"]
                    and list(a).index("B") < max(list(a).index("C"), list(a).index("D"))
                ),
                "Line B drops age and postcode_district, but C or D still needs one of them "
                "afterwards. Make the new columns first.",
            ),
            Mistake(
                lambda a, e: sorted(a) == ["A", "B", "C", "D"] and list(a)[-1] != "A",
                "Line A checks k on the released table, so it can only run once that table "
                "exists: put it last.",
            ),
        ),
        praise="Make the coarser columns, drop the exact ones, and only then measure k on "
        "exactly what you would release.",
    )
)

# --- 5. Caldicott principles ---------------------------------------------------------------------

_PRINCIPLE_HINTS = {
    1: "Principle 1 asks whether the purpose is justified. Here the purpose is fine; the "
    "problem is how much data was sent.",
    2: "Principle 2 asks whether confidential information is needed at all. The project does "
    "need data; the problem is how much it got.",
    4: "Principle 4 is about who may see the data. The problem here comes before that: what "
    "was sent.",
    5: "Principle 5 is about staff knowing their duties. Which principle is about the amount "
    "of data?",
    6: "Breaking a principle may also break the law, but one principle is exactly about this.",
    7: "Principle 7 is about sharing for a patient's own care. This is research.",
    8: "Telling patients matters (principle 8), but the problem here is the amount of data sent.",
}

register(
    Question(
        "12.caldicott",
        expected=3,
        kind="integer",
        hints=("Read each principle and ask: which one is about how much data is used?",),
        mistakes=tuple(
            Mistake(lambda a, e, n=n: _is_number(a) and a == n, text)
            for n, text in _PRINCIPLE_HINTS.items()
        )
        + (
            Mistake(
                lambda a, e: _is_number(a) and not 1 <= a <= 8,
                "There are eight principles: answer with a number from 1 to 8.",
            ),
        ),
        praise="Use the minimum necessary: the project needed age, sex and blood results, not "
        "names and NHS numbers.",
    )
)

# --- 6. make: a table safe to release ------------------------------------------------------------


def release_problem(answer: Any) -> str | None:
    """What is wrong with a student's table for the make task, or ``None`` if it is safe.

    Safe means: a DataFrame of all 5,000 people, with the columns of :data:`RELEASE_COLUMNS`,
    none of the direct identifiers or exact values (date of birth, age, postcode district),
    and k of at least :data:`K_TARGET` on every column that is not a health measure.

    Examples
    --------
    >>> release_problem(cohort())
    'direct'
    """
    from healthlab import privacy

    if type(answer).__name__ != "DataFrame":
        return "type"
    if len(answer) != len(cohort()):
        return "rows"
    if any(c in answer.columns for c in _FORBIDDEN):
        return "direct"
    if any(c not in answer.columns for c in RELEASE_COLUMNS):
        return "columns"
    quasi = [c for c in answer.columns if c not in HEALTH_COLUMNS]
    if privacy.k_anonymity(answer, quasi) < K_TARGET:
        return "k"
    return None


register(
    Question(
        "12.safe-release",
        expected=None,
        kind="custom",
        compare=lambda a, e: release_problem(a) is None,
        hints=(
            "Start from 10-year age bands with a top band, and areas of five districts. Which "
            "groups are too small? privacy.smallest_groups(release, "
            '["age_band", "sex", "area", "ethnic_group"]) shows them.',
            "Small ethnic groups in small areas are the rarest. Try bigger areas "
            "(generalise_postcode with a bigger width, or no width at all) or a lower top band.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: release_problem(a) == "type",
                "Set answer to your table (a DataFrame), for example answer = release.",
            ),
            Mistake(
                lambda a, e: release_problem(a) == "rows",
                "Keep all 5,000 people: make columns coarser rather than dropping rows.",
            ),
            Mistake(
                lambda a, e: release_problem(a) == "direct",
                "Your table still has an identifier or an exact value (NHS number, name, date "
                "of birth, exact age or postcode district). Drop those columns once you have "
                "made the coarser ones.",
            ),
            Mistake(
                lambda a, e: release_problem(a) == "columns",
                "Your table needs the columns age_band, sex, area and ethnic_group (and any "
                "health measures you want to keep).",
            ),
            Mistake(
                lambda a, e: release_problem(a) == "k",
                "Some people share their combination of non-health columns with fewer than 4 "
                "others, so k is below 5. Use privacy.smallest_groups on those columns to find "
                "them, then make a column coarser.",
            ),
        ),
        praise="Your table is at least 5-anonymous on every column that is not a health "
        "measure: nobody in it is one of fewer than 5 people an attacker could know about. "
        "Compare with a partner: who kept the most detail, and what did you each give up?",
    )
)
