"""Lessons run in a real browser, offline (issue 15).

Debian's Chromium, headless, opens the JupyterLite site served on 127.0.0.1 with every other
host unresolvable, opens lesson 00 and lesson 03 (which trains a scikit-learn model), runs
every cell, and compares what each cell shows with the tracked lesson's stored outputs: an
error only where the lesson makes one on purpose (tagged ``raises-exception``, the same error),
no warnings on stderr, and the same ``check()`` and ``hint()`` messages. Chromium's NetLog must
show that nothing left 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ["00-welcome.ipynb", "03-first-diagnostic-model.ipynb"]
#: stderr that a first run prints and the desktop does not (it has its caches already).
HARMLESS_STDERR = ("Matplotlib is building the font cache",)

pytestmark = pytest.mark.browser


def _text(output: dict) -> str:
    text = output.get("text", "")
    return text if isinstance(text, str) else "".join(text)


def _ename(output: dict) -> str:
    """The error's name; the Pyodide kernel reports ``<class 'NameError'>`` for ``NameError``."""
    return re.sub(r"^<class '(?:[\w.]+\.)?(\w+)'>$", r"\1", output["ename"])


def judge(cells: list[dict], reference: dict) -> list[str]:
    """What is wrong with the browser's outputs, compared with the reference lesson's."""
    problems = []
    for index, (cell, ref) in enumerate(zip(cells, reference["cells"], strict=True)):
        if cell["type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        where = f"cell {index} ({source.strip().splitlines()[0][:50] if source.strip() else ''})"
        errors = [_ename(o) for o in cell["outputs"] if o["output_type"] == "error"]
        expected = [_ename(o) for o in ref["outputs"] if o["output_type"] == "error"]
        if errors != expected:
            shown = [
                f"{o['ename']}: {o['evalue']}"
                for o in cell["outputs"]
                if o["output_type"] == "error"
            ]
            problems.append(f"{where}: errors {shown}, the lesson expects {expected}")
        if errors and "raises-exception" not in cell["tags"]:
            problems.append(f"{where}: an error in a cell not marked raises-exception")
        stderr = [
            _text(o)
            for o in cell["outputs"]
            if o["output_type"] == "stream" and o.get("name") == "stderr"
        ]
        ref_stderr = [
            _text(o)
            for o in ref["outputs"]
            if o["output_type"] == "stream" and o.get("name") == "stderr"
        ]
        unexpected = [t for t in stderr if not t.startswith(HARMLESS_STDERR)]
        if unexpected and not ref_stderr:
            problems.append(f"{where}: stderr {unexpected}")
        if "check(" in source or "hint(" in source:
            said = "".join(_text(o) for o in cell["outputs"] if o.get("name") == "stdout").strip()
            expected_text = "".join(
                _text(o) for o in ref["outputs"] if o.get("name") == "stdout"
            ).strip()
            if said != expected_text:
                problems.append(f"{where}: check/hint said {said!r}, expected {expected_text!r}")
    return problems


@pytest.fixture(scope="module")
def runs(lite_site, tmp_path_factory):
    """Both lessons in one fresh browser profile (lesson 00 cold, lesson 03 after it)."""
    if not (Path(browser.CHROMIUM).exists() and Path(browser.CHROMEDRIVER).exists()):
        pytest.fail("Debian's chromium and chromium-driver are needed: make web-test installs them")
    folder = tmp_path_factory.mktemp("chromium")
    netlog = folder / "netlog.json"
    results = {}
    with browser.serve(lite_site) as url:
        with browser.chromium(profile=folder / "profile", netlog=netlog) as driver:
            for lesson in LESSONS:
                results[lesson] = browser.run_lesson(driver, url, lesson)
    results["netlog"] = browser.read_netlog(netlog)
    shutil.rmtree(folder / "profile", ignore_errors=True)
    report = ROOT / "build" / "web-test" / "browser-run.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    timings = {k: {t: v[t] for t in ("first_cell_seconds", "all_cells_seconds")}
               for k, v in results.items() if k in LESSONS}  # fmt: skip
    report.write_text(json.dumps(timings, indent=1) + "\n")
    print(f"\nbrowser timings: {timings}")
    return results


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_runs_in_the_browser_as_on_the_desktop(runs, lite_site, lesson):
    reference = json.loads((ROOT / "notebooks" / lesson).read_text())
    cells = runs[lesson]["cells"]
    assert len(cells) == len(reference["cells"])
    assert all(c["count"] is not None for c in cells if c["type"] == "code")
    problems = judge(cells, reference)
    assert not problems, "\n".join(problems)


def test_lesson_03_trained_a_model_in_the_browser(runs):
    cells = runs["03-first-diagnostic-model.ipynb"]["cells"]
    sources = ["".join(c["source"]) for c in cells if c["type"] == "code"]
    assert any(".fit(" in source for source in sources)


def test_no_request_left_127_0_0_1(runs):
    netlog = runs["netlog"]
    assert any("static/pyodide/pyodide.asm.wasm" in url for url in netlog["site"])
    assert any("healthlab-" in url and url.endswith(".whl") for url in netlog["site"])
    assert browser.outside(netlog["site"]) == [], "the site asked for something outside"
    assert browser.outside(netlog["addresses"]) == [], "a socket was opened to another host"
