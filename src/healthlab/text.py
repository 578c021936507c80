"""Clinical free text: keyword search, a NegEx-style negation rule, and what a model learned.

The tools of lesson 10 (clinical text). A triage nurse writes "72F c/o CP x2 days. denies SOB":
chest pain is present, shortness of breath is not. A search for the word "SOB" finds both kinds
of mention, so it flags notes that say the opposite. This module makes that visible and
offers the classic fix, a negation rule in the style of NegEx (Chapman et al. 2001).

- :data:`RED_FLAGS`: the red-flag keywords searched for, grouped in :data:`RED_FLAG_GROUPS`.
- :data:`NEGATION_WORDS`: the words and phrases that say a finding is absent.
- :func:`find_keywords`: which keywords a note mentions.
- :func:`negated`: is a keyword mentioned only to say it is absent (a negation word within a
  window of words before it, in the same sentence)?
- :func:`flag_notes`: search many notes at once, with or without the negation rule.
- :func:`top_weights`: the words a bag-of-words model leans on most, in each direction.
- :func:`next_words` and :func:`continue_note`: a tiny language model (which word follows
  which), to show how a large language model writes fluent text that nobody checked.

Everything here is thin over the standard library (:mod:`re`, :mod:`collections`,
:mod:`random`); the model side uses scikit-learn's ``CountVectorizer`` and
``LogisticRegression`` as they are. Matching ignores case and respects whole words ("LOC" is
found in "no LOC" but not in "blocked").

Known limitations of the negation rule (as of NegEx itself):

- It only looks *before* the keyword: "chest pain: none" and "chest pain ruled out" are
  not seen as negated.
- A list after one negation word is read as all negated: "no fever, chest pain" counts chest
  pain as absent, although most readers would say it is present. A comma is not a sentence
  break, because "no fever, cough or chest pain" really does deny all three.
- Misspelt keywords ("brethless") are not found at all.

Sources: Chapman WW, Bridewell W, Hanbury P, Cooper GF, Buchanan BG (2001). A simple
algorithm for identifying negated findings and diseases in discharge summaries. *J Biomed
Inform* 34(5):301-310.

Examples
--------
>>> from healthlab.text import RED_FLAGS, find_keywords, negated
>>> note = "72F c/o CP x2 days. denies SOB, clammy."
>>> find_keywords(note, RED_FLAGS)
['CP', 'SOB', 'clammy']
>>> negated(note, "CP"), negated(note, "SOB")
(False, True)

The nurse meant that the patient is clammy, but "clammy" is in the same list as "denies SOB",
so the rule reads it as denied too (a known limitation):

>>> negated(note, "clammy")
True
"""

from __future__ import annotations

import numbers
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type hints only; pandas is imported when needed
    import pandas as pd

__all__ = [
    "RED_FLAG_GROUPS",
    "RED_FLAGS",
    "NEGATION_WORDS",
    "TERMINATION_WORDS",
    "find_keywords",
    "negated",
    "flag_notes",
    "top_weights",
    "next_words",
    "continue_note",
]

#: Red-flag keywords, grouped by the finding they point to. The groups are the urgent findings
#: of the course's synthetic triage notes (``healthlab._synthetic.TRIAGE_FINDINGS``), and the
#: keywords are the ways the notes write each finding when it is present, as a nurse might
#: search for them. A GCS (Glasgow Coma Scale) below 15 means reduced consciousness; the notes
#: write it as "GCS 13". Not a clinical list: real red flags depend on the complaint.
RED_FLAG_GROUPS: dict[str, tuple[str, ...]] = {
    "chest pain": ("chest pain", "CP", "tight chest"),
    "breathless": ("SOB", "SOBOE", "short of breath", "breathless", "struggling to breathe"),
    "loss of consciousness": ("LOC", "blacked out"),
    "confusion": ("confused", "confusion", "GCS 13"),
    "vomiting blood": ("haematemesis", "vomiting blood", "coffee ground"),
    "clammy": ("clammy", "sweaty", "diaphoretic"),
    "neck stiffness": ("neck stiffness", "photophobia"),
    "thunderclap": ("thunderclap", "worst headache"),
    "anticoagulated": ("warfarin", "apixaban", "DOAC"),
    "head injury": ("head injury", "hit head"),
    "airway swelling": ("lips swelling", "tongue swelling", "stridor"),
    "suicidal": ("suicidal", "SI"),
    "non-blanching rash": ("non-blanching", "purpuric"),
    "stroke signs": ("facial droop", "slurred speech", "sided weakness"),
    "severe pain": ("pain 9/10", "pain 10/10", "in agony"),
}

#: Every keyword of :data:`RED_FLAG_GROUPS`, in one tuple (the list the lesson searches for).
RED_FLAGS: tuple[str, ...] = tuple(kw for group in RED_FLAG_GROUPS.values() for kw in group)

#: Words and phrases that say a finding is absent when they come shortly before it. A short
#: version of the NegEx list (Chapman et al. 2001), with the shorthand of UK notes ("nil").
NEGATION_WORDS: tuple[str, ...] = (
    "no",
    "not",
    "nil",
    "denies",
    "denied",
    "without",
    "never",
    "negative for",
    "no evidence of",
    "did not",
    "didn't",
    "didnt",
)

#: Words that end the reach of a negation, as a full stop does: "no CP but SOB" denies only CP.
TERMINATION_WORDS: tuple[str, ...] = ("but", "however", "although")

# A sentence ends at . ; : ! ? or a new line. (A comma does not end it: see the module notes.)
_SENTENCE_BREAK = re.compile(r"[.;:!?\n]")
_WORD = re.compile(r"[a-z0-9/'%+-]+")


# ---------------------------------------------------------------------------------------------
# Input checks (private): each names the parameter and shows the bad value.
# ---------------------------------------------------------------------------------------------


def _check_note(note: Any, name: str = "note") -> str:
    if not isinstance(note, str):
        raise ValueError(
            f"{name} must be text (a str), such as '72F c/o CP x2 days.'; got "
            f"{type(note).__name__} {note!r}. A missing note is NaN: fill it with '' first."
        )
    return note


def _check_keywords(keywords: Any, name: str = "keywords") -> tuple[str, ...]:
    if isinstance(keywords, str):
        raise ValueError(
            f"{name} must be a list of keywords, such as ['chest pain', 'SOB'], not one text "
            f"{keywords!r}: put it in square brackets."
        )
    try:
        items = tuple(keywords)
    except TypeError:
        raise ValueError(
            f"{name} must be a list of keywords, such as ['chest pain', 'SOB']; got "
            f"{type(keywords).__name__} {keywords!r}."
        ) from None
    if not items:
        raise ValueError(f"{name} is empty: give at least one keyword, such as ['chest pain'].")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(
                f"every item of {name} must be a non-empty text; got {type(item).__name__} "
                f"{item!r}."
            )
    return items


def _check_window(window: Any) -> int:
    if isinstance(window, bool) or not isinstance(window, numbers.Integral):
        raise ValueError(
            f"window must be a whole number of words, such as 5; got {type(window).__name__} "
            f"{window!r}."
        )
    if window < 1:
        raise ValueError(
            f"window must be 1 or more (how many words before the keyword to look at); got "
            f"{window!r}."
        )
    return int(window)


def _check_count(n: Any, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a whole number, 1 or more; got {n!r}.")
    return int(n)


@lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern[str]:
    # Whole words, any case, any run of spaces between the words of a phrase.
    words = [re.escape(w) for w in keyword.split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _squeezed(keyword: str) -> str:
    return " ".join(keyword.lower().split())


def _mentions(note: str, squeezed: str, keyword: str) -> list[re.Match[str]]:
    # ``squeezed`` is the note in lower case with single spaces: a quick test before the regex.
    if _squeezed(keyword) not in squeezed:
        return []
    return list(_pattern(keyword).finditer(note))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _notes_list(notes: Any) -> tuple[list[str], Any]:
    """The notes as a list of str, and the index to give the result (a Series keeps its own)."""
    if isinstance(notes, str):
        raise ValueError(
            "notes must be a list or column of notes, such as notes['note'], not one text: "
            "for one note use find_keywords or negated."
        )
    index = getattr(notes, "index", None)  # a pandas Series keeps its index
    if callable(index):  # a list's .index is a method, not an index
        index = None
    try:
        items = list(notes)
    except TypeError:
        raise ValueError(
            f"notes must be a list or column of notes, such as notes['note']; got "
            f"{type(notes).__name__} {notes!r}."
        ) from None
    for position, item in enumerate(items):
        _check_note(item, name=f"note {position} of notes")
    return items, index


# ---------------------------------------------------------------------------------------------
# Keyword search and negation
# ---------------------------------------------------------------------------------------------


def find_keywords(note: str, keywords: Sequence[str]) -> list[str]:
    """The keywords that a note mentions, in the order they first appear in it.

    A plain search: a keyword counts whether the note says it is present or absent.

    Parameters
    ----------
    note : str
        One note.
    keywords : list of str
        What to look for, such as :data:`RED_FLAGS`. Case is ignored and only whole words
        match ("LOC" is not found in "blocked").

    Returns
    -------
    list of str
        Each keyword found, once, written as in ``keywords``.

    Raises
    ------
    ValueError
        If ``note`` is not text, or ``keywords`` is empty or not a list of texts.

    Examples
    --------
    >>> find_keywords("68M CP x2 days. pt reports nil SOB, pain 2/10.", RED_FLAGS)
    ['CP', 'SOB']
    >>> find_keywords("Fell, no LOC.", ["loc", "head injury"])
    ['loc']
    """
    return list(_find(_check_note(note), _check_keywords(keywords)))


def _find(note: str, keywords: tuple[str, ...]) -> dict[str, list[re.Match[str]]]:
    """Each keyword the note mentions, with its mentions, in the order of the first mention."""
    squeezed = " ".join(note.lower().split())
    found: dict[str, list[re.Match[str]]] = {}
    order: dict[str, int] = {}
    for position, keyword in enumerate(keywords):
        if keyword not in found:
            mentions = _mentions(note, squeezed, keyword)
            if mentions:
                found[keyword] = mentions
                order[keyword] = position
    ranked = sorted(found, key=lambda k: (found[k][0].start(), order[k]))
    return {keyword: found[keyword] for keyword in ranked}


def _mention_is_negated(
    note: str, start: int, window: int, negations: tuple[tuple[str, ...], ...]
) -> bool:
    before = _SENTENCE_BREAK.split(note[:start])[-1]  # the same sentence only
    words = _words(before)
    for position in range(len(words) - 1, -1, -1):  # a "but" ends the negation's reach
        if words[position] in TERMINATION_WORDS:
            words = words[position + 1 :]
            break
    words = words[-window:]
    for phrase in negations:
        size = len(phrase)
        if size == 1:
            if phrase[0] in words:
                return True
        elif any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1)):
            return True
    return False


def negated(
    note: str,
    keyword: str,
    window: int = 5,
    negations: Sequence[str] = NEGATION_WORDS,
) -> bool:
    """Is the keyword mentioned only to say it is absent? A NegEx-style rule.

    A mention is negated when a negation word or phrase (such as "no", "nil", "denies") comes
    at most ``window`` words before it, in the same sentence: the search stops at a full stop
    (or ``; : ! ?``, or a new line) and at "but", "however" or "although". The keyword counts
    as negated only if *every* mention of it is.

    Parameters
    ----------
    note : str
        One note.
    keyword : str
        The keyword to test, such as ``"chest pain"``. Case is ignored; whole words only.
    window : int, default 5
        How many words before the keyword to look at (1 or more). NegEx used five.
    negations : list of str, default :data:`NEGATION_WORDS`
        The negation words and phrases.

    Returns
    -------
    bool
        True if the keyword is mentioned and every mention is negated; False if it is
        mentioned at least once without a negation, or not mentioned at all.

    Raises
    ------
    ValueError
        If ``note`` or ``keyword`` is not text, ``window`` is below 1, or ``negations`` is
        empty.

    Notes
    -----
    Known limitations (shared with NegEx): a negation after the keyword is not seen ("chest
    pain: none"); a negation word before a list reaches every item in it, so "no fever, chest
    pain" reads chest pain as absent; a misspelt keyword is not found at all.

    Examples
    --------
    >>> negated("denies chest pain", "chest pain")
    True
    >>> negated("68M fall. nil SOB, no LOC.", "SOB"), negated("68M fall. nil SOB, no LOC.", "LOC")
    (True, True)
    >>> negated("No CP at rest but CP on exertion", "CP")  # "but" ends the negation
    False
    >>> negated("CP x2 days. no SOB.", "CP")  # the full stop ends it too
    False
    >>> negated("chest pain: none", "chest pain")  # a known miss: the negation comes after
    False
    >>> negated("no fever, cough, sore throat or chest pain", "chest pain", window=3)
    False
    """
    note = _check_note(note)
    if not isinstance(keyword, str) or not keyword.strip():
        raise ValueError(
            f"keyword must be a non-empty text, such as 'chest pain'; got {keyword!r}."
        )
    return _negated(note, keyword, _check_window(window), _phrases(negations))


def _phrases(negations: Any) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_words(p)) for p in _check_keywords(negations, name="negations"))


def _negated(note: str, keyword: str, window: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
    mentions = _mentions(note, " ".join(note.lower().split()), keyword)
    return _all_negated(note, mentions, window, phrases)


def _all_negated(
    note: str, mentions: list[re.Match[str]], window: int, phrases: tuple[tuple[str, ...], ...]
) -> bool:
    if not mentions:
        return False
    return all(_mention_is_negated(note, m.start(), window, phrases) for m in mentions)


def flag_notes(
    notes: Iterable[str],
    keywords: Sequence[str],
    handle_negation: bool = True,
    *,
    window: int = 5,
    negations: Sequence[str] = NEGATION_WORDS,
) -> pd.DataFrame:
    """Search every note for the keywords, and flag the notes that mention one as present.

    Parameters
    ----------
    notes : list or pandas Series of str
        The notes, such as ``notes["note"]``.
    keywords : list of str
        What to look for, such as :data:`RED_FLAGS`.
    handle_negation : bool, default True
        If True, a keyword that :func:`negated` says is absent does not count. If False, every
        mention counts (a plain keyword search).
    window : int, default 5
        Passed to :func:`negated`.
    negations : list of str, default :data:`NEGATION_WORDS`
        Passed to :func:`negated`.

    Returns
    -------
    pandas.DataFrame
        One row per note, with the index of ``notes`` if it has one. Columns:

        - ``mentioned``: the keywords found, joined by ", " (empty text if none);
        - ``negated``: those of them the rule reads as absent (always empty when
          ``handle_negation`` is False);
        - ``flags``: how many keywords are mentioned and not negated;
        - ``flagged``: True if ``flags`` is 1 or more.

    Raises
    ------
    ValueError
        If a note is not text, ``keywords`` is empty, ``handle_negation`` is not True or
        False, or ``window`` is below 1.

    Examples
    --------
    >>> notes = ["68M CP x2 days.", "40F fall. denies LOC.", "23M low mood."]
    >>> flag_notes(notes, RED_FLAGS, handle_negation=False)
      mentioned negated  flags  flagged
    0        CP              1     True
    1       LOC              1     True
    2                        0    False
    >>> flag_notes(notes, RED_FLAGS)["flagged"].tolist()
    [True, False, False]
    """
    import pandas as pd

    items, index = _notes_list(notes)
    keywords = _check_keywords(keywords)
    if not isinstance(handle_negation, bool):
        raise ValueError(f"handle_negation must be True or False; got {handle_negation!r}.")
    window = _check_window(window)
    phrases = _phrases(negations)
    rows = []
    for note in items:
        found = _find(note, keywords)
        denied = (
            [k for k, mentions in found.items() if _all_negated(note, mentions, window, phrases)]
            if handle_negation
            else []
        )
        rows.append(
            {
                "mentioned": ", ".join(found),
                "negated": ", ".join(denied),
                "flags": len(found) - len(denied),
                "flagged": len(found) > len(denied),
            }
        )
    table = pd.DataFrame(rows, columns=["mentioned", "negated", "flags", "flagged"])
    if index is not None and len(index) == len(table):
        table.index = index
    return table


# ---------------------------------------------------------------------------------------------
# What a bag-of-words model learned
# ---------------------------------------------------------------------------------------------


def top_weights(
    vectorizer: Any, model: Any, n: int = 10, labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """The words with the largest positive and negative weights in a bag-of-words model.

    In a logistic regression on word counts, each word (or n-gram) has one weight: a positive
    weight pushes a note towards the second class (``model.classes_[1]``, such as urgent), a
    negative one towards the first.

    Parameters
    ----------
    vectorizer : fitted sklearn.feature_extraction.text.CountVectorizer
        The vectorizer the model was trained on (it knows which column is which word).
    model : fitted sklearn.linear_model.LogisticRegression
        A model with two classes, trained on ``vectorizer``'s output.
    n : int, default 10
        How many words to show in each direction.
    labels : pair of str, optional
        Names for the two classes, such as ``("not urgent", "urgent")``; by default the
        classes themselves.

    Returns
    -------
    pandas.DataFrame
        Columns ``word``, ``weight`` and ``pushes towards``; the ``n`` largest positive weights
        (largest first), then the ``n`` most negative ones (most negative last).

    Raises
    ------
    ValueError
        If the vectorizer or the model is not fitted, they do not match, the model does not
        have exactly two classes, or ``n`` is not a whole number of 1 or more.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> notes = ["c/o CP, clammy", "CP radiating", "twisted ankle", "ankle pain 2/10"]
    >>> vectorizer = CountVectorizer()
    >>> model = LogisticRegression().fit(vectorizer.fit_transform(notes), [1, 1, 0, 0])
    >>> top_weights(vectorizer, model, n=1, labels=("not urgent", "urgent")).round(2)
        word  weight pushes towards
    0     cp    0.57         urgent
    1  ankle   -0.57     not urgent
    """
    import numpy as np
    import pandas as pd

    n = _check_count(n, "n")
    if not hasattr(vectorizer, "vocabulary_") or not hasattr(vectorizer, "get_feature_names_out"):
        raise ValueError(
            "vectorizer must be a fitted CountVectorizer: call vectorizer.fit_transform(notes) "
            f"first; got {type(vectorizer).__name__}."
        )
    coef = getattr(model, "coef_", None)
    if coef is None or not hasattr(model, "classes_"):
        raise ValueError(
            "model must be a fitted LogisticRegression: call model.fit(X, y) first; got "
            f"{type(model).__name__}."
        )
    words = vectorizer.get_feature_names_out()
    coef = np.asarray(coef)
    if coef.ndim != 2 or coef.shape[0] != 1 or len(model.classes_) != 2:
        raise ValueError(
            f"model must have exactly two classes (such as 0 and 1); it has {len(model.classes_)}."
        )
    if coef.shape[1] != len(words):
        raise ValueError(
            f"the model has {coef.shape[1]} weights but the vectorizer knows {len(words)} words: "
            "pass the vectorizer the model was trained with."
        )
    if labels is None:
        names = [str(c) for c in model.classes_]
    elif isinstance(labels, str) or len(labels) != 2:
        raise ValueError(
            f"labels must be two texts, such as ('not urgent', 'urgent'); got {labels!r}."
        )
    else:
        names = [str(label) for label in labels]
    weights = coef[0]
    # Ties are broken in alphabetical order, so that the table is always the same.
    positive = [i for i in np.lexsort((words, -weights)) if weights[i] > 0][:n]
    negative = [i for i in np.lexsort((words, weights)) if weights[i] < 0][:n][::-1]
    rows = [
        {"word": str(words[i]), "weight": float(weights[i]),
         "pushes towards": names[1] if weights[i] > 0 else names[0]}
        for i in positive + negative
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["word", "weight", "pushes towards"])


# ---------------------------------------------------------------------------------------------
# A tiny language model: which word follows which
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9/'%+?-]+(?:\.\d+)?|[.,]")
_END = "<end>"


def _tokens(note: str) -> list[str]:
    return _TOKEN.findall(note.lower())


def _follow_counts(items: list[str]) -> dict[str, Counter]:
    follows: dict[str, Counter] = defaultdict(Counter)
    for note in items:
        tokens = [*_tokens(note), _END]
        for before, after in zip(tokens[:-1], tokens[1:], strict=True):
            follows[before][after] += 1
    return follows


def next_words(notes: Iterable[str], word: str, n: int = 5) -> pd.DataFrame:
    """Which words come straight after ``word`` in the notes, and how often.

    This is the whole knowledge of a tiny language model: counts of which word follows which.
    A large language model learns far richer patterns from far more text, but it too writes
    by choosing a likely next word.

    Parameters
    ----------
    notes : list or pandas Series of str
        The notes to count in.
    word : str
        One word (case is ignored). "," and "." count as words.
    n : int, default 5
        How many of the most common next words to show.

    Returns
    -------
    pandas.DataFrame
        Columns ``next word``, ``count`` and ``share`` (of all the times ``word`` appears),
        most common first. ``"<end>"`` means the note ended there.

    Raises
    ------
    ValueError
        If a note or ``word`` is not text, ``word`` is not one word, ``word`` never appears in
        the notes, or ``n`` is not a whole number of 1 or more.

    Examples
    --------
    >>> next_words(["no CP.", "no SOB.", "denies SOB."], "no")
      next word  count  share
    0        cp      1    0.5
    1       sob      1    0.5
    """
    import pandas as pd

    items, _ = _notes_list(notes)
    n = _check_count(n, "n")
    tokens = _tokens(word) if isinstance(word, str) else []
    if len(tokens) != 1:
        raise ValueError(f"word must be one word, such as 'denies'; got {word!r}.")
    counts = _follow_counts(items).get(tokens[0])
    if not counts:
        raise ValueError(f"the word {word!r} never appears in the notes.")
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return pd.DataFrame(
        [(w, c, round(c / total, 3)) for w, c in ranked], columns=["next word", "count", "share"]
    )


def continue_note(notes: Iterable[str], start: str, n_words: int = 20, seed: int = 42) -> str:
    """Write on from ``start`` one word at a time, each drawn by how often it followed the last.

    A tiny language model: the text reads like a triage note, because every pair of words in it
    really does occur in the notes, but it describes no patient and nobody checked it. It stops
    after ``n_words`` words or where a note would end.

    Parameters
    ----------
    notes : list or pandas Series of str
        The notes it learns from.
    start : str
        The first word or words; the last one must appear in the notes.
    n_words : int, default 20
        The most words to add.
    seed : int, default 42
        Seed of the random choices, so that the same call writes the same text.

    Returns
    -------
    str
        ``start`` (in lower case) followed by the words written.

    Raises
    ------
    ValueError
        If a note or ``start`` is not text, the last word of ``start`` never appears in the
        notes, or ``n_words`` or ``seed`` is not a whole number.

    Examples
    --------
    >>> notes = ["72F c/o CP x2 days. no SOB.", "40M c/o SOB x3 hrs. no CP."]
    >>> continue_note(notes, "72f c/o", n_words=8, seed=5)  # fluent, and contradicts itself
    '72f c/o sob x3 hrs. no sob.'
    """
    items, _ = _notes_list(notes)
    n_words = _check_count(n_words, "n_words")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be a whole number, such as 42; got {seed!r}.")
    tokens = _tokens(start) if isinstance(start, str) else []
    if not tokens:
        raise ValueError(
            f"start must be text with at least one word, such as '72f'; got {start!r}."
        )
    follows = _follow_counts(items)
    if tokens[-1] not in follows:
        raise ValueError(f"the word {tokens[-1]!r} never appears in the notes: start with another.")
    rng = random.Random(seed)
    written = list(tokens)
    for _ in range(n_words):
        options = sorted(follows[written[-1]].items())
        if not options:
            break
        choice = rng.choices([w for w, _ in options], weights=[c for _, c in options])[0]
        if choice == _END:
            break
        written.append(choice)
    return re.sub(r" ([.,])", r"\1", " ".join(written))
