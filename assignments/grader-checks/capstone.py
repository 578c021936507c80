"""Grader-side checks of the capstone (see healthlab.grading.probes).

The capstone is a project: every student chooses one of lesson 14's four questions, so no check
can compare with one fixed answer. Instead each check asks the student's kernel for the
student's **own** work (their question, row positions, ids, the risks their model gives, the
numbers they report, their audit table, card and brief) as plain data, and recomputes here,
from the grader's own copy of the question's data (:func:`healthlab.capstone.load_question`),
what those should be. Nothing the kernel claims about the data is trusted: the truth, the ids
and the audit groups of the student's rows come from the grader's copy.

- Task 3, split: the ids of the student's rows (from the grader's data) never appear on both
  sides, and ``train_ids``/``test_ids`` are those ids; ``X_train``... are exactly those rows.
- Task 5, model: a fresh clone of the model, fitted in the kernel on ``X_train, y_train``, gives
  the model's own risks on the test rows (shown in an order chosen at random for this run), and
  ``X_train, y_train`` are the training rows: so the model learned from the training rows only.
- Task 6, evaluation: sensitivity, specificity, AUROC (and PPV, NPV, accuracy if reported)
  recomputed here from the model's risks on the test rows (asked in a random order) and the
  grader's truth; numbers that match the training rows instead get their own message; the 95%
  intervals are the Wilson intervals of :func:`healthlab.evaluate.clinical_metrics`.
- Task 7, audit: the audit's counts recomputed from the student's ``flagged`` (errors carried
  forward) with the grader's truth and groups.
- Task 8, card: :func:`healthlab.modelcard.check_model_card` here, on the card's text; its
  Evaluation section must quote the student's reported sensitivity and specificity (errors
  carried forward: the numbers of Task 6, right or wrong).
- Task 9, brief: 300 to 400 words that hold a letter or a digit.

Errors are carried forward: each check uses the student's own earlier results (rows, model,
flags, reported numbers), so one mistake costs the mark of its own step only. There are no
student functions to call on made-up inputs here; the random part is the order of the test
rows the model is asked about, so a "model" that replays stored answers fails. Replies are sent
in chunks of 5,000 values (a plain-data list holds at most 10,000). None of this file reaches
the student; messages say what is wrong, never what the right answer is.
"""

from __future__ import annotations

import math
import re
from functools import cache

import numpy as np

from healthlab import capstone, evaluate, modelcard
from healthlab.grading.probes import Check

#: How far a reported number may be from the recomputed one: any correct rounding to 3 places.
TOL = 0.0005
#: The brief's length, in words that hold a letter or a digit (lesson 14: 300-400 words).
BRIEF_WORDS = (300, 400)
#: What ``reported`` may hold besides the threshold.
MEASURES = ("sensitivity", "specificity", "ppv", "npv", "accuracy", "auroc")
REQUIRED = ("threshold", "sensitivity", "specificity", "auroc")
COUNT_COLUMNS = ("people", "with_condition", "found", "without_condition", "false_alarms")

# -- what the kernel is asked --------------------------------------------------------------------
# Each ask is one expression evaluated in the notebook's namespace (see probes.probe_code).
# ``ch`` turns an array-like into chunks of plain values; ``pick`` takes rows of X by position;
# ``g`` is the grader's input for this run (a seed for the order of the test rows).

_CHUNKS = (
    "(lambda a: (lambda v: [v[i:i + 5000] for i in range(0, len(v), 5000)])"
    "(__import__('numpy').asarray(a).tolist()))"
)
_PICK = "(lambda X, p: X.iloc[p] if hasattr(X, 'iloc') else __import__('numpy').asarray(X)[p])"
_ORDER = "__import__('numpy').random.default_rng(g['seed']).permutation(len(X_test))"
_RISK_TEST = "ch(model.predict_proba(pick(X_test, p))[:, 1])"
_INDEX = "ch(getattr({0}, 'index', []))"


def _ask(body: str) -> str:
    """The expression sent to the kernel: ``body`` with ch, pick and g bound."""
    return f"(lambda ch, pick, g: {body})({_CHUNKS}, {_PICK}, given)"


def _with_order(body: str) -> str:
    """``body`` with ``p``, this run's random order of the test rows."""
    return _ask(f"(lambda p: {body})({_ORDER})")


def random_order(rng) -> dict:
    return {"seed": rng.randint(0, 2**31 - 1)}


# -- the grader's own data -----------------------------------------------------------------------


@cache
def _project(name: str):
    return capstone.load_question(name)


def _question(reply):
    """The grader's copy of the student's question, or None."""
    if not isinstance(reply, str) or reply.strip().casefold() not in capstone.QUESTIONS:
        return None
    return _project(reply.strip().casefold())


def _flat(chunks) -> list | None:
    """A chunked reply (a list of lists) as one list, or None."""
    if not isinstance(chunks, list) or not all(isinstance(c, list) for c in chunks):
        return None
    return [v for c in chunks for v in c]


def _positions(chunks, n: int) -> list[int] | None:
    """Row positions: whole numbers from 0 to n - 1, none twice; or None."""
    values = _flat(chunks)
    if values is None or not all(type(v) is int and 0 <= v < n for v in values):
        return None
    return values if len(set(values)) == len(values) else None


def _labels(chunks) -> list[int] | None:
    """0/1 values (bool, int or a float equal to 0 or 1) as ints; or None."""
    values = _flat(chunks)
    if values is None:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or (isinstance(v, (int, float)) and v in (0, 1)):
            out.append(int(v))
        else:
            return None
    return out


def _risks(chunks, n: int) -> np.ndarray | None:
    """n risks between 0 and 1, or None."""
    values = _flat(chunks)
    if values is None or len(values) != n:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    risk = np.asarray(values, dtype=float)
    return risk if np.isfinite(risk).all() and ((risk >= 0) & (risk <= 1)).all() else None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _unshuffle(shuffled: np.ndarray, seed: int) -> np.ndarray:
    """Risks asked in this run's random order, back in the order of the test rows."""
    order = np.random.default_rng(seed).permutation(len(shuffled))
    risk = np.empty_like(shuffled)
    risk[order] = shuffled
    return risk


def _measures(truth: np.ndarray, risk: np.ndarray, threshold: float) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    table = evaluate.clinical_metrics(truth, (risk >= threshold).astype(int))
    values = {k: float(table.loc[k, "value"]) for k in MEASURES if k != "auroc"}
    values["auroc"] = (
        float(roc_auc_score(truth, risk)) if 0 < truth.sum() < len(truth) else math.nan
    )
    return values


def _near(a, b) -> bool:
    return _number(a) and math.isfinite(b) and abs(a - b) <= TOL * (1 + 1e-9)


def _valid_reported(reported) -> bool:
    if not isinstance(reported, dict) or not set(REQUIRED) <= set(reported):
        return False
    if not set(reported) <= set(MEASURES) | {"threshold"}:
        return False
    if not all(_number(v) and 0 <= v <= 1 for v in reported.values()):
        return False
    return 0 < reported["threshold"] < 1


# -- Task 3: the split ---------------------------------------------------------------------------

ASK_SPLIT_IDS = _ask("[QUESTION, ch(train_rows), ch(test_rows), ch(train_ids), ch(test_ids)]")


def _split_ids(reply):
    """(grader's train ids, grader's test ids, student's train ids, student's test ids)."""
    if not (isinstance(reply, list) and len(reply) == 5):
        return None
    project = _question(reply[0])
    if project is None:
        return None
    n = len(project.ids)
    train, test = _positions(reply[1], n), _positions(reply[2], n)
    their_train, their_test = _flat(reply[3]), _flat(reply[4])
    if not train or not test or their_train is None or their_test is None:
        return None
    ids = project.ids.to_numpy()
    return [str(i) for i in ids[train]], [str(i) for i in ids[test]], their_train, their_test


def ids_are_the_rows(reply, _expected) -> bool:
    found = _split_ids(reply)
    if found is None:
        return False
    train, test, their_train, their_test = found
    return [str(i) for i in their_train] == train and [str(i) for i in their_test] == test


def no_id_on_both_sides(reply, _expected) -> bool:
    found = _split_ids(reply)
    return found is not None and not set(found[0]) & set(found[1])


ASK_SPLIT_ROWS = _ask(
    "[QUESTION, ch(train_rows), ch(test_rows), len(X_train), len(X_test), ch(y_train), "
    f"ch(y_test), {_INDEX.format('X_train')}, {_INDEX.format('X_test')}]"
)


def parts_are_the_rows(reply, _expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 9):
        return False
    project = _question(reply[0])
    if project is None:
        return False
    n = len(project.y)
    train, test = _positions(reply[1], n), _positions(reply[2], n)
    if not train or not test or set(train) & set(test):
        return False
    truth = project.y.to_numpy()
    for rows, n_x, y_chunks, index_chunks in (
        (train, reply[3], reply[5], reply[7]),
        (test, reply[4], reply[6], reply[8]),
    ):
        if n_x != len(rows) or _labels(y_chunks) != truth[rows].tolist():
            return False
        index = _flat(index_chunks)
        if index is None or (index and index != rows):  # an array has no index: lengths only
            return False
    return 0 < int(truth[test].sum()) < len(test)


# -- Task 5: the model ---------------------------------------------------------------------------

ASK_TRAINING_ROWS = _ask(
    f"[QUESTION, ch(train_rows), ch(test_rows), len(X_train), ch(y_train), "
    f"{_INDEX.format('X_train')}]"
)


def model_data_are_training_rows(reply, _expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 6):
        return False
    project = _question(reply[0])
    if project is None:
        return False
    n = len(project.y)
    train, test = _positions(reply[1], n), _positions(reply[2], n)
    if not train or test is None or set(train) & set(test) or reply[3] != len(train):
        return False
    if _labels(reply[4]) != project.y.to_numpy()[train].tolist():
        return False
    index = _flat(reply[5])
    return index is not None and (not index or index == train)


ASK_REFIT = _with_order(
    "[len(X_test), ch(__import__('sklearn.base', fromlist=['clone']).clone(model)"
    ".fit(X_train, y_train).predict_proba(pick(X_test, p))[:, 1]), " + _RISK_TEST + "]"
)


def fresh_copy_agrees(reply, _given) -> bool:
    if not (isinstance(reply, list) and len(reply) == 3 and type(reply[0]) is int):
        return False
    n = reply[0]
    fresh, own = _risks(reply[1], n), _risks(reply[2], n)
    return (
        n > 0
        and fresh is not None
        and own is not None
        and np.allclose(fresh, own, rtol=0, atol=1e-6)
    )


# -- Task 6: the evaluation ----------------------------------------------------------------------


def reported_format(reply, _expected) -> bool:
    return _valid_reported(reply)


ASK_TEST_AND_TRAINING = _with_order(
    "[QUESTION, ch(train_rows), ch(test_rows), reported, len(X_test), "
    + _RISK_TEST
    + ", ch(model.predict_proba(X_train)[:, 1])]"
)
ASK_TEST = _with_order("[QUESTION, ch(test_rows), reported, len(X_test), " + _RISK_TEST + "]")


def _test_measures(project, test, n_x, chunks, seed, threshold):
    if test is None or not test or n_x != len(test):
        return None
    shuffled = _risks(chunks, len(test))
    if shuffled is None:
        return None
    return _measures(project.y.to_numpy()[test], _unshuffle(shuffled, seed), threshold)


def _matches(reported: dict, values: dict) -> bool:
    return all(_near(reported[k], values[k]) for k in reported if k != "threshold")


def not_training_numbers(reply, given) -> bool:
    """Fails only when the reported numbers are the training rows' and not the test rows'."""
    if not (isinstance(reply, list) and len(reply) == 7) or not _valid_reported(reply[3]):
        return False
    project = _question(reply[0])
    if project is None:
        return False
    n = len(project.y)
    train, test, reported = _positions(reply[1], n), _positions(reply[2], n), reply[3]
    threshold = reported["threshold"]
    on_test = _test_measures(project, test, reply[4], reply[5], given["seed"], threshold)
    if not train or on_test is None:
        return False
    train_risk = _risks(reply[6], len(train))
    if train_risk is None:
        return False
    on_train = _measures(project.y.to_numpy()[train], train_risk, threshold)
    train_like = all(_near(reported[k], on_train[k]) for k in ("sensitivity", "specificity"))
    return _matches(reported, on_test) or not train_like


def test_numbers(reply, given) -> bool:
    if not (isinstance(reply, list) and len(reply) == 5) or not _valid_reported(reply[2]):
        return False
    project = _question(reply[0])
    if project is None:
        return False
    test, reported = _positions(reply[1], len(project.y)), reply[2]
    on_test = _test_measures(
        project, test, reply[3], reply[4], given["seed"], reported["threshold"]
    )
    return on_test is not None and _matches(reported, on_test)


ASK_INTERVALS = _with_order(
    "[QUESTION, ch(test_rows), threshold, intervals, len(X_test), " + _RISK_TEST + "]"
)


def intervals_of_test_rows(reply, given) -> bool:
    if not (isinstance(reply, list) and len(reply) == 6):
        return False
    project = _question(reply[0])
    threshold, intervals = reply[2], reply[3]
    if project is None or not (_number(threshold) and 0 < threshold < 1):
        return False
    if not isinstance(intervals, dict):
        return False
    test = _positions(reply[1], len(project.y))
    if test is None or not test or reply[4] != len(test):
        return False
    shuffled = _risks(reply[5], len(test))
    if shuffled is None:
        return False
    risk = _unshuffle(shuffled, given["seed"])
    table = evaluate.clinical_metrics(project.y.to_numpy()[test], (risk >= threshold).astype(int))
    for measure in ("sensitivity", "specificity"):
        pair = intervals.get(measure)
        if not (isinstance(pair, list) and len(pair) == 2):
            return False
        low, high = table.loc[measure, "ci_low"], table.loc[measure, "ci_high"]
        if not (_near(pair[0], float(low)) and _near(pair[1], float(high))):
            return False
    return True


# -- Task 7: the audit ---------------------------------------------------------------------------

ASK_AUDIT = _ask("[QUESTION, ch(test_rows), ch(flagged), audit]")


def audit_counts(reply, _expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 4):
        return False
    project = _question(reply[0])
    if project is None:
        return False
    test = _positions(reply[1], len(project.y))
    flags = _labels(reply[2])
    table = reply[3]
    if not test or flags is None or len(flags) != len(test):
        return False
    if not (isinstance(table, dict) and table.get("__type__") == "DataFrame"):
        return False
    columns, index, values = table.get("columns"), table.get("index"), table.get("values")
    if not (isinstance(columns, list) and isinstance(index, list) and isinstance(values, list)):
        return False
    if not set(COUNT_COLUMNS) <= set(columns) or len(index) != len(values):
        return False
    truth = project.y.to_numpy()[test]
    groups = project.groups.astype(str).to_numpy()[test]
    flagged = np.asarray(flags)
    rows = {str(label): row for label, row in zip(index, values, strict=True)}
    if set(rows) != set(groups.tolist()) or len(rows) != len(index):
        return False
    for name, row in rows.items():
        members = groups == name
        want = {
            "people": int(members.sum()),
            "with_condition": int((members & (truth == 1)).sum()),
            "found": int((members & (truth == 1) & (flagged == 1)).sum()),
            "without_condition": int((members & (truth == 0)).sum()),
            "false_alarms": int((members & (truth == 0) & (flagged == 1)).sum()),
        }
        if not isinstance(row, list) or len(row) != len(columns):
            return False
        for column, count in want.items():
            value = row[columns.index(column)]
            if not (_number(value) and value == count):
                return False
    return True


# -- Task 8: the model card ----------------------------------------------------------------------


def card_complete(reply, _expected) -> bool:
    if not isinstance(reply, str):
        return False
    report = modelcard.check_model_card(reply)
    return bool(report.attrs["complete"]) and bool((report["note"] == "").all())


_NUMBER = re.compile(r"(\d+(?:\.(\d+))?)\s*(%?)")


def quotes(text: str, value: float) -> bool:
    """Whether ``text`` gives ``value`` as a proportion with 2 or more decimal places (0.43,
    0.431) or as a percentage (43%, 43.1%), correctly rounded.

    >>> quotes("sensitivity 0.431 (85 of 197)", 0.431472), quotes("about 43%", 0.431472)
    (True, True)
    >>> quotes("0.4 or 44%", 0.431472)
    False
    """
    for number, decimals, percent in _NUMBER.findall(text):
        d = len(decimals)
        if percent and abs(float(number) / 100 - value) <= 0.5 * 10**-d / 100 + 1e-9:
            return True
        if not percent and d >= 2 and abs(float(number) - value) <= 0.5 * 10**-d + 1e-9:
            return True
    return False


def card_quotes_reported(reply, _expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 2 and isinstance(reply[0], str)):
        return False
    card, reported = reply
    if not isinstance(reported, dict):
        return False
    evaluation = modelcard.card_sections(card).get("Evaluation", "")
    return all(
        _number(reported.get(k)) and quotes(evaluation, float(reported[k]))
        for k in ("sensitivity", "specificity")
    )


# -- Task 9: the brief ---------------------------------------------------------------------------


def brief_length(reply, _expected) -> bool:
    if not isinstance(reply, str):
        return False
    words = [w for w in reply.split() if any(c.isalnum() for c in w)]
    return BRIEF_WORDS[0] <= len(words) <= BRIEF_WORDS[1]


# -- the checks ----------------------------------------------------------------------------------


def _none(given):
    """No reference of its own: the check compares with the student's own work."""
    return None


def _given(given):
    """The reference needs this run's input (the seed of the order of the test rows)."""
    return given


CHECKS = [
    Check(
        "cap_split_ids_tests",
        ask=ASK_SPLIT_IDS,
        expect=_none,
        compare=ids_are_the_rows,
        message="Task 3: train_ids and test_ids are not the ids of your training and test rows "
        "(project.ids.iloc[train_rows] and project.ids.iloc[test_rows]), or QUESTION, "
        "train_rows or test_rows are not usable (row positions of project.X, neither side "
        "empty).",
    ),
    Check(
        "cap_split_ids_tests",
        ask=ASK_SPLIT_IDS,
        expect=_none,
        compare=no_id_on_both_sides,
        message="Task 3: some ids (patients) have rows in both the training and the test set: "
        "the test rows are not new to the model. Split by patient (capstone.split).",
    ),
    Check(
        "cap_split_rows_tests",
        ask=ASK_SPLIT_ROWS,
        expect=_none,
        compare=parts_are_the_rows,
        message="Task 3: X_train, y_train, X_test and y_test are not exactly your training and "
        "test rows (use .iloc[train_rows] and .iloc[test_rows]), a row is on both sides or "
        "twice on one, or the test rows do not hold people with and without the outcome.",
    ),
    Check(
        "cap_model_tests",
        ask=ASK_TRAINING_ROWS,
        expect=_none,
        compare=model_data_are_training_rows,
        message="Task 5: X_train and y_train, which your model learns from, are not exactly "
        "your training rows, or some of them are test rows.",
    ),
    Check(
        "cap_model_tests",
        ask=ASK_REFIT,
        given=random_order,
        expect=_given,
        compare=fresh_copy_agrees,
        message="Task 5: a fresh copy of your model, trained on X_train and y_train alone, "
        "gives other risks on your test rows: your model learned from other rows too, or it "
        "has randomness without random_state=SEED (or it has no predict_proba).",
    ),
    Check(
        "cap_metrics_tests",
        ask="reported",
        expect=_none,
        compare=reported_format,
        message="Task 6: reported must be a dictionary with threshold, sensitivity, "
        "specificity and auroc (ppv, npv and accuracy are allowed too, nothing else), each a "
        "proportion between 0 and 1.",
    ),
    Check(
        "cap_metrics_tests",
        ask=ASK_TEST_AND_TRAINING,
        given=random_order,
        expect=_given,
        compare=not_training_numbers,
        message="Task 6: those look like your model's numbers on the training rows: the model "
        "has seen them. Report its numbers on the test rows.",
    ),
    Check(
        "cap_metrics_tests",
        ask=ASK_TEST,
        given=random_order,
        expect=_given,
        compare=test_numbers,
        message="Task 6: the numbers in reported are not what your model gives on your test "
        "rows at your threshold (to within 0.0005). Take them from your metrics table.",
    ),
    Check(
        "cap_intervals_tests",
        ask=ASK_INTERVALS,
        given=random_order,
        expect=_given,
        compare=intervals_of_test_rows,
        message="Task 6: intervals must hold, for sensitivity and specificity, the 95% interval "
        "(ci_low, ci_high) of your model on your test rows at your threshold.",
    ),
    Check(
        "cap_audit_tests",
        ask=ASK_AUDIT,
        expect=_none,
        compare=audit_counts,
        message="Task 7: audit must be fairness.subgroup_rates of your test rows and your "
        "flagged, by your question's group (project.groups): its counts are not those.",
    ),
    Check(
        "cap_card_sections_tests",
        ask="my_card",
        expect=_none,
        compare=card_complete,
        message="Task 8: your model card is missing a section, or a section holds only the "
        "prompt, fewer than 5 words of your own, or appears twice: read the note column of "
        "modelcard.check_model_card(my_card).",
    ),
    Check(
        "cap_card_numbers_tests",
        ask="[my_card, reported]",
        expect=_none,
        compare=card_quotes_reported,
        message="Task 8: the Evaluation section of your card does not give the sensitivity and "
        "the specificity you reported in Task 6 (as a proportion with 2 or 3 decimal places, "
        "or as a percentage).",
    ),
    Check(
        "cap_brief_tests",
        ask="my_brief",
        expect=_none,
        compare=brief_length,
        message="Task 9: the brief must be text of 300 to 400 words.",
    ),
]
