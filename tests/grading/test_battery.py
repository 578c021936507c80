"""A class of simulated (good, bad and hostile) submissions, graded in one run per assignment.

Every case has an expected autograded score (or "not graded") and the problems the report
must name. The whole batch must complete, and one student's result must not depend on the
others in the batch.
"""

from __future__ import annotations

import csv
import json
import re
import shutil

import battery as B
import nbformat
import pytest
from nbclient import NotebookClient

from healthlab.grading import teacher
from healthlab.grading.preprocessors import METADATA_KEY

pytestmark = pytest.mark.grading

CASES = [c.student for c in B.battery("a1-health-data")]
# Cases whose report must hold no warning or error: the student's own mistakes are graded.
CLEAN = {"correct", "partly", "hardcoded", "blank", "exception", "sysexit", "huge"}


@pytest.mark.parametrize("student", CASES)
@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_battery_case(graded_battery, assignment, student):
    course, report, cases, _, _ = graded_battery(assignment)
    case, result = cases[student], report[student]
    kinds = {p.kind for p in result.problems}
    assert case.problems <= kinds, f"{student}: expected {case.problems}, got {result.problems}"
    if case.auto is None:
        # never a silent 0.0 that looks like a real mark
        assert not result.graded and result.score is None and result.auto_score is None
        assert result.status == "not-graded"
        assert any(p.severity == "error" for p in result.problems)
        message = " ".join(p.message for p in result.problems)
        assert f"{assignment}.ipynb" in message
    elif case.flag_only:
        assert result.graded and result.status == "check", result.problems
    else:
        assert result.graded, result.problems
        assert result.auto_score == pytest.approx(case.auto), result.problems
    if student in CLEAN:
        assert result.status == "graded", result.problems
    else:
        assert result.status != "graded", f"{student} must be brought to the teacher's attention"


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_batch_report_csv_and_exit_code(graded_battery, assignment):
    course, report, cases, _, _ = graded_battery(assignment)
    assert sorted(r.student for r in report.students) == sorted(cases)
    assert report.exit_code == 1 and report.needs_attention
    text = report.to_text()
    for student in ("badjson", "missing", "renamed", "sigint", "edited", "deleted", "osexit"):
        assert re.search(rf"- {student}: \[", text), f"{student} missing from the attention list"
    assert "Grade distribution" in text and "#" in text
    rows = {
        r["student_id"]: r
        for r in csv.DictReader(
            open(report.files["grades (one row per student, with status)"], encoding="utf-8")
        )
    }
    assert rows["badjson"]["score"] == "" and rows["badjson"]["status"] == "not-graded"
    assert "invalid-json" in rows["badjson"]["problems"]
    assert rows["correct"]["status"] == "graded"
    png = course / "reports" / assignment / "grade-distribution.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    alt = (course / "reports" / assignment / "grade-distribution.txt").read_text()
    assert "Bar chart" in alt and "not graded" in alt


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_not_graded_submissions_are_flagged_in_the_gradebook(graded_battery, assignment):
    from nbgrader.api import Gradebook, MissingEntry

    course, _, _, _, _ = graded_battery(assignment)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("badjson", "missing", "renamed"):
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue  # nbgrader kept no record: grades.csv and the report carry it
            grades = [g for nb in submission.notebooks for g in nb.grades]
            assert grades and all(g.needs_manual_grade for g in grades), student


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_feedback_shows_no_hidden_tests_or_mark_scheme(graded_battery, assignment):
    from test_roundtrip import _secret_lines

    course, report, _, _, _ = graded_battery(assignment)
    secrets = _secret_lines(assignment)
    hidden = [s for s in secrets["hidden test"] + secrets["mark scheme"] if len(s) >= 12]
    checked = 0
    for result in report.students:
        if not result.graded:
            continue
        html = course / "feedback" / result.student / assignment / f"{assignment}.html"
        page = html.read_text(encoding="utf-8")
        checked += 1
        # nor the grader-side checks' machinery
        for marker in (
            "HIDDEN TESTS",
            "MARK SCHEME",
            "__healthlab_probe",
            "_given",
            "grader-checks",
        ):
            assert marker not in page, f"{result.student}: {marker} in feedback"
        for line in hidden:
            # the HTML escapes quotes and < >; compare on the escaped and plain forms
            escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            escaped_q = escaped.replace('"', "&quot;").replace("'", "&#39;")
            for form in {line, escaped, escaped_q}:
                assert form not in page, f"{result.student}: hidden text in feedback: {line!r}"
    assert checked >= 10
    # the hard-coded answers fail the grader-side checks: the feedback names what was wrong
    # (the check's message), without the checks themselves or the right answers
    page = (course / "feedback" / "hardcoded" / assignment / f"{assignment}.html").read_text()
    assert "CheckFailed" in page


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_teacher_copy_keeps_hidden_tests_and_records_outcomes(graded_battery, assignment):
    course, _, _, _, _ = graded_battery(assignment)
    graded = course / "autograded" / "deleted" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(graded, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN HIDDEN TESTS" in text  # the deleted test cell is back, whole
    sigint = nbformat.read(
        course / "autograded" / "sigint" / assignment / f"{assignment}.ipynb", as_version=4
    )
    record = sigint.metadata[METADATA_KEY]
    assert record["stopped"] == "unresponsive" and record["not_run"]
    huge = course / "autograded" / "huge" / assignment / f"{assignment}.ipynb"
    assert huge.stat().st_size < 2_000_000, "100 MB of output must not reach the notebook"


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_hardcoded_answers_pass_the_visible_tests(graded_battery, assignment, tmp_path):
    """The hard-coded case is a fair test: it passes every test a student can see."""
    _, _, cases, release_nb, _ = graded_battery(assignment)
    nb = B.fill(release_nb, cases["hardcoded"].answers)
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    test_ids = set(B.points_by_test(assignment))
    for cell in nb.cells:
        if B.grade_id(cell) in test_ids:
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"{B.grade_id(cell)} failed a visible test: {errors}"


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_grade_does_not_depend_on_the_rest_of_the_class(
    graded_battery, assignment, tmp_path, capsys
):
    """The correct submission alone (through the CLI) scores what it scored in the batch."""
    course, report, cases, release_nb, _ = graded_battery(assignment)
    alone = B.new_course(tmp_path)
    shutil.copytree(course / "submitted" / "correct", alone / "submitted" / "correct")
    code = teacher.main(
        [assignment, "--course", str(alone), "--no-feedback", "--cell-timeout", "30"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Nothing needs your attention" in out
    saved = json.loads((alone / "reports" / assignment / "class-report.json").read_text())
    (again,) = saved["students"]
    assert again["student"] == "correct" and again["problems"] == []
    assert again["score"] == report["correct"].score
    assert again["auto_score"] == report["correct"].auto_score
    assert not report["correct"].problems


def test_refuses_to_grade_without_a_sandbox(monkeypatch, tmp_path, capsys):
    from healthlab.grading import sandbox

    monkeypatch.setattr(sandbox, "available", lambda: (False, "bwrap is not installed"))
    course = B.new_course(tmp_path)
    with pytest.raises(teacher.SandboxUnavailableError) as err:
        teacher.grade_assignment(course, "a1-health-data")
    message = str(err.value)
    assert "bwrap is not installed" in message
    assert "apt-get install bubblewrap" in message and "--i-trust-this-code" in message
    assert teacher.main(["a1-health-data", "--course", str(course)]) == 2
    assert "Refusing to grade" in capsys.readouterr().err
    assert not (course / "release").exists(), "nothing may run before the check"


def test_a_broken_config_stops_grading(tmp_path):
    course = B.new_course(tmp_path)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace("c = get_config()", "c = get_config(\n"))
    with pytest.raises(teacher.GradingError, match="could not read nbgrader_config.py"):
        teacher.grade_assignment(course, "a1-health-data")


def test_bad_arguments_name_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="course_dir="):
        teacher.grade_assignment(tmp_path, "a1-health-data")
    course = B.new_course(tmp_path)
    with pytest.raises(ValueError, match="assignment='a9'.*a1-health-data"):
        teacher.grade_assignment(course, "a9")
    with pytest.raises(ValueError, match="timeout=-1"):
        teacher.grade_assignment(course, "a1-health-data", timeout=-1)


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_a_linked_notebook_is_never_given_to_nbgrader(graded_battery, assignment):
    # The link points at the teacher's solution: grading it would give full marks and copy
    # the solution into the student's feedback.
    course, report, _, _, _ = graded_battery(assignment)
    assert (course / "submitted" / "symlink" / assignment / f"{assignment}.ipynb").is_symlink()
    assert not (course / "autograded" / "symlink").exists()
    assert not (course / "feedback" / "symlink").exists()
    assert report["symlink"].score is None
