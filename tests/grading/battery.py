"""Simulated student submissions for the grading tests (built from the real notebooks).

A submission starts from the released student version (what a student receives) and puts
code into answer cells, exactly as a student would type it. The "solution" for an answer
cell is the source notebook's cell with the ``### BEGIN/END SOLUTION`` marker lines removed.
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "assignments"
ASSIGNMENTS = (
    "a1-health-data",
    "a2-diagnostic-model",
    "a3-early-warning",
    "a4-fairness-audit",
    "capstone",
)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def source_notebook(assignment: str):
    return nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def solutions(assignment: str) -> dict[str, str]:
    """Solution code (or model answer) for every answer cell, by grade_id."""
    out = {}
    for cell in source_notebook(assignment).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [
                ln
                for ln in cell.source.splitlines()
                if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln
            ]
            out[meta["grade_id"]] = "\n".join(lines)
    return out


def points_by_test(assignment: str) -> dict[str, float]:
    """Points of every autograded test cell, by grade_id."""
    return {
        grade_id(c): float(c.metadata["nbgrader"]["points"])
        for c in source_notebook(assignment).cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata["nbgrader"].get("solution")
    }


# A cell that never ends on purpose starts with this line. Such a cell is stopped after
# HOSTILE_SECONDS; every other cell keeps the course's own limit (30 s), so an honest cell is
# never cut short on a loaded machine, and the endless loops cost seconds, not minutes.
HOSTILE = "# battery: this cell never ends on purpose\n"
HOSTILE_SECONDS = 3
_TEST_LIMITS = f"""

# -- added by the tests (tests/grading/battery.py) -----------------------------------------
# A cell the tests made to hang on purpose is stopped after {HOSTILE_SECONDS} s; every other cell keeps
# the limit set above. The limits are applied by SafeExecute, as for a real class.
def _test_cell_limit(cell, _course_limit=c.Execute.timeout):
    return {HOSTILE_SECONDS} if {HOSTILE.strip()!r} in cell.source else _course_limit


c.Execute.timeout_func = _test_cell_limit
"""


def new_course(tmp: Path) -> Path:
    """A fresh copy of the course (config, sources and grader-side checks) in a temporary folder.

    Its configuration is the course's, with one addition: cells marked ``HOSTILE`` (the
    endless loops of the battery) are stopped after ``HOSTILE_SECONDS``.
    """
    course = tmp / "course"
    course.mkdir(parents=True)
    config = (COURSE / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config + _TEST_LIMITS, encoding="utf-8")
    shutil.copytree(COURSE / "source", course / "source")
    shutil.copytree(COURSE / "grader-checks", course / "grader-checks")
    return course


def fill(release_nb, answers: dict[str, str], *, drop: tuple[str, ...] = ()):
    """A copy of the student version with some answer cells filled in and cells dropped."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    nb.cells = [c for c in nb.cells if grade_id(c) not in drop]
    return nb


@dataclass
class Case:
    """One simulated student: how to build the submission and what grading must give."""

    student: str
    auto: float | None  # expected autograded score; None = must NOT be graded
    problems: set[str] = field(default_factory=set)  # problem kinds that must be reported
    answers: dict[str, str] | None = None
    drop: tuple[str, ...] = ()
    edit: dict[str, str] = field(default_factory=dict)  # locked cells edited by the student
    raw: bytes | None = None  # write these bytes instead of a notebook
    filename: str | None = None  # save under another name (renamed notebook)
    no_notebook: bool = False
    link_to_source: bool = False  # the notebook is a symbolic link to the teacher's solution
    flag_only: bool = False  # the mark is not asserted, only that the teacher is told


# What each battery case injects at the start of one answer cell.
SIGINT_LOOP = (
    HOSTILE + "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
)
INJECT = {
    "exception": "raise ValueError('my code has a bug')\n",
    "infinite-loop": HOSTILE + "while True:\n    pass\n",
    "sigint-loop": SIGINT_LOOP,
    "sys-exit": "import sys\nsys.exit('I give up')\n",
    "os-exit": "import os\nos._exit(0)\n",
    "kernel-kill": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
}
SABOTAGE = "get_ipython().input_transformers_post.append(lambda lines: [])\n"
# 100 MB printed. First exactly the grading sandbox's budget of printed output per notebook
# (20 MiB), in messages of a known size (one write, flushed: 6 characters for the stream's
# name and 1,048,570 of text make 1 MiB), so that no room is left however fast the kernel
# printed; then 80 MB more. The checks of the cells after it must still get their replies: on a
# loaded machine ipykernel once sent the 100 MB in smaller messages that used up the budget,
# and a check's reply was dropped, costing a mark (issue 18).
_MIB_MESSAGE = "sys.stdout.write('x' * (1024**2 - 6 - 1) + '\\n'); sys.stdout.flush()"
HUGE_OUTPUT = (
    f"import sys\nfor _ in range(20):\n    {_MIB_MESSAGE}\n"
    "for _ in range(80):\n    print('x' * 1_000_000)\n"
)

# Per assignment: the tasks in order as (answer cell, test cell); where battery cases inject
# their code; the tasks a "partly correct" student did; hard-coded answers that pass the
# visible tests; and the expected autograded score of each injected case.
SPEC = {
    "a1-health-data": {
        "tasks": [
            # (answer cell, its first test cell); each task has three 1-mark test cells
            ("a1_count_missing", "a1_count_missing_type"),
            ("a1_clean_cholesterol", "a1_clean_cholesterol_type"),
            ("a1_disease_rate", "a1_disease_rate_type"),
            ("a1_group_means", "a1_group_means_type"),
            ("a1_chart", "a1_chart_labels"),
        ],
        "inject_into": "a1_disease_rate",
        # a wrong answer whose locked test cell the "edited" student also changed: rounding to
        # 2 places fails only the "values" test of Task 4, so the mark lost is that cell's
        "edit": ("a1_group_means_values", "a1_group_means", ".round(1)", ".round(2)"),
        "partly": ["a1_count_missing", "a1_clean_cholesterol"],
        "hardcoded": {
            "a1_count_missing": """
def count_missing(df):
    return pd.Series({"ca": 611, "thal": 486, "slope": 309, "fbs": 90, "oldpeak": 62,
                      "trestbps": 59, "thalach": 55, "exang": 55, "chol": 30, "restecg": 2,
                      "age": 0, "sex": 0, "cp": 0, "num": 0, "site": 0, "disease": 0})


missing = count_missing(heart)
missing
""",
            "a1_disease_rate": """
def disease_rate_by_site(df):
    return pd.Series({"Switzerland": 93.5, "VA Long Beach": 74.5, "Cleveland": 45.9,
                      "Hungary": 36.1})


rates = disease_rate_by_site(heart)
rates
""",
            "a1_group_means": """
def group_means(df, columns):
    return pd.DataFrame({"age": [50.5, 55.9], "trestbps": [129.9, 134.3],
                         "chol": [240.2, 254.0]}, index=[0, 1])


table_one = group_means(clean_reference, ["age", "trestbps", "chol"])
table_one
""",
        },
        # points kept (1 per test cell, 3 per task) by: hard-coded (tasks 2 and 5 solved
        # honestly, 3 each; tasks 1, 3 and 4 typed in keep only their "right numbers" test,
        # 1 each, and fail the "right kind" and "other patients" tests on other tables);
        # injected into task 3 where the kernel survives (tasks 1, 2, 4, 5: Task 4 uses its
        # reference table) or stops (tasks 1, 2).
        "expect": {"hardcoded": 9, "survives": 12, "stops": 6, "partly": 6},
    },
    "a2-diagnostic-model": {
        "tasks": [
            # (answer cell, its first test cell); every test cell is worth 1 mark (tasks 1-2
            # have two, tasks 3-5 three: right type / right values / other inputs)
            ("a2_split", "a2_split_sizes_tests"),
            ("a2_fit", "a2_fit_outputs_tests"),
            ("a2_confusion_counts", "a2_counts_type_tests"),
            ("a2_sens_spec", "a2_sensitivity_tests"),
            ("a2_threshold", "a2_predict_threshold_tests"),
        ],
        "inject_into": "a2_sens_spec",
        # ">" instead of ">=" fails exactly the cell that tests the threshold's equality case
        "edit": ("a2_predict_threshold_tests", "a2_threshold", ">= threshold", "> threshold"),
        "partly": ["a2_split", "a2_fit", "a2_confusion_counts"],
        "hardcoded": {
            "a2_confusion_counts": """
def confusion_counts(y_true, y_pred):
    if list(y_true) == [1, 1, 0, 0, 1]:
        return {"TP": 2, "FN": 1, "FP": 1, "TN": 1}
    seen = {50: (49, 4, 1, 89), 58: (52, 1, 6, 84)}[int(sum(y_pred))]
    return dict(zip(["TP", "FN", "FP", "TN"], seen))


counts = confusion_counts(ref_y_test, ref_predictions)
counts
""",
            "a2_threshold": """
CANDIDATES = [0.5, 0.4, 0.3, 0.2, 0.1, 0.05]


def predict_with_threshold(probabilities, threshold):
    return (np.asarray(probabilities) >= threshold).astype(int)


def choose_threshold(y_true, probabilities, candidates, min_sensitivity):
    if list(candidates) == [0.8, 0.5, 0.3, 0.15]:  # the visible test's example
        return 0.3
    return 0.1


screening_threshold = 0.1
flagged = predict_with_threshold(ref_probabilities, screening_threshold)
chosen = confusion_counts(ref_y_test, flagged)
print(f"Threshold {screening_threshold}: sensitivity {sensitivity(chosen):.3f}")
""",
        },
        # Tasks 3-5 run on reference results, so an earlier mistake does not cascade.
        # hard-coded: tasks 1, 2 and 4 (7), plus the two "right values for this data" cells of
        # tasks 3 and 5 (the hidden tests on other inputs fail): 10. Injected into task 4: when
        # the kernel survives, tasks 1-3 (7) and predict_with_threshold (1), which does not
        # need task 4: 8; when it stops, tasks 1-3: 7.
        "expect": {"hardcoded": 10, "survives": 8, "stops": 7, "partly": 7},
    },
    "a3-early-warning": {
        "tasks": [
            # (answer cell, its first test cell); each task has three 1-mark test cells
            ("a3_respiration", "a3_respiration_type"),
            ("a3_news2", "a3_news2_type"),
            ("a3_alert_rate", "a3_alert_rate_type"),
            ("a3_split", "a3_split_patients"),
            ("a3_compare", "a3_compare_auroc"),
        ],
        "inject_into": "a3_alert_rate",
        # the wrong letter fails only the "why" cell of Task 4
        "edit": ("a3_split_why", "a3_split", 'leak_reason = "B"', 'leak_reason = "A"'),
        "partly": ["a3_respiration", "a3_news2"],
        "hardcoded": {
            # the scores of the rates on screen, and the alert rates read off the screen: they
            # pass every visible test
            "a3_respiration": """
def respiration_score(rate):
    return {16: 0, 8: 3, 12: 0, 25: 3, 4: 3, 40: 3, 22: 2}.get(rate, 0)


print("A respiration rate of 22 scores", respiration_score(22))
""",
            "a3_alert_rate": """
def alert_rate(values, threshold):
    return 0.75


rate_5 = 0.03184102329830973
rate_3 = 0.172133394243947
print(f"Alert rate at NEWS2 >= 5: {rate_5:.4f}; at NEWS2 >= 3: {rate_3:.4f}")
""",
        },
        # hard-coded: Tasks 2, 4 and 5 honest (9), Task 1 keeps its "whole number" mark (1) and
        # Task 3 its "right kind" and typed-in values (2): 12. Injected into Task 3: when the
        # kernel survives, Tasks 1, 2, 4 and 5 (Tasks 4 and 5 use reference inputs): 12; when it
        # stops, Tasks 1 and 2: 6. Partly: Tasks 1 and 2: 6.
        "expect": {"hardcoded": 12, "survives": 12, "stops": 6, "partly": 6},
        # more cases (one typical mistake in every task), made by this function
        "extra_cases": "test_a3_a4:extra_cases",
    },
    "a4-fairness-audit": {
        "tasks": [
            ("a4_audit", "a4_age_band"),
            ("a4_widest", "a4_widest_others"),
            ("a4_site", "a4_site_type"),
        ],
        "inject_into": "a4_widest",
        "edit": ("a4_widest_why", "a4_widest", 'why_widest = "B"', 'why_widest = "A"'),
        "partly": ["a4_audit", "a4_site"],
        "hardcoded": {
            "a4_widest": """
def widest(table, low, high):
    return table.index[0]


widest_sens = "female, under 55"
widest_fpr = "male, 55 and over"
behind_widest = 2
why_widest = "B"
print(f"Widest interval for sensitivity: {widest_sens}; for the false-positive rate: {widest_fpr}")
""",
            "a4_site": """
def check_at_site(model, table, site):
    sizes = {"Cleveland": 303, "Hungary": 294, "Switzerland": 123, "VA Long Beach": 200}
    return {"patients": sizes[site], "auroc": 0.75, "sensitivity": 0.78, "fpr": 0.39}


va_check = {"patients": 200, "auroc": 0.7525332280563232, "sensitivity": 0.7785234899328859,
            "fpr": 0.3921568627450981}
va_check
""",
        },
        # hard-coded: Task 1 honest (3), Task 2 keeps its typed-in values and "why" (2), Task 3
        # its typed-in values (1): 6. Injected into Task 2: Tasks 1 and 3 (Task 2 of a reference
        # audit does not hold Task 3 up): 6; when the kernel stops, Task 1: 3. Partly: Tasks 1
        # and 3: 6.
        "expect": {"hardcoded": 6, "survives": 6, "stops": 3, "partly": 6},
        "extra_cases": "test_a3_a4:extra_cases",
    },
    "capstone": {
        "tasks": [
            # (answer cell, its first test cell): Task 3 has two 1-mark cells, Task 5 one, Task 6
            # two, Task 7 one, Task 8 two, Task 9 one
            ("cap_split", "cap_split_ids_tests"),
            ("cap_model", "cap_model_tests"),
            ("cap_evaluate", "cap_metrics_tests"),
            ("cap_audit", "cap_audit_tests"),
            ("cap_card", "cap_card_sections_tests"),
            ("cap_brief", "cap_brief_tests"),
        ],
        "inject_into": "cap_audit",
        # the specificity's value in place of its upper limit fails only the intervals cell
        "edit": (
            "cap_intervals_tests",
            "cap_evaluate",
            'float(metrics.loc["specificity", "ci_high"])',
            'float(metrics.loc["specificity", "value"])',
        ),
        "partly": ["cap_question", "cap_split", "cap_card"],
        "hardcoded": {
            # lesson 14's worked example numbers typed in: they pass the visible tests (the right
            # names, proportions, low <= high) and fail the recomputation on the student's rows
            "cap_evaluate": """
    threshold = 0.5
    risk = model.predict_proba(X_test)[:, 1]
    flagged = (risk >= threshold).astype(int)
    metrics = evaluate.clinical_metrics(y_test, flagged)
    reported = {"threshold": 0.5, "sensitivity": 0.925, "specificity": 0.989, "auroc": 0.996}
    intervals = {"sensitivity": (0.821, 0.970), "specificity": (0.940, 0.998)}
    """,
        },
        # hard-coded: loses the two Task 6 marks and the card's numbers (its card quotes the real
        # numbers, not the typed ones): 6. Injected into Task 7: the audit's mark is lost when the
        # kernel survives (8); when it stops, only Tasks 3, 5 and 6 were checked (5). Partly: the
        # split (2) and the card's sections (1); its card quotes no reported numbers.
        "expect": {"hardcoded": 6, "survives": 8, "stops": 5, "partly": 3},
        # more cases (a leaky split, training-row numbers, the medium and weak exemplars)
        "extra_cases": "test_capstone_assignment:extra_cases",
    },
}


def battery(assignment: str) -> list[Case]:
    """Every battery case for one assignment, with its expected outcome."""
    spec = SPEC[assignment]
    sol = solutions(assignment)
    points = points_by_test(assignment)
    full = sum(points.values())
    expect = spec["expect"]
    target = spec["inject_into"]

    def injected(kind: str) -> dict[str, str]:
        return {**sol, target: INJECT[kind] + sol[target]}

    first_answer, first_test = spec["tasks"][0]
    edit_test, edit_answer, right, wrong = spec["edit"]
    assert right in sol[edit_answer]
    wrong_answers = {**sol, edit_answer: sol[edit_answer].replace(right, wrong)}
    return [
        Case("correct", full, answers=sol),
        Case("partly", expect["partly"], answers={k: sol[k] for k in spec["partly"]}),
        Case("hardcoded", expect["hardcoded"], answers={**sol, **spec["hardcoded"]}),
        Case("blank", 0.0, answers={}),
        Case("exception", expect["survives"], answers=injected("exception")),
        Case("loop", expect["survives"], {"cell-timeout"}, answers=injected("infinite-loop")),
        Case("sigint", expect["stops"], {"unresponsive"}, answers=injected("sigint-loop")),
        Case("sysexit", expect["survives"], answers=injected("sys-exit")),
        Case("osexit", expect["stops"], {"kernel-died"}, answers=injected("os-exit")),
        Case("kill9", expect["stops"], {"kernel-died"}, answers=injected("kernel-kill")),
        Case("deleted", full, {"test-cell-deleted"}, answers=sol, drop=(first_test,)),
        Case(
            "edited",
            full - points[edit_test],
            {"test-cell-edited"},
            answers=wrong_answers,
            edit={edit_test: "# I removed the tests\npass\n"},
        ),
        # 100 MB printed: cut (by SafeExecute's limit per cell, then the sandbox's channel);
        # the mark is unaffected and the graded notebook stays small (see test_battery.py).
        Case(
            "huge",
            full,
            {"output-cut"},
            answers={**sol, first_answer: HUGE_OUTPUT + sol[first_answer]},
        ),
        # Switches off every later cell, tests included. Code in the kernel cannot be stopped
        # from doing this (nbgrader's hole as much as ours), so it is flagged for the teacher.
        Case(
            "sabotage",
            full,
            {"suspicious-code"},
            answers={first_answer: SABOTAGE},
            flag_only=True,
        ),
        Case("badjson", None, {"invalid-json"}, raw=b'{"cells": [ this is not JSON'),
        Case("missing", None, {"missing-notebook"}, no_notebook=True),
        Case("renamed", None, {"renamed-notebook"}, answers=sol, filename="Copy of work.ipynb"),
        Case("symlink", None, {"symbolic-link"}, link_to_source=True),
    ]


def all_cases(assignment: str, release_nb) -> list[Case]:
    """The battery and the assignment's own extra cases (``SPEC[...]["extra_cases"]``).

    The extra cases are made by a function of the assignment's test module, named as
    ``"module:function"`` and called with the student version.
    """
    cases = battery(assignment)
    named = SPEC[assignment].get("extra_cases")
    if named:
        import importlib

        module, function = named.split(":")
        cases += getattr(importlib.import_module(module), function)(assignment, release_nb)
    return cases


def write_submission(course: Path, assignment: str, case: Case, release_nb) -> Path:
    """Put one case's submission in ``submitted/<student>/<assignment>/``."""
    folder = course / "submitted" / case.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    name = case.filename or f"{assignment}.ipynb"
    if case.link_to_source:
        (folder / name).symlink_to(course / "source" / assignment / f"{assignment}.ipynb")
        return folder
    if case.no_notebook:
        (folder / "notes.txt").write_text("I forgot to upload my notebook.\n")
        return folder
    if case.raw is not None:
        (folder / name).write_bytes(case.raw)
        return folder
    nb = fill(release_nb, case.answers or {}, drop=case.drop)
    for cell in nb.cells:
        if grade_id(cell) in case.edit:
            cell.source = case.edit[grade_id(cell)]
    nbformat.write(nb, folder / name)
    return folder


def release(course: Path, assignment: str):
    """Generate the student version with nbgrader and return it."""
    import subprocess
    import sys

    env_path = f"{Path(sys.executable).parent}"
    import os

    env = {**os.environ, "PATH": f"{env_path}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
        cwd=course,
        check=True,
        capture_output=True,
        env=env,
    )
    path = course / "release" / assignment / f"{assignment}.ipynb"
    return nbformat.read(path, as_version=4)
