"""Exercises of lesson 08, "Medical images" (``notebooks/08-medical-images.ipynb``).

Answers come from the course's real CT slice (pydicom's ``CT_small.dcm``), its real retina
photograph (scikit-image's ``retina``) and the SYNTHETIC vessel patches of
:func:`healthlab.images.make_vessel_patches`, with the lesson's own choices (the constants
below), never typed in. The warm-up asks about NEWS2 (lesson 07), with the bands of the Royal
College of Physicians (2017) as in ``clinical-facts.md``.

Examples
--------
>>> from healthlab.checks import evaluate_answer
>>> evaluate_answer("08.warmup-band", "medium").correct
True
>>> print(evaluate_answer("08.fracture-window", "brain").message)
The brain window shows only 0 to 80 HU, so almost all bone is pure white: a crack in it would not show.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from healthlab.checks import Mistake, Question, register
from healthlab.checks import is_number as _is_number

__all__ = [
    "BONE_HU",
    "N_PATCHES",
    "PIXEL",
    "SEED",
    "SHRINK",
    "STEPS_ORDERS",
    "TEST_SIZE",
    "TURN_THRESHOLD",
    "ct_slice",
    "lesson_classifier",
    "patch_split",
    "retina_small",
    "scores_of",
]

#: The random seed every lesson uses.
SEED = 42
#: "Your turn 1": the pixel (row, column) whose stored value students convert to HU.
PIXEL = (124, 30)
#: "Your turn 2": HU at or above which a pixel counts as bone (dense bone, clinical-facts.md).
BONE_HU = 300
#: The retina photograph is shrunk by keeping every SHRINK-th row and column.
SHRINK = 4
#: "Your turn 5": the threshold students try (the lesson's map uses vessel_map's default).
TURN_THRESHOLD = 0.1
#: Synthetic patches made for the classifier, and the share kept for testing.
N_PATCHES = 600
TEST_SIZE = 0.25
#: "Your turn 6": the better model must keep at least this specificity on the test patches.
MIN_SPECIFICITY = 0.9

#: "Your turn 4" (Parsons problem) steps, as printed in the lesson:
#: 1 make a de-identified copy; 2 share the copy (approved route); 3 list the original's
#: identifying elements; 4 look at the image for burned-in text; 5 list the copy's
#: identifying elements again; 6 load the file.
#: Rules: load first, share last, list the original before making the copy, make the copy
#: before checking it; looking at the pixels (4) may come anywhere between.
STEPS_ORDERS = tuple(
    order
    for order in itertools.permutations((1, 2, 3, 4, 5, 6))
    if order[0] == 6 and order[-1] == 2 and order.index(3) < order.index(1) < order.index(5)
)


# --- data, computed once ------------------------------------------------------------------------


@cache
def ct_slice() -> tuple[Any, Any]:
    """The lesson's CT slice: ``(hu, header)`` from :func:`healthlab.datasets.load_ct_slice`.

    Examples
    --------
    >>> hu, header = ct_slice()
    >>> hu.shape
    (128, 128)
    """
    from healthlab import datasets

    return datasets.load_ct_slice()


@cache
def retina_small() -> Any:
    """The retina photograph with every :data:`SHRINK`-th row and column, as in the lesson.

    Examples
    --------
    >>> retina_small().shape
    (353, 353, 3)
    """
    from healthlab import datasets

    return datasets.load_retina()[::SHRINK, ::SHRINK]


@cache
def _region() -> Any:
    from healthlab import images

    return images.field_of_view(retina_small())


@cache
def _fraction(threshold: float, *, whole: bool = False) -> float:
    from healthlab import images

    mask = images.vessel_map(retina_small(), threshold, region=_region())
    return images.vessel_fraction(mask, None if whole else _region())


@cache
def patch_split() -> tuple[Any, Any, Any, Any]:
    """The lesson's synthetic patches, flattened to rows of pixels and split 75/25.

    Returns
    -------
    tuple of (X_train, X_test, y_train, y_test)
        From ``images.make_vessel_patches(600, seed=42)``, each patch's 15 x 15 pixels as one
        row of 225 numbers, split with ``stratify=labels, random_state=42``.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = patch_split()
    >>> X_train.shape, X_test.shape, int(y_test.sum())
    ((450, 225), (150, 225), 75)
    """
    from sklearn.model_selection import train_test_split

    from healthlab import images

    patches, labels = images.make_vessel_patches(N_PATCHES, seed=SEED)
    X = patches.reshape(len(patches), -1)
    return tuple(
        train_test_split(X, labels, test_size=TEST_SIZE, stratify=labels, random_state=SEED)
    )


@cache
def lesson_classifier() -> Any:
    """The lesson's classifier: scaled logistic regression (C = 1) on the training patches.

    Examples
    --------
    >>> lesson_classifier().score(patch_split()[1], patch_split()[3]) > 0.8
    True
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, _X_test, y_train, _y_test = patch_split()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return model.fit(X_train, y_train)


def scores_of(model: Any) -> tuple[float, float]:
    """Sensitivity and specificity of a fitted classifier on the lesson's test patches.

    Examples
    --------
    >>> sens, spec = scores_of(lesson_classifier())
    >>> 0 < sens < 1 and 0 < spec <= 1
    True
    """
    import numpy as np

    _X_train, X_test, _y_train, y_test = patch_split()
    predicted = np.asarray(model.predict(X_test)).astype(int)
    truth = np.asarray(y_test)
    sensitivity = float((predicted[truth == 1] == 1).mean())
    specificity = float((predicted[truth == 0] == 0).mean())
    return sensitivity, specificity


def _near(answer: Any, value: float, tol: float) -> bool:
    return _is_number(answer) and abs(float(answer) - value) <= tol


# --- warm-up: NEWS2 (lesson 07) -------------------------------------------------------------------

register(
    Question(
        "08.warmup-band",
        expected="medium",
        kind="choice",
        options=("low", "low-medium", "medium", "high"),
        hints=("NEWS2 bands by total: 0-4 low, 5-6 medium, 7 or more high.",),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().lower() == "low",
                "Low is a total of 0 to 4. A total of 5 is the RCP's key threshold for an "
                "urgent response.",
            ),
            Mistake(
                lambda a, e: a.strip().lower() == "low-medium",
                "Low-medium is for a score of 3 in one single parameter (a red score). Here "
                "the question is about the total.",
            ),
            Mistake(
                lambda a, e: a.strip().lower() == "high",
                "High starts at a total of 7. Which band holds 5 and 6?",
            ),
        ),
        praise="5-6 is medium: an urgent response, observations at least every hour, and "
        "think sepsis.",
    )
)

register(
    Question(
        "08.warmup-red-score",
        expected=False,
        kind="bool",
        hints=("What if all 3 points come from one single parameter?",),
        mistakes=(
            Mistake(
                lambda a, e: a is True,
                "Look again: if all 3 points come from ONE parameter (a red score), NEWS2 asks "
                "for an urgent ward-based response, even though the total is low.",
            ),
        ),
        praise="A 3 in any single parameter (a red score) needs an urgent ward-based response, "
        "whatever the total.",
    )
)

# --- Your turn 1: a stored value to Hounsfield units ---------------------------------------------


def _stored() -> float:
    _hu, header = ct_slice()
    return float(header.pixel_array[PIXEL])


def _pixel_hu() -> float:
    _hu, header = ct_slice()
    return _stored() * float(header.RescaleSlope) + float(header.RescaleIntercept)


def _swapped_hu() -> float:
    _hu, header = ct_slice()
    stored = float(header.pixel_array[PIXEL[1], PIXEL[0]])
    return stored * float(header.RescaleSlope) + float(header.RescaleIntercept)


register(
    Question(
        "08.pixel-hu",
        expected=_pixel_hu,
        kind="number",
        abs_tol=0.5,
        hints=(
            "HU = stored value x RescaleSlope + RescaleIntercept.",
            f"The stored value is stored[{PIXEL[0]}, {PIXEL[1]}] (row first, then column).",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, _stored(), 0.5),
                "That is the stored value itself. Multiply it by the slope, then add the "
                "intercept, to get Hounsfield units.",
            ),
            Mistake(
                lambda a, e: _near(a, _stored() + 1024, 0.5),
                "The intercept is -1024, so adding it takes 1024 away. You added 1024.",
            ),
            Mistake(
                lambda a, e: _near(a, _swapped_hu(), 0.5) and not _near(a, e, 0.5),
                f"Row first, then column: the pixel is [{PIXEL[0]}, {PIXEL[1]}].",
            ),
        ),
        praise="About -100 HU is typical of fat: this pixel is in the layer of fat under the "
        "skin of the back.",
    )
)

# --- Your turn 2: the share of bone -------------------------------------------------------------


def _share(op: str) -> float:
    hu, _header = ct_slice()
    if op == ">=":
        return float((hu >= BONE_HU).mean())
    if op == ">":
        return float((hu > BONE_HU).mean())
    return float((hu < BONE_HU).mean())


def _count() -> int:
    hu, _header = ct_slice()
    return int((hu >= BONE_HU).sum())


register(
    Question(
        "08.bone-share",
        expected=lambda: _share(">="),
        kind="number",
        hints=(
            f"hu >= {BONE_HU} is True for each bone pixel and False for the rest.",
            "The .mean() of True/False values is the share that are True.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _is_number(a) and float(a) == _count(),
                "That is the number of bone pixels. Divide by the number of pixels (or use "
                ".mean()) to get the share.",
            ),
            Mistake(
                lambda a, e: _near(a, _share("<"), 1e-9),
                f"That is the share BELOW {BONE_HU} HU. You want {BONE_HU} HU or more.",
            ),
            Mistake(
                lambda a, e: _near(a, _share(">"), 1e-9) and _share(">") != e,
                f"Use >= ('{BONE_HU} or more'), not > ('more than {BONE_HU}').",
            ),
        ),
        praise="Only a small share of this slice is dense bone: the vertebra's hard outer "
        "layer. The spongy bone inside it is lower, and a threshold is not a diagnosis.",
    )
)

# --- Your turn 3: which window? -----------------------------------------------------------------


def _limits(name: str) -> str:
    from healthlab import images

    low, high = images.window_limits(name)
    return f"{low:g} to {high:g} HU"


register(
    Question(
        "08.fracture-window",
        expected="bone",
        kind="choice",
        options=("lung", "soft tissue", "mediastinum", "bone", "brain"),
        hints=(
            "Which window is wide enough, and centred high enough, to show different greys "
            "inside the bone?",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a.strip().lower() == "brain",
                f"The brain window shows only {_limits('brain')}, so almost all bone is pure "
                "white: a crack in it would not show.",
            ),
            Mistake(
                lambda a, e: a.strip().lower() in ("soft tissue", "mediastinum"),
                f"That window shows about {_limits('soft tissue')}: muscle and organs. Dense "
                f"bone ({BONE_HU} HU and more) is pure white in it.",
            ),
            Mistake(
                lambda a, e: a.strip().lower() == "lung",
                f"The lung window ({_limits('lung')}) is for air-filled lung; bone is white in it.",
            ),
        ),
        praise=f"The bone window ({_limits('bone')}) spreads the greys over the values of bone, "
        "so a fracture line can show.",
    )
)

# --- Your turn 4: de-identification steps in order (Parsons) -----------------------------------


def _is_list(answer: Any) -> bool:
    return isinstance(answer, (list, tuple))


def _position(answer: Any, step: int) -> int:
    return list(answer).index(step)


register(
    Question(
        "08.deid-order",
        expected=STEPS_ORDERS,
        kind="orders",
        hints=(
            "You can only work on a file once you have it, and share only at the very end.",
            "Look at what is there, change it, then check the change worked.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not _is_list(a),
                "The answer should be a list of step numbers in square brackets, like "
                "[1, 2, 3, 4, 5, 6].",
            ),
            Mistake(
                lambda a, e: _is_list(a) and sorted(a) != [1, 2, 3, 4, 5, 6],
                "Use each of the six step numbers 1 to 6 exactly once.",
            ),
            Mistake(
                lambda a, e: list(a)[0] != 6,
                "You need the file before you can do anything with it.",
            ),
            Mistake(
                lambda a, e: list(a)[-1] != 2,
                "Sharing must come last: only after every check has been done.",
            ),
            Mistake(
                lambda a, e: _position(a, 5) < _position(a, 1),
                "Step 5 checks the copy: you can only check it after step 1 has made it.",
            ),
            Mistake(
                lambda a, e: _position(a, 1) < _position(a, 3),
                "Look before you change: list what is in the original (step 3) before making "
                "the copy, so that you know what to check for.",
            ),
        ),
        praise="Load, look, copy, check, look at the pixels too, and only then share.",
    )
)

# --- Your turn 5: vessel fraction at another threshold --------------------------------------------

register(
    Question(
        "08.vessel-fraction",
        expected=lambda: _fraction(TURN_THRESHOLD),
        kind="number",
        abs_tol=0.0005,
        hints=(
            f"Make a new map, as in the lesson: new_map = vesselness > {TURN_THRESHOLD}.",
            "Then images.vessel_fraction(new_map, region): the share inside the retina.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: _near(a, _fraction(0.05), 0.0005),
                "That is the share at the lesson's threshold of 0.05. Make a new map with a "
                f"threshold of {TURN_THRESHOLD}: vesselness > {TURN_THRESHOLD}.",
            ),
            Mistake(
                lambda a, e: _near(a, _fraction(TURN_THRESHOLD, whole=True), 0.0005),
                "You counted the whole square picture, including the black corners. Give the "
                "region too: images.vessel_fraction(new_map, region).",
            ),
            Mistake(
                lambda a, e: _near(a, _fraction(0.05, whole=True), 0.0005),
                "That is the lesson's map, counted over the whole square. Use a threshold of "
                f"{TURN_THRESHOLD} and count inside the region.",
            ),
        ),
        praise="A higher threshold keeps only the clearest vessels, so the share goes down. "
        "Which is right? Without an expert's drawing of the vessels, we cannot say.",
    )
)

# --- Your turn 6 (make): a better classifier ------------------------------------------------------


def _scores(answer: Any) -> tuple[float, float] | None:
    try:
        return scores_of(answer)
    except Exception:
        return None


def _saw_test_patches(answer: Any) -> bool:
    """True when the model learned from more patches than the 450 training patches."""
    from healthlab.questions.lesson07 import rows_learned

    try:
        learned = rows_learned(answer)
    except Exception:
        return False
    return learned is not None and learned > len(patch_split()[0])


def _better(answer: Any, expected: Any) -> bool:
    if answer is Ellipsis or not hasattr(answer, "predict"):
        return False
    if _saw_test_patches(answer):
        return False
    scores = _scores(answer)
    if scores is None:
        return False
    lesson_sensitivity, _lesson_specificity = scores_of(lesson_classifier())
    return scores[0] > lesson_sensitivity and scores[1] >= MIN_SPECIFICITY


def _not_fitted(answer: Any) -> bool:
    from sklearn.exceptions import NotFittedError

    try:
        answer.predict(patch_split()[1][:1])
    except NotFittedError:
        return True
    except Exception:
        return False
    return False


def _wrong_inputs(answer: Any) -> bool:
    return hasattr(answer, "predict") and not _not_fitted(answer) and _scores(answer) is None


def _not_more_sensitive(answer: Any) -> bool:
    scores = _scores(answer)
    return scores is not None and scores[0] <= scores_of(lesson_classifier())[0]


def _too_unspecific(answer: Any) -> bool:
    scores = _scores(answer)
    return scores is not None and scores[1] < MIN_SPECIFICITY


register(
    Question(
        "08.better-classifier",
        expected=None,
        kind="custom",
        compare=_better,
        hints=(
            "Copy the lesson's pipeline and give LogisticRegression a different C, for "
            "example LogisticRegression(C=0.01, max_iter=1000). Fit it on X_train, y_train.",
            "The lesson's model learned its training patches almost perfectly but did worse on "
            "the test patches. A smaller C makes a simpler model.",
        ),
        mistakes=(
            Mistake(
                lambda a, e: a is not Ellipsis and a is not None and not hasattr(a, "predict"),
                "Give the fitted model itself (the variable, without quotes), e.g. "
                "answer = my_model.",
            ),
            Mistake(
                lambda a, e: _not_fitted(a),
                "Your model has not learned anything yet: call my_model.fit(X_train, y_train) "
                "first.",
            ),
            Mistake(
                lambda a, e: _wrong_inputs(a),
                "Your model cannot read the test patches: train it on X_train (each patch as "
                "one row of 225 pixel values), as in the lesson.",
            ),
            Mistake(
                lambda a, e: _saw_test_patches(a),
                "Your model learned from more than the 450 training patches: it has seen the "
                "test patches too. That is leakage, so its score on them means nothing. Fit it "
                "on X_train and y_train only.",
            ),
            Mistake(
                lambda a, e: _not_more_sensitive(a),
                "Your model finds no more vessel patches in the test set than the lesson's "
                "model (check its sensitivity). Try other values of C: much smaller, or larger.",
            ),
            Mistake(
                lambda a, e: _too_unspecific(a),
                "Your model finds more vessel patches, but its specificity is below 0.9: it "
                "raises too many false alarms. Try another C.",
            ),
        ),
        praise="Your model finds more of the vessel patches in the test set than the lesson's "
        "model, and still correctly clears at least 9 in 10 patches without one. Remember: "
        "these are synthetic patches, so this says nothing yet about real photographs.",
    )
)
