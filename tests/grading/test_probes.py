"""Grader-side checks on their own: SafeExecute asks the kernel, the grader judges (issue 11).

A tiny assignment with one function task and two 1-mark test cells is run through SafeExecute
(no sandbox, no nbgrader) with an honest answer, a wrong one and the tampering that gave full
marks when the tests ran in the student's kernel.
"""

from __future__ import annotations

import textwrap

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from healthlab.grading.preprocessors import CHECK_FAILED, METADATA_KEY, SafeExecute
from healthlab.grading.probes import Check, close, probe_code, read_reply

CHECK_FILE = """
from healthlab.grading.probes import Check

def _doubled(given):
    return [2 * x for x in given["numbers"]]

CHECKS = [
    Check("t_type", ask="type(double([1])).__name__", expect=lambda given: "list",
          message="double should return a list"),
    Check("t_values", ask="double(given['numbers'])",
          given=lambda rng: {"numbers": [rng.randint(-50, 50) for _ in range(5)]},
          expect=_doubled, message="double does not double every number of another list"),
]
"""


def _test_cell(source: str, grade_id: str):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True, "grade_id": grade_id, "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }  # fmt: skip
    return cell


def notebook(answer: str, *, before: str = ""):
    cells = []
    if before:
        cells.append(new_code_cell(textwrap.dedent(before)))
    cells += [
        new_code_cell(textwrap.dedent(answer)),
        _test_cell("assert double([1, 2]) == [2, 4], 'double [1, 2]'", "t_type"),
        _test_cell("assert isinstance(double([3]), list)", "t_values"),
    ]
    return new_notebook(cells=cells)


def grade(nb, tmp_path, **options):
    checks = tmp_path / "checks"
    checks.mkdir(exist_ok=True)
    (checks / "demo.py").write_text(CHECK_FILE)
    options.setdefault("timeout", 20)
    pre = SafeExecute(kernel_name="python3", checks_dir=str(checks), **options)
    resources = {"metadata": {"path": str(tmp_path)}, "nbgrader": {"assignment": "demo"}}
    nb, _ = pre.preprocess(nb, resources)
    record = nb.metadata[METADATA_KEY]
    passed = {k: v == "passed" for k, v in record["checks"].items()}
    return nb, record, passed


HONEST = "def double(numbers):\n    return [2 * x for x in numbers]\n"

TAMPERING = {
    "ast-transformer": """
        import ast
        class Gone(ast.NodeTransformer):
            def visit_Assert(self, node):
                return ast.Pass()
        get_ipython().ast_transformers.append(Gone())
    """,
    "input-transformer": """
        ip = getattr(__import__('IPython').get_ipython(), 'input_transformers_' + 'post')
        ip.append(lambda lines: ['pass\\n'])
    """,
    "fake-reply-callback": """
        import re
        def fake(info):
            marker = re.search(r"@@healthlab-reply-[0-9a-f]+@@", info.raw_cell or "")
            if marker:
                print(marker.group(0) + '{"ok": true, "value": [0, 0, 0, 0, 0]}')
        get_ipython().events.register('pre_run_cell', fake)
    """,
    "liar-object": """
        class Liar(list):
            def __eq__(self, other):
                return True
            __hash__ = None
        def isinstance(*args):
            return True
    """,
}


@pytest.mark.grading
def test_honest_answer_passes_every_check(tmp_path):
    nb, record, passed = grade(notebook(HONEST), tmp_path)
    assert record["checked_by"] == "grader"
    assert passed == {"t_type": True, "t_values": True}
    tests = [c for c in nb.cells if "nbgrader" in c.metadata]
    assert all(o["output_type"] == "stream" for c in tests for o in c.outputs)


@pytest.mark.grading
def test_wrong_answer_fails_with_the_check_message(tmp_path):
    nb, record, passed = grade(notebook("def double(numbers):\n    return [2, 4]\n"), tmp_path)
    assert passed == {"t_type": True, "t_values": False}
    error = nb.cells[-1].outputs[0]
    assert error["ename"] == CHECK_FAILED and "another list" in error["evalue"]


@pytest.mark.grading
@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_earns_nothing_it_did_not_earn(name, tmp_path):
    blank = "def double(numbers):\n    return Liar(numbers) if 'Liar' in globals() else None\n"
    nb, record, passed = grade(notebook(blank, before=TAMPERING[name]), tmp_path)
    assert passed["t_values"] is False, record["checks"]


@pytest.mark.grading
def test_a_kernel_that_never_answers_fails_closed(tmp_path):
    hang = "def double(numbers):\n    while True:\n        pass\n"
    # Every check fails here whatever the machine's speed, so the hang may be cut short.
    nb, record, passed = grade(notebook(hang), tmp_path, notebook_timeout=60, timeout=3)
    assert not any(passed.values())
    assert record["stopped"] in ("unresponsive", "time-limit") or record["checks"]


def test_replies_that_are_not_one_plain_object_fail_closed():
    marker = "@@m@@"
    out = lambda text: [{"output_type": "stream", "name": "stdout", "text": text}]  # noqa: E731
    assert read_reply(out(""), marker) == (None, "no reply")
    assert read_reply(out(marker + "[1, 2]\n"), marker) == (None, "reply is not plain data")
    assert read_reply(out(marker + "{bad\n"), marker) == (None, "reply is not plain data")
    two = marker + '{"ok": true, "value": 1}\n'
    assert read_reply(out(two * 2), marker)[1] == "more than one reply"
    check = Check("c", ask="x", expect=lambda g: 1.0, message="m", compare=close())
    assert check.judge({"ok": True, "value": True}, {}) == (False, "m")  # True is not 1.0
    assert "given" in probe_code("f(given['a'])", {"a": 1}, marker)
