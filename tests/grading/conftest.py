"""Shared fixtures for the grading tests: one graded battery per assignment, per test run."""

from __future__ import annotations

import fcntl
import os
import pickle
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import battery as B

# The limits a teacher grades with (assignments/nbgrader_config.py: 30 s a cell), so that an
# honest submission is never cut short on a loaded machine. The hostile loops still end at the
# cell limit; the notebook limit leaves room for a slow kernel start and every honest cell.
CELL_TIMEOUT = 30
NOTEBOOK_TIMEOUT = 150


def _grade_class(tmp_path_factory, assignment: str):
    from healthlab.grading.teacher import grade_assignment

    course = B.new_course(tmp_path_factory.mktemp(assignment))
    release_nb = B.release(course, assignment)
    cases = B.all_cases(assignment, release_nb)
    for case in cases:
        B.write_submission(course, assignment, case, release_nb)
    start = time.monotonic()
    report = grade_assignment(
        course, assignment, timeout=NOTEBOOK_TIMEOUT, cell_timeout=CELL_TIMEOUT
    )
    seconds = time.monotonic() - start
    return course, report, {c.student: c for c in cases}, release_nb, seconds


@pytest.fixture(scope="session")
def graded_battery(tmp_path_factory):
    """Grade each assignment's whole class once in the test run, and share the result.

    ``get(assignment)`` returns ``(course, report, cases, release_nb, seconds)``. With
    pytest-xdist, the first worker to ask grades the class while the others wait on a lock, then
    every worker reads the same result (the pattern of pytest-xdist's documentation), so the
    five classes are graded five times in a run, not once per worker.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = tmp_path_factory.getbasetemp()
    if worker:
        shared = shared.parent
    cache = {}

    def get(assignment: str):
        if assignment in cache:
            return cache[assignment]
        saved = shared / f"graded-{assignment}.pickle"
        with open(shared / f"graded-{assignment}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if saved.exists():
                result = pickle.loads(saved.read_bytes())
            else:
                result = _grade_class(tmp_path_factory, assignment)
                saved.write_bytes(pickle.dumps(result))
        cache[assignment] = result
        return result

    return get
