"""Model cards: the numbers and the words that go with a model to the hospital that may use it.

A **model card** (Mitchell et al. 2019, "Model cards for model reporting", FAT* conference) is
a short document that travels with a model: what it is for, what data it learned from, how
well it works and for whom, and what it must not be used for. The course's template adapts it
for NHS use: it adds external validation, clinical safety (DCB0129 and DCB0160: a Clinical
Safety Officer, a hazard log and a safety case), regulation (the MHRA class, the NICE Evidence
Standards Framework tier) and monitoring after go-live.

Three things, each small:

- :data:`SECTIONS` and :func:`template`: the required sections, and a Markdown template with
  one prompt line under each heading.
- :func:`check_model_card`: which required sections a card is missing, or still holds only
  the prompt; :func:`card_sections` gives the text of each section.
- :func:`validation_table`: the numbers for the "Evaluation" and "External validation"
  sections: discrimination (AUROC with its interval) and calibration (average predicted risk
  against the observed share, the calibration intercept and slope, the Brier score), one row
  per hospital.

Examples
--------
>>> from healthlab.modelcard import SECTIONS, check_model_card, template
>>> len(SECTIONS), SECTIONS[0]
(11, 'Model details')
>>> report = check_model_card(template())
>>> report.attrs["complete"], report["note"].iloc[0]
(False, 'empty: it holds only the prompt')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from healthlab.evaluate import (
    MIN_CASES_PER_GROUP,
    _as_1d,
    _binary,
    _confidence,
    _probabilities,
    _same_length,
    _z,
    brier_score,
    calibration_in_the_large,
    calibration_slope,
)

__all__ = [
    "PROMPTS",
    "SECTIONS",
    "card_sections",
    "check_model_card",
    "template",
    "validation_table",
]

#: One line under each heading of the template: what the section should say.
PROMPTS: Mapping[str, str] = MappingProxyType(
    {
        "Model details": "What the model is (type, inputs, output), who made it, its version "
        "and date.",
        "Intended use": "Who should use it, for which patients and which decision; and the uses "
        "that are out of scope.",
        "Data": "The training data: where and when it was collected, how many patients, who "
        "they were; link its data card.",
        "Evaluation": "The measures (e.g. AUROC, sensitivity, calibration) with 95% intervals, "
        "and on which patients.",
        "External validation": "The results at each hospital the model did not learn from, and "
        "why they differ.",
        "Fairness": "The results for each subgroup (sex, age, ethnic group, site), with "
        "intervals, and any gaps.",
        "Limitations and risks": "What could go wrong, for whom, and what the model must not "
        "be used for.",
        "Clinical safety": "The Clinical Safety Officer, the hazard log and the safety case "
        "(DCB0129, DCB0160).",
        "Regulation": "Is it a medical device? Its MHRA class and UKCA marking; its NICE "
        "evidence standards tier.",
        "Monitoring": "What is measured after go-live, how often, by whom, and what triggers "
        "a review.",
        "Contact": "Who to contact with a question or to report a problem.",
    }
)

#: The required sections of the course's model card, in the template's order.
SECTIONS: tuple[str, ...] = tuple(PROMPTS)

_PROMPT_MARK = "Prompt:"
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERING = re.compile(r"^(\d+[.)]|[A-Za-z][.)])\s+")
_WORD = re.compile(r"[^\W_]", re.UNICODE)


def template(title: str = "Model card: (name of the model)") -> str:
    """The course's model card template, in Markdown: every required heading with a prompt.

    Copy it, then replace each prompt line (in italics, starting "Prompt:") with your own
    words. :func:`check_model_card` tells you which sections are still missing or empty.

    Parameters
    ----------
    title : str, default "Model card: (name of the model)"
        The card's title, written as a level-1 heading.

    Returns
    -------
    str
        Markdown: the title, one line saying where the template comes from, then a level-2
        heading for each of :data:`SECTIONS` with its prompt (from :data:`PROMPTS`) beneath.

    Raises
    ------
    TypeError
        If ``title`` is not text.
    ValueError
        If ``title`` is empty or has more than one line.

    Examples
    --------
    >>> print(template("Model card: heart disease risk").split("\\n## ")[0])
    # Model card: heart disease risk
    <BLANKLINE>
    After Mitchell et al. (2019), adapted for NHS use. Replace each prompt with your own words.
    <BLANKLINE>
    >>> print(template().split("\\n## ")[1])
    Model details
    _Prompt: What the model is (type, inputs, output), who made it, its version and date._
    <BLANKLINE>
    """
    if not isinstance(title, str):
        raise TypeError(f"title must be text (a str), got {type(title).__name__}: {title!r}")
    if not title.strip() or "\n" in title.strip():
        raise ValueError(f"title must be one line of text, got {title!r}")
    lines = [
        f"# {title.strip()}",
        "",
        "After Mitchell et al. (2019), adapted for NHS use. Replace each prompt with your own "
        "words.",
        "",
    ]
    for section in SECTIONS:
        lines += [f"## {section}", f"_{_PROMPT_MARK} {PROMPTS[section]}_", ""]
    return "\n".join(lines)


def _heading_name(text: str) -> str:
    name = _NUMBERING.sub("", text.strip()).strip().rstrip(":").strip()
    return " ".join(name.replace("*", "").replace("_", " ").split()).casefold()


def _section_of(heading: str) -> str | None:
    """The required section a heading starts with ("Intended use and scope" -> Intended use)."""
    name = _heading_name(heading)
    for section in sorted(SECTIONS, key=len, reverse=True):  # longest first
        key = section.casefold()
        if name == key or (name.startswith(key) and not name[len(key)].isalnum()):
            return section
    return None


def _without_prompts(text: str) -> str:
    """The text with the template's prompt lines (unchanged or not) taken out."""
    prompts = {" ".join(p.split()).casefold() for p in PROMPTS.values()}
    kept = []
    for line in text.splitlines():
        bare = " ".join(line.replace("*", "").replace("_", "").split())  # no italics marks
        if bare.startswith(_PROMPT_MARK):
            bare = bare[len(_PROMPT_MARK) :].strip()
            if bare.casefold() in prompts or not bare:
                continue
        elif bare.casefold() in prompts:
            continue
        kept.append(line)
    return "\n".join(kept)


def _count_words(text: str) -> int:
    return sum(1 for token in text.split() if _WORD.search(token))


def _parse(markdown: Any) -> tuple[dict[str, list[str]], list[str]]:
    """The text under each required heading (a list: one entry per time it appears), and the
    other headings below the title."""
    if not isinstance(markdown, str):
        raise TypeError(
            f"markdown must be the model card as text (a str), got {type(markdown).__name__}; "
            'put the card between triple quotes: """..."""'
        )
    found: dict[str, list[str]] = {}
    extra: list[str] = []
    current: str | None = None
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = _section_of(heading.group(2))
            if current is None:
                if len(heading.group(1)) > 1:  # a level-1 heading is the card's title
                    extra.append(heading.group(2).strip())
            else:
                found.setdefault(current, []).append("")
            continue
        if current is not None:
            found[current][-1] += line + "\n"
    return found, extra


def card_sections(markdown: str) -> dict[str, str]:
    """The text of each required section a model card has, with the template's prompts removed.

    Parameters
    ----------
    markdown : str
        The model card, in Markdown.

    Returns
    -------
    dict of str -> str
        For each of :data:`SECTIONS` whose heading the card has (in the order of
        :data:`SECTIONS`), the text under it up to the next heading, stripped of spaces at the
        ends; a section whose heading appears twice gets both texts, one after the other.

    Raises
    ------
    TypeError
        If ``markdown`` is not text.

    Examples
    --------
    >>> card = "# Model card: demo\\n## Contact\\nThe cardiology team, ext. 1234.\\n## Notes\\nNone."
    >>> card_sections(card)
    {'Contact': 'The cardiology team, ext. 1234.'}
    """
    found, _ = _parse(markdown)
    return {
        section: "\n".join(_without_prompts(t) for t in found[section]).strip()
        for section in SECTIONS
        if section in found
    }


def check_model_card(markdown: str, *, min_words: int = 5) -> pd.DataFrame:
    """Which required sections a model card has, and which are missing or still empty.

    A section is found by its heading (any level, ``#`` to ``######``) when the heading starts
    with the section's name, ignoring case and a leading number: "## 2. Intended use and
    out-of-scope uses" counts as "Intended use". Its words are everything up to the next
    heading, except the template's prompt lines. This checks the shape of a card, not whether
    what it says is true: that needs a person.

    Parameters
    ----------
    markdown : str
        The model card, in Markdown (for example :func:`template` filled in).
    min_words : int, default 5
        A section with fewer words than this (but at least one) is noted as short.

    Returns
    -------
    pandas.DataFrame
        One row per required section, in the order of :data:`SECTIONS`, with columns
        ``section``, ``present`` (a heading was found), ``words`` (words written under it,
        prompts not counted) and ``note``: ``""`` when the section is filled in, or what is
        wrong ("missing: ...", "empty: ...", "short: ..."; "appears 2 times" when a heading is
        repeated, whose words are then added up). ``table.attrs`` holds ``complete`` (True when
        every section is present and not empty), ``missing`` and ``empty`` (lists of section
        names) and ``extra`` (headings that are not required sections, which are allowed).

    Raises
    ------
    TypeError
        If ``markdown`` is not text.
    ValueError
        If ``min_words`` is not a whole number, 0 or more.

    Examples
    --------
    >>> card = '''# Model card: heart disease risk
    ... ## Model details
    ... Logistic regression on 13 measurements, trained at Cleveland, version 1.
    ... ## Intended use
    ... _Prompt: Who should use it, for which patients and which decision; and the uses that \
are out of scope._
    ... ## Contact
    ... The cardiology team.
    ... '''
    >>> report = check_model_card(card)
    >>> report[["section", "present", "words"]].head(3)
             section  present  words
    0  Model details     True     10
    1   Intended use     True      0
    2           Data    False      0
    >>> report["note"].iloc[2]
    "missing: add a '## Data' heading"
    >>> report.attrs["complete"], report.attrs["empty"], len(report.attrs["missing"])
    (False, ['Intended use'], 8)
    >>> report.loc[report["section"] == "Contact", "note"].item()
    'short: 3 words (aim for at least 5)'
    """
    found, extra = _parse(markdown)
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 0:
        raise ValueError(f"min_words must be a whole number, 0 or more; got {min_words!r}")
    rows = []
    for section in SECTIONS:
        texts = found.get(section, [])
        words = sum(_count_words(_without_prompts(t)) for t in texts)
        if not texts:
            note = f"missing: add a '## {section}' heading"
        elif words == 0:
            note = "empty: it holds only the prompt"
        elif words < min_words:
            note = f"short: {words} word{'s' if words != 1 else ''} (aim for at least {min_words})"
        else:
            note = ""
        if len(texts) > 1:
            note = "; ".join(filter(None, [note, f"appears {len(texts)} times"]))
        rows.append({"section": section, "present": bool(texts), "words": words, "note": note})
    table = pd.DataFrame(rows, columns=["section", "present", "words", "note"])
    table.attrs.update(
        {
            "missing": [r["section"] for r in rows if not r["present"]],
            "empty": [r["section"] for r in rows if r["present"] and r["words"] == 0],
            "extra": extra,
        }
    )
    table.attrs["complete"] = not table.attrs["missing"] and not table.attrs["empty"]
    return table


def _hanley_mcneil(truth: np.ndarray, prob: np.ndarray, confidence: float) -> tuple[float, ...]:
    from sklearn.metrics import roc_auc_score

    n_pos = int(truth.sum())
    n_neg = len(truth) - n_pos
    auc = float(roc_auc_score(truth, prob))
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    half = _z(confidence) * math.sqrt(max(variance, 0.0))
    return auc, max(0.0, auc - half), min(1.0, auc + half)


def validation_table(
    y_true: Any,
    y_prob: Any,
    sites: Any,
    *,
    confidence: float = 0.95,
    min_cases: int = MIN_CASES_PER_GROUP,
) -> pd.DataFrame:
    """How well a model's risks work at each hospital: discrimination and calibration.

    External validation tests a model on patients from somewhere it did not learn from. Two
    questions, one row per site:

    - **Discrimination**: does it rank people with the condition above people without it?
      The AUROC, with the Hanley & McNeil (1982) interval, as in :mod:`healthlab.evaluate`.
    - **Calibration**: do its risks mean what they say there? The average predicted risk
      beside the observed share (``prevalence``), the calibration intercept (0 is ideal;
      above 0 the risks are too low on average) and slope (1 is ideal; below 1 the risks are
      too extreme), after Van Calster et al. (2019, BMC Med 17:230), and the Brier score.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened (1 = has the condition).
    y_prob : array-like of float
        The model's predicted risk for each person, between 0 and 1. For the hospital the
        model learned from, pass cross-validated risks (internal validation), not the risks
        of a model fitted on those same patients.
    sites : array-like
        The site (hospital) of each person, or any other group; no missing values.
    confidence : float, default 0.95
        Confidence level of the AUROC interval.
    min_cases : int, default :data:`healthlab.evaluate.MIN_CASES_PER_GROUP` (10)
        A site with fewer people than this with the condition, or without it, gets a
        ``caution``.

    Returns
    -------
    pandas.DataFrame
        Indexed by site, in the order the sites first appear (or the categories' order), with
        columns ``people``, ``with_condition``, ``prevalence`` (the observed share),
        ``mean_predicted``, ``auroc``, ``auroc_low``, ``auroc_high``,
        ``calibration_intercept``, ``calibration_slope``, ``brier`` and ``caution`` (empty, or
        why the row rests on too few people). A site where everybody, or nobody, has the
        condition gets NaN for the AUROC and the calibration intercept and slope.
        ``table.attrs["confidence"]`` holds the confidence level.

    Raises
    ------
    ValueError
        If the inputs differ in length, ``y_true`` is not 0/1, ``y_prob`` is outside 0 to 1,
        ``sites`` has missing values, or ``min_cases`` is not a whole number, 0 or more.

    See Also
    --------
    healthlab.evaluate.calibration_in_the_large, healthlab.evaluate.calibration_slope,
    healthlab.evaluate.brier_score, healthlab.fairness.calibration_by_group

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.05, 0.95, 400)
    >>> here = rng.random(400) < risk              # risks that mean what they say
    >>> there = rng.random(400) < np.sqrt(risk)    # more disease than the model expects
    >>> table = validation_table(np.r_[here, there], np.r_[risk, risk],
    ...                          ["home"] * 400 + ["away"] * 400)
    >>> table[["prevalence", "mean_predicted", "auroc", "calibration_intercept"]].round(2)
    ... # doctest: +NORMALIZE_WHITESPACE
          prevalence  mean_predicted  auroc  calibration_intercept
    site
    home        0.51            0.53   0.83                  -0.10
    away        0.69            0.53   0.78                   0.97
    """
    confidence = _confidence(confidence)
    truth = _binary(y_true, "y_true")
    prob = _probabilities(y_prob, "y_prob")
    labels = _as_1d(sites, "sites")
    _same_length(y_true=truth, y_prob=prob, sites=labels)
    missing = pd.isna(pd.Series(labels, dtype=object)).to_numpy()
    if missing.any():
        raise ValueError(
            f"sites has {int(missing.sum())} missing values; every person needs a site "
            "(fill them first, e.g. sites.fillna('not recorded'))."
        )
    if isinstance(min_cases, bool) or not isinstance(min_cases, int) or min_cases < 0:
        raise ValueError(f"min_cases must be a whole number, 0 or more; got {min_cases!r}")
    if isinstance(sites, pd.Series) and isinstance(sites.dtype, pd.CategoricalDtype):
        order = [c for c in sites.cat.categories if (labels == c).any()]
    else:
        order = list(pd.unique(pd.Series(labels, dtype=object)))
    rows = []
    for site in order:
        members = labels == site
        t, p = truth[members], prob[members]
        n, events = int(members.sum()), int(t.sum())
        row: dict[str, Any] = {
            "site": site.item() if isinstance(site, np.generic) else site,
            "people": n,
            "with_condition": events,
            "prevalence": events / n,
            "mean_predicted": float(p.mean()),
        }
        if 0 < events < n:
            auc, low, high = _hanley_mcneil(t, p, confidence)
            row.update(
                auroc=auc,
                auroc_low=low,
                auroc_high=high,
                calibration_intercept=calibration_in_the_large(t, p),
                calibration_slope=calibration_slope(t, p),
            )
        else:
            row.update(
                auroc=math.nan,
                auroc_low=math.nan,
                auroc_high=math.nan,
                calibration_intercept=math.nan,
                calibration_slope=math.nan,
            )
        row["brier"] = brier_score(t, p)
        without = n - events
        if events == 0 or without == 0:
            row["caution"] = (
                "nobody has the condition" if events == 0 else "everybody has the condition"
            ) + ": the AUROC and calibration cannot be calculated"
        elif events < min_cases or without < min_cases:
            few, who = (events, "with") if events < min_cases else (without, "without")
            row["caution"] = f"only {few} {who} the condition: too few to be sure"
        else:
            row["caution"] = ""
        rows.append(row)
    table = pd.DataFrame(rows).set_index("site")
    table.attrs["confidence"] = confidence
    return table
