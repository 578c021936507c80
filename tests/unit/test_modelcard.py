"""healthlab.modelcard: the template, the section check and the per-site validation table.

The validation table is checked against a fresh computation: the AUROC from scikit-learn, its
interval from the Hanley & McNeil (1982) formula written out here, the calibration intercept
and slope by maximum likelihood with SciPy (not with scikit-learn's LogisticRegression, which
``healthlab.evaluate`` uses), and the Brier score as a plain mean.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logit
from sklearn.metrics import roc_auc_score

from healthlab import modelcard
from healthlab.modelcard import (
    PROMPTS,
    SECTIONS,
    card_sections,
    check_model_card,
    template,
    validation_table,
)


def filled(**overrides: str) -> str:
    """A card with every section filled in (text per section can be overridden; None drops it)."""
    lines = ["# Model card: test"]
    for section in SECTIONS:
        text = overrides.get(section, f"Some words about {section.lower()} for this model.")
        if text is None:
            continue
        lines += [f"## {section}", text, ""]
    return "\n".join(lines)


# --- SECTIONS, PROMPTS, template --------------------------------------------------------------


def test_the_required_sections():
    assert SECTIONS == (
        "Model details",
        "Intended use",
        "Data",
        "Evaluation",
        "External validation",
        "Fairness",
        "Limitations and risks",
        "Clinical safety",
        "Regulation",
        "Monitoring",
        "Contact",
    )
    assert tuple(PROMPTS) == SECTIONS
    assert all(len(p.split()) >= 5 and "\n" not in p for p in PROMPTS.values())
    with pytest.raises(TypeError):
        PROMPTS["Data"] = "changed"  # read-only, so a lesson cannot change the course's template
    for words in ("DCB0129", "DCB0160", "hazard log"):
        assert words in PROMPTS["Clinical safety"]
    assert "MHRA" in PROMPTS["Regulation"] and "NICE" in PROMPTS["Regulation"]
    assert "out of scope" in PROMPTS["Intended use"]
    assert "data card" in PROMPTS["Data"]
    assert "intervals" in PROMPTS["Evaluation"]


def test_template_has_every_heading_and_prompt_in_order():
    text = template()
    assert text.startswith("# Model card: (name of the model)\n")
    assert "Mitchell et al. (2019)" in text and "NHS" in text
    positions = [text.index(f"\n## {s}\n_Prompt: {PROMPTS[s]}_\n") for s in SECTIONS]
    assert positions == sorted(positions)
    assert template("Model card: sepsis alert").startswith("# Model card: sepsis alert\n")


@pytest.mark.parametrize("bad", [None, 3, ["a"]])
def test_template_title_must_be_text(bad):
    with pytest.raises(TypeError, match="title must be text"):
        template(bad)


@pytest.mark.parametrize("bad", ["", "   ", "two\nlines"])
def test_template_title_must_be_one_line(bad):
    with pytest.raises(ValueError, match=repr(bad).replace("\\", "\\\\")):
        template(bad)


# --- check_model_card -------------------------------------------------------------------------


def test_the_unchanged_template_is_all_empty():
    report = check_model_card(template())
    assert list(report.columns) == ["section", "present", "words", "note"]
    assert report["section"].tolist() == list(SECTIONS)
    assert report["present"].all() and (report["words"] == 0).all()
    assert (report["note"] == "empty: it holds only the prompt").all()
    assert report.attrs["complete"] is False
    assert report.attrs["empty"] == list(SECTIONS) and report.attrs["missing"] == []


def test_a_filled_card_is_complete():
    report = check_model_card(filled())
    assert report.attrs["complete"] is True
    assert (report["note"] == "").all() and (report["words"] >= 5).all()
    assert report.attrs["extra"] == []


def test_missing_empty_and_short_sections_are_named():
    card = filled(Data=None, Fairness=f"_Prompt: {PROMPTS['Fairness']}_", Contact="Ward 7.")
    report = check_model_card(card).set_index("section")
    assert report.loc["Data", "note"] == "missing: add a '## Data' heading"
    assert not report.loc["Data", "present"]
    assert report.loc["Fairness", "note"] == "empty: it holds only the prompt"
    assert report.loc["Contact", "note"] == "short: 2 words (aim for at least 5)"
    assert report.loc["Contact", "words"] == 2
    assert check_model_card(card, min_words=2).set_index("section").loc["Contact", "note"] == ""
    one = check_model_card(filled(Contact="Ade.")).set_index("section").loc["Contact", "note"]
    assert one == "short: 1 word (aim for at least 5)"
    whole = check_model_card(card)
    assert whole.attrs["missing"] == ["Data"] and whole.attrs["empty"] == ["Fairness"]
    assert whole.attrs["complete"] is False  # short is a note, not a failure
    assert check_model_card(filled(Contact="Ward 7.")).attrs["complete"] is True


def test_prompts_are_not_counted_as_words_however_they_are_kept():
    prompt = PROMPTS["Monitoring"]
    for kept in (
        f"_Prompt: {prompt}_",
        f"Prompt: {prompt}",
        prompt,
        f"*Prompt:*   {prompt}",
        "...",
    ):
        report = check_model_card(filled(Monitoring=kept)).set_index("section")
        assert report.loc["Monitoring", "words"] == 0, kept
    both = check_model_card(filled(Monitoring=f"_Prompt: {prompt}_\nEvery month, by the CSO."))
    assert both.set_index("section").loc["Monitoring", "words"] == 5


def test_headings_are_matched_by_their_start_any_level_and_numbering():
    card = filled().replace("## Intended use", "### 2. Intended use and out-of-scope uses:")
    card = card.replace("## Data\n", "# data\n").replace("## Contact", "#### **Contact**")
    assert check_model_card(card).attrs["complete"] is True
    # a heading that only begins with the same letters is not the section
    wrong = filled(Data=None) + "\n## Database\nA table of 303 patients at Cleveland.\n"
    report = check_model_card(wrong)
    assert report.attrs["missing"] == ["Data"] and report.attrs["extra"] == ["Database"]


def test_a_repeated_heading_adds_up_and_is_noted():
    card = filled() + "\n## Fairness\nMore about women and men.\n"
    row = check_model_card(card).set_index("section").loc["Fairness"]
    assert row["note"] == "appears 2 times"
    assert row["words"] == len("Some words about fairness for this model.".split()) + 5


def test_text_before_the_first_section_and_other_headings_are_ignored():
    card = "Intro text with many words that belong to no section.\n" + filled()
    card += "\n## Appendix\nA glossary.\n"
    report = check_model_card(card)
    assert report.attrs["complete"] and report.attrs["extra"] == ["Appendix"]
    # headings inside the text of a section start a new (unrequired) part
    cut = filled(Contact="x").replace("## Contact\nx", "## Contact\n## Notes\nLots of words here.")
    assert check_model_card(cut).set_index("section").loc["Contact", "words"] == 0


def test_an_empty_string_is_all_missing():
    report = check_model_card("")
    assert not report["present"].any() and report.attrs["missing"] == list(SECTIONS)


@pytest.mark.parametrize("bad", [None, 42, ["## Data"], pd.DataFrame()])
def test_check_model_card_needs_text(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        check_model_card(bad)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "5"])
def test_min_words_must_be_a_whole_number(bad):
    with pytest.raises(ValueError, match=f"got {bad!r}"):
        check_model_card(filled(), min_words=bad)


def test_card_sections_gives_the_text_without_prompts():
    card = filled(Data=f"_Prompt: {PROMPTS['Data']}_\n303 patients at Cleveland.", Regulation=None)
    texts = card_sections(card)
    assert list(texts) == [s for s in SECTIONS if s != "Regulation"]
    assert texts["Data"] == "303 patients at Cleveland."
    assert card_sections(template())["Contact"] == ""
    with pytest.raises(TypeError):
        card_sections(None)


# --- validation_table -------------------------------------------------------------------------


def hanley_mcneil(y, p):
    auc = roc_auc_score(y, p)
    n1, n0 = int(np.sum(y)), int(len(y) - np.sum(y))
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    se = math.sqrt(
        (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0)
    )
    return auc, max(0.0, auc - 1.959963984540054 * se), min(1.0, auc + 1.959963984540054 * se)


def ml_intercept(y, p):
    offset = logit(np.clip(p, 1e-15, 1 - 1e-15))

    def minus_log_likelihood(a):
        q = expit(a + offset)
        return -np.sum(y * np.log(q) + (1 - y) * np.log(1 - q))

    return minimize_scalar(minus_log_likelihood, bounds=(-20, 20), method="bounded").x


def ml_slope(y, p):
    x = logit(np.clip(p, 1e-15, 1 - 1e-15))

    def minus_log_likelihood(ab):
        q = np.clip(expit(ab[0] + ab[1] * x), 1e-15, 1 - 1e-15)
        return -np.sum(y * np.log(q) + (1 - y) * np.log(1 - q))

    return minimize(minus_log_likelihood, [0.0, 1.0], method="Nelder-Mead",
                    options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000}).x[1]  # fmt: skip


@pytest.fixture(scope="module")
def two_sites():
    rng = np.random.default_rng(3)
    risk = rng.uniform(0.05, 0.95, 600)
    home = (rng.random(600) < risk).astype(int)
    away = (rng.random(600) < np.sqrt(risk)).astype(int)
    y = np.r_[home, away]
    p = np.r_[risk, risk]
    sites = np.array(["home"] * 600 + ["away"] * 600)
    return y, p, sites


def test_validation_table_matches_a_fresh_computation(two_sites):
    y, p, sites = two_sites
    table = validation_table(y, p, sites)
    assert table.index.tolist() == ["home", "away"]  # order of first appearance
    assert table.index.name == "site"
    assert list(table.columns) == [
        "people", "with_condition", "prevalence", "mean_predicted", "auroc", "auroc_low",
        "auroc_high", "calibration_intercept", "calibration_slope", "brier", "caution",
    ]  # fmt: skip
    for site in ("home", "away"):
        yy, pp = y[sites == site], p[sites == site]
        row = table.loc[site]
        assert row["people"] == 600 and row["with_condition"] == yy.sum()
        assert row["prevalence"] == pytest.approx(yy.mean())
        assert row["mean_predicted"] == pytest.approx(pp.mean())
        auc, low, high = hanley_mcneil(yy, pp)
        assert (row["auroc"], row["auroc_low"], row["auroc_high"]) == pytest.approx(
            (auc, low, high)
        )
        assert row["calibration_intercept"] == pytest.approx(ml_intercept(yy, pp), abs=1e-5)
        assert row["calibration_slope"] == pytest.approx(ml_slope(yy, pp), abs=1e-4)
        assert row["brier"] == pytest.approx(np.mean((pp - yy) ** 2))
        assert row["caution"] == ""
    # the "away" site has more disease than the risks say: intercept clearly above 0
    assert (
        table.loc["away", "calibration_intercept"]
        > 0.5
        > abs(table.loc["home", "calibration_intercept"])
    )
    assert table.attrs["confidence"] == 0.95


def test_validation_table_confidence_widens_the_interval(two_sites):
    y, p, sites = two_sites
    narrow = validation_table(y, p, sites, confidence=0.8).loc["home"]
    wide = validation_table(y, p, sites).loc["home"]
    assert wide["auroc_low"] < narrow["auroc_low"] < narrow["auroc"] < narrow["auroc_high"]
    assert narrow["auroc_high"] < wide["auroc_high"]


def test_validation_table_cautions_and_one_outcome_sites():
    y = [1] * 20 + [0] * 3 + [1] * 5 + [0] * 5 + [1] * 4
    p = np.linspace(0.1, 0.9, len(y))
    sites = ["few without"] * 23 + ["few with"] * 10 + ["everyone ill"] * 4
    table = validation_table(y, p, sites)
    assert table.loc["few without", "caution"] == "only 3 without the condition: too few to be sure"
    assert table.loc["few with", "caution"] == "only 5 with the condition: too few to be sure"
    row = table.loc["everyone ill"]
    assert (
        row["caution"]
        == "everybody has the condition: the AUROC and calibration cannot be calculated"
    )
    assert math.isnan(row["auroc"]) and math.isnan(row["calibration_slope"])
    assert row["brier"] == pytest.approx(np.mean((np.array(p[-4:]) - 1) ** 2))
    nobody = validation_table([0, 0, 1, 0], [0.2, 0.3, 0.6, 0.1], ["a", "a", "b", "b"])
    assert nobody.loc["a", "caution"].startswith("nobody has the condition")
    assert validation_table(y, p, sites, min_cases=3).loc["few without", "caution"] == ""


def test_validation_table_keeps_the_order_of_categories():
    sites = pd.Series(pd.Categorical(["b", "a", "b", "a"], categories=["z", "b", "a"]))
    table = validation_table([1, 0, 0, 1], [0.8, 0.3, 0.4, 0.6], sites)
    assert table.index.tolist() == ["b", "a"]


def test_validation_table_errors_name_the_problem():
    with pytest.raises(ValueError, match="y_true"):
        validation_table([0, 2, 1], [0.1, 0.2, 0.3], ["a"] * 3)
    with pytest.raises(ValueError, match="y_prob"):
        validation_table([0, 1, 1], [0.1, 1.2, 0.3], ["a"] * 3)
    with pytest.raises(ValueError, match="length"):
        validation_table([0, 1, 1], [0.1, 0.2], ["a"] * 3)
    with pytest.raises(ValueError, match="sites has 1 missing"):
        validation_table([0, 1, 1], [0.1, 0.2, 0.3], ["a", None, "b"])
    with pytest.raises(ValueError, match="min_cases .* got -1"):
        validation_table([0, 1], [0.1, 0.2], ["a", "a"], min_cases=-1)
    with pytest.raises(ValueError, match="confidence"):
        validation_table([0, 1], [0.1, 0.2], ["a", "a"], confidence=95)


def test_the_module_is_small_and_documented():
    assert set(modelcard.__all__) == {
        "PROMPTS", "SECTIONS", "card_sections", "check_model_card", "template", "validation_table",
    }  # fmt: skip
    for name in ("card_sections", "check_model_card", "template", "validation_table"):
        doc = getattr(modelcard, name).__doc__
        for part in ("Parameters", "Returns", "Raises", "Examples"):
            assert part in doc, (name, part)
