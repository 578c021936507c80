"""Lesson 12's exercises, and the numbers its text states, against a fresh computation.

The numbers are recomputed here with plain pandas and hashlib (group counts, a hand-made
generalisation, a join), independently of ``healthlab.privacy``, ``healthlab.linkage`` and
``healthlab.questions.lesson12``. The acceptance rules of the lesson are tested too: every NHS
number in the stored outputs is a valid number from the 999 test range, the public list is
the seeded synthetic one, and the hash attack tries at most a million test-range numbers.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from lessonkit import UNANSWERED, answer_name, teacher_solutions

from healthlab import datasets, linkage, privacy
from healthlab.checks import evaluate_answer
from healthlab.questions import lesson12

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "12-privacy-and-governance.ipynb"
TEACHER_NOTES = ROOT / "notebooks" / "teacher-notes" / "12-privacy-and-governance.md"
EXERCISES = {
    "12.warmup-label",
    "12.warmup-oximeter",
    "12.direct-identifiers",
    "12.check-digit",
    "12.stronger-hash",
    "12.generalise-order",
    "12.caldicott",
    "12.safe-release",
}


def message(question_id: str, answer) -> str:
    return evaluate_answer(question_id, answer).message


def correct(question_id: str, answer) -> bool:
    return evaluate_answer(question_id, answer).correct


def by_hand_check_digit(first_nine: str) -> int | None:
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return {0: 0, 1: None}.get(remainder, 11 - remainder)


def valid(number: str) -> bool:
    return len(number) == 10 and by_hand_check_digit(number[:9]) == int(number[9])


@pytest.fixture(scope="module")
def cohort():
    return datasets.load("patient-cohort")


@pytest.fixture(scope="module")
def fresh(cohort):
    """Everything the lesson states, recomputed with pandas and hashlib."""
    qi = ["date_of_birth", "sex", "postcode_district"]
    table = cohort.copy()
    table["band"] = (
        (table["age"] // 10 * 10).astype(str) + "-" + (table["age"] // 10 * 10 + 9).astype(str)
    )
    table["band80"] = table["band"].where(table["age"] < 80, "80+")
    number = table["postcode_district"].str[2:].astype(int)
    low = (number - 1) // 5 * 5 + 1
    table["area"] = "ZZ" + low.astype(str) + "-ZZ" + (low + 4).astype(str)
    steps = [
        qi,
        ["age", "sex", "postcode_district"],
        ["band", "sex", "postcode_district"],
        ["band", "sex", "area"],
        ["band80", "sex", "area"],
    ]
    sizes = [table.groupby(cols).size() for cols in steps]
    # the hash attack: which cohort numbers lie among the candidates (sha256 is one-to-one here)
    start, stop = 9_990_000_000, 9_991_000_000
    in_range = [n for n in cohort["nhs_number"] if start <= int(n) < stop]
    # the linkage attack, as a plain pandas join
    public = linkage.make_public_list(cohort, n=1000, seed=42)
    n_left = table.groupby(qi).size().rename("n_left")
    n_right = public.groupby(qi).size().rename("n_right")
    both = pd.concat([n_left, n_right], axis=1, join="inner")
    unique_keys = both[(both["n_left"] == 1) & (both["n_right"] == 1)].reset_index()[qi]
    joined = (
        cohort.reset_index().merge(unique_keys, on=qi).merge(public, on=qi, suffixes=("", "_pub"))
    )
    right_person = (joined["first_name"] == joined["first_name_pub"]) & (
        joined["last_name"] == joined["last_name_pub"]
    )
    members = public.merge(cohort[list(linkage.PUBLIC_COLUMNS)], how="inner")
    decoys = public.merge(cohort[list(linkage.PUBLIC_COLUMNS)], how="left", indicator=True)
    decoys = decoys[decoys["_merge"] == "left_only"]
    # after generalising: the attacker bands the public list the same way
    pub = public.copy()
    pub["band80"] = (
        (pub["age"] // 10 * 10).astype(str) + "-" + (pub["age"] // 10 * 10 + 9).astype(str)
    )
    pub["band80"] = pub["band80"].where(pub["age"] < 80, "80+")
    pnum = pub["postcode_district"].str[2:].astype(int)
    plow = (pnum - 1) // 5 * 5 + 1
    pub["area"] = "ZZ" + plow.astype(str) + "-ZZ" + (plow + 4).astype(str)
    group = table.groupby(["band80", "sex", "area"]).size().rename("group")
    pub_groups = pub.join(group, on=["band80", "sex", "area"])["group"]
    rarest = sizes[3].sort_values(kind="stable")
    area_sizes = table.groupby("area").size()
    return {
        "table": table,
        "k": [int(s.min()) for s in sizes],
        "unique": [int((s == 1).sum()) for s in sizes],
        "rarest": rarest,
        "area_sizes": area_sizes,
        "in_range": in_range,
        "public": public,
        "joined": joined,
        "right_person": right_person,
        "members": members,
        "decoys": decoys,
        "decoy_hits": decoys.merge(cohort[qi].drop_duplicates(), on=qi),
        "pub_groups": pub_groups,
    }


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    markdown = "\n".join(
        "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"
    )
    markdown = re.sub(r"\s*\n\s*", " ", markdown)  # sentences wrap across lines
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    sources = "\n".join("".join(cell["source"]) for cell in code)
    outputs = []
    for cell in code:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            for kind in ("text/plain", "text/html"):
                outputs.append("".join(out.get("data", {}).get(kind, "")))
            outputs.append(out.get("metadata", {}).get("image/png", {}).get("alt", ""))
            outputs.append(" ".join(out.get("traceback", [])) + out.get("evalue", ""))
    return {
        "nb": nb,
        "markdown": markdown,
        "code": code,
        "sources": sources,
        "outputs": "\n".join(outputs),
    }


# --- exercises ---------------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == UNANSWERED


@pytest.mark.parametrize("junk", [None, "junk", [1, 2], {"a": 1}, 3.5, pd.DataFrame({"x": [1]})])
def test_check_never_raises_on_junk(junk):
    for question_id in EXERCISES:
        feedback = evaluate_answer(question_id, junk)
        assert isinstance(feedback.message, str) and feedback.message
        assert not feedback.correct


def test_warmups():
    for right in ("health costs", "Health costs", "cost", "costs"):
        assert correct("12.warmup-label", right)
    assert "was the fix" in message("12.warmup-label", "number of long-term conditions")
    assert "Think about money" in message("12.warmup-label", "ethnic group")
    assert "Choose one of" in message("12.warmup-label", "blood pressure")
    assert correct("12.warmup-oximeter", True)
    assert "over-read" in message("12.warmup-oximeter", False)
    assert "True or False" in message("12.warmup-oximeter", "True")


def test_direct_identifiers(cohort):
    for right in (
        ["nhs_number", "first_name", "last_name"],
        ("last_name", "NHS_number", "first_name"),
        {"first_name", "last_name", "nhs_number"},
    ):
        assert correct("12.direct-identifiers", right)
    assert "indirect identifiers" in message(
        "12.direct-identifiers", ["nhs_number", "first_name", "last_name", "date_of_birth"]
    )
    assert "indirect identifiers" in message("12.direct-identifiers", ["postcode_district"])
    assert "hundreds of people" in message("12.direct-identifiers", ["nhs_number", "ethnic_group"])
    assert "health measures" in message("12.direct-identifiers", ["nhs_number", "sao2"])
    assert "one more column" in message("12.direct-identifiers", ["first_name", "last_name"])
    assert "two columns" in message("12.direct-identifiers", ["nhs_number"])
    assert "not a column" in message("12.direct-identifiers", ["nhs number", "name"])
    assert "square brackets" in message("12.direct-identifiers", "nhs_number")
    # every name the hints call indirect or not identifying really is a cohort column
    assert {
        "date_of_birth",
        "postcode_district",
        "age",
        "sex",
        "ethnic_group",
        "imd_quintile",
    } <= set(cohort.columns)


def test_check_digit(cohort):
    number = cohort.loc[lesson12.EXERCISE_ROW, "nhs_number"]
    assert number.startswith("999288389")  # the first nine digits the lesson gives
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    assert by_hand_check_digit(number[:9]) == int(number[9])
    assert correct("12.check-digit", int(number[9]))
    assert "remainder" in message("12.check-digit", total % 11)
    assert "weighted total" in message("12.check-digit", total)
    assert "whole NHS number" in message("12.check-digit", int(number))
    assert "one digit" in message("12.check-digit", 12)
    assert "text" in message("12.check-digit", number[9])
    backwards = sum(int(d) * w for d, w in zip(number[:9], range(2, 11), strict=True))
    assert 11 - backwards % 11 != int(number[9])
    assert "wrong way round" in message("12.check-digit", 11 - backwards % 11)
    # the teacher notes' numbers
    assert (total, total % 11, int(number[9])) == (399, 3, 8)


def test_stronger_hash():
    assert correct("12.stronger-hash", False)
    assert "hashes every candidate" in message("12.stronger-hash", True)


def test_generalise_order():
    assert correct("12.generalise-order", ["C", "D", "B", "A"])
    assert correct("12.generalise-order", ["D", "C", "B", "A"])
    assert "capital letters" in message("12.generalise-order", ["c", "d", "b", "a"])
    assert "Make the new columns first" in message("12.generalise-order", ["B", "C", "D", "A"])
    assert "Make the new columns first" in message("12.generalise-order", ["C", "B", "D", "A"])
    assert "put it last" in message("12.generalise-order", ["C", "D", "A", "B"])
    assert "items" in message("12.generalise-order", ["C", "D"])


def test_generalise_order_lines_really_run_in_the_right_order(cohort):
    lines = {
        "A": 'privacy.k_anonymity(release, ["age_band", "sex", "area"])',
        "B": 'release = table[["age_band", "sex", "area", "chronic_conditions"]]',
        "C": 'table["area"] = privacy.generalise_postcode(table["postcode_district"], width=5)',
        "D": 'table["age_band"] = privacy.generalise_age(table["age"], width=10, top=80)',
    }
    for order in (["C", "D", "B", "A"], ["D", "C", "B", "A"]):
        namespace = {"privacy": privacy, "table": cohort.copy()}
        for letter in order:
            exec(lines[letter], namespace)
    for wrong in (["B", "C", "D", "A"], ["A", "C", "D", "B"]):
        namespace = {"privacy": privacy, "table": cohort.copy()}
        with pytest.raises((KeyError, NameError)):
            for letter in wrong:
                exec(lines[letter], namespace)


def test_caldicott():
    assert correct("12.caldicott", 3)
    assert "how much it got" in message("12.caldicott", 2)
    for other in (1, 4, 5, 6, 7, 8):
        assert message("12.caldicott", other) != message("12.caldicott", 2)
        assert not correct("12.caldicott", other)
    assert "from 1 to 8" in message("12.caldicott", 9)


def safe_release(cohort, top=70, width=None):
    release = cohort[["sex", "ethnic_group", "chronic_conditions", "annual_cost_gbp"]].copy()
    release["age_band"] = privacy.generalise_age(cohort["age"], width=10, top=top)
    release["area"] = privacy.generalise_postcode(cohort["postcode_district"], width=width)
    return release


def test_safe_release(cohort):
    release = safe_release(cohort)
    quasi = ["age_band", "sex", "area", "ethnic_group"]
    assert release.groupby(quasi).size().min() == 9  # the teacher notes' number
    assert correct("12.safe-release", release)
    assert safe_release(cohort, top=80).groupby(quasi).size().min() == 6
    assert safe_release(cohort, top=None).groupby(quasi).size().min() == 4
    assert "k is below 5" in message("12.safe-release", safe_release(cohort, top=None))
    assert "k is below 5" in message("12.safe-release", safe_release(cohort, width=5))
    assert "identifier or an exact value" in message(
        "12.safe-release", release.assign(postcode_district=cohort["postcode_district"])
    )
    assert "identifier or an exact value" in message("12.safe-release", cohort)
    assert "needs the columns" in message("12.safe-release", release.drop(columns="ethnic_group"))
    assert "all 5,000 people" in message("12.safe-release", release.head(100))
    assert "a DataFrame" in message("12.safe-release", [1, 2])
    # a column that is not a health measure counts as something an attacker might know
    assert "k is below 5" in message(
        "12.safe-release", release.assign(imd_quintile=cohort["imd_quintile"])
    )


def test_safe_release_claims_of_the_teacher_notes(cohort):
    quasi = ["age_band", "sex", "area", "ethnic_group"]
    for years in (10, 15, 20):
        for top in (None, 60, 70, 80):
            if top is not None and top % years:
                continue
            for width in (5, 8, 10):
                table = cohort.copy()
                table["age_band"] = privacy.generalise_age(table["age"], width=years, top=top)
                table["area"] = privacy.generalise_postcode(table["postcode_district"], width=width)
                assert table.groupby(quasi).size().min() < 5, (years, top, width)
    table = cohort.copy()
    table["age_band"] = privacy.generalise_age(table["age"], width=20, top=60)
    table["area"] = privacy.generalise_postcode(table["postcode_district"], width=20)
    assert table.groupby(quasi).size().min() == 5


def test_teacher_notes_answers_pass(cohort, notebook):
    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    for question_id, code in solutions.items():
        namespace = {"cohort": cohort, "privacy": privacy, "linkage": linkage}
        exec(code, namespace)
        answer = namespace[answer_name(notebook["code"], question_id)]
        assert correct(question_id, answer), (question_id, code)


def test_unanswered_checks_compute_nothing():
    import time

    start = time.perf_counter()
    for question_id in EXERCISES:
        assert message(question_id, ...) == UNANSWERED
    assert time.perf_counter() - start < 0.5


# --- acceptance: synthetic people, the 999 range, a small and quick attack ----------------------


def test_every_nhs_number_in_the_stored_outputs_is_a_valid_test_number(notebook):
    text = notebook["outputs"]
    # ten digits standing alone (not inside a longer number or a hexadecimal hash), or 3-3-4
    found = re.findall(r"(?<![0-9a-fA-F])(\d{10}|\d{3} \d{3} \d{4})(?![0-9a-fA-F])", text)
    numbers = {f.replace(" ", "") for f in found}
    assert "9990990964" in numbers  # Hamza's number is shown: the search works
    assert len(numbers) >= 4
    for number in numbers:
        assert number.startswith("999") and valid(number), number


def test_numbers_in_the_text_are_test_numbers(notebook):
    spaced = re.findall(r"\b\d{3} \d{3} \d{4}\b", notebook["markdown"])
    assert spaced and all(n.startswith("999") and valid(n.replace(" ", "")) for n in spaced)


def test_the_public_list_is_the_seeded_synthetic_one(cohort, notebook, fresh):
    assert "public = linkage.make_public_list(cohort, n=1000, seed=SEED)" in notebook["sources"]
    assert "SEED = 42" in notebook["sources"]
    assert lesson12.PUBLIC_LIST == {"n": 1000, "seed": 42}
    head = fresh["public"].head(3).to_string()
    assert head in notebook["outputs"]  # the stored output is a fresh call's output


def test_the_hash_attack_is_small_and_uses_sha256(notebook, cohort):
    assert "candidates = range(9_990_000_000, 9_991_000_000)" in notebook["sources"]
    candidates = lesson12.CANDIDATES
    assert candidates == range(9_990_000_000, 9_991_000_000)
    assert len(candidates) <= 1_000_000
    assert str(candidates.start).startswith("999") and str(candidates.stop - 1).startswith("999")
    assert linkage.plain_hash("9990990964") == hashlib.sha256(b"9990990964").hexdigest()
    assert linkage.plain_hash("9990990964") in notebook["outputs"]


# --- the numbers the lesson states ---------------------------------------------------------------


def test_text_states_the_uniqueness(fresh, cohort, notebook):
    text = notebook["markdown"]
    unique = fresh["unique"][0]
    assert unique == 4980
    assert f"{unique:,} of the 5,000 people ({unique / 5000:.1%}) are unique" in text
    assert (
        f"{unique:,} of 5,000 people are unique on date of birth, sex and district"
        in notebook["outputs"]
    )
    assert "87% of people in the USA" in text  # Sweeney 2000, clinical-facts.md
    assert "a district holds on average only 125 of our people" in text
    assert 5000 / cohort["postcode_district"].nunique() == 125
    assert f"{unique:,} of our 5,000 were unique on those three" in text  # key points


def test_text_states_hamza(cohort, notebook):
    text = notebook["markdown"]
    hamza = cohort.loc[2224]
    assert hamza["nhs_number"] == "9990990964" == lesson12.STORY_NHS_NUMBER
    assert (hamza["first_name"], hamza["last_name"]) == ("Hamza", "Fictionby")
    assert (
        f"Hamza Fictionby is {hamza['age']} and lives in postcode district {hamza['postcode_district']}"
        in text
    )
    assert hamza["chronic_conditions"] == 2
    assert "He has two long-term conditions" in text
    assert f"Hamza Fictionby has {hamza['chronic_conditions']} long-term conditions" in text
    assert f"his care cost £{hamza['annual_cost_gbp']:,} last year" in text
    assert "Hamza is in row 2224" in text
    # the check digit by hand
    digits = hamza["nhs_number"]
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    products = " + ".join(f"{d}*{w}" for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    assert f"total = {products}" in notebook["sources"]
    assert (
        f"total {total}, remainder {total % 11}, check digit {11 - total % 11}"
        in notebook["outputs"]
    )
    assert (
        f"The check digit is {11 - total % 11}, and Hamza's number does end in {digits[9]}" in text
    )


def test_the_typing_mistakes_are_caught_and_the_claim_holds(cohort, notebook):
    assert not valid("9990990864") and not valid("9990999064")
    assert 'is_valid_nhs_number("9990990864")' in notebook["sources"]
    assert 'is_valid_nhs_number("9990999064")' in notebook["sources"]
    # "catches every single wrong digit and every swap of two neighbouring digits"
    for number in cohort["nhs_number"].head(300):
        for i in range(10):
            for d in "0123456789":
                if d != number[i]:
                    assert not valid(number[:i] + d + number[i + 1 :])
        for i in range(9):
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            if swapped != number:
                assert not valid(swapped)


def test_text_states_the_hash_attack(fresh, cohort, notebook):
    text = notebook["markdown"]
    n = len(fresh["in_range"])
    assert n == 493
    assert "9990990964" in fresh["in_range"]
    assert f"Tried 1,000,000 numbers; recovered {n} NHS numbers" in notebook["outputs"]
    assert f"{n} of {n} recovered numbers are right" in notebook["outputs"]
    assert f"All {n} are right, Hamza's among them" in text
    assert f"{n} recovered from a million tries" in text
    assert "Recovered with Hamza's exact number as the guess: 0" in notebook["outputs"]
    # "trying a million numbers would find nothing either": no keyed pseudonym equals the
    # plain hash of any cohort number (anything else would be a SHA-256 collision)
    keyed = set(
        privacy.pseudonymise(cohort["nhs_number"], key="ward-7-secret-kept-apart", length=64)
    )
    assert 'key = "ward-7-secret-kept-apart"' in notebook["sources"]
    assert not keyed & {hashlib.sha256(n.encode()).hexdigest() for n in cohort["nhs_number"]}
    # the scale: 10^7 numbers start 999, about 10^9 possible NHS numbers (clinical-facts.md)
    assert "about 10 million numbers" in text and "about a billion (10<sup>9</sup>)" in text


def test_text_states_the_linkage_attack(fresh, notebook):
    text = notebook["markdown"]
    joined, right = fresh["joined"], fresh["right_person"]
    n = len(joined)
    assert n == 499 and right.all()
    assert len(fresh["members"]) == 500 and len(fresh["decoys"]) == 500
    assert len(fresh["decoy_hits"]) == 0  # "the decoys matched nobody"
    assert 2224 in set(joined["index"])  # Hamza is re-identified
    assert f"Re-identified: {n} of 1,000 on the list" in notebook["outputs"]
    assert f"{n} of {n} are the right person" in notebook["outputs"]
    assert f"{n} people. Only we can check" in text
    assert f"Every match is right: {n} of the 500 cohort people on the list" in text
    assert "500 of the people on the public list are in the cohort" in text
    assert f"re-identified {n} people" in text  # key points
    # "the one left over shares a birthday, sex and district with someone else in the cohort"
    members = fresh["members"]
    counts = fresh["table"].groupby(["date_of_birth", "sex", "postcode_district"]).size()
    shared = members.join(counts.rename("n"), on=["date_of_birth", "sex", "postcode_district"])
    assert (shared["n"] > 1).sum() == 500 - n


def test_text_states_the_generalisation_steps(fresh, notebook):
    text = notebook["markdown"]
    assert fresh["k"] == [1, 1, 1, 3, 8]
    assert fresh["unique"] == [4980, 1787, 42, 0, 0]
    assert list(lesson12.generalisation_table()["k"]) == fresh["k"]
    assert list(lesson12.generalisation_table()["unique"]) == fresh["unique"]
    names = ["date of birth, district", "age, district", "10-year band, district",
             "10-year band, area", "80+ band, area"]  # fmt: skip
    for name, k, unique in zip(names, fresh["k"], fresh["unique"], strict=True):
        line = f"{name}: {unique:,} unique, k = {k}"
        assert line in notebook["outputs"]  # printed, and in the figure's alt text
    assert f"From {fresh['unique'][0]:,} unique people to none" in text
    assert (
        f"k = {fresh['k'][3]}" in notebook["outputs"]
        and f"k = {fresh['k'][4]}" in notebook["outputs"]
    )
    assert f"k is only {fresh['k'][3]}" in text
    assert (
        f"k is {fresh['k'][4]}: everyone shares their age band, sex and area with at least {fresh['k'][4] - 1} other people"
        in text
    )
    assert f"(k = {fresh['k'][4]}) stopped it" in text  # key points
    # the rarest group at k = 3: 3 women aged 90-99 in ZZ36-ZZ40, the least deprived area
    # with the fewest people
    rarest = fresh["rarest"]
    assert rarest.iloc[0] == 3 and rarest.index[0] == ("90-99", "F", "ZZ36-ZZ40")
    assert (rarest == rarest.iloc[0]).sum() == 1
    assert "there are just 3 women aged 90-99 in area ZZ36-ZZ40" in text
    assert fresh["area_sizes"].idxmin() == "ZZ36-ZZ40"
    quintiles = fresh["table"].loc[fresh["table"]["area"] == "ZZ36-ZZ40", "imd_quintile"]
    assert set(quintiles) == {5}  # least deprived (data card: ZZ33-ZZ40 are quintile 5)


def test_text_states_the_attack_after_generalising(fresh, notebook):
    text = notebook["markdown"]
    groups = fresh["pub_groups"]
    assert groups.notna().all() and int(groups.min()) == fresh["k"][4] == 8
    assert "Re-identified: 0" in notebook["outputs"]
    assert (
        f"Fewest records any person on the list could be: {int(groups.min())}"
        in notebook["outputs"]
    )
    assert f"each person on the public list matches at least {int(groups.min())} records" in text
    assert f"If all {int(groups.min())} people in a group had the same illness" in text


def test_text_states_the_governance_facts(notebook):
    # clinical-facts.md: UK frameworks and landmark cases
    text = notebook["markdown"]
    for principle in (
        "Justify the purpose",
        "only when it is necessary",
        "minimum necessary",
        "need-to-know",
        "aware of their responsibilities",
        "Comply with the law",
        "duty to share information for individual care is as important",
        "Inform patients and service users",
    ):
        assert principle in text
    assert "Article 6 **and** a condition under Article 9, such as 9(2)(h)" in text
    assert "9(2)(i) (public health)" in text
    for safe in ("people", "projects", "settings", "data", "outputs"):
        assert f"safe **{safe}**" in text
    assert "Since 2018, patients in England can choose" in text
    assert "about 1.6 million patient records" in text and "In July 2017" in text
    assert "there was no fine" in text
    assert "Article 22" not in text  # automated decisions: cite the Data (Use and Access) Act


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        found = re.findall(r'check\("(12\.[\w-]+)", answer\)', "".join(cell["source"]))
        if found:
            ids.update(found)
            assert "answer = ..." in "".join(cell["source"])  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == UNANSWERED
    assert ids == EXERCISES


def test_warmup_comes_right_after_the_setup_cell(notebook):
    cells = notebook["nb"]["cells"]
    assert cells[1]["cell_type"] == "code" and "%matplotlib inline" in "".join(cells[1]["source"])
    assert "".join(cells[2]["source"]).startswith("## Warm-up: remember lesson 11")
    assert notebook["nb"]["metadata"]["healthlab"] == {"introduces": []}
