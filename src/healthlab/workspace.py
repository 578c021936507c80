"""The student's working copy of the course, built from the reference lessons.

The lessons in ``notebooks/`` keep their stored outputs: they are the reference that the tests
compare against and that the website shows. No student works in them. Every place a student
works (the lab command, Binder, the browser build, a school hub) gets a *workspace* instead,
built here and nowhere else:

- each lesson with its outputs and execution counts cleared, and with the test markers that
  only the test suite needs (``# NBVAL_...`` comment lines) taken out;
- the course home, without its "For teachers" section; the glossary; the data cards and data;
- no teacher notes, no assignment sources, and a Jupyter configuration that switches off
  nbgrader's authoring tools (see :func:`student_jupyter_config`).

A workspace belongs to the student. :func:`update` adds what is new in the course and brings
an untouched lesson up to date, but never changes a file the student has edited;
:func:`reset` puts one lesson (or all of them) back as new, keeping the old copy in
``.backups/``. A manifest (``.course-manifest.json``) records what each file held when it was
written, which is how an edit is recognised.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "my-course"
>>> report = update(course_root(), target)
>>> (target / "00-welcome.ipynb").exists(), (target / "teacher-notes").exists()
(True, False)
>>> update(course_root(), target).added
[]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "WorkspaceReport",
    "course_root",
    "student_files",
    "student_notebook",
    "student_markdown",
    "student_jupyter_config",
    "update",
    "reset",
    "main",
]

MANIFEST = ".course-manifest.json"
BACKUPS = ".backups"
LESSON_PATTERN = "[0-9][0-9]-*.ipynb"
#: Comment lines that only the test suite reads (nbval's cell markers).
_MARKER = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$")
#: Cell tags that only the test suite reads. ``raises-exception`` stays: it lets "Run All"
#: carry on past a cell that shows an error on purpose.
_TEST_TAGS = ("nbval-ignore-output", "nbval-skip", "nbval-check-output", "nbval-raises-exception")
#: The course home's section for teachers, which the student copy leaves out.
_TEACHER_SECTION = re.compile(r"^## For teachers\b.*?(?=^## |\Z)", re.M | re.S)
#: nbgrader's JupyterLab plugins and server extensions; a student needs none of them on a
#: laptop (a school hub turns the assignment list back on).
NBGRADER_LAB_PLUGINS = (
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:validate-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
)
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)


@dataclass
class WorkspaceReport:
    """What :func:`update` or :func:`reset` did, by file name (relative to the workspace)."""

    target: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few plain lines for the terminal."""
        lines = [f"Your course folder: {self.target}"]
        if self.added:
            lines.append(f"  new: {', '.join(self.added)}")
        if self.updated:
            lines.append(f"  brought up to date (you had not changed them): {len(self.updated)}")
        if self.kept:
            lines.append(
                "  changed in the course, but kept as you left them: " + ", ".join(self.kept)
            )
            lines.append("  (to get the new version: make reset LESSON=<file name>)")
        if self.reset:
            lines.append(f"  reset to new: {', '.join(self.reset)}")
        if self.backups:
            lines.append(f"  your old copies are in {BACKUPS}/: {', '.join(self.backups)}")
        return "\n".join(lines)


def course_root() -> Path:
    """The course repository this package was installed from (the folder with ``notebooks/``).

    Raises
    ------
    FileNotFoundError
        When ``healthlab`` was installed from a wheel, without the lessons beside it.
    """
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "notebooks").is_dir() and (parent / "datasets").is_dir():
            return parent
    raise FileNotFoundError(
        "The course lessons were not found beside healthlab. Pass the course folder (the one "
        "with notebooks/ and datasets/ in it) with --source."
    )


def _check_source(source: Path) -> Path:
    source = Path(source)
    if not (source / "notebooks").is_dir():
        raise ValueError(
            f"source must be the course folder, with notebooks/ in it; got {str(source)!r}"
        )
    return source


def student_files(source: str | Path) -> dict[str, Path]:
    """The student material of a course: workspace name -> reference file.

    Lessons, the course home and the glossary go at the top of the workspace; the data cards
    and data files under ``datasets/``. Teacher notes and assignments are never included.

    Examples
    --------
    >>> files = student_files(course_root())
    >>> "00-welcome.ipynb" in files, "README.md" in files, "datasets/heart-disease.md" in files
    (True, True, True)
    >>> any("teacher" in name or "assignments" in name for name in files)
    False
    """
    source = _check_source(Path(source))
    notebooks = source / "notebooks"
    files = {p.name: p for p in sorted(notebooks.glob(LESSON_PATTERN))}
    for name in ("README.md", "glossary.md"):
        if (notebooks / name).exists():
            files[name] = notebooks / name
    for path in sorted((source / "datasets").glob("*")):
        if path.is_file() and path.suffix in {".md", ".csv"}:
            files[f"datasets/{path.name}"] = path
    return files


def student_markdown(text: str) -> str:
    """Markdown as a student sees it: links fixed for the workspace, no teacher section.

    In the repository, lessons sit in ``notebooks/`` and link to ``../datasets/``; in a
    workspace the data cards sit in ``datasets/`` beside the lessons.

    Examples
    --------
    >>> student_markdown("Read its [card](../datasets/ecg.md).")
    'Read its [card](datasets/ecg.md).'
    """
    fixed = _TEACHER_SECTION.sub("", text.replace("](../datasets/", "](datasets/"))
    return fixed.rstrip("\n") + "\n" if text.endswith("\n") else fixed


def _join(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def student_notebook(notebook: dict[str, Any]) -> dict[str, Any]:
    """A copy of a lesson notebook (as JSON) for a student: no outputs, no test markers.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "execution_count": 3, "metadata": {"tags": [
    ...     "raises-exception", "nbval-ignore-output"]}, "outputs": [{"output_type": "stream"}],
    ...     "source": "# NBVAL_RAISES_EXCEPTION\\nprint(heart_rat)"}], "metadata": {}}
    >>> cell = student_notebook(nb)["cells"][0]
    >>> cell["source"], cell["outputs"], cell["execution_count"], cell["metadata"]["tags"]
    ('print(heart_rat)', [], None, ['raises-exception'])
    """
    copy = json.loads(json.dumps(notebook))
    for cell in copy.get("cells", []):
        source = _join(cell.get("source", ""))
        if cell.get("cell_type") == "code":
            kept = [line for line in source.splitlines(keepends=True) if not _MARKER.match(line)]
            cell["source"] = "".join(kept)
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell["source"] = student_markdown(source)
        metadata = cell.get("metadata", {})
        tags = [t for t in metadata.get("tags", []) if t not in _TEST_TAGS]
        if tags:
            metadata["tags"] = tags
        else:
            metadata.pop("tags", None)
        for key in ("execution", "collapsed", "scrolled"):
            metadata.pop(key, None)
    return copy


def _student_bytes(name: str, path: Path) -> bytes:
    if name.endswith(".ipynb"):
        notebook = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    if name.endswith(".md"):
        return student_markdown(path.read_text(encoding="utf-8")).encode("utf-8")
    return path.read_bytes()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def student_jupyter_config() -> dict[str, dict[str, Any]]:
    """The Jupyter configuration a student's JupyterLab runs with, file name -> JSON.

    It switches off nbgrader's plugins and server extensions (the "Create Assignment" panel,
    Validate button, menu and formgrader), opens Markdown rendered, and fetches no news. Written
    into the workspace's ``.jupyter/`` folder by :func:`update`; point ``JUPYTER_CONFIG_DIR``
    at it.

    Examples
    --------
    >>> config = student_jupyter_config()
    >>> config["labconfig/page_config.json"]["disabledExtensions"]["@jupyter/nbgrader:formgrader"]
    True
    """
    disabled = dict.fromkeys(NBGRADER_LAB_PLUGINS, True)
    server = dict.fromkeys(NBGRADER_SERVER_EXTENSIONS, False)
    return {
        "labconfig/page_config.json": {"disabledExtensions": disabled},
        "jupyter_server_config.json": {"ServerApp": {"jpserver_extensions": server}},
    }


def _write_config(target: Path) -> None:
    for name, content in student_jupyter_config().items():
        path = target / ".jupyter" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def _read_manifest(target: Path) -> dict[str, str]:
    path = target / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.get("files", {}).items() if isinstance(v, str)}


def _write_manifest(target: Path, files: dict[str, str]) -> None:
    data = {
        "about": "What each course file held when it was last written here, so that an update "
        "never changes a file you have edited. Safe to delete (then nothing is updated).",
        "files": dict(sorted(files.items())),
    }
    (target / MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    tmp.replace(path)


def update(source: str | Path, target: str | Path) -> WorkspaceReport:
    """Create a student workspace, or bring an existing one up to date.

    A file that is new in the course is added. A file the student has not changed since it
    was written (its contents still match the manifest) is replaced by the course's current
    version. A file the student has changed is never touched: it is listed in ``kept``.

    Parameters
    ----------
    source : path
        The course folder (with ``notebooks/`` and ``datasets/``).
    target : path
        The workspace folder; created if it does not exist.

    Returns
    -------
    WorkspaceReport
    """
    source = _check_source(Path(source))
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ValueError(f"target must be a folder, but {str(target)!r} is a file")
    target.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(target)
    report = WorkspaceReport(target=target)
    for name, path in student_files(source).items():
        new = _student_bytes(name, path)
        dest = target / name
        if not dest.exists():
            if name in manifest:  # the student deleted it: respect that, reset brings it back
                continue
            _write(dest, new)
            manifest[name] = _digest(new)
            report.added.append(name)
            continue
        current = _digest(dest.read_bytes())
        if current == _digest(new):
            manifest[name] = current
        elif manifest.get(name) == current:
            _write(dest, new)
            manifest[name] = _digest(new)
            report.updated.append(name)
        else:
            report.kept.append(name)
    _write_config(target)
    _write_manifest(target, manifest)
    return report


def reset(
    source: str | Path, target: str | Path, names: list[str] | None = None
) -> WorkspaceReport:
    """Put lessons back as new; the student's old copy goes to ``.backups/``.

    Parameters
    ----------
    source, target : path
        As for :func:`update`.
    names : list of str, optional
        Lessons to reset, by file name (``"04-is-the-test-any-good.ipynb"``), by number
        (``"04"``) or by workspace path. None resets every file of the course.

    Raises
    ------
    ValueError
        When a name matches no course file; the message lists the lessons.
    """
    source = _check_source(Path(source))
    target = Path(target)
    files = student_files(source)
    if names is None:
        chosen = list(files)
    else:
        chosen = []
        for raw in names:
            name = Path(str(raw)).name if str(raw).endswith(".ipynb") else str(raw)
            matches = [n for n in files if n == name or n.split("-", 1)[0] == name]
            if not matches:
                lessons = ", ".join(n for n in files if n.endswith(".ipynb"))
                raise ValueError(f"no course file called {raw!r}; the lessons are: {lessons}")
            chosen.extend(m for m in matches if m not in chosen)
    target.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(target)
    report = WorkspaceReport(target=target)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in chosen:
        new = _student_bytes(name, files[name])
        dest = target / name
        if dest.exists() and dest.read_bytes() != new:
            backup = target / BACKUPS / f"{Path(name).stem}-{stamp}{Path(name).suffix}"
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(dest, backup)
            report.backups.append(backup.name)
        _write(dest, new)
        manifest[name] = _digest(new)
        report.reset.append(name)
    _write_config(target)
    _write_manifest(target, manifest)
    return report


def main(argv: list[str] | None = None) -> int:
    """``healthlab workspace {update,reset} [--source DIR] [--to DIR] [LESSON ...]``."""
    parser = argparse.ArgumentParser(
        prog="healthlab workspace",
        description="Make or refresh a student's own copy of the course (no outputs, no "
        "teacher material). Edited lessons are never overwritten.",
    )
    parser.add_argument("action", choices=("update", "reset"))
    parser.add_argument("lessons", nargs="*", help="for reset: lessons to reset (default: all)")
    parser.add_argument("--source", type=Path, default=None, help="the course folder")
    parser.add_argument("--to", type=Path, default=Path("my-course"), help="the workspace")
    args = parser.parse_args(argv)
    try:
        source = args.source or course_root()
        if args.action == "update":
            report = update(source, args.to)
        else:
            report = reset(source, args.to, args.lessons or None)
    except (ValueError, FileNotFoundError) as exc:
        print(f"healthlab workspace: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0
