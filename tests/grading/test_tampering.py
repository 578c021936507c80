"""A class of tampering submissions earns no mark it did not earn (issue 11).

Every case is a submission with NO answers (or a wrong one) plus a few lines that, when
nbgrader ran the hidden tests in the student's kernel, gave full marks: transformers that
switch the tests off, callbacks, replaced IPython machinery, monkeypatched libraries, objects
that claim to equal everything, edited test-cell metadata, a kernel that never answers. They
are graded together with honest controls (the solution, a blank copy) in one run, with the
course's configuration, through ``healthlab grade`` (a1 also through plain
``nbgrader autograde``). Each must score exactly what its honest answers earn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import battery as B
import nbformat
import pytest

pytestmark = pytest.mark.grading
# The attacks are on the grading machinery (the kernel, IPython, nbgrader's metadata), the same
# for every assignment, so two assignments with different kinds of check (tables and a chart;
# a model and thresholds) stand for all five. Typed-in answers and a test-switching cell are in
# every assignment's battery (test_battery.py).
CHECKED = ["a1-health-data", "a2-diagnostic-model"]
# Each through `healthlab grade`; a1 also through plain `nbgrader autograde`, which shows that
# the defence is in the course's configuration (the same file for every assignment), not in the
# teacher command.
HOW = {"a1-health-data": ("healthlab", "nbgrader"), "a2-diagnostic-model": ("healthlab",)}

# Code a submission runs before any test (put at the top of its first answer cell).
TAMPER = {
    "ast-transformer": """
import ast
class _Gone(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_Gone())
""",
    "input-transformer-obfuscated": """
_ip = __import__('IPython').get_ipython()
getattr(_ip, 'input_' + 'transformers_' + 'post').append(
    lambda lines: ['pass\\n'] if any(('ass' + 'ert') in l for l in lines) else lines)
""",
    "base64-exec": """
import base64
exec(base64.b64decode(b'aW1wb3J0IGFzdApjbGFzcyBHKGFzdC5Ob2RlVHJhbnNmb3JtZXIpOgogICAgZGVmIHZpc2l0X0Fzc2VydChzZWxmLCBuKToKICAgICAgICByZXR1cm4gYXN0LlBhc3MoKQpnZXRfaXB5dGhvbigpLmFzdF90cmFuc2Zvcm1lcnMuYXBwZW5kKEcoKSk='))
""",
    "callbacks": """
def _say_pass(*args):
    print('All tests passed! 1.0 / 1.0')
get_ipython().events.register('pre_run_cell', _say_pass)
get_ipython().events.register('post_run_cell', _say_pass)
""",
    "run-cell-replaced": """
_ip = get_ipython()
_real = _ip.run_cell
def _run_cell(raw_cell, *args, **kwargs):
    if 'assert' in raw_cell or 'healthlab' in raw_cell:
        raw_cell = 'pass'
    return _real(raw_cell, *args, **kwargs)
_ip.run_cell = _run_cell
""",
    "showtraceback-hidden": """
_ip = get_ipython()
_ip.showtraceback = lambda *a, **k: None
_ip.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
""",
    "excepthook-and-settrace": """
import sys
sys.excepthook = lambda *args: None
sys.settrace(lambda *args: None)
""",
    "monkeypatch-libraries": """
import builtins, math
import numpy as np
np.isclose = lambda *a, **k: True
np.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
builtins.len = lambda x: 4
builtins.isinstance = lambda *a: True
""",
    "liar-objects": """
class _Liar(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __gt__(self, other): return True
    def __hash__(self): return 0
    def __float__(self): return 0.0
    def __getattr__(self, name): return self
    def __call__(self, *a, **k): return self
    def __getitem__(self, key): return self
    def __len__(self): return 4
""",
    "json-patched": """
import json
_dumps = json.dumps
json.dumps = lambda obj, *a, **k: '{"ok": true, "value": 1}'
""",
    "prints-hidden-tests": """
def _leak(info):
    print('LEAKED:', info.raw_cell)
get_ipython().events.register('pre_run_cell', _leak)
""",
}
HANG = (
    B.HOSTILE
    + "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
)


def autograded_test_cells(nb) -> list:
    return [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata["nbgrader"].get("solution")
        and c.cell_type == "code"
    ]


def answer_cells(nb) -> list:
    return [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    ]


def submissions(assignment: str, release_nb) -> dict[str, tuple]:
    """student -> (notebook, autograded score it must get)."""
    points = B.points_by_test(assignment)
    full = sum(points.values())
    sol = B.solutions(assignment)
    cases = {"honest": (B.fill(release_nb, sol), full), "blank": (B.fill(release_nb, {}), 0.0)}
    first = B.grade_id(answer_cells(release_nb)[0])
    for name, code in TAMPER.items():
        nb = B.fill(release_nb, {})
        # Some attacks break the kernel so that their cell never ends (monkeypatched builtins):
        # each scores 0 whatever happens, so its cell is stopped after a few seconds. The leak
        # test must see its cells run, so it keeps the course's limit.
        hostile = "" if name == "prints-hidden-tests" else B.HOSTILE
        for cell in nb.cells:
            if B.grade_id(cell) == first:
                cell.source = hostile + code + "\n" + cell.source
        cases[name] = (nb, 0.0)
    # a liar in place of every answer: functions that return an object equal to everything
    liar = B.fill(release_nb, {})
    for cell in answer_cells(liar):
        cell.source = TAMPER["liar-objects"] + "\n" + cell.source.replace("...", "_Liar()")
    cases["liar-answers"] = (liar, 0.0)
    # test-cell metadata edited: more points, grade flag off, a new grade_id, a duplicate
    edited = B.fill(release_nb, {})
    tests = autograded_test_cells(edited)
    tests[0].metadata["nbgrader"]["points"] = 100
    tests[1].metadata["nbgrader"]["grade"] = False
    tests[2].metadata["nbgrader"]["grade_id"] = "my_own_test"
    tests[2].source = "pass"
    duplicate = nbformat.from_dict(json.loads(json.dumps(tests[3])))
    duplicate.source = "pass"
    duplicate.id = "duplicate-test-cell"  # the same grade_id, but its own cell id
    edited.cells.insert(edited.cells.index(tests[3]), duplicate)
    for cell in tests:
        cell.metadata.setdefault("tags", []).append("skip-execution")
    cases["metadata-edited"] = (edited, 0.0)
    hang = B.fill(release_nb, {})
    for cell in hang.cells:
        if B.grade_id(cell) == first:
            cell.source = HANG
    cases["never-answers"] = (hang, 0.0)
    return cases


def scores(course: Path, assignment: str) -> dict[str, float]:
    """Each student's autograded (code) score, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                out[student.id] = float(gb.find_submission(assignment, student.id).code_score)
            except MissingEntry:
                continue
    return out


@pytest.fixture(scope="module", params=CHECKED)
def graded(request, tmp_path_factory):
    assignment = request.param
    results = {}
    for how in HOW[assignment]:
        course = B.new_course(tmp_path_factory.mktemp(f"{assignment}-{how}"))
        release_nb = B.release(course, assignment)
        cases = submissions(assignment, release_nb)
        for student, (nb, _) in cases.items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{assignment}.ipynb")
        if how == "healthlab":
            from healthlab.grading.teacher import grade_assignment

            grade_assignment(course, assignment, timeout=150, cell_timeout=30)
        else:
            env = {**os.environ}
            env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
            subprocess.run(
                [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force",
                 "--SafeExecute.notebook_timeout=150"],
                cwd=course, env=env, capture_output=True, check=False, timeout=1800,
            )  # fmt: skip
        results[how] = (course, {s: expected for s, (_, expected) in cases.items()})
    return assignment, results


def test_no_tampering_earns_a_mark(graded):
    assignment, results = graded
    assert set(results) == set(HOW[assignment])
    wrong = {}
    for how, (course, expected) in results.items():
        got = scores(course, assignment)
        for student, want in expected.items():
            if got.get(student, 0.0) != want:
                wrong[f"{how}: {student}"] = (got.get(student), want)
    assert not wrong, f"student -> (score, should be): {wrong}"


def test_hidden_tests_never_reach_the_kernel_or_the_feedback(graded):
    assignment, results = graded
    course, _ = results["healthlab"]
    path = course / "autograded" / "prints-hidden-tests" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    printed = "".join(
        str(o.get("text", "")) for c in nb.cells for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )  # fmt: skip
    assert "LEAKED:" in printed, "the callback ran on the student's own cells"
    for secret in ("HIDDEN TESTS", "__healthlab_probe", "_given", "grader-checks"):
        assert secret not in printed
    feedback = list((course / "feedback" / "prints-hidden-tests" / assignment).glob("*.html"))
    assert feedback
    for page in feedback:
        html = page.read_text()
        for secret in ("HIDDEN TESTS", "__healthlab_probe", "_given"):
            assert secret not in html
