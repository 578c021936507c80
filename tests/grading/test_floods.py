"""Every output channel is capped, and a cut output is still a well-formed notebook (issue 17)."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from healthlab.grading.preprocessors import METADATA_KEY, SafeExecute

CAP = 20_000


def run(*sources: str):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    pre = SafeExecute(kernel_name="python3", timeout=60, max_output_chars=CAP)
    nb, _ = pre.preprocess(nb, {"metadata": {"path": "."}})
    nbformat.validate(nb)  # a cut output is still a valid notebook
    return nb, nb.metadata[METADATA_KEY]


def size(cell) -> int:
    return len(nbformat.writes(nbformat.v4.new_notebook(cells=[cell])))


@pytest.mark.grading
def test_huge_traceback_huge_metadata_and_many_figures_are_cut_cleanly():
    traceback = "raise ValueError('x' * 5_000_000)"
    metadata = "from IPython.display import display\ndisplay({'text/plain': 'hi'}, raw=True, metadata={'junk': 'y' * 5_000_000})"
    figures = (
        "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
        "for i in range(15):\n    plt.figure(figsize=(2, 2)); plt.hist(range(i + 5)); plt.show()"
    )
    honest_warning = "import logging\nlogging.warning('this is only a warning')\nx = 1"
    nb, record = run(traceback, metadata, figures, honest_warning)
    for cell in nb.cells[:3]:
        assert size(cell) < CAP * 3, size(cell)
    assert record["output_cut"] == ["cell-0", "cell-1", "cell-2"]
    error = nb.cells[0].outputs[-1]
    assert error["output_type"] == "error" and error["ename"] == "ValueError"
    assert "cut" in error["traceback"][-1]
    kinds = [o["output_type"] for o in nb.cells[2].outputs]
    assert "display_data" in kinds and kinds[-1] == "stream"  # figures, then the cut note
    assert record["stopped"] is None and not record["not_run"]
