"""Open JupyterLab for a student or a teacher: the two front doors of the course.

``healthlab lab`` (what ``make lab`` runs) brings the student's own copy of the course up to
date (:mod:`healthlab.workspace`) and opens JupyterLab on it, with nbgrader's authoring tools
switched off and the course home as the first page. The student never sees the reference
lessons, their outputs, the teacher notes or the assignment sources.

``healthlab teacher`` (``make teacher``) opens JupyterLab on the whole repository with
nbgrader switched on, from the nbgrader course folder, with formgrader as the first page.

Both print the exact address to open and how to stop. Both bind to 127.0.0.1 only.

Examples
--------
>>> argv, env = student_command(Path("my-course"), port=8888, token="t")
>>> argv[1:4], "--LabApp.default_url=/lab/tree/README.md" in argv
(['-m', 'jupyter', 'lab'], True)
>>> env["JUPYTER_CONFIG_DIR"].endswith(".jupyter")
True
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from healthlab import workspace

__all__ = ["student_command", "teacher_command", "address", "main", "teacher_main"]

HOME_PAGE = "/lab/tree/README.md"
FORMGRADER_PAGE = "/formgrader"


def address(port: int, token: str, page: str) -> str:
    """The address to open in a browser.

    Examples
    --------
    >>> address(8888, "abc", "/lab/tree/README.md")
    'http://127.0.0.1:8888/lab/tree/README.md?token=abc'
    """
    return f"http://127.0.0.1:{port}{page}?token={token}"


def _check_port(port: int) -> int:
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 1 to 65535, got {port!r}")
    return port


def _common(port: int, token: str, root: Path, page: str, browser: bool) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={_check_port(port)}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url={page}",
    ]
    if not browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # a fresh container runs as root
    return argv


def student_command(
    target: Path, *, port: int = 8888, token: str = "", browser: bool = False
) -> tuple[list[str], dict[str, str]]:
    """The command and environment that open a student's workspace in JupyterLab.

    ``JUPYTER_CONFIG_DIR`` points at the workspace's ``.jupyter/`` folder, written by
    :func:`healthlab.workspace.update`, which switches nbgrader's tools off.
    """
    target = Path(target).resolve()
    env = dict(os.environ)
    env["JUPYTER_CONFIG_DIR"] = str(target / ".jupyter")
    env.pop("MPLBACKEND", None)  # the lessons draw inline
    return _common(port, token, target, HOME_PAGE, browser), env


def teacher_command(
    course: Path, *, port: int = 8889, token: str = "", browser: bool = False
) -> tuple[list[str], dict[str, str]]:
    """The command and environment that open the teacher's JupyterLab with formgrader.

    Run from the nbgrader course folder (``assignments/``) so that formgrader finds
    ``nbgrader_config.py``; the file browser shows the whole repository.
    """
    course = Path(course).resolve()
    if not (course / "nbgrader_config.py").exists():
        raise ValueError(f"no nbgrader_config.py in {str(course)!r}: pass the assignments folder")
    if not os.environ.get("HEALTHLAB_EXCHANGE"):
        # The course's default exchange (git ignores it): formgrader warns when it is missing.
        (course / "exchange").mkdir(exist_ok=True)
    env = dict(os.environ)
    env.pop("JUPYTER_CONFIG_DIR", None)
    env.pop("MPLBACKEND", None)
    return _common(port, token, course.parent, FORMGRADER_PAGE, browser), env


def _parser(prog: str, port: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--browser", action="store_true", help="open a web browser too")
    parser.add_argument("--token", default=None, help="default: a new random token")
    return parser


def _run(argv: list[str], env: dict[str, str], cwd: Path, url: str, extra: str) -> int:
    print(f"\nOpen this address in your web browser:\n\n    {url}\n")
    print(extra)
    print("To stop: press Ctrl+C in this window (twice if asked).\n", flush=True)
    os.chdir(cwd)
    os.execvpe(argv[0], argv, env)
    return 0  # pragma: no cover - execvpe does not return


def main(argv: list[str] | None = None) -> int:
    """``healthlab lab``: update the student workspace and open it."""
    parser = _parser("healthlab lab", 8888)
    parser.add_argument("--to", type=Path, default=Path("my-course"), help="your course folder")
    parser.add_argument("--source", type=Path, default=None, help="the course repository")
    args = parser.parse_args(argv)
    try:
        report = workspace.update(args.source or workspace.course_root(), args.to)
        token = args.token or secrets.token_hex(16)
        command, env = student_command(args.to, port=args.port, token=token, browser=args.browser)
    except (ValueError, FileNotFoundError) as exc:
        print(f"healthlab lab: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    extra = (
        "Your work is saved in that folder. To start a lesson again: make reset LESSON=04\n"
        "(or every lesson: make reset). Course updates never change a lesson you have edited."
    )
    return _run(command, env, args.to, address(args.port, token, HOME_PAGE), extra)


def teacher_main(argv: list[str] | None = None) -> int:
    """``healthlab teacher``: JupyterLab with formgrader, for the teacher."""
    parser = _parser("healthlab teacher", 8889)
    parser.add_argument("--course", type=Path, default=None, help="the assignments folder")
    args = parser.parse_args(argv)
    try:
        course = args.course or workspace.course_root() / "assignments"
        token = args.token or secrets.token_hex(16)
        command, env = teacher_command(course, port=args.port, token=token, browser=args.browser)
    except (ValueError, FileNotFoundError) as exc:
        print(f"healthlab teacher: {exc}", file=sys.stderr)
        return 2
    bin_dir = Path(sys.executable).parent
    extra = (
        "Teacher commands (nbgrader, healthlab grade) live in the course environment. In a new\n"
        f"terminal, first run:  source {bin_dir / 'activate'}\n"
        "or use the make targets: make grade A=a1-health-data"
    )
    return _run(command, env, Path(course), address(args.port, token, FORMGRADER_PAGE), extra)
