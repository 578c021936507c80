"""The browser build (issue 15): offline, verified against the official Pyodide lock, and the
student's copy of the course, never the reference lessons.

The build runs once per session, in a network namespace of its own with no network
(``unshare -n``), into build/web-test/site/lite; the browser and website tests use that build.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "src"))

import build_lite  # noqa: E402

from healthlab import workspace  # noqa: E402


def test_the_build_ran_with_no_network(lite_build):
    """The session's build ran under unshare -n, where not even PyPI's name resolves."""
    assert lite_build["returncode"] == 0, lite_build["output"][-3000:]
    probe = subprocess.run(
        [*lite_build["offline"], sys.executable, "-c",
         "import socket; socket.create_connection(('pypi.org', 443), timeout=5)"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert probe.returncode != 0, "the offline wrapper still reaches the network"
    assert "verified against the official lock" in lite_build["output"]


def test_every_served_pyodide_file_matches_the_official_lock(lite_site):
    official = json.loads((ROOT / "build/lite/npm-pyodide/package/pyodide-lock.json").read_text())[
        "packages"
    ]
    served = json.loads((lite_site / "static/pyodide/pyodide-lock.json").read_text())
    assert served["info"]["version"] == "0.27.7" and served["info"]["python"].startswith("3.12")
    course = {"healthlab", "pydicom"}
    for name, entry in served["packages"].items():
        path = lite_site / "static/pyodide" / entry["file_name"]
        assert build_lite.web_fetch.sha256(path) == entry["sha256"], name
        if name not in course:
            assert entry == official[name], f"{name}: not the official lock entry"
    for core in build_lite.CORE:
        official_core = ROOT / "build/lite/npm-pyodide/package" / core
        assert (lite_site / "static/pyodide" / core).read_bytes() == official_core.read_bytes()
    versions = {name: entry["version"] for name, entry in served["packages"].items()}
    assert versions["numpy"].startswith("2.0") and versions["pandas"].startswith("2.2")
    assert versions["scikit-learn"].startswith("1.6") and versions["matplotlib"].startswith("3.8")


def _pristine_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "pyodide"
    shutil.copytree(ROOT / "build/lite/provisa-pyodide", copy)
    return copy


def test_a_pristine_copy_verifies(lite_build, tmp_path):
    official = ROOT / "build/lite/npm-pyodide/package"
    verified = build_lite.verify_distribution(_pristine_copy(tmp_path), official)
    assert {"numpy", "pandas", "scikit-learn", "matplotlib", "scipy"} <= set(verified)


@pytest.mark.parametrize(
    "tamper",
    ["one byte of a wheel", "one byte of the WebAssembly runtime", "a lock entry", "an extra file"],
)
def test_one_altered_file_fails_the_verification(lite_build, tmp_path, tamper):
    copy = _pristine_copy(tmp_path)
    if tamper == "one byte of a wheel":
        target = next(copy.glob("numpy-*.whl"))
    elif tamper == "one byte of the WebAssembly runtime":
        target = copy / "pyodide.asm.wasm"
    if tamper.startswith("one byte"):
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        expected = target.name
    elif tamper == "a lock entry":
        lock = json.loads((copy / "pyodide-lock.json").read_text())
        lock["packages"]["numpy"]["depends"].append("evil")
        (copy / "pyodide-lock.json").write_text(json.dumps(lock))
        expected = "entry 'numpy'"
    else:
        (copy / "sitecustomize.py").write_text("print('hello')\n")
        expected = "sitecustomize.py"
    official = ROOT / "build/lite/npm-pyodide/package"
    with pytest.raises(build_lite.VerificationError, match=re.escape(expected)):
        build_lite.verify_distribution(copy, official)
    # and the command line says so and exits non-zero
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/build_lite.py"), "verify", str(copy)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1 and "VERIFICATION FAILED" in result.stderr


def test_piplite_never_falls_back_to_pypi_and_pyodide_is_local(lite_site):
    config = json.loads((lite_site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][build_lite.KERNEL_PLUGIN]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert all(url.startswith("./") for url in kernel["pipliteUrls"])
    text = json.dumps(config)
    assert "cdn.jsdelivr" not in text and "pypi.org" not in text


def test_the_site_holds_the_student_copy_and_nothing_else(lite_site):
    files = lite_site / "files"
    shipped = sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    assert shipped == sorted(workspace.student_files(ROOT))
    assert not any("teacher" in name or "assignment" in name for name in shipped)
    support = build_lite.browser_support()
    for name in shipped:
        if not name.endswith(".ipynb"):
            continue
        notebook = json.loads((files / name).read_text())
        reference = json.loads((ROOT / "notebooks" / name).read_text())
        expected = workspace.student_notebook(reference)["cells"]
        cells = notebook["cells"]
        if name in support:  # the browser's note, second cell
            note = cells.pop(1)
            assert "In the browser" in "".join(note["source"])
        assert cells == expected, f"{name}: not the student copy"
        for cell in cells:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None
                assert "NBVAL" not in "".join(cell["source"])
    home = (files / "README.md").read_text()
    assert "## For teachers" not in home
    for lesson in support:
        assert f"]({lesson})" in home and "In the browser this lesson" in home
    data = [n for n in shipped if n.startswith("datasets/")]
    assert any(n.endswith(".csv") for n in data) and any(n.endswith(".md") for n in data)


def test_the_course_wheel_carries_the_data_files(lite_site):
    import zipfile

    (wheel,) = (lite_site / "static/pyodide").glob("healthlab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for csv in (ROOT / "datasets").glob("*.csv"):
        assert f"healthlab/_data/{csv.name}" in names
    assert "healthlab/datasets.py" in names
    assert wheel.name.endswith("-py3-none-any.whl")  # pure Python


# ---------------------------------------------------------------------------------------------
# Which lessons can run in the browser
# ---------------------------------------------------------------------------------------------


def _top(module: str) -> str:
    return module.split(".")[0]


def _imports_in(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import):
            found.update(_top(alias.name) for alias in sub.names)
        elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
            found.add(_top(sub.module))
    return found


def _healthlab_from_imports(node: ast.AST) -> set[tuple[str, str]]:
    return {
        (sub.module, alias.name)
        for sub in ast.walk(node)
        if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("healthlab.")
        for alias in sub.names
    }


def _module_map(path: Path) -> tuple[set[str], set[tuple[str, str]], dict]:
    """What a healthlab module imports at its top level (modules, and healthlab names), and
    ``{global name: (modules imported inside it, names it uses, healthlab names it imports)}``.
    """
    tree = ast.parse(path.read_text())
    level, level_healthlab, names = set(), set(), {}
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            level |= _imports_in(node)
            level_healthlab |= _healthlab_from_imports(node)
            continue
        targets = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            nodes = node.targets if isinstance(node, ast.Assign) else [node.target]
            targets = [t.id for t in nodes if isinstance(t, ast.Name)]
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for target in targets:
            names[target] = (_imports_in(node), used, _healthlab_from_imports(node))
    return level, level_healthlab, names


def _healthlab_needs(uses: set[tuple[str, str]]) -> set[str]:
    """Modules that using ``module.name`` (for each use) may import, following healthlab's own
    calls inside a module, its imports of other healthlab modules, and imports inside
    functions. A static over-approximation within a module: a function counts as using every
    global name it mentions."""
    needs, seen, todo, maps = set(), set(), list(uses), {}
    while todo:
        module, name = todo.pop()
        if (module, name) in seen:
            continue
        seen.add((module, name))
        path = ROOT / "src/healthlab" / f"{module.removeprefix('healthlab.')}.py"
        if not path.exists():
            continue
        if module not in maps:
            maps[module] = _module_map(path)
            needs |= maps[module][0]
            todo.extend(maps[module][1])
        names = maps[module][2]
        if name in names:
            imports, used, healthlab_names = names[name]
            needs |= imports
            todo.extend((module, other) for other in used if other in names)
            todo.extend(healthlab_names)
    return needs - {"healthlab"}


def _lesson_needs(path: Path) -> set[str]:
    notebook = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(code)
    needs = _imports_in(tree) - {"healthlab"}
    shortcuts = {"check": "checks", "hint": "checks", "friendly_errors": "errors"}
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "healthlab":
            for alias in node.names:
                if alias.name in shortcuts:
                    aliases[alias.asname or alias.name] = (shortcuts[alias.name], alias.name)
                else:
                    aliases[alias.asname or alias.name] = (alias.name, None)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("healthlab."):
            for alias in node.names:
                aliases[alias.asname or alias.name] = (node.module.split(".", 1)[1], alias.name)
    uses = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in aliases and aliases[node.value.id][1] is None:
                uses.add((f"healthlab.{aliases[node.value.id][0]}", node.attr))
        elif isinstance(node, ast.Name) and node.id in aliases and aliases[node.id][1]:
            module, name = aliases[node.id]
            uses.add((f"healthlab.{module}", name))
    return needs | _healthlab_needs(uses)


def _browser_modules(lite_site: Path) -> set[str]:
    lock = json.loads((lite_site / "static/pyodide/pyodide-lock.json").read_text())
    modules = {name for entry in lock["packages"].values() for name in entry["imports"]}
    # the kernel's own packages (installed by piplite when the kernel starts), and the stdlib
    modules |= {"IPython", "ipykernel", "comm", "pyodide", "js", "piplite", "pyodide_kernel"}
    return modules | set(sys.stdlib_module_names)


def test_every_lesson_imports_only_what_the_browser_ships_or_says_why_not(lite_site):
    available = _browser_modules(lite_site)
    support = build_lite.browser_support()
    missing = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        lacking = sorted(_lesson_needs(path) - available)
        if lacking or path.name in support:
            missing[path.name] = lacking
    expected = {name: sorted(info["needs"]) for name, info in support.items()}
    assert missing == expected, (
        "web/browser-support.toml must list exactly the lessons that need a package the "
        f"browser build lacks; found {missing}"
    )


def test_the_audit_sees_lazy_imports_inside_healthlab():
    """load_retina imports scikit-image inside the function: the audit must follow it."""
    assert "skimage" in _healthlab_needs({("healthlab.datasets", "load_retina")})
    assert "skimage" not in _healthlab_needs({("healthlab.datasets", "load")})
    assert "pydicom" in _healthlab_needs({("healthlab.datasets", "load")})
