"""Assignments assess only what the lessons taught.

Each lesson declares, in its notebook metadata, the Python constructs it FIRST teaches:

    "metadata": {"healthlab": {"introduces": ["def", "return", "if", ...]}}

This file checks three things with Python's own parser (``ast``):

1. every lesson really uses each construct it claims to introduce (in its code cells), and no
   earlier lesson already uses it (so "first" is true);
2. every construct an assignment's solution cells use was introduced by a lesson taught before
   the assignment (``ASSIGNMENT_LESSONS``: a1 comes after lessons 00-02, and so on);
3. the detector itself finds each construct in a small example, so a gap in it cannot make the
   tests above pass by accident.

IPython magics and shell lines (``%matplotlib inline``, ``!pip ...``) are removed before parsing.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
ASSIGNMENTS = sorted(p for p in (ROOT / "assignments" / "source").glob("*") if p.is_dir())

#: The last lesson taught before each assignment (a1 after Part 1, lessons 00-02, ...).
ASSIGNMENT_LESSONS = {"a1": 2, "a2": 6, "a3": 10, "a4": 13, "capstone": 14}

#: Every construct a lesson may declare, and how it is found in the parsed code.
VOCABULARY = {
    "variable": "a name given a value (name = ..., or the name of a for loop)",
    "arithmetic": "+ - * / // % ** on numbers, or a minus sign",
    "f-string": 'f"... {name} ..."',
    "call": "a function called by its name: print(...), round(...)",
    "import": "import ... or from ... import ...",
    "list": "[a, b, c]",
    "dict": "{key: value}",
    "subscript": "value[...]: a column, an item",
    "attribute": "value.name that is not called: heart.shape, np.nan",
    "method-call": "value.name(...): heart.head()",
    "comparison": "< <= > >= == != in",
    "boolean-mask": "table[table['age'] > 60]: a comparison inside square brackets",
    "def": "def name(...):",
    "return": "return ...",
    "if": "if ...: (or a one-line x if ... else y)",
    "for": "for ... in ...:",
    "lambda": "lambda x: ...",
    "comprehension": "[... for ... in ...] (list, set, dict or generator)",
    "slice": "value[a:b]",
    "tuple-unpack": "a, b = ... (also in a for loop)",
    "augmented-assign": "x += 1",
    "while": "while ...:",
    "with": "with ... as ...:",
    "try": "try: ... except ...:",
    # pandas-level constructs
    "loc": "table.loc[...] (reading or changing cells by row and column)",
    "loc-assign": "table.loc[rows, column] = value (changing cells in place)",
    "copy": "table.copy()",
    "nan": "np.nan, the missing value",
}

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def code_of(source: str) -> str:
    """Cell source without IPython magics and shell lines (they are not Python)."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append("" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _is_loc(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "loc"


def _holds_comparison(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.Tuple):
        return any(_holds_comparison(e) for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        return _holds_comparison(node.left) or _holds_comparison(node.right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return _holds_comparison(node.operand)
    return False


def constructs(source: str) -> set[str]:
    """The constructs of VOCABULARY that a piece of code uses."""
    tree = ast.parse(code_of(source))
    found: set[str] = set()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add("variable")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC):
            found.add("arithmetic")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            found.add("arithmetic")
        elif isinstance(node, ast.JoinedStr):
            found.add("f-string")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                found.add("method-call")
                if node.func.attr == "copy":
                    found.add("copy")
            else:
                found.add("call")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.add("import")
        elif isinstance(node, ast.List):
            found.add("list")
        elif isinstance(node, ast.Dict):
            found.add("dict")
        elif isinstance(node, ast.Subscript):
            found.add("subscript")
            if _holds_comparison(node.slice):
                found.add("boolean-mask")
            if isinstance(node.slice, ast.Slice) or (
                isinstance(node.slice, ast.Tuple)
                and any(isinstance(e, ast.Slice) for e in node.slice.elts)
            ):
                found.add("slice")
        elif isinstance(node, ast.Compare):
            found.add("comparison")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add("def")
        elif isinstance(node, ast.Return):
            found.add("return")
        elif isinstance(node, (ast.If, ast.IfExp)):
            found.add("if")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            found.add("for")
            if isinstance(node.target, (ast.Tuple, ast.List)):
                found.add("tuple-unpack")
        elif isinstance(node, ast.Lambda):
            found.add("lambda")
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            found.add("comprehension")
        elif isinstance(node, ast.AugAssign):
            found.add("augmented-assign")
        elif isinstance(node, ast.While):
            found.add("while")
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            found.add("with")
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            found.add("try")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, (ast.Tuple, ast.List)):
                    found.add("tuple-unpack")
                if isinstance(target, ast.Subscript) and _is_loc(target.value):
                    found.add("loc-assign")
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            if _is_loc(node.target.value):
                found.add("loc-assign")
        if isinstance(node, ast.Attribute):
            if id(node) not in called:
                found.add("attribute")
            if node.attr == "loc":
                found.add("loc")
            if node.attr == "nan" and isinstance(node.value, ast.Name):
                found.add("nan")
        if isinstance(node, ast.comprehension) and isinstance(node.target, (ast.Tuple, ast.List)):
            found.add("tuple-unpack")
    return found


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def lesson_code(path: Path) -> str:
    cells = _notebook(path)["cells"]
    return "\n\n".join(code_of(_source(c)) for c in cells if c["cell_type"] == "code")


def introduces(path: Path) -> list[str]:
    meta = _notebook(path).get("metadata", {}).get("healthlab", {})
    assert "introduces" in meta, (
        f'{path.name}: add "healthlab": {{"introduces": [...]}} to the notebook metadata '
        "(the constructs this lesson first teaches; an empty list if none)"
    )
    return list(meta["introduces"])


def _number(path: Path) -> int:
    return int(path.name[:2])


def assignment_key(folder: Path) -> str:
    return folder.name.split("-", 1)[0]


def solution_cells(folder: Path) -> list[tuple[str, str]]:
    """(grade_id, code) of every autograded answer cell of an assignment's source notebook."""
    notebook = _notebook(folder / f"{folder.name}.ipynb")
    out = []
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            out.append((meta.get("grade_id", "?"), _source(cell)))
    return out


# --- 3. the detector ----------------------------------------------------------------------------

EXAMPLES = {
    "variable": "x = 1",
    "arithmetic": "y = 70 / 1.75 ** 2",
    "f-string": 'print(f"{x} bpm")',
    "call": "round(2.5)",
    "import": "import numpy as np",
    "list": 'cols = ["age", "sex"]',
    "dict": 'rows = {"a": 1}',
    "subscript": 'heart["age"]',
    "attribute": "heart.shape",
    "method-call": "heart.head()",
    "comparison": "x > 60",
    "boolean-mask": 'heart[(heart["age"] > 60) & (heart["sex"] == 0)]',
    "def": "def f(x):\n    pass",
    "return": "def f(x):\n    return x",
    "if": "if x:\n    pass",
    "for": "for x in [1]:\n    pass",
    "lambda": "f = lambda x: x",
    "comprehension": "[x for x in range(3)]",
    "slice": "values[1:3]",
    "tuple-unpack": "fig, ax = plt.subplots()",
    "augmented-assign": "total += 1",
    "while": "while False:\n    pass",
    "with": "with open('f') as f:\n    pass",
    "try": "try:\n    pass\nexcept ValueError:\n    pass",
    "loc": 'heart.loc[heart["sex"] == 0, "chol"]',
    "loc-assign": 'fixed.loc[fixed["chol"] == 0, "chol"] = np.nan',
    "copy": "fixed = heart.copy()",
    "nan": "missing = np.nan",
}


def test_every_construct_has_an_example():
    assert set(EXAMPLES) == set(VOCABULARY)


@pytest.mark.parametrize("name", sorted(VOCABULARY))
def test_detector_finds_each_construct(name):
    assert name in constructs(EXAMPLES[name]), EXAMPLES[name]


def test_detector_does_not_over_report():
    simple = constructs("%matplotlib inline\nheart_rate = 18 * 4\nprint(heart_rate)")
    assert simple == {"variable", "arithmetic", "call"}
    assert "loc-assign" not in constructs('x = heart.loc[heart["age"] > 60, "chol"]')
    assert "attribute" not in constructs("heart.head()")
    assert "boolean-mask" not in constructs('heart["age"]')


# --- 1. each lesson uses what it claims, and claims it first ------------------------------------


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_declares_known_constructs(path):
    unknown = set(introduces(path)) - set(VOCABULARY)
    assert not unknown, f"{path.name} declares constructs outside the vocabulary: {unknown}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_uses_every_construct_it_introduces(path):
    used = constructs(lesson_code(path))
    missing = set(introduces(path)) - used
    assert not missing, (
        f"{path.name} claims to introduce {sorted(missing)}, but none of its code cells uses "
        "them: teach them with an example, or take them off the list"
    )


def test_each_construct_is_introduced_once_and_not_used_earlier():
    first: dict[str, str] = {}
    for path in LESSONS:
        for name in introduces(path):
            assert name not in first, (
                f"{name!r} is introduced by both {first[name]} and {path.name}"
            )
            first[name] = path.name
    problems = []
    for name, where in first.items():
        for earlier in LESSONS:
            if _number(earlier) >= int(where[:2]):
                break
            if name in constructs(lesson_code(earlier)):
                problems.append(f"{earlier.name} uses {name!r}, which {where} introduces")
    assert not problems, "\n".join(problems)


# --- 2. assignments use only what was taught before them --------------------------------------


def test_every_assignment_has_a_place_in_the_course():
    for folder in ASSIGNMENTS:
        assert assignment_key(folder) in ASSIGNMENT_LESSONS, (
            f"{folder.name}: add it to ASSIGNMENT_LESSONS (the last lesson taught before it)"
        )


@pytest.mark.parametrize("folder", ASSIGNMENTS, ids=lambda p: p.name)
def test_assignment_uses_only_constructs_taught_before_it(folder):
    last = ASSIGNMENT_LESSONS[assignment_key(folder)]
    taught: set[str] = set()
    for path in LESSONS:
        if _number(path) <= last:
            taught.update(introduces(path))
    untaught = []
    for grade_id, source in solution_cells(folder):
        for name in sorted(constructs(source) - taught):
            untaught.append(f"{grade_id} uses {name!r} ({VOCABULARY[name]})")
    assert not untaught, (
        f"{folder.name} comes after lessons 00-{last:02d}, which do not teach:\n"
        + "\n".join(untaught)
        + "\nTeach it in one of those lessons (and list it in its metadata), or change the task."
    )


def test_a1_really_assesses_the_taught_functions_and_cleaning():
    """Guards against a vacuous pass: a1's solutions use the constructs lessons 00-01 added."""
    folder = ROOT / "assignments" / "source" / "a1-health-data"
    used = set().union(*(constructs(code) for _, code in solution_cells(folder)))
    assert {"def", "return", "loc-assign", "copy", "nan", "boolean-mask"} <= used
    assert re.search(r"\bdef \w+\(", lesson_code(LESSONS[0]))
