"""Write notebooks/README.md, the course home, from the lessons' own title cells.

The home lists every lesson in order with its objectives and time, taken from the title cell
of each ``notebooks/NN-*.ipynb``, so the list cannot drift from the lessons. Run it after adding
a lesson or changing a title cell:

    .venv/bin/python tools/build_course_home.py

``tests/test_course.py`` fails if the committed home is out of date.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
HOME = NOTEBOOKS / "README.md"

INTRO = """\
# AI in Healthcare: course home

Welcome! This course shows how artificial intelligence is used, tested and trusted in health care,
one short lesson at a time. You do not need to have programmed before: start with lesson 00.

**How to use a lesson.** Open it (double-click its name below, or in the file browser on the
left). Read each cell, then run it with **Shift + Enter**. When a cell says **Predict**, write down
what you expect before you run it. In each **Your turn** exercise, replace the `...` with your
answer and run the cell: `check(...)` tells you at once whether you are right, and `hint(...)`
gives you a clue. If a lesson gets in a muddle, use **Kernel > Restart Kernel and Run All Cells**.

Words you meet are explained in the [glossary](glossary.md). Every data set has a card saying
where it came from and what to be careful of: see [the data sets](../datasets/README.md).

## Lessons
"""

OUTRO = """
## For teachers

Teacher notes for each lesson (timing plan, misconceptions, worked answers, extensions) are in
[teacher-notes/](teacher-notes/). Assignments and grading: [../assignments/README.md](../assignments/README.md).
"""


def title_cell(path: Path) -> str:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            return "".join(cell["source"])
    raise ValueError(f"{path.name} has no markdown title cell")


def parse(text: str, name: str) -> dict:
    lines = text.splitlines()
    title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("#")), None)
    if title is None:
        raise ValueError(f"{name}: the title cell has no '# NN Title' heading")
    objectives, in_list = [], False
    for line in lines:
        if re.search(r"you will learn to", line, re.IGNORECASE):
            in_list = True
            continue
        if in_list:
            item = re.match(r"\s*(?:[-*]|\d+\.)\s+(.*)", line)
            if item:
                objectives.append(item.group(1).strip())
            elif objectives and line.startswith((" ", "\t")) and line.strip():
                objectives[-1] += " " + line.strip()  # an objective that wraps
            elif objectives:
                break
    if not objectives:
        raise ValueError(f"{name}: no objectives listed under 'You will learn to'")
    time = next((ln.strip() for ln in lines if re.match(r"\W*time\b", ln, re.IGNORECASE)), "")
    return {"title": title, "objectives": objectives, "time": time.replace("**", "").strip("-* ")}


def render() -> str:
    parts = [INTRO]
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        lesson = parse(title_cell(path), path.name)
        parts.append(f"\n### [{lesson['title']}]({path.name})\n")
        if lesson["time"]:
            parts.append(f"\n{lesson['time']}\n")
        parts.append("\nYou will learn to:\n\n")
        parts.extend(f"- {objective}\n" for objective in lesson["objectives"])
    parts.append(OUTRO)
    return "".join(parts)


def main() -> int:
    HOME.write_text(render())
    print(f"wrote {HOME.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
