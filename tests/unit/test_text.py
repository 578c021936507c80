"""Tests for healthlab.text: keyword search, the NegEx-style negation rule, what a bag-of-words
model learned, and the tiny language model."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from healthlab import datasets
from healthlab._synthetic import TRIAGE_FINDINGS
from healthlab.text import (
    NEGATION_WORDS,
    RED_FLAG_GROUPS,
    RED_FLAGS,
    TERMINATION_WORDS,
    continue_note,
    find_keywords,
    flag_notes,
    negated,
    next_words,
    top_weights,
)

# --- the keyword list matches the generator of the triage notes ------------------------------


def test_groups_are_the_generators_urgent_findings():
    assert set(RED_FLAG_GROUPS) == set(TRIAGE_FINDINGS)
    assert RED_FLAGS == tuple(k for group in RED_FLAG_GROUPS.values() for k in group)
    assert len(set(RED_FLAGS)) == len(RED_FLAGS)


@pytest.mark.parametrize("finding", sorted(TRIAGE_FINDINGS))
def test_every_way_of_writing_a_present_finding_is_found_and_not_negated(finding):
    _, present, _ = TRIAGE_FINDINGS[finding]
    for phrase in present:
        found = find_keywords(phrase, RED_FLAG_GROUPS[finding])
        assert found, f"no keyword of {finding!r} finds {phrase!r}"
        assert not any(negated(phrase, keyword) for keyword in found), phrase


@pytest.mark.parametrize("finding", sorted(TRIAGE_FINDINGS))
def test_every_keyword_is_a_way_the_generator_writes_its_finding(finding):
    _, present, _ = TRIAGE_FINDINGS[finding]
    for keyword in RED_FLAG_GROUPS[finding]:
        assert any(find_keywords(phrase, [keyword]) for phrase in present), keyword


@pytest.mark.parametrize("finding", sorted(TRIAGE_FINDINGS))
def test_every_way_of_writing_an_absent_finding_is_not_found_or_negated(finding):
    _, _, absent = TRIAGE_FINDINGS[finding]
    for phrase in absent:
        for keyword in find_keywords(phrase, RED_FLAGS):
            assert negated(phrase, keyword), (phrase, keyword)


def test_the_plain_search_finds_almost_every_red_flag_in_the_committed_notes():
    notes = datasets.load("triage-notes")
    flagged = flag_notes(notes["note"], RED_FLAGS, handle_negation=False)["flagged"]
    missed = notes.loc[(notes["red_flags"] > 0) & ~flagged, "note"]
    # Only notes with a typo in the keyword ("pian 9/10", "sohrt of breath") are missed.
    assert 0 < len(missed) <= 5
    fixed = missed.str.replace("pian", "pain").str.replace("sohrt", "short")
    fixed = fixed.str.replace("cfofee", "coffee").str.replace("faical", "facial")
    assert flag_notes(fixed, RED_FLAGS, handle_negation=False)["flagged"].all()


# --- find_keywords -----------------------------------------------------------------------------


def test_find_keywords_in_order_of_appearance_once_each():
    note = "68M CP x2 days. pt reports nil SOB, pain 2/10. CP worse on walking."
    assert find_keywords(note, RED_FLAGS) == ["CP", "SOB"]
    assert find_keywords(note, ["SOB", "CP"]) == ["CP", "SOB"]


def test_find_keywords_ignores_case_and_matches_whole_words_only():
    assert find_keywords("pt blocked, SOBOE", ["LOC", "SOB"]) == []
    assert find_keywords("no loc", ["LOC"]) == ["LOC"]
    assert find_keywords("CHEST   PAIN", ["chest pain"]) == ["chest pain"]
    assert find_keywords("pain 9/10", ["pain 9/10"]) == ["pain 9/10"]
    assert find_keywords("pain 9/100", ["pain 9/10"]) == []


def test_find_keywords_misses_a_misspelt_keyword():
    # A known limitation: typos are not found at all.
    assert find_keywords("brethless, pian 9/10", RED_FLAGS) == []


# --- negated: the examples of the lesson -------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "keyword"),
    [
        ("denies chest pain", "chest pain"),
        ("nil SOB", "SOB"),
        ("no LOC", "LOC"),
        ("68M CP x2 days. pt reports nil SOB, pain 2/10.", "SOB"),
        ("50M fall. no confusion, denies LOC, pain 3/10.", "LOC"),
        ("NIL sob", "SOB"),
        ("no lip or tongue swelling", "tongue swelling"),
        ("no evidence of chest pain", "chest pain"),
        ("did not hit head", "hit head"),
        ("didnt hit head", "hit head"),
        ("didn\u2019t hit head", "hit head"),
        ("negative for stridor", "stridor"),
    ],
)
def test_negated_findings(note, keyword):
    assert negated(note, keyword) is True


@pytest.mark.parametrize(
    ("note", "keyword"),
    [
        ("c/o chest pain", "chest pain"),
        ("68M CP x2 days. pt reports nil SOB, pain 2/10.", "CP"),
        ("CP x2 days. no SOB.", "CP"),  # the full stop ends the negation
        ("No CP at rest but CP on walking.", "CP"),  # "but" ends it, and one mention is present
        ("no SOB; clammy", "clammy"),
        ("no SOB however clammy", "clammy"),
        ("denies CP. CP radiating to L arm", "CP"),
        ("twisted ankle", "chest pain"),  # not mentioned at all
    ],
)
def test_findings_that_are_not_negated(note, keyword):
    assert negated(note, keyword) is False


def test_termination_words_and_negation_words_are_documented_constants():
    assert "but" in TERMINATION_WORDS
    for word in ("no", "not", "nil", "denies"):
        assert word in NEGATION_WORDS


def test_the_window_counts_words_before_the_keyword():
    note = "no fever, cough, sore throat or chest pain"  # "no" is 6 words before "chest"
    assert negated(note, "chest pain", window=6) is True
    assert negated(note, "chest pain", window=5) is False
    assert negated("no chest pain", "chest pain", window=1) is True
    assert negated("not really chest pain", "chest pain", window=1) is False


def test_custom_negation_words():
    assert negated("chest pain absent? no: free of chest pain", "chest pain") is False
    assert negated("free of chest pain", "chest pain", negations=["free of"]) is True


def test_known_limitation_negation_after_the_keyword_is_missed():
    # NegEx looks before the keyword only: these are misread as present.
    assert negated("chest pain: none", "chest pain") is False
    assert negated("chest pain ruled out", "chest pain") is False


def test_known_limitation_a_negation_reaches_across_a_list():
    # "no fever, chest pain" most likely means chest pain IS present; the rule reads it as denied.
    assert negated("no fever, chest pain since 0600", "chest pain") is True
    assert negated("not confused, witnessed LOC", "LOC") is True


# --- errors name the bad value ---------------------------------------------------------------


@pytest.mark.parametrize("window", [0, -1])
def test_window_below_one_is_refused(window):
    with pytest.raises(ValueError, match=rf"window must be 1 or more.*got {window}"):
        negated("no CP", "CP", window=window)


@pytest.mark.parametrize("window", [1.5, True, "5", None])
def test_window_not_a_whole_number_is_refused(window):
    with pytest.raises(ValueError, match="window must be a whole number"):
        negated("no CP", "CP", window=window)


@pytest.mark.parametrize("keywords", [[], ()])
def test_an_empty_keyword_list_is_refused(keywords):
    with pytest.raises(ValueError, match="keywords is empty"):
        find_keywords("no CP", keywords)
    with pytest.raises(ValueError, match="keywords is empty"):
        flag_notes(["no CP"], keywords)


def test_one_keyword_instead_of_a_list_is_refused():
    with pytest.raises(ValueError, match="not one text 'chest pain'"):
        find_keywords("no chest pain", "chest pain")


@pytest.mark.parametrize("bad", [[3], [""], ["CP", None]])
def test_keywords_that_are_not_text_are_refused(bad):
    with pytest.raises(ValueError, match="every item of keywords must be a non-empty text"):
        find_keywords("no CP", bad)


@pytest.mark.parametrize("note", [None, float("nan"), 5, ["no CP"]])
def test_a_note_that_is_not_text_is_refused(note):
    with pytest.raises(ValueError, match="note must be text"):
        negated(note, "CP")
    with pytest.raises(ValueError, match="note must be text"):
        find_keywords(note, RED_FLAGS)


def test_flag_notes_names_the_note_that_is_not_text():
    with pytest.raises(ValueError, match="note 1 of notes must be text.*float nan"):
        flag_notes(["no CP", float("nan")], RED_FLAGS)
    with pytest.raises(ValueError, match="not one text"):
        flag_notes("no CP", RED_FLAGS)
    with pytest.raises(ValueError, match="handle_negation must be True or False; got 'yes'"):
        flag_notes(["no CP"], RED_FLAGS, handle_negation="yes")


def test_empty_keyword_or_negation_list_is_refused():
    with pytest.raises(ValueError, match="keyword must be a non-empty text"):
        negated("no CP", "")
    with pytest.raises(ValueError, match="negations is empty"):
        negated("no CP", "CP", negations=[])


# --- flag_notes --------------------------------------------------------------------------------


def test_flag_notes_with_and_without_the_negation_rule():
    notes = pd.Series(
        ["68M CP x2 days. nil SOB.", "40F fall. denies LOC.", "23M low mood."], index=[7, 8, 9]
    )
    plain = flag_notes(notes, RED_FLAGS, handle_negation=False)
    assert list(plain.columns) == ["mentioned", "negated", "flags", "flagged"]
    assert list(plain.index) == [7, 8, 9]
    assert plain["mentioned"].tolist() == ["CP, SOB", "LOC", ""]
    assert plain["negated"].tolist() == ["", "", ""]
    assert plain["flags"].tolist() == [2, 1, 0]
    assert plain["flagged"].tolist() == [True, True, False]
    rule = flag_notes(notes, RED_FLAGS)
    assert rule["negated"].tolist() == ["SOB", "LOC", ""]
    assert rule["flags"].tolist() == [1, 0, 0]
    assert rule["flagged"].tolist() == [True, False, False]


def test_flag_notes_agrees_with_negated_note_by_note():
    notes = datasets.load("triage-notes")["note"].head(200)
    table = flag_notes(notes, RED_FLAGS, window=3)
    for note, row in zip(notes, table.itertuples(), strict=True):
        found = find_keywords(note, RED_FLAGS)
        denied = [k for k in found if negated(note, k, window=3)]
        assert row.mentioned == ", ".join(found)
        assert row.negated == ", ".join(denied)
        assert row.flags == len(found) - len(denied)


def test_flag_notes_accepts_a_plain_list():
    table = flag_notes(["no CP", "CP"], ["CP"])
    assert list(table.index) == [0, 1]
    assert table["flagged"].tolist() == [False, True]


# --- top_weights -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    notes = ["c/o CP, clammy", "CP radiating", "stridor, CP", "twisted ankle", "ankle pain 2/10",
             "knee injury, no CP"]  # fmt: skip
    vectorizer = CountVectorizer()
    model = LogisticRegression().fit(vectorizer.fit_transform(notes), [1, 1, 1, 0, 0, 0])
    return vectorizer, model


def test_top_weights_largest_first_then_most_negative_last(small_model):
    vectorizer, model = small_model
    table = top_weights(vectorizer, model, n=3, labels=("not urgent", "urgent"))
    assert list(table.columns) == ["word", "weight", "pushes towards"]
    weights = dict(zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True))
    positive = sorted((w for w in weights if weights[w] > 0), key=lambda w: (-weights[w], w))[:3]
    negative = sorted((w for w in weights if weights[w] < 0), key=lambda w: (weights[w], w))[:3]
    assert table["word"].tolist() == positive + negative[::-1]
    assert table["word"].iloc[0] == "cp"
    assert np.allclose(table["weight"], [weights[w] for w in table["word"]])
    assert table["pushes towards"].tolist() == ["urgent"] * 3 + ["not urgent"] * 3
    assert table["weight"].is_monotonic_decreasing


def test_top_weights_default_labels_are_the_classes(small_model):
    vectorizer, model = small_model
    table = top_weights(vectorizer, model, n=1)
    assert table["pushes towards"].tolist() == ["1", "0"]


def test_top_weights_with_a_large_n_gives_every_word_once(small_model):
    vectorizer, model = small_model
    table = top_weights(vectorizer, model, n=1000)
    nonzero = int((model.coef_[0] != 0).sum())
    assert len(table) == nonzero and table["word"].is_unique


def test_top_weights_refuses_what_it_cannot_read(small_model):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer, model = small_model
    with pytest.raises(ValueError, match="vectorizer must be a fitted CountVectorizer"):
        top_weights(CountVectorizer(), model)
    with pytest.raises(ValueError, match="model must be a fitted LogisticRegression"):
        top_weights(vectorizer, LogisticRegression())
    other = CountVectorizer().fit(["just two", "words here"])
    with pytest.raises(ValueError, match="pass the vectorizer the model was trained with"):
        top_weights(other, model)
    three = LogisticRegression().fit(vectorizer.transform(["cp", "ankle", "knee"]), [0, 1, 2])
    with pytest.raises(ValueError, match="exactly two classes"):
        top_weights(vectorizer, three)
    with pytest.raises(ValueError, match="n must be a whole number, 1 or more; got 0"):
        top_weights(vectorizer, model, n=0)
    with pytest.raises(ValueError, match="labels must be two texts"):
        top_weights(vectorizer, model, labels="urgent")


# --- the tiny language model ---------------------------------------------------------------


def test_next_words_counts_what_follows():
    table = next_words(["no CP.", "no SOB.", "denies SOB.", "No sob"], "NO")
    assert list(table.columns) == ["next word", "count", "share"]
    assert table["next word"].tolist() == ["sob", "cp"]
    assert table["count"].tolist() == [2, 1]
    assert np.allclose(table["share"], [2 / 3, 1 / 3], atol=0.001)
    assert next_words(["no CP."], "cp")["next word"].tolist() == ["."]
    assert next_words(["no CP"], "cp")["next word"].tolist() == ["<end>"]


def test_next_words_on_the_notes_against_a_count_by_hand():
    notes = datasets.load("triage-notes")["note"]
    table = next_words(notes, "denies", n=3)
    after = [m.group(1) for m in re.finditer(r"\bdenies (\w+)", " ".join(notes).lower())]
    counts = pd.Series(after).value_counts()
    assert table["next word"].tolist() == counts.index[:3].tolist()
    assert table["count"].tolist() == counts.iloc[:3].tolist()


def test_next_words_refuses_unknown_or_several_words():
    with pytest.raises(ValueError, match="never appears"):
        next_words(["no CP"], "stridor")
    with pytest.raises(ValueError, match="word must be one word"):
        next_words(["no CP"], "no CP")
    with pytest.raises(ValueError, match="n must be a whole number"):
        next_words(["no CP"], "no", n=0)


def test_continue_note_is_repeatable_and_every_word_pair_is_real():
    notes = datasets.load("triage-notes")["note"]
    written = continue_note(notes, "72f", n_words=30, seed=42)
    assert written == continue_note(notes, "72f", n_words=30, seed=42)
    assert written.startswith("72f ")
    tokens = re.findall(r"[a-z0-9/'%+?-]+(?:\.\d+)?|[.,]", written)
    seen = set()
    for note in notes:
        t = re.findall(r"[a-z0-9/'%+?-]+(?:\.\d+)?|[.,]", note.lower())
        seen.update(zip(t[:-1], t[1:], strict=True))
    for pair in zip(tokens[:-1], tokens[1:], strict=True):
        assert pair in seen, pair
    assert len(tokens) <= 31


def test_continue_note_refuses_bad_input():
    with pytest.raises(ValueError, match="never appears"):
        continue_note(["no CP"], "stridor")
    with pytest.raises(ValueError, match="start must be text"):
        continue_note(["no CP"], "")
    with pytest.raises(ValueError, match="seed must be a whole number"):
        continue_note(["no CP"], "no", seed=1.5)
    with pytest.raises(ValueError, match="n_words must be a whole number"):
        continue_note(["no CP"], "no", n_words=0)
