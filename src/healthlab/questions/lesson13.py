"""Exercises of lesson 13, "From lab to hospital" (``notebooks/13-from-lab-to-hospital.ipynb``).

Every question registers itself here with :func:`healthlab.checks.register`. Answers that come
from data are computed from it with the lesson's own choices, never typed in: the Cleveland
model is a logistic regression (median imputation, scaling) trained on the 303 Cleveland
patients; internal validation is 5-fold stratified cross-validation; the duplicated "web copy"
is built from the Cleveland rows with ``random_state=42``, exactly as the lesson builds it. The warm-up
facts (k-anonymity, plain hashes, the eight Caldicott principles) and the regulatory facts are
those of ``clinical-facts.md``.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("13.warmup-caldicott", 8).correct
True
>>> evaluate_answer("13.external-order", [3, 1, 2, 4]).correct
True
>>> print(evaluate_answer("13.epic-auroc", "A").message)  # doctest: +ELLIPSIS
That is accuracy...

Tolerances follow the course rule: 2 decimal places asked for -> ``abs_tol=0.005``; 3 decimal
places -> ``abs_tol=0.0005``.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from healthlab.checks import Mistake, Question, false_certainty, register
from healthlab.checks import is_number as _is_number
from healthlab.modelcard import PROMPTS, SECTIONS, card_sections, check_model_card

__all__ = [
    "EXTERNAL_ORDERS",
    "MEASUREMENTS",
    "NINE",
    "SEED",
    "SITES",
    "WEB_COPY_PATIENTS",
    "WEB_COPY_REPEATS",
    "cleveland_model",
    "heart",
    "internal_risk",
    "leaky_split",
    "patient_split",
    "site_auroc",
    "validation",
    "web_copy",
]

#: The random seed every lesson uses.
SEED = 42
#: The 13 measurements of the Cleveland model (every column except the outcome and the site).
MEASUREMENTS = (
    "age",
    "sex",
    "cp",
    "trestbps",
    "chol",
    "fbs",
    "restecg",
    "thalach",
    "exang",
    "oldpeak",
    "slope",
    "ca",
    "thal",
)
#: Lesson 06's nine measurements (fewer than 1 in 10 values missing).
NINE = ("age", "sex", "cp", "trestbps", "fbs", "restecg", "thalach", "exang", "oldpeak")
#: The four hospitals, in the order of the data file.
SITES = ("Cleveland", "Hungary", "Switzerland", "VA Long Beach")
#: The web copy ("heart.csv", 1,025 rows): 302 different patients and 723 repeats.
WEB_COPY_PATIENTS = 302
WEB_COPY_REPEATS = 723
#: "Your turn 1" (Parsons): the model must be fitted (3) and the Hungarian rows chosen (1)
#: before it predicts (2); the AUROC (4) comes last. Lines 1 and 3 may swap.
EXTERNAL_ORDERS = ((1, 3, 2, 4), (3, 1, 2, 4))


# --- data and models the answers come from ---------------------------------------------------


@cache
def heart() -> Any:
    """The heart disease data with "not measured" zeros as NaN, as the lesson loads it.

    Examples
    --------
    >>> heart().groupby("site").size().to_dict()["Switzerland"]
    123
    """
    from healthlab import datasets

    return datasets.load("heart-disease", zero_as_missing=True)


def _pipeline() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000)
    )


def _cleveland() -> Any:
    df = heart()
    return df[df["site"] == "Cleveland"]


@cache
def cleveland_model(columns: tuple[str, ...] = MEASUREMENTS) -> Any:
    """The lesson's pipeline fitted on all 303 Cleveland patients, with these columns.

    Examples
    --------
    >>> cleveland_model()[-1].n_features_in_, cleveland_model(NINE)[-1].n_features_in_
    (13, 9)
    """
    cleveland = _cleveland()
    return _pipeline().fit(cleveland[list(columns)], cleveland["disease"])


@cache
def internal_risk(columns: tuple[str, ...] = MEASUREMENTS) -> Any:
    """Cleveland patients' cross-validated risks (5-fold, stratified, shuffled with seed 42).

    Examples
    --------
    >>> len(internal_risk())
    303
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    cleveland = _cleveland()
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    return cross_val_predict(
        _pipeline(),
        cleveland[list(columns)],
        cleveland["disease"],
        cv=folds,
        method="predict_proba",
    )[:, 1]


@cache
def validation(columns: tuple[str, ...] = MEASUREMENTS) -> Any:
    """``modelcard.validation_table``: Cleveland internal, the other three sites external.

    Examples
    --------
    >>> round(float(validation().loc["Hungary", "auroc"]), 2)
    0.88
    """
    import pandas as pd

    from healthlab import modelcard

    df = heart()
    cleveland, others = _cleveland(), df[df["site"] != "Cleveland"]
    external = cleveland_model(columns).predict_proba(others[list(columns)])[:, 1]
    return modelcard.validation_table(
        pd.concat([cleveland["disease"], others["disease"]]),
        list(internal_risk(columns)) + list(external),
        pd.concat([cleveland["site"], others["site"]]),
    )


def site_auroc(site: str, columns: tuple[str, ...] = MEASUREMENTS) -> float:
    """The AUROC at one site (cross-validated at Cleveland), from :func:`validation`.

    Examples
    --------
    >>> site_auroc("VA Long Beach") < site_auroc("VA Long Beach", NINE)
    True
    """
    return float(validation(columns).loc[site, "auroc"])


@cache
def web_copy() -> Any:
    """The lesson's imitation of the 1,025-row web copy: 302 Cleveland patients, 723 repeats.

    Built exactly as the lesson builds it, with pandas' ``sample`` and ``random_state=42``:
    302 of the 303 patients, 723 repeats drawn from them, then shuffled; with a ``patient_id``
    from 1 to 303.

    Examples
    --------
    >>> copy = web_copy()
    >>> len(copy), copy["patient_id"].nunique()
    (1025, 302)
    """
    import pandas as pd

    rows = _cleveland().reset_index(drop=True).assign(patient_id=range(1, 304))
    kept = rows.sample(n=WEB_COPY_PATIENTS, random_state=SEED)
    repeats = kept.sample(n=WEB_COPY_REPEATS, replace=True, random_state=SEED)
    return pd.concat([kept, repeats]).sample(frac=1, random_state=SEED).reset_index(drop=True)


def _deep_tree() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    return make_pipeline(
        SimpleImputer(strategy="median"), DecisionTreeClassifier(random_state=SEED)
    )


@cache
def leaky_split() -> dict[str, Any]:
    """The random row split of the web copy and its unlimited tree.

    Returns a dict with ``seen`` (True for the test rows whose patient is in the training
    rows), ``predictions`` and ``truth`` (both for the test rows, as NumPy arrays).

    Examples
    --------
    >>> split = leaky_split()
    >>> int(split["seen"].sum()), len(split["seen"])
    (221, 257)
    """
    from sklearn.model_selection import train_test_split

    copy = web_copy()
    X, y = copy[list(MEASUREMENTS)], copy["disease"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
    tree = _deep_tree().fit(X_train, y_train)
    train_ids = set(copy.loc[X_train.index, "patient_id"])
    return {
        "seen": copy.loc[X_test.index, "patient_id"].isin(train_ids).to_numpy(),
        "predictions": tree.predict(X_test),
        "truth": y_test.to_numpy(),
    }


def _accuracy(rows: str) -> float:
    split = leaky_split()
    mask = {"seen": split["seen"], "unseen": ~split["seen"]}.get(rows)
    right = split["predictions"] == split["truth"]
    return float(right.mean() if mask is None else right[mask].mean())


@cache
def patient_split() -> dict[str, Any]:
    """The split by patient (``GroupShuffleSplit``) of the web copy and its unlimited tree.

    Returns a dict with ``accuracy``, ``train_ids`` and ``test_ids`` (sets of patient ids).

    Examples
    --------
    >>> split = patient_split()
    >>> len(split["train_ids"] & split["test_ids"])
    0
    """
    from sklearn.model_selection import GroupShuffleSplit

    copy = web_copy()
    X, y = copy[list(MEASUREMENTS)], copy["disease"]
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=SEED)
    train_rows, test_rows = next(splitter.split(X, y, groups=copy["patient_id"]))
    tree = _deep_tree().fit(X.iloc[train_rows], y.iloc[train_rows])
    return {
        "accuracy": float((tree.predict(X.iloc[test_rows]) == y.iloc[test_rows]).mean()),
        "train_ids": set(copy["patient_id"].iloc[train_rows]),
        "test_ids": set(copy["patient_id"].iloc[test_rows]),
    }


def _near(value_of: Any, *, abs_tol: float) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        return _is_number(answer) and math.isclose(float(answer), value_of(), abs_tol=abs_tol)

    return matches


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


# --- warm-up: lesson 12 ------------------------------------------------------------------------

register(
    Question(
        "13.warmup-k1",
        expected="B",
        kind="choice",
        options=("A", "B", "C"),
        hints=(
            "k-anonymity with k = 5 means every patient shares their combination with at least "
            "4 others. What does k = 1 promise?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().upper() == "A",
                "That would be k = 2: each patient looks like at least one other. With k = 1 a "
                "patient only has to look like themselves.",
            ),
            Mistake(
                lambda a, e: a.strip().upper() == "C",
                "k counts people, not columns: each patient's combination of age, sex, postcode "
                "area and so on is shared by at least k people.",
            ),
        ),
        praise="Every table is 1-anonymous, so k = 1 promises nothing: a patient can be the only "
        "one with their combination, and be recognised.",
    )
)

register(
    Question(
        "13.warmup-hash",
        expected=False,
        kind="bool",
        hints=("How many possible NHS numbers are there? Could someone hash them all?",),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "A plain hash always turns the same number into the same code, and there are "
                "only about a billion possible NHS numbers: someone can hash them all and look "
                "each code up. A keyed hash with a secret key is pseudonymisation, still not "
                "anonymous.",
            ),
        ),
        praise="Anyone can hash every possible NHS number and match the codes back. A keyed hash "
        "(with a secret key) is pseudonymisation: still personal data.",
    )
)

register(
    Question(
        "13.warmup-caldicott",
        expected=8,
        kind="integer",
        hints=(
            "The list starts 'justify the purpose' and ends 'inform patients and service users "
            "about how their information is used'.",
        ),
        praise="Justify the purpose; only when necessary; the minimum necessary; need to know; "
        "everyone aware of their responsibilities; comply with the law; the duty to share is as "
        "important as the duty to protect; inform patients.",
    )
)

# --- Your turn 1 (Parsons): external validation at Hungary ------------------------------------


def _not_each_line_once(answer: Any, expected: Any) -> bool:
    return _is_list(answer) and sorted(answer) != [1, 2, 3, 4]


def _before(answer: Any, first: int, then: int) -> bool:
    items = list(answer)
    return items.index(then) < items.index(first)


register(
    Question(
        "13.external-order",
        expected=EXTERNAL_ORDERS,
        kind="orders",
        hints=(
            "A line can only use a name (hungary, risk) or a fitted model after another line "
            "has made it.",
            "Train on Cleveland and pick the Hungarian patients; then predict; then measure.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list of line numbers in square brackets, like "
                "[1, 2, 3, 4].",
            ),
            Mistake(_not_each_line_once, "Use each of the four line numbers 1 to 4 exactly once."),
            Mistake(
                lambda a, e: _before(a, 3, 2),
                "Line 2 asks the model for risks, but the model has not learned anything until "
                "line 3 fits it on the Cleveland patients.",
            ),
            Mistake(
                lambda a, e: _before(a, 1, 2),
                "Line 2 uses hungary, which does not exist until line 1 picks those patients.",
            ),
            Mistake(
                lambda a, e: _before(a, 2, 4),
                "Line 4 measures risk, which does not exist until line 2 predicts it.",
            ),
        ),
        praise="Lines 1 and 3 can swap: neither uses the other. The model learns only from "
        "Cleveland, and is tested only on Hungary: that is external validation.",
    )
)

# --- Your turn 2: the nine-column model at VA Long Beach ----------------------------------------


def _nine_at(site: str) -> Any:
    return lambda: site_auroc(site, NINE)


def _nine_in_sample() -> float:
    from sklearn.metrics import roc_auc_score

    cleveland = _cleveland()
    model = cleveland_model(NINE)
    return float(
        roc_auc_score(cleveland["disease"], model.predict_proba(cleveland[list(NINE)])[:, 1])
    )


register(
    Question(
        "13.nine-columns-va",
        expected=_nine_at("VA Long Beach"),
        kind="number",
        abs_tol=0.005,
        hints=(
            "roc_auc_score takes the truth first, then the risk.",
            'answer = roc_auc_score(va["disease"], va_risk)',
        ),
        mistakes=(
            Mistake(
                _near(lambda: site_auroc("VA Long Beach"), abs_tol=0.005),
                "That is the 13-column model's AUROC at VA Long Beach, from the table in "
                "section 2. Use the nine-column model's risks, va_risk.",
            ),
            Mistake(
                _near(lambda: 1 - site_auroc("VA Long Beach", NINE), abs_tol=0.005),
                "An AUROC below 0.5 is worse than a coin toss. Check the order: "
                "roc_auc_score(truth, risk), with the truth first.",
            ),
            Mistake(
                lambda a, e: any(
                    _near(f, abs_tol=0.005)(a, e) for f in (_nine_at("Cleveland"), _nine_in_sample)
                ),
                "That is the nine-column model at Cleveland, where it learned. The question is "
                "about the Long Beach patients: va['disease'] and va_risk.",
            ),
            Mistake(
                lambda a, e: any(
                    _near(_nine_at(s), abs_tol=0.005)(a, e) for s in ("Hungary", "Switzerland")
                ),
                "That is another hospital. Use the VA Long Beach patients: va['disease'] and "
                "va_risk.",
            ),
        ),
        praise="Better than the 13-column model's 0.69 at Long Beach, although it looked worse "
        "at home. Compare the two tables below.",
    )
)

# --- Your turn 3: the leaky tree on rows it had never seen ---------------------------------------


register(
    Question(
        "13.unseen-accuracy",
        expected=lambda: _accuracy("unseen"),
        kind="number",
        abs_tol=0.0005,
        hints=(
            "Copy the line that printed the accuracy on the seen rows, and put ~seen where it "
            "says seen.",
            "answer = (leaky_predictions[~seen] == truth_test[~seen]).mean()",
        ),
        mistakes=(
            Mistake(
                _near(lambda: _accuracy("seen"), abs_tol=0.0005),
                "That is the accuracy on the rows the tree HAD seen. Use ~seen (with the ~) to "
                "pick the others.",
            ),
            Mistake(
                _near(lambda: _accuracy("all"), abs_tol=0.0005),
                "That is the accuracy on all 257 test rows. Pick only the rows where seen is "
                "False: [~seen].",
            ),
            Mistake(
                _near(lambda: 1 - _accuracy("unseen"), abs_tol=0.0005),
                "That is the share it got wrong. Accuracy is the share it got right: "
                "predictions == truth.",
            ),
            Mistake(
                _near(lambda: patient_split()["accuracy"], abs_tol=0.0005),
                "That is the split by patient, further down. This question is about the random "
                "split: the test rows where seen is False.",
            ),
            Mistake(
                lambda a, e: (
                    _is_number(a)
                    and float(a) == round(_accuracy("unseen") * (~leaky_split()["seen"]).sum())
                ),
                "That is how many rows it got right. Accuracy is a share: add .mean() instead "
                "of .sum().",
            ),
        ),
        praise="On the patients it had never seen, the 'near-perfect' tree is right only about two "
        "times in three. That is the honest number.",
    )
)

# --- Your turn 4: what Epic's AUROC of 0.63 means -----------------------------------------------

register(
    Question(
        "13.epic-auroc",
        expected="B",
        kind="choice",
        options=("A", "B", "C"),
        hints=(
            "Lesson 04: the AUROC compares pairs of people, one with the condition and one "
            "without.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().upper() == "A",
                "That is accuracy, which needs a threshold. The AUROC compares pairs: one "
                "admission with sepsis, one without. Which one scores higher?",
            ),
            Mistake(
                lambda a, e: a.strip().upper() == "C",
                "That is sensitivity, which needs a threshold. The AUROC compares pairs: one "
                "admission with sepsis, one without. Which one scores higher?",
            ),
        ),
        praise="63 in 100, where 50 would be a coin toss: much weaker than the 0.76-0.83 the "
        "developer reported.",
    )
)

# --- Your turn 5: NICE Evidence Standards Framework tier -----------------------------------------

register(
    Question(
        "13.nice-tier",
        expected="C",
        kind="choice",
        options=("A", "B", "C"),
        hints=(
            "Does the model make the system more efficient, help people manage their own "
            "health, or help diagnose a condition?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().upper() == "A",
                "Tier A is for tools that make the system more efficient, such as booking "
                "appointments. This model helps decide who may have heart disease.",
            ),
            Mistake(
                lambda a, e: a.strip().upper() == "B",
                "Tier B is for tools that help people manage their own health. This model is "
                "used by a cardiologist to help diagnose heart disease.",
            ),
        ),
        praise="Tier C: it helps diagnose a condition, so NICE asks for the most evidence. It "
        "would usually be a medical device too.",
    )
)

# --- Your turn 6 (make): the model card --------------------------------------------------------

#: What a good card contains, shown once the card has every section (the check cannot judge it).
CARD_LOOKS_FOR = (
    "says who the model is for (adults referred for angiography) and who it is not for",
    "gives the AUROC at home and at each other hospital, with intervals",
    "says the risks were too low where more patients had heart disease (calibration)",
    "names the missing values (ca, thal, cholesterol) and the 1980s, mostly male patients",
    "names a Clinical Safety Officer, a hazard log and a safety case, and what is monitored",
)


def _report(answer: Any) -> Any:
    return check_model_card(answer)


def _section_text(answer: str, section: str) -> str:
    return card_sections(answer).get(section, "")


def _not_text(answer: Any, expected: Any) -> bool:
    return not isinstance(answer, str)


def _no_sections(answer: Any, expected: Any) -> bool:
    return not _report(answer)["present"].any()


def _only_prompts(answer: Any, expected: Any) -> bool:
    report = _report(answer)
    return bool(report["present"].all() and (report["words"] == 0).all())


def _section_not_filled(section: str) -> Any:
    def matches(answer: Any, expected: Any) -> bool:
        row = _report(answer).set_index("section").loc[section]
        return not row["present"] or row["words"] == 0

    return matches


def _no_numbers(answer: Any, expected: Any) -> bool:
    return not re.search(r"\d\.\d", _section_text(answer, "External validation"))


_SITE_WORDS = (("hungar", "budapest"), ("switzerland", "swiss", "zurich", "basel"), ("long beach",))


def _not_every_site(answer: Any, expected: Any) -> bool:
    text = _section_text(answer, "External validation").casefold()
    return not all(any(word in text for word in words) for words in _SITE_WORDS)


def _card_mistakes() -> tuple[Mistake, ...]:
    mistakes = [
        Mistake(
            _not_text,
            'Put your model card between triple quotes, """like this""", so that it is text.',
        ),
        Mistake(
            _no_sections,
            "I cannot find any of the required headings. Start from the template: copy what "
            "print(modelcard.template()) shows, headings and all.",
        ),
        Mistake(
            _only_prompts,
            "Your card still holds only the template's prompts. Write your own sentences under "
            "each heading.",
        ),
    ]
    for section in SECTIONS:
        mistakes.append(
            Mistake(
                _section_not_filled(section),
                f'The section "{section}" is missing, or still holds only its prompt. It should '
                f"say: {PROMPTS[section]} Run modelcard.check_model_card(my_card) to see every "
                "section.",
            )
        )
    mistakes += [
        Mistake(
            _no_numbers,
            "Your External validation section gives no numbers. Give the AUROC at each "
            "hospital, with its interval, from the table in section 2.",
        ),
        Mistake(
            _not_every_site,
            "Your External validation section should name each hospital the model was tested "
            "at: Hungary, Switzerland and VA Long Beach.",
        ),
        Mistake(
            lambda a, e: bool(false_certainty(a)),
            'Careful: your card promises more than any model can (a word such as "definitely", '
            '"100%" or "guaranteed"). Say how sure the numbers let you be.',
        ),
        Mistake(
            lambda a, e: True,
            "Every required section is there and filled in, and your external validation gives "
            "numbers for each hospital. This check can only see the shape of your card, not "
            "whether it is true or clear: it stays in this notebook for your teacher to read. "
            "Before you hand it in, check that it:\n"
            + "\n".join(f"- {item}" for item in CARD_LOOKS_FOR),
        ),
    ]
    return tuple(mistakes)


register(
    Question(
        "13.model-card",
        expected=None,
        kind="custom",
        compare=lambda answer, expected: False,  # the shape is checked; the content is not
        hints=(
            "Copy the text that print(modelcard.template(...)) shows, paste it between the "
            "triple quotes, and write under each heading.",
            "Run modelcard.check_model_card(my_card) in a new cell: its note column says which "
            "sections still need words.",
        ),
        mistakes=_card_mistakes(),
    )
)
