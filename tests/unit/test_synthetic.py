"""Tests of the synthetic data sets: exact regeneration, plausibility and the documented biases."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from healthlab import _synthetic, datasets
from healthlab.privacy import is_valid_nhs_number

REPO = Path(__file__).resolve().parents[2]
GENERATORS = {
    "ward-observations": datasets.make_ward_observations,
    "triage-notes": datasets.make_triage_notes,
    "patient-cohort": datasets.make_patient_cohort,
}
COUNT_PARAMETER = {
    "ward-observations": "n_patients",
    "triage-notes": "n",
    "patient-cohort": "n",
}


@pytest.fixture(scope="module")
def ward() -> pd.DataFrame:
    return datasets.load("ward-observations")


@pytest.fixture(scope="module")
def notes() -> pd.DataFrame:
    return datasets.load("triage-notes")


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return datasets.load("patient-cohort")


# --------------------------------------------------------------------------------------------
# Regeneration and arguments
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GENERATORS))
def test_committed_csv_is_byte_identical_to_a_fresh_generation(name: str) -> None:
    committed = (REPO / "datasets" / f"{name}.csv").read_bytes()
    fresh = _synthetic.csv_text(GENERATORS[name](), name).encode("utf-8")
    assert fresh == committed, (
        f"regenerate with: .venv/bin/python tools/build_synthetic.py ({name})"
    )


@pytest.mark.parametrize("name", list(GENERATORS))
def test_load_returns_the_generator_output(name: str) -> None:
    pd.testing.assert_frame_equal(datasets.load(name), GENERATORS[name]())


@pytest.mark.parametrize("name", list(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    make = GENERATORS[name]
    count = {COUNT_PARAMETER[name]: 30}
    pd.testing.assert_frame_equal(make(**count, seed=5), make(**count, seed=5))
    assert not make(**count, seed=5).equals(make(**count, seed=6))


@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("bad", [0, -3])
def test_count_below_one_is_refused(name: str, bad: int) -> None:
    parameter = COUNT_PARAMETER[name]
    with pytest.raises(ValueError, match=parameter):
        GENERATORS[name](**{parameter: bad}, seed=1)


@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("bad", [True, 10.0, "10", None])
def test_count_must_be_a_whole_number(name: str, bad: object) -> None:
    parameter = COUNT_PARAMETER[name]
    with pytest.raises(TypeError, match=f"{parameter} must be a whole number"):
        GENERATORS[name](**{parameter: bad}, seed=1)


@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("bad", [False, 1.5, "42", None])
def test_seed_must_be_a_whole_number(name: str, bad: object) -> None:
    with pytest.raises(TypeError, match="seed must be a whole number"):
        GENERATORS[name](**{COUNT_PARAMETER[name]: 5}, seed=bad)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_negative_seed_and_huge_count_are_refused(name: str) -> None:
    parameter = COUNT_PARAMETER[name]
    with pytest.raises(ValueError, match="seed must be 0 or more"):
        GENERATORS[name](**{parameter: 5}, seed=-1)
    with pytest.raises(ValueError, match=parameter):
        GENERATORS[name](**{parameter: 10**9}, seed=1)


def test_numpy_integers_are_accepted() -> None:
    assert len(datasets.make_triage_notes(np.int64(4), seed=np.int32(2))) == 4


@pytest.mark.parametrize("name", list(GENERATORS))
def test_files_are_modest_in_size(name: str) -> None:
    assert (REPO / "datasets" / f"{name}.csv").stat().st_size < 5e6


# --------------------------------------------------------------------------------------------
# ward-observations
# --------------------------------------------------------------------------------------------


def test_ward_columns_match_the_news2_parameters(ward: pd.DataFrame) -> None:
    from healthlab import scores

    parameters = [
        p
        for p, spec in inspect.signature(scores.news2).parameters.items()
        if spec.kind is spec.POSITIONAL_OR_KEYWORD
    ]
    assert set(parameters) <= set(ward.columns)
    assert "spo2_scale" in ward.columns


def test_ward_size_and_structure(ward: pd.DataFrame) -> None:
    assert ward["patient_id"].nunique() == 800
    assert 15_000 < len(ward) < 30_000
    gaps = ward.groupby("patient_id")["hours_since_admission"].diff().dropna()
    assert set(gaps) == {4}
    firsts = ward.groupby("patient_id")["hours_since_admission"].first()
    assert (firsts == 0).all()
    per_patient = ward.groupby("patient_id")[["age", "sex", "spo2_scale"]].nunique()
    assert (per_patient == 1).all().all()


def test_ward_values_are_physiologically_plausible(ward: pd.DataFrame) -> None:
    assert ward["age"].between(18, 98).all()
    assert ward["respiration_rate"].between(6, 50).all()
    assert ward["spo2"].between(70, 100).all()
    assert ward["systolic_bp"].between(60, 240).all()
    assert ward["pulse"].between(30, 180).all()
    assert ward["temperature"].between(34.0, 41.0).all()
    assert set(ward["consciousness"]) == {"A", "C", "V", "P", "U"}
    assert (ward["consciousness"] == "A").mean() > 0.95
    assert ward["on_oxygen"].dtype == bool and 0.03 < ward["on_oxygen"].mean() < 0.3
    assert set(ward["spo2_scale"]) == {1, 2}
    # Typical adult values on most observations.
    assert 15 <= ward["respiration_rate"].median() <= 18
    assert 95 <= ward["spo2"][ward["spo2_scale"] == 1].median() <= 98
    assert 88 <= ward["spo2"][(ward["spo2_scale"] == 2) & ~ward["on_oxygen"]].median() <= 92


def test_ward_label_is_the_last_24_hours_before_an_event(ward: pd.DataFrame) -> None:
    for _, patient in ward.groupby("patient_id"):
        label = patient["deteriorated"].to_numpy()
        if label.any():
            first = int(np.argmax(label))
            assert label[first:].all(), "once within 24 h of the event, always within it"
            assert 1 <= len(label) - first <= 7  # 24 h of 4-hourly observations
    patients = ward.groupby("patient_id")["deteriorated"].max()
    assert 60 <= patients.sum() <= 140
    assert 0.015 < ward["deteriorated"].mean() < 0.05


def test_ward_news2_finds_a_real_but_imperfect_signal(ward: pd.DataFrame) -> None:
    from sklearn.metrics import roc_auc_score

    from healthlab.scores import news2_frame

    total = news2_frame(ward, spo2_scale="spo2_scale")["total"]
    auroc = roc_auc_score(ward["deteriorated"], total)
    assert 0.68 < auroc < 0.9, auroc
    means = total.groupby(ward["deteriorated"]).mean()
    assert means[1] > means[0] + 1.5
    # Physiology drifts before the event: the last observation is worse than the first.
    deteriorating = ward[ward.groupby("patient_id")["deteriorated"].transform("max") == 1]
    by_patient = deteriorating.assign(news2=total).groupby("patient_id")["news2"]
    assert (by_patient.last() - by_patient.first()).mean() > 2


# --------------------------------------------------------------------------------------------
# triage-notes
# --------------------------------------------------------------------------------------------


def test_triage_notes_look_like_a_nurse_wrote_them(notes: pd.DataFrame) -> None:
    assert len(notes) == 3000 and notes["note_id"].is_unique
    text = notes["note"]
    assert text.str.len().between(15, 300).all()
    for abbreviation in ("SOB", "CP", "c/o", "pt ", "hx", "LOC", "NKDA"):
        assert text.str.contains(abbreviation, case=False, regex=False).sum() > 20, abbreviation
    for negation in ("denies", "no ", "nil "):
        assert text.str.contains(negation, case=False, regex=False).sum() > 100, negation
    misspelt = "|".join(_synthetic.TRIAGE_MISSPELLINGS.values())
    assert text.str.contains(misspelt, case=False).sum() > 20
    assert set(notes["presenting_complaint"]) == set(_synthetic.TRIAGE_COMPLAINTS)
    assert set(notes["urgent"]) == {0, 1} and 0.25 < notes["urgent"].mean() < 0.5


def test_triage_negation_changes_urgency(notes: pd.DataFrame) -> None:
    # Notes that mention red flags only to deny them are rarely urgent; present ones are.
    denied_only = notes[(notes["red_flags"] == 0) & (notes["negated_flags"] > 0)]
    present = notes[notes["red_flags"] > 0]
    assert len(denied_only) > 300 and len(present) > 1000
    assert denied_only["urgent"].mean() < 0.15
    assert present["urgent"].mean() > 0.5
    rates = notes.groupby("red_flags")["urgent"].mean()
    assert rates.is_monotonic_increasing
    # The same words appear both ways: "chest pain" is in urgent and non-urgent notes.
    chest_present = notes["note"].str.contains(r"c/o CP|central CP|tight chest", case=False)
    chest_denied = notes["note"].str.contains(r"denies CP|no CP\b|denies chest pain", case=False)
    assert chest_present.sum() > 50 and chest_denied.sum() > 100
    assert notes.loc[chest_present, "urgent"].mean() > notes.loc[chest_denied, "urgent"].mean()


# --------------------------------------------------------------------------------------------
# patient-cohort
# --------------------------------------------------------------------------------------------

# Every UK postcode area (including the Crown Dependencies and non-geographic BF, BX).
UK_POSTCODE_AREAS = set(
    """AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL
    DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L
    LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE
    SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO
    ZE""".split()
)


def test_cohort_identifiers_are_test_values(cohort: pd.DataFrame) -> None:
    assert len(cohort) == 5000
    numbers = cohort["nhs_number"]
    assert numbers.is_unique
    assert numbers.str.fullmatch(r"999\d{7}").all()
    assert all(is_valid_nhs_number(x) for x in numbers)
    assert set(cohort["last_name"]) <= set(_synthetic.FICTIONAL_SURNAMES)
    assert set(cohort["first_name"]) <= set(_synthetic.FIRST_NAMES_F + _synthetic.FIRST_NAMES_M)


def test_cohort_postcodes_cannot_be_real(cohort: pd.DataFrame) -> None:
    districts = cohort["postcode_district"]
    assert districts.str.fullmatch(r"ZZ\d{1,2}").all()
    areas = {re.match(r"[A-Z]+", d).group() for d in districts}
    assert areas == {"ZZ"} and not areas & UK_POSTCODE_AREAS
    assert len(UK_POSTCODE_AREAS) == 126  # 121 UK + GY, JE, IM + non-geographic BF, BX


def test_cohort_demographics(cohort: pd.DataFrame) -> None:
    assert set(cohort["ethnic_group"]) == {"Asian", "Black", "Mixed", "White", "Other"}
    assert set(cohort["imd_quintile"]) == {1, 2, 3, 4, 5}
    assert set(cohort["sex"]) == {"F", "M"}
    assert cohort["age"].between(18, 99).all()
    born = pd.to_datetime(cohort["date_of_birth"])
    reference = pd.Timestamp(_synthetic.COHORT_REFERENCE_DATE)
    had_birthday = (born.dt.month < reference.month) | (
        (born.dt.month == reference.month) & (born.dt.day <= reference.day)
    )
    age_on_reference = reference.year - born.dt.year - (~had_birthday).astype(int)
    assert (age_on_reference == cohort["age"]).all()
    # Each postcode district lies in one deprivation quintile.
    assert (cohort.groupby("postcode_district")["imd_quintile"].nunique() == 1).all()
    assert cohort["sao2"].between(70, 100).all() and cohort["spo2"].between(70, 100).all()
    assert (cohort["annual_cost_gbp"] > 0).all()


def test_cost_as_a_proxy_for_need_under_serves_black_patients(cohort: pd.DataFrame) -> None:
    black = cohort[cohort["ethnic_group"] == "Black"]
    white = cohort[cohort["ethnic_group"] == "White"]
    # Sicker on average, yet cheaper: cost under-states their need.
    assert black["chronic_conditions"].mean() > white["chronic_conditions"].mean()
    assert black["annual_cost_gbp"].mean() < 0.8 * white["annual_cost_gbp"].mean()
    for level in range(4):  # at every level of need with enough people
        assert (
            black.loc[black["chronic_conditions"] == level, "annual_cost_gbp"].mean()
            < white.loc[white["chronic_conditions"] == level, "annual_cost_gbp"].mean()
        ), level
    k = int(0.03 * len(cohort))
    by_cost = cohort.nlargest(k, "annual_cost_gbp")
    by_need = cohort.sort_values(["chronic_conditions", "annual_cost_gbp"], ascending=False).head(k)
    share_cost = (by_cost["ethnic_group"] == "Black").mean()
    share_need = (by_need["ethnic_group"] == "Black").mean()
    assert share_need > 1.5 * share_cost, (share_cost, share_need)
    # The values quoted in the card.
    assert round(share_cost, 3) == 0.100 and round(share_need, 3) == 0.187


def _occult_hypoxaemia(df: pd.DataFrame, group: str) -> float:
    in_band = df["spo2"].between(92, 96) & (df["ethnic_group"] == group)
    return float((df.loc[in_band, "sao2"] < 88).mean())


def test_pulse_oximeter_over_reads_more_in_black_patients(cohort: pd.DataFrame) -> None:
    black, white = _occult_hypoxaemia(cohort, "Black"), _occult_hypoxaemia(cohort, "White")
    # Sjoding et al. 2020: 11.7% versus 3.6%. The card quotes the committed file's values.
    assert round(black, 3) == 0.123 and round(white, 3) == 0.028
    assert black > 2.5 * white
    error = (cohort["spo2"] - cohort["sao2"]).groupby(cohort["ethnic_group"]).mean()
    assert error["Black"] > error["White"] + 0.5


def test_oximeter_model_matches_sjoding_in_a_large_sample() -> None:
    big = datasets.make_patient_cohort(n=60_000, seed=7)
    black, white = _occult_hypoxaemia(big, "Black"), _occult_hypoxaemia(big, "White")
    assert 0.095 < black < 0.14, black  # published 11.7%
    assert 0.025 < white < 0.05, white  # published 3.6%


# --------------------------------------------------------------------------------------------
# Numbers quoted in the cards (the committed files are fixed, so the card must match them)
# --------------------------------------------------------------------------------------------


def test_ward_card_numbers(ward: pd.DataFrame) -> None:
    from sklearn.metrics import roc_auc_score

    from healthlab.scores import news2_frame

    card = datasets.describe("ward-observations", show=False)
    patients = ward.groupby("patient_id").agg(
        deteriorated=("deteriorated", "max"), scale=("spo2_scale", "first")
    )
    assert patients["deteriorated"].sum() == 96 and "96 patients (12%)" in card["population"]
    assert ward["deteriorated"].sum() == 567 and "567 of the 21,890" in card["population"]
    assert (patients["scale"] == 2).sum() == 38 and "38 patients (5%)" in card["population"]
    total = news2_frame(ward, spo2_scale="spo2_scale")["total"]
    assert round(roc_auc_score(ward["deteriorated"], total), 2) == 0.77
    alarm = total >= 5
    positive = ward["deteriorated"] == 1
    assert round((alarm & positive).sum() / positive.sum(), 2) == 0.37
    assert round((~alarm & ~positive).sum() / (~positive).sum(), 2) == 0.98
    assert "AUROC of about 0.77" in " ".join(card["generating_model"].split())


def test_triage_card_numbers(notes: pd.DataFrame) -> None:
    card = datasets.describe("triage-notes", show=False)
    counts = notes["presenting_complaint"].value_counts()
    for complaint, count in counts.items():
        assert f"{complaint} {count}" in " ".join(card["population"].split()), complaint
    assert round(notes["urgent"].mean(), 2) == 0.37
    denied_only = notes[(notes["red_flags"] == 0) & (notes["negated_flags"] > 0)]
    assert round(denied_only["urgent"].mean() * 100, 1) == 9.7
    assert "urgent 9.7% of the time" in " ".join(card["generating_model"].split())
    assert round(notes.loc[notes["red_flags"] > 0, "urgent"].mean() * 100) == 56


def test_cohort_card_numbers(cohort: pd.DataFrame) -> None:
    card = " ".join(datasets.describe("patient-cohort", show=False)["text"].split())
    groups = cohort["ethnic_group"].value_counts()
    for group, count in groups.items():
        assert f"{group} {count:,}" in card, group
    quintiles = cohort["imd_quintile"].value_counts().sort_index()
    assert " / ".join(f"{q:,}" for q in quintiles) in card
    by_group = cohort.groupby("ethnic_group")
    conditions = by_group["chronic_conditions"].mean().round(2)
    cost = by_group["annual_cost_gbp"].mean().round()
    assert f"({conditions['Black']:.2f} versus {conditions['White']:.2f}" in card
    assert f"(GBP {cost['Black']:.0f} versus {cost['White']:.0f})" in card
    band = cohort["spo2"].between(92, 96)
    for group in ("Black", "White"):
        in_band = band & (cohort["ethnic_group"] == group)
        low = int((cohort.loc[in_band, "sao2"] < 88).sum())
        assert f"({low} of {int(in_band.sum()):,})" in card, group
