"""What a student's code displays cannot run as script for the teacher (issue 17)."""

from __future__ import annotations

import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from healthlab.grading.sanitise import NeutraliseActiveContent, clean_html

ATTACKS = [
    "<script>fetch('/api/contents/source')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<iframe src="/api/contents"></iframe>',
    "<svg onload=alert(1)></svg>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<ScRiPt >alert(1)</sCrIpT >",
]


def test_every_attack_is_neutralised():
    for attack in ATTACKS:
        cleaned = clean_html(attack).lower()
        for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "style="):
            assert bad not in cleaned, (attack, cleaned)


def test_tables_text_and_images_still_show():
    table = pd.DataFrame({"age": [63, 37]}).to_html()
    cleaned = clean_html(table)
    assert "<table" in cleaned and "<td>63</td>" in cleaned
    img = '<img src="data:image/png;base64,iVBORw0KGgo=" alt="a chart">'
    assert clean_html(img) == img


def test_notebook_outputs_and_markdown_are_cleaned():
    code = new_code_cell("display(...)")
    code.outputs = [
        new_output(
            "display_data", data={"text/html": ATTACKS[0] + "<b>ok</b>", "text/plain": "ok"}
        ),  # fmt: skip
        new_output("display_data", data={"application/javascript": "alert(1)"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {}}),
        new_output(
            "execute_result",
            data={"image/png": "iVBORw0KGgo="},
            execution_count=1,
            metadata={"image/png": {"alt": "chart"}, "huge": "x" * 1000},
        ),  # fmt: skip
    ]
    answer = new_markdown_cell("My answer <img src=x onerror=alert(1)> is **bold**")
    plain = new_markdown_cell("Cholesterol < 200 mg/dL is *fine*")
    nb = new_notebook(cells=[code, answer, plain])
    nb.metadata["widgets"] = {"state": "x" * 1000}
    nb, _ = NeutraliseActiveContent()(nb, {})  # called as nbconvert calls it
    html, js, widget, image = nb.cells[0].outputs
    assert "<script" not in html["data"]["text/html"] and "<b>ok</b>" in html["data"]["text/html"]
    assert "application/javascript" not in js["data"] and "removed" in js["data"]["text/plain"]
    assert "removed" in widget["data"]["text/plain"]
    assert image["data"]["image/png"] and "huge" not in image["metadata"]
    assert "onerror" not in nb.cells[1].source and "**bold**" in nb.cells[1].source
    assert nb.cells[2].source == "Cholesterol < 200 mg/dL is *fine*"
    assert "widgets" not in nb.metadata
