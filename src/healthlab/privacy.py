"""NHS numbers, pseudonyms and k-anonymity: the tools of lesson 12 (privacy).

Everything here works on synthetic people. Real NHS numbers must never appear in a lesson:
:func:`make_test_nhs_numbers` gives numbers from the 999 range, which the NHS reserves for
testing, each with a valid modulus-11 check digit.

- :func:`is_valid_nhs_number`: does a number pass the NHS modulus-11 check?
- :func:`make_test_nhs_numbers`: valid, unique test numbers (999 range only), from a seed.
- :func:`pseudonymise`: replace identifiers by keyed-hash pseudonyms (HMAC-SHA256).
- :func:`generalise_age`: turn exact ages into bands such as ``"40-49"``.
- :func:`generalise_postcode`: turn postcode districts into bigger areas such as ``"ZZ16-ZZ20"``.
- :func:`k_anonymity`: the size of the smallest group sharing the same quasi-identifiers.
- :func:`smallest_groups`: the rarest combinations, i.e. the people easiest to re-identify.

Sources: NHS Digital, "NHS number" (modulus-11 check digit; 999 numbers are for testing);
ICO anonymisation guidance; Sweeney L. (2002) "k-anonymity: a model for protecting privacy",
Int J Uncertainty Fuzziness Knowledge-Based Systems 10(5):557-570.

Examples
--------
>>> from healthlab.privacy import is_valid_nhs_number, make_test_nhs_numbers
>>> is_valid_nhs_number("943 476 5919")
True
>>> numbers = make_test_nhs_numbers(3, seed=1)
>>> all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)
True
"""

from __future__ import annotations

import hashlib
import hmac
import math
import numbers
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type hints only; pandas is imported when needed
    import pandas as pd

__all__ = [
    "is_valid_nhs_number",
    "nhs_check_digit",
    "make_test_nhs_numbers",
    "pseudonymise",
    "generalise_age",
    "generalise_postcode",
    "k_anonymity",
    "smallest_groups",
]

# Weights of the first nine digits in the NHS modulus-11 check.
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_TEST_PREFIX = "999"
# Of the 1,000,000 nine-digit stems 999000000-999999999, those whose check digit would be 10
# cannot be NHS numbers; the rest (909,091 of them) are the test numbers we can hand out.
_MAX_TEST_NUMBERS = 909_091


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for the first nine digits of an NHS number.

    Multiply the digits by 10, 9, 8, ..., 2, add them up, take the remainder after dividing by
    11 and subtract it from 11. A result of 11 becomes 0; a result of 10 means that no NHS
    number can start with these nine digits, and the function returns ``None``.

    Parameters
    ----------
    first_nine : str
        Exactly nine digits.

    Returns
    -------
    int or None
        The check digit (0-9), or ``None`` when the nine digits can never make a valid number.

    Examples
    --------
    >>> nhs_check_digit("943476591")
    9
    >>> nhs_check_digit("999000000") is None  # 9*10 + 9*9 + 9*8 = 243; 11 - 243 % 11 = 10
    True
    """
    if not isinstance(first_nine, str):
        raise TypeError(
            f"first_nine must be text of nine digits, got {type(first_nine).__name__} "
            f"{first_nine!r}"
        )
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError(f"first_nine must be exactly nine digits 0-9, got {first_nine!r}")
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str | int | None) -> bool:
    """Check an NHS number: ten digits whose last digit is the right modulus-11 check digit.

    Spaces are ignored, so the printed form ``"943 476 5919"`` is accepted as well as
    ``"9434765919"``. Anything else that is not a digit (letters, dashes, dots) makes the
    number invalid. Bad text gives ``False``, never an error.

    Parameters
    ----------
    value : str or int
        The number as text (best: it keeps any leading zero) or as a whole number.
        ``None`` and NaN (a missing value in a table) give ``False``.

    Returns
    -------
    bool
        ``True`` when the number has ten digits and a correct check digit.

    Raises
    ------
    TypeError
        If ``value`` is another type, e.g. a float such as ``9434765919.0`` (a column read as
        decimals: read it as text instead) or a list.

    Notes
    -----
    A valid check digit only says the number is well formed, not that it belongs to anyone.
    Numbers starting 999 are reserved for testing.

    Examples
    --------
    >>> is_valid_nhs_number("9434765919")
    True
    >>> is_valid_nhs_number("943 476 5918")   # last digit mistyped
    False
    >>> is_valid_nhs_number("94347659")       # too short
    False
    >>> is_valid_nhs_number(9434765919)
    True
    """
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Integral)):
        hint = (
            " Read the column as text, e.g. pd.read_csv(..., dtype={'nhs_number': str})."
            if isinstance(value, numbers.Real)
            else ""
        )
        raise TypeError(
            f"value must be an NHS number as text or a whole number, got "
            f"{type(value).__name__} {value!r}.{hint}"
        )
    text = str(value).replace(" ", "")
    if len(text) != 10 or not (text.isascii() and text.isdigit()):
        return False
    return nhs_check_digit(text[:9]) == int(text[9])


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, got {value!r}")
    return int(value)


def make_test_nhs_numbers(n: int, seed: int = 0) -> list[str]:
    """Make ``n`` different, valid NHS numbers from the 999 test range.

    The same ``n`` and ``seed`` always give the same numbers, and a longer list starts with the
    shorter one (``make_test_nhs_numbers(5, seed=1)`` is the first five of
    ``make_test_nhs_numbers(10, seed=1)``). Nine-digit stems whose check digit would be 10
    are skipped, since no valid number can start with them.

    Parameters
    ----------
    n : int
        How many numbers, from 1 to 909,091 (every valid 999 number).
    seed : int, default 0
        Seed of the random choice.

    Returns
    -------
    list of str
        Ten-digit numbers as text, all starting ``"999"``, no spaces, no repeats.

    Examples
    --------
    >>> make_test_nhs_numbers(2, seed=42)
    ['9996704874', '9991167390']
    >>> all(is_valid_nhs_number(x) for x in make_test_nhs_numbers(100, seed=7))
    True
    """
    n = _check_positive_int(n, "n")
    if n > _MAX_TEST_NUMBERS:
        raise ValueError(
            f"n must be at most {_MAX_TEST_NUMBERS:,} (every valid 999 test number), got {n:,}"
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number, got {type(seed).__name__} {seed!r}")
    rng = random.Random(int(seed))
    seen: set[int] = set()
    result: list[str] = []
    while len(result) < n:
        stem = rng.randrange(1_000_000)
        if stem in seen:
            continue
        seen.add(stem)
        first_nine = f"{_TEST_PREFIX}{stem:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            result.append(f"{first_nine}{check}")
    return result


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return isinstance(value, float) and math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pseudonymise(values: Any, key: str | bytes, *, length: int = 12) -> Any:
    """Replace identifiers by pseudonyms made with a secret key (HMAC-SHA256).

    The same value and key always give the same pseudonym, so records of one patient can still
    be linked; without the key nobody can work back to the value, or check a guess. (A plain,
    unkeyed hash would not do: there are only a few million possible NHS numbers, so anyone
    could hash them all and look the answer up.) Keep the key apart from the data, like a
    password.

    Each value is hashed exactly as written, after ``str()``: ``"943 476 5919"`` and
    ``"9434765919"`` give different pseudonyms, so tidy the values first.

    Parameters
    ----------
    values : str, sequence of str, or pandas Series
        The identifiers, e.g. NHS numbers or names. Numbers are turned into text first.
        Missing values (None, NaN) stay missing (None in a list, NaN in a Series).
    key : str or bytes
        The secret key. Must not be empty.
    length : int, default 12
        How many hexadecimal characters of the hash to keep, 8 to 64. Twelve characters
        (48 bits) make a clash between two different values very unlikely: about 1 in 560
        for a million values, about 1 in 56 million for 1,000 values (the "birthday" rule,
        n**2 / 2**49). Use more characters for very large data sets.

    Returns
    -------
    str, list of str, or pandas Series
        One pseudonym per value, in the same shape as ``values`` (a Series keeps its index).

    Examples
    --------
    >>> pseudonymise("9996704874", key="ward-7-secret")
    '6ea5a1b58fbf'
    >>> pseudonymise(["9996704874", "9991167390"], key="ward-7-secret")
    ['6ea5a1b58fbf', 'a0deb65bc028']
    >>> pseudonymise("9996704874", key="another key")   # a different key, a different pseudonym
    '0298e13c79d7'
    """
    if isinstance(key, str):
        key_bytes = key.encode("utf-8")
    elif isinstance(key, (bytes, bytearray)):
        key_bytes = bytes(key)
    else:
        raise TypeError(f"key must be text or bytes, got {type(key).__name__} {key!r}")
    if not key_bytes:
        raise ValueError(
            "key must not be empty: a pseudonym made without a secret key can be reversed by "
            "trying every possible value. Choose a key and keep it apart from the data."
        )
    if isinstance(length, bool) or not isinstance(length, numbers.Integral):
        raise TypeError(f"length must be a whole number, got {type(length).__name__} {length!r}")
    if not 8 <= length <= 64:
        raise ValueError(f"length must be between 8 and 64 characters, got {length!r}")

    def one(value: Any) -> Any:
        if _is_missing(value):
            return None
        digest = hmac.new(key_bytes, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:length]

    if isinstance(values, (str, numbers.Number)):
        return one(values)
    if type(values).__name__ == "Series" and hasattr(values, "map"):
        return values.map(one)
    if not isinstance(values, Iterable):
        raise TypeError(
            f"values must be text, a list or a pandas Series, got {type(values).__name__}"
        )
    return [one(v) for v in values]


def generalise_age(ages: Any, width: int = 10, *, top: int | None = None) -> Any:
    """Replace exact ages by age bands, e.g. 47 becomes ``"40-49"``.

    Bands start at 0 and are ``width`` years wide: width 10 gives ``"0-9"``, ``"10-19"``, ...
    Ages with a fraction are rounded down first (47.9 is still 47). With ``top``, every age from
    ``top`` upwards joins one open band such as ``"90+"`` (very old people are rare, so rare
    ages identify them).

    Parameters
    ----------
    ages : number, sequence of numbers, or pandas Series
        Ages in whole years, 0 to 130. Missing values (None, NaN) stay missing (None in a
        list, NaN in a Series).
    width : int, default 10
        Band width in years, 1 or more.
    top : int, optional
        Lowest age of an open top band, a multiple of ``width``.

    Returns
    -------
    str, list of str, or pandas Series
        The band of each age, in the same shape as ``ages`` (a Series keeps its index).

    Examples
    --------
    >>> generalise_age(47)
    '40-49'
    >>> generalise_age([3, 47, 50, 93], width=10, top=90)
    ['0-9', '40-49', '50-59', '90+']
    >>> generalise_age(47, width=5)
    '45-49'
    """
    width = _check_positive_int(width, "width")
    if top is not None:
        top = _check_positive_int(top, "top")
        if top % width:
            raise ValueError(
                f"top must be a multiple of width ({width}) so that no band is cut short, "
                f"got top={top}"
            )

    def one(age: Any) -> Any:
        if _is_missing(age):
            return None
        if isinstance(age, bool) or not isinstance(age, numbers.Real):
            raise TypeError(
                f"ages must be numbers, got {type(age).__name__} {age!r}; "
                "convert text with pd.to_numeric first"
            )
        if not 0 <= age <= 130:
            raise ValueError(f"ages must be between 0 and 130 years, got {age!r}")
        whole = int(math.floor(age))
        if top is not None and whole >= top:
            return f"{top}+"
        low = whole - whole % width
        return f"{low}-{low + width - 1}" if width > 1 else f"{low}"

    if isinstance(ages, (numbers.Number, str)) or ages is None:
        return one(ages)
    if type(ages).__name__ == "Series" and hasattr(ages, "map"):
        return ages.map(one)
    if not isinstance(ages, Iterable):
        raise TypeError(
            f"ages must be a number, a list or a pandas Series, got {type(ages).__name__}"
        )
    return [one(a) for a in ages]


def generalise_postcode(districts: Any, width: int | None = None) -> Any:
    """Replace postcode districts by bigger areas, e.g. ``"ZZ17"`` becomes ``"ZZ16-ZZ20"``.

    A postcode district is the first half of a postcode: letters for the area, then a number
    (``"L7"``, ``"ZZ17"``; a final letter, as in ``"EC1A"``, is ignored). With ``width``, the
    districts of an area are joined in groups of ``width`` numbers counted from 1: width 5
    gives ``"ZZ1-ZZ5"``, ``"ZZ6-ZZ10"``, ... Without it, only the area letters are kept
    (``"ZZ"``). (Real district numbers are only roughly in order of place.)

    Parameters
    ----------
    districts : str, sequence of str, or pandas Series
        Postcode districts such as ``"ZZ17"``, with a number from 1 to 99. Missing values
        (None, NaN) stay missing (None in a list, NaN in a Series).
    width : int, optional
        How many neighbouring district numbers make one area, 1 or more.

    Returns
    -------
    str, list of str, or pandas Series
        The area of each district, in the shape of ``districts`` (a Series keeps its index).

    Raises
    ------
    TypeError
        If ``districts`` is not text, a list or a Series, or ``width`` is not a whole number.
    ValueError
        If a district does not look like letters and a number from 1 to 99 (``"ZZ0"``,
        ``"17"``, a full postcode such as ``"ZZ1 1AA"``), or ``width`` is below 1.

    Examples
    --------
    >>> generalise_postcode("ZZ17", width=5)
    'ZZ16-ZZ20'
    >>> generalise_postcode(["ZZ1", "ZZ8", "ZZ9", "L7"], width=8)
    ['ZZ1-ZZ8', 'ZZ1-ZZ8', 'ZZ9-ZZ16', 'L1-L8']
    >>> generalise_postcode("ZZ17")
    'ZZ'
    """
    import re

    if width is not None:
        width = _check_positive_int(width, "width")
    pattern = re.compile(r"([A-Z]{1,2})([1-9][0-9]?)[A-Z]?")

    def one(district: Any) -> Any:
        if _is_missing(district):
            return None
        found = pattern.fullmatch(str(district).strip().upper())
        if found is None:
            raise ValueError(
                "districts must be postcode districts: one or two letters and a number from 1 "
                f"to 99, such as 'ZZ17' (not a whole postcode); got {district!r}"
            )
        area, number = found.group(1), int(found.group(2))
        if width is None:
            return area
        low = (number - 1) // width * width + 1
        return f"{area}{low}-{area}{low + width - 1}" if width > 1 else f"{area}{low}"

    if isinstance(districts, str) or districts is None:
        return one(districts)
    if type(districts).__name__ == "Series" and hasattr(districts, "map"):
        return districts.map(one)
    if not isinstance(districts, Iterable):
        raise TypeError(
            f"districts must be text, a list or a pandas Series, got {type(districts).__name__}"
        )
    return [one(d) for d in districts]


def _quasi_identifier_list(df: Any, quasi_identifiers: str | Sequence[str]) -> list[str]:
    if type(df).__name__ != "DataFrame" or not hasattr(df, "columns"):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if isinstance(quasi_identifiers, str):
        columns = [quasi_identifiers]
    elif isinstance(quasi_identifiers, Iterable):
        columns = list(quasi_identifiers)
    else:
        raise TypeError(
            "quasi_identifiers must be a column name or a list of column names, got "
            f"{type(quasi_identifiers).__name__} {quasi_identifiers!r}"
        )
    if not columns:
        raise ValueError("quasi_identifiers must name at least one column, got an empty list")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"quasi_identifiers names columns that are not in df: {missing}. "
            f"The columns are: {list(df.columns)}"
        )
    if len(df) == 0:
        raise ValueError("df has no rows, so no group sizes can be counted")
    return columns


def _group_counts(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # dropna=False: a missing value is a value an attacker can see, so it forms a group too.
    return (
        df.groupby(columns, dropna=False, observed=True, sort=True)
        .size()
        .rename("count")
        .reset_index()
    )


def k_anonymity(df: pd.DataFrame, quasi_identifiers: str | Sequence[str]) -> int:
    """The k of k-anonymity: how many people share the rarest combination of quasi-identifiers.

    Quasi-identifiers are facts that do not name someone but together can pick them out, such
    as age, sex and postcode district. If k is 1, at least one person is unique on those facts
    and could be re-identified by anyone who knows them.

    Parameters
    ----------
    df : pandas DataFrame
        One row per person.
    quasi_identifiers : str or list of str
        The columns an attacker might know. Missing values count as a value of their own.

    Returns
    -------
    int
        The size of the smallest group (1 or more).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"age_band": ["40-49", "40-49", "40-49", "80-89"],
    ...                        "sex": ["F", "F", "M", "M"]})
    >>> k_anonymity(people, ["age_band", "sex"])
    1
    >>> k_anonymity(people, "age_band")
    1
    >>> k_anonymity(people, "sex")
    2
    """
    columns = _quasi_identifier_list(df, quasi_identifiers)
    return int(_group_counts(df, columns)["count"].min())


def smallest_groups(
    df: pd.DataFrame, quasi_identifiers: str | Sequence[str], *, n: int | None = 10
) -> pd.DataFrame:
    """The rarest combinations of quasi-identifiers, with how many people share each.

    A row with count 1 is a person who is unique on these facts: the one a re-identification
    attack would find first.

    Parameters
    ----------
    df : pandas DataFrame
        One row per person.
    quasi_identifiers : str or list of str
        The columns an attacker might know.
    n : int or None, default 10
        How many combinations to return, rarest first; ``None`` for all of them.

    Returns
    -------
    pandas DataFrame
        One row per combination: the quasi-identifier columns and ``count``, sorted by count
        (smallest first) and then by the values, with a fresh index.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"age_band": ["40-49", "40-49", "40-49", "80-89"],
    ...                        "sex": ["F", "F", "M", "M"]})
    >>> smallest_groups(people, ["age_band", "sex"])
      age_band sex  count
    0    40-49   M      1
    1    80-89   M      1
    2    40-49   F      2
    """
    columns = _quasi_identifier_list(df, quasi_identifiers)
    if n is not None:
        n = _check_positive_int(n, "n")
    counts = _group_counts(df, columns)
    counts = counts.sort_values(["count", *columns], kind="stable", na_position="last")
    if n is not None:
        counts = counts.head(n)
    return counts.reset_index(drop=True)
