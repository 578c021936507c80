"""Assignments a3-early-warning and a4-fairness-audit (issue 14): round trip, checks and battery.

Each assignment is graded the way a teacher grades it, once in the test run (``conftest.py``'s
``graded_battery``): a temporary course (config, sources and the grader-side checks of
``assignments/grader-checks/``), the student version made by nbgrader, and one
``grade_assignment`` run (sandboxed) for a class that holds the battery of ``battery.py`` (the
solution, the untouched student version, a partly done copy, a typed-in copy, hostile and broken
submissions: its outcomes are asserted in ``test_battery.py``) and, from here, a copy with one
typical mistake in every task.

Fast tests, without nbgrader, run every check many times on the solution (the inputs change on
every run), and run the notebook's own visible and hidden tests on the same submissions: the
hidden tests are what marks a submission in a course folder without the check files, so both
must fail exactly the same cells.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import battery as B
import nbformat
import pytest

from healthlab.grading.preprocessors import METADATA_KEY
from healthlab.grading.probes import _decode, load_checks, plain

pytestmark = pytest.mark.grading

ASSIGNMENTS = ("a3-early-warning", "a4-fairness-audit")
#: (marks in all, marks for the computer, minutes) as the title cell states them.
MARKS = {"a3-early-warning": (18, 15, 50), "a4-fairness-audit": (12, 9, 45)}


def _replace(code: str, old: str, new: str) -> str:
    assert old in code, old
    return code.replace(old, new)


def mistakes(assignment: str) -> dict[str, str]:
    """The solution with one typical mistake in every task."""
    sol = B.solutions(assignment)
    if assignment == "a3-early-warning":
        changes = {
            "a3_respiration": [("rate <= ", "rate < ")],  # the edges of the bands
            "a3_news2": [("news2_frame(obs)", "news2_frame(obs, spo2_scale=1)")],  # Scale 2
            "a3_alert_rate": [(">= threshold", "> threshold")],  # a score at the threshold
            "a3_split": [('leak_reason = "B"', 'leak_reason = "A"')],
            "a3_compare": [("groups=patients, ", "")],  # a bootstrap of rows, not patients
        }
    else:
        changes = {
            "a4_audit": [("ages >= cut", "ages > cut")],  # an age equal to the cut
            "a4_widest": [("widths = table[high] - table[low]", "widths = table[high]")],
            # the AUROC of the yes/no answers instead of the risks
            "a4_site": [
                ('roc_auc_score(here["disease"], risk)', 'roc_auc_score(here["disease"], flagged)')
            ],  # fmt: skip
        }
    out = dict(sol)
    for cell, pairs in changes.items():
        for old, new in pairs:
            out[cell] = _replace(out[cell], old, new)
    return out


#: The autograded cells each extra case must fail (all the others pass).
FAILS = {
    "a3-early-warning": {
        "hardcoded": {"a3_respiration_values", "a3_respiration_others", "a3_alert_rate_others"},
        "mistakes": {
            "a3_respiration_values", "a3_respiration_others", "a3_news2_values",
            "a3_news2_others", "a3_alert_rate_values", "a3_alert_rate_others", "a3_split_why",
            "a3_compare_auroc", "a3_compare_values",
        },
    },
    "a4-fairness-audit": {
        "hardcoded": {"a4_widest_others", "a4_site_type", "a4_site_others"},
        # the widest interval by its top end alone happens to pick the same groups in ref_audit
        "mistakes": {"a4_age_band", "a4_audit_values", "a4_widest_others", "a4_site_values",
                     "a4_site_others"},
    },
}  # fmt: skip


def partly_fails(assignment: str) -> set[str]:
    """Every test cell but those of the tasks the partly done copy did (three each)."""
    tests = list(B.points_by_test(assignment))
    passed = set()
    for answer, first in B.SPEC[assignment]["tasks"]:
        if answer in B.SPEC[assignment]["partly"]:
            passed.update(tests[tests.index(first) : tests.index(first) + 3])
    return set(tests) - passed


def extra_answers(assignment: str) -> dict[str, dict[str, str]]:
    sol = B.solutions(assignment)
    spec = B.SPEC[assignment]
    return {
        "partly": {k: sol[k] for k in spec["partly"]},
        "hardcoded": {**sol, **spec["hardcoded"]},
        "mistakes": mistakes(assignment),
    }


def expected_fails(assignment: str, student: str) -> set[str]:
    if student == "partly":
        return partly_fails(assignment)
    return FAILS[assignment][student]


def extra_cases(assignment: str, release_nb) -> list[B.Case]:
    """The cases this assignment adds to the battery (``battery.SPEC[...]["extra_cases"]``)."""
    full = sum(B.points_by_test(assignment).values())
    wrong = FAILS[assignment]["mistakes"]
    return [B.Case("mistakes", full - len(wrong), answers=mistakes(assignment))]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, graded_battery):
    """One assignment's whole class (conftest.py: graded once in the run, with the checks)."""
    course, report, cases, release_nb, seconds = graded_battery(request.param)
    return request.param, course, report, cases, release_nb, seconds


def verdicts(course: Path, assignment: str, student: str) -> dict[str, str]:
    """The grader's verdict on every autograded cell of one graded submission."""
    path = course / "autograded" / student / assignment / f"{assignment}.ipynb"
    record = nbformat.read(path, as_version=4).metadata[METADATA_KEY]
    assert record["checked_by"] == "grader"
    return record["checks"]


# -- the source notebooks (no grading) -----------------------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_is_valid_with_its_marks_and_time(assignment):
    nb = B.source_notebook(assignment)
    points = B.points_by_test(assignment)
    total, auto, minutes = MARKS[assignment]
    assert set(points.values()) == {1.0} and sum(points.values()) == auto
    assert list(load_checks(B.COURSE / "grader-checks" / f"{assignment}.py")) == list(points)
    manual = {
        B.grade_id(c): c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")
    }
    assert sum(manual.values()) + auto == total
    title = " ".join(nb.cells[0].source.split())
    assert f"**Time:** about {minutes} minutes. **Marks:** {total} ({auto} marked by" in title
    assert 30 <= minutes <= 60
    for i, cell in enumerate(nb.cells):
        if B.grade_id(cell) in manual:  # the mark scheme sits in the question cell above
            above = nb.cells[i - 1].source
            assert "### BEGIN MARK SCHEME" in above and "### END MARK SCHEME" in above
            for level in ("Level 1", "Level 2", "Level 3"):
                assert level in above
            assert f"({manual[B.grade_id(cell)]} marks" in above


def _namespace(assignment: str, answers: dict[str, str], *, run_tests: bool):
    """Run a submission's cells in this process; the test cells that fail, if run_tests."""
    namespace: dict = {}
    failed = set()
    for cell in B.source_notebook(assignment).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade"):
            if not run_tests:
                continue
            source = cell.source  # the visible AND the hidden tests
        elif meta.get("solution"):
            source = answers.get(meta["grade_id"], "raise NotImplementedError()")
        else:
            source = cell.source
        try:
            exec(compile(source, meta.get("grade_id", "cell"), "exec"), namespace)
        except Exception:
            if meta.get("grade"):
                failed.add(meta["grade_id"])
    return namespace, failed


def _judge_all(assignment: str, namespace: dict, rng: random.Random) -> set[str]:
    """The cells whose grader-side checks fail, asking this namespace (as the kernel would)."""
    failed = set()
    for cell, checks in load_checks(B.COURSE / "grader-checks" / f"{assignment}.py").items():
        for check in checks:
            given = check.inputs(rng)
            try:
                value = eval(check.ask, namespace, {"given": given})
                reply = {"ok": True, "value": _decode(json.loads(json.dumps(plain(value))))}
            except Exception as err:
                reply = {"ok": False, "error": repr(err)}
            if not check.judge(reply, given)[0]:
                failed.add(cell)
    return failed


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_checks_pass_the_solution_whatever_the_inputs(assignment):
    namespace, _ = _namespace(assignment, B.solutions(assignment), run_tests=False)
    for seed in range(8):
        assert _judge_all(assignment, namespace, random.Random(seed)) == set(), seed


@pytest.mark.parametrize("student", ["correct", "partly", "hardcoded", "mistakes"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_and_checks_fail_the_same_cells(assignment, student):
    """Graded by the notebook's own hidden tests (no check file) or by the grader's checks, a
    submission loses the same marks."""
    answers = (
        B.solutions(assignment) if student == "correct" else extra_answers(assignment)[student]
    )
    want = set() if student == "correct" else expected_fails(assignment, student)
    namespace, by_hidden_tests = _namespace(assignment, answers, run_tests=True)
    assert by_hidden_tests == want
    namespace, _ = _namespace(assignment, answers, run_tests=False)
    assert _judge_all(assignment, namespace, random.Random(7)) == want


# -- graded as a teacher grades ------------------------------------------------------------------


def test_student_version_holds_no_solution_hidden_test_or_mark_scheme(graded):
    assignment, course, _, _, _, _ = graded
    released = sorted(p.name for p in (course / "release" / assignment).iterdir())
    assert released == [f"{assignment}.ipynb"]


def test_solution_scores_full_and_untouched_copy_zero(graded):
    assignment, course, report, _, _, seconds = graded
    full = sum(B.points_by_test(assignment).values())
    assert report["correct"].auto_score == full == report["correct"].auto_max
    assert not report["correct"].problems and report["correct"].status == "graded"
    assert set(verdicts(course, assignment, "correct").values()) == {"passed"}
    assert report["blank"].graded and report["blank"].auto_score == 0.0
    assert "passed" not in verdicts(course, assignment, "blank").values()
    print(f"{assignment}: the class of {len(report.students)} graded in {seconds:.0f} s")


@pytest.mark.parametrize("student", ["partly", "hardcoded", "mistakes"])
def test_partly_typed_in_and_mistaken_copies_lose_exactly_their_cells(graded, student):
    assignment, course, report, _, _, _ = graded
    want = expected_fails(assignment, student)
    got = {k for k, v in verdicts(course, assignment, student).items() if v != "passed"}
    assert got == want
    full = sum(B.points_by_test(assignment).values())
    assert report[student].auto_score == full - len(want)
    assert report[student].status == "graded", report[student].problems


def test_feedback_names_the_mistake(graded):
    """From the grader's message (test_battery.py checks that no feedback leaks anything)."""
    assignment, course, _, _, _, _ = graded
    page = (course / "feedback" / "mistakes" / assignment / f"{assignment}.html").read_text()
    assert "CheckFailed" in page
    assert (
        "does not follow the chart" if assignment.startswith("a3") else "widest did not give"
    ) in page
