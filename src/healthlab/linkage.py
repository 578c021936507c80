"""Re-identification attacks, on synthetic people only: what lesson 12 (privacy) shows going wrong.

A table with the names taken out is not anonymous. These helpers show two ways in, so that a
student sees them happen on made-up people before meeting them in real data:

- :func:`plain_hash`: an unkeyed SHA-256 hash. It looks scrambled, but it is **NOT** anonymous:
  anyone can hash every possible NHS number and look the answer up.
- :func:`reverse_hashes`: that attack. Hash every candidate number and keep those whose hash
  appears in a table. It only accepts numbers from the NHS 999 test range, at most a million
  of them, so it stays a classroom demonstration.
- :func:`make_public_list`: a synthetic "public" list (like a sports club's members list or
  social-media profiles: name, sex, date of birth, age and postcode district) that holds some
  people from the synthetic patient cohort and some made-up decoys.
- :func:`link_records`: the linkage attack. Join two tables on the facts they share (a thin
  layer over :meth:`pandas.DataFrame.merge`) and keep the unique matches: the people who are
  re-identified.

The safe alternatives are in :mod:`healthlab.privacy`: :func:`~healthlab.privacy.pseudonymise`
(a keyed hash, HMAC-SHA256) and generalisation (:func:`~healthlab.privacy.generalise_age`,
:func:`~healthlab.privacy.generalise_postcode`) until the table is k-anonymous
(:func:`~healthlab.privacy.k_anonymity`).

Sources: Sweeney L. (2000) "Simple demographics often identify people uniquely", Carnegie
Mellon University, Data Privacy Working Paper 3 (87% of the US population unique on ZIP code,
sex and date of birth); Sweeney L. (2002) "k-anonymity: a model for protecting privacy",
Int J Uncertainty Fuzziness Knowledge-Based Systems 10(5):557-570.

Examples
--------
>>> from healthlab.linkage import plain_hash, reverse_hashes
>>> stolen = plain_hash("9990000026")          # a test-range NHS number
>>> reverse_hashes([stolen], range(9_990_000_000, 9_990_000_100))
{'73b76c9845b4323a80a0ee47c01df40ea4bd3dadbfbe03e45e79d6f84ca90488': '9990000026'}
"""

from __future__ import annotations

import hashlib
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type hints only; pandas is imported when needed
    import pandas as pd

__all__ = ["plain_hash", "reverse_hashes", "make_public_list", "link_records"]

#: Most candidates :func:`reverse_hashes` will try: enough to make the point in a second or two.
MAX_CANDIDATES = 1_000_000
#: The columns of :func:`make_public_list`, in order.
PUBLIC_COLUMNS = ("first_name", "last_name", "sex", "date_of_birth", "age", "postcode_district")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def plain_hash(values: Any) -> Any:
    """An unkeyed SHA-256 hash of each value. **NOT anonymous**: shown only to be broken.

    A hash turns text into a fixed-length string of 64 hexadecimal characters that looks
    random. The same text always gives the same hash, and nobody can run the hash backwards.
    But nobody needs to: there are only about 10**9 possible NHS numbers (10**7 in the 999 test
    range), so an attacker hashes every one of them and looks each stolen hash up
    (:func:`reverse_hashes`). Use :func:`healthlab.privacy.pseudonymise`, which mixes in a
    secret key (HMAC), for pseudonyms that cannot be reversed this way.

    Each value is hashed exactly as written, after ``str()``: ``"999 000 0026"`` and
    ``"9990000026"`` give different hashes.

    Parameters
    ----------
    values : str, int, sequence, or pandas Series
        The values, e.g. NHS numbers. Missing values (None, NaN) stay missing (None in a list,
        NaN in a Series).

    Returns
    -------
    str, list of str, or pandas Series
        The SHA-256 hash of each value as 64 hexadecimal characters, in the shape of
        ``values`` (a Series keeps its index).

    Raises
    ------
    TypeError
        If ``values`` is not text, a number, a list or a Series (e.g. a dict or bytes).

    Examples
    --------
    >>> plain_hash("9990000026")
    '73b76c9845b4323a80a0ee47c01df40ea4bd3dadbfbe03e45e79d6f84ca90488'
    >>> plain_hash(9990000026) == plain_hash("9990000026")   # a number is hashed as its text
    True
    >>> len(plain_hash(["9990000026", None])[0]), plain_hash(["9990000026", None])[1]
    (64, None)
    """

    def one(value: Any) -> Any:
        if _is_missing(value):
            return None
        return hashlib.sha256(str(value).encode("utf-8")).hexdigest()

    if isinstance(values, (str, numbers.Number)) or values is None:
        return one(values)
    if isinstance(values, (bytes, bytearray, dict)):
        raise TypeError(
            f"values must be text, a number, a list or a pandas Series, got {type(values).__name__}"
        )
    if type(values).__name__ == "Series" and hasattr(values, "map"):
        return values.map(one)
    if not isinstance(values, Iterable):
        raise TypeError(
            f"values must be text, a number, a list or a pandas Series, got {type(values).__name__}"
        )
    return [one(v) for v in values]


def _test_range_number(candidate: Any) -> str:
    if isinstance(candidate, bool) or not isinstance(candidate, (str, numbers.Integral)):
        raise TypeError(
            "candidates must be NHS numbers as text or whole numbers, got "
            f"{type(candidate).__name__} {candidate!r}"
        )
    text = str(candidate)
    if len(text) != 10 or not text.startswith("999") or not (text.isascii() and text.isdigit()):
        raise ValueError(
            "candidates must be ten-digit numbers from the 999 test range (such as "
            f"9990000026): this course never tries real NHS numbers. Got {candidate!r}"
        )
    return text


def reverse_hashes(hashes: Any, candidates: Iterable[Any]) -> dict[str, str]:
    """Recover numbers from their plain hashes by hashing every candidate: a dictionary attack.

    This is why a plain hash of an NHS number is not anonymous. The function hashes each
    candidate with SHA-256 (as :func:`plain_hash` does), keeps a note of the hashes it was
    asked about, and returns the numbers whose hash matched. It does not need to know which
    candidates are valid NHS numbers: it just tries them all.

    To keep it a classroom demonstration, it only tries numbers from the 999 test range (never
    issued to real people), at most :data:`MAX_CANDIDATES` (one million) of them.

    Parameters
    ----------
    hashes : str, sequence of str, or pandas Series
        SHA-256 hashes as 64 lower-case hexadecimal characters, e.g. a column made by
        :func:`plain_hash`. Missing values are skipped; repeats are looked up once.
    candidates : iterable of str or int
        The numbers to try, each ten digits starting ``999``, e.g.
        ``range(9_990_000_000, 9_991_000_000)`` (the million numbers starting 9990).

    Returns
    -------
    dict
        ``{hash: number}`` for every hash that was recovered, in the order the hashes were
        given; numbers as ten-digit text. Hashes of values outside the candidates are not in
        it.

    Raises
    ------
    TypeError
        If ``hashes`` is not text, a list or a Series, or a candidate is not text or a whole
        number.
    ValueError
        If a hash is not 64 hexadecimal characters, a candidate is not a ten-digit number
        starting 999, or there are more than one million candidates.

    Examples
    --------
    >>> stolen = [plain_hash("9990000026"), plain_hash("9990000085")]
    >>> found = reverse_hashes(stolen, range(9_990_000_000, 9_990_000_080))
    >>> list(found.values())          # 9990000085 was not among the candidates
    ['9990000026']
    >>> reverse_hashes(stolen, ["1234567890"])
    Traceback (most recent call last):
    ...
    ValueError: candidates must be ten-digit numbers from the 999 test range (such as 9990000026): this course never tries real NHS numbers. Got '1234567890'
    """
    if isinstance(hashes, str):
        hashes = [hashes]
    elif type(hashes).__name__ == "Series" and hasattr(hashes, "tolist"):
        hashes = hashes.tolist()
    elif isinstance(hashes, (bytes, bytearray, dict)) or not isinstance(hashes, Iterable):
        raise TypeError(
            f"hashes must be text, a list or a pandas Series of hashes, got {type(hashes).__name__}"
        )
    wanted: dict[str, None] = {}
    for h in hashes:
        if _is_missing(h):
            continue
        if not isinstance(h, str) or not _SHA256_HEX.fullmatch(h):
            raise ValueError(
                "hashes must be SHA-256 hashes of 64 characters 0-9 and a-f, such as "
                f"plain_hash makes; got {h!r}"
            )
        wanted[h] = None
    if isinstance(candidates, (str, bytes, bytearray, dict)) or not isinstance(
        candidates, Iterable
    ):
        raise TypeError(
            "candidates must be a list or range of numbers to try, got "
            f"{type(candidates).__name__} {candidates!r}"
        )
    if hasattr(candidates, "__len__") and len(candidates) > MAX_CANDIDATES:  # type: ignore[arg-type]
        raise ValueError(
            f"at most {MAX_CANDIDATES:,} candidates (to keep the lesson quick), got "
            f"{len(candidates):,}"  # type: ignore[arg-type]
        )
    sha256 = hashlib.sha256
    found: dict[str, str] = {}
    if isinstance(candidates, range) and len(candidates) > 0:
        # A range is checked at its two ends, then tried quickly.
        _test_range_number(min(candidates))
        _test_range_number(max(candidates))
        for candidate in candidates:
            digest = sha256(b"%d" % candidate).hexdigest()
            if digest in wanted:
                found[digest] = str(candidate)
                if len(found) == len(wanted):
                    break
        return {h: found[h] for h in wanted if h in found}
    tried = 0
    for candidate in candidates:
        tried += 1
        if tried > MAX_CANDIDATES:
            raise ValueError(f"at most {MAX_CANDIDATES:,} candidates (to keep the lesson quick)")
        number = _test_range_number(candidate)
        digest = sha256(number.encode("ascii")).hexdigest()
        if digest in wanted:
            found[digest] = number
            if len(found) == len(wanted):
                break
    return {h: found[h] for h in wanted if h in found}


def _check_frame(df: Any, name: str) -> None:
    if type(df).__name__ != "DataFrame" or not hasattr(df, "columns"):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")


def make_public_list(
    cohort: pd.DataFrame, n: int = 1000, *, seed: int = 0, share_in_cohort: float = 0.5
) -> pd.DataFrame:
    """A synthetic "public" list of people, for a linkage attack on the synthetic cohort.

    Think of a sports club's members list, or profiles on a social network: names, sex,
    birthday, age and home area, but no health information. Some of the people on it are in
    the cohort; the rest are decoys who are not. Everyone on it is made up.

    Generating model (all draws from ``numpy.random.default_rng(seed)``):

    1. ``round(n * share_in_cohort)`` people are drawn from ``cohort`` without replacement;
       their name, sex, date of birth, age and postcode district are copied as they are.
    2. The other people are decoys: sex F with probability 0.51; a first name (by sex) and a
       surname from the cohort's lists of invented names; an age drawn from the cohort's ages;
       a date of birth that many years and 0-364 days before 1 April 2025 (the cohort's
       reference date, so age and date of birth agree); a postcode district from "ZZ1" to
       "ZZ40". A decoy can share a birthday, sex and district with someone in the cohort by
       chance, as a real person can.
    3. The rows are shuffled, so their order says nothing about who is in the cohort.

    Parameters
    ----------
    cohort : pandas DataFrame
        The synthetic patient cohort, ``datasets.load("patient-cohort")`` (it needs the columns
        of :data:`PUBLIC_COLUMNS`).
    n : int, default 1000
        How many people on the list, 1 to 100,000.
    seed : int, default 0
        Seed of the random draws (0 or more): the same arguments always give the same list.
    share_in_cohort : float, default 0.5
        Share of the list drawn from the cohort, 0 to 1.

    Returns
    -------
    pandas DataFrame
        ``n`` rows with the columns ``first_name``, ``last_name``, ``sex``,
        ``date_of_birth`` (YYYY-MM-DD), ``age`` (on 1 April 2025) and ``postcode_district``,
        and a fresh index. No NHS numbers: a public list would not have them.

    Raises
    ------
    TypeError
        If ``cohort`` is not a DataFrame, or ``n`` or ``seed`` is not a whole number.
    ValueError
        If ``cohort`` lacks a column, ``n`` or ``seed`` is out of range, ``share_in_cohort``
        is not between 0 and 1, or the cohort is too small for the share asked.

    Examples
    --------
    >>> from healthlab import datasets
    >>> public = make_public_list(datasets.load("patient-cohort"), n=4, seed=1)
    >>> list(public.columns)
    ['first_name', 'last_name', 'sex', 'date_of_birth', 'age', 'postcode_district']
    >>> len(public), public["postcode_district"].str.startswith("ZZ").all()
    (4, np.True_)
    """
    import numpy as np
    import pandas as pd

    from healthlab import _synthetic

    _check_frame(cohort, "cohort")
    missing = [c for c in PUBLIC_COLUMNS if c not in cohort.columns]
    if missing:
        raise ValueError(
            f"cohort lacks the columns {missing}: pass datasets.load('patient-cohort')"
        )
    n = _synthetic._check_count(n, "n", 100_000)
    seed = _synthetic._check_seed(seed)
    if (
        isinstance(share_in_cohort, bool)
        or not isinstance(share_in_cohort, numbers.Real)
        or not 0 <= share_in_cohort <= 1
    ):
        raise ValueError(f"share_in_cohort must be a number from 0 to 1, got {share_in_cohort!r}")
    n_in = round(n * share_in_cohort)
    if n_in > len(cohort):
        raise ValueError(
            f"the cohort has {len(cohort):,} people, too few for {n_in:,} of them on the list"
        )
    rng = np.random.default_rng(seed)
    members = cohort.iloc[rng.choice(len(cohort), size=n_in, replace=False)]
    members = members.loc[:, list(PUBLIC_COLUMNS)].reset_index(drop=True)

    n_out = n - n_in
    sex = np.where(rng.random(n_out) < 0.51, "F", "M")
    women = np.array(_synthetic.FIRST_NAMES_F)[
        rng.integers(len(_synthetic.FIRST_NAMES_F), size=n_out)
    ]
    men = np.array(_synthetic.FIRST_NAMES_M)[
        rng.integers(len(_synthetic.FIRST_NAMES_M), size=n_out)
    ]
    surnames = np.array(_synthetic.FICTIONAL_SURNAMES)
    last = surnames[rng.integers(len(surnames), size=n_out)]
    ages = rng.choice(cohort["age"].to_numpy(), size=n_out)
    days = rng.integers(0, 365, size=n_out)
    districts = np.array(_synthetic.POSTCODE_DISTRICTS)[
        rng.integers(len(_synthetic.POSTCODE_DISTRICTS), size=n_out)
    ]
    reference = pd.Timestamp(_synthetic.COHORT_REFERENCE_DATE)
    birth = [
        (reference - pd.DateOffset(years=int(a)) - pd.Timedelta(days=int(d))).strftime("%Y-%m-%d")
        for a, d in zip(ages, days, strict=True)
    ]
    decoys = pd.DataFrame(
        {
            "first_name": np.where(sex == "F", women, men),
            "last_name": last,
            "sex": sex,
            "date_of_birth": birth,
            "age": ages.astype(int),
            "postcode_district": districts,
        }
    )
    both = pd.concat([members, decoys.astype(members.dtypes.to_dict())], ignore_index=True)
    return both.iloc[rng.permutation(n)].reset_index(drop=True)


def link_records(left: pd.DataFrame, right: pd.DataFrame, on: str | Sequence[str]) -> pd.DataFrame:
    """The linkage attack: join two tables on shared facts and keep the unique matches.

    A unique match is a combination of the ``on`` values (say date of birth, sex and postcode
    district) that appears exactly once in ``left`` and exactly once in ``right``: the row of
    ``left`` then belongs, very probably, to the named person in ``right``. If two or more rows
    share the combination on either side, the attacker cannot tell which is which, so those
    rows are left out. (A unique match can still be the wrong person, if someone outside
    ``left`` shares the same facts: that harms them too.)

    This is :meth:`pandas.DataFrame.merge` (``how="inner"``) plus the counting.

    Parameters
    ----------
    left : pandas DataFrame
        The table that was meant to be anonymous, e.g. health records without names.
    right : pandas DataFrame
        The table with names, e.g. :func:`make_public_list`.
    on : str or list of str
        The columns both tables have. Missing values match each other, as in pandas.

    Returns
    -------
    pandas DataFrame
        One row per unique match: the columns of ``left``, then the other columns of
        ``right`` (a name that clashes gets ``"_right"`` added), indexed by ``left``'s index
        and sorted by it. ``.attrs["summary"]`` holds the counts: ``left_rows``,
        ``right_rows``, ``right_rows_matched`` (rows of ``right`` that share their facts with
        at least one row of ``left``), ``unique_matches`` and ``fewest_candidates`` (the
        fewest rows of ``left`` that any matched row of ``right`` could be; 0 when nothing
        matched).

    Raises
    ------
    TypeError
        If ``left`` or ``right`` is not a DataFrame, or ``on`` is not a column name or list.
    ValueError
        If ``on`` is empty or names a column that a table lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> health = pd.DataFrame({"born": ["2001-05-02", "1980-01-01", "1980-01-01"],
    ...                        "area": ["ZZ3", "ZZ7", "ZZ7"], "asthma": [True, False, True]},
    ...                       index=[10, 11, 12])
    >>> public = pd.DataFrame({"name": ["Ada Fakeley", "Ben Mockridge"],
    ...                        "born": ["2001-05-02", "1980-01-01"], "area": ["ZZ3", "ZZ7"]})
    >>> matches = link_records(health, public, on=["born", "area"])
    >>> matches
              born area  asthma         name
    10  2001-05-02  ZZ3    True  Ada Fakeley
    >>> matches.attrs["summary"]["unique_matches"], matches.attrs["summary"]["fewest_candidates"]
    (1, 1)
    """
    _check_frame(left, "left")
    _check_frame(right, "right")
    if isinstance(on, str):
        columns = [on]
    elif isinstance(on, Iterable):
        columns = list(on)
    else:
        raise TypeError(
            f"on must be a column name or a list of column names, got {type(on).__name__} {on!r}"
        )
    if not columns:
        raise ValueError("on must name at least one column, got an empty list")
    for name, df in (("left", left), ("right", right)):
        absent = [c for c in columns if c not in df.columns]
        if absent:
            raise ValueError(
                f"on names columns that {name} lacks: {absent}. Its columns are: {list(df.columns)}"
            )
    row = "_healthlab_left_row"
    tagged = left.assign(**{row: range(len(left))})
    right_part = right.assign(_healthlab_right_row=range(len(right)))
    merged = tagged.merge(right_part, on=columns, how="inner", suffixes=("", "_right"))
    per_key = merged.groupby(columns, dropna=False)[row].transform("size")
    unique = merged[per_key == 1]
    left_per_right = merged.groupby("_healthlab_right_row")[row].nunique()
    summary = {
        "left_rows": len(left),
        "right_rows": len(right),
        "right_rows_matched": int(left_per_right.size),
        "unique_matches": len(unique),
        "fewest_candidates": int(left_per_right.min()) if left_per_right.size else 0,
    }
    unique = unique.sort_values(row, kind="stable")
    positions = unique[row].to_numpy()
    result = unique.drop(columns=[row, "_healthlab_right_row"])
    result.index = left.index[positions]
    result.attrs["summary"] = summary
    return result
