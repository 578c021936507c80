"""`import healthlab` is instant and has no side effects; submodules load when first used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import healthlab


def run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_loads_no_heavy_library_and_prints_nothing():
    result = run(
        "import sys, io, contextlib, json\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):\n"
        "    import healthlab\n"
        "heavy = [m for m in ('pandas', 'numpy', 'sklearn', 'matplotlib', 'scipy', 'nbgrader')"
        " if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'printed': buf.getvalue()}))"
    )
    assert result == {"heavy": [], "printed": ""}


def test_lessons_never_import_the_grading_side():
    result = run(
        "import sys, json\n"
        "from healthlab import check, hint, friendly_errors, datasets, evaluate, plots\n"
        "from healthlab import scores, privacy, linkage, fairness, signals, images, text\n"
        "from healthlab import modelcard, capstone\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('healthlab.grading',"
        " 'nbgrader')))))"
    )
    assert result == []


def test_shortcuts_and_submodules_resolve():
    from healthlab import checks, errors

    assert healthlab.check is checks.check and healthlab.hint is checks.hint
    assert healthlab.friendly_errors is errors.friendly_errors
    assert "datasets" in dir(healthlab)


def test_unknown_attribute_says_so():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        healthlab.nope  # noqa: B018
