"""Shared fixtures for the grading tests: one graded battery per assignment, per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import battery as B

# The limits a teacher grades with (assignments/nbgrader_config.py: 30 s a cell), so that an
# honest submission is never cut short on a loaded machine. The hostile loops still end at the
# cell limit; the notebook limit leaves room for a slow kernel start and every honest cell.
CELL_TIMEOUT = 30
NOTEBOOK_TIMEOUT = 150


@pytest.fixture(scope="session")
def graded_battery(tmp_path_factory):
    """Grade the whole battery of each assignment once (in one run) and cache the result."""
    from healthlab.grading.teacher import grade_assignment

    cache = {}

    def get(assignment: str):
        if assignment not in cache:
            course = B.new_course(tmp_path_factory.mktemp(assignment))
            release_nb = B.release(course, assignment)
            cases = B.battery(assignment)
            for case in cases:
                B.write_submission(course, assignment, case, release_nb)
            report = grade_assignment(
                course, assignment, timeout=NOTEBOOK_TIMEOUT, cell_timeout=CELL_TIMEOUT
            )
            cache[assignment] = (course, report, {c.student: c for c in cases}, release_nb)
        return cache[assignment]

    return get
