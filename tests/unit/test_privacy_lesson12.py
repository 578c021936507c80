"""Tests for lesson 12's library pieces: privacy.generalise_postcode and healthlab.linkage.

Each is checked against an independent restatement (hashlib, plain pandas), and every NHS number
the helpers give out is checked to be a valid number from the 999 test range.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from healthlab import _synthetic, datasets, linkage
from healthlab.privacy import (
    generalise_postcode,
    is_valid_nhs_number,
    make_test_nhs_numbers,
    pseudonymise,
)


@pytest.fixture(scope="module")
def cohort():
    return datasets.load("patient-cohort")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assert_test_range(numbers) -> None:
    numbers = list(numbers)
    assert numbers, "expected some numbers"
    for number in numbers:
        assert isinstance(number, str) and re.fullmatch(r"999\d{7}", number), number
        assert is_valid_nhs_number(number), number


# --- privacy.generalise_postcode ---------------------------------------------------------------


def test_generalise_postcode_examples():
    assert generalise_postcode("ZZ17", width=5) == "ZZ16-ZZ20"
    assert generalise_postcode("ZZ5", width=5) == "ZZ1-ZZ5"
    assert generalise_postcode("ZZ6", width=5) == "ZZ6-ZZ10"
    assert generalise_postcode("ZZ40", width=8) == "ZZ33-ZZ40"
    assert generalise_postcode("ZZ17", width=1) == "ZZ17"
    assert generalise_postcode("ZZ17") == "ZZ"
    assert generalise_postcode(" zz17 ", width=5) == "ZZ16-ZZ20"  # tidied first
    assert generalise_postcode("EC1A", width=5) == "EC1-EC5"  # a sub-district letter is ignored
    assert generalise_postcode("L7") == "L"


def test_generalise_postcode_matches_a_hand_restatement(cohort):
    districts = cohort["postcode_district"]
    for width in (2, 5, 8, 10, 40):
        number = districts.str[2:].astype(int)
        low = (number - 1) // width * width + 1
        by_hand = "ZZ" + low.astype(str) + "-ZZ" + (low + width - 1).astype(str)
        assert generalise_postcode(districts, width=width).equals(by_hand)


def test_generalise_postcode_shapes_and_missing_values():
    assert generalise_postcode(["ZZ1", None, "ZZ12"], width=10) == ["ZZ1-ZZ10", None, "ZZ11-ZZ20"]
    series = pd.Series(["ZZ3", np.nan], index=[7, 9])
    out = generalise_postcode(series, width=5)
    assert list(out.index) == [7, 9] and out[7] == "ZZ1-ZZ5" and pd.isna(out[9])
    assert generalise_postcode(None) is None


@pytest.mark.parametrize("bad", ["ZZ0", "17", "ZZ1 1AA", "", "ZZ100", "ABC1", "Z-1"])
def test_generalise_postcode_rejects_what_is_not_a_district(bad):
    with pytest.raises(ValueError, match="postcode districts"):
        generalise_postcode(bad, width=5)


def test_generalise_postcode_checks_width_and_type():
    with pytest.raises(ValueError, match="width"):
        generalise_postcode("ZZ1", width=0)
    with pytest.raises(TypeError, match="width"):
        generalise_postcode("ZZ1", width=2.5)
    with pytest.raises(TypeError, match="districts"):
        generalise_postcode(17, width=5)


# --- linkage.plain_hash --------------------------------------------------------------------------


def test_plain_hash_is_unkeyed_sha256(cohort):
    numbers = cohort["nhs_number"].head(50)
    assert linkage.plain_hash(numbers).tolist() == [sha256(n) for n in numbers]
    assert linkage.plain_hash("9990990964") == sha256("9990990964")
    assert linkage.plain_hash(9990990964) == sha256("9990990964")
    assert linkage.plain_hash(["9990990964", None]) == [sha256("9990990964"), None]
    out = linkage.plain_hash(pd.Series(["9990990964", None], index=[4, 5]))
    assert list(out.index) == [4, 5] and pd.isna(out[5])


def test_plain_hash_differs_from_the_keyed_pseudonym():
    assert linkage.plain_hash("9990990964") != pseudonymise("9990990964", key="k", length=64)


@pytest.mark.parametrize("bad", [{"a": 1}, b"9990990964", object()])
def test_plain_hash_rejects_other_types(bad):
    with pytest.raises(TypeError, match="values must be"):
        linkage.plain_hash(bad)


# --- linkage.reverse_hashes ----------------------------------------------------------------------


def test_reverse_hashes_recovers_the_numbers_in_the_range(cohort):
    numbers = cohort["nhs_number"]
    hashes = linkage.plain_hash(numbers)
    candidates = range(9_990_000_000, 9_990_100_000)  # a tenth of the lesson's range: quick
    found = linkage.reverse_hashes(hashes, candidates)
    in_range = [n for n in numbers if candidates.start <= int(n) < candidates.stop]
    assert sorted(found.values()) == sorted(in_range)
    assert all(sha256(number) == h for h, number in found.items())
    assert_test_range(found.values())


def test_reverse_hashes_list_path_agrees_with_the_range_path():
    span = range(9_990_000_000, 9_990_000_300)
    numbers = [str(n) for n in span if is_valid_nhs_number(n)][:20]
    hashes = [sha256(n) for n in numbers] + [None, sha256(numbers[0])]
    as_text = linkage.reverse_hashes(hashes, [str(n) for n in span][::-1])
    as_range = linkage.reverse_hashes(hashes, span)
    assert as_text == as_range
    assert list(as_text) == [sha256(n) for n in numbers]  # in the order the hashes came
    assert_test_range(as_text.values())


def test_reverse_hashes_finds_nothing_behind_a_key():
    numbers = make_test_nhs_numbers(30, seed=5)
    keyed = pseudonymise(numbers, key="secret", length=64)
    assert linkage.reverse_hashes(keyed, numbers) == {}


def test_reverse_hashes_only_tries_the_test_range():
    stolen = [sha256("9990990964")]
    for bad in (
        ["9434765919"],
        ["999099096"],
        [9_000_000_000],
        range(9_989_999_990, 9_990_000_010),
    ):
        with pytest.raises(ValueError, match="999 test range"):
            linkage.reverse_hashes(stolen, bad)
    with pytest.raises(TypeError, match="candidates"):
        linkage.reverse_hashes(stolen, [9.99e9])
    with pytest.raises(TypeError, match="candidates"):
        linkage.reverse_hashes(stolen, "9990990964")


def test_reverse_hashes_caps_the_candidates(monkeypatch):
    stolen = [sha256("9990990964")]
    with pytest.raises(ValueError, match="at most 1,000,000"):
        linkage.reverse_hashes(stolen, range(9_990_000_000, 9_991_000_001))
    monkeypatch.setattr(linkage, "MAX_CANDIDATES", 10)
    numbers = (str(n) for n in range(9_990_000_000, 9_990_000_020))  # no len(): counted
    with pytest.raises(ValueError, match="at most 10"):
        linkage.reverse_hashes(stolen, numbers)


def test_reverse_hashes_checks_the_hashes():
    with pytest.raises(ValueError, match="64 characters"):
        linkage.reverse_hashes(["abc"], ["9990990964"])
    with pytest.raises(ValueError, match="64 characters"):
        linkage.reverse_hashes([sha256("x").upper()], ["9990990964"])
    with pytest.raises(TypeError, match="hashes must be"):
        linkage.reverse_hashes(42, ["9990990964"])
    assert linkage.reverse_hashes(sha256("9990990964"), ["9990990964"]) == {
        sha256("9990990964"): "9990990964"
    }


# --- linkage.make_public_list ----------------------------------------------------------------------


def test_public_list_is_seeded_and_synthetic(cohort):
    public = linkage.make_public_list(cohort, n=1000, seed=42)
    assert public.equals(linkage.make_public_list(cohort, n=1000, seed=42))
    assert not public.equals(linkage.make_public_list(cohort, n=1000, seed=43))
    assert list(public.columns) == list(linkage.PUBLIC_COLUMNS)
    assert list(public.index) == list(range(1000))
    # no identifier beyond what a public list would show, and every person made up
    assert "nhs_number" not in public.columns
    assert not public.astype(str).apply(lambda c: c.str.contains(r"\d{10}")).any().any()
    names = set(_synthetic.FIRST_NAMES_F) | set(_synthetic.FIRST_NAMES_M)
    assert set(public["first_name"]) <= names
    assert set(public["last_name"]) <= set(_synthetic.FICTIONAL_SURNAMES)
    women = public["sex"] == "F"
    assert set(public.loc[women, "first_name"]) <= set(_synthetic.FIRST_NAMES_F)
    assert set(public.loc[~women, "first_name"]) <= set(_synthetic.FIRST_NAMES_M)
    assert set(public["postcode_district"]) <= set(_synthetic.POSTCODE_DISTRICTS)


def test_public_list_ages_agree_with_birth_dates(cohort):
    public = linkage.make_public_list(cohort, n=2000, seed=7)
    born = pd.to_datetime(public["date_of_birth"])
    reference = pd.Timestamp("2025-04-01")
    had_birthday = (born.dt.month < 4) | ((born.dt.month == 4) & (born.dt.day <= 1))
    age = reference.year - born.dt.year - (~had_birthday).astype(int)
    assert (age == public["age"]).all()


def test_public_list_holds_the_share_asked_for(cohort):
    for n, share in ((1000, 0.5), (400, 0.25), (10, 1.0), (10, 0.0)):
        public = linkage.make_public_list(cohort, n=n, seed=1, share_in_cohort=share)
        members = public.merge(cohort[list(linkage.PUBLIC_COLUMNS)].drop_duplicates(), how="inner")
        # every member is a cohort person copied as they are; decoys only match by chance
        assert len(public) == n
        assert round(n * share) <= len(members) <= round(n * share) + max(2, n // 100)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be"),
        ({"n": 2.5}, TypeError, "n must be"),
        ({"seed": -1}, ValueError, "seed"),
        ({"share_in_cohort": 1.5}, ValueError, "share_in_cohort"),
        ({"share_in_cohort": "half"}, ValueError, "share_in_cohort"),
        ({"n": 20_000, "share_in_cohort": 0.5}, ValueError, "too few"),
    ],
)
def test_public_list_checks_its_arguments(cohort, kwargs, error, match):
    with pytest.raises(error, match=match):
        linkage.make_public_list(cohort, **kwargs)


def test_public_list_checks_the_cohort(cohort):
    with pytest.raises(TypeError, match="DataFrame"):
        linkage.make_public_list(cohort.to_dict(), n=5)
    with pytest.raises(ValueError, match="lacks the columns"):
        linkage.make_public_list(cohort.drop(columns="age"), n=5)


# --- linkage.link_records --------------------------------------------------------------------------


def test_link_records_keeps_only_unique_matches():
    left = pd.DataFrame(
        {
            "born": ["a", "b", "b", "c", "d"],
            "area": ["x", "y", "y", "z", "w"],
            "ill": [1, 2, 3, 4, 5],
        },
        index=[10, 11, 12, 13, 14],
    )
    right = pd.DataFrame(
        {"name": ["P", "Q", "R", "S", "T"], "born": ["a", "b", "c", "c", "e"],
         "area": ["x", "y", "z", "z", "v"]}
    )  # fmt: skip
    matches = linkage.link_records(left, right, on=["born", "area"])
    # a: one each side -> match; b: two on the left; c: two on the right; e: not in left
    assert list(matches.index) == [10]
    assert matches.loc[10, "name"] == "P" and matches.loc[10, "ill"] == 1
    assert list(matches.columns) == ["born", "area", "ill", "name"]
    assert matches.attrs["summary"] == {
        "left_rows": 5,
        "right_rows": 5,
        "right_rows_matched": 4,
        "unique_matches": 1,
        "fewest_candidates": 1,
    }


def test_link_records_names_clashing_columns_and_empty_results():
    left = pd.DataFrame({"k": [1, 2], "age": [30, 40]})
    right = pd.DataFrame({"k": [2, 3], "age": [41, 50]})
    matches = linkage.link_records(left, right, on="k")
    assert list(matches.columns) == ["k", "age", "age_right"] and matches.loc[1, "age_right"] == 41
    none = linkage.link_records(left, pd.DataFrame({"k": [9]}), on="k")
    assert len(none) == 0 and none.attrs["summary"]["fewest_candidates"] == 0


def test_link_records_agrees_with_plain_pandas(cohort):
    research = cohort.drop(columns=["nhs_number", "first_name", "last_name"])
    public = linkage.make_public_list(cohort, n=1000, seed=42)
    on = ["date_of_birth", "sex", "postcode_district"]
    matches = linkage.link_records(research, public, on=on)
    left_counts = research.groupby(on).size().rename("n_left")
    right_counts = public.groupby(on).size().rename("n_right")
    both = pd.concat([left_counts, right_counts], axis=1, join="inner")
    unique_keys = both[(both["n_left"] == 1) & (both["n_right"] == 1)]
    assert len(matches) == len(unique_keys)
    keyed = research.reset_index().merge(unique_keys.reset_index()[on], on=on)
    assert sorted(matches.index) == sorted(keyed["index"])
    assert matches.attrs["summary"]["right_rows_matched"] == int(both["n_right"].sum())


def test_link_records_checks_its_arguments():
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(TypeError, match="left"):
        linkage.link_records([1], df, on="a")
    with pytest.raises(TypeError, match="right"):
        linkage.link_records(df, {"a": [1]}, on="a")
    with pytest.raises(ValueError, match="at least one column"):
        linkage.link_records(df, df, on=[])
    with pytest.raises(ValueError, match="right lacks"):
        linkage.link_records(df, pd.DataFrame({"b": [1]}), on="a")
    with pytest.raises(TypeError, match="on must be"):
        linkage.link_records(df, df, on=3)
