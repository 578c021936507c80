"""The assignments' round trip: valid source, a clean student version, full marks and zero."""

from __future__ import annotations

import json
import re

import battery as B
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

pytestmark = pytest.mark.grading


def _regions(source: str, begin: str, end: str) -> list[str]:
    """Lines strictly inside every begin/end region of a cell."""
    inside, lines = False, []
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def _secret_lines(assignment: str) -> dict[str, list[str]]:
    """Solution code, model answers, hidden tests and mark schemes, line by line."""
    secrets = {"solution": [], "model answer": [], "hidden test": [], "mark scheme": []}
    for cell in B.source_notebook(assignment).cells:
        meta = cell.metadata.get("nbgrader", {})
        src = cell.source
        if meta.get("solution") and cell.cell_type == "code":
            secrets["solution"] += _regions(src, "### BEGIN SOLUTION", "### END SOLUTION")
        elif meta.get("solution"):
            secrets["model answer"] += src.splitlines()
        secrets["hidden test"] += _regions(src, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
        secrets["mark scheme"] += _regions(src, "### BEGIN MARK SCHEME", "### END MARK SCHEME")
    return {
        kind: [ln.strip() for ln in lines if len(ln.strip()) >= 6]
        for kind, lines in secrets.items()
    }


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_source_notebook_is_valid_nbgrader(assignment):
    nb = B.source_notebook(assignment)
    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)  # raises on bad metadata
    metas = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    for meta in metas:
        assert meta["schema_version"] == 3
        assert re.fullmatch(r"[A-Za-z0-9_-]+", meta["grade_id"]), meta["grade_id"]
    ids = [m["grade_id"] for m in metas]
    assert len(ids) == len(set(ids)), "grade_id values must be unique"
    tests = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    assert len(tests) >= 4
    for cell in tests:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] and not meta["solution"] and meta["points"] > 0
        # every autograded answer has visible tests AND hidden tests
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in visible, f"{meta['grade_id']} has no visible test"
        assert _regions(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    manual = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")
    ]
    assert manual, "at least one manually graded written answer"
    for cell in manual:
        assert cell.metadata["nbgrader"]["solution"] and cell.metadata["nbgrader"]["points"] > 0
    scheme = "\n".join(_secret_lines(assignment)["mark scheme"])
    for level in ("Level 1", "Level 2", "Level 3"):
        assert level in scheme, f"the mark scheme needs {level}"


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_student_version_leaks_nothing(graded_battery, assignment):
    course, _, _, _, _ = graded_battery(assignment)
    path = course / "release" / assignment / f"{assignment}.ipynb"
    raw = path.read_text(encoding="utf-8")
    nb = json.loads(raw)
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    lines = {ln.strip() for ln in text.splitlines()}
    for kind, secrets in _secret_lines(assignment).items():
        assert secrets, f"no {kind} found in the source: the test would prove nothing"
        for secret in secrets:
            assert secret not in lines, f"{kind} line in the student version: {secret!r}"
            if len(secret) >= 25:
                assert secret not in text, f"{kind} text in the student version: {secret!r}"
                assert json.dumps(secret)[1:-1] not in raw, f"{kind} in the JSON: {secret!r}"
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "MARK SCHEME"):
        assert marker not in raw


@pytest.mark.parametrize("assignment", B.ASSIGNMENTS)
def test_solution_scores_full_and_untouched_scores_zero(graded_battery, assignment):
    _, report, _, _, _ = graded_battery(assignment)
    full = sum(B.points_by_test(assignment).values())
    assert report["correct"].auto_score == full == report["correct"].auto_max
    assert report["blank"].auto_score == 0.0
    assert report["blank"].graded
