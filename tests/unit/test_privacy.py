"""Tests for healthlab.privacy: NHS numbers, pseudonyms, age bands and k-anonymity."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthlab.privacy import (
    generalise_age,
    is_valid_nhs_number,
    k_anonymity,
    make_test_nhs_numbers,
    nhs_check_digit,
    pseudonymise,
    smallest_groups,
)

# --- NHS numbers ------------------------------------------------------------------------------


def _check_digit_by_hand(first_nine: str) -> int | None:
    """Independent restatement of the NHS Digital rule, written out long-hand."""
    total = 0
    for position, digit in enumerate(first_nine):
        total += int(digit) * (10 - position)
    remainder = total % 11
    check = 11 - remainder
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


@pytest.mark.parametrize(
    "value",
    [
        "9434765919",  # NHS Digital's published example
        "943 476 5919",  # printed 3-3-4 form
        9434765919,
        np.int64(9434765919),
        "4010232137",
    ],
)
def test_valid_numbers(value):
    assert is_valid_nhs_number(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "9434765918",  # wrong check digit
        "9434765910",
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "943-476-5919",  # dashes are not accepted
        "943476591X",
        "",
        "   ",
        "９４３４７６５９１９",  # full-width digits are not ASCII digits
        "9990000000",  # stem 999000000 has check digit 10: no valid number exists
        None,
        float("nan"),
    ],
)
def test_invalid_numbers(value):
    assert is_valid_nhs_number(value) is False


@pytest.mark.parametrize("value", [9434765919.0, ["9434765919"], True])
def test_wrong_type_raises_type_error_naming_value(value):
    with pytest.raises(TypeError, match="value must be an NHS number"):
        is_valid_nhs_number(value)


def test_float_type_error_suggests_reading_as_text():
    with pytest.raises(TypeError, match="dtype"):
        is_valid_nhs_number(9434765919.0)


def test_check_digit_known_example_and_ten():
    assert nhs_check_digit("943476591") == 9
    assert nhs_check_digit("999000000") is None
    # remainder 0 -> check 11 -> 0
    assert nhs_check_digit("000000000") == 0


@pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678a"])
def test_check_digit_rejects_bad_stems(bad):
    with pytest.raises(ValueError, match="first_nine"):
        nhs_check_digit(bad)


def test_check_digit_rejects_non_text():
    with pytest.raises(TypeError, match="first_nine"):
        nhs_check_digit(123456789)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digit_matches_hand_rule(stem):
    assert nhs_check_digit(stem) == _check_digit_by_hand(stem)
    check = _check_digit_by_hand(stem)
    if check is None:
        assert not any(is_valid_nhs_number(stem + str(d)) for d in range(10))
    else:
        assert is_valid_nhs_number(stem + str(check))
        wrong = [d for d in range(10) if d != check]
        assert not any(is_valid_nhs_number(stem + str(d)) for d in wrong)


def test_make_test_nhs_numbers_properties():
    numbers = make_test_nhs_numbers(5000, seed=3)
    assert len(numbers) == 5000
    assert len(set(numbers)) == 5000
    for number in numbers:
        assert isinstance(number, str)
        assert len(number) == 10 and number.isdigit()
        assert number.startswith("999")
        assert is_valid_nhs_number(number)
        assert _check_digit_by_hand(number[:9]) == int(number[9])


def test_make_test_nhs_numbers_deterministic_and_prefix_stable():
    assert make_test_nhs_numbers(50, seed=11) == make_test_nhs_numbers(50, seed=11)
    assert make_test_nhs_numbers(50, seed=11) != make_test_nhs_numbers(50, seed=12)
    assert make_test_nhs_numbers(10, seed=11) == make_test_nhs_numbers(50, seed=11)[:10]


def test_make_test_nhs_numbers_reference_values():
    # Pinned so that a change to the generator (which would change every synthetic data set)
    # is noticed.
    assert make_test_nhs_numbers(2, seed=42) == ["9996704874", "9991167390"]


def test_stems_with_check_digit_ten_are_skipped():
    # Every stem is drawn in the long run; none may give a number ending in "10" or be invalid.
    numbers = make_test_nhs_numbers(20_000, seed=0)
    stems = {n[:9] for n in numbers}
    assert all(nhs_check_digit(s) is not None for s in stems)


@pytest.mark.parametrize(
    ("n", "error", "match"),
    [
        (0, ValueError, "n must be 1 or more, got 0"),
        (-3, ValueError, "n must be 1 or more"),
        (2.5, TypeError, "n must be a whole number, got float 2.5"),
        ("10", TypeError, "n must be a whole number"),
        (909_092, ValueError, "n must be at most 909,091"),
    ],
)
def test_make_test_nhs_numbers_bad_n(n, error, match):
    with pytest.raises(error, match=match):
        make_test_nhs_numbers(n, seed=0)


def test_make_test_nhs_numbers_bad_seed():
    with pytest.raises(TypeError, match="seed must be a whole number"):
        make_test_nhs_numbers(3, seed="abc")


# --- pseudonyms -------------------------------------------------------------------------------


def test_pseudonymise_is_hmac_sha256_prefix():
    expected = hmac.new(b"k3y", b"9996704874", hashlib.sha256).hexdigest()[:12]
    assert pseudonymise("9996704874", key="k3y") == expected
    assert pseudonymise("9996704874", key=b"k3y") == expected


def test_pseudonymise_stable_and_keyed():
    ids = make_test_nhs_numbers(200, seed=5)
    first = pseudonymise(ids, key="secret")
    assert first == pseudonymise(ids, key="secret")
    assert len(set(first)) == 200
    other = pseudonymise(ids, key="secret2")
    assert all(a != b for a, b in zip(first, other, strict=True))
    # Not the plain (unkeyed) hash, which anyone could compute.
    assert first[0] != hashlib.sha256(ids[0].encode()).hexdigest()[:12]
    assert all(len(p) == 12 and int(p, 16) >= 0 for p in first)


def test_pseudonymise_series_keeps_index_and_missing():
    s = pd.Series(["9996704874", None, "9991167390"], index=[10, 20, 30])
    out = pseudonymise(s, key="secret")
    assert list(out.index) == [10, 20, 30]
    assert out[10] == pseudonymise("9996704874", key="secret")
    assert pd.isna(out[20])
    assert pseudonymise([None, float("nan")], key="secret") == [None, None]


def test_pseudonymise_numbers_hash_as_text():
    assert pseudonymise(9996704874, key="k") == pseudonymise("9996704874", key="k")


def test_pseudonymise_length():
    assert len(pseudonymise("x", key="k", length=64)) == 64
    assert pseudonymise("x", key="k", length=8) == pseudonymise("x", key="k")[:8]


@pytest.mark.parametrize(
    ("key", "error", "match"),
    [
        ("", ValueError, "key must not be empty"),
        (b"", ValueError, "key must not be empty"),
        (None, TypeError, "key must be text or bytes, got NoneType"),
        (1234, TypeError, "key must be text or bytes"),
    ],
)
def test_pseudonymise_bad_key(key, error, match):
    with pytest.raises(error, match=match):
        pseudonymise(["a"], key=key)


@pytest.mark.parametrize("length", [7, 65, 0])
def test_pseudonymise_bad_length(length):
    with pytest.raises(ValueError, match="length must be between 8 and 64"):
        pseudonymise("a", key="k", length=length)


def test_pseudonymise_bad_values():
    with pytest.raises(TypeError, match="values must be"):
        pseudonymise(object(), key="k")


# --- age bands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "width", "band"),
    [
        (0, 10, "0-9"),
        (9, 10, "0-9"),
        (10, 10, "10-19"),
        (47, 10, "40-49"),
        (49.9, 10, "40-49"),
        (50, 10, "50-59"),
        (47, 5, "45-49"),
        (45, 5, "45-49"),
        (44, 5, "40-44"),
        (47, 1, "47"),
        (np.int64(61), 20, "60-79"),
    ],
)
def test_generalise_age_bands(age, width, band):
    assert generalise_age(age, width) == band


def test_generalise_age_top_band():
    assert generalise_age([89, 90, 104], width=10, top=90) == ["80-89", "90+", "90+"]


def test_generalise_age_series():
    s = pd.Series([23, np.nan, 71], index=["a", "b", "c"])
    out = generalise_age(s)
    assert list(out.index) == ["a", "b", "c"]
    assert out["a"] == "20-29" and pd.isna(out["b"]) and out["c"] == "70-79"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"ages": 40, "width": 0}, ValueError, "width must be 1 or more, got 0"),
        ({"ages": 40, "width": 2.5}, TypeError, "width must be a whole number"),
        ({"ages": -1}, ValueError, "ages must be between 0 and 130 years, got -1"),
        ({"ages": 200}, ValueError, "got 200"),
        ({"ages": "40"}, TypeError, "ages must be numbers, got str '40'"),
        ({"ages": 40, "top": 95}, ValueError, "top must be a multiple of width"),
        ({"ages": object()}, TypeError, "ages must be a number"),
    ],
)
def test_generalise_age_bad_inputs(kwargs, error, match):
    with pytest.raises(error, match=match):
        generalise_age(**kwargs)


# --- k-anonymity -------------------------------------------------------------------------------


@pytest.fixture
def cohort():
    return pd.DataFrame(
        {
            "age_band": ["40-49", "40-49", "40-49", "40-49", "80-89", "80-89", "80-89"],
            "sex": ["F", "F", "M", "M", "F", "F", "M"],
            "district": ["L1", "L1", "L1", "L1", "L8", "L8", "L3"],
        }
    )


def test_k_anonymity(cohort):
    assert k_anonymity(cohort, ["age_band", "sex"]) == 1
    assert k_anonymity(cohort, "sex") == 3
    assert k_anonymity(cohort, ["age_band"]) == 3
    assert k_anonymity(cohort.iloc[:4], ["age_band", "sex", "district"]) == 2
    assert isinstance(k_anonymity(cohort, "sex"), int)


def test_k_anonymity_counts_missing_as_a_group():
    df = pd.DataFrame({"sex": ["F", "F", None, "M", "M"]})
    assert k_anonymity(df, "sex") == 1


def test_smallest_groups(cohort):
    out = smallest_groups(cohort, ["age_band", "sex"])
    assert list(out.columns) == ["age_band", "sex", "count"]
    assert out.iloc[0].to_dict() == {"age_band": "80-89", "sex": "M", "count": 1}
    assert list(out["count"]) == sorted(out["count"])
    assert out["count"].sum() == len(cohort)
    assert list(out.index) == list(range(len(out)))
    assert len(smallest_groups(cohort, ["age_band", "sex"], n=2)) == 2
    assert len(smallest_groups(cohort, ["age_band", "sex", "district"], n=None)) == 4


@given(st.lists(st.tuples(st.sampled_from(["F", "M"]), st.integers(0, 3)), min_size=1, max_size=60))
def test_k_anonymity_agrees_with_smallest_groups(rows):
    df = pd.DataFrame(rows, columns=["sex", "band"])
    groups = smallest_groups(df, ["sex", "band"], n=None)
    assert k_anonymity(df, ["sex", "band"]) == groups["count"].min() >= 1
    assert groups["count"].sum() == len(df)


@pytest.mark.parametrize(
    ("qi", "error", "match"),
    [
        (["age_band", "postcode"], ValueError, r"not in df: \['postcode'\]"),
        ([], ValueError, "at least one column"),
        (42, TypeError, "quasi_identifiers must be a column name"),
    ],
)
def test_k_anonymity_bad_quasi_identifiers(cohort, qi, error, match):
    with pytest.raises(error, match=match):
        k_anonymity(cohort, qi)
    with pytest.raises(error, match=match):
        smallest_groups(cohort, qi)


def test_missing_column_message_lists_columns(cohort):
    with pytest.raises(ValueError, match=r"The columns are: \['age_band', 'sex', 'district'\]"):
        k_anonymity(cohort, "age")


def test_k_anonymity_bad_df():
    with pytest.raises(TypeError, match="df must be a pandas DataFrame, got list"):
        k_anonymity([1, 2], "a")
    with pytest.raises(ValueError, match="df has no rows"):
        k_anonymity(pd.DataFrame({"a": []}), "a")


def test_smallest_groups_bad_n(cohort):
    with pytest.raises(ValueError, match="n must be 1 or more"):
        smallest_groups(cohort, "sex", n=0)
