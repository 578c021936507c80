"""The course as a whole: every lesson has the template's parts, the home and README list every
lesson, links work, and stored outputs are clean (no stray errors, warnings or missing alt text).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
MAX_CELL_LINES = 15

sys.path.insert(0, str(ROOT / "tools"))
import build_course_home  # noqa: E402


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def text_of(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_lessons():
    assert [p.name[:2] for p in LESSONS][:1] == ["00"], "lesson 00 (welcome) must exist"
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(len(numbers))), f"lessons must be numbered in order: {numbers}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_follows_the_template(path):
    all_cells = cells(path)
    title = text_of(all_cells[0])
    assert all_cells[0]["cell_type"] == "markdown"
    assert re.match(rf"# (Lesson )?{path.name[:2]}\b", title), "title must be '# Lesson NN: ...'"
    for part in ("you will learn to", "time"):
        assert part in title.lower(), f"title cell lacks {part!r}"
    assert not re.search(r"\bHEE\b|capability framework", title, re.IGNORECASE), (
        "the HEE capability framework line belongs in the teacher notes, not the title cell"
    )
    setup = next(c for c in all_cells if c["cell_type"] == "code")
    assert "%matplotlib inline" in text_of(setup) or "matplotlib" not in path.read_text()
    markdown = "\n".join(text_of(c) for c in all_cells if c["cell_type"] == "markdown")
    code = "\n".join(text_of(c) for c in all_cells if c["cell_type"] == "code")
    for heading in ("stop and think", "key points", "further reading", "your turn", "predict"):
        assert heading in markdown.lower(), f"no {heading!r} section"
    assert len(re.findall(r"\bcheck\(", code)) >= 3, "lessons need exercises with check()"
    notes = ROOT / "notebooks" / "teacher-notes" / path.with_suffix(".md").name
    assert notes.exists(), f"teacher notes {notes.relative_to(ROOT)} are missing"
    notes_text = notes.read_text(encoding="utf-8")
    assert re.search(r"\bHEE\b", notes_text) and "capability framework" in notes_text.lower(), (
        f"{notes.name} lacks the HEE AI and Digital Healthcare Capability Framework line"
    )


@pytest.mark.parametrize("path", LESSONS[1:], ids=lambda p: p.name)
def test_lesson_opens_with_a_warm_up_on_the_lesson_before(path):
    """Spaced retrieval practice: right after the setup cell, 2-3 checked questions."""
    all_cells = cells(path)
    number = int(path.name[:2])
    setup = next(i for i, c in enumerate(all_cells) if c["cell_type"] == "code")
    heading = all_cells[setup + 1]
    assert heading["cell_type"] == "markdown" and text_of(heading).startswith(
        f"## Warm-up: remember lesson {number - 1:02d}"
    ), f"the cell after the setup cell must start '## Warm-up: remember lesson {number - 1:02d}'"
    questions = []  # the code cells of the warm-up section (up to the next "## " heading)
    for cell in all_cells[setup + 2 :]:
        if cell["cell_type"] == "markdown" and text_of(cell).startswith("## "):
            break
        if cell["cell_type"] == "code":
            questions.append(text_of(cell))
    assert 2 <= len(questions) <= 3, (
        f"the warm-up needs 2 or 3 question cells, has {len(questions)}"
    )
    for source in questions:
        assert re.search(r"^answer = \.\.\.$", source, re.M), "each warm-up cell: answer = ..."
        assert re.search(rf'check\("{number:02d}\.warmup-[\w-]+", answer\)', source), (
            f'each warm-up cell ends with check("{number:02d}.warmup-<name>", answer)'
        )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_cells_are_short(path):
    long = [
        (i, text_of(c).count("\n") + 1)
        for i, c in enumerate(cells(path))
        if c["cell_type"] == "code" and text_of(c).count("\n") + 1 > MAX_CELL_LINES
    ]
    assert not long, f"code cells over {MAX_CELL_LINES} lines (index, lines): {long}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_stored_outputs_are_clean(path):
    problems = []
    for i, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code":
            continue
        source = text_of(cell)
        if source.strip() and cell.get("execution_count") is None:
            problems.append(f"cell {i} has not been run: re-execute the lesson")
        on_purpose = "raises-exception" in cell["metadata"].get("tags", [])
        if "NBVAL_" in source:
            # Students read the source: test markers go in cell tags (nbval reads those).
            problems.append(f"cell {i}: use the cell tag, not a '# NBVAL_...' comment")
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and not on_purpose:
                problems.append(f"cell {i} stores an error: {out['ename']}")
            if out.get("name") == "stderr" and "warning" in "".join(out["text"]).lower():
                problems.append(f"cell {i} stores a warning: fix its cause")
            if "image/png" in out.get("data", {}):
                alt = out.get("metadata", {}).get("image/png", {}).get("alt", "")
                if len(alt) < 20:
                    problems.append(f"cell {i} has a figure without alt text (plots.show)")
            if re.search(r" at 0x[0-9a-f]+>", json.dumps(out.get("data", {}))):
                problems.append(f"cell {i} stores a memory address")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_links_resolve(path):
    markdown = "\n".join(text_of(c) for c in cells(path) if c["cell_type"] == "markdown")
    assert_local_links_exist(markdown, path.parent)


def assert_local_links_exist(markdown: str, base: Path) -> None:
    for target in re.findall(r"\]\(([^)\s]+)\)", markdown):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        assert (base / target.split("#")[0]).exists(), f"broken link to {target}"


def test_course_home_is_up_to_date():
    home = ROOT / "notebooks" / "README.md"
    assert home.read_text() == build_course_home.render(), (
        "notebooks/README.md is out of date: run .venv/bin/python tools/build_course_home.py"
    )
    assert_local_links_exist(home.read_text(), home.parent)


def test_readme_lists_every_lesson_and_links_resolve():
    readme = (ROOT / "README.md").read_text()
    for path in LESSONS:
        assert f"notebooks/{path.name}" in readme, f"README's lesson table lacks {path.name}"
    assert_local_links_exist(readme, ROOT)


def test_readme_has_exactly_two_set_up_commands_and_make_has_them():
    readme = (ROOT / "README.md").read_text()
    start = readme.split("## Start here", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", start, re.DOTALL)
    assert commands == ["make lab", "make test"]
    targets = subprocess.run(
        ["make", "-C", str(ROOT), "-n", "-p"], capture_output=True, text=True
    ).stdout
    assert re.search(r"^lab:", targets, re.M) and re.search(r"^test:", targets, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().endswith("make test"), ".ci/run must run the README's test command"


def test_glossary_has_a_section_per_lesson_with_terms():
    glossary = (ROOT / "notebooks" / "glossary.md").read_text()
    for path in LESSONS:
        section = glossary.split(f"## Lesson {path.name[:2]}", 1)
        assert len(section) == 2, f"glossary has no section for lesson {path.name[:2]}"
        body = section[1].split("\n## ", 1)[0]
        assert re.search(r"\*\*.+?\*\*", body), f"glossary section {path.name[:2]} has no terms"
