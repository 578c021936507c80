"""The preprocessors on their own: time limit per notebook, output cap, short tracebacks."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from healthlab.grading.preprocessors import (
    METADATA_KEY,
    NOT_RUN,
    SafeExecute,
    ShortenHiddenTestTracebacks,
)


def _test_cell(source: str, grade_id: str):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return cell


def _run(nb, tmp_path, **options):
    pre = SafeExecute(kernel_name="python3", **options)
    nb, _ = pre.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb, nb.metadata[METADATA_KEY]


@pytest.mark.grading
def test_notebook_time_limit_marks_the_rest_not_run(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("import time\nx = 1"),
            new_code_cell("time.sleep(3)"),
            new_code_cell("time.sleep(3)"),
            _test_cell("assert x == 1", "tests_late"),
        ]
    )
    nb, record = _run(nb, tmp_path, timeout=20, notebook_timeout=4)
    assert record["stopped"] == "time-limit"
    assert record["not_run"][-1] == "tests_late"
    late = nb.cells[-1]
    # a test cell that never ran must not score full marks: it carries an error
    assert [o.ename for o in late.outputs if o.output_type == "error"] == [NOT_RUN]
    assert record["seconds"] < 15


@pytest.mark.grading
def test_output_is_capped_as_it_arrives(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("for _ in range(20):\n    print('y' * 100_000)"),
            new_code_cell("print('fine')"),
        ]
    )
    nb, record = _run(nb, tmp_path, timeout=20, max_output_chars=5_000)
    assert record["output_cut"] == ["cell-0"] and record["stopped"] is None
    kept = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert len(kept) < 6_000 and "output cut here" in kept
    assert nb.cells[1].outputs[0].text == "fine\n"


def test_submitted_metadata_cannot_fake_a_clean_record(tmp_path):
    nb = new_notebook(cells=[])
    nb.metadata[METADATA_KEY] = {"stopped": None, "forged": True}
    nb, record = _run(nb, tmp_path, timeout=5)
    assert "forged" not in record


def test_hidden_test_tracebacks_are_shortened():
    hidden = _test_cell(
        "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(7) == 99\n### END HIDDEN TESTS",
        "tests_hidden",
    )
    visible = _test_cell("assert f(1) == 2", "tests_visible")
    error = nbformat.from_dict(
        {
            "output_type": "error",
            "ename": "AssertionError",
            "evalue": "",
            "traceback": ["Traceback", "----> 3 assert f(7) == 99", "AssertionError: "],
        }
    )
    original = list(error.traceback)
    hidden.outputs = [error]
    visible.outputs = [nbformat.from_dict(dict(error))]
    nb = new_notebook(cells=[hidden, visible])
    nb, _ = ShortenHiddenTestTracebacks().preprocess(nb, {})
    assert not any("f(7)" in line for line in nb.cells[0].outputs[0].traceback)
    assert nb.cells[0].outputs[0].traceback[0] == "AssertionError:"
    # a cell with no hidden tests keeps its full traceback: it quotes only visible code
    assert nb.cells[1].outputs[0].traceback == original
