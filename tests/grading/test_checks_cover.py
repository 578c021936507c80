"""Every autograded test cell of every assignment has a grader-side check (issue 11), and the
check files never reach a student."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from healthlab.grading.probes import load_checks

COURSE = Path(__file__).resolve().parents[2] / "assignments"
ASSIGNMENTS = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())


def autograded_tests(assignment: str) -> set[str]:
    cells = set()
    for path in (COURSE / "source" / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                cells.add(meta["grade_id"])
    return cells


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_autograded_cell_has_a_grader_side_check(assignment):
    tests = autograded_tests(assignment)
    if not tests:
        pytest.skip(f"{assignment} has no autograded cells (marked by the teacher only)")
    path = COURSE / "grader-checks" / f"{assignment}.py"
    assert path.exists(), f"{assignment}: write its checks in {path.relative_to(COURSE)}"
    checks = load_checks(path)
    assert set(checks) == tests, (
        f"cells without checks: {sorted(tests - set(checks))}; "
        f"checks for no cell: {sorted(set(checks) - tests)}"
    )


def test_check_files_are_outside_what_nbgrader_releases():
    # generate_assignment copies source/<assignment>/ into the student version; the checks
    # live in grader-checks/, beside it, so they can never be released.
    for assignment in ASSIGNMENTS:
        assert not list((COURSE / "source" / assignment).glob("*checks*"))
