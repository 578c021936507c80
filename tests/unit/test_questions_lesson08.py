"""Lesson 08 "Medical images": its checks, and the numbers its text states.

The right answers pass, typical wrong answers get their own hint, an unanswered exercise gets
the "Replace the ..." message, the teacher notes' worked answers pass, and every number the
lesson writes is recomputed here directly with pydicom, scikit-image and scikit-learn (not with
healthlab.images or healthlab.questions.lesson08).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
import pytest
from lessonkit import answer_name, teacher_solutions
from pydicom.data import get_testdata_file
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from healthlab import evaluate, images
from healthlab.checks import evaluate_answer

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "08-medical-images.ipynb"
TEACHER_NOTES = LESSON.parent / "teacher-notes" / "08-medical-images.md"
SEED = 42
REPLACE = "Replace the ... with your answer, then run the cell again."
EXERCISES = {
    "08.warmup-band",
    "08.warmup-red-score",
    "08.pixel-hu",
    "08.bone-share",
    "08.fracture-window",
    "08.deid-order",
    "08.vessel-fraction",
    "08.better-classifier",
}


def message(question_id, answer):
    return evaluate_answer(question_id, answer).message


def correct(question_id, answer):
    return evaluate_answer(question_id, answer).correct


# --- a fresh computation, straight from pydicom, scikit-image and scikit-learn -------------------


@pytest.fixture(scope="module")
def ct():
    header = pydicom.dcmread(get_testdata_file("CT_small.dcm", download=False))
    stored = header.pixel_array
    hu = stored.astype(float) * float(header.RescaleSlope) + float(header.RescaleIntercept)
    return stored, header, hu


@pytest.fixture(scope="module")
def retina():
    from scipy import ndimage
    from skimage import data
    from skimage.filters import frangi
    from skimage.morphology import disk

    photo = data.retina()
    small = photo[::4, ::4]
    region = ndimage.binary_erosion(small[:, :, 0] > 20, structure=disk(4))
    raw = frangi(small[:, :, 1] / 255.0, sigmas=(1, 2, 3), black_ridges=True)
    raw[~region] = 0
    vesselness = raw / raw.max()
    return photo, small, region, vesselness


@pytest.fixture(scope="module")
def patches():
    patches, labels = images.make_vessel_patches(600, seed=SEED)  # the data set itself
    X = patches.reshape(len(patches), -1)
    X_train, X_test, y_train, y_test = train_test_split(
        X, labels, test_size=0.25, stratify=labels, random_state=SEED
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    return patches, labels, X_train, X_test, y_train, y_test, model


def fitted(c, split):
    _p, _l, X_train, _X_test, y_train, _y_test, _m = split
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=1000)).fit(
        X_train, y_train
    )


def sens_spec(model, split):
    _p, _l, _X_train, X_test, _y_train, y_test, _m = split
    pred = model.predict(X_test)
    return float((pred[y_test == 1] == 1).mean()), float((pred[y_test == 0] == 0).mean())


@pytest.fixture(scope="module")
def notebook():
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    outputs, alts = [], []
    for cell in code:
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            outputs.append("".join(out.get("data", {}).get("text/plain", "")))
            if "image/png" in out.get("data", {}):
                alts.append(out["metadata"]["image/png"]["alt"])
    return {
        "markdown": re.sub(r"\s*\n\s*", " ", markdown),
        "code": code,
        "sources": "\n".join("".join(c["source"]) for c in code),
        "outputs": "\n".join(outputs),
        "alts": alts,
        "cells": nb["cells"],
        "metadata": nb["metadata"],
    }


# --- every exercise -------------------------------------------------------------------------------


def test_every_exercise_left_blank_asks_for_an_answer():
    for question_id in EXERCISES:
        assert message(question_id, ...) == REPLACE


@pytest.mark.parametrize(
    "junk", [None, "text", [1, 2], pd.DataFrame({"a": [1]}), {"a": 1}, float("nan"), object()]
)
def test_check_never_raises_on_junk(junk):
    for question_id in EXERCISES:
        feedback = evaluate_answer(question_id, junk)
        assert isinstance(feedback.message, str) and feedback.message
        assert not feedback.correct


def test_warmup_band():
    # clinical-facts.md: 5-6 medium; a 3 in one parameter low-medium; 7 or more high
    for right in ("medium", "Medium", " MEDIUM "):
        assert correct("08.warmup-band", right)
    assert "0 to 4" in message("08.warmup-band", "low")
    assert "red score" in message("08.warmup-band", "low-medium")
    assert "starts at a total of 7" in message("08.warmup-band", "high")
    assert "Choose one of" in message("08.warmup-band", "amber")


def test_warmup_red_score():
    assert correct("08.warmup-red-score", False)
    assert "red score" in message("08.warmup-red-score", True)
    assert "True or False" in message("08.warmup-red-score", "False")


def test_pixel_hu(ct):
    stored, header, hu = ct
    value = float(stored[124, 30])
    right = value * float(header.RescaleSlope) + float(header.RescaleIntercept)
    assert right == hu[124, 30] == -130  # fat, as the praise says: about -100 HU
    assert correct("08.pixel-hu", right)
    assert correct("08.pixel-hu", stored[124, 30] * header.RescaleSlope + header.RescaleIntercept)
    assert "stored value itself" in message("08.pixel-hu", value)
    assert "You added 1024" in message("08.pixel-hu", value + 1024)
    assert "Row first" in message("08.pixel-hu", hu[30, 124])
    assert "fat" in evaluate_answer("08.pixel-hu", right).message


def test_bone_share(ct):
    _stored, _header, hu = ct
    share = (hu >= 300).sum() / hu.size
    assert share == 1024 / 16384
    assert correct("08.bone-share", share)
    assert correct("08.bone-share", (hu >= 300).mean())
    assert "number of bone pixels" in message("08.bone-share", int((hu >= 300).sum()))
    assert "BELOW" in message("08.bone-share", 1 - share)
    assert (hu > 300).mean() != share
    assert "not >" in message("08.bone-share", (hu > 300).mean())
    assert "percentage" in message("08.bone-share", 100 * share)


def test_fracture_window():
    assert correct("08.fracture-window", "bone")
    assert correct("08.fracture-window", "Bone")
    assert "0 to 80 HU" in message("08.fracture-window", "brain")  # W80 L40
    assert "-160 to 240 HU" in message("08.fracture-window", "soft tissue")  # W400 L40
    assert "-160 to 240 HU" in message("08.fracture-window", "mediastinum")
    assert "-1350 to 150 HU" in message("08.fracture-window", "lung")  # W1500 L-600
    assert "-500 to 1300 HU" in evaluate_answer("08.fracture-window", "bone").message
    assert "Choose one of" in message("08.fracture-window", "liver")


def test_deid_order():
    right = [[6, 3, 1, 5, 4, 2], [6, 3, 1, 4, 5, 2], [6, 3, 4, 1, 5, 2], [6, 4, 3, 1, 5, 2]]
    for order in right:
        assert correct("08.deid-order", order)
    assert "square brackets" in message("08.deid-order", "6, 3, 1, 5, 4, 2")
    assert "exactly once" in message("08.deid-order", [6, 3, 1, 5, 4, 4])
    assert "exactly once" in message("08.deid-order", [6, 3, 1, 5, 2])
    assert "before you can do anything" in message("08.deid-order", [3, 6, 1, 5, 4, 2])
    assert "Sharing must come last" in message("08.deid-order", [6, 3, 1, 2, 5, 4])
    assert "after step 1 has made it" in message("08.deid-order", [6, 3, 5, 1, 4, 2])
    assert "Look before you change" in message("08.deid-order", [6, 1, 3, 5, 4, 2])


def test_vessel_fraction(retina):
    _photo, small, region, vesselness = retina
    at = {t: float((vesselness > t)[region].mean()) for t in (0.05, 0.1)}
    whole = float((vesselness > 0.1).mean())
    assert at[0.1] < at[0.05]  # the praise: "the share goes down"
    assert correct("08.vessel-fraction", at[0.1])
    assert correct("08.vessel-fraction", round(at[0.1], 3))
    one_step = images.vessel_map(small, threshold=0.1, region=images.field_of_view(small))
    assert correct("08.vessel-fraction", images.vessel_fraction(one_step, region))
    assert "lesson's threshold of 0.05" in message("08.vessel-fraction", at[0.05])
    assert "whole square picture" in message("08.vessel-fraction", whole)
    assert "percentage" in message("08.vessel-fraction", 100 * at[0.1])


def test_better_classifier(patches):
    lesson_sens, _ = sens_spec(patches[-1], patches)
    for c in (0.05, 0.1, 0.2, 0.3, 0.5):
        model = fitted(c, patches)
        sens, spec = sens_spec(model, patches)
        assert sens > lesson_sens and spec >= 0.9
        assert correct("08.better-classifier", model)
    # the teacher notes: these do not beat the lesson's sensitivity
    for c in (0.01, 0.03, 5.0, 10.0):  # 5 is the lesson's example: it must not pass
        model = fitted(c, patches)
        assert sens_spec(model, patches)[0] <= lesson_sens
        assert "no more vessel patches" in message("08.better-classifier", model)
    _p, _l, X_train, _X_test, y_train, _y_test, _m = patches
    everything = DummyClassifier(strategy="constant", constant=1).fit(X_train, y_train)
    assert "below 0.9" in message("08.better-classifier", everything)
    assert "not learned anything" in message(
        "08.better-classifier", make_pipeline(StandardScaler(), LogisticRegression())
    )
    few_inputs = LogisticRegression().fit(X_train[:, :10], y_train)
    assert "cannot read the test patches" in message("08.better-classifier", few_inputs)
    assert "the fitted model itself" in message("08.better-classifier", "my_model")
    assert "the fitted model itself" in message("08.better-classifier", 0.87)
    # a model fitted on the training AND the test patches is leakage, whatever it scores
    _p, _l, X_train, X_test, y_train, y_test, _m = patches
    leaky = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=1000))
    leaky.fit(np.vstack([X_train, X_test]), np.concatenate([y_train, y_test]))
    assert not correct("08.better-classifier", leaky)
    assert "leakage" in message("08.better-classifier", leaky)


def test_teacher_solutions_pass(ct, retina, patches, notebook):
    stored, header, hu = ct
    _photo, small, region, vesselness = retina
    _p, _l, X_train, X_test, y_train, y_test, _m = patches
    solutions = teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == EXERCISES
    for question_id, code in solutions.items():
        namespace = {
            "stored": stored, "header": header, "hu": hu, "small": small, "region": region,
            "vesselness": vesselness,
            "X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test,
            "images": images, "evaluate": evaluate, "make_pipeline": make_pipeline,
            "StandardScaler": StandardScaler, "LogisticRegression": LogisticRegression,
            "print": lambda *a: None,
        }  # fmt: skip
        exec(code, namespace)
        answer = namespace[answer_name(notebook["cells"], question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)


# --- the notebook: exercises, text and stored outputs stay in step --------------------------------


def test_notebook_exercises_match_the_question_module(notebook):
    ids = set()
    for cell in notebook["code"]:
        source = "".join(cell["source"])
        found = re.findall(r'check\("(08\.[\w-]+)", answer\)', source)
        if found:
            ids.update(found)
            assert "answer = ..." in source or "= ...   #" in source  # no solution in the lesson
            texts = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert texts.strip() == REPLACE
    assert ids == EXERCISES
    assert notebook["metadata"]["healthlab"] == {"introduces": []}


def test_text_states_the_ct_numbers(ct, notebook):
    stored, header, hu = ct
    text, outputs = notebook["markdown"], notebook["outputs"]
    assert f"Stored values from {stored.min()} to {stored.max()}" in outputs
    assert f"128 rows by 128 columns: {hu.size:,} pixels" in text
    assert f"the top-left pixel stores {stored[0, 0]}" in text
    assert f"{stored[0, 0]} × 1 + (-1024) = {hu[0, 0]:g} HU" in text
    assert float(header.RescaleSlope) == 1 and float(header.RescaleIntercept) == -1024
    assert f"From {hu.min():g} HU to {hu.max():g} HU" in outputs
    lung = hu < -500
    assert f"Pixels below -500 HU (lung): {lung.sum()} of {hu.size}" in outputs
    assert f"{lung.mean():.1%} of the slice is lung" in text
    assert (
        f"In the soft tissue window {(hu >= 240).mean():.1%} of the pixels are pure white" in text
    )
    assert f"Elements in the header: {len(header)}" in outputs
    assert f"how many of the {len(header)} elements" in text


def test_text_states_the_windows(notebook):
    text = notebook["markdown"]
    facts = {"soft tissue": (400, 40), "bone": (1800, 400), "lung": (1500, -600), "brain": (80, 40)}
    for name, (width, level) in facts.items():
        band = f"({level - width / 2:g} to {level + width / 2:g} HU)"
        assert f"**{name.capitalize()}** {band}" in text
        assert f"{name} {band}" in notebook["alts"][1]


def test_text_states_the_header_numbers(ct, notebook):
    _stored, header, _hu = ct
    text = notebook["markdown"]
    listed = set(images.IDENTIFYING_ELEMENTS)
    present = [
        e for e in list(header.file_meta) + list(header) if e.keyword in listed and not e.is_empty
    ]
    private = sum(1 for e in header if e.tag.is_private)
    assert f"It found {len(present)} elements, plus {private} **private elements**" in text
    uids = [e for e in present if images.IDENTIFYING_ELEMENTS[e.keyword] == "new UID"]
    assert f"Only {len(uids)} elements are left, all UIDs" in text
    removed = private + sum(
        1 for e in header if images.IDENTIFYING_ELEMENTS.get(e.keyword) == "remove"
    )
    assert f"Elements in the copy: {len(header) - removed + 1}" in notebook["outputs"]  # + method
    assert "Every pixel the same: True" in notebook["outputs"]
    assert (
        "Burned In Annotation: None" in notebook["outputs"] and "BurnedInAnnotation" not in header
    )


def test_text_states_the_retina_numbers(retina, notebook):
    photo, small, region, vesselness = retina
    text, outputs, alts = notebook["markdown"], notebook["outputs"], notebook["alts"]
    assert photo.shape == (1411, 1411, 3) and small.shape == (353, 353, 3)
    assert f"The retina fills {region.mean():.1%} of the square picture" in outputs
    vessels = vesselness > 0.05
    fraction = vessels[region].mean()
    assert (
        f"Vessel pixels: {vessels.sum()}; share of the retina that is vessel: {fraction:.1%}"
        in outputs
    )
    assert f"branches: {fraction:.1%} of the retina" in text
    assert f"Is {fraction:.1%} right? We cannot tell" in text
    assert f"here {fraction:.1%} of the retina" in text
    assert f"{fraction:.1%} of the retina is marked as vessel" in alts[4]
    background = region & ~vessels
    dips = {}
    for index, name in [(0, "red"), (1, "green"), (2, "blue")]:
        channel = small[:, :, index].astype(float)
        dips[name] = 1 - channel[vessels].mean() / channel[background].mean()
        assert f"{name:>5}: vessel pixels are {dips[name]:.0%} darker" in outputs
    assert dips["green"] > dips["blue"] > dips["red"]  # "the vessels stand out best in green"
    assert (
        f"green channel the vessels are {dips['green']:.0%} darker than the rest of the retina; "
        f"in blue {dips['blue']:.0%}, in red only {dips['red']:.0%}" in text
    )
    inside = small[:, :, 0] > 20
    red, green, blue = small[inside].mean(axis=0)
    assert f"red {red:.0f}, green {green:.0f}, blue {blue:.0f} of 255" in alts[3]


def test_text_states_the_classifier_numbers(patches, notebook):
    _p, labels, X_train, X_test, y_train, y_test, model = patches
    text, outputs = notebook["markdown"], notebook["outputs"]
    pred = model.predict(X_test)
    tp = int(((pred == 1) & (y_test == 1)).sum())
    tn = int(((pred == 0) & (y_test == 0)).sum())
    fn = int(((pred == 0) & (y_test == 1)).sum())
    fp = int(((pred == 1) & (y_test == 0)).sum())
    assert (
        f"The model found {tp} of the {tp + fn} vessel patches and correctly cleared {tn} of the "
        f"{tn + fp} patches without one: a sensitivity of {tp / (tp + fn):.2f} and a specificity "
        f"of {tn / (tn + fp):.2f}. It missed {fn} vessels and raised {fp} false alarms" in text
    )
    assert f"true positive: {tp}" in outputs and f"false negative: {fn}" in outputs
    train_acc = (model.predict(X_train) == y_train).mean()
    test_acc = (pred == y_test).mean()
    assert f"{train_acc:.3f} on the training patches but {test_acc:.3f} on the test patches" in text
    assert f"learned its {len(X_train)} training patches" in text
    assert f"sensitivity** on the test patches is higher than {tp / (tp + fn):.2f}" in text
    assert "LogisticRegression(C=5, max_iter=1000)" in text  # the example, which does not pass
    assert f"Training patches: {len(X_train)}, test patches: {len(X_test)}" in outputs
    assert int(labels.sum()) == 300


def test_the_histogram_alt_text_quotes_the_numbers(ct, notebook):
    _stored, _header, hu = ct
    alt = notebook["alts"][0]
    assert f"all {hu.size:,} pixels, from {hu.min():g} to {hu.max():g} HU" in alt
    assert f"holds {(hu < -500).mean():.1%} of the pixels (lung)" in alt
    assert f"{(hu >= 300).mean():.2%} are 300 HU or more (bone)" in alt


def test_the_lesson_is_honest_about_its_labels(notebook):
    text = notebook["markdown"]
    assert "labelled by construction" in text
    assert "would not be an independent truth" in text
    assert "Ten SYNTHETIC patches" in notebook["sources"]
    assert text.index("**Predict:** on the test patches") < text.index("The model found")
