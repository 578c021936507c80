"""nbgrader's exchange with real, separate Unix accounts: collect takes only what each student
really handed in (issue 17).

Two real accounts are created for the test (and removed after). Each writes into the exchange's
inbox as itself, as ``nbgrader submit`` does: a folder ``<student>+<assignment>+<time>`` with
the notebook in it. One of them also plants a later "submission" under the other's name and a
symbolic link to the teacher's solution in its own. The teacher (root) then runs nbgrader's real
``collect --update`` with the course's configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1-health-data"
pytestmark = pytest.mark.grading

needs_root = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="needs root and useradd to create real student accounts",
)


def as_user(user: str, *command: str) -> None:
    subprocess.run(["runuser", "-u", user, "--", *command], check=True, capture_output=True)


@pytest.fixture
def accounts():
    suffix = uuid.uuid4().hex[:6]
    users = [f"hl-alex-{suffix}", f"hl-sam-{suffix}"]
    for user in users:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/false", user], check=True)
    yield users
    for user in users:
        subprocess.run(["userdel", user], check=False, capture_output=True)


def submit(user: str, inbox: Path, stamp: str, notebook: dict) -> Path:
    """Write a submission into the inbox as ``user`` (what ``nbgrader submit`` writes)."""
    folder = inbox / f"{user}+{ASSIGNMENT}+{stamp}"
    as_user(user, "mkdir", str(folder))
    staged = Path("/tmp") / f"{uuid.uuid4().hex}.ipynb"
    staged.write_text(json.dumps(notebook))
    staged.chmod(0o644)
    as_user(user, "cp", str(staged), str(folder / f"{ASSIGNMENT}.ipynb"))
    as_user(user, "sh", "-c", f"echo {stamp} > '{folder}/timestamp.txt'")
    staged.unlink()
    return folder


@needs_root
def test_collect_refuses_planted_and_linked_submissions(accounts, tmp_path, request):
    alex, sam = accounts
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "assignments" / "source", course / "source")
    # pytest's own temporary folders are private to root; the exchange must be reachable.
    exchange = Path(tempfile.mkdtemp(prefix="hl-exchange-"))
    request.addfinalizer(lambda: shutil.rmtree(exchange, ignore_errors=True))
    inbox = exchange / "ai-in-healthcare" / "inbound"
    inbox.mkdir(parents=True)
    for path in (exchange, exchange / "ai-in-healthcare"):
        path.chmod(0o755)
    inbox.chmod(0o1777)  # as nbgrader sets it up: everyone may write, only owners may delete
    env = {**os.environ, "HEALTHLAB_EXCHANGE": str(exchange)}
    # nbgrader runs 'alembic' from its own environment to set up the gradebook.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])

    honest = {"cells": [], "metadata": {"who": "alex's own work"}, "nbformat": 4,
              "nbformat_minor": 5}  # fmt: skip
    submit(alex, inbox, "2026-12-01 10:00:00.000000 UTC", honest)
    # sam plants a later "submission" under alex's name ...
    planted = inbox / f"{alex}+{ASSIGNMENT}+2026-12-01 11:00:00.000000 UTC"
    as_user(sam, "mkdir", str(planted))
    as_user(sam, "sh", "-c", f"echo '{{}}' > '{planted}/{ASSIGNMENT}.ipynb'")
    # ... and submits a link to the teacher's solution as their own notebook.
    linked = inbox / f"{sam}+{ASSIGNMENT}+2026-12-01 10:30:00.000000 UTC"
    as_user(sam, "mkdir", str(linked))
    solution = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    as_user(sam, "ln", "-s", str(solution), str(linked / f"{ASSIGNMENT}.ipynb"))

    run = subprocess.run(
        [sys.executable, "-m", "nbgrader", "collect", ASSIGNMENT, "--update"],
        cwd=course, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    got = json.loads((course / "submitted" / alex / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    assert got["metadata"] == {"who": "alex's own work"}, "alex's work was replaced"
    assert not (course / "submitted" / sam).exists(), "a linked solution was collected"
    refused = (course / "refused-submissions.txt").read_text()
    assert f"made by {sam}" in refused and "symbolic link" in refused
    assert "Not collected" in log
