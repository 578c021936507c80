"""Helpers shared by the lesson question tests (tests/unit/test_questions_lessonNN.py)."""

from __future__ import annotations

import re
from pathlib import Path

from healthlab.checks import evaluate_answer

#: What check() says while an exercise still holds the ``...`` blank (the stored output).
UNANSWERED = "Replace the ... with your answer, then run the cell again."


def joined(value: str | list[str]) -> str:
    """Notebook JSON stores text either as one string or as a list of lines."""
    return value if isinstance(value, str) else "".join(value)


def message(question_id: str, answer: object) -> str:
    """What check() would print for this answer."""
    return evaluate_answer(question_id, answer).message


def teacher_solutions(notes: Path) -> dict[str, str]:
    """Each "**Your turn N** (`ID`..." section's first ```python block, or else its first
    inline `answer = ...`."""
    solutions = {}
    for chunk in notes.read_text(encoding="utf-8").split("**Your turn")[1:]:
        question_id = re.search(r"\(`(\d\d\.[\w-]+)`", chunk).group(1)
        block = re.search(r"```python\n(.*?)```", chunk, re.S)
        inline = re.search(r"`(answer = [^`]+)`", chunk)
        solutions[question_id] = block.group(1) if block else inline.group(1)
    return solutions


def answer_name(cells: list[dict], question_id: str) -> str:
    """The variable a lesson passes to check() for this question."""
    for cell in cells:
        found = re.search(rf'check\("{re.escape(question_id)}", (\w+)\)', joined(cell["source"]))
        if found:
            return found.group(1)
    raise AssertionError(question_id)
